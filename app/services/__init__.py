"""Use cases: load through db, compute through domain, and own every commit."""
