"""The one-page brief (`POST /v1/reports?layout=brief`): three problems, five measures and three
numbers, in HTML and in a one-page Word document, in Chinese, without severity indices."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from fastapi.testclient import TestClient

from tests.api.test_report_content import INDUSTRIAL, visible
from tests.api.test_report_docx import DOCX, words_outside_names

DECIMALS = re.compile(r"\d\.\d{2,}")


def plan_and_result(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = {"accept-language": "zh"}
    plan = client.post("/v1/plans", json=INDUSTRIAL, headers=headers).json()
    result = client.post("/v1/recommendations", json=INDUSTRIAL, headers=headers).json()
    return plan, result


def expected_lines(client: TestClient) -> tuple[list[str], list[str], list[str]]:
    """What each part must name: the first three challenges at flag or watch, the five actions
    ranked first with their leads, the first three targets with a baseline."""
    plan, result = plan_and_result(client)
    problems = [c["title"] for c in result["challenges"] if c["status"] in ("flag", "watch")][:3]
    actions = sorted(plan["actions"], key=lambda a: a["rank"])[:5]
    measures = [f"{a['title']}（牵头单位：{a['lead']['name']}）" for a in actions]
    numbers = [t["label"] for t in plan["targets"] if t["baseline"] is not None][:3]
    return problems, measures, numbers


def allowed_decimals(client: TestClient) -> set[str]:
    """Figures with two decimals the brief may print: the county's own figures and lines (a
    finding's line, a target), never a severity or a score."""
    plan, result = plan_and_result(client)
    severities = {f"{c['severity']:.2f}" for c in result["challenges"]}
    figures = set(DECIMALS.findall(" ".join(c.get("finding") or "" for c in result["challenges"])))
    figures |= {str(t["target"]) for t in plan["targets"]}
    return figures - severities


def post_brief(client: TestClient, accept: str, lang: str = "zh") -> Any:
    res = client.post(
        "/v1/reports?layout=brief",
        json=INDUSTRIAL,
        headers={"accept": accept, "accept-language": lang},
    )
    assert res.status_code == 200, res.text
    return res


def test_the_brief_as_a_page(client: TestClient) -> None:
    res = post_brief(client, "text/html")
    assert res.headers["content-type"].startswith("text/html")
    html = res.text
    assert "<style>" in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "<script" not in html
    text = visible(html)
    assert "临泉县高质量发展行动方案要点（2026—2030年）" in text
    for heading in ("一、突出问题", "二、重点举措", "三、关键目标"):
        assert heading in text
    problems, measures, numbers = expected_lines(client)
    assert html.count("<li>") == 3 + 5 + 3
    for line in problems + measures + numbers:
        assert line in text
    assert set(DECIMALS.findall(text)) <= allowed_decimals(client)
    assert not words_outside_names(text)


def test_the_brief_as_one_page_of_word(client: TestClient) -> None:
    res = post_brief(client, DOCX)
    assert res.headers["content-disposition"] == 'attachment; filename="countypath-341221.docx"'
    doc = Document(io.BytesIO(res.content))
    assert len(doc.sections) == 1
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert doc.sections[0].page_width < doc.sections[0].page_height
    assert not doc.tables
    texts = [p.text for p in doc.paragraphs]
    headings = [t for t in texts if re.match("[一二三]、", t)]
    assert headings == ["一、突出问题", "二、重点举措", "三、关键目标"]
    at = [texts.index(h) for h in headings] + [len(texts) - 1]
    problems, measures, numbers = expected_lines(client)
    for (start, end), names in zip(
        zip(at, at[1:], strict=False), (problems, measures, numbers), strict=True
    ):
        lines = texts[start + 1 : end]
        assert len(lines) == len(names)
        for line, name in zip(lines, names, strict=True):
            assert name in line
    assert re.search(r"\d", texts[at[0] + 1])  # a problem with the county's own figure
    assert "→" in texts[at[2] + 1]
    body = " ".join(texts)
    assert set(DECIMALS.findall(body)) <= allowed_decimals(client)
    assert not words_outside_names(body)
    assert len(body) < 1200  # a page of 仿宋 四号 holds about 29 lines of 31 characters


def test_the_brief_in_english_and_not_in_markdown(client: TestClient) -> None:
    res = post_brief(client, "text/html", "en")
    assert "Problems" in visible(res.text)
    md = client.post(
        "/v1/reports?layout=brief", json=INDUSTRIAL, headers={"accept": "text/markdown"}
    )
    assert md.status_code == 406
    bad = client.post("/v1/reports?layout=short", json=INDUSTRIAL)
    assert bad.status_code == 422
