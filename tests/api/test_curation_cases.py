"""The knowledge base's expert cases guard every curation write: a write that makes a case fail
is refused (409 KB_CASES_FAILED) naming the case, what it expected and what was found, unless the
same request changes the case too (an import); a case set written is judged by its own cases."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from app.schemas.profile import DEQING_EXAMPLE
from tests.conftest import auth

SLUG = "curation-drill"


def _watched(client: TestClient) -> str:
    """A challenge Deqing is on watch for today."""
    res = client.post("/v1/recommendations", json=DEQING_EXAMPLE).json()
    return str(next(c["slug"] for c in res["challenges"] if c["status"] == "watch"))


def _case_set(challenge: str, status: str = "watch") -> dict[str, Any]:
    return {
        "slug": SLUG,
        "base": DEQING_EXAMPLE,
        "cases": [
            {
                "name": "Deqing stays on watch",
                "why": "A curator's drill: the status follows from the lines written today.",
                "expect": {"statuses": {challenge: status}},
            }
        ],
    }


LOUDER = {"watch_at": 0.01, "flag_at": 0.02}  # lines so low that a watch becomes a flag


def _only_the_drill(client: TestClient, h: dict[str, str]) -> str:
    """The knowledge base with the drill's case set as its only one (so what the seeds' own
    cases make of the change is not this test's concern); the challenge the drill watches."""
    challenge = _watched(client)
    document = client.get("/v1/kb/export").json() | {"cases": [_case_set(challenge)]}
    res = client.post("/v1/kb/import?confirm=remove", json=document, headers=h)
    assert res.status_code == 200, res.text
    return challenge


def test_a_write_that_breaks_a_case_is_refused_naming_it(
    store_client: TestClient, store_keys: dict[str, str]
) -> None:
    client, h = store_client, auth(store_keys["kbwrite"])
    challenge = _watched(client)
    document = client.get("/v1/kb/export").json() | {"cases": []}
    assert client.post("/v1/kb/import?confirm=remove", json=document, headers=h).status_code == 200
    made = client.post("/v1/cases", json=_case_set(challenge), headers=h)
    assert made.status_code == 201, made.text
    assert client.get(f"/v1/cases/{SLUG}").json()["cases"][0]["expect"] == {
        "statuses": {challenge: "watch"}
    }
    version = client.get("/v1/kb").json()["version"]
    url = f"/v1/challenges/{challenge}"
    etag = client.get(url).headers["etag"]
    res = client.patch(url, json=LOUDER, headers=h | {"If-Match": etag})
    assert res.status_code == 409, res.text
    problem = res.json()
    assert problem["code"] == "KB_CASES_FAILED"
    assert f"{SLUG}: Deqing stays on watch" in problem["detail"]
    sets = client.get("/v1/kb/export").json()["cases"]
    index = [s["slug"] for s in sets].index(SLUG)
    (error,) = problem["errors"]
    assert error["pointer"] == f"/cases/{index}/cases/0/expect/statuses"
    assert error["code"] == "case_failed"
    assert (
        f'expected statuses {{"{challenge}":"watch"}}; found {{"{challenge}":"flag'
        in (error["message"])
    )
    assert client.get("/v1/kb").json()["version"] == version  # nothing was stored


def test_an_import_that_changes_the_item_and_its_case_together_is_accepted(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    challenge = _only_the_drill(client, h)
    document = copy.deepcopy(client.get("/v1/kb/export").json())
    document["challenges"] = [
        c | LOUDER if c["slug"] == challenge else c for c in document["challenges"]
    ]
    refused = client.post("/v1/kb/import", json=document, headers=h)
    assert refused.status_code == 409
    assert refused.json()["code"] == "KB_CASES_FAILED"
    for case_set in document["cases"]:
        if case_set["slug"] == SLUG:
            case_set["cases"][0]["expect"] = {"statuses": {challenge: "flag"}}
    accepted = client.post("/v1/kb/import", json=document, headers=h)
    assert accepted.status_code == 200, accepted.text
    assert client.get(f"/v1/challenges/{challenge}").json()["flag_at"] == 0.02


def test_a_case_set_is_judged_by_the_cases_it_writes(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    challenge = _only_the_drill(client, h)
    etag = client.get(f"/v1/cases/{SLUG}").headers["etag"]
    wishful = _case_set(challenge, "ok")
    res = client.put(f"/v1/cases/{SLUG}", json=wishful, headers=h | {"If-Match": etag})
    assert res.status_code == 409
    assert f'found {{"{challenge}":"watch' in res.json()["errors"][0]["message"]
    unknown = _case_set(challenge)
    unknown["cases"][0]["expect"] = {"statusses": {challenge: "watch"}}
    res = client.put(f"/v1/cases/{SLUG}", json=unknown, headers=h | {"If-Match": etag})
    assert res.status_code == 409
    assert "no such expectation" in res.json()["errors"][0]["message"]
    gone = client.delete(f"/v1/cases/{SLUG}?confirm=remove", headers=h | {"If-Match": etag})
    assert gone.status_code == 204  # the last case set: removing every one is confirmed
