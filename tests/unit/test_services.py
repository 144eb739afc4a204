"""Services against in-memory fakes of the repositories: the use cases without a database."""

from __future__ import annotations

import copy
import re

import pytest

from app.domain.knowledge import KnowledgeBase
from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, PreconditionRequired
from app.services import curation
from app.services.audit import list_events
from app.services.keys import Principal, authenticate, create_key, list_keys, revoke_key
from app.services.readiness import NotReady, Ready, readiness
from tests.unit.fakes import FakeKbRepo, FakeUnitOfWork, State

CURATOR = Principal(7, "curator", frozenset({"kb:write"}))


@pytest.fixture
def uow(kb: KnowledgeBase) -> FakeUnitOfWork:
    state = State(kb=kb)
    FakeKbRepo(state).record(kb.checksum(), "seed")  # the version `countypath seed` leaves
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


def test_a_revoked_key_no_longer_authenticates() -> None:
    uow = FakeUnitOfWork()
    _, key = create_key(uow, "portal-a", ["assessments"])
    who = authenticate(uow, key)
    assert who is not None
    assert who.name == "portal-a"
    assert who.has("assessments")
    assert authenticate(uow, key[:-1] + "x") is None
    revoke_key(uow, "portal-a")
    assert authenticate(uow, key) is None
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


def test_readiness_names_what_is_missing() -> None:
    state = State(revision="abc")
    assert readiness(FakeUnitOfWork(state), "abc", "1:x") == Ready("abc", "1:x")
    pending = readiness(FakeUnitOfWork(state), "def", "1:x")
    assert isinstance(pending, NotReady)
    assert pending.code == "MIGRATIONS_PENDING"
    state.down = True
    down = readiness(FakeUnitOfWork(state), "abc", "1:x")
    assert isinstance(down, NotReady)
    assert down.code == "DATABASE_UNAVAILABLE"
