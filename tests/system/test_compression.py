"""gzip over a real server: answers over 1 KB are compressed when the client asks, streamed
batches included (each chunk flushed as it is produced), and never when it does not ask."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.serverproc import Proc, server

pytestmark = pytest.mark.slow
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with server(f"sqlite:///{tmp_path_factory.mktemp('gzip') / 'gzip.db'}") as proc:
        yield proc


def _raw(
    proc: Proc, method: str, path: str, **kwargs: object
) -> tuple[httpx.Response, list[bytes]]:
    """The response and its body exactly as the server sent it (httpx decodes nothing here)."""
    with httpx.Client(base_url=proc.base, timeout=60) as client:
        with client.stream(method, path, **kwargs) as res:  # type: ignore[arg-type]
            return res, list(res.iter_raw())


def _gunzip(chunks: list[bytes]) -> bytes:
    return zlib.decompress(b"".join(chunks), 16 + zlib.MAX_WBITS)


def test_a_large_answer_is_gzipped_when_asked(live: Proc) -> None:
    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    res, chunks = _raw(live, "POST", "/v1/recommendations", json=profile, headers=GZIP)
    assert res.status_code == 200
    assert res.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in res.headers["vary"]
    body = _gunzip(chunks)
    assert int(res.headers["content-length"]) == sum(map(len, chunks)) < len(body) / 3
    assert json.loads(body)["county"]["name"] == "Deqing"
    assert res.headers["x-request-id"]


def test_nothing_is_gzipped_unless_asked(live: Proc) -> None:
    res, chunks = _raw(
        live, "GET", "/v1/indicators?limit=100", headers={"Accept-Encoding": "identity"}
    )
    assert res.status_code == 200
    assert "content-encoding" not in res.headers
    assert len(json.loads(b"".join(chunks))["items"]) > 20


def test_small_answers_stay_plain(live: Proc) -> None:
    res, chunks = _raw(live, "GET", "/healthz", headers=GZIP)
    assert res.status_code == 200
    assert "content-encoding" not in res.headers
    assert len(b"".join(chunks)) < 1024


def test_a_streamed_ndjson_batch_is_gzipped_chunk_by_chunk(live: Proc) -> None:
    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    rows = [profile] * 200
    res, chunks = _raw(
        live,
        "POST",
        "/v1/recommendations/batch",
        json=rows,
        headers=GZIP | {"Accept": "application/x-ndjson"},
    )
    assert res.status_code == 200
    assert res.headers["content-encoding"] == "gzip"
    assert res.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in res.headers
    # Each chunk the server produced was flushed, so the first part already decodes to whole
    # lines before the rest arrives.
    assert len(chunks) > 1
    head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(chunks[0])
    assert head.count(b"\n") >= 1
    lines = _gunzip(chunks).splitlines()
    assert len(lines) == 200
    assert [json.loads(line)["index"] for line in lines] == list(range(200))


def test_the_json_batch_stream_is_gzipped_too(live: Proc) -> None:
    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    res, chunks = _raw(live, "POST", "/v1/recommendations/batch", json=[profile] * 3, headers=GZIP)
    assert res.status_code == 200
    assert res.headers["content-encoding"] == "gzip"
    assert json.loads(_gunzip(chunks))["succeeded"] == 3


def test_problem_documents_follow_the_same_rule(live: Proc) -> None:
    res, chunks = _raw(live, "POST", "/v1/recommendations", json={"county": {}}, headers=GZIP)
    assert res.status_code == 422
    assert res.headers["content-type"] == "application/problem+json"
    body = _gunzip(chunks) if res.headers.get("content-encoding") == "gzip" else b"".join(chunks)
    assert json.loads(body)["code"] == "VALIDATION_FAILED"
