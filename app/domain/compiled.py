"""Parts of a result fixed by the knowledge base and the language, built once per snapshot:
an evidence item's texts per resolved rule, a path's texts and examples, a path as the ranking
reads it. Requests only add the county's numbers to these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from app.domain.knowledge import (
    Action,
    CountyKind,
    Duty,
    Example,
    FitCondition,
    Indicator,
    Lang,
    Path,
    Requirement,
    Rule,
    Text,
)
from app.domain.numbers import round4
from app.domain.result_types import (
    BadWhen,
    ExampleRef,
    LineSources,
    SourceOut,
    ThresholdBasis,
    Thresholds,
)
from app.domain.sources import source_dict
from app.domain.thresholds import Lines


class Requirements(tuple[Requirement, ...]):
    """Requirements with their subjects named once (app.domain.conditions judges them): those
    of a knowledge base are judged on every request, and naming a requirement's subject walks
    its fields."""

    subjects: tuple[str, ...]

    def __new__(cls, requires: Iterable[Requirement] = ()) -> Requirements:
        self = super().__new__(cls, requires)
        self.subjects = tuple(r.subject for r in self)
        return self


class EvidenceText(NamedTuple):
    """The fixed parts of an evidence item (everything but the county's value and band)."""

    label: str
    unit: str
    unit_label: str
    benchmark_value: float | None
    benchmark_year: int | None
    thresholds: Thresholds
    basis: ThresholdBasis
    bad_when: BadWhen
    weight: float
    anchor: SourceOut
    line_sources: LineSources | None


def evidence_text(
    rule: Rule,
    ind: Indicator,
    lines: Lines,
    bench_value: float | None,
    lang: Lang,
    bench_year: int | None = None,
) -> EvidenceText:
    """The fixed parts of an evidence item; ``bench_year`` is the year of the benchmark figure,
    which may differ from its set's (the figure's note says why)."""
    own: LineSources = {}
    if lines.watch_line.source is not None:
        own["watch"] = source_dict(lines.watch_line.source, lang)
    if lines.flag_line.source is not None:
        own["flag"] = source_dict(lines.flag_line.source, lang)
    return EvidenceText(
        ind.label.get(lang),
        ind.unit,
        ind.unit_label.get(lang),
        None if bench_value is None else round4(bench_value),
        None if bench_value is None else bench_year,
        Thresholds(round4(lines.watch), round4(lines.flag)),
        ThresholdBasis(lines.watch_basis, lines.flag_basis),
        rule.bad_when,
        rule.weight,
        source_dict(rule.anchor, lang),
        own or None,
    )


class Scale(NamedTuple):
    """How a gap between two counties on one indicator is measured: on a log scale (sizes) or
    linearly, over the indicator's plausible width."""

    log: bool
    width: float
    derived: bool


def peer_scales(indicators: list[Indicator]) -> dict[str, Scale]:
    """The indicators peers are compared on: every one that does not restate another and has
    a positive width."""
    out: dict[str, Scale] = {}
    for ind in indicators:
        if ind.same_fact_as is not None:
            continue
        lo, hi = ind.plausible if ind.plausible else (ind.min, ind.max)
        width = math.log(hi / max(lo, hi * 1e-6)) if ind.scale == "log" else hi - lo
        if width > 0:
            out[ind.key] = Scale(ind.scale == "log", width, ind.derived)
    return out


class KindFit(NamedTuple):
    """How a path suits the county's kinds, and the factor that follows. ``firm`` is true when
    an unsuited kind is one the county declares (not only a trait of its figures)."""

    suits: tuple[CountyKind, ...]
    unsuited: tuple[CountyKind, ...]
    factor: float
    firm: bool = False


class PathPlan(NamedTuple):
    """A path as the ranking reads it: what it addresses, builds on, carries and depends on."""

    slug: str
    path: Path
    addresses: tuple[tuple[str, str, float], ...]  # (target key, challenge, weight)
    # (target key, indicator, weight, what the county must meet for the strength to count)
    builds_on: tuple[tuple[str, str, float, tuple[Requirement, ...]], ...]
    duties: tuple[Duty, ...]
    fit: tuple[FitCondition, ...]
    suits: frozenset[CountyKind]
    unsuited: frozenset[CountyKind]
    best_fit: float  # the fit factor if every condition is met: a bound on any county's
    requires: tuple[Requirement, ...]
    actions: tuple[Action, ...]
    # Positions of the actions every county is shown (no requirements), and the others with
    # theirs: most actions ask nothing, so only the rest are judged per county.
    open_actions: tuple[int, ...]
    gated_actions: tuple[tuple[int, tuple[Requirement, ...]], ...]


FIRST_DUTY = 0.8
"""A duty of this weight or more is a first duty of the kind or zone, one target shared by every
path that carries it (so a second path for the same duty counts for less); a lighter one is a
distinct item on the kind's agenda, a target of its own path."""


def duty_owner(duty: Duty) -> str:
    """``kind:<kind>`` or ``zone:<zone>``: whose duty it is (a kind and a zone may share a name)."""
    return f"kind:{duty.kind}" if duty.kind else f"zone:{duty.zone}"


def duty_key(duty: Duty, path: str) -> str:
    """The target a duty works on (see ``FIRST_DUTY``)."""
    owner = duty_owner(duty)
    return f"d:{owner}" if duty.weight >= FIRST_DUTY else f"d:{owner}:{path}"


def path_plan(path: Path) -> PathPlan:
    best = 1.0
    for cond in path.fit:
        best *= cond.met_factor
    return PathPlan(
        path.slug,
        path,
        tuple(("c:" + a.challenge, a.challenge, a.weight) for a in path.addresses),
        tuple(
            ("s:" + b.indicator, b.indicator, b.weight, Requirements(b.requires))
            for b in path.builds_on
        ),
        tuple(path.duties),
        tuple(path.fit),
        frozenset(path.kinds.suits),
        frozenset(path.kinds.unsuited),
        best,
        Requirements(path.requires),
        tuple(path.actions),
        tuple(i for i, a in enumerate(path.actions) if not a.requires),
        tuple((i, Requirements(a.requires)) for i, a in enumerate(path.actions) if a.requires),
    )


class ExampleText(NamedTuple):
    """A rendered example with what decides where it is shown: its kinds, its requirements, and
    the county it comes from (never shown to that county as its own model)."""

    item: ExampleRef
    kinds: frozenset[CountyKind]
    unsuited: frozenset[CountyKind]
    requires: tuple[Requirement, ...]
    county: str


class PathText(NamedTuple):
    title: str
    summary: str
    why: dict[str, str]
    builds_on_why: dict[str, str]
    duty_whys: dict[str, str]
    actions: list[str]
    outcome_indicators: list[str]
    examples: tuple[ExampleText, ...]
    source: SourceOut
    kinds_note: str | None


def example_item(ex: Example, lang: Lang, names: Mapping[str, Text]) -> ExampleRef:
    """An example as a result shows it, labelled with its own county in the reader's
    language."""
    name = names.get(ex.county)
    return ExampleRef(
        ex.slug,
        ex.title.get(lang),
        ex.county,
        name.get(lang) if name else ex.county,
        ex.year,
        list(ex.kinds),
        source_dict(ex.source, lang),
    )


def path_text(
    path: Path, examples: tuple[Example, ...], lang: Lang, names: Mapping[str, Text]
) -> PathText:
    return PathText(
        path.title.get(lang),
        path.summary.get(lang),
        {a.challenge: a.why.get(lang) for a in path.addresses},
        {b.indicator: b.why.get(lang) for b in path.builds_on},
        {duty_owner(d): d.why.get(lang) for d in path.duties},
        [a.text.get(lang) for a in path.actions],
        list(path.outcome_indicators),
        tuple(
            ExampleText(
                example_item(ex, lang, names),
                frozenset(ex.kinds),
                frozenset(ex.unsuited_kinds),
                Requirements(ex.requires),
                ex.county,
            )
            for ex in examples
        ),
        source_dict(path.source, lang),
        path.kinds.note.get(lang) if path.kinds.note else None,
    )
