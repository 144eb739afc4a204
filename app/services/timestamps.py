"""Stored times as answers write them."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a ``Z``; a naive time (SQLite keeps no zone) is UTC.

    >>> iso(datetime(2026, 1, 2, 3, 4, 5))
    '2026-01-02T03:04:05.000000Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
