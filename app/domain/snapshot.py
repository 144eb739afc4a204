"""The compiled, immutable knowledge base a worker serves: indexes, formulas in dependency order,
and every rule's thresholds resolved per benchmark ahead of time, so diagnosing is comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.formula import Formula, compile_formula
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    Indicator,
    KnowledgeBase,
    Path,
    ReferenceCounty,
    Rule,
    Signal,
    Threshold,
    line_at,
)


@dataclass(frozen=True, slots=True)
class ResolvedRule:
    rule: Rule
    indicator: Indicator
    watch: float
    flag: float
    watch_basis: str
    flag_basis: str
    benchmark_value: float | None


@dataclass(frozen=True, slots=True)
class BenchmarkView:
    benchmark: Benchmark
    values: Mapping[str, float]


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    version: int
    checksum: str
    indicators: Mapping[str, Indicator]
    input_keys: frozenset[str]
    formulas: tuple[tuple[str, Formula], ...]
    benchmarks: Mapping[str, BenchmarkView]
    signals: Mapping[str, Signal]
    challenges: Mapping[str, Challenge]
    signals_by_challenge: Mapping[str, tuple[str, ...]]
    paths: Mapping[str, Path]
    examples: Mapping[str, Example]
    examples_by_path: Mapping[str, tuple[Example, ...]]
    counties: Mapping[str, ReferenceCounty]
    county_values: Mapping[str, Mapping[str, Mapping[str, float]]]
    rules: Mapping[str, Mapping[str, tuple[ResolvedRule, ...]]]
    unresolved: Mapping[str, Mapping[str, tuple[str, ...]]]
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def kb_version(self) -> str:
        return f"{self.version}:{self.checksum[:12]}"

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


def percentile(values: list[float], p: float) -> float:
    data = sorted(values)
    rank = (len(data) - 1) * p / 100
    lo = int(rank)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (rank - lo)


def _resolve(
    th: Threshold, bench_value: float | None, sample: list[float], min_sample: float
) -> tuple[float | None, str]:
    if th.value is not None:
        return th.value, "absolute"
    if th.ratio is not None:
        if bench_value is not None:
            return th.ratio * bench_value, "benchmark_ratio"
        return th.fallback, "fallback"
    assert th.percentile is not None
    if len(sample) >= min_sample:
        return percentile(sample, th.percentile), "percentile"
    return th.fallback, "fallback"


def compile_snapshot(kb: KnowledgeBase, version: int, checksum: str) -> Snapshot:
    indicators = {i.key: i for i in kb.indicators}
    formulas = _formula_order(kb.indicators)
    benchmarks = {
        b.slug: BenchmarkView(b, {v.indicator: v.value for v in b.values}) for b in kb.benchmarks
    }
    counties = {c.slug: c for c in kb.reference_counties}
    examples_by_path: dict[str, list[Example]] = {p.slug: [] for p in kb.paths}
    for ex in kb.examples:
        for slug in ex.paths:
            examples_by_path.setdefault(slug, []).append(ex)
    signals_by_challenge: dict[str, list[str]] = {c.slug: [] for c in kb.challenges}
    for sig in kb.signals:
        signals_by_challenge.setdefault(sig.challenge, []).append(sig.slug)

    shell = Snapshot(
        kb=kb,
        version=version,
        checksum=checksum,
        indicators=indicators,
        input_keys=frozenset(i.key for i in kb.indicators if not i.derived),
        formulas=formulas,
        benchmarks=benchmarks,
        signals={s.slug: s for s in kb.signals},
        challenges={c.slug: c for c in kb.challenges},
        signals_by_challenge={k: tuple(v) for k, v in signals_by_challenge.items()},
        paths={p.slug: p for p in kb.paths},
        examples={e.slug: e for e in kb.examples},
        examples_by_path={k: tuple(v) for k, v in examples_by_path.items()},
        counties=counties,
        county_values={},
        rules={},
        unresolved={},
    )

    min_sample = kb.meta.tuning.min_percentile_sample.value
    county_values: dict[str, dict[str, dict[str, float]]] = {}
    rules: dict[str, dict[str, tuple[ResolvedRule, ...]]] = {}
    unresolved: dict[str, dict[str, tuple[str, ...]]] = {}
    for slug, view in benchmarks.items():
        per_county: dict[str, dict[str, float]] = {}
        for county in kb.reference_counties:
            raw = {v.indicator: v.value for v in county.values}
            per_county[county.slug] = raw | shell.derive(raw, view.values)
        county_values[slug] = per_county
        rules[slug] = {}
        unresolved[slug] = {}
        for ch in kb.challenges:
            resolved: list[ResolvedRule] = []
            dropped: list[str] = []
            for rule in ch.rules:
                bench_value = view.values.get(rule.indicator)
                sample = [
                    vals[rule.indicator] for vals in per_county.values() if rule.indicator in vals
                ]
                watch, wb = _resolve(line_at(rule.watch, None), bench_value, sample, min_sample)
                flag, fb = _resolve(line_at(rule.flag, None), bench_value, sample, min_sample)
                if watch is None or flag is None:
                    dropped.append(rule.indicator)
                    continue
                flag = min(flag, watch) if rule.bad_when == "below" else max(flag, watch)
                resolved.append(
                    ResolvedRule(rule, indicators[rule.indicator], watch, flag, wb, fb, bench_value)
                )
            rules[slug][ch.slug] = tuple(resolved)
            unresolved[slug][ch.slug] = tuple(dropped)

    return Snapshot(
        **{
            **{f: getattr(shell, f) for f in shell.__dataclass_fields__ if f != "cache"},
            "county_values": county_values,
            "rules": rules,
            "unresolved": unresolved,
        }
    )
