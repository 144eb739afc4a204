"""Reading and writing the knowledge base. The document is split into rows by relation and
reassembled on read, so the database enforces references and the checksum survives a round trip.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, SQLModel, col

from app.db.repository import Repository
from app.domain.item_kinds import BY_ATTR
from app.domain.knowledge import KnowledgeBase, Meta
from app.models import KbDocument, KbMetaRow, KbVersion
from app.models import kb as tables


def latest_version(session: Session) -> KbVersion | None:
    stmt = select(KbVersion).order_by(KbVersion.number.desc()).limit(1)  # type: ignore[attr-defined]
    return session.execute(stmt).scalars().first()


def latest_version_number(session: Session) -> int:
    value = session.execute(select(func.max(KbVersion.number))).scalar()
    return int(value or 0)


def record_version(session: Session, kb: KnowledgeBase, origin: str, note: str = "") -> KbVersion:
    """A new version for ``kb`` (just written), its content kept so it can be restored."""
    checksum = keep_document(session, kb)
    version = KbVersion(
        number=latest_version_number(session) + 1,
        checksum=checksum,
        origin=origin,
        note=note[:400],
        created_at=datetime.now(UTC),
    )
    session.add(version)
    session.flush()
    return version


def keep_document(session: Session, kb: KnowledgeBase) -> str:
    """Store ``kb``'s content under its checksum unless it is there already; the checksum."""
    data = kb.canonical_json()
    checksum = hashlib.sha256(data).hexdigest()
    if session.get(KbDocument, checksum) is None:
        body = zlib.compress(data, 6)
        session.add(KbDocument(checksum=checksum, body=body, created_at=datetime.now(UTC)))
        session.flush()
    return checksum


def read_document(session: Session, checksum: str) -> KnowledgeBase | None:
    row = session.get(KbDocument, checksum)
    if row is None:
        return None
    data = zlib.decompress(row.body)
    if hashlib.sha256(data).hexdigest() != checksum:
        raise ValueError(f"the stored document {checksum} does not match its checksum")
    return KnowledgeBase.model_validate_json(data)


def _dump(model: Any, exclude: set[str] | None = None) -> dict[str, Any]:
    return dict(model.model_dump(mode="json", exclude=exclude or set()))


def _sync(session: Session, table: type[SQLModel], pk: str, rows: list[SQLModel]) -> list[Any]:
    """Upsert rows by primary key; return the keys no longer present (deleted by the caller)."""
    wanted = {getattr(r, pk) for r in rows}
    existing = {getattr(r, pk): r for r in session.execute(select(table)).scalars()}
    for row in rows:
        current = existing.get(getattr(row, pk))
        if current is None:
            session.add(row)
        else:
            for name in type(row).model_fields:
                new = getattr(row, name)
                if getattr(current, name) != new:
                    setattr(current, name, new)
    session.flush()
    return [key for key in existing if key not in wanted]


@dataclass(frozen=True, slots=True)
class ItemTable:
    """How one kind of top-level item is stored: its table and key, the columns copied from the
    item for the database to index or constrain (column -> item field), and the nested lists
    kept in child tables rather than in the row's body."""

    kind: str
    table: type[SQLModel]
    columns: dict[str, str] = field(default_factory=dict)
    nested: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """The primary key, named as the item's identifying field (``slug`` or ``key``)."""
        return BY_ATTR[self.kind].ident


@dataclass(frozen=True, slots=True)
class ChildTable:
    """How one nested list is stored: the parent kind and its list, the table and the column
    naming the parent, and the columns copied from each child. A child with no fields of its own
    (an example's path slugs) is the ``value_column`` itself; the others keep a body."""

    parent: str
    nested: str
    table: type[SQLModel]
    parent_column: str
    columns: dict[str, str] = field(default_factory=dict)
    value_column: str | None = None


# In dependency order: a table refers only to tables above it.
ITEM_TABLES: tuple[ItemTable, ...] = (
    ItemTable(
        "indicators",
        tables.IndicatorRow,
        {
            "dimension": "dimension",
            "unit": "unit",
            "direction": "direction",
            "min_value": "min",
            "max_value": "max",
            "derived": "derived",
        },
    ),
    ItemTable(
        "challenges",
        tables.ChallengeRow,
        {"family": "family", "min_indicators": "min_indicators"},
        frozenset({"rules"}),
    ),
    ItemTable("signals", tables.SignalRow, {"challenge_slug": "challenge"}),
    ItemTable("paths", tables.PathRow, {"family": "family"}, frozenset({"addresses"})),
    ItemTable("examples", tables.ExampleRow, nested=frozenset({"paths"})),
    ItemTable(
        "benchmarks",
        tables.BenchmarkRow,
        {"kind": "kind", "region": "region", "year": "year"},
        frozenset({"values"}),
    ),
    ItemTable(
        "reference_counties",
        tables.ReferenceCountyRow,
        {"code": "code", "province": "province"},
        frozenset({"values"}),
    ),
)
_FIGURE = {"value": "value", "year": "year", "tag": "tag"}
CHILD_TABLES: tuple[ChildTable, ...] = (
    ChildTable(
        "challenges",
        "rules",
        tables.RuleRow,
        "challenge_slug",
        {"indicator_key": "indicator", "bad_when": "bad_when", "weight": "weight"},
    ),
    ChildTable(
        "paths",
        "addresses",
        tables.PathLinkRow,
        "path_slug",
        {"challenge_slug": "challenge", "weight": "weight"},
    ),
    ChildTable(
        "examples", "paths", tables.ExampleLinkRow, "example_slug", value_column="path_slug"
    ),
    ChildTable(
        "benchmarks",
        "values",
        tables.BenchmarkValueRow,
        "benchmark_slug",
        {"indicator": "indicator", **_FIGURE},
    ),
    ChildTable(
        "reference_counties",
        "values",
        tables.ReferenceValueRow,
        "county_slug",
        {"indicator_key": "indicator", **_FIGURE},
    ),
)


def _copied(item: Any, columns: dict[str, str]) -> dict[str, Any]:
    return {column: getattr(item, name) for column, name in columns.items()}


def _item_rows(kb: KnowledgeBase, spec: ItemTable) -> list[SQLModel]:
    return [
        spec.table(
            **{spec.key: getattr(item, spec.key)},
            position=n,
            **_copied(item, spec.columns),
            body=_dump(item, set(spec.nested)),
        )
        for n, item in enumerate(getattr(kb, spec.kind))
    ]


def _child_rows(kb: KnowledgeBase, spec: ChildTable) -> list[SQLModel]:
    key = BY_ATTR[spec.parent].ident
    rows: list[SQLModel] = []
    for parent in getattr(kb, spec.parent):
        for n, child in enumerate(getattr(parent, spec.nested)):
            if spec.value_column is not None:
                values = {spec.value_column: child}
            else:
                values = _copied(child, spec.columns) | {"body": _dump(child)}
            rows.append(
                spec.table(**{spec.parent_column: getattr(parent, key)}, position=n, **values)
            )
    return rows


def _top_level(kb: KnowledgeBase) -> list[tuple[type[SQLModel], str, list[SQLModel]]]:
    """Top-level rows by table, in dependency order (a table refers only to tables above it)."""
    meta: list[SQLModel] = [KbMetaRow(id=1, body=_dump(kb.meta))]
    return [(KbMetaRow, "id", meta)] + [(t.table, t.key, _item_rows(kb, t)) for t in ITEM_TABLES]


def write_kb(session: Session, kb: KnowledgeBase) -> None:
    """Replace the stored knowledge base with ``kb`` inside the caller's transaction.

    Links and child rows are rewritten; top-level items are upserted by slug, and items that
    disappeared are deleted last, dependants first, so no foreign key is ever left dangling.
    """
    for child in CHILD_TABLES:
        session.execute(delete(child.table))
    stale = [(table, pk, _sync(session, table, pk, rows)) for table, pk, rows in _top_level(kb)]
    for table, pk, keys in reversed(stale):
        if keys:
            session.execute(delete(table).where(getattr(table, pk).in_(keys)))
    session.flush()
    session.add_all([row for spec in CHILD_TABLES for row in _child_rows(kb, spec)])
    session.flush()


def _ordered(session: Session, table: Any) -> list[Any]:
    return list(session.execute(select(table).order_by(table.position)).scalars())


def _children(session: Session, spec: ChildTable) -> dict[str, list[Any]]:
    """Each parent's nested list, in order: child bodies, or the value column's values."""
    found: dict[str, list[Any]] = defaultdict(list)
    for row in _ordered(session, spec.table):
        value = row.body if spec.value_column is None else getattr(row, spec.value_column)
        found[getattr(row, spec.parent_column)].append(value)
    return found


def read_kb(session: Session) -> KnowledgeBase | None:
    meta = session.get(KbMetaRow, 1)
    if meta is None:
        return None
    children = {(c.parent, c.nested): _children(session, c) for c in CHILD_TABLES}
    parts: dict[str, Any] = {"meta": Meta.model_validate(meta.body)}
    for spec in ITEM_TABLES:
        model = BY_ATTR[spec.kind].model
        parts[spec.kind] = [
            model.model_validate(
                row.body
                | {
                    name: children[(spec.kind, name)][getattr(row, spec.key)]
                    for name in sorted(spec.nested)
                }
            )
            for row in _ordered(session, spec.table)
        ]
    return KnowledgeBase(**parts)


class KbRepository(Repository):
    """The stored knowledge base and its versions, for the services that change them."""

    def lock(self) -> None:
        """Serialise writers: whoever holds this row sees the latest committed knowledge base
        (a row lock on PostgreSQL; SQLite's write transactions are exclusive already)."""
        self.session.execute(select(KbMetaRow).where(col(KbMetaRow.id) == 1).with_for_update())

    def read(self) -> KnowledgeBase | None:
        return read_kb(self.session)

    def write(self, kb: KnowledgeBase) -> None:
        write_kb(self.session, kb)

    def latest(self) -> KbVersion | None:
        return latest_version(self.session)

    def record(self, kb: KnowledgeBase, origin: str, note: str = "") -> KbVersion:
        return record_version(self.session, kb, origin, note)

    def keep(self, kb: KnowledgeBase) -> None:
        keep_document(self.session, kb)

    def document(self, checksum: str) -> KnowledgeBase | None:
        return read_document(self.session, checksum)

    def version(self, number: int) -> KbVersion | None:
        return self.session.get(KbVersion, number)

    def versions(self, offset: int, count: int) -> list[KbVersion]:
        """Newest first."""
        stmt = select(KbVersion).order_by(col(KbVersion.number).desc()).offset(offset).limit(count)
        return list(self.session.execute(stmt).scalars())

    def kept(self, checksums: Collection[str]) -> set[str]:
        """Which of these checksums have their document stored."""
        if not checksums:
            return set()
        stmt = select(col(KbDocument.checksum)).where(col(KbDocument.checksum).in_(list(checksums)))
        return set(self.session.execute(stmt).scalars())
