"""Entity-tag comparison for conditional requests (RFC 9110 section 13.1).

``If-Match`` uses the strong comparison: a weak tag (``W/"..."``) never matches, since a writer
must prove it saw these exact bytes. ``If-None-Match`` uses the weak comparison, where the ``W/``
prefix is ignored.
"""

from __future__ import annotations


def entity_tag(digest: str) -> str:
    """A strong entity tag made of a hex digest (its first 32 digits).

    >>> entity_tag("0123456789abcdef" * 4)
    '"0123456789abcdef0123456789abcdef"'
    """
    return f'"{digest[:32]}"'


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def strong_match(header: str, current: str) -> bool:
    """``If-Match``: ``*`` or the current tag exactly, never a weak one."""
    tags = _tags(header)
    return "*" in tags or any(t == current and not t.startswith("W/") for t in tags)


def weak_match(header: str, current: str) -> bool:
    """``If-None-Match``: ``*`` or the current tag, weak or strong."""
    opaque = current.removeprefix("W/")
    return any(t == "*" or t.removeprefix("W/") == opaque for t in _tags(header))
