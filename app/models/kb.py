"""Knowledge-base tables. Relations are real foreign keys, so the database itself refuses a
dangling reference; bilingual texts and small nested records are JSON columns.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

JsonDict = dict[str, Any]
# Who made a version: "seed", "import:<key name>", "api:<key name>", "rollback:<key name>"...
ORIGIN_MAX = 120


class KbVersion(SQLModel, table=True):
    __tablename__ = "kb_version"

    number: int = Field(primary_key=True)
    checksum: str = Field(max_length=64, index=True)
    origin: str = Field(max_length=ORIGIN_MAX)
    note: str = Field(default="", max_length=400)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class KbDocument(SQLModel, table=True):
    """The whole knowledge base of a version (its canonical JSON, zlib-compressed), keyed by
    checksum: versions with the same content share one document, and any kept version can be
    restored."""

    __tablename__ = "kb_document"

    checksum: str = Field(primary_key=True, max_length=64)
    body: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class KbMetaRow(SQLModel, table=True):
    __tablename__ = "kb_meta"

    id: int = Field(default=1, primary_key=True)
    body: JsonDict = Field(sa_type=JSON)


class IndicatorRow(SQLModel, table=True):
    __tablename__ = "indicator"

    key: str = Field(primary_key=True, max_length=64)
    position: int
    dimension: str = Field(max_length=20, index=True)
    unit: str = Field(max_length=40)
    direction: str = Field(max_length=20)
    min_value: float
    max_value: float
    derived: bool = False
    body: JsonDict = Field(sa_type=JSON)


class BenchmarkRow(SQLModel, table=True):
    __tablename__ = "benchmark"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    kind: str = Field(max_length=20)
    region: str = Field(max_length=60)
    year: int
    body: JsonDict = Field(sa_type=JSON)


class BenchmarkValueRow(SQLModel, table=True):
    __tablename__ = "benchmark_value"
    __table_args__ = (UniqueConstraint("benchmark_slug", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    benchmark_slug: str = Field(foreign_key="benchmark.slug", ondelete="CASCADE", max_length=80)
    position: int
    indicator: str = Field(max_length=64)
    value: float
    year: int
    tag: str = Field(max_length=1)
    body: JsonDict = Field(sa_type=JSON)


class ChallengeRow(SQLModel, table=True):
    __tablename__ = "challenge"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    family: str = Field(max_length=20)
    min_indicators: int
    body: JsonDict = Field(sa_type=JSON)


class RuleRow(SQLModel, table=True):
    __tablename__ = "challenge_rule"
    __table_args__ = (UniqueConstraint("challenge_slug", "indicator_key"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_slug: str = Field(foreign_key="challenge.slug", ondelete="CASCADE", max_length=80)
    indicator_key: str = Field(foreign_key="indicator.key", ondelete="RESTRICT", max_length=64)
    position: int
    bad_when: str = Field(max_length=10)
    weight: float
    body: JsonDict = Field(sa_type=JSON)


class SignalRow(SQLModel, table=True):
    __tablename__ = "signal"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    challenge_slug: str = Field(foreign_key="challenge.slug", ondelete="RESTRICT", max_length=80)
    body: JsonDict = Field(sa_type=JSON)


class PathRow(SQLModel, table=True):
    __tablename__ = "path"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    family: str = Field(max_length=20, index=True)
    body: JsonDict = Field(sa_type=JSON)


class PathLinkRow(SQLModel, table=True):
    """A path addresses a challenge with a weight: the edge ranking walks."""

    __tablename__ = "path_challenge"

    path_slug: str = Field(
        foreign_key="path.slug", ondelete="CASCADE", primary_key=True, max_length=80
    )
    challenge_slug: str = Field(
        foreign_key="challenge.slug", ondelete="RESTRICT", primary_key=True, max_length=80
    )
    position: int
    weight: float
    body: JsonDict = Field(sa_type=JSON)


class ExampleRow(SQLModel, table=True):
    __tablename__ = "example"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    body: JsonDict = Field(sa_type=JSON)


class ExampleLinkRow(SQLModel, table=True):
    __tablename__ = "example_path"

    example_slug: str = Field(
        foreign_key="example.slug", ondelete="CASCADE", primary_key=True, max_length=80
    )
    path_slug: str = Field(
        foreign_key="path.slug", ondelete="RESTRICT", primary_key=True, max_length=80
    )
    position: int


class ReferenceCountyRow(SQLModel, table=True):
    __tablename__ = "reference_county"

    slug: str = Field(primary_key=True, max_length=80)
    position: int
    code: str = Field(max_length=6)
    province: str = Field(max_length=60)
    body: JsonDict = Field(sa_type=JSON)


class ReferenceValueRow(SQLModel, table=True):
    __tablename__ = "reference_value"
    __table_args__ = (UniqueConstraint("county_slug", "indicator_key"),)

    id: int | None = Field(default=None, primary_key=True)
    county_slug: str = Field(foreign_key="reference_county.slug", ondelete="CASCADE", max_length=80)
    indicator_key: str = Field(foreign_key="indicator.key", ondelete="RESTRICT", max_length=64)
    position: int
    value: float
    year: int
    tag: str = Field(max_length=1)
    body: JsonDict = Field(sa_type=JSON)
