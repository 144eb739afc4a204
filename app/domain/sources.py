"""The public form of a source: what a result or catalog item prints for a citation."""

from __future__ import annotations

from typing import Any

from app.domain.knowledge import Lang, Source

_FIELDS = ("document", "section", "doi", "url", "publisher", "year", "tag")


def source_dict(src: Source, lang: Lang) -> dict[str, Any]:
    """Only the fields the source has; a heuristic says so and explains itself."""
    out: dict[str, Any] = {}
    for key in _FIELDS:
        value = getattr(src, key)
        if value is not None:
            out[key] = value
    if src.heuristic:
        out["heuristic"] = True
    if src.note is not None:
        out["note"] = src.note.get(lang)
    return out
