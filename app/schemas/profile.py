"""The county profile as clients send it (contract section 4). Strict: numbers must be JSON
numbers (no strings, no booleans), finite, and unknown fields are refused.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic.config import JsonDict

from app.domain.knowledge import CountyKind, ResourceStage, ResourceType, Zone
from app.domain.profile import County, ProfileInput, ResourceFact
from app.schemas.common import COUNTY_CODE
from app.schemas.text import shown_safely

FiniteNumber = Annotated[float, Strict(), Field(allow_inf_nan=False)]
IndicatorKey = Annotated[str, Field(min_length=1, max_length=64)]
SignalSlug = Annotated[str, Field(min_length=1, max_length=80)]

DEQING_EXAMPLE: JsonDict = {
    "county": {"name": "Deqing", "code": "330521", "province": "Zhejiang", "year": 2024},
    "indicators": {
        "gdp_cny_100m": 720.0,
        "resident_population_10k": 55.7,
        "gdp_per_capita_cny": 122500,
        "urbanization_rate_pct": 63.5,
        "urban_rural_income_ratio": 1.54,
        "foreign_trade_cny_100m": 344.7,
        "fdi_usd_100m": 0.9871,
        "distance_to_core_city_km": 40,
    },
    "signals": [
        "exporters-mostly-smes",
        "low-hightech-exports",
        "brain-drain-to-metropolis",
        "firms-rd-outside-county",
        "public-services-gap",
        "weak-chain-integration",
        "emerging-industries-missing",
    ],
    "benchmark": "zhejiang-2024",
}


class Strict_(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


IndustryName = Annotated[
    str,
    Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$"),
    AfterValidator(shown_safely),
]


class ResourceIn(Strict_):
    type: ResourceType = Field(description="coal, oil-gas, metal, non-metal or forestry.")
    stage: ResourceStage | None = Field(
        default=None, description="growing, mature, declining or regenerating."
    )


class CountyIn(Strict_):
    name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="County name (no control, format, bidirectional, separator or "
            "noncharacter code points; not blank).",
        ),
        AfterValidator(shown_safely),
    ]
    code: str | None = Field(
        default=None, pattern=COUNTY_CODE, description="GB/T 2260 six-digit code."
    )
    province: (
        Annotated[
            str,
            Field(min_length=1, max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$"),
            AfterValidator(shown_safely),
        ]
        | None
    ) = Field(
        default=None,
        description="Province; with `year` it picks the default benchmark. Checked like `name`.",
    )
    year: int | None = Field(default=None, ge=1949, le=2100, description="Reference year.")
    kinds: list[CountyKind] | None = Field(
        default=None,
        max_length=12,
        description="County kinds the county declares (a border or port county, a pastoral "
        "county, a county out of poverty …). Declared kinds come first; countypath also reads "
        "traits off the indicators (a farm-heavy economy, a forest-rich county) and names them "
        "as traits with their evidence, never as designations.",
    )
    main_function_zone: Zone | None = Field(
        default=None,
        description="The county's legal main-function-zone designation: `urbanised`, "
        "`agricultural` (a major farm-producing zone) or `ecological` (a key ecological function "
        "zone), as the provincial plan names it. Only ever declared, never inferred.",
    )
    resource: ResourceIn | None = Field(
        default=None,
        description="For a resource-based county: the resource it lives on and its stage in the "
        "national plan for resource-based cities (growing, mature, declining, regenerating).",
    )
    leading_industries: list[IndustryName] | None = Field(
        default=None,
        max_length=5,
        description='The county\'s leading industries, e.g. `["garments"]`: a base to '
        "upgrade, not a concentration to cut (unless it is a resource or declining).",
    )


class ProfileIn(Strict_):
    """A county profile: indicators (keys from GET /v1/indicators) and asserted signals."""

    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [DEQING_EXAMPLE]}
    )

    county: CountyIn
    indicators: dict[IndicatorKey, FiniteNumber] = Field(
        default_factory=dict,
        max_length=200,
        description="Indicator values in the units GET /v1/indicators gives.",
    )
    signals: list[SignalSlug] = Field(
        default_factory=list, max_length=50, description="Slugs from GET /v1/signals."
    )
    benchmark: str | None = Field(
        default=None,
        max_length=80,
        description="Benchmark slug; default: the county's province (from `province`, else the "
        "first two digits of `code`) at the nearest year, else the national set nearest the year.",
    )
    benchmark_values: dict[IndicatorKey, FiniteNumber] = Field(
        default_factory=dict,
        max_length=100,
        description="The caller's own comparator figures (e.g. a newer provincial bulletin), "
        "checked like indicators; they override the benchmark's figures of the same keys.",
    )

    def to_domain(self) -> ProfileInput:
        c = self.county
        kinds = tuple(dict.fromkeys(c.kinds or ()))
        resource = ResourceFact(c.resource.type, c.resource.stage) if c.resource else None
        leading = tuple(dict.fromkeys(n.strip() for n in c.leading_industries or ()))
        county = County(
            c.name, c.code, c.province, c.year, kinds, c.main_function_zone, resource, leading
        )
        return ProfileInput(
            county,
            dict(self.indicators),
            tuple(self.signals),
            self.benchmark,
            dict(self.benchmark_values),
        )


class ScenarioIn(Strict_):
    indicators: dict[IndicatorKey, FiniteNumber] = Field(
        min_length=1,
        max_length=200,
        description="Indicator values to try instead of the profile's.",
    )


class RecommendationRequest(ProfileIn):
    """A profile, optionally with a what-if scenario of indicator overrides."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                DEQING_EXAMPLE,
                DEQING_EXAMPLE | {"scenario": {"indicators": {"foreign_trade_cny_100m": 480}}},
            ]
        },
    )

    scenario: ScenarioIn | None = Field(
        default=None, description="What-if overrides; the result then carries `scenario`."
    )
