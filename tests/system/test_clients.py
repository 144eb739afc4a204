"""The published document makes clean clients, proven with the real tools: Redocly and Spectral
report no error; openapi-python-client generates without a warning and its client runs a
portal's whole flow against a live server; openapi-typescript's types compile a usage file under
``tsc --strict`` and reject a misspelt field. The Node tools need node and npm: without them these
tests skip, unless COUNTYPATH_REQUIRE_NODE=1 (CI) makes that a failure."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from clients import tools
from tests.conftest import DEQING_PROFILE
from tests.system.serverproc import Proc, make_key, server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node() -> None:
    if not tools.have_node():
        reason = "node and npm are not installed; the client tools come from the npm registry"
        if os.environ.get("COUNTYPATH_REQUIRE_NODE") == "1":
            pytest.fail(reason + " (COUNTYPATH_REQUIRE_NODE=1)")
        pytest.skip(reason)
    tools.install_node_tools()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal.db'}"
    key = make_key(url, "portal", "assessments")
    with server(url) as proc:
        yield proc, key


@pytest.fixture(scope="module")
def published(live: tuple[Proc, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document as the live server publishes it."""
    spec = httpx.get(f"{live[0].base}/openapi.json").json()
    return tools.write_document(tmp_path_factory.mktemp("spec") / "openapi.json", spec)


def test_linters_report_no_error(node: None, published: Path) -> None:
    redocly = tools.redocly_lint(published)
    assert "Your API description is valid" in redocly
    assert "warning" not in redocly.split("validating")[-1].lower(), redocly
    spectral = tools.spectral_lint(published)
    assert "No results with a severity of 'error'" in spectral, spectral


@pytest.fixture(scope="module")
def client_package(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("pyclient")
    output = tools.python_client(published, folder / "countypath_client")
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield "countypath_client"
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.startswith("countypath_client")]:
            del sys.modules[name]


def test_a_code_added_later_is_read_by_the_generated_client(client_package: str) -> None:
    """Warning and problem codes are open sets (docs/versioning.md): the generated client reads
    a code it does not know as a string, and a known one as its enum member."""
    models = importlib.import_module(f"{client_package}.models")
    problem = {"type": "urn:x", "title": "t", "status": 409, "detail": "d", "instance": "/v1/x"}
    newer = models.Problem.from_dict(problem | {"code": "KB_SOMETHING_NEW_2027"})
    assert newer.code == "KB_SOMETHING_NEW_2027"
    known = models.Problem.from_dict(problem | {"code": "NOT_FOUND"})
    assert known.code == models.ErrorCode.NOT_FOUND
    warning = {"indicator": None, "field": "/indicators", "message": "m"}
    assert models.WarningOut.from_dict(warning | {"code": "new_warning_2027"}).code == (
        "new_warning_2027"
    )


def _op(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.api.{name}")


def test_the_portal_flow_runs_on_the_generated_python_client(
    client_package: str, live: tuple[Proc, str]
) -> None:
    proc, key = live
    pkg = importlib.import_module(client_package)
    models = importlib.import_module(f"{client_package}.models")
    types = importlib.import_module(f"{client_package}.types")
    profile = models.ProfileIn.from_dict(json.loads(DEQING_PROFILE.read_text(encoding="utf-8")))
    with (
        pkg.Client(base_url=proc.base, raise_on_unexpected_status=True) as public,
        pkg.AuthenticatedClient(base_url=proc.base, token=key) as keyed,
    ):
        _flow(client_package, public, keyed, profile, models, types)


def _flow(
    client_package: str,
    public: Any,
    keyed: Any,
    profile: Any,
    models: ModuleType,
    types: ModuleType,
) -> None:
    """Catalog in both languages, validate, recommend, a 422, an idempotent assessment and its
    report, a JSON and a CSV batch."""
    _catalog(client_package, public)
    checked = _op(client_package, "diagnosis.profiles_validate").sync(client=public, body=profile)
    assert isinstance(checked, models.ValidationResult)
    _recommend(client_package, public, profile, models)
    _invalid_profile(client_package, public, models)
    assessment_id = _assessment(client_package, keyed, profile, models)
    report = _op(client_package, "reports.assessment_reports_get").sync_detailed(
        assessment_id, client=keyed
    )
    assert report.status_code == 200
    assert b"Deqing" in report.content
    _batches(client_package, public, profile, models, types)


def _catalog(package: str, client: Any) -> None:
    listing = _op(package, "catalog.challenges_list")
    for lang, header in (("zh", "zh-CN"), ("en", "en")):
        res = listing.sync_detailed(client=client, lang=lang, limit=100)
        assert res.status_code == 200
        assert res.headers["content-language"] == header
        assert {c.slug for c in res.parsed.items} >= {"insufficient-opening-up"}
    paths = _op(package, "catalog.paths_list").sync(client=client, family="talent")
    assert paths.items
    assert all(p.family == "talent" for p in paths.items)
    one = _op(package, "catalog.reference_counties_get").sync("deqing", client=client)
    assert one.name
    assert one.values


def _recommend(package: str, client: Any, profile: Any, models: ModuleType) -> None:
    create = _op(package, "diagnosis.recommendations_create")
    full = create.sync(
        client=client, body=models.RecommendationRequest.from_dict(profile.to_dict())
    )
    assert isinstance(full, models.RecommendationResult)
    assert full.county.name == "Deqing"
    assert full.recommendations[0].rank == 1
    assert full.challenges[0].evidence or full.challenges[0].status
    # The summary view is one query parameter on the same operation.
    summary = create.sync(client=client, body=profile, view=models.View.SUMMARY)
    assert isinstance(summary, models.RecommendationSummary)
    assert summary.challenges[0].confidence is not None
    assert len(summary.recommendations) <= 10


def _invalid_profile(package: str, client: Any, models: ModuleType) -> None:
    bad = models.ProfileIn.from_dict(
        {"county": {"name": "Anji"}, "indicators": {"rd_intensity_pct": 1e9}}
    )
    res = _op(package, "diagnosis.profiles_validate").sync_detailed(client=client, body=bad)
    assert res.status_code == 422
    assert isinstance(res.parsed, models.Problem)
    assert res.parsed.code == models.ErrorCode.VALIDATION_FAILED
    assert res.parsed.errors[0].pointer == "/indicators/rd_intensity_pct"


def _assessment(package: str, client: Any, profile: Any, models: ModuleType) -> str:
    create = _op(package, "assessments.assessments_create")
    first = create.sync_detailed(client=client, body=profile, idempotency_key="portal-run-1")
    again = create.sync_detailed(client=client, body=profile, idempotency_key="portal-run-1")
    assert first.status_code == again.status_code == 201
    assert isinstance(first.parsed, models.AssessmentDetail)
    assert again.parsed.id == first.parsed.id
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["location"] == f"/v1/assessments/{first.parsed.id}"
    stored = _op(package, "assessments.assessments_get").sync(first.parsed.id, client=client)
    assert stored.result.county.name == "Deqing"
    return str(first.parsed.id)


def _batches(
    package: str, client: Any, profile: Any, models: ModuleType, types: ModuleType
) -> None:
    batch = _op(package, "diagnosis.recommendations_batch")
    bad = models.ProfileIn.from_dict({"county": {"name": "Anji"}, "indicators": {"x_y": 1.0}})
    as_json = batch.sync(client=client, body=[profile, bad])
    assert isinstance(as_json, models.BatchResult)
    assert (as_json.count, as_json.succeeded, as_json.failed) == (2, 1, 1)
    assert as_json.items[1].error.code == models.ErrorCode.VALIDATION_FAILED
    csv = (
        "county_name,province,year,gdp_cny_100m,foreign_trade_cny_100m\n"
        "Deqing,Zhejiang,2024,720,344.7\nAnji,Zhejiang,2024,580,oops\n"
    )
    upload = types.File(payload=csv.encode(), file_name="counties.csv", mime_type="text/csv")
    as_csv = batch.sync(client=client, body=upload)
    assert isinstance(as_csv, models.BatchResult)
    assert [i.index for i in as_csv.items] == [0, 1]
    assert as_csv.items[0].result.county.name == "Deqing"
    assert as_csv.items[1].error.errors[0].pointer == "/indicators/foreign_trade_cny_100m"


@pytest.fixture(scope="module")
def typescript(node: None, published: Path) -> Iterator[Path]:
    folder = tools.OUT / f"test-{os.getpid()}"
    types = tools.typescript_types(published, folder / "countypath.d.ts")
    shutil.copy(tools.CLIENTS / "usage.ts", folder / "usage.ts")
    yield types.parent
    shutil.rmtree(folder, ignore_errors=True)


def test_typescript_usage_compiles_under_strict(typescript: Path) -> None:
    tools.typecheck([typescript / "usage.ts"])
    types = (typescript / "countypath.d.ts").read_text(encoding="utf-8")
    schemas = types.split("export interface components {", 1)[1].split("\n    responses:", 1)[0]
    assert "RecommendationResult: {" in schemas
    assert "[key: string]: unknown" not in schemas  # no open object among the named schemas
    assert 'Family: "industry" | "talent" | "policy"' in types
    plan_request = types.split("PlanRequest: {", 1)[1].split("\n        };", 1)[0]
    assert "max_actions?: number" in plan_request  # a default makes a request field optional
    assert "horizon?: number" in plan_request


def test_typescript_rejects_a_misspelt_field(typescript: Path) -> None:
    usage = (typescript / "usage.ts").read_text(encoding="utf-8")
    typo = typescript / "typo.ts"
    typo.write_text(usage.replace("data.recommendations", "data.recomendations"), "utf-8")
    with pytest.raises(tools.ToolError, match="recomendations"):
        tools.typecheck([typo])
