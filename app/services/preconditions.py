"""Entity-tag comparison for conditional requests (RFC 9110 section 13.1).

``If-Match`` uses the strong comparison: a weak tag (``W/"..."``) never matches, since a writer
must prove it saw these exact bytes. For the same reason ``If-Match: *`` is refused (428): RFC 9110
lets ``*`` match any current item, which would let a writer overwrite what it never read, the lost
update that If-Match is required to prevent. ``If-None-Match`` uses the weak comparison, where
the ``W/`` prefix is ignored, and ``*`` keeps its meaning.
"""

from __future__ import annotations

from app.errors import PreconditionRequired
from app.services.problem_text import problem


def entity_tag(digest: str) -> str:
    """A strong entity tag made of a hex digest (its first 32 digits).

    >>> entity_tag("0123456789abcdef" * 4)
    '"0123456789abcdef0123456789abcdef"'
    """
    return f'"{digest[:32]}"'


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def strong_match(header: str, current: str) -> bool:
    """``If-Match`` where an entity tag is required (every write that calls this): the current
    tag exactly, never a weak one; ``*`` is refused with 428.

    >>> strong_match('W/"a", "a"', '"a"'), strong_match('W/"a"', '"a"')
    (True, False)
    """
    tags = _tags(header)
    if "*" in tags:
        raise problem(PreconditionRequired, "if_match_star")
    return any(t == current and not t.startswith("W/") for t in tags)


def weak_match(header: str, current: str) -> bool:
    """``If-None-Match``: ``*`` or the current tag, weak or strong."""
    opaque = current.removeprefix("W/")
    return any(t == "*" or t.removeprefix("W/") == opaque for t in _tags(header))
