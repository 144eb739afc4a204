"""Reference tables shipped with the package; sources and refresh steps in README.md."""
