"""The knowledge base as clients read it: each item localised into one language.

Rendered once per snapshot and language, then served from the snapshot's cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.knowledge import (
    Benchmark,
    Challenge,
    DatedThreshold,
    Example,
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
from app.domain.sources import source_dict
from app.errors import NotFound
from app.services.curation import item_etag as content_etag

Item = dict[str, Any]


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


def _figure(f: Figure, lang: Lang) -> Item:
    return {
        "indicator": f.indicator,
        "value": f.value,
        "year": f.year,
        "tag": f.tag,
        "printed": f.printed,
        "note": f.note.get(lang) if f.note else None,
        "source": source_dict(f.source, lang),
    }


def indicator(snap: Snapshot, i: Indicator, lang: Lang) -> Item:
    return {
        "key": i.key,
        "dimension": i.dimension,
        "unit": i.unit,
        "unit_label": i.unit_label.get(lang),
        "label": i.label.get(lang),
        "description": i.description.get(lang),
        "direction": i.direction,
        "min": i.min,
        "max": i.max,
        "plausible": list(i.plausible) if i.plausible else None,
        "scale": i.scale,
        "derived": i.derived,
        "formula": i.formula,
        "inputs": list(i.inputs),
        "source": source_dict(i.source, lang) if i.source else None,
    }


def signal(snap: Snapshot, s: Signal, lang: Lang) -> Item:
    return {
        "slug": s.slug,
        "challenge": s.challenge,
        "label": s.label.get(lang),
        "description": s.description.get(lang),
        "source": source_dict(s.source, lang),
    }


def challenge(snap: Snapshot, c: Challenge, lang: Lang) -> Item:
    return {
        "slug": c.slug,
        "family": c.family,
        "title": c.title.get(lang),
        "summary": c.summary.get(lang),
        "reasoning": c.reasoning.get(lang),
        "min_indicators": c.min_indicators,
        "signal_weight": c.signal_weight,
        "signal_cap": c.signal_cap,
        "watch_at": c.watch_at,
        "flag_at": c.flag_at,
        "signals": list(snap.signals_by_challenge.get(c.slug, ())),
        "rules": [
            {
                "indicator": r.indicator,
                "bad_when": r.bad_when,
                "watch": _line(r.watch, lang),
                "flag": _line(r.flag, lang),
                "weight": r.weight,
                "max_band": r.max_band,
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
        "slug": p.slug,
        "family": p.family,
        "title": p.title.get(lang),
        "summary": p.summary.get(lang),
        "actions": [a.get(lang) for a in p.actions],
        "addresses": [
            {"challenge": a.challenge, "weight": a.weight, "why": a.why.get(lang)}
            for a in p.addresses
        ],
        "fit": [
            {
                "indicator": f.indicator,
                "signal": f.signal,
                "op": f.op,
                "value": f.value,
                "met_factor": f.met_factor,
                "missed_factor": f.missed_factor,
                "text": f.text.get(lang),
            }
            for f in p.fit
        ],
        "outcome_indicators": list(p.outcome_indicators),
        "examples": [e.slug for e in snap.examples_by_path.get(p.slug, ())],
        "no_example_reason": p.no_example_reason.get(lang) if p.no_example_reason else None,
        "source": source_dict(p.source, lang),
    }


def example(snap: Snapshot, e: Example, lang: Lang) -> Item:
    return {
        "slug": e.slug,
        "county": e.county,
        "title": e.title.get(lang),
        "summary": e.summary.get(lang),
        "year": e.year,
        "figures": [
            {"key": f.key, "value": f.value, "unit": f.unit.get(lang), "label": f.label.get(lang)}
            for f in e.figures
        ],
        "paths": list(e.paths),
        "source": source_dict(e.source, lang),
    }


def reference_county(snap: Snapshot, r: ReferenceCounty, lang: Lang) -> Item:
    return {
        "slug": r.slug,
        "name": r.name.get(lang),
        "code": r.code,
        "province": r.province,
        "values": [_figure(f, lang) for f in r.values],
    }


def benchmark(snap: Snapshot, b: Benchmark, lang: Lang) -> Item:
    return {
        "slug": b.slug,
        "kind": b.kind,
        "region": b.region,
        "year": b.year,
        "title": b.title.get(lang),
        "description": b.description.get(lang),
        "values": [_figure(f, lang) for f in b.values],
        "source": source_dict(b.source, lang),
    }


KINDS: dict[
    str, tuple[Callable[[Snapshot], list[Any]], Callable[[Any], str], Callable[..., Item]]
] = {
    "indicators": (lambda s: s.kb.indicators, lambda i: i.key, indicator),
    "signals": (lambda s: s.kb.signals, lambda i: i.slug, signal),
    "challenges": (lambda s: s.kb.challenges, lambda i: i.slug, challenge),
    "paths": (lambda s: s.kb.paths, lambda i: i.slug, path),
    "examples": (lambda s: s.kb.examples, lambda i: i.slug, example),
    "reference-counties": (lambda s: s.kb.reference_counties, lambda i: i.slug, reference_county),
    "benchmarks": (lambda s: s.kb.benchmarks, lambda i: i.slug, benchmark),
}


def items(snap: Snapshot, kind: str, lang: Lang) -> list[Item]:
    cached = snap.memo.catalog.get((kind, lang))
    if cached is None:
        source, _, render = KINDS[kind]
        cached = snap.memo.catalog[(kind, lang)] = [render(snap, i, lang) for i in source(snap)]
    return cached


def item(snap: Snapshot, kind: str, ident: str, lang: Lang) -> Item:
    index = snap.memo.catalog_index.get((kind, lang))
    if index is None:
        _, ident_of, _ = KINDS[kind]
        index = snap.memo.catalog_index[(kind, lang)] = {
            ident_of(obj): rendered
            for obj, rendered in zip(KINDS[kind][0](snap), items(snap, kind, lang), strict=True)
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
        "counts": {
            "indicators": len(kb.indicators),
            "benchmarks": len(kb.benchmarks),
            "signals": len(kb.signals),
            "challenges": len(kb.challenges),
            "paths": len(kb.paths),
            "examples": len(kb.examples),
            "reference_counties": len(kb.reference_counties),
        },
    }


def item_etag(snap: Snapshot, kind: str, ident: str) -> str:
    """The content hash of one knowledge-base item: its ETag on reads and If-Match on writes."""
    hit = snap.memo.etags.get((kind, ident))
    if hit is None:
        source, ident_of, _ = KINDS[kind]
        found = next((obj for obj in source(snap) if ident_of(obj) == ident), None)
        if found is None:
            raise NotFound(detail=f"No {kind} item '{ident}'.")
        hit = snap.memo.etags[(kind, ident)] = content_etag(found)
    return hit
