"""Schemathesis over every operation, in process: positive and negative generation, every check.
Zero server errors, zero schema violations, zero undocumented status codes.

In process, the explicit examples and the fuzzing phase run; the coverage phase (every boundary
and every negative variant of every parameter, several hundred cases for an operation with a
rich body) runs against a live server on SQLite and on PostgreSQL in CI (.ci/contract-live),
where it also meets the real HTTP stack. Running it here too took a fifth of the suite's time
for cases the live run makes anyway."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.main import create_app
from app.migrate import upgrade
from app.services.keys import create_key
from app.services.seeding import load_seeds, seed
from app.settings import Settings
from tests import contract_hooks  # noqa: F401 - registers the .xlsx serializer
from tests.conftest import ROOT, SEEDS

MAX_EXAMPLES = 20


def _database() -> str:
    """The schema is loaded at collection time, so this module builds its own database. It is
    removed when the process ends, not with the module's fixture: pytest-xdist may hand the same
    process this module's tests in two runs, tearing the module's fixtures down in between."""
    path = Path(tempfile.mkdtemp(prefix="countypath-contract-")) / "c.db"
    atexit.register(shutil.rmtree, path.parent, ignore_errors=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(Settings(database_url=url), pooled=False)
    seed(SqlUnitOfWork(engine), load_seeds(SEEDS))
    engine.dispose()
    return url


# A small batch limit keeps generated boundary batches quick; the limit itself is what is tested.
APP = create_app(Settings(database_url=_database(), rate_limit="off", max_batch_profiles=200))
ADMIN_KEY = create_key(
    SqlUnitOfWork(make_engine(APP.state.settings, pooled=False)), "contract-admin", ["admin"]
)[1]
# The same expectations as the live run (.ci/contract-live): schemathesis.toml says which statuses
# a valid request may still get from what only the knowledge base knows, and why the batch
# accepts invalid rows.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
)
schema.config.generation.update(max_examples=MAX_EXAMPLES, allow_x00=True)
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def contract_client() -> Iterator[TestClient]:
    with TestClient(APP) as client:
        yield client


@schema.parametrize()
# Derandomised: the same cases every run, as the live run uses a fixed seed. A random pick could
# mutate a header or query value that the call then overrides or that serialises to a valid one,
# and report data that never reached the server as accepted.
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_honours_its_contract(
    case: schemathesis.Case, contract_client: TestClient
) -> None:
    case.call_and_validate(
        session=contract_client,
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "X-API-Key": ADMIN_KEY},
    )
