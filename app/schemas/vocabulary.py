"""The closed vocabularies of the API. Each is the engine's own literal (one definition, in the
domain where the engine has one) published under its name: Pydantic writes it as one OpenAPI
component that every model field refers to, and ``app.api.openapi`` points any inline enum with
the same values (a query parameter, a knowledge-base model used as a curation body) at it, so a
generated client has one type per vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.domain import knowledge, ranking, result, thresholds


@dataclass(frozen=True, slots=True)
class Named:
    "Publishes the literal it annotates as a named schema with this description."

    name: str
    description: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return cast(CoreSchema, {**handler(source), "ref": self.name})

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        named = handler.resolve_ref_schema(json_schema)
        named.update(title=self.name, description=self.description)
        return json_schema


Family = Annotated[
    knowledge.Family,
    Named("Family", "The three families of recommended paths (and of challenges)."),
]
Status = Annotated[
    knowledge.Status,
    Named(
        "Status",
        "A challenge's diagnosis: past the flag line, past the watch line, fine, or undecidable.",
    ),
]
Band = Annotated[
    knowledge.Band, Named("Band", "Where one indicator's value falls against its rule's lines.")
]
MaxBand = Annotated[
    Literal["watch", "flag"], Named("MaxBand", "The worst band a rule can give on its own.")
]
Basis = Annotated[
    thresholds.Basis,
    Named(
        "Basis",
        "How a threshold line was drawn: an absolute value, a multiple of the benchmark's value, a\n"
        "percentile of the reference counties, or the rule's fallback value when the benchmark or the\n"
        "reference sample lacks the indicator.",
    ),
]
BadWhen = Annotated[
    Literal["below", "above"], Named("BadWhen", "The side of a rule's lines that is bad.")
]
Direction = Annotated[knowledge.Direction, Named("Direction", "Which way an indicator is better.")]
Scale = Annotated[
    Literal["linear", "log"],
    Named("Scale", "How an indicator's values spread (for charts and similarity)."),
]
BenchmarkKind = Annotated[
    Literal["national", "provincial", "policy_target"],
    Named("BenchmarkKind", "What a benchmark set stands for."),
]
SourceTag = Annotated[
    knowledge.Tag,
    Named(
        "SourceTag",
        "Confidence of a figure: V verified in a retrieved source, S secondary (a low-quality\n"
        "source, to confirm), P from the paper only, D derived by arithmetic, R recalled (to check).",
    ),
]
WarningCode = Annotated[
    Literal["unit_suspect", "inconsistent", "benchmark_fallback"],
    Named("WarningCode", "Why a profile drew a warning (open: new codes may be added within /v1)."),
]
FitOutcome = Annotated[
    ranking.Outcome,
    Named(
        "FitOutcome",
        "Whether a county meets a condition that makes a path fit better; ``conflict`` when it\n"
        "holds only because of a diagnosed problem (a support that is itself the problem).",
    ),
]
Comparison = Annotated[
    knowledge.Op, Named("Comparison", "The comparison of a fit condition on an indicator.")
]
Language = Annotated[
    knowledge.LangCode, Named("Language", "The language text fields are written in.")
]
CountyKind = Annotated[
    knowledge.CountyKind,
    Named("CountyKind", "The kinds of county the engine knows, declared by a profile or inferred."),
]
KindBasis = Annotated[
    Literal["declared", "inferred"], Named("KindBasis", "How a county's kind is known.")
]
ConfidenceLevel = Annotated[
    Literal["high", "medium", "low"],
    Named(
        "ConfidenceLevel",
        "A challenge's confidence in words (lines in the knowledge base's tuning).",
    ),
]
Origin = Annotated[
    knowledge.Origin,
    Named("Origin", "Whether a path comes from the source paper or from beyond it."),
]
PeersNoteCode = Annotated[
    Literal["no_comparable_peers", "peers_need_level"],
    Named("PeersNoteCode", "Why no peer is listed."),
]
View = Annotated[result.View, Named("View", "How much of a result to compute and return.")]

VOCABULARIES = (
    Family,
    Status,
    Band,
    MaxBand,
    Basis,
    BadWhen,
    Direction,
    Scale,
    BenchmarkKind,
    SourceTag,
    WarningCode,
    FitOutcome,
    Comparison,
    Language,
    CountyKind,
    KindBasis,
    ConfidenceLevel,
    Origin,
    PeersNoteCode,
    View,
)


def description_of(vocabulary: Any) -> str:
    "What a vocabulary's component says of it."
    return cast(Named, get_args(vocabulary)[1]).description


def named_values(vocabulary: Any) -> tuple[str, tuple[str, ...]]:
    "A vocabulary's name and its values in order."
    literal, named = get_args(vocabulary)
    return named.name, get_args(literal)
