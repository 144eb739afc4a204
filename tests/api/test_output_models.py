"""Every answer is described by its published schema, field by field: real answers of every
JSON operation carry no field that their schema does not declare (so a field the engine adds
without a model fails here), and the examples the document publishes are real answers, trimmed,
with knowledge-base checksums replaced by fixed ones so that a seed edit leaves the published
document alone (refresh them with UPDATE_OPENAPI_SNAPSHOT=1)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.openapi import EXAMPLES, published_examples
from app.schemas.profile import DEQING_EXAMPLE
from tests.conftest import auth

BAD_ROW = {"county": {"name": "Anji"}, "indicators": {"rd_intensity_pct": 1e9}}
FIXED_ID = "00000000-0000-4000-8000-000000000000"
FIXED_TIME = "2026-01-01T00:00:00Z"
TEXT_FIELDS = ("title", "label", "name")
UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CURATED = (
    "signals",
    "challenges",
    "paths",
    "examples",
    "reference-counties",
    "benchmarks",
    "cases",
)


def _revision(item: dict[str, Any]) -> dict[str, Any]:
    """A merge patch a curator might send: a title revised in both languages, or a case's
    reason reworded."""
    field = next((f for f in TEXT_FIELDS if isinstance(item.get(f), dict)), None)
    if field is None:
        cases = [c | {"why": c["why"] + " (revised)"} for c in item["cases"]]
        return {"cases": cases}
    return {field: {"en": item[field]["en"] + " (revised)", "zh": item[field]["zh"] + "（修订）"}}


class Samples:
    """Real answers, by operation id and status, from one test database."""

    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client = client
        self.keys = keys
        self.answers: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, Any] = {}
        self.checksums: dict[str, str] = {}  # a knowledge-base checksum -> the one published

    def call(self, op: str, method: str, url: str, status: int = 200, **kw: Any) -> Any:
        res = self.client.request(method, url, **kw)
        assert res.status_code == status, (op, res.text)
        kind = res.headers["content-type"].split(";")[0]
        key = str(status) if kind == "application/json" else f"{status} {kind}"
        body = res.json() if kind == "application/json" else "\n".join(res.text.splitlines()[:3])
        self.answers.setdefault(op, {})[key] = body
        return body


def _catalog(s: Samples) -> None:
    first = {}
    for kind in ("indicators", "signals", "challenges", "paths", "examples"):
        first[kind] = s.call(f"{kind}-list", "GET", f"/v1/{kind}?limit=100")["items"][0]
    for kind in ("reference-counties", "benchmarks", "cases"):
        first[kind] = s.call(f"{kind}-list", "GET", f"/v1/{kind}?limit=100")["items"][0]
    for kind in CURATED:
        s.call(f"{kind}-get", "GET", f"/v1/{kind}/{first[kind]['slug']}")
    s.call("kb-get", "GET", "/v1/kb")


def _diagnosis(s: Samples) -> None:
    scenario = DEQING_EXAMPLE | {"scenario": {"indicators": {"foreign_trade_cny_100m": 480}}}
    s.call("recommendations-create", "POST", "/v1/recommendations", json=scenario)
    s.call("profiles-validate", "POST", "/v1/profiles/validate", json=DEQING_EXAMPLE)
    body = [DEQING_EXAMPLE, BAD_ROW]
    s.call("recommendations-batch", "POST", "/v1/recommendations/batch", json=body)
    s.call(
        "reports-create",
        "POST",
        "/v1/reports",
        json=DEQING_EXAMPLE,
        headers={"Accept": "text/markdown"},
    )
    s.call("health-live", "GET", "/healthz")
    s.call("health-ready", "GET", "/readyz")
    s.call("metrics-get", "GET", "/metrics")
    s.call("page-get", "GET", "/")


def _assessments(s: Samples) -> None:
    h = auth(s.keys["assessments"])
    made = s.call(
        "assessments-create", "POST", "/v1/assessments", 201, json=DEQING_EXAMPLE, headers=h
    )
    s.call("assessments-list", "GET", "/v1/assessments", headers=h)
    s.call("assessments-get", "GET", f"/v1/assessments/{made['id']}", headers=h)
    md = h | {"Accept": "text/markdown"}
    s.call("assessment-reports-get", "GET", f"/v1/assessments/{made['id']}/report", headers=md)


def _batch_jobs(s: Samples) -> None:
    from app.services import batch_jobs

    h = auth(s.keys["assessments"])
    body = [DEQING_EXAMPLE, BAD_ROW]
    url = "/v1/batch-jobs?view=summary"
    made = s.call("batch-jobs-create", "POST", url, 202, json=body, headers=h)
    s.requests["batch-jobs-create"] = body
    batch_jobs.run(s.client.app.state.jobs.worker(), made["id"])  # type: ignore[attr-defined]
    s.call("batch-jobs-get", "GET", f"/v1/batch-jobs/{made['id']}", headers=h)
    s.call("batch-job-results-get", "GET", f"/v1/batch-jobs/{made['id']}/results", headers=h)
    queued = s.client.post(url, json=body, headers=h).json()
    s.call("batch-jobs-delete", "DELETE", f"/v1/batch-jobs/{queued['id']}", headers=h)


def _curation(s: Samples) -> None:
    h = auth(s.keys["admin"])
    exported = s.call("kb-export", "GET", "/v1/kb/export")
    for kind in CURATED:
        item = exported[kind.replace("-", "_")][0]
        url = f"/v1/{kind}/{item['slug']}"
        etag = s.client.get(url).headers["etag"]
        replaced = s.call(f"{kind}-replace", "PUT", url, json=item, headers=h | {"If-Match": etag})
        s.requests[f"{kind}-replace"] = s.requests[f"{kind}-create"] = item
        s.answers[f"{kind}-create"] = {"201": replaced}
        patch = _revision(item)
        etag = s.client.get(url).headers["etag"]
        headers = h | {"If-Match": etag, "Content-Type": "application/merge-patch+json"}
        s.call(f"{kind}-update", "PATCH", url, content=json.dumps(patch), headers=headers)
        s.requests[f"{kind}-update"] = patch
    s.call("kb-import", "POST", "/v1/kb/import", json=exported, headers=h)
    s.call("audit-list", "GET", "/v1/audit?limit=2", headers=h)
    s.call("kb-versions-list", "GET", "/v1/kb/versions?limit=2", headers=h)
    rollback = {"version": 1}
    etag = s.client.get("/v1/kb").headers["etag"]
    s.call(
        "kb-rollback-create",
        "POST",
        "/v1/kb/rollback",
        json=rollback,
        headers=h | {"If-Match": etag},
    )
    s.requests["kb-rollback-create"] = rollback


@pytest.fixture(scope="module")
def samples(
    tmp_path_factory: pytest.TempPathFactory, kb: Any, sqlite_template: Any
) -> Iterator[Samples]:
    import shutil

    from app.db.engine import make_engine
    from app.db.uow import SqlUnitOfWork
    from app.main import create_app
    from app.services.keys import create_key
    from app.settings import Settings

    target = tmp_path_factory.mktemp("samples") / "s.db"
    shutil.copy(sqlite_template, target)
    # A fixed signing key: the published examples carry a pagination cursor.
    settings = Settings(
        database_url=f"sqlite:///{target}",
        rate_limit="off",
        secret_key="published-examples-signing-key-0123456789",
    )
    engine = make_engine(settings, pooled=False)
    keys = {
        r: create_key(SqlUnitOfWork(engine), f"{r}-key", [r])[1] for r in ("assessments", "admin")
    }
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        s = Samples(client, keys)
        for step in (_catalog, _diagnosis, _assessments, _batch_jobs, _curation):
            step(s)
        s.checksums = _published_checksums(client, keys["admin"])
        s.spec = client.get("/openapi.json").json()  # type: ignore[attr-defined]
        yield s


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name] | {
            k: v for k, v in schema.items() if k != "$ref"
        }
    return schema


def undeclared(value: Any, schema: dict[str, Any], spec: dict[str, Any], at: str = "") -> list[str]:
    """JSON pointers of the object members in ``value`` that ``schema`` does not declare."""
    schema = _resolve(schema, spec)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        if value is None:
            return []
        found = [undeclared(value, b, spec, at) for b in branches if _fits(value, b, spec)]
        return min(found, key=len, default=[])
    if isinstance(value, dict):
        props = schema.get("properties")
        if props is None:
            extra = schema.get("additionalProperties")
            if not isinstance(extra, dict):  # any member is declared (a free-form object)
                return []
            nested = [undeclared(v, extra, spec, f"{at}/{k}") for k, v in value.items()]
            return [p for n in nested for p in n]
        out = [f"{at}/{k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                out += undeclared(v, props[k], spec, f"{at}/{k}")
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [
            p
            for i, v in enumerate(value)
            for p in undeclared(v, schema["items"], spec, f"{at}/{i}")
        ]
    return []


def _fits(value: Any, branch: dict[str, Any], spec: dict[str, Any]) -> bool:
    kind = _resolve(branch, spec).get("type")
    if isinstance(value, dict):
        return kind in (None, "object")
    if isinstance(value, list):
        return kind == "array"
    return kind != "object" and kind != "array"


def _schema_of(spec: dict[str, Any], op_id: str, status: str) -> dict[str, Any]:
    for item in spec["paths"].values():
        for op in item.values():
            if op["operationId"] == op_id:
                schema: dict[str, Any] = op["responses"][status]["content"]["application/json"][
                    "schema"
                ]
                return schema
    raise AssertionError(op_id)


def test_every_answered_field_is_declared(samples: Samples) -> None:
    spec = samples.spec  # type: ignore[attr-defined]
    checked = 0
    for op_id, answers in samples.answers.items():
        for status, body in answers.items():
            if " " in status:
                continue  # a text answer
            missing = undeclared(body, _schema_of(spec, op_id, status), spec)
            assert not missing, f"{op_id} {status} answers fields no model declares: {missing}"
            checked += 1
    assert checked >= 30


def test_the_walk_finds_an_undeclared_field(samples: Samples) -> None:
    spec = samples.spec  # type: ignore[attr-defined]
    body = samples.answers["recommendations-create"]["200"]
    changed = json.loads(json.dumps(body))
    changed["challenges"][0]["evidence"][0]["novel"] = 1
    schema = _schema_of(spec, "recommendations-create", "200")
    assert undeclared(changed, schema, spec) == ["/challenges/0/evidence/0/novel"]


def _published_checksums(client: TestClient, admin: str) -> dict[str, str]:
    """Each knowledge-base checksum the samples met, and the fixed one published instead: the
    checksum of the earliest version with that content becomes ``0123456789abcdef`` rotated by
    its version number (version 1: ``0123456789ab`` in ``kb_version``, as in
    app/schemas/deqing-result.example.json)."""
    versions = client.get("/v1/kb/versions?limit=100", headers=auth(admin)).json()["items"]
    digits = "0123456789abcdef"
    out: dict[str, str] = {}
    for v in sorted(versions, key=lambda v: int(v["version"])):
        turn = (int(v["version"]) - 1) % 16
        out.setdefault(v["checksum"], (digits[turn:] + digits[:turn]) * 4)
    return out


def _fixed(text: str, checksums: dict[str, str]) -> str:
    """``text`` with every knowledge-base checksum (whole, or its first 16 or 12 digits, as an
    ETag or a ``kb_version`` names it) replaced by the published one."""
    for real, published in checksums.items():
        for n in (64, 16, 12):
            text = text.replace(real[:n], published[:n])
    return text


def _trim(value: Any, checksums: dict[str, str]) -> Any:
    """Small examples: lists cut to three items (the most any schema asks for), ids, times and
    knowledge-base checksums fixed."""
    if isinstance(value, str):
        return UUID_IN_TEXT.sub(FIXED_ID, _fixed(value, checksums))
    if isinstance(value, list):
        return [_trim(v, checksums) for v in value[:3]]
    if isinstance(value, dict):
        out = {k: _trim(v, checksums) for k, v in value.items()}
        for key in ("id", "assessment_id"):
            if isinstance(out.get(key), str) and len(out[key]) == 36:
                out[key] = FIXED_ID
        for key in ("created_at", "at", "started_at", "finished_at", "expires_at"):
            if isinstance(out.get(key), str):
                out[key] = FIXED_TIME
        return out
    return value


def test_published_examples_are_real_answers(samples: Samples) -> None:
    """Refresh with UPDATE_OPENAPI_SNAPSHOT=1."""
    examples: dict[str, dict[str, Any]] = {}
    for op_id, answers in sorted(samples.answers.items()):
        if op_id == "recommendations-create":
            continue  # published from app/schemas/deqing-result.example.json
        examples[op_id] = {k: _trim(v, samples.checksums) for k, v in answers.items()}
        if op_id in samples.requests:
            examples[op_id]["request"] = _trim(samples.requests[op_id], samples.checksums)
    rendered = json.dumps(examples, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        EXAMPLES.write_text(rendered, encoding="utf-8")
        published_examples.cache_clear()
    assert EXAMPLES.read_text(encoding="utf-8") == rendered


def test_every_operation_publishes_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    bare = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            success = [r for s, r in op["responses"].items() if s[0] == "2" and "content" in r]
            if success and not any(
                "example" in media or "examples" in media
                for r in success
                for media in r["content"].values()
            ):
                bare.append(f"{method.upper()} {path}")
    assert not bare, bare
