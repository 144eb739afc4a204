"""In-memory stand-ins for the repositories and the unit of work, so services are tested without a
database. A write works on a copy of the state and publishes it only when its block ends cleanly,
like a transaction; ``commits`` counts the writes that did."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from app.domain.knowledge import KnowledgeBase
from app.models import ApiKey, Assessment, AuditEvent, DuplicateKey, KbVersion


@dataclass
class State:
    versions: list[KbVersion] = field(default_factory=list)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)
    keys: list[ApiKey] = field(default_factory=list)
    documents: dict[str, KnowledgeBase] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    revision: str | None = "head"
    down: bool = False
    duplicate_key: bool = False  # the next assessment stored meets a concurrent duplicate

    @property
    def kb(self) -> KnowledgeBase | None:
        """The knowledge base of the latest version."""
        return self.documents[self.versions[-1].checksum] if self.versions else None


class FakeKbRepo:
    def __init__(self, state: State) -> None:
        self.state = state
        self.locked = False

    def lock(self) -> None:
        self.locked = True

    def read(self) -> KnowledgeBase | None:
        latest = self.latest()
        return None if latest is None else self.document(latest.checksum)

    def latest(self) -> KbVersion | None:
        return self.state.versions[-1] if self.state.versions else None

    def record(self, kb: KnowledgeBase, origin: str, note: str = "") -> KbVersion:
        assert self.locked, "a writer must hold the lock"
        self.state.documents.setdefault(kb.checksum(), kb)
        row = KbVersion(
            number=len(self.state.versions) + 1,
            checksum=kb.checksum(),
            origin=origin,
            note=note,
            created_at=datetime.now(UTC),
        )
        self.state.versions.append(row)
        return row

    def document(self, checksum: str) -> KnowledgeBase | None:
        return self.state.documents.get(checksum)

    def version(self, number: int) -> KbVersion | None:
        return next((v for v in self.state.versions if v.number == number), None)

    def versions(self, offset: int, count: int) -> list[KbVersion]:
        return list(reversed(self.state.versions))[offset : offset + count]

    def kept(self, checksums: Collection[str]) -> set[str]:
        return set(checksums) & set(self.state.documents)


class FakeAssessmentRepo:
    def __init__(self, state: State) -> None:
        self.state = state
        self.rows = state.assessments

    def by_idempotency_key(self, owner_key_id: int, key: str) -> Assessment | None:
        mine = self._mine(owner_key_id, None)
        return next((r for r in mine if r.idempotency_key == key), None)

    def release_key(self, row: Assessment) -> None:
        row.idempotency_key = None

    def add(self, row: Assessment) -> None:
        if self.state.duplicate_key:
            self.state.duplicate_key = False
            raise DuplicateKey
        self.rows[row.id] = row

    def get(self, assessment_id: str) -> Assessment | None:
        return self.rows.get(assessment_id)

    def _mine(self, owner: int, code: str | None) -> list[Assessment]:
        return [
            r
            for r in self.rows.values()
            if r.owner_key_id == owner and (code is None or r.county_code == code)
        ]

    def page(self, owner: int, code: str | None, offset: int, count: int) -> list[Assessment]:
        rows = sorted(
            self._mine(owner, code),
            key=lambda r: (r.year is None, r.year or 0, r.created_at, r.id),
        )
        return rows[offset : offset + count]

    def latest_per_year(self, owner: int, code: str) -> list[Assessment]:
        latest: dict[int, Assessment] = {}
        for r in sorted(self._mine(owner, code), key=lambda r: (r.created_at, r.id)):
            if r.year is not None:
                latest[r.year] = r
        return [latest[y] for y in sorted(latest)]

    def with_plans(self, owner: int, code: str) -> list[Assessment]:
        rows = [r for r in self._mine(owner, code) if r.plan is not None and r.year]
        return sorted(rows, key=lambda r: (r.year or 0, r.created_at))[-5:]


class FakeAuditRepo:
    def __init__(self, state: State) -> None:
        self.state = state

    def add(self, event: AuditEvent) -> None:
        event.id = len(self.state.events) + 1
        self.state.events.append(event)

    def page(self, offset: int, count: int) -> list[AuditEvent]:
        return list(reversed(self.state.events))[offset : offset + count]


class FakeKeyRepo:
    def __init__(self, state: State) -> None:
        self.state = state

    def named(self, name: str) -> ApiKey | None:
        return next((k for k in self.state.keys if k.name == name), None)

    def add(self, row: ApiKey) -> ApiKey:
        row.id = len(self.state.keys) + 1
        self.state.keys.append(row)
        return row

    def listing(self) -> list[ApiKey]:
        return list(self.state.keys)

    def active(self) -> list[ApiKey]:
        _unless_down(self.state)
        return [k for k in self.state.keys if k.revoked_at is None]

    def stamp(self) -> tuple[int, int, int, str | None]:
        _unless_down(self.state)
        revoked = [k.revoked_at for k in self.state.keys if k.revoked_at is not None]
        last = max(revoked, default=None)
        return len(self.state.keys), len(self.state.keys), len(revoked), last and str(last)


class FakeSchemaRepo:
    def __init__(self, state: State) -> None:
        self.state = state

    def revision(self) -> str | None:
        _unless_down(self.state)
        return self.state.revision


def _unless_down(state: State) -> None:
    if state.down:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))


class FakeSecretRepo:
    def __init__(self, state: State) -> None:
        self.state = state

    def get(self, name: str) -> str | None:
        _unless_down(self.state)
        return self.state.secrets.get(name)

    def add(self, name: str, value: str) -> None:
        self.state.secrets[name] = value


class FakeTx:
    def __init__(self, state: State) -> None:
        self.kb = FakeKbRepo(state)
        self.assessments = FakeAssessmentRepo(state)
        self.audit = FakeAuditRepo(state)
        self.keys = FakeKeyRepo(state)
        self.schema = FakeSchemaRepo(state)
        self.secrets = FakeSecretRepo(state)


class FakeUnitOfWork:
    def __init__(self, state: State | None = None) -> None:
        self.state = state or State()
        self.commits = 0

    def close(self) -> None:
        pass

    @contextmanager
    def read(self) -> Iterator[FakeTx]:
        yield FakeTx(self.state)

    @contextmanager
    def write(self) -> Iterator[FakeTx]:
        work = copy.deepcopy(self.state)
        yield FakeTx(work)
        self.state = work
        self.commits += 1
