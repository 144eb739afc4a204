"""The knowledge base as clients read it: each item localised into one language.

Rendered once per snapshot and language, then served from the snapshot's cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.cases import CaseSet
from app.domain.item_kinds import BY_URL_NAME, ITEM_KINDS
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    DatedThreshold,
    Example,
    ExampleFigure,
    Figure,
    Indicator,
    Lang,
    Line,
    Path,
    ReferenceCounty,
    Signal,
    Threshold,
)
from app.domain.snapshot import Snapshot
from app.domain.sources import figure_source, figure_tag, figure_year, source_dict
from app.errors import NotFound
from app.services.curation import item_etag as content_etag

Item = dict[str, object]


def _threshold(t: Threshold, lang: Lang) -> Item:
    out: Item = {k: getattr(t, k) for k in ("value", "ratio", "percentile", "fallback")}
    out = {k: v for k, v in out.items() if v is not None}
    if t.source is not None:
        out["source"] = source_dict(t.source, lang)
    return out


def _line(line: Line, lang: Lang) -> Item:
    """A rule line; a dated one lists each value with the date it applies from."""
    if isinstance(line, DatedThreshold):
        return {
            "values": {d.isoformat(): _threshold(t, lang) for d, t in sorted(line.values.items())}
        }
    return _threshold(line, lang)


def _same(item: Any, *names: str) -> Item:
    """The item's fields ``names`` as they are."""
    return {name: getattr(item, name) for name in names}


def _texts(item: Any, lang: Lang, *names: str) -> Item:
    """The item's bilingual fields ``names``, in ``lang``."""
    return {name: getattr(item, name).get(lang) for name in names}


def _figure(f: Figure, lang: Lang) -> Item:
    return {
        **_same(f, "indicator", "value", "year", "tag", "printed"),
        "note": f.note.get(lang) if f.note else None,
        "source": source_dict(f.source, lang),
    }


def indicator(snap: Snapshot, i: Indicator, lang: Lang) -> Item:
    return {
        **_same(i, "key", "dimension", "unit"),
        **_texts(i, lang, "unit_label", "label", "description"),
        **_same(i, "direction", "min", "max"),
        "plausible": list(i.plausible) if i.plausible else None,
        **_same(i, "scale", "derived", "formula"),
        "inputs": list(i.inputs),
        "source": source_dict(i.source, lang) if i.source else None,
    }


def signal(snap: Snapshot, s: Signal, lang: Lang) -> Item:
    return {
        **_same(s, "slug", "challenge"),
        **_texts(s, lang, "label", "description"),
        "source": source_dict(s.source, lang),
    }


def challenge(snap: Snapshot, c: Challenge, lang: Lang) -> Item:
    return {
        **_same(c, "slug", "family"),
        **_texts(c, lang, "title", "summary", "reasoning"),
        **_same(c, "min_indicators", "signal_weight", "signal_cap", "watch_at", "flag_at"),
        "signals": list(snap.signals_by_challenge.get(c.slug, ())),
        "rules": [
            {
                **_same(r, "indicator", "bad_when"),
                "watch": _line(r.watch, lang),
                "flag": _line(r.flag, lang),
                **_same(r, "weight", "max_band"),
                "anchor": source_dict(r.anchor, lang),
                "note": r.note.get(lang) if r.note else None,
            }
            for r in c.rules
        ],
        "paths": [
            p.slug for p in snap.paths.values() if any(a.challenge == c.slug for a in p.addresses)
        ],
        "source": source_dict(c.source, lang),
    }


def path(snap: Snapshot, p: Path, lang: Lang) -> Item:
    return {
        **_same(p, "slug", "family"),
        **_texts(p, lang, "title", "summary"),
        "actions": [a.text.get(lang) for a in p.actions],
        "addresses": [
            {"challenge": a.challenge, "weight": a.weight, "why": a.why.get(lang)}
            for a in p.addresses
        ],
        "fit": [
            {
                **_same(f, "indicator", "signal", "op", "value", "met_factor", "missed_factor"),
                "text": f.text.get(lang),
            }
            for f in p.fit
        ],
        "outcome_indicators": list(p.outcome_indicators),
        "examples": [e.slug for e in snap.examples_by_path.get(p.slug, ())],
        "no_example_reason": p.no_example_reason.get(lang) if p.no_example_reason else None,
        "source": source_dict(p.source, lang),
    }


def _example_figure(e: Example, f: ExampleFigure, lang: Lang) -> Item:
    """A figure with its own year, tag and source (the example's where it has none)."""
    return {
        "key": f.key,
        "value": f.value,
        "unit": f.unit.get(lang),
        "label": f.label.get(lang),
        "year": figure_year(e, f),
        "tag": figure_tag(e, f),
        "note": f.note.get(lang) if f.note else None,
        "source": source_dict(figure_source(e, f), lang),
    }


def example(snap: Snapshot, e: Example, lang: Lang) -> Item:
    return {
        **_same(e, "slug", "county"),
        **_texts(e, lang, "title", "summary"),
        "year": e.year,
        "figures": [_example_figure(e, f, lang) for f in e.figures],
        "paths": list(e.paths),
        "source": source_dict(e.source, lang),
    }


def reference_county(snap: Snapshot, r: ReferenceCounty, lang: Lang) -> Item:
    return {
        "slug": r.slug,
        "name": r.name.get(lang),
        **_same(r, "code", "province"),
        "values": [_figure(f, lang) for f in r.values],
    }


def benchmark(snap: Snapshot, b: Benchmark, lang: Lang) -> Item:
    return {
        **_same(b, "slug", "kind", "region", "year"),
        **_texts(b, lang, "title", "description"),
        "values": [_figure(f, lang) for f in b.values],
        "source": source_dict(b.source, lang),
    }


def case_set(snap: Snapshot, c: CaseSet, lang: Lang) -> Item:
    """A set of expert cases as written (its names and reasons are the experts' own words)."""
    rendered: Item = c.model_dump(mode="json")
    return rendered


# How each kind is rendered, by its name in URLs (app.domain.item_kinds).
RENDERERS: dict[str, Callable[..., Item]] = {
    "indicators": indicator,
    "signals": signal,
    "challenges": challenge,
    "paths": path,
    "examples": example,
    "reference-counties": reference_county,
    "benchmarks": benchmark,
    "cases": case_set,
}


def _source(snap: Snapshot, kind: str) -> list[Any]:
    return list(getattr(snap.kb, BY_URL_NAME[kind].attr))


def items(snap: Snapshot, kind: str, lang: Lang) -> list[Item]:
    cached = snap.memo.catalog.get((kind, lang))
    if cached is None:
        render = RENDERERS[kind]
        cached = snap.memo.catalog[(kind, lang)] = [
            render(snap, i, lang) for i in _source(snap, kind)
        ]
    return cached


def item(snap: Snapshot, kind: str, ident: str, lang: Lang) -> Item:
    index = snap.memo.catalog_index.get((kind, lang))
    if index is None:
        ident_of = BY_URL_NAME[kind].ident_of
        index = snap.memo.catalog_index[(kind, lang)] = {
            ident_of(obj): rendered
            for obj, rendered in zip(_source(snap, kind), items(snap, kind, lang), strict=True)
        }
    found: Item | None = index.get(ident)
    if found is None:
        raise NotFound(detail=f"No {kind.replace('-', ' ').rstrip('s')} with slug '{ident}'.")
    return found


def kb_summary(snap: Snapshot) -> Item:
    kb = snap.kb
    return {
        "version": snap.version,
        "kb_version": snap.kb_version,
        "checksum": snap.checksum,
        "title": kb.meta.title.model_dump(),
        "documents": [
            {"slug": d.slug, "title": d.title, "doi": d.doi, "licence": d.licence}
            for d in kb.meta.documents
        ],
        "counts": {kind.attr: len(getattr(kb, kind.attr)) for kind in ITEM_KINDS},
    }


def item_etag(snap: Snapshot, kind: str, ident: str) -> str:
    """The content hash of one knowledge-base item: its ETag on reads and If-Match on writes."""
    hit = snap.memo.etags.get((kind, ident))
    if hit is None:
        ident_of = BY_URL_NAME[kind].ident_of
        found = next((obj for obj in _source(snap, kind) if ident_of(obj) == ident), None)
        if found is None:
            raise NotFound(detail=f"No {kind} item '{ident}'.")
        hit = snap.memo.etags[(kind, ident)] = content_etag(found)
    return hit
