"""Cross-reference checks over a whole knowledge base, shared by seeding, curation and import.

Each problem names the kind (seed file), the item and the field, so an analyst can find it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from app.domain.formula import FormulaError, compile_formula
from app.domain.knowledge import KnowledgeBase, Path, Source, Threshold, line_at


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: item {self.item!r}: field {self.field}: {self.message}"


def _sources(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Source]]:
    """Walk a model and yield every Source it holds with its dotted field path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Source):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from _sources(value, path + ".")
        elif isinstance(value, list | tuple):
            for i, entry in enumerate(value):
                if isinstance(entry, Source):
                    yield f"{path}.{i}", entry
                elif isinstance(entry, BaseModel):
                    yield from _sources(entry, f"{path}.{i}.")


def _duplicates(kind: str, ids: Iterable[str]) -> list[Issue]:
    seen: set[str] = set()
    out: list[Issue] = []
    for ident in ids:
        if ident in seen:
            out.append(Issue(kind, ident, "slug", "appears twice"))
        seen.add(ident)
    return out


def check_references(kb: KnowledgeBase) -> list[Issue]:
    issues: list[Issue] = []
    indicators = {i.key: i for i in kb.indicators}
    context = {c.key for c in kb.meta.context_keys}
    challenges = {c.slug for c in kb.challenges}
    signals = {s.slug for s in kb.signals}
    paths = {p.slug for p in kb.paths}
    documents = {d.slug: set(d.sections) for d in kb.meta.documents}

    issues += _duplicates("indicators", (i.key for i in kb.indicators))
    issues += _duplicates("benchmarks", (b.slug for b in kb.benchmarks))
    issues += _duplicates("signals", (s.slug for s in kb.signals))
    issues += _duplicates("challenges", (c.slug for c in kb.challenges))
    issues += _duplicates("paths", (p.slug for p in kb.paths))
    issues += _duplicates("examples", (e.slug for e in kb.examples))
    issues += _duplicates("reference_counties", (r.slug for r in kb.reference_counties))

    for ind in kb.indicators:
        for n, key in enumerate(ind.inputs):
            if key not in indicators:
                issues.append(
                    Issue("indicators", ind.key, f"inputs.{n}", f"unknown indicator {key!r}")
                )
        if ind.formula:
            try:
                formula = compile_formula(ind.formula)
            except FormulaError as exc:
                issues.append(Issue("indicators", ind.key, "formula", str(exc)))
                continue
            for name in sorted(formula.county_inputs - set(ind.inputs)):
                issues.append(Issue("indicators", ind.key, "formula", f"{name!r} is not in inputs"))
            for name in sorted(formula.benchmark_inputs - set(indicators) - context):
                issues.append(
                    Issue("indicators", ind.key, "formula", f"benchmark.{name} is not defined")
                )

    for bm in kb.benchmarks:
        for n, fig in enumerate(bm.values):
            if fig.indicator not in indicators and fig.indicator not in context:
                issues.append(
                    Issue(
                        "benchmarks", bm.slug, f"values.{n}.indicator", f"unknown {fig.indicator!r}"
                    )
                )
        issues += [
            Issue("benchmarks", bm.slug, "values", f"{i.item} given twice")
            for i in _duplicates("benchmarks", (f.indicator for f in bm.values))
        ]

    for sig in kb.signals:
        if sig.challenge not in challenges:
            issues.append(
                Issue("signals", sig.slug, "challenge", f"unknown challenge {sig.challenge!r}")
            )

    for ch in kb.challenges:
        for n, rule in enumerate(ch.rules):
            if rule.indicator not in indicators:
                issues.append(
                    Issue(
                        "challenges", ch.slug, f"rules.{n}.indicator", f"unknown {rule.indicator!r}"
                    )
                )
            _check_threshold_order(
                ch.slug,
                n,
                rule.bad_when,
                line_at(rule.watch, None),
                line_at(rule.flag, None),
                issues,
            )

    for path in kb.paths:
        for n, addr in enumerate(path.addresses):
            if addr.challenge not in challenges:
                issues.append(
                    Issue(
                        "paths",
                        path.slug,
                        f"addresses.{n}.challenge",
                        f"unknown {addr.challenge!r}",
                    )
                )
        issues += [
            Issue("paths", path.slug, "addresses", f"{i.item} addressed twice")
            for i in _duplicates("paths", (a.challenge for a in path.addresses))
        ]
        for n, cond in enumerate(path.fit):
            if cond.indicator is not None and cond.indicator not in indicators:
                issues.append(
                    Issue("paths", path.slug, f"fit.{n}.indicator", f"unknown {cond.indicator!r}")
                )
            if cond.signal is not None and cond.signal not in signals:
                issues.append(
                    Issue("paths", path.slug, f"fit.{n}.signal", f"unknown {cond.signal!r}")
                )
        for n, key in enumerate(path.outcome_indicators):
            if key not in indicators:
                issues.append(
                    Issue("paths", path.slug, f"outcome_indicators.{n}", f"unknown {key!r}")
                )

    issues += check_plan_fields(kb)

    for ex in kb.examples:
        for n, slug in enumerate(ex.paths):
            if slug not in paths:
                issues.append(Issue("examples", ex.slug, f"paths.{n}", f"unknown path {slug!r}"))

    for county in kb.reference_counties:
        for n, fig in enumerate(county.values):
            known = indicators.get(fig.indicator)
            if known is None:
                issues.append(
                    Issue(
                        "reference_counties",
                        county.slug,
                        f"values.{n}.indicator",
                        f"unknown {fig.indicator!r}",
                    )
                )
            elif known.derived:
                issues.append(
                    Issue(
                        "reference_counties",
                        county.slug,
                        f"values.{n}.indicator",
                        "derived; give its inputs",
                    )
                )

    for kind in (
        "indicators",
        "benchmarks",
        "signals",
        "challenges",
        "paths",
        "examples",
        "reference_counties",
    ):
        for item in getattr(kb, kind):
            ident = str(getattr(item, "slug", None) or getattr(item, "key", "?"))
            for field, src in _sources(item):
                if src.document is None:
                    continue
                sections = documents.get(src.document)
                if sections is None:
                    issues.append(Issue(kind, ident, field, f"unknown document {src.document!r}"))
                elif src.section not in sections:
                    issues.append(
                        Issue(kind, ident, field, f"section {src.section} is not in {src.document}")
                    )
    return issues


def _check_threshold_order(
    slug: str, n: int, bad_when: str, watch: Threshold, flag: Threshold, issues: list[Issue]
) -> None:
    if watch.basis != flag.basis:
        return
    a = watch.value if watch.value is not None else (watch.ratio or watch.percentile)
    b = flag.value if flag.value is not None else (flag.ratio or flag.percentile)
    if a is None or b is None:
        return
    wrong = b > a if bad_when == "below" else b < a
    if wrong:
        issues.append(
            Issue(
                "challenges",
                slug,
                f"rules.{n}.flag",
                f"flag lies on the good side of watch ({bad_when})",
            )
        )


def check_plan_fields(kb: KnowledgeBase) -> list[Issue]:
    """What a plan needs of every path: a known lead department, partners, funding channels,
    outcome indicators that each carry a pace, and prerequisites that are known and acyclic.
    Without them an action of a plan would have no owner, no money or no dated target."""
    departments = {d.slug for d in kb.meta.departments}
    channels = {c.slug for c in kb.meta.funding_channels}
    paced = {i.key for i in kb.indicators if i.pace is not None}
    indicators = {i.key for i in kb.indicators}
    paths = {p.slug for p in kb.paths}
    issues: list[Issue] = []
    for path in kb.paths:
        issues += _plan_owners(path, departments, channels)
        if not path.outcome_indicators:
            issues.append(Issue("paths", path.slug, "outcome_indicators", "name at least one"))
        for n, key in enumerate(path.outcome_indicators):
            if key in indicators and key not in paced:
                issues.append(
                    Issue(
                        "paths",
                        path.slug,
                        f"outcome_indicators.{n}",
                        f"indicator {key!r} has no pace (max_change_per_year) for plan targets",
                    )
                )
        for n, dep in enumerate(path.depends_on):
            if dep not in paths:
                issues.append(Issue("paths", path.slug, f"depends_on.{n}", f"unknown path {dep!r}"))
            elif dep == path.slug:
                issues.append(Issue("paths", path.slug, f"depends_on.{n}", "depends on itself"))
    issues += _dependency_cycles(kb.paths)
    return issues


def _plan_owners(path: Path, departments: set[str], channels: set[str]) -> list[Issue]:
    issues: list[Issue] = []
    if path.lead is None:
        issues.append(Issue("paths", path.slug, "lead", "name the lead department"))
    elif path.lead not in departments:
        issues.append(Issue("paths", path.slug, "lead", f"unknown department {path.lead!r}"))
    if not path.partners:
        issues.append(Issue("paths", path.slug, "partners", "name at least one partner"))
    for n, slug in enumerate(path.partners):
        if slug not in departments:
            issues.append(
                Issue("paths", path.slug, f"partners.{n}", f"unknown department {slug!r}")
            )
        elif slug == path.lead:
            issues.append(Issue("paths", path.slug, f"partners.{n}", "the lead is not a partner"))
    if not path.funding:
        issues.append(Issue("paths", path.slug, "funding", "name at least one funding channel"))
    for n, slug in enumerate(path.funding):
        if slug not in channels:
            issues.append(
                Issue("paths", path.slug, f"funding.{n}", f"unknown funding channel {slug!r}")
            )
    for field, values in (("partners", path.partners), ("funding", path.funding)):
        issues += [
            Issue("paths", path.slug, field, f"{i.item} given twice")
            for i in _duplicates("paths", values)
        ]
    return issues


def _dependency_cycles(paths: Iterable[Path]) -> list[Issue]:
    """One issue per path that reaches itself through ``depends_on`` (depth-first, in slug order,
    so the same knowledge base always reports the same paths)."""
    graph = {p.slug: [d for d in p.depends_on if d != p.slug] for p in paths}
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cyclic: set[str] = set()

    def visit(slug: str, trail: list[str]) -> None:
        state[slug] = 1
        trail.append(slug)
        for dep in graph.get(slug, []):
            if state.get(dep) == 1:
                cyclic.update(trail[trail.index(dep) :])
            elif dep in graph and dep not in state:
                visit(dep, trail)
        trail.pop()
        state[slug] = 2

    for slug in sorted(graph):
        if slug not in state:
            visit(slug, [])
    return [
        Issue("paths", slug, "depends_on", "dependencies form a cycle") for slug in sorted(cyclic)
    ]
