"""keep the knowledge base as versioned documents only (drop the 13 row tables)

The knowledge base was stored twice: split into 13 tables (kb_meta, the items and their nested
lists) and whole, as the documents of its versions (kb_document). Only one reader ever read the
tables, always all of them at once, and every write is checked whole before it is stored, so the
tables are dropped and the latest version's document is the knowledge base (docs/architecture.md).

Upgrade: the content of the tables is put back together as a document (as the application writes
it: its canonical JSON, keys sorted, with the expert cases this release adds to the document, of
which the tables hold none) and kept under its checksum when no document holds it yet; if that
checksum is not the latest version's (the tables were written by an earlier release), it becomes
a new version, so the version served names the document served. Downgrade: the
latest version's document is split into the tables again (content the old layout has no place
for, such as expert cases, stays in the document only).

Revision ID: 3f9a61c0d7e2
Revises: d4b7a2e9c813
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = "3f9a61c0d7e2"
down_revision: str | None = "d4b7a2e9c813"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

META = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _slug_of(name: str, table: str, ondelete: str, primary_key: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.String(80),
        sa.ForeignKey(f"{table}.slug", ondelete=ondelete),
        primary_key=primary_key,
        nullable=False,
    )


def _body() -> sa.Column[Any]:
    return sa.Column("body", sa.JSON(), nullable=False)


def _position() -> sa.Column[Any]:
    return sa.Column("position", sa.Integer(), nullable=False)


def _item(name: str, *columns: sa.Column[Any]) -> sa.Table:
    slug = sa.Column("slug", sa.String(80), primary_key=True)
    return sa.Table(name, META, slug, _position(), *columns, _body())


def _figures(name: str, parent: sa.Column[Any], indicator: sa.Column[Any]) -> sa.Table:
    return sa.Table(
        name,
        META,
        sa.Column("id", sa.Integer(), primary_key=True),
        parent,
        indicator,
        _position(),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(1), nullable=False),
        _body(),
        sa.UniqueConstraint(parent.name, indicator.name),
    )


def _indicator_key() -> sa.Column[Any]:
    return sa.Column(
        "indicator_key",
        sa.String(64),
        sa.ForeignKey("indicator.key", ondelete="RESTRICT"),
        nullable=False,
    )


# The tables of the old layout, in dependency order (as the initial migration made them).
KB_META = sa.Table("kb_meta", META, sa.Column("id", sa.Integer(), primary_key=True), _body())
INDICATOR = sa.Table(
    "indicator",
    META,
    sa.Column("key", sa.String(64), primary_key=True),
    _position(),
    sa.Column("dimension", sa.String(20), nullable=False, index=True),
    sa.Column("unit", sa.String(40), nullable=False),
    sa.Column("direction", sa.String(20), nullable=False),
    sa.Column("min_value", sa.Float(), nullable=False),
    sa.Column("max_value", sa.Float(), nullable=False),
    sa.Column("derived", sa.Boolean(), nullable=False),
    _body(),
)
BENCHMARK = _item(
    "benchmark",
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("region", sa.String(60), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
)
CHALLENGE = _item(
    "challenge",
    sa.Column("family", sa.String(20), nullable=False),
    sa.Column("min_indicators", sa.Integer(), nullable=False),
)
SIGNAL = _item("signal", _slug_of("challenge_slug", "challenge", "RESTRICT"))
PATH = _item("path", sa.Column("family", sa.String(20), nullable=False, index=True))
EXAMPLE = _item("example")
REFERENCE_COUNTY = _item(
    "reference_county",
    sa.Column("code", sa.String(6), nullable=False),
    sa.Column("province", sa.String(60), nullable=False),
)
CHALLENGE_RULE = sa.Table(
    "challenge_rule",
    META,
    sa.Column("id", sa.Integer(), primary_key=True),
    _slug_of("challenge_slug", "challenge", "CASCADE"),
    _indicator_key(),
    _position(),
    sa.Column("bad_when", sa.String(10), nullable=False),
    sa.Column("weight", sa.Float(), nullable=False),
    _body(),
    sa.UniqueConstraint("challenge_slug", "indicator_key"),
)
PATH_CHALLENGE = sa.Table(
    "path_challenge",
    META,
    _slug_of("path_slug", "path", "CASCADE", primary_key=True),
    _slug_of("challenge_slug", "challenge", "RESTRICT", primary_key=True),
    _position(),
    sa.Column("weight", sa.Float(), nullable=False),
    _body(),
)
EXAMPLE_PATH = sa.Table(
    "example_path",
    META,
    _slug_of("example_slug", "example", "CASCADE", primary_key=True),
    _slug_of("path_slug", "path", "RESTRICT", primary_key=True),
    _position(),
)
BENCHMARK_VALUE = _figures(
    "benchmark_value",
    _slug_of("benchmark_slug", "benchmark", "CASCADE"),
    sa.Column("indicator", sa.String(64), nullable=False),
)
REFERENCE_VALUE = _figures(
    "reference_value", _slug_of("county_slug", "reference_county", "CASCADE"), _indicator_key()
)


class Items(NamedTuple):
    """One kind of item: its table, its key, the columns copied from item fields (column ->
    field) and the nested lists kept in child tables."""

    kind: str
    table: sa.Table
    key: str = "slug"
    columns: dict[str, str] = {}  # never mutated


class Children(NamedTuple):
    """One nested list: the parent's kind and list, the table, the column naming the parent, the
    columns copied from each child; ``value`` names the column that is the child itself."""

    parent: str
    nested: str
    table: sa.Table
    parent_column: str
    columns: dict[str, str] = {}  # never mutated
    value: str | None = None


FIGURE = {"value": "value", "year": "year", "tag": "tag"}
ITEMS = (
    Items(
        "indicators",
        INDICATOR,
        "key",
        {
            "dimension": "dimension",
            "unit": "unit",
            "direction": "direction",
            "min_value": "min",
            "max_value": "max",
            "derived": "derived",
        },
    ),
    Items(
        "challenges", CHALLENGE, columns={"family": "family", "min_indicators": "min_indicators"}
    ),
    Items("signals", SIGNAL, columns={"challenge_slug": "challenge"}),
    Items("paths", PATH, columns={"family": "family"}),
    Items("examples", EXAMPLE),
    Items("benchmarks", BENCHMARK, columns={"kind": "kind", "region": "region", "year": "year"}),
    Items("reference_counties", REFERENCE_COUNTY, columns={"code": "code", "province": "province"}),
)
CHILDREN = (
    Children(
        "challenges",
        "rules",
        CHALLENGE_RULE,
        "challenge_slug",
        {"indicator_key": "indicator", "bad_when": "bad_when", "weight": "weight"},
    ),
    Children(
        "paths",
        "addresses",
        PATH_CHALLENGE,
        "path_slug",
        {"challenge_slug": "challenge", "weight": "weight"},
    ),
    Children("examples", "paths", EXAMPLE_PATH, "example_slug", value="path_slug"),
    Children(
        "benchmarks",
        "values",
        BENCHMARK_VALUE,
        "benchmark_slug",
        {"indicator": "indicator", **FIGURE},
    ),
    Children(
        "reference_counties",
        "values",
        REFERENCE_VALUE,
        "county_slug",
        {"indicator_key": "indicator", **FIGURE},
    ),
)
# Children before parents: the order to drop (and the reverse, to create).
TABLES = (
    SIGNAL,
    REFERENCE_VALUE,
    PATH_CHALLENGE,
    EXAMPLE_PATH,
    CHALLENGE_RULE,
    BENCHMARK_VALUE,
    REFERENCE_COUNTY,
    PATH,
    KB_META,
    INDICATOR,
    EXAMPLE,
    CHALLENGE,
    BENCHMARK,
)
KB_VERSION = sa.table(
    "kb_version",
    sa.column("number", sa.Integer()),
    sa.column("checksum", sa.String()),
    sa.column("origin", sa.String()),
    sa.column("note", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
KB_DOCUMENT = sa.table(
    "kb_document",
    sa.column("checksum", sa.String()),
    sa.column("body", sa.LargeBinary()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _nested(conn: sa.Connection, spec: Children) -> dict[str, list[Any]]:
    """Each parent's nested list, in order."""
    found: dict[str, list[Any]] = defaultdict(list)
    rows = conn.execute(sa.select(spec.table).order_by(spec.table.c.position)).mappings()
    for row in rows:
        value = row["body"] if spec.value is None else row[spec.value]
        found[row[spec.parent_column]].append(value)
    return found


def _assembled(conn: sa.Connection) -> dict[str, Any] | None:
    """The document the tables hold, or None when they hold no knowledge base."""
    meta = conn.execute(sa.select(KB_META.c.body).where(KB_META.c.id == 1)).scalar()
    if meta is None:
        return None
    children = {(c.parent, c.nested): _nested(conn, c) for c in CHILDREN}
    nested_of = defaultdict(list)
    for c in CHILDREN:
        nested_of[c.parent].append(c.nested)
    document: dict[str, Any] = {"meta": meta, "cases": []}
    for spec in ITEMS:
        rows = conn.execute(sa.select(spec.table).order_by(spec.table.c.position)).mappings()
        document[spec.kind] = [
            dict(row["body"])
            | {name: children[(spec.kind, name)][row[spec.key]] for name in nested_of[spec.kind]}
            for row in rows
        ]
    return document


def upgrade() -> None:
    conn = op.get_bind()
    document = _assembled(conn)
    if document is not None:
        _keep_as_latest(conn, orjson.dumps(document, option=orjson.OPT_SORT_KEYS))
    for table in TABLES:
        op.drop_table(table.name)


def _keep_as_latest(conn: sa.Connection, data: bytes) -> None:
    """Keep ``data`` as a document, and make it the latest version unless it is already."""
    checksum = hashlib.sha256(data).hexdigest()
    now = datetime.now(UTC)
    kept = sa.select(KB_DOCUMENT.c.checksum).where(KB_DOCUMENT.c.checksum == checksum)
    if conn.execute(kept).first() is None:
        row = {"checksum": checksum, "body": zlib.compress(data, 6), "created_at": now}
        conn.execute(sa.insert(KB_DOCUMENT).values(**row))
    latest = conn.execute(
        sa.select(KB_VERSION.c.number, KB_VERSION.c.checksum)
        .order_by(KB_VERSION.c.number.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.checksum == checksum:
        return
    version = {
        "number": (latest.number if latest is not None else 0) + 1,
        "checksum": checksum,
        "origin": "migration",
        "note": "the knowledge base stored in tables, kept as a document",
        "created_at": now,
    }
    conn.execute(sa.insert(KB_VERSION).values(**version))


def downgrade() -> None:
    conn = op.get_bind()
    for table in reversed(TABLES):
        table.create(conn)
    latest = conn.execute(
        sa.select(KB_VERSION.c.checksum).order_by(KB_VERSION.c.number.desc()).limit(1)
    ).scalar()
    body = None
    if latest is not None:
        query = sa.select(KB_DOCUMENT.c.body).where(KB_DOCUMENT.c.checksum == latest)
        body = conn.execute(query).scalar()
    if body is not None:
        _split(conn, orjson.loads(zlib.decompress(body)))


def _split(conn: sa.Connection, document: dict[str, Any]) -> None:
    """Write ``document`` into the tables, parents first."""
    conn.execute(sa.insert(KB_META).values(id=1, body=document["meta"]))
    nested_of = defaultdict(set)
    for c in CHILDREN:
        nested_of[c.parent].add(c.nested)
    for spec in ITEMS:
        rows = [
            {spec.key: item[spec.key], "position": n}
            | {column: item[name] for column, name in spec.columns.items()}
            | {"body": {k: v for k, v in item.items() if k not in nested_of[spec.kind]}}
            for n, item in enumerate(document[spec.kind])
        ]
        if rows:
            conn.execute(sa.insert(spec.table), rows)
    for c in CHILDREN:
        key = next(i.key for i in ITEMS if i.kind == c.parent)
        rows = [
            {c.parent_column: parent[key], "position": n}
            | (
                {c.value: child}
                if c.value is not None
                else {column: child[name] for column, name in c.columns.items()} | {"body": child}
            )
            for parent in document[c.parent]
            for n, child in enumerate(parent[c.nested])
        ]
        if rows:
            conn.execute(sa.insert(c.table), rows)
