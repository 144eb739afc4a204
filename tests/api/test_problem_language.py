"""Problems speak the request's language (issue 26): ``title``, ``detail`` and every
``errors[].message`` follow ``?lang=`` and Accept-Language, English is the fallback, and ``code``
is the same in every language. An unreadable JSON body is MALFORMED_JSON on every route, and its
position is given as line, column and offset, never as a JSON Pointer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.knowledge import LANGS
from app.domain.messages import catalogue
from app.errors import CODES, ErrorCode
from tests.conftest import DEQING_PROFILE, auth

PROFILE = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
JSON = {"content-type": "application/json"}
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def _words_outside_names(text: str) -> list[str]:
    """English words left in a Chinese text, apart from quoted names, codes and media types."""
    protocol = r"GET|POST|PUT|PATCH|DELETE|HEAD|Allow|ETag|JSON|UTF-8|errors"
    text = re.sub(rf"“[^”]*”|'[^']*'|/v1/\S*|[\w.+-]+/[\w.+-]+|\b(?:{protocol})\b", "", text)
    return LATIN_WORD.findall(text)


def _chinese(problem: dict[str, Any]) -> None:
    for text in [problem["title"], problem["detail"]] + [
        e["message"] for e in problem.get("errors", [])
    ]:
        assert HAN.search(text), text
        assert not _words_outside_names(text), text


def test_a_validation_problem_in_chinese(client: TestClient) -> None:
    body = PROFILE | {
        "indicators": {
            "rd_intensity_pct": "暂缺",
            "urbanization_rate_pct": 163.5,
            "gdp_cny": 1,
        }
    }
    en = client.post("/v1/recommendations", json=body)
    zh = client.post("/v1/recommendations?lang=zh", json=body)
    assert en.status_code == zh.status_code == 422
    assert zh.headers["content-language"] == "zh-CN"
    assert en.headers["content-language"] == "en"
    assert zh.json()["code"] == en.json()["code"] == "VALIDATION_FAILED"
    assert en.json()["title"] == "Invalid input"
    assert [e["pointer"] for e in zh.json()["errors"]] == [
        e["pointer"] for e in en.json()["errors"]
    ]
    _chinese(zh.json())


def test_range_and_vocabulary_messages_in_chinese(client: TestClient) -> None:
    body = PROFILE | {"indicators": {"urbanization_rate_pct": 163.5, "gdp_cny": 1}}
    res = client.post("/v1/recommendations", json=body, headers={"Accept-Language": "zh-CN"})
    assert res.status_code == 422
    problem = res.json()
    _chinese(problem)
    by_pointer = {e["pointer"]: e for e in problem["errors"]}
    assert "163.5" in by_pointer["/indicators/urbanization_rate_pct"]["message"]
    assert "%" in by_pointer["/indicators/urbanization_rate_pct"]["message"]
    assert "gdp_cny_100m" in by_pointer["/indicators/gdp_cny"]["message"]  # the hint survives
    assert problem["detail"] == "县域概况有误，详见 errors 字段。"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/nothing", 404), ("DELETE", "/v1/recommendations", 405)],
)
def test_http_layer_problems_in_chinese(
    client: TestClient, method: str, path: str, status: int
) -> None:
    res = client.request(method, path, params={"lang": "zh"})
    assert res.status_code == status
    _chinese(res.json())
    assert res.headers["content-language"] == "zh-CN"


def test_middleware_problems_in_chinese(client: TestClient) -> None:
    forged = client.get(
        "/v1/assessments", headers={"Authorization": "Bearer cp_x_y", "Accept-Language": "zh"}
    )
    assert forged.status_code == 401
    _chinese(forged.json())
    big = b'{"county": {"name": "' + b"x" * (1024 * 1024 + 10) + b'"}}'
    too_large = client.post("/v1/recommendations?lang=zh", content=big, headers=JSON)
    assert too_large.status_code == 413
    _chinese(too_large.json())


def test_batch_row_errors_in_chinese(client: TestClient) -> None:
    bad = PROFILE | {"indicators": {"rd_intensity_pct": "暂缺"}}
    res = client.post("/v1/recommendations/batch?lang=zh", json=[PROFILE, bad])
    error = res.json()["items"][1]["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert error["detail"] == "该行不是有效的县域概况。"
    assert error["errors"][0]["message"] == "应为数值"


def test_english_is_the_fallback(client: TestClient) -> None:
    """A language countypath does not speak gets English; so does a text the catalogue lacks."""
    res = client.get("/v1/nothing", headers={"Accept-Language": "fr"})
    assert res.json()["title"] == "Not found"
    assert res.json()["detail"] == "No resource at /v1/nothing."


def test_every_code_has_a_title_in_every_language() -> None:
    titles = catalogue()["problem_title"]
    assert set(titles) == {str(code) for code in ErrorCode}
    for code in ErrorCode:
        assert titles[code]["en"] == CODES[code].title
        assert all(titles[code][lang] for lang in LANGS)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/recommendations", "POST"),
        ("/v1/plans", "POST"),
        ("/v1/reports", "POST"),
        ("/v1/profiles/validate", "POST"),
        ("/v1/recommendations/batch", "POST"),
    ],
)
def test_an_unreadable_body_is_malformed_json_everywhere(
    client: TestClient, path: str, method: str
) -> None:
    bodies = [b"[" * 100_000, b'{"county": "\xff"}']
    if path != "/v1/recommendations/batch":  # a batch reads this as a (deep) row
        bodies.append(b'{"a": ' * 990 + b"1" + b"}" * 990)
    for body in bodies:
        res = client.request(method, path, content=body, headers=JSON)
        assert res.status_code == 400, (path, body[:10], res.text)
        assert res.json()["code"] == "MALFORMED_JSON", (path, res.text)
        assert res.json()["errors"][0]["pointer"] == ""


def test_curation_and_import_bodies_too(client: TestClient, api_keys: dict[str, str]) -> None:
    headers = auth(api_keys["admin"]) | JSON
    url = "/v1/paths/talent-ecosystem"
    patch = client.patch(url, content=b"[" * 100_000, headers=headers | {"If-Match": '"x"'})
    imported = client.post("/v1/kb/import", content=b"[" * 100_000, headers=headers)
    for res in (patch, imported):
        assert res.status_code == 400, res.text
        assert res.json()["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize("path", ["/v1/recommendations", "/v1/recommendations/batch"])
def test_a_syntax_error_is_placed_by_line_and_column(client: TestClient, path: str) -> None:
    body = '[{"county": {"name": "Deqing"},\n  "indicators": {"gdp_cny_100m": 720,}}]'
    if path == "/v1/recommendations":
        body = body[1:-1]
    res = client.post(path, content=body.encode(), headers=JSON)
    assert res.status_code == 400
    (error,) = res.json()["errors"]
    assert error["pointer"] == ""
    assert error["code"] == "json_invalid"
    offset = body.index(",}")
    assert (error["line"], error["offset"]) == (2, offset + 1)
    assert error["column"] == offset + 1 - body.index("\n")
    zh = client.post(path, content=body.encode(), headers=JSON | {"Accept-Language": "zh"})
    assert zh.json()["errors"][0]["message"] == f"JSON 格式有误（第 2 行第 {error['column']} 列）"


def test_a_wrong_type_does_not_hide_a_value_out_of_range(client: TestClient) -> None:
    """Issue 22: a type error (the schema's) masked the range check (the knowledge base's)."""
    body = PROFILE | {"indicators": {"rd_intensity_pct": "暂缺", "urbanization_rate_pct": 163.5}}
    for path in ("/v1/recommendations", "/v1/profiles/validate"):
        res = client.post(path, json=body)
        assert res.status_code == 422
        codes = {e["pointer"]: e["code"] for e in res.json()["errors"]}
        assert codes == {
            "/indicators/rd_intensity_pct": "float_type",
            "/indicators/urbanization_rate_pct": "out_of_range",
        }
    batch = client.post("/v1/recommendations/batch", json=[body]).json()
    assert len(batch["items"][0]["error"]["errors"]) == 2
