"""Seeding: validate the whole set first, store it as a version in one transaction, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.domain.knowledge import KnowledgeBase
from app.models import KbVersion, metadata
from app.services.seeding import SeedError, load_seeds, seed
from app.settings import Settings
from tests.conftest import seeds_with


def _dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(Settings(database_url=url), pooled=False)
    with engine.connect() as conn:
        out = {
            t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(t)))
            for t in metadata.sorted_tables
            if t.name != "kb_version"
        }
        out["kb_version"] = [
            tuple(r)
            for r in conn.execute(
                select(
                    metadata.tables["kb_version"].c.number, metadata.tables["kb_version"].c.checksum
                )
            )
        ]
    engine.dispose()
    return out


def _seed(url: str, kb: KnowledgeBase) -> None:
    engine = make_engine(Settings(database_url=url), pooled=False)
    seed(SqlUnitOfWork(engine), kb)
    engine.dispose()


def _stored(url: str) -> tuple[KbVersion | None, KnowledgeBase | None]:
    """The latest version and the knowledge base it serves."""
    engine = make_engine(Settings(database_url=url), pooled=False)
    with SqlUnitOfWork(engine).read() as tx:
        version, stored = tx.kb.latest(), tx.kb.read()
    engine.dispose()
    return version, stored


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_seed_twice_changes_nothing_and_round_trips(
    store: str, request: pytest.FixtureRequest, kb: KnowledgeBase
) -> None:
    url = request.getfixturevalue("sqlite_url" if store == "sqlite" else "pg_seeded_url")
    before = _dump(url)
    _seed(url, kb)
    assert _dump(url) == before
    version, stored = _stored(url)
    assert stored is not None
    assert version is not None
    assert stored.checksum() == kb.checksum() == version.checksum


def _broken_copy(tmp_path: Path) -> Path:
    return seeds_with(
        tmp_path,
        "paths/support-international-institutions.yaml",
        "challenge: insufficient-opening-up, weight: 0.9",
        "challenge: no-such-challenge, weight: 0.9",
        1,
    )


def test_dangling_reference_names_file_item_and_field(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as exc:
        load_seeds(_broken_copy(tmp_path))
    (problem,) = exc.value.problems
    assert problem.startswith(
        "seeds/paths/support-international-institutions.yaml: item 'support-international-institutions': field addresses.0.challenge"
    )
    assert "no-such-challenge" in problem


def test_schema_error_names_file_item_and_field(tmp_path: Path) -> None:
    target = seeds_with(tmp_path, "indicators.yaml", "max: 20\n", "max: -5\n", 1)
    with pytest.raises(SeedError) as exc:
        load_seeds(target)
    assert any(
        p.startswith("seeds/indicators.yaml: item 'rd_intensity_pct'") for p in exc.value.problems
    )


def test_changed_seed_bumps_the_version_and_replaces_items(
    sqlite_url: str, kb: KnowledgeBase
) -> None:
    smaller = kb.model_copy(update={"examples": kb.examples[:-1]})
    _seed(sqlite_url, smaller)
    version, stored = _stored(sqlite_url)
    assert version is not None
    assert version.number == 2
    assert stored is not None
    assert stored.checksum() == smaller.checksum() == version.checksum
    assert len(stored.examples) == len(kb.examples) - 1
