"""Rate-limit buckets come only from a verified key or the client address (through trusted
proxies only), and an invalid credential is a 401 before any quota, query or body parsing."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.api.proxies import client_address
from app.main import create_app
from app.settings import Settings
from tests.conftest import auth

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"rate_limit": "5/60"}))) as c:
        yield c


def forged(prefix: str | None = None) -> str:
    return f"cp_{prefix or secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def test_an_unverified_header_does_not_choose_the_bucket(limited: TestClient) -> None:
    codes = [
        limited.get(
            "/v1/kb", headers={"Authorization": f"Basic {secrets.token_urlsafe(12)}"}
        ).status_code
        for _ in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3


def test_forged_keys_spend_the_address_quota_not_the_owners(
    limited: TestClient, api_keys: dict[str, str]
) -> None:
    """Guessing keys is not free: each failed credential counts against the client address, so
    the loop meets 429 once the address's quota is spent; the owner's own quota is untouched."""
    owner = api_keys["assessments"]
    prefix = owner.split("_")[1]
    replies = [limited.get("/v1/kb", headers={"X-API-Key": forged(prefix)}) for _ in range(7)]
    assert [r.status_code for r in replies] == [401] * 5 + [429] * 2
    assert replies[0].headers["www-authenticate"] == "Bearer"
    assert replies[0].headers["ratelimit"].startswith('"default";r=4;')
    assert replies[-1].json()["code"] == "RATE_LIMITED"
    owned = [limited.get("/v1/kb", headers=auth(owner)) for _ in range(6)]
    assert [r.status_code for r in owned] == [200] * 5 + [429]
    assert owned[0].headers["ratelimit"].startswith('"default";r=4;')
    # Anonymous requests from the address share the spent quota.
    assert limited.get("/v1/kb").status_code == 429


def test_a_key_cannot_escape_its_quota_with_a_second_credential(
    limited: TestClient, api_keys: dict[str, str]
) -> None:
    key = api_keys["assessments"]
    assert [limited.get("/v1/kb", headers=auth(key)).status_code for _ in range(5)] == [200] * 5
    for extra in (forged(), key + "x", "anything"):
        both = limited.get("/v1/kb", headers=auth(key) | {"X-API-Key": extra})
        assert both.status_code == 401
        assert "one API key" in both.json()["detail"]
    assert limited.get("/v1/kb", headers=auth(key)).status_code == 429
    # The same key twice is one credential.
    assert limited.get("/v1/kb", headers=auth(key) | {"X-API-Key": key}).status_code == 429


def test_an_oversized_credential_is_refused_unread(limited: TestClient) -> None:
    res = limited.get("/v1/kb", headers={"X-API-Key": "cp_" + "a" * 12_000})
    assert res.status_code == 401
    assert res.headers["ratelimit"].startswith('"default";r=4;')  # counted like any attempt


async def test_a_flood_of_forged_keys_costs_a_few_queries(settings: Settings) -> None:
    app = create_app(settings)
    statements: list[str] = []
    async with app.router.lifespan_context(app):

        @event.listens_for(app.state.engine, "before_cursor_execute")
        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            replies = await asyncio.gather(
                *(c.get("/v1/kb", headers={"X-API-Key": forged()}) for _ in range(300))
            )
    assert {r.status_code for r in replies} == {401}
    key_queries = [s for s in statements if "api_key" in s]
    # Each reload of the key directory is two queries; 300 forged keys arriving together share
    # one or two reloads, not 300 lookups.
    assert len(key_queries) <= 6, key_queries


def test_an_anonymous_malformed_body_to_a_protected_route_is_401(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    json = {"content-type": "application/json"}
    for path in ("/v1/assessments", "/v1/signals", "/v1/kb/import", "/v1/kb/rollback"):
        res = client.post(path, content=b'{"county":', headers=json)
        assert res.status_code == 401, (path, res.text)
        assert res.headers["www-authenticate"] == "Bearer"
        wrong_type = client.post(path, content=b"a=1", headers={"content-type": "text/plain"})
        assert wrong_type.status_code == 401, path
    # A key without the scope gets its 403 before the body is judged.
    curator = auth(api_keys["kbwrite"]) | json
    assert client.post("/v1/kb/rollback", content=b"{", headers=curator).status_code == 403
    # With access, the malformed body is what is wrong.
    admin = auth(api_keys["admin"]) | json
    res = client.post("/v1/kb/rollback", content=b"{", headers=admin)
    assert res.status_code == 400
    assert res.json()["code"] == "MALFORMED_JSON"


def test_require_key_puts_access_before_the_body(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"require_key": True}))
    with TestClient(app) as c:
        res = c.post(
            "/v1/recommendations", content=b"{", headers={"content-type": "application/json"}
        )
        assert res.status_code == 401


async def _codes(app: Any, headers: list[dict[str, str]]) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        return [(await c.get("/v1/kb", headers=h)).status_code for h in headers]


async def test_forwarded_addresses_count_only_from_trusted_proxies(settings: Settings) -> None:
    # The windows are fixed (they start on multiples of their length): a day-long window keeps a
    # sequence from straddling two windows, as one of a minute did once in a slow run.
    rotating = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(8)]
    untrusted = create_app(settings.model_copy(update={"rate_limit": "5/86400"}))
    assert await _codes(untrusted, rotating) == [200] * 5 + [429] * 3
    behind = settings.model_copy(
        update={
            "rate_limit": "5/86400",
            "trusted_proxies": Settings(trusted_proxies="127.0.0.1").trusted_proxies,
        }
    )
    assert await _codes(create_app(behind), rotating) == [200] * 8
    same = [{"X-Forwarded-For": "198.51.100.7"}] * 6
    assert await _codes(create_app(behind), same) == [200] * 5 + [429]


def test_the_client_is_the_first_untrusted_hop() -> None:
    nets = tuple(Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_proxies)
    xff = [b"198.51.100.7, 10.1.2.3"]
    assert client_address("127.0.0.1", xff, nets) == "198.51.100.7"
    assert client_address("127.0.0.1", [b"203.0.113.9, 198.51.100.7, 10.1.2.3"], nets) == (
        "198.51.100.7"
    )
    assert client_address("192.0.2.1", xff, nets) == "192.0.2.1"  # an untrusted peer
    assert client_address("127.0.0.1", [b"not-an-ip, 10.1.2.3"], nets) == "10.1.2.3"
    assert client_address("127.0.0.1", [], nets) == "127.0.0.1"
    assert client_address("127.0.0.1", xff, ()) == "127.0.0.1"  # no trusted proxies


@pytest.mark.parametrize("accept", ["application/json", "application/x-ndjson"])
def test_a_batch_whose_deadline_passes_before_its_first_row_is_a_whole_503(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, accept: str
) -> None:
    """Nothing of the answer has gone out when the deadline passes during the first row, so the
    client gets a whole 503 problem, never an answer that does not come (a 500 from the server)
    because the response's start was held by a layer outside (compression holds it until the
    first body bytes)."""
    import json
    import time

    from app.services import recommendations
    from tests.conftest import DEQING_PROFILE

    real = recommendations.run_one

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(recommendations, "run_one", slow)
    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    timed = settings.model_copy(update={"request_timeout_seconds": 0.2})
    with TestClient(create_app(timed), raise_server_exceptions=False) as c:
        res = c.post(
            "/v1/recommendations/batch",
            json=[profile] * 3,
            headers={"accept": accept, "accept-encoding": "gzip"},
        )
    assert res.status_code == 503, res.text[:300]
    assert res.headers["content-type"].startswith("application/problem+json")
    assert res.json()["code"] == "TIMEOUT"
    assert res.headers["retry-after"] == "1"
