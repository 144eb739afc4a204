"""Services against in-memory fakes of the repositories: the use cases without a database."""

from __future__ import annotations

import copy
import re

import pytest

from app.domain.cases import CaseSet
from app.domain.knowledge import KnowledgeBase
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import (
    CasesFailed,
    ConfirmationRequired,
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from app.schemas.profile import DEQING_EXAMPLE
from app.services import curation
from app.services.audit import list_events
from app.services.kb_guard import diagnosis_gaps, removals
from app.services.keys import Principal, create_key, list_keys, revoke_key
from app.services.readiness import NotReady, Ready, readiness
from app.services.signing import cursor_key
from tests.unit.fakes import FakeKbRepo, FakeUnitOfWork, State

CURATOR = Principal(7, "curator", frozenset({"kb:write"}))
ADMIN = Principal(1, "admin", frozenset({"admin"}))


@pytest.fixture
def uow(kb: KnowledgeBase) -> FakeUnitOfWork:
    state = State()
    repo = FakeKbRepo(state)
    repo.lock()
    repo.record(kb, "seed")  # the version `countypath seed` leaves
    return FakeUnitOfWork(state)


def _signal(kb: KnowledgeBase, slug: str) -> dict[str, object]:
    item = next(s for s in kb.signals if s.slug == "public-services-gap")
    return item.model_dump(mode="json") | {"slug": slug}


# ------------------------------------------------------------------ keys


def test_a_key_is_stored_as_a_hash_and_names_are_unique() -> None:
    uow = FakeUnitOfWork()
    row, key = create_key(uow, "portal-a", ["assessments", "assessments"])
    assert re.fullmatch(r"cp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
    assert row.key_hash != key
    assert key not in row.key_hash
    assert row.scopes == ["assessments"]
    with pytest.raises(Conflict):
        create_key(uow, "portal-a", ["admin"])
    with pytest.raises(InvalidInput):
        create_key(uow, "portal-b", ["root"])
    assert [k.name for k in list_keys(uow)] == ["portal-a"]
    assert uow.commits == 1


def test_revoking_marks_the_key_and_names_must_exist() -> None:
    uow = FakeUnitOfWork()
    create_key(uow, "portal-a", ["assessments"])
    revoke_key(uow, "portal-a")
    assert list_keys(uow)[0].revoked_at is not None
    with pytest.raises(NotFound):
        revoke_key(uow, "nobody")


# ------------------------------------------------------------------ curation


def test_create_records_a_version_and_an_audit_event(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    outcome = curation.create_item(uow, CURATOR, "signals", _signal(kb, "long-commutes"))
    assert outcome.snapshot.version == 2
    assert outcome.snapshot.signals["long-commutes"].slug == "long-commutes"
    stored = uow.state.kb
    assert stored is not None
    assert any(s.slug == "long-commutes" for s in stored.signals)
    assert uow.state.versions[-1].origin == "api:curator"
    event = uow.state.events[-1]
    assert (event.action, event.entity, event.slug, event.actor) == (
        "create",
        "signals",
        "long-commutes",
        "curator",
    )
    with pytest.raises(Conflict):
        curation.create_item(uow, CURATOR, "signals", _signal(kb, "long-commutes"))
    assert len(uow.state.versions) == 2


def test_replace_and_patch_need_the_current_etag(uow: FakeUnitOfWork, kb: KnowledgeBase) -> None:
    path = next(p for p in kb.paths if p.slug == "talent-ecosystem")
    etag = curation.item_etag(path)
    patch = {"title": {"en": "A city-grade life for talent", "zh": "为人才营造城市级生活"}}
    with pytest.raises(PreconditionRequired):
        curation.patch_item(uow, CURATOR, "paths", "talent-ecosystem", patch, None)
    done = curation.patch_item(uow, CURATOR, "paths", "talent-ecosystem", patch, etag)
    assert done.etag != etag
    with pytest.raises(PreconditionFailed):
        curation.patch_item(uow, CURATOR, "paths", "talent-ecosystem", patch, etag)
    whole = path.model_dump(mode="json") | {"slug": "other"}
    with pytest.raises(InvalidInput):
        curation.replace_item(uow, CURATOR, "paths", "talent-ecosystem", whole, done.etag)
    with pytest.raises(NotFound):
        curation.replace_item(uow, CURATOR, "paths", "nowhere", whole, done.etag)
    assert [e.action for e in uow.state.events] == ["update"]


def test_a_delete_that_breaks_a_reference_changes_nothing(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    challenge = next(c for c in kb.challenges if c.slug == "insufficient-opening-up")
    etag = curation.item_etag(challenge)
    with pytest.raises(Conflict, match="still referenced"):
        curation.delete_item(uow, CURATOR, "challenges", challenge.slug, etag)
    assert uow.commits == 0
    assert uow.state.kb == kb


def test_import_is_all_or_nothing_and_idempotent(uow: FakeUnitOfWork, kb: KnowledgeBase) -> None:
    document = kb.model_dump(mode="json")
    _, changed = curation.import_kb(uow, CURATOR, document)
    assert changed is False
    broken = copy.deepcopy(document)
    broken["signals"][0]["challenge"] = "nowhere"
    with pytest.raises(InvalidInput):
        curation.import_kb(uow, CURATOR, broken)
    smaller = copy.deepcopy(document)
    smaller["examples"] = smaller["examples"][:-1]
    snap, changed = curation.import_kb(uow, CURATOR, smaller)
    assert changed is True
    assert snap.version == 2
    assert uow.state.events[-1].action == "import"
    assert uow.state.kb is not None
    assert len(uow.state.kb.examples) == len(kb.examples) - 1


# ------------------------------------------------------------------ audit and readiness


def test_audit_pages_newest_first(uow: FakeUnitOfWork, kb: KnowledgeBase) -> None:
    for slug in ("first-signal", "second-signal"):
        curation.create_item(uow, CURATOR, "signals", _signal(kb, slug))
    page = list_events(uow, 0, 1)
    assert [e["slug"] for e in page] == ["second-signal"]
    assert page[0]["at"].endswith("Z")
    assert [e["slug"] for e in list_events(uow, 1, 5)] == ["first-signal"]


def test_readiness_names_what_is_missing(snapshot: Snapshot) -> None:
    state = State(revision="abc")
    ready = readiness(FakeUnitOfWork(state), "abc", snapshot)
    assert ready == Ready("abc", snapshot.kb_version)
    pending = readiness(FakeUnitOfWork(state), "def", snapshot)
    assert isinstance(pending, NotReady)
    assert pending.code == "MIGRATIONS_PENDING"
    unloaded = readiness(FakeUnitOfWork(state), "abc", None)
    assert isinstance(unloaded, NotReady)
    assert unloaded.code == "KB_NOT_LOADED"
    hollow = compile_snapshot(snapshot.kb.model_copy(update={"paths": []}), 2, "0" * 64)
    cannot = readiness(FakeUnitOfWork(state), "abc", hollow)
    assert isinstance(cannot, NotReady)
    assert cannot.code == "KB_CANNOT_DIAGNOSE"
    assert "no paths" in cannot.detail
    state.down = True
    down = readiness(FakeUnitOfWork(state), "abc", snapshot)
    assert isinstance(down, NotReady)
    assert down.code == "DATABASE_UNAVAILABLE"


# ------------------------------------------------------------------ versions, guard, rollback


def test_an_import_that_empties_a_kind_needs_confirmation(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    hollow = kb.model_dump(mode="json") | {"benchmarks": [], "cases": []}  # cases read benchmarks
    every = f"every one of the {len(kb.benchmarks)} benchmarks"
    with pytest.raises(ConfirmationRequired, match=every):
        curation.import_kb(uow, CURATOR, hollow)
    assert uow.commits == 0
    _, changed = curation.import_kb(uow, CURATOR, hollow, confirm=True)
    assert changed is True


def test_removing_most_of_a_kind_needs_confirmation(kb: KnowledgeBase) -> None:
    half = len(kb.paths) // 2
    fewer = kb.model_copy(update={"paths": kb.paths[: len(kb.paths) - half]})
    assert removals(kb, fewer) == []  # half exactly is allowed
    fewest = kb.model_copy(update={"paths": kb.paths[: len(kb.paths) - half - 1]})
    assert removals(kb, fewest) == [f"removes {half + 1} of the {len(kb.paths)} paths"]
    assert diagnosis_gaps(kb) == []
    assert diagnosis_gaps(kb.model_copy(update={"challenges": [], "paths": []})) == [
        "no challenges",
        "no paths",
    ]


def test_rollback_restores_an_earlier_version_as_a_new_one(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    curation.create_item(uow, CURATOR, "signals", _signal(kb, "long-commutes"))
    current = uow.state.versions[-1]
    tag = curation.kb_etag(current.number, current.checksum)
    with pytest.raises(PreconditionRequired):
        curation.rollback(uow, ADMIN, 1, None)
    with pytest.raises(PreconditionFailed):
        curation.rollback(uow, ADMIN, 1, curation.kb_etag(1, kb.checksum()))
    with pytest.raises(InvalidInput):
        curation.rollback(uow, ADMIN, 9, tag)
    snap, changed = curation.rollback(uow, ADMIN, 1, tag)
    assert changed is True
    assert (snap.version, snap.checksum) == (3, kb.checksum())
    assert uow.state.kb == kb
    event = uow.state.events[-1]
    assert (event.action, event.actor, event.before, event.after) == (
        "rollback",
        "admin",
        {"version": 2, "checksum": current.checksum},
        {"version": 1, "checksum": kb.checksum()},
    )
    listed = curation.list_versions(uow, 0, 10)
    assert [v["version"] for v in listed] == [3, 2, 1]
    assert all(v["restorable"] for v in listed)


def test_a_version_whose_content_was_not_kept_cannot_be_restored(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    curation.create_item(uow, CURATOR, "signals", _signal(kb, "long-commutes"))
    assert curation.list_versions(uow, 0, 10)[1]["restorable"] is True
    uow.state.documents.pop(kb.checksum())  # a version made before contents were kept
    assert curation.list_versions(uow, 0, 10)[1]["restorable"] is False
    with pytest.raises(Conflict, match="not kept"):
        curation.rollback(uow, ADMIN, 1, curation.kb_etag(2, uow.state.versions[-1].checksum))


def test_the_cursor_key_is_generated_once_and_shared() -> None:
    uow = FakeUnitOfWork()
    first = cursor_key(uow, None)
    assert len(first) >= 48
    assert cursor_key(uow, None) == first  # another worker reads the same key
    assert uow.commits == 2  # the second write found it and added nothing
    assert list(uow.state.secrets) == ["cursor-signing"]
    assert (
        cursor_key(uow, "an operator's secret of 32 chars!") == b"an operator's secret of 32 chars!"
    )


def _wishful() -> CaseSet:
    """A case set the seeds' knowledge base does not meet."""
    case = {"name": "judged nationally", "why": "w", "expect": {"benchmark": "china-2024"}}
    return CaseSet.model_validate({"slug": "wishful", "base": DEQING_EXAMPLE, "cases": [case]})


def test_a_case_failing_before_blocks_no_unrelated_write_but_must_pass_once_changed(
    uow: FakeUnitOfWork, kb: KnowledgeBase
) -> None:
    """Seeds stored as they are may carry a failing case (`kb test` is what catches that);
    a curator's unrelated write is not refused for it, a write of that case is judged by it."""
    repo = FakeKbRepo(uow.state)
    repo.lock()
    repo.record(kb.model_copy(update={"cases": [*kb.cases, _wishful()]}), "seed")
    curation.create_item(uow, CURATOR, "signals", _signal(kb, "long-commutes"))
    document = _wishful().model_dump(mode="json")
    document["cases"][0]["name"] = "judged nationally, renamed"
    etag = curation.item_etag(_wishful())
    with pytest.raises(CasesFailed) as refused:
        curation.replace_item(uow, CURATOR, "cases", "wishful", document, etag)
    (error,) = refused.value.errors
    assert error.pointer == f"/cases/{len(kb.cases)}/cases/0/expect/benchmark"
    assert error.message.endswith("expected benchmark china-2024; found zhejiang-2024")
