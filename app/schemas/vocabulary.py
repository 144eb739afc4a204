"""The closed vocabularies of the API, each one named enum (one OpenAPI component), shared by
every model that uses it. ``app.api.openapi`` also points any inline enum with the same values
(for instance in the knowledge-base models used as curation bodies) at these components, so a
generated client has one type per vocabulary."""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    """The three families of recommended paths (and of challenges)."""

    industry = "industry"
    talent = "talent"
    policy = "policy"


class Status(StrEnum):
    """A challenge's diagnosis: past the flag line, past the watch line, fine, or undecidable."""

    flag = "flag"
    watch = "watch"
    ok = "ok"
    insufficient_data = "insufficient_data"


class Band(StrEnum):
    """Where one indicator's value falls against its rule's lines."""

    ok = "ok"
    watch = "watch"
    flag = "flag"


class MaxBand(StrEnum):
    """The worst band a rule can give on its own."""

    watch = "watch"
    flag = "flag"


class Basis(StrEnum):
    """How a threshold line was drawn: an absolute value, a multiple of the benchmark's value, a
    percentile of the reference counties, or the rule's fallback value when the benchmark or the
    reference sample lacks the indicator."""

    absolute = "absolute"
    benchmark_ratio = "benchmark_ratio"
    percentile = "percentile"
    fallback = "fallback"


class BadWhen(StrEnum):
    """The side of a rule's lines that is bad."""

    below = "below"
    above = "above"


class Direction(StrEnum):
    """Which way an indicator is better."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    neutral = "neutral"


class Scale(StrEnum):
    """How an indicator's values spread (for charts and similarity)."""

    linear = "linear"
    log = "log"


class BenchmarkKind(StrEnum):
    """What a benchmark set stands for."""

    national = "national"
    provincial = "provincial"
    policy_target = "policy_target"


class SourceTag(StrEnum):
    """Confidence of a figure: V verified in a retrieved source, S secondary (a low-quality
    source, to confirm), P from the paper only, D derived by arithmetic, R recalled (to check)."""

    V = "V"
    S = "S"
    P = "P"
    D = "D"
    R = "R"


class WarningCode(StrEnum):
    """Why a profile drew a warning (open: new codes may be added within /v1)."""

    unit_suspect = "unit_suspect"
    inconsistent = "inconsistent"
    benchmark_fallback = "benchmark_fallback"


class FitOutcome(StrEnum):
    """Whether a county meets a condition that makes a path fit better; ``conflict`` when it
    holds only because of a diagnosed problem (a support that is itself the problem)."""

    met = "met"
    missed = "missed"
    unknown = "unknown"
    conflict = "conflict"


class Comparison(StrEnum):
    """The comparison of a fit condition on an indicator."""

    lt = "lt"
    le = "le"
    gt = "gt"
    ge = "ge"


class Language(StrEnum):
    """The language text fields are written in."""

    en = "en"
    zh = "zh"


class CountyKind(StrEnum):
    """The kinds of county the engine knows, declared by a profile or inferred."""

    industrial = "industrial"
    export_oriented = "export-oriented"
    agricultural = "agricultural"
    ecological = "ecological"
    resource_based = "resource-based"
    metro_fringe = "metro-fringe"
    tourism = "tourism"


class KindBasis(StrEnum):
    """How a county's kind is known."""

    declared = "declared"
    inferred = "inferred"


class ConfidenceLevel(StrEnum):
    """A challenge's confidence in words (lines in the knowledge base's tuning)."""

    high = "high"
    medium = "medium"
    low = "low"


class Origin(StrEnum):
    """Whether a path comes from the source paper or from beyond it."""

    paper = "paper"
    beyond_paper = "beyond-paper"


class PeersNoteCode(StrEnum):
    """Why no peer is listed."""

    no_comparable_peers = "no_comparable_peers"
    peers_need_level = "peers_need_level"


class View(StrEnum):
    """How much of a result to compute and return."""

    full = "full"
    summary = "summary"
