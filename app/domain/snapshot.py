"""The compiled, immutable knowledge base a worker serves: indexes, formulas in dependency order,
and every rule's lines resolved per benchmark and era ahead of time, so diagnosing is comparisons.

An *era* is a span of years in which no dated line changes; a profile's year picks its era, and
the rule book of (benchmark, era) holds the lines in force then.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

from app.domain.compiled import (
    EvidenceText,
    ExampleText,
    KindFit,
    PathPlan,
    PathText,
    Requirements,
    Scale,
    evidence_text,
    path_plan,
    path_text,
    peer_scales,
)
from app.domain.formula import Formula, compile_formula
from app.domain.knowledge import (
    LANGS,
    AdminForm,
    AdminFormDefinition,
    Benchmark,
    Challenge,
    ConstraintCode,
    ConstraintStatus,
    CountyKind,
    DatedThreshold,
    Department,
    Example,
    Figure,
    FundingChannel,
    Indicator,
    IndustryDefinition,
    KindDefinition,
    KnowledgeBase,
    Lang,
    Path,
    Province,
    ReferenceCounty,
    ResourceType,
    ResourceTypeDefinition,
    Rule,
    Signal,
    Source,
    Text,
    Tuning,
    Zone,
    ZoneDefinition,
)
from app.domain.language import default
from app.domain.leading import industry_index
from app.domain.result_types import ConstraintSummaryOut, KindFitOut, SourceOut
from app.domain.thresholds import Basis, Lines, resolve, resolve_rule

TAG_CONFIDENCE = {"V": 1.0, "P": 1.0, "S": 0.8, "D": 0.8, "R": 0.4}
"""How far a benchmark figure can be trusted, by its tag (the benchmark's confidence is the mean
over its figures): verified and paper figures fully, secondary and derived ones mostly, recalled
ones little. ``V`` means read on the publisher's own page, never on a mirror (kb check refuses
it), so a figure copied from a re-post weighs as secondary."""


@dataclass(frozen=True, slots=True, eq=False)
class ResolvedRule:
    """A rule with its lines as numbers for one benchmark and era, and its fixed texts."""

    rule: Rule
    indicator: Indicator
    watch: float
    flag: float
    watch_basis: Basis
    flag_basis: Basis
    benchmark_value: float | None
    texts: Mapping[Lang, EvidenceText]
    national: NationalLines | None = None
    benchmark: str | None = None  # the set whose figures the ratio lines multiply
    requires: Requirements = Requirements()  # the rule's, with their subjects named


class NationalLines(NamedTuple):
    """A gap rule's lines against the nation, beside those against the county's own set."""

    watch: float
    flag: float
    value: float  # the national figure
    slug: str  # the national set


class StrongLine(NamedTuple):
    """Where an indicator becomes a strength, resolved for one benchmark."""

    indicator: Indicator
    when: Literal["above", "below"]
    line: float
    basis: Basis
    benchmark_value: float | None
    anchor: Source
    benchmark: str | None = None  # the set whose figure a ratio line multiplies


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Everything the diagnosis reads for one benchmark and era."""

    rules: Mapping[str, tuple[ResolvedRule, ...]]
    unresolved: Mapping[str, tuple[str, ...]]
    strong: Mapping[str, StrongLine]
    weights: Mapping[str, float]  # each challenge's total rule weight, the base of coverage


@dataclass(frozen=True, slots=True)
class BenchmarkView:
    """A benchmark set as the engine reads it: its own figures, and for every figure it lacks
    the national set's of the nearest year (``borrowed`` names where each came from), so no
    county is judged on another province's line."""

    benchmark: Benchmark
    values: Mapping[str, float]
    confidence: float
    overrides: tuple[str, ...] = ()
    borrowed: Mapping[str, str] = field(default_factory=dict)  # indicator -> where it came from
    national: tuple[str, Mapping[str, float]] | None = None  # the nation's set, for gap rules
    years: Mapping[str, int] = field(default_factory=dict)  # the year of each figure

    @property
    def slug(self) -> str:
        return self.benchmark.slug


@dataclass(frozen=True)
class CountyIndex:
    """The knowledge base's counties (slugs, in its order) by code and by plain name: no case,
    spacing or form ending (``suffixes``, longest first), in either language."""

    suffixes: tuple[str, ...]
    by_code: Mapping[str, tuple[str, ...]]
    by_name: Mapping[str, tuple[str, ...]]


@dataclass
class Memo:
    """Per-snapshot memo of rendered catalog reads, filled on first use (a snapshot never
    changes, so neither does what is rendered from it)."""

    catalog: dict[tuple[str, Lang], list[dict[str, object]]] = field(default_factory=dict)
    catalog_index: dict[tuple[str, Lang], dict[str, dict[str, object]]] = field(
        default_factory=dict
    )
    etags: dict[tuple[str, str], str] = field(default_factory=dict)
    kind_fits: dict[tuple[str, frozenset[CountyKind], frozenset[CountyKind]], KindFit] = field(
        default_factory=dict
    )
    kind_factors: dict[tuple[str, frozenset[CountyKind]], float] = field(default_factory=dict)
    examples: dict[tuple[str, Lang, frozenset[CountyKind]], list[ExampleText]] = field(
        default_factory=dict
    )
    unit_maps: dict[tuple[str | None, str | None, Lang], Any] = field(default_factory=dict)
    owner_labels: dict[Lang, dict[str, str]] = field(default_factory=dict)
    peer_points: dict[str, Any] = field(default_factory=dict)
    challenge_texts: dict[tuple[str, Lang], tuple[str, SourceOut]] = field(default_factory=dict)
    constraint_states: dict[tuple[ConstraintCode, ConstraintStatus], ConstraintSummaryOut] = field(
        default_factory=dict
    )
    kind_fit_outs: dict[KindFit, KindFitOut] = field(default_factory=dict)
    localized: dict[tuple[str | None, AdminForm | None, Lang], dict[str, str]] = field(
        default_factory=dict
    )
    counties: CountyIndex | None = None


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    version: int
    checksum: str
    indicators: Mapping[str, Indicator]
    input_keys: frozenset[str]
    formulas: tuple[tuple[str, Formula], ...]
    benchmarks: Mapping[str, BenchmarkView]
    provinces_by_code: Mapping[str, Province]
    provinces_by_name: Mapping[str, Province]
    provincial_sets: Mapping[str, tuple[BenchmarkView, ...]]
    national_sets: tuple[BenchmarkView, ...]
    kinds: Mapping[CountyKind, KindDefinition]
    resource_types: Mapping[ResourceType, ResourceTypeDefinition]
    industries: Mapping[str, IndustryDefinition]  # by every name an industry is declared by
    zones: Mapping[Zone, ZoneDefinition]
    admin_forms: Mapping[AdminForm, AdminFormDefinition]
    departments: Mapping[str, Department]
    channels: Mapping[str, FundingChannel]
    signals: Mapping[str, Signal]
    challenges: Mapping[str, Challenge]
    signals_by_challenge: Mapping[str, tuple[str, ...]]
    paths: Mapping[str, Path]
    path_plans: tuple[PathPlan, ...]
    path_texts: Mapping[tuple[str, Lang], PathText]
    examples: Mapping[str, Example]
    examples_by_path: Mapping[str, tuple[Example, ...]]
    counties: Mapping[str, ReferenceCounty]
    county_names: Mapping[str, Text]
    county_values: Mapping[str, Mapping[str, Mapping[str, float]]]
    era_bounds: tuple[int, ...]
    rulebooks: Mapping[tuple[str, int], RuleBook]
    peer_scales: Mapping[str, Scale]
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    @property
    def kb_version(self) -> str:
        return f"{self.version}:{self.checksum[:12]}"

    @property
    def tuning(self) -> Tuning:
        return self.kb.meta.tuning

    def era_of(self, year: int | None) -> int:
        """The era a profile year falls in; an unknown year takes the latest lines."""
        return len(self.era_bounds) if year is None else bisect.bisect_right(self.era_bounds, year)

    def era_year(self, era: int) -> int | None:
        """A year inside ``era``, to pick the dated lines in force (None: the latest)."""
        if era >= len(self.era_bounds):
            return None
        return self.era_bounds[era - 1] if era > 0 else self.era_bounds[0] - 1

    def derive(self, given: Mapping[str, float], bench: Mapping[str, float]) -> dict[str, float]:
        """Compute derived indicators the inputs allow; a value the caller gave is kept."""
        values = dict(given)
        derived: dict[str, float] = {}
        for key, formula in self.formulas:
            if key in given or not formula.county_inputs <= values.keys():
                continue
            result = formula.evaluate(values, bench)
            if result is not None:
                values[key] = result
                derived[key] = result
        return derived


FX = "fx_cny_per_usd"


def _nearest_year(years: list[int], year: int) -> int:
    return min(years, key=lambda y: (abs(y - year), -y))


def _filled(kb: KnowledgeBase, views: dict[str, BenchmarkView]) -> dict[str, BenchmarkView]:
    """Every set completed from the national set nearest its year, and given the exchange rate
    of its year from the one table of rates (so FDI is a share of GDP everywhere)."""
    national = sorted(
        (
            replace(v, years={f.indicator: f.year for f in v.benchmark.values})
            for v in views.values()
            if v.benchmark.kind == "national"
        ),
        key=lambda v: v.benchmark.year,
    )
    rates = {r.year: r.value for r in kb.meta.fx_rates}
    out: dict[str, BenchmarkView] = {}
    for slug, view in views.items():
        values, borrowed = dict(view.values), {}
        years = {v.indicator: v.year for v in view.benchmark.values}
        year = view.benchmark.year
        nation: tuple[str, Mapping[str, float]] | None = None
        if view.benchmark.kind != "national" and national:
            nearest = min(national, key=lambda v: (abs(v.benchmark.year - year), -v.benchmark.year))
            nation = (nearest.slug, nearest.values)
            for key, value in nearest.values.items():
                if key not in values:
                    values[key], borrowed[key] = value, nearest.slug
                    years[key] = nearest.years.get(key, nearest.benchmark.year)
        if FX not in values and rates:
            rate_year = _nearest_year(sorted(rates), year)
            values[FX], borrowed[FX] = rates[rate_year], f"fx_rates:{rate_year}"
            years[FX] = rate_year
        out[slug] = BenchmarkView(
            view.benchmark, values, view.confidence, (), borrowed, nation, years
        )
    return out


def _formula_order(indicators: list[Indicator]) -> tuple[tuple[str, Formula], ...]:
    formulas = {i.key: compile_formula(i.formula) for i in indicators if i.formula}
    ordered: list[tuple[str, Formula]] = []
    done: set[str] = set()

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in done or key not in formulas:
            return
        if key in trail:
            raise ValueError(f"formula cycle through {' -> '.join(trail + (key,))}")
        for dep in sorted(formulas[key].county_inputs):
            visit(dep, trail + (key,))
        done.add(key)
        ordered.append((key, formulas[key]))

    for ind in indicators:
        visit(ind.key, ())
    return tuple(ordered)


def figure_confidence(figure: Figure) -> float:
    """The trust of one figure: its tag's, but no more than its source's, so a figure derived
    from recalled inputs is no better than they are.

    >>> src = Source(publisher="x", tag="R")
    >>> figure_confidence(Figure(indicator="gdp", value=1, year=2024, tag="D", source=src))
    0.4
    """
    own = TAG_CONFIDENCE[figure.tag]
    return min(own, TAG_CONFIDENCE[figure.source.tag]) if figure.source.tag else own


def benchmark_confidence(benchmark: Benchmark) -> float:
    """The mean trust of a benchmark's figures (see figure_confidence)."""
    tags = [figure_confidence(v) for v in benchmark.values]
    return round(sum(tags) / len(tags), 2) if tags else 0.0


def era_bounds(kb: KnowledgeBase) -> tuple[int, ...]:
    """The years from which some dated line changes."""
    years = {
        d.year
        for ch in kb.challenges
        for rule in ch.rules
        for line in (rule.watch, rule.flag)
        if isinstance(line, DatedThreshold)
        for d in line.dates
    }
    return tuple(sorted(years))


def _relabel(basis: Basis) -> Basis:
    return "national_ratio" if basis == "benchmark_ratio" else basis


def _national(lines: Lines, borrowed: bool) -> Lines:
    """A ratio line resolved on a figure borrowed from the national set says so."""
    if not borrowed:
        return lines
    return lines._replace(
        watch_basis=_relabel(lines.watch_basis), flag_basis=_relabel(lines.flag_basis)
    )


def _against_nation(
    rule: Rule, year: int | None, national: tuple[str, Mapping[str, float]], min_sample: float
) -> NationalLines | None:
    """The lines of a gap rule against the national figure (None for other rules)."""
    slug, values = national
    value = values.get(rule.indicator)
    if not rule.also_national or value is None:
        return None
    lines = resolve_rule(rule, year, value, (), min_sample)
    return NationalLines(lines.watch, lines.flag, value, slug) if lines else None


def build_rulebook(
    kb: KnowledgeBase,
    indicators: Mapping[str, Indicator],
    bench: Mapping[str, float],
    county_values: Mapping[str, Mapping[str, float]],
    year: int | None,
    borrowed: Mapping[str, str] | None = None,
    national: tuple[str, Mapping[str, float]] | None = None,
    bench_years: Mapping[str, int] | None = None,
    benchmark: str | None = None,
) -> RuleBook:
    """Resolve every rule and strength line against ``bench`` for the lines in force in ``year``;
    a line on a figure ``borrowed`` from the national set says so in its basis (``bench_years``:
    the year of each benchmark figure, shown with the evidence)."""
    borrowed = borrowed or {}
    min_sample = kb.meta.tuning.min_percentile_sample.value
    rules: dict[str, tuple[ResolvedRule, ...]] = {}
    unresolved: dict[str, tuple[str, ...]] = {}
    for ch in kb.challenges:
        kept: list[ResolvedRule] = []
        dropped: list[str] = []
        for rule in ch.rules:
            sample = [v[rule.indicator] for v in county_values.values() if rule.indicator in v]
            bench_value = bench.get(rule.indicator)
            if rule.indicator in borrowed and not rule.national_fallback:
                bench_value = None
            lines = resolve_rule(rule, year, bench_value, sample, min_sample)
            if lines is None:
                dropped.append(rule.indicator)
                continue
            lines = _national(lines, rule.indicator in borrowed)
            ind = indicators[rule.indicator]
            bench_year = (bench_years or {}).get(rule.indicator)
            texts = {
                lang: evidence_text(rule, ind, lines, bench_value, lang, bench_year)
                for lang in LANGS
            }
            kept.append(
                ResolvedRule(
                    rule,
                    ind,
                    lines.watch,
                    lines.flag,
                    lines.watch_basis,
                    lines.flag_basis,
                    bench_value,
                    texts,
                    _against_nation(rule, year, national, min_sample) if national else None,
                    benchmark,
                    Requirements(rule.requires),
                )
            )
        rules[ch.slug] = tuple(kept)
        unresolved[ch.slug] = tuple(dropped)
    weights = {slug: sum(r.rule.weight for r in kept) for slug, kept in rules.items()}
    return RuleBook(rules, unresolved, _strong_lines(indicators, bench, benchmark), weights)


def _strong_lines(
    indicators: Mapping[str, Indicator], bench: Mapping[str, float], benchmark: str | None
) -> dict[str, StrongLine]:
    out: dict[str, StrongLine] = {}
    for key, ind in indicators.items():
        if ind.strong is None:
            continue
        value, basis = resolve(ind.strong.line, bench.get(key), (), 1)
        if value is not None:
            out[key] = StrongLine(
                ind, ind.strong.when, value, basis, bench.get(key), ind.strong.anchor, benchmark
            )
    return out


def _county_values(
    kb: KnowledgeBase, derive: Snapshot, views: Mapping[str, BenchmarkView]
) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for slug, view in views.items():
        per_county: dict[str, dict[str, float]] = {}
        for county in kb.reference_counties:
            raw = {v.indicator: v.value for v in county.values}
            per_county[county.slug] = raw | derive.derive(raw, view.values)
        out[slug] = per_county
    return out


def _benchmark_indexes(
    kb: KnowledgeBase, views: Mapping[str, BenchmarkView]
) -> tuple[dict[str, tuple[BenchmarkView, ...]], tuple[BenchmarkView, ...]]:
    by_region = {p.name.get(default()).lower(): p.slug for p in kb.meta.provinces}
    provincial: dict[str, list[BenchmarkView]] = {}
    national: list[BenchmarkView] = []
    for view in views.values():
        b = view.benchmark
        if b.kind == "national":
            national.append(view)
        elif b.kind == "provincial" and b.region.lower() in by_region:
            provincial.setdefault(by_region[b.region.lower()], []).append(view)
    order = lambda v: (v.benchmark.year, v.slug)  # noqa: E731
    return (
        {k: tuple(sorted(v, key=order)) for k, v in provincial.items()},
        tuple(sorted(national, key=order)),
    )


def _province_names(kb: KnowledgeBase) -> dict[str, Province]:
    names: dict[str, Province] = {}
    for p in kb.meta.provinces:
        for name in (p.slug, *p.name.texts().values(), *p.aliases):
            names[name.strip().lower()] = p
    return names


def county_names(kb: KnowledgeBase) -> dict[str, Text]:
    """Every county the knowledge base names, by slug: reference counties, and the counties of
    examples that carry their own name."""
    names = {e.county: e.county_name for e in kb.examples if e.county_name is not None}
    return names | {c.slug: c.name for c in kb.reference_counties}


def compile_snapshot(kb: KnowledgeBase, version: int, checksum: str) -> Snapshot:
    indicators = {i.key: i for i in kb.indicators}
    views = _filled(
        kb,
        {
            b.slug: BenchmarkView(
                b, {v.indicator: v.value for v in b.values}, benchmark_confidence(b)
            )
            for b in kb.benchmarks
        },
    )
    provincial, national = _benchmark_indexes(kb, views)
    examples_by_path: dict[str, list[Example]] = {p.slug: [] for p in kb.paths}
    for ex in kb.examples:
        for slug in ex.paths:
            examples_by_path.setdefault(slug, []).append(ex)
    signals_by_challenge: dict[str, list[str]] = {c.slug: [] for c in kb.challenges}
    for sig in kb.signals:
        signals_by_challenge.setdefault(sig.challenge, []).append(sig.slug)
    paths = {p.slug: p for p in kb.paths}
    by_path = {k: tuple(v) for k, v in examples_by_path.items()}
    names = county_names(kb)
    shell = Snapshot(
        kb=kb,
        version=version,
        checksum=checksum,
        indicators=indicators,
        input_keys=frozenset(i.key for i in kb.indicators if not i.derived),
        formulas=_formula_order(kb.indicators),
        benchmarks=views,
        provinces_by_code={p.code: p for p in kb.meta.provinces},
        provinces_by_name=_province_names(kb),
        provincial_sets=provincial,
        national_sets=national,
        kinds={k.slug: k for k in kb.meta.county_kinds},
        resource_types={r.slug: r for r in kb.meta.resource_types},
        industries=industry_index(kb.meta.industries),
        zones={z.slug: z for z in kb.meta.zones},
        admin_forms={f.slug: f for f in kb.meta.admin_forms},
        departments={d.slug: d for d in kb.meta.departments},
        channels={c.slug: c for c in kb.meta.funding_channels},
        signals={s.slug: s for s in kb.signals},
        challenges={c.slug: c for c in kb.challenges},
        signals_by_challenge={k: tuple(v) for k, v in signals_by_challenge.items()},
        paths=paths,
        path_plans=tuple(path_plan(p) for _, p in sorted(paths.items())),
        path_texts={
            (slug, lang): path_text(p, by_path.get(slug, ()), lang, names)
            for slug, p in paths.items()
            for lang in LANGS
        },
        examples={e.slug: e for e in kb.examples},
        examples_by_path=by_path,
        counties={c.slug: c for c in kb.reference_counties},
        county_names=names,
        county_values={},
        era_bounds=era_bounds(kb),
        rulebooks={},
        peer_scales=peer_scales(kb.indicators),
    )
    county_values = _county_values(kb, shell, views)
    bounds = shell.era_bounds
    rulebooks = {
        (slug, era): build_rulebook(
            kb,
            indicators,
            view.values,
            county_values[slug],
            shell.era_year(era),
            view.borrowed,
            view.national,
            view.years,
            slug,
        )
        for slug, view in views.items()
        for era in range(len(bounds) + 1)
    }
    fields = {f: getattr(shell, f) for f in shell.__dataclass_fields__ if f != "memo"}
    return Snapshot(**fields | {"county_values": county_values, "rulebooks": rulebooks})
