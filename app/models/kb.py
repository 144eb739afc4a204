"""Knowledge-base tables. Relations are real foreign keys, so the database itself refuses a
dangling reference; bilingual texts and small nested records are JSON columns. The items come
first, in the order a table refers only to tables above it, then their nested lists.
"""

from datetime import datetime
from typing import Any, Literal

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


def _slug_of(
    table: str, ondelete: Literal["CASCADE", "RESTRICT"], *, primary_key: bool = False
) -> Any:
    """A column naming an item of ``table`` by slug: a real foreign key."""
    return Field(
        foreign_key=f"{table}.slug", ondelete=ondelete, primary_key=primary_key, max_length=80
    )


class _Stored(SQLModel):
    """A row of the document: its place in its list, and what no column holds (its body)."""

    position: int
    body: JsonDict = Field(sa_type=JSON)


class _Item(_Stored):
    """A top-level item, keyed by its slug."""

    slug: str = Field(primary_key=True, max_length=80)


class _Figure(_Stored):
    """A sourced value of an indicator (a benchmark's or a reference county's)."""

    id: int | None = Field(default=None, primary_key=True)
    value: float
    year: int
    tag: str = Field(max_length=1)


class IndicatorRow(_Stored, table=True):
    __tablename__ = "indicator"

    key: str = Field(primary_key=True, max_length=64)
    dimension: str = Field(max_length=20, index=True)
    unit: str = Field(max_length=40)
    direction: str = Field(max_length=20)
    min_value: float
    max_value: float
    derived: bool = False


class ChallengeRow(_Item, table=True):
    __tablename__ = "challenge"

    family: str = Field(max_length=20)
    min_indicators: int


class SignalRow(_Item, table=True):
    __tablename__ = "signal"

    challenge_slug: str = _slug_of("challenge", "RESTRICT")


class PathRow(_Item, table=True):
    __tablename__ = "path"

    family: str = Field(max_length=20, index=True)


class ExampleRow(_Item, table=True):
    __tablename__ = "example"


class BenchmarkRow(_Item, table=True):
    __tablename__ = "benchmark"

    kind: str = Field(max_length=20)
    region: str = Field(max_length=60)
    year: int


class ReferenceCountyRow(_Item, table=True):
    __tablename__ = "reference_county"

    code: str = Field(max_length=6)
    province: str = Field(max_length=60)


# Nested lists, each row naming its parent (app.db.kb_repo.CHILD_TABLES).


class RuleRow(_Stored, table=True):
    __tablename__ = "challenge_rule"
    __table_args__ = (UniqueConstraint("challenge_slug", "indicator_key"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_slug: str = _slug_of("challenge", "CASCADE")
    indicator_key: str = Field(foreign_key="indicator.key", ondelete="RESTRICT", max_length=64)
    bad_when: str = Field(max_length=10)
    weight: float


class PathLinkRow(_Stored, table=True):
    """A path addresses a challenge with a weight: the edge ranking walks."""

    __tablename__ = "path_challenge"

    path_slug: str = _slug_of("path", "CASCADE", primary_key=True)
    challenge_slug: str = _slug_of("challenge", "RESTRICT", primary_key=True)
    weight: float


class ExampleLinkRow(SQLModel, table=True):
    __tablename__ = "example_path"

    example_slug: str = _slug_of("example", "CASCADE", primary_key=True)
    path_slug: str = _slug_of("path", "RESTRICT", primary_key=True)
    position: int


class BenchmarkValueRow(_Figure, table=True):
    __tablename__ = "benchmark_value"
    __table_args__ = (UniqueConstraint("benchmark_slug", "indicator"),)

    benchmark_slug: str = _slug_of("benchmark", "CASCADE")
    indicator: str = Field(max_length=64)


class ReferenceValueRow(_Figure, table=True):
    __tablename__ = "reference_value"
    __table_args__ = (UniqueConstraint("county_slug", "indicator_key"),)

    county_slug: str = _slug_of("reference_county", "CASCADE")
    indicator_key: str = Field(foreign_key="indicator.key", ondelete="RESTRICT", max_length=64)
