"""The Chinese report and plan read as the county's own document: the three review counties
(a county-level city on the border, a karst county out of poverty, a Huai-river rice county)
rendered offline from the seeds, with assertions on the Chinese a planner reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from app.domain.language import default
from app.domain.snapshot import Snapshot
from app.schemas.plans import PlanRequest
from app.services import report as reports
from tests.conftest import SEEDS

# (expert-case file, case index): the review counties.
MANZHOULI = ("border.yaml", 0)
WEINING = ("poverty-exit.yaml", 4)
HUANGCHUAN = ("grain.yaml", 3)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def profile_of(case: tuple[str, int]) -> dict[str, Any]:
    doc = yaml.safe_load((SEEDS / "cases" / case[0]).read_text(encoding="utf-8"))
    c = doc["cases"][case[1]]
    return c.get("profile") or _merge(doc.get("base") or {}, c.get("changes") or {})


def chinese() -> str:
    from app.domain.language import codes

    found = [c for c in codes() if c != default()]
    assert found, "a second language is catalogued"
    return found[0]


@pytest.fixture(scope="module")
def md(snapshot: Snapshot) -> Callable[[tuple[str, int]], str]:
    """The county's Chinese report in Markdown, rendered once per county."""
    done: dict[tuple[str, int], str] = {}

    def render(case: tuple[str, int]) -> str:
        if case not in done:
            body = PlanRequest.model_validate_json(json.dumps(profile_of(case)))
            rep = reports.for_profile(snapshot, body, chinese())
            done[case] = reports.render_markdown(rep, snapshot)
        return done[case]

    return render


def test_a_warning_without_a_field_prints_no_none(md: Callable[[tuple[str, int]], str]) -> None:
    text = md(MANZHOULI)
    assert "**比较基准替代**：暂无内蒙古自治区2022年的比较基准" in text
    assert "None" not in text


def test_ratios_print_two_fixed_decimals_and_shares_one(
    md: Callable[[tuple[str, int]], str],
) -> None:
    text = md(HUANGCHUAN)
    assert "财政自给率 0.20（需达到 0.50）" in text
    assert "财政自给率为0.20" in text
    assert "30.63%" not in text
    assert "59.39%" not in text
    assert "常住人口城镇化率为59.4%" in text


def test_lines_are_named_as_a_document_names_them(md: Callable[[tuple[str, int]], str]) -> None:
    text = md(MANZHOULI) + md(WEINING) + md(HUANGCHUAN)
    for internal in ("警示线", "关注线", "优势线", "优于优势线"):
        assert internal not in text
    assert "财政自给率为0.22，低于警戒值（0.30）" in text
    assert "低于2023年内蒙古自治区平均水平的80%（38%）" in text
    assert "外贸依存度为67.5%，高于2023年内蒙古自治区平均水平的2倍（16%）" in text
    assert (
        "常住人口城镇化率为59.4%，低于全国平均水平的90%（60.3%），所在省份本身也落后于全国水平"
        in text
    )


def test_a_city_plan_speaks_of_the_city(md: Callable[[tuple[str, int]], str]) -> None:
    text = md(MANZHOULI)
    for county_word in ("本县", "全县", "县内"):
        assert county_word not in text
    assert "市内银行办理跨境人民币结算量" in text
    assert "本市货物的国际班列" in text  # an output label written for a county


def test_departments_are_named_as_the_county_writes_them(
    md: Callable[[tuple[str, int]], str],
) -> None:
    text = md(MANZHOULI) + md(WEINING)
    for leak in ("垂直管理", "生态环境分局", "多数县为", "实施过易地扶贫搬迁的"):
        assert leak not in text
    assert "市商务局 | 驻地海关、市发展和改革局" in text
    assert "县农业农村局牵头与结对的东部县（市、区）签订年度协作协议" in text


def test_sources_read_as_a_documents_list_of_sources(
    md: Callable[[tuple[str, int]], str],
) -> None:
    text = md(MANZHOULI) + md(WEINING) + md(HUANGCHUAN)
    listed = text[text.index("资料来源") :]
    for leak in ("http", "记忆", "镜像", "低质量", "转载"):
        assert leak not in listed
    assert "- 《浙江日报》2020年8月25日（转引）" in listed  # read in a copy: 转引, year once
    assert "（国发〔2013〕45号）（未经核实）" in listed  # a recalled source says so
    assert "- 《香港商报》2020年9月20日报道\n" in listed  # not which of its pages was read
    assert "- 浙江在线2018年9月29日报道\n" in listed


def test_the_word_plan_reads_as_the_citys_own(snapshot: Snapshot) -> None:
    import io

    from docx import Document

    from app.services import renderers

    body = PlanRequest.model_validate_json(json.dumps(profile_of(MANZHOULI)))
    rep = reports.for_profile(snapshot, body, chinese())
    data = renderers.render_report(renderers.DOCX, rep, snapshot)
    assert isinstance(data, bytes)
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert "年份：2022；比较基准：2023年内蒙古自治区平均水平" in text
    assert "财政自给率 0.22（需达到0.50）" in text
    for leak in ("None", "http", "垂直管理", "生态环境分局", "本县", "县内", "警示线", "关注线"):
        assert leak not in text
    assert "市内银行办理跨境人民币结算量" in text
