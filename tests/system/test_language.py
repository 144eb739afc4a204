"""Language over a real server: ``?lang=`` falls back exactly like Accept-Language does (an
unsupported language is English, never a 422), and wins over the header when supported."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.serverproc import Proc, server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with server(f"sqlite:///{tmp_path_factory.mktemp('lang') / 'lang.db'}") as proc:
        yield proc


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("fr", None, "en"),
        ("de-DE", None, "en"),
        ("x" * 300, None, "en"),
        ("", None, "en"),
        ("fr", "zh", "zh-CN"),  # unsupported ?lang: the header decides, as it would alone
        ("zh", "en", "zh-CN"),
        ("zh-Hant", None, "zh-CN"),
        ("EN", "zh", "en"),
    ],
)
def test_lang_parameter_falls_back_like_the_header(
    live: Proc, query: str, header: str | None, expected: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    res = httpx.get(f"{live.base}/v1/challenges", params={"lang": query}, headers=headers)
    assert res.status_code == 200, res.text
    assert res.headers["content-language"] == expected
    alone = httpx.get(f"{live.base}/v1/challenges", headers={"Accept-Language": query or "*"})
    if not header:
        assert alone.headers["content-language"] == expected  # the same answer as the header


def test_recommendations_fall_back_too(live: Proc) -> None:
    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    res = httpx.post(f"{live.base}/v1/recommendations?lang=fr", json=profile, timeout=30)
    assert res.status_code == 200
    assert res.headers["content-language"] == "en"
    assert res.json()["language"] == "en"
