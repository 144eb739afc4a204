"""Reading and writing the knowledge base. The document is split into rows by relation and
reassembled on read, so the database enforces references and the checksum survives a round trip.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, SQLModel, col

from app.db.repository import Repository
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    Indicator,
    KnowledgeBase,
    Meta,
    Path,
    ReferenceCounty,
    Signal,
)
from app.models import (
    BenchmarkRow,
    BenchmarkValueRow,
    ChallengeRow,
    ExampleLinkRow,
    ExampleRow,
    IndicatorRow,
    KbDocument,
    KbMetaRow,
    KbVersion,
    PathLinkRow,
    PathRow,
    ReferenceCountyRow,
    ReferenceValueRow,
    RuleRow,
    SignalRow,
)

_CHILD_TABLES: tuple[type[SQLModel], ...] = (
    ExampleLinkRow,
    PathLinkRow,
    RuleRow,
    BenchmarkValueRow,
    ReferenceValueRow,
)


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


def _top_level(kb: KnowledgeBase) -> list[tuple[type[SQLModel], str, list[SQLModel]]]:
    """Top-level rows by table, in dependency order (a table refers only to tables above it)."""
    return [
        (KbMetaRow, "id", [KbMetaRow(id=1, body=_dump(kb.meta))]),
        (IndicatorRow, "key", _indicator_rows(kb)),
        (ChallengeRow, "slug", _challenge_rows(kb)),
        (SignalRow, "slug", _signal_rows(kb)),
        (PathRow, "slug", _path_rows(kb)),
        (ExampleRow, "slug", _example_rows(kb)),
        (BenchmarkRow, "slug", _benchmark_rows(kb)),
        (ReferenceCountyRow, "slug", _county_rows(kb)),
    ]


def _indicator_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        IndicatorRow(
            key=i.key,
            position=n,
            dimension=i.dimension,
            unit=i.unit,
            direction=i.direction,
            min_value=i.min,
            max_value=i.max,
            derived=i.derived,
            body=_dump(i),
        )
        for n, i in enumerate(kb.indicators)
    ]


def _challenge_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        ChallengeRow(
            slug=c.slug,
            position=n,
            family=c.family,
            min_indicators=c.min_indicators,
            body=_dump(c, {"rules"}),
        )
        for n, c in enumerate(kb.challenges)
    ]


def _signal_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        SignalRow(slug=s.slug, position=n, challenge_slug=s.challenge, body=_dump(s))
        for n, s in enumerate(kb.signals)
    ]


def _path_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        PathRow(slug=p.slug, position=n, family=p.family, body=_dump(p, {"addresses"}))
        for n, p in enumerate(kb.paths)
    ]


def _example_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        ExampleRow(slug=e.slug, position=n, body=_dump(e, {"paths"}))
        for n, e in enumerate(kb.examples)
    ]


def _benchmark_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        BenchmarkRow(
            slug=b.slug,
            position=n,
            kind=b.kind,
            region=b.region,
            year=b.year,
            body=_dump(b, {"values"}),
        )
        for n, b in enumerate(kb.benchmarks)
    ]


def _county_rows(kb: KnowledgeBase) -> list[SQLModel]:
    return [
        ReferenceCountyRow(
            slug=r.slug, position=n, code=r.code, province=r.province, body=_dump(r, {"values"})
        )
        for n, r in enumerate(kb.reference_counties)
    ]


def _link_rows(kb: KnowledgeBase) -> list[SQLModel]:
    """The relations between top-level items: rules, path-challenge and example-path links."""
    rows: list[SQLModel] = []
    for c in kb.challenges:
        rows += [
            RuleRow(
                challenge_slug=c.slug,
                indicator_key=r.indicator,
                position=n,
                bad_when=r.bad_when,
                weight=r.weight,
                body=_dump(r),
            )
            for n, r in enumerate(c.rules)
        ]
    for p in kb.paths:
        rows += [
            PathLinkRow(
                path_slug=p.slug,
                challenge_slug=a.challenge,
                position=n,
                weight=a.weight,
                body=_dump(a),
            )
            for n, a in enumerate(p.addresses)
        ]
    for e in kb.examples:
        rows += [
            ExampleLinkRow(example_slug=e.slug, path_slug=slug, position=n)
            for n, slug in enumerate(e.paths)
        ]
    return rows


def _value_rows(kb: KnowledgeBase) -> list[SQLModel]:
    """Benchmark and reference-county figures."""
    rows: list[SQLModel] = []
    for b in kb.benchmarks:
        rows += [
            BenchmarkValueRow(
                benchmark_slug=b.slug,
                position=n,
                indicator=v.indicator,
                value=v.value,
                year=v.year,
                tag=v.tag,
                body=_dump(v),
            )
            for n, v in enumerate(b.values)
        ]
    for r in kb.reference_counties:
        rows += [
            ReferenceValueRow(
                county_slug=r.slug,
                indicator_key=v.indicator,
                position=n,
                value=v.value,
                year=v.year,
                tag=v.tag,
                body=_dump(v),
            )
            for n, v in enumerate(r.values)
        ]
    return rows


def write_kb(session: Session, kb: KnowledgeBase) -> None:
    """Replace the stored knowledge base with ``kb`` inside the caller's transaction.

    Links and child rows are rewritten; top-level items are upserted by slug, and items that
    disappeared are deleted last, dependants first, so no foreign key is ever left dangling.
    """
    for child in _CHILD_TABLES:
        session.execute(delete(child))
    stale = [(table, pk, _sync(session, table, pk, rows)) for table, pk, rows in _top_level(kb)]
    for table, pk, keys in reversed(stale):
        if keys:
            session.execute(delete(table).where(getattr(table, pk).in_(keys)))
    session.flush()
    session.add_all(_link_rows(kb) + _value_rows(kb))
    session.flush()


def _ordered(session: Session, table: Any) -> list[Any]:
    return list(session.execute(select(table).order_by(table.position)).scalars())


def read_kb(session: Session) -> KnowledgeBase | None:
    meta = session.get(KbMetaRow, 1)
    if meta is None:
        return None
    rules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rule in _ordered(session, RuleRow):
        rules[rule.challenge_slug].append(rule.body)
    addresses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in _ordered(session, PathLinkRow):
        addresses[link.path_slug].append(link.body)
    example_paths: dict[str, list[str]] = defaultdict(list)
    for elink in _ordered(session, ExampleLinkRow):
        example_paths[elink.example_slug].append(elink.path_slug)
    bvalues: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bv in _ordered(session, BenchmarkValueRow):
        bvalues[bv.benchmark_slug].append(bv.body)
    rvalues: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rv in _ordered(session, ReferenceValueRow):
        rvalues[rv.county_slug].append(rv.body)

    return KnowledgeBase(
        meta=Meta.model_validate(meta.body),
        indicators=[Indicator.model_validate(r.body) for r in _ordered(session, IndicatorRow)],
        benchmarks=[
            Benchmark.model_validate(r.body | {"values": bvalues[r.slug]})
            for r in _ordered(session, BenchmarkRow)
        ],
        signals=[Signal.model_validate(r.body) for r in _ordered(session, SignalRow)],
        challenges=[
            Challenge.model_validate(r.body | {"rules": rules[r.slug]})
            for r in _ordered(session, ChallengeRow)
        ],
        paths=[
            Path.model_validate(r.body | {"addresses": addresses[r.slug]})
            for r in _ordered(session, PathRow)
        ],
        examples=[
            Example.model_validate(r.body | {"paths": example_paths[r.slug]})
            for r in _ordered(session, ExampleRow)
        ],
        reference_counties=[
            ReferenceCounty.model_validate(r.body | {"values": rvalues[r.slug]})
            for r in _ordered(session, ReferenceCountyRow)
        ],
    )


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
