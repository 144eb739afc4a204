"""Cross-reference checks over a whole knowledge base, shared by seeding, curation and import.

Each problem names the kind (seed file), the item and the field, so an analyst can find it.
Besides references, the checks hold the knowledge base to the engine's promises:

- a rule's watch and flag lines share a basis and stay apart, for every benchmark and every year
  (two lines that can meet make a county jump from ok to flag);
- one fact, one verdict: indicators that state the same fact (``same_fact_as``) are never counted
  twice in a challenge, and an indicator used by two challenges is judged the same way in both;
- a strength line lies on the good side of every rule's watch line for that indicator.

And to what a reviewer auditing the figures expects (seeds/README.md, "Provenance rules"):

- tags mean what they say: ``V`` only on the publisher's own page (never a mirror, see
  app.domain.sources), ``P`` only for what the paper prints, a paper source tagged ``P``;
- every example has a year, and each of its figures a source, a year and a tag;
- one year per set: a benchmark value of another year than its set's, or a reference-county
  value older than the county's latest, names its year in a note that says why;
- figures of one set agree with each other (per-head GDP with GDP and population);
- every publisher has a Chinese name, and the printed form of a source names no mirror;
- every web address is well formed;
- with the paper's text at hand (``check_paper``), a number cited to the paper is printed in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import BaseModel

from app.domain.formula import FormulaError, compile_formula
from app.domain.item_kinds import ITEM_KINDS
from app.domain.knowledge import (
    COUNTY_KINDS,
    DatedThreshold,
    Figure,
    KnowledgeBase,
    Line,
    Path,
    Requirement,
    Rule,
    Source,
    Text,
    Threshold,
)
from app.domain.language import default, language, required
from app.domain.sources import (
    figure_source,
    figure_tag,
    figure_year,
    is_mirror,
    mirror_host,
    mirror_word,
    names_mirror,
    printed_publisher,
)

if TYPE_CHECKING:
    from app.domain.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: item {self.item!r}: field {self.field}: {self.message}"


def sources_of(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Source]]:
    """Walk a model and yield every Source it holds with its dotted field path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Source):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from sources_of(value, path + ".")
        elif isinstance(value, dict):
            for key, entry in value.items():
                if isinstance(entry, BaseModel):
                    yield from sources_of(entry, f"{path}.{key}.")
        elif isinstance(value, list | tuple):
            for i, entry in enumerate(value):
                if isinstance(entry, Source):
                    yield f"{path}.{i}", entry
                elif isinstance(entry, BaseModel):
                    yield from sources_of(entry, f"{path}.{i}.")


def _duplicates(kind: str, ids: Iterable[str]) -> list[Issue]:
    seen: set[str] = set()
    out: list[Issue] = []
    for ident in ids:
        if ident in seen:
            out.append(Issue(kind, ident, "slug", "appears twice"))
        seen.add(ident)
    return out


def _check_unique(kb: KnowledgeBase) -> list[Issue]:
    issues: list[Issue] = []
    for kind in ITEM_KINDS:
        issues += _duplicates(kind.attr, (kind.ident_of(i) for i in getattr(kb, kind.attr)))
    meta = kb.meta
    issues += _duplicates("meta", (f"provinces:{p.code}" for p in meta.provinces))
    issues += _duplicates("meta", (f"provinces:{p.slug}" for p in meta.provinces))
    issues += _duplicates("meta", (f"county_kinds:{k.slug}" for k in meta.county_kinds))
    issues += _duplicates("meta", (f"departments:{d.slug}" for d in meta.departments))
    issues += _duplicates("meta", (f"funding_channels:{f.slug}" for f in meta.funding_channels))
    return issues


def _check_meta(kb: KnowledgeBase) -> list[Issue]:
    known = {i.key for i in kb.indicators}
    issues: list[Issue] = []
    defined = {k.slug for k in kb.meta.county_kinds}
    for slug in COUNTY_KINDS:
        if kb.meta.county_kinds and slug not in defined:
            issues.append(Issue("meta", "county_kinds", slug, "kind is not defined"))
    for kind in kb.meta.county_kinds:
        for n, cond in enumerate(kind.infer):
            if cond.indicator not in known:
                msg = f"unknown indicator {cond.indicator!r}"
                issues.append(Issue("meta", f"county_kinds:{kind.slug}", f"infer.{n}", msg))
    for identity in kb.meta.identities:
        for key in identity.terms:
            if key not in known:
                msg = f"unknown indicator {key!r}"
                issues.append(Issue("meta", f"identities:{identity.slug}", "terms", msg))
    return issues + _check_industry_words(kb)


def _check_industry_words(kb: KnowledgeBase) -> list[Issue]:
    """A name declares one industry only (else 稻米 could be read as two sectors)."""
    seen: dict[str, str] = {}
    issues: list[Issue] = []
    for ind in kb.meta.industries:
        for word in {
            w.strip().lower() for w in (ind.slug, *ind.label.texts().values(), *ind.words)
        }:
            other = seen.setdefault(word, ind.slug)
            if other != ind.slug:
                msg = f"{word!r} also names {other!r}"
                issues.append(Issue("meta", f"industries:{ind.slug}", "words", msg))
    return issues


def _check_indicators(kb: KnowledgeBase) -> list[Issue]:
    indicators = {i.key: i for i in kb.indicators}
    context = {c.key for c in kb.meta.context_keys}
    issues: list[Issue] = []
    for ind in kb.indicators:
        for n, key in enumerate(ind.inputs):
            if key not in indicators:
                issues.append(
                    Issue("indicators", ind.key, f"inputs.{n}", f"unknown indicator {key!r}")
                )
        if ind.same_fact_as is not None and ind.same_fact_as not in indicators:
            issues.append(
                Issue("indicators", ind.key, "same_fact_as", f"unknown {ind.same_fact_as!r}")
            )
        if (
            ind.strong is not None
            and ind.strong.line.ratio is not None
            and ind.strong.line.fallback is None
        ):
            issues.append(
                Issue("indicators", ind.key, "strong.line", "a ratio line needs a fallback")
            )
        if not ind.formula:
            continue
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
    return issues


def _check_benchmarks(kb: KnowledgeBase) -> list[Issue]:
    known = {i.key for i in kb.indicators} | {c.key for c in kb.meta.context_keys}
    regions = {p.name.get(default()).lower() for p in kb.meta.provinces}
    issues: list[Issue] = []
    for bm in kb.benchmarks:
        for n, fig in enumerate(bm.values):
            if fig.indicator not in known:
                msg = f"unknown {fig.indicator!r}"
                issues.append(Issue("benchmarks", bm.slug, f"values.{n}.indicator", msg))
        issues += [
            Issue("benchmarks", bm.slug, "values", f"{i.item} given twice")
            for i in _duplicates("benchmarks", (f.indicator for f in bm.values))
        ]
        if bm.kind == "provincial" and regions and bm.region.lower() not in regions:
            issues.append(
                Issue("benchmarks", bm.slug, "region", f"{bm.region!r} is not a province")
            )
    return issues


def _pairs(rule: Rule) -> Iterator[tuple[str, Threshold, Threshold]]:
    """Every (watch, flag) pair a rule can put in force, with where it comes from."""
    dates = sorted(
        {
            d
            for line in (rule.watch, rule.flag)
            if isinstance(line, DatedThreshold)
            for d in line.dates
        }
    )
    if not dates:
        yield "", _line_at(rule.watch, None), _line_at(rule.flag, None)
        return
    for d in dates:
        yield f" from {d}", _line_at(rule.watch, d.year), _line_at(rule.flag, d.year)


def _line_at(line: Line, year: int | None) -> Threshold:
    return line.at(year) if isinstance(line, DatedThreshold) else line


def _worse(bad_when: str, a: float, b: float) -> bool:
    """``b`` lies strictly past ``a`` on the bad side."""
    return b < a if bad_when == "below" else b > a


def _number(th: Threshold) -> float:
    number = (
        th.value if th.value is not None else th.ratio if th.ratio is not None else th.percentile
    )
    assert number is not None  # a Threshold holds exactly one of the three
    return number


def _check_lines(slug: str, n: int, rule: Rule) -> list[Issue]:
    """Watch and flag share a basis and lie apart, the flag on the bad side; so do fallbacks,
    when a relative line has them (without, the rule judges only where a benchmark has the
    figure: no county is judged on a line meant for another place)."""
    issues: list[Issue] = []
    for when, watch, flag in _pairs(rule):
        if watch.basis != flag.basis:
            msg = f"watch and flag must share a basis{when} ({watch.basis} vs {flag.basis})"
            issues.append(Issue("challenges", slug, f"rules.{n}", msg))
            continue
        if not _worse(rule.bad_when, _number(watch), _number(flag)):
            msg = f"flag must lie past watch on the bad side ({rule.bad_when}){when}"
            issues.append(Issue("challenges", slug, f"rules.{n}.flag", msg))
        if watch.value is not None:
            continue
        fw, ff = watch.fallback, flag.fallback
        if fw is None and ff is None:
            continue  # no fixed line: where no benchmark has the figure, the rule does not judge
        if fw is None or ff is None or not _worse(rule.bad_when, fw, ff):
            msg = f"a relative line's fallbacks come for both lines, apart like the lines{when}"
            issues.append(Issue("challenges", slug, f"rules.{n}.fallback", msg))
    return issues


def _fact(kb: KnowledgeBase, key: str) -> str:
    """The fact an indicator states: itself, or what it is declared the same fact as."""
    ind = next((i for i in kb.indicators if i.key == key), None)
    return ind.same_fact_as if ind is not None and ind.same_fact_as else key


def _check_challenges(kb: KnowledgeBase) -> list[Issue]:
    known = {i.key for i in kb.indicators}
    issues: list[Issue] = []
    for ch in kb.challenges:
        facts: dict[str, str] = {}
        for n, rule in enumerate(ch.rules):
            if rule.indicator not in known:
                msg = f"unknown {rule.indicator!r}"
                issues.append(Issue("challenges", ch.slug, f"rules.{n}.indicator", msg))
                continue
            issues += _check_lines(ch.slug, n, rule)
            fact = _fact(kb, rule.indicator)
            if fact in facts:
                msg = f"{rule.indicator!r} states the same fact as {facts[fact]!r}: count it once"
                issues.append(Issue("challenges", ch.slug, f"rules.{n}.indicator", msg))
            facts[fact] = rule.indicator
    return issues + _check_one_verdict(kb)


def _check_one_verdict(kb: KnowledgeBase) -> list[Issue]:
    """An indicator judged by two challenges in the same direction uses the same lines there."""
    seen: dict[tuple[str, str], tuple[str, Rule]] = {}
    issues: list[Issue] = []
    for ch in kb.challenges:
        for n, rule in enumerate(ch.rules):
            key = (_fact(kb, rule.indicator), rule.bad_when)
            first = seen.setdefault(key, (ch.slug, rule))
            if first[0] == ch.slug:
                continue
            other = first[1]
            if (rule.watch, rule.flag, rule.max_band) != (other.watch, other.flag, other.max_band):
                msg = f"judged differently in {first[0]!r}; one fact needs one verdict"
                issues.append(Issue("challenges", ch.slug, f"rules.{n}", msg))
    return issues


def _check_signals(kb: KnowledgeBase) -> list[Issue]:
    challenges = {c.slug for c in kb.challenges}
    return [
        Issue("signals", sig.slug, "challenge", f"unknown challenge {sig.challenge!r}")
        for sig in kb.signals
        if sig.challenge not in challenges
    ]


def _check_path(kb: KnowledgeBase, path: Path) -> list[Issue]:
    indicators = {i.key: i for i in kb.indicators}
    challenges = {c.slug for c in kb.challenges}
    signals = {s.slug for s in kb.signals}
    issues: list[Issue] = []

    def bad(field: str, message: str) -> None:
        issues.append(Issue("paths", path.slug, field, message))

    for n, addr in enumerate(path.addresses):
        if addr.challenge not in challenges:
            bad(f"addresses.{n}.challenge", f"unknown {addr.challenge!r}")
    for dup in _duplicates("paths", (a.challenge for a in path.addresses)):
        bad("addresses", f"{dup.item} addressed twice")
    for n, cond in enumerate(path.fit):
        if cond.indicator is not None and cond.indicator not in indicators:
            bad(f"fit.{n}.indicator", f"unknown {cond.indicator!r}")
        if cond.signal is not None and cond.signal not in signals:
            bad(f"fit.{n}.signal", f"unknown {cond.signal!r}")
    for n, key in enumerate(path.outcome_indicators):
        if key not in indicators:
            bad(f"outcome_indicators.{n}", f"unknown {key!r}")
    for n, use in enumerate(path.builds_on):
        target = indicators.get(use.indicator)
        if target is None or target.strong is None:
            bad(f"builds_on.{n}.indicator", f"{use.indicator!r} has no strength line to build on")
    for n, action in enumerate(path.actions):
        if BORROWING.search(action.text.get(default())) and not any(
            r.constraint == "debt" for r in action.requires
        ):
            bad(f"actions.{n}", "borrows (bonds or government loans) but is shown where debt binds")
    return issues


BORROWING = re.compile(r"\b(special|local government|government) bonds?\b", re.IGNORECASE)
"""Words of an action that finances with government debt: such an action needs a requirement on
the debt constraint (``debt_financed``) so a county whose debt binds is never shown it."""


def _check_paths(kb: KnowledgeBase) -> list[Issue]:
    return [issue for path in kb.paths for issue in _check_path(kb, path)] + _check_path_fit(kb)


def _check_path_fit(kb: KnowledgeBase) -> list[Issue]:
    """Every path says whom it fits: conditions (``requires`` or ``fit``), the kinds it suits,
    and at least one cited example of a county that did it."""
    illustrated = {slug for ex in kb.examples for slug in ex.paths}
    issues: list[Issue] = []
    for path in kb.paths:
        if not (path.requires or path.fit):
            issues.append(Issue("paths", path.slug, "fit", "a path states its conditions"))
        if not path.kinds.suits:
            issues.append(
                Issue("paths", path.slug, "kinds.suits", "a path names the kinds it suits")
            )
        if path.slug not in illustrated:
            issues.append(Issue("paths", path.slug, "examples", "a path has a cited example"))
    return issues


def _check_examples(kb: KnowledgeBase) -> list[Issue]:
    paths = {p.slug for p in kb.paths}
    return [
        Issue("examples", ex.slug, f"paths.{n}", f"unknown path {slug!r}")
        for ex in kb.examples
        for n, slug in enumerate(ex.paths)
        if slug not in paths
    ]


def _check_counties(kb: KnowledgeBase) -> list[Issue]:
    indicators = {i.key: i for i in kb.indicators}
    issues: list[Issue] = []
    for county in kb.reference_counties:
        for n, fig in enumerate(county.values):
            known = indicators.get(fig.indicator)
            where = f"values.{n}.indicator"
            if known is None:
                issues.append(
                    Issue("reference_counties", county.slug, where, f"unknown {fig.indicator!r}")
                )
            elif known.derived:
                issues.append(
                    Issue("reference_counties", county.slug, where, "derived; give its inputs")
                )
        issues += [
            Issue("reference_counties", county.slug, "values", f"{i.item} given twice")
            for i in _duplicates("reference_counties", (f.indicator for f in county.values))
        ]
    return issues


def _check_citations(kb: KnowledgeBase) -> list[Issue]:
    documents = {d.slug: set(d.sections) for d in kb.meta.documents}
    issues: list[Issue] = []
    for kind in ITEM_KINDS:
        for item in getattr(kb, kind.attr):
            for field, src in sources_of(item):
                if src.document is None:
                    continue
                sections = documents.get(src.document)
                if sections is None:
                    issues.append(
                        Issue(
                            kind.attr,
                            kind.ident_of(item),
                            field,
                            f"unknown document {src.document!r}",
                        )
                    )
                elif src.section not in sections:
                    msg = f"section {src.section} is not in {src.document}"
                    issues.append(Issue(kind.attr, kind.ident_of(item), field, msg))
    return issues


def _check_resolution(kb: KnowledgeBase, snap: Snapshot) -> list[Issue]:
    """Resolve every rule for every stored benchmark and era: lines that meet are refused, and a
    strength line must sit on the good side of the watch line."""
    from app.domain.thresholds import resolve

    min_sample = kb.meta.tuning.min_percentile_sample.value
    issues: list[Issue] = []
    for slug, view in snap.benchmarks.items():
        sample_of = snap.county_values[slug]
        for era in range(len(snap.era_bounds) + 1):
            year = snap.era_year(era)
            for ch in kb.challenges:
                for n, rule in enumerate(ch.rules):
                    sample = [v[rule.indicator] for v in sample_of.values() if rule.indicator in v]
                    bench = view.values.get(rule.indicator)
                    w, _ = resolve(_line_at(rule.watch, year), bench, sample, min_sample)
                    f, _ = resolve(_line_at(rule.flag, year), bench, sample, min_sample)
                    if w is not None and f is not None and not _worse(rule.bad_when, w, f):
                        msg = f"watch {w:g} and flag {f:g} meet against benchmark {slug!r}"
                        issues.append(Issue("challenges", ch.slug, f"rules.{n}", msg))
                    strong = snap.rulebooks[(slug, era)].strong.get(rule.indicator)
                    if (
                        w is not None
                        and strong is not None
                        and not _worse(rule.bad_when, strong.line, w)
                    ):
                        msg = f"strength line {strong.line:g} is not on the good side of watch {w:g} against {slug!r}"
                        issues.append(Issue("indicators", rule.indicator, "strong", msg))
    return issues


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


def _named_list(
    path: Path, field: str, slugs: list[str], known: set[str], what: str, one: str
) -> list[Issue]:
    """A list of department or channel slugs: not empty, each one known, none twice."""
    if not slugs:
        return [Issue("paths", path.slug, field, f"name at least one {one}")]
    issues = [
        Issue("paths", path.slug, f"{field}.{n}", f"unknown {what} {slug!r}")
        for n, slug in enumerate(slugs)
        if slug not in known
    ]
    return issues + [
        Issue("paths", path.slug, field, f"{i.item} given twice")
        for i in _duplicates("paths", slugs)
    ]


def _plan_owners(path: Path, departments: set[str], channels: set[str]) -> list[Issue]:
    issues: list[Issue] = []
    if path.lead is None:
        issues.append(Issue("paths", path.slug, "lead", "name the lead department"))
    elif path.lead not in departments:
        issues.append(Issue("paths", path.slug, "lead", f"unknown department {path.lead!r}"))
    issues += _named_list(path, "partners", path.partners, departments, "department", "partner")
    issues += [
        Issue("paths", path.slug, f"partners.{n}", "the lead is not a partner")
        for n, slug in enumerate(path.partners)
        if slug == path.lead and slug in departments
    ]
    issues += _named_list(
        path, "funding", path.funding, channels, "funding channel", "funding channel"
    )
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


def _requirement_lists(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, list[Requirement]]]:
    """Every list of requirements in the knowledge base, with the item and field it sits in."""
    for ch in kb.challenges:
        for n, rule in enumerate(ch.rules):
            yield "challenges", ch.slug, f"rules.{n}.requires", rule.requires
    for path in kb.paths:
        yield "paths", path.slug, "requires", path.requires
        for n, action in enumerate(path.actions):
            yield "paths", path.slug, f"actions.{n}.requires", action.requires
        for n, use in enumerate(path.builds_on):
            yield "paths", path.slug, f"builds_on.{n}.requires", use.requires
        for n, output in enumerate(path.output_kpis):
            yield "paths", path.slug, f"output_kpis.{n}.requires", output.requires
    for ex in kb.examples:
        yield "examples", ex.slug, "requires", ex.requires
    for fc in kb.meta.funding_channels:
        yield "meta", f"funding_channels:{fc.slug}", "requires", fc.requires


def _check_requirements(kb: KnowledgeBase) -> list[Issue]:
    """A requirement names only provinces, indicators and signals the knowledge base knows
    (kinds, zones, resources and forms are closed vocabularies the schema checks)."""
    provinces = {p.slug for p in kb.meta.provinces}
    indicators = {i.key for i in kb.indicators}
    signals = {s.slug for s in kb.signals}
    issues: list[Issue] = []
    for kind, item, field, reqs in _requirement_lists(kb):
        for n, req in enumerate(reqs):
            where = f"{field}.{n}"
            named = [*(req.provinces or ()), *(req.not_provinces or ())]
            issues += [
                Issue(kind, item, where, f"unknown province {p!r}")
                for p in named
                if p not in provinces
            ]
            if req.indicator is not None and req.indicator not in indicators:
                issues.append(Issue(kind, item, where, f"unknown indicator {req.indicator!r}"))
            if req.signal is not None and req.signal not in signals:
                issues.append(Issue(kind, item, where, f"unknown signal {req.signal!r}"))
    return issues


def _check_constraints(kb: KnowledgeBase) -> list[Issue]:
    """A constraint's lines read indicators the knowledge base knows, each code defined once."""
    indicators = {i.key for i in kb.indicators}
    issues = _duplicates("meta", (f"constraints:{c.code}" for c in kb.meta.constraints))
    for c in kb.meta.constraints:
        issues += [
            Issue(
                "meta",
                f"constraints:{c.code}",
                f"lines.{n}.indicator",
                f"unknown {line.indicator!r}",
            )
            for n, line in enumerate(c.lines)
            if line.indicator not in indicators
        ]
    return issues


def _check_example_counties(kb: KnowledgeBase) -> list[Issue]:
    """Every example names its county in both languages (a reference county's name, or its
    own ``county_name``), so it is labelled with its own county wherever it is shown."""
    named = {c.slug for c in kb.reference_counties}
    return [
        Issue("examples", ex.slug, "county_name", f"county {ex.county!r} has no name: give one")
        for ex in kb.examples
        if ex.county not in named and ex.county_name is None
    ]


def _all_sources(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, Source]]:
    """Every source of the knowledge base as (kind, item, field, source), meta included."""
    for field, src in sources_of(kb.meta):
        yield "meta", field.split(".", 1)[0], field, src
    for kind in ITEM_KINDS:
        for item in getattr(kb, kind.attr):
            for field, src in sources_of(item):
                yield kind.attr, kind.ident_of(item), field, src


def _figures(kb: KnowledgeBase) -> Iterator[tuple[str, str, int, Figure]]:
    """Every benchmark and reference-county figure as (kind, item, index, figure)."""
    for bm in kb.benchmarks:
        for n, fig in enumerate(bm.values):
            yield "benchmarks", bm.slug, n, fig
    for county in kb.reference_counties:
        for n, fig in enumerate(county.values):
            yield "reference_counties", county.slug, n, fig


def _mirror_reason(src: Source) -> str:
    host = mirror_host(src.url)
    if host is not None:
        return f"its address is on {host}, a known mirror"
    word = mirror_word(src.publisher, src.publisher_zh) or mirror_word(
        src.publisher, src.publisher_zh, secondary=True
    )
    return f"its publisher says {word!r}"


def _on_mirror(tag: str | None, src: Source) -> str | None:
    """What is wrong with ``tag`` (a source's own, or a figure's citing ``src``) when it says
    V for a page that is not the publisher's own; None when it does not."""
    if tag == "V" and is_mirror(src.url, src.publisher, src.publisher_zh):
        return f"tag V, but the page is not the publisher's own ({_mirror_reason(src)}): S"
    return None


def _check_tags(kb: KnowledgeBase) -> list[Issue]:
    """``V`` only on the publisher's own page; ``P`` only for the paper, and the paper as ``P``."""
    issues: list[Issue] = []
    for kind, item, field, src in _all_sources(kb):
        if mirrored := _on_mirror(src.tag, src):
            issues.append(Issue(kind, item, f"{field}.tag", mirrored))
        elif src.tag == "V" and src.url is None:
            msg = "tag V names the publisher's page: give its url (or tag the source S)"
            issues.append(Issue(kind, item, f"{field}.tag", msg))
        if src.tag == "P" and src.document is None:
            msg = "tag P is for what the paper prints; this source is not the paper"
            issues.append(Issue(kind, item, f"{field}.tag", msg))
        if src.document is not None and src.tag not in (None, "P", "D"):
            msg = f"a source citing the paper is tagged P, not {src.tag}"
            issues.append(Issue(kind, item, f"{field}.tag", msg))
    for kind, item, n, fig in _figures(kb):
        src = fig.source
        if mirrored := _on_mirror(fig.tag, src):
            issues.append(Issue(kind, item, f"values.{n}.tag", mirrored))
        if fig.tag == "P" and src.document is None:
            msg = "tag P is for what the paper prints; this figure's source is not the paper"
            issues.append(Issue(kind, item, f"values.{n}.tag", msg))
        if src.document is not None and fig.tag not in ("P", "D"):
            msg = f"a figure cited to the paper is tagged P (or D when derived), not {fig.tag}"
            issues.append(Issue(kind, item, f"values.{n}.tag", msg))
    return issues


def _check_example_figures(kb: KnowledgeBase) -> list[Issue]:
    """Every example has a year; every figure a source, a year and a tag (the example's are its
    defaults), and a figure printed in the paper is tagged P."""
    issues: list[Issue] = []
    for ex in kb.examples:
        if ex.year is None:
            issues.append(Issue("examples", ex.slug, "year", "every example states its year"))
        for n, fig in enumerate(ex.figures):
            src, tag = figure_source(ex, fig), figure_tag(ex, fig)
            where = f"figures.{n}"
            if figure_year(ex, fig) is None:
                issues.append(
                    Issue("examples", ex.slug, f"{where}.year", "no year, own or example's")
                )
            if tag is None:
                msg = "no tag: give the figure's, or its source's"
                issues.append(Issue("examples", ex.slug, f"{where}.tag", msg))
            elif src.document is not None and tag not in ("P", "D"):
                msg = f"a figure printed in the paper is tagged P, not {tag}"
                issues.append(Issue("examples", ex.slug, f"{where}.tag", msg))
            elif tag == "P" and src.document is None:
                msg = "tag P is for what the paper prints; this figure's source is not the paper"
                issues.append(Issue("examples", ex.slug, f"{where}.tag", msg))
            elif tag == "V" and is_mirror(src.url, src.publisher, src.publisher_zh):
                msg = f"tag V, but the page is not the publisher's own ({_mirror_reason(src)}): S"
                issues.append(Issue("examples", ex.slug, f"{where}.tag", msg))
    return issues


def _names_year(note: Text | None, year: int) -> bool:
    return note is not None and all(str(year) in text for text in note.texts().values())


def _check_set_years(kb: KnowledgeBase) -> list[Issue]:
    """One year per set: a benchmark value of another year than its set's, and a reference-county
    value older than the county's latest (recalled figures aside), say so in a note that names
    their year."""
    issues: list[Issue] = []
    for bm in kb.benchmarks:
        for n, fig in enumerate(bm.values):
            if fig.year != bm.year and not _names_year(fig.note, fig.year):
                msg = (
                    f"a {fig.year} value in the {bm.year} set: its note (en and zh) names "
                    f"{fig.year} and says why the {bm.year} value is not used"
                )
                issues.append(Issue("benchmarks", bm.slug, f"values.{n}.note", msg))
    for county in kb.reference_counties:
        # A recalled figure (a map distance) dates its recollection, not a statistic.
        dated = [f.year for f in county.values if f.tag != "R"] or [f.year for f in county.values]
        latest = max(dated)
        for n, fig in enumerate(county.values):
            if fig.year < latest and not _names_year(fig.note, fig.year):
                msg = (
                    f"a {fig.year} value beside {latest} ones: its note (en and zh) names "
                    f"{fig.year}, so a reader sees which figure is older"
                )
                issues.append(Issue("reference_counties", county.slug, f"values.{n}.note", msg))
    return issues


def _check_figure_consistency(kb: KnowledgeBase) -> list[Issue]:
    """A set's figures agree with one another: a value that its own inputs in the set compute
    (per-head GDP from GDP and population) lies within the indicator's consistency tolerance.
    Figures of different years are the usual cause."""
    checked = [
        (i.key, i.consistency_tolerance, compile_formula(i.formula))
        for i in kb.indicators
        if i.formula and i.consistency_tolerance is not None
    ]
    sets = [("benchmarks", b.slug, b.values) for b in kb.benchmarks]
    sets += [("reference_counties", c.slug, c.values) for c in kb.reference_counties]
    issues: list[Issue] = []
    for kind, item, values in sets:
        given = {f.indicator: f.value for f in values}
        for key, tolerance, formula in checked:
            if (
                key not in given
                or formula.benchmark_inputs
                or not formula.county_inputs <= given.keys()
            ):
                continue
            expected = formula.evaluate(given, {})
            if expected and abs(given[key] - expected) / abs(expected) > tolerance:
                years = sorted(
                    {f.year for f in values if f.indicator in formula.county_inputs | {key}}
                )
                msg = (
                    f"{given[key]:g} disagrees with {expected:.6g} computed from "
                    f"{', '.join(sorted(formula.county_inputs))} (years {years}): bring them to one year"
                )
                n = next(i for i, f in enumerate(values) if f.indicator == key)
                issues.append(Issue(kind, item, f"values.{n}.value", msg))
    return issues


def _publisher_names(src: Source) -> list[tuple[str, str | None]]:
    """``publisher`` (the default language's) and ``publisher_<code>`` of every language a
    knowledge-base text is always given in (the Chinese name)."""
    others = [f"publisher_{code}" for code in required() if code != default()]
    return [("publisher", src.publisher)] + [(name, getattr(src, name, None)) for name in others]


def _check_publishers(kb: KnowledgeBase) -> list[Issue]:
    """Every publisher has a name in each language texts are always given in (a Chinese name),
    and no name cites a mirror outside the trailing remark a printed document leaves out."""
    issues: list[Issue] = []
    first = language(default()).name
    # Most publishers are cited many times over: each text is read for a mirror once.
    mirror_in = cache(lambda text: (printed_publisher(text), names_mirror(printed_publisher(text))))
    for kind, item, field, src in _all_sources(kb):
        for name, text in _publisher_names(src)[1:]:
            lang = language(name.removeprefix("publisher_"))
            if src.publisher is not None and not text:
                msg = f"give {name}, the publisher's name in {lang.name}"
                issues.append(Issue(kind, item, f"{field}.{name}", msg))
            if text is not None and lang.script is not None and not lang.script.search(text):
                issues.append(Issue(kind, item, f"{field}.{name}", f"holds no {lang.name}"))
            if text is not None and src.publisher is None:
                issues.append(Issue(kind, item, f"{field}.publisher", f"give the {first} name too"))
        for name, text in _publisher_names(src):
            if text is None:
                continue
            printed, named = mirror_in(text)
            if named is not None:
                msg = (
                    f"printed as {printed!r}, which still names a mirror ({named!r}): say how "
                    "the page was read in a parenthesis that names the mirror"
                )
                issues.append(Issue(kind, item, f"{field}.{name}", msg))
    return issues


_BAD_URL_CHARS = re.compile(r"[\s{}<>\"\\^`|]")


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a well-formed web address, or None.

    >>> url_problem("https://freewechat.com/a/x/{{href}}")
    "holds '{'"
    >>> url_problem("https://stats.gov.cn/sj/zxfb/202402/t20240228_1947915.html") is None
    True
    """
    bad = _BAD_URL_CHARS.search(url)
    if bad is not None:
        return f"holds {bad.group(0)!r}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "is not an http(s) address"
    host = parts.hostname or ""
    if "." not in host:
        return f"has no proper host ({host!r})"
    return None


def _check_urls(kb: KnowledgeBase) -> list[Issue]:
    issues: list[Issue] = []
    for kind, item, field, src in _all_sources(kb):
        problem = url_problem(src.url) if src.url else None
        if problem is not None:
            issues.append(Issue(kind, item, f"{field}.url", f"{src.url!r} {problem}"))
    return issues


CHECKS = (
    _check_unique,
    _check_requirements,
    _check_constraints,
    _check_example_counties,
    _check_meta,
    _check_indicators,
    _check_benchmarks,
    _check_signals,
    _check_challenges,
    _check_paths,
    _check_examples,
    _check_counties,
    _check_citations,
    check_plan_fields,
    _check_tags,
    _check_example_figures,
    _check_set_years,
    _check_figure_consistency,
    _check_publishers,
    _check_urls,
)


@dataclass(frozen=True, slots=True)
class Checked:
    """What checking a knowledge base found, and the snapshot it compiled on the way (version 0),
    so that a curation write, which needs that snapshot to run the expert cases, compiles once."""

    issues: list[Issue]
    snapshot: Snapshot | None  # None when a problem stopped the check before it compiled


def check(kb: KnowledgeBase) -> Checked:
    """Every problem of the knowledge base; it is compiled, and its lines resolved against every
    benchmark, once the rest is sound."""
    from app.domain.snapshot import compile_snapshot

    issues = [issue for check in CHECKS for issue in check(kb)]
    if issues:
        return Checked(issues, None)
    try:
        snap = compile_snapshot(kb, 0, "")
    except ValueError as exc:  # e.g. a cycle between formulas
        return Checked([Issue("indicators", "formula", "formula", str(exc))], None)
    return Checked(_check_resolution(kb, snap), snap)


def check_references(kb: KnowledgeBase) -> list[Issue]:
    """Every problem of the knowledge base (``check`` without the compiled snapshot)."""
    return check(kb).issues


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def printed_forms(value: float, hundred_million: bool = False) -> set[str]:
    """The ways a text in English can print ``value``: as is, with thousands separators, as a
    word when small, and, for a figure in 亿 (100 million), in billions or millions.

    >>> sorted(printed_forms(344.7, hundred_million=True))
    ['34,470 million', '34.47', '344.7', '34470 million']
    >>> sorted(printed_forms(122500))
    ['122,500', '122500']
    >>> sorted(printed_forms(7))
    ['7', 'seven']
    """

    def plain(v: float) -> set[str]:
        v = round(v, 8)
        if v == int(v):
            return {str(int(v)), f"{int(v):,}"}
        text = f"{v:.10g}"
        head, _, tail = text.partition(".")
        return {text, f"{int(head):,}.{tail}" if tail else f"{int(head):,}"}

    out = plain(value)
    if value == int(value) and int(value) in _WORDS:
        out.add(_WORDS[int(value)])
    if hundred_million:
        out |= plain(value / 10)
        out |= {f"{s} million" for s in plain(value * 100)}
    return out


def printed_in(text: str, value: float, hundred_million: bool = False) -> bool:
    """``value`` appears in ``text`` in one of its printed forms, not as part of a longer number.

    >>> printed_in("only 0.6% of the province", 0.6), printed_in("up 10.65%", 0.65)
    (True, False)
    """
    for form in printed_forms(value, hundred_million):
        if re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text):
            return True
    return False


def _in_hundred_millions(unit: str) -> bool:
    """A unit in 亿 (100 million): an indicator unit key (cny_100m) or an example's English unit."""
    return "100m" in unit or "100 million" in unit


def check_paper(kb: KnowledgeBase, document: str, text: str) -> list[Issue]:
    """Numbers cited to ``document`` that its ``text`` does not print: figures whose source is
    the document (their value, or the value as printed), example figures whose source is it,
    and the absolute lines and fallbacks of rules anchored to it (a ratio is our construction).
    Lines of our own are ``heuristic`` and cite no document."""
    units = {i.key: i.unit for i in kb.indicators}
    issues: list[Issue] = []

    def missing(values: Iterable[float | None], unit: str) -> bool:
        found = [v for v in values if v is not None]
        return bool(found) and not any(
            printed_in(text, v, _in_hundred_millions(unit)) for v in found
        )

    for kind, item, n, fig in _figures(kb):
        if fig.source.document == document and fig.tag == "P":
            if missing((fig.value, fig.printed), units.get(fig.indicator, "")):
                msg = f"{fig.value:g} is cited to {document} §{fig.source.section}, which does not print it"
                issues.append(Issue(kind, item, f"values.{n}.value", msg))
    for ex in kb.examples:
        for n, efig in enumerate(ex.figures):
            src = figure_source(ex, efig)
            if src.document == document and missing((efig.value,), efig.unit.get(default())):
                msg = (
                    f"{efig.value:g} is cited to {document} §{src.section}, which does not print it"
                )
                issues.append(Issue("examples", ex.slug, f"figures.{n}.value", msg))
    for ch in kb.challenges:
        for n, rule in enumerate(ch.rules):
            unit = units.get(rule.indicator, "")
            for band, line in (("watch", rule.watch), ("flag", rule.flag)):
                for th in line.values.values() if isinstance(line, DatedThreshold) else (line,):
                    src = th.source or rule.anchor
                    if src.document != document or src.heuristic:
                        continue
                    for number in (th.value, th.fallback):
                        if number is not None and missing((number,), unit):
                            msg = (
                                f"the {band} line {number:g} is anchored to {document} "
                                f"§{src.section}, which does not print it: mark it heuristic "
                                "with a note, or cite where it is printed"
                            )
                            issues.append(Issue("challenges", ch.slug, f"rules.{n}.{band}", msg))
    return issues
