"""What the report says: paths in rank order, labels instead of codes in Chinese, numbers with
their unit at a sensible precision, Markdown escaped for Markdown (no link or image from a county
name), the plan as a table with its timeline, and the same bytes for the same input."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from app.domain.integrity import sources_of
from app.domain.item_kinds import ITEM_KINDS
from app.domain.knowledge import KnowledgeBase
from app.services.seeding import load_seeds
from tests.conftest import SEEDS

CJK = re.compile(r"[\u4e00-\u9fff]")
# A manufacturing county with most indicators given: many challenges, many ranked paths.
INDUSTRIAL: dict[str, Any] = {
    "county": {"name": "临泉县", "code": "341221", "province": "Anhui", "year": 2024},
    "indicators": {
        "gdp_cny_100m": 480.0,
        "resident_population_10k": 62.0,
        "secondary_share_pct": 52.0,
        "primary_share_pct": 6.0,
        "tertiary_share_pct": 42.0,
        "rd_intensity_pct": 1.1,
        "hightech_industry_share_pct": 22.0,
        "strategic_emerging_share_pct": 14.0,
        "digital_core_share_pct": 3.1,
        "new_product_sales_share_pct": 12.0,
        "enterprise_rd_to_revenue_pct": 0.8,
        "rd_personnel_per_10k_employed": 35.0,
        "college_educated_per_100k": 9000.0,
        "resident_to_registered_ratio": 0.86,
        "physicians_per_1k": 2.3,
        "foreign_trade_cny_100m": 40.0,
        "fdi_usd_100m": 0.2,
        "export_delivery_share_pct": 6.0,
        "energy_intensity_tce_per_10k_cny": 0.9,
        "urban_rural_income_ratio": 2.3,
        "distance_to_core_city_km": 160.0,
    },
    "signals": ["public-services-gap", "low-hightech-exports"],
}
INJECTION = (
    "People's [a](javascript:alert(1)) ![i](http://evil.example/x.png) <img src=//evil.example/y>"
)


class Text(HTMLParser):
    """The visible text of a page, per element class of interest."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes(kb: KnowledgeBase) -> set[str]:
    out = {i.key for i in kb.indicators} | {s.slug for s in kb.signals}
    out |= {c.slug for c in kb.challenges} | {p.slug for p in kb.paths}
    out |= {b.slug for b in kb.benchmarks} | {d.slug for d in kb.meta.documents}
    out |= {d.slug for d in kb.meta.departments} | {f.slug for f in kb.meta.funding_channels}
    return out | {"insufficient_data", "clears_line", "pace_limited", "measure_baseline"}


def report(client: TestClient, accept: str, lang: str, body: dict[str, Any]) -> Any:
    res = client.post("/v1/reports", json=body, headers={"accept": accept, "accept-language": lang})
    assert res.status_code == 200, res.text
    return res


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_paths_appear_in_rank_order_without_gaps(client: TestClient, lang: str) -> None:
    html = report(client, "text/html", lang, INDUSTRIAL).text
    ranks = [int(r) for r in re.findall(r'<span class="score">#(\d+) ·', html)]
    assert len(ranks) >= 8
    assert ranks == list(range(1, len(ranks) + 1))
    md = report(client, "text/markdown", lang, INDUSTRIAL).text
    md_ranks = [int(r) for r in re.findall(r"^\*\*(\d+)\. ", md, re.M)]
    assert md_ranks == ranks


def test_chinese_report_shows_labels_never_codes(client: TestClient, kb: KnowledgeBase) -> None:
    known = codes(kb)
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(sorted(map(re.escape, known), key=len, reverse=True))
        + r")(?![\w-])"
    )
    html = visible(report(client, "text/html", "zh", INDUSTRIAL).text)
    md = report(client, "text/markdown", "zh", INDUSTRIAL).text
    for text in (html, md):
        cited = re.sub(r"https?://\S+", "", text)  # source addresses are citations, not codes
        assert pattern.findall(cited) == []
        assert not re.search(r"\b(flag|watch|policy|industry|talent)\b", text)
    assert "2024年全国平均水平" in html or "安徽" in html
    assert "补充以下数据可使诊断更准确" in html or "反映的问题" in html
    for word in ("警示", "关注", "牵头单位", "资金渠道", "一、", "（一）"):
        assert word in html


def _plan_and_evidence_cells(html: str) -> str:
    cells = re.findall(r'<div class="evidence">(.*?)</div>', html, re.S)
    cells += re.findall(r'<td class="kpi">(.*?)</td>', html, re.S)
    return visible(" ".join(cells))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numbers_carry_units_and_sensible_precision(client: TestClient, lang: str) -> None:
    html = report(client, "text/html", lang, INDUSTRIAL).text
    text = _plan_and_evidence_cells(html)
    assert text
    assert not re.search(r"\d\.\d{3,}", text), re.findall(r"\S*\d\.\d{3,}\S*", text)
    assert "1.1%" in text  # R&D intensity, a percentage, with its sign
    assert re.search(r"需达到 2\.\d\d?%|to clear 2\.\d\d?%", text)  # the line, as a percentage
    md_rows = report(client, "text/markdown", lang, INDUSTRIAL).text.splitlines()
    table = "\n".join(line for line in md_rows if line.startswith("|"))
    assert not re.search(r"\d\.\d{3,}", table)


def test_markdown_is_escaped_for_markdown_and_renders_no_link_or_image(
    client: TestClient,
) -> None:
    body = json.loads(json.dumps(INDUSTRIAL))
    body["county"]["name"] = INJECTION
    md = report(client, "text/markdown", "en", body).text
    assert "&#39;" not in md
    assert "People's" in md
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "People's [a]" not in md  # the bracket is escaped
    kb = load_seeds(SEEDS)
    cited = {
        src.url
        for kind in ITEM_KINDS
        for item in getattr(kb, kind.attr)
        for _, src in sources_of(item)
        if src.url is not None
    }
    hrefs = re.findall(r'<a href="([^"]*)"', rendered)
    assert set(hrefs) <= cited  # the only links are the knowledge base's own citations
    assert "<img" not in rendered
    assert not [u for u in re.findall(r'(?:href|src)="([^"]*)"', rendered) if "evil" in u]
    assert "javascript:alert(1)" in rendered  # shown as the text it is, not followed
    # The Deqing example cited to People's Daily prints its publisher plainly too.
    deqing = report(client, "text/markdown", "en", json.loads(_deqing())).text
    assert "&#39;" not in deqing
    assert "People's Daily" in deqing


def _deqing() -> str:
    from tests.conftest import DEQING_PROFILE

    return DEQING_PROFILE.read_text(encoding="utf-8")


def test_html_escapes_the_county_name(client: TestClient) -> None:
    body = json.loads(json.dumps(INDUSTRIAL))
    body["county"]["name"] = INJECTION
    html = report(client, "text/html", "en", body).text
    assert "<img src=//evil.example" not in html
    assert "&lt;img src=//evil.example/y&gt;" in html


def test_plan_table_and_timeline_in_the_html(client: TestClient) -> None:
    html = report(client, "text/html", "zh", INDUSTRIAL).text
    rows = re.findall(r'<tr class="action" data-path="([a-z-]+)" data-stage="(\d)">', html)
    assert len(rows) >= 6
    leads = re.findall(r'<td class="lead">(.*?)</td>', html)
    assert len(leads) == len(rows)
    assert all(CJK.search(lead) for lead in leads)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"') == 1
    assert "2026—2030年行动方案" in html


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "text/markdown",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
)
def test_same_input_same_bytes(client: TestClient, accept: str) -> None:
    first = report(client, accept, "zh", INDUSTRIAL).content
    assert report(client, accept, "zh", INDUSTRIAL).content == first


def test_a_late_profile_gets_its_report_without_a_plan_unless_a_horizon_is_asked(
    client: TestClient,
) -> None:
    late = json.loads(json.dumps(INDUSTRIAL))
    late["county"]["year"] = 2029
    html = report(client, "text/html", "en", late).text
    assert 'class="action"' not in html
    res = client.post("/v1/reports", json=late | {"horizon": 2030}, headers={"accept": "text/html"})
    assert res.status_code == 422
    assert res.json()["errors"][0]["pointer"] == "/horizon"
