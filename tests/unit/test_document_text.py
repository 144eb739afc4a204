"""The Chinese report and plan read as the county's own document: the three review counties
(a county-level city on the border, a karst county out of poverty, a Huai-river rice county)
rendered offline from the seeds, with assertions on the Chinese a planner reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
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
    # Huangchuan is above Henan's average but below the national line: both are said.
    assert (
        "常住人口城镇化率为59.4%，高于河南省平均水平（58.1%），但低于全国平均水平的90%（60.3%）"
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
    for page in ("本报网站", "本报电子版", "电子版）"):  # not which of its pages was read
        assert page not in listed
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


def test_examples_are_headed_by_their_own_county(md: Callable[[tuple[str, int]], str]) -> None:
    text = md(MANZHOULI) + md(WEINING) + md(HUANGCHUAN)
    assert "德清案例" not in text  # none of these examples is Deqing's
    assert "珲春市案例：珲春建设互贸进口商品落地加工基地" in text
    assert "参考案例：“近海不靠海”的珲春" in text  # examples of several counties


def test_reference_counties_say_why_they_come_in_their_order(
    md: Callable[[tuple[str, int]], str],
) -> None:
    text = md(HUANGCHUAN)
    listed = text[text.index("参照县") :]
    assert "最相似" not in text
    assert "排列顺序：与本县主体功能区相同、类型相同的县在前" in listed
    # 延津 (0.90, same province) before 庐江 (0.93, same region only), and the line says so.
    assert listed.index("- 延津县：相似度 0.90；同为农业大县") < listed.index(
        "- 庐江县：相似度 0.93"
    )
    assert "同在河南省" in listed


def test_the_document_prints_no_engine_terms(md: Callable[[tuple[str, int]], str]) -> None:
    text = md(MANZHOULI) + md(WEINING) + md(HUANGCHUAN)
    for term in ("知识库版本", "严重程度", "得分"):
        assert term not in text
    assert md(MANZHOULI).rstrip().splitlines()[-1].startswith("数据版本：")  # at the end only


def test_the_paper_is_cited_in_chinese_and_each_source_once(
    md: Callable[[tuple[str, int]], str],
) -> None:
    for case in (MANZHOULI, WEINING, HUANGCHUAN):
        text = md(case)
        assert "§" not in text
        listed = text[text.index("资料来源") :].splitlines()
        assert len([line for line in listed if line.startswith("- Yuan, J.（2025）第")]) == 1
        assert len([line for line in listed if "国发〔2013〕45号" in line]) <= 1
        items = [line for line in listed if line.startswith("- ")]
        assert len(items) == len(set(items))
    assert "Yuan, J.（2025）第1.1节）" in md(HUANGCHUAN)  # an example's section, in Chinese


def test_english_titles_add_no_unit_to_the_name(snapshot: Snapshot) -> None:
    from app.domain.language import codes

    for case in (MANZHOULI, HUANGCHUAN):
        body = PlanRequest.model_validate_json(json.dumps(profile_of(case)))
        rep = reports.for_profile(snapshot, body, codes()[0])
        title = reports.render_markdown(rep, snapshot).splitlines()[0]
        assert "County development" not in title
        assert title.endswith(": Development diagnosis and action plan")


def test_one_example_is_headed_in_the_singular(snapshot: Snapshot) -> None:
    from app.domain.language import codes
    from app.domain.result_types import ExampleRef
    from app.services.report_words import examples_label

    def example(title: str, county_name: str) -> ExampleRef:
        return ExampleRef("hunchun-base", title, "hunchun", county_name, 2020, [], {})

    one = [example("Hunchun builds a processing base", "Hunchun City")]
    assert examples_label(one, codes()[0]) == "Example from Hunchun City"
    assert examples_label(one * 2, codes()[0]) == "Examples from Hunchun City"
    assert examples_label([example("an example without its county's name", "")], codes()[0]) == (
        "Examples"
    )


def test_a_source_cited_as_read_and_as_recalled_is_listed_once_as_read(
    snapshot: Snapshot,
) -> None:
    from app.services.wording import Labels

    plan = "国务院《全国资源型城市可持续发展规划（2013—2020年）》（国发〔2013〕45号）"
    read = {"publisher": plan, "year": 2013, "tag": "V"}
    recalled = {"publisher": plan, "year": 2013, "tag": "R"}
    paper = {"document": "yuan-2025", "section": "4.3", "tag": "P"}
    result = SimpleNamespace(
        challenges=[
            SimpleNamespace(source=recalled),
            SimpleNamespace(source=paper | {"section": "1.1"}),
        ],
        recommendations=[
            SimpleNamespace(source=read, examples=[SimpleNamespace(source=paper)] * 2),
        ],
    )
    lang = chinese()
    listed = [s["text"] for s in reports._sources(result, Labels(snapshot, lang), lang)]
    assert listed == ["Yuan, J.（2025）第1.1、4.3节", plan]


def test_what_the_county_reports_and_the_kinds_a_path_suits_read_as_sentences(
    snapshot: Snapshot, md: Callable[[tuple[str, int]], str]
) -> None:
    profile = profile_of(HUANGCHUAN)
    profile["signals"] = ["public-services-gap"]
    body = PlanRequest.model_validate_json(json.dumps(profile))
    text = reports.render_markdown(reports.for_profile(snapshot, body, chinese()), snapshot)
    text += md(MANZHOULI)
    for engine in ("县域反映：", "适合此类县域", "不太适合此类县域"):
        assert engine not in text
    assert "据县域反映，教育、医疗和文化设施落后于周边城市" in text
    assert "适用县域类型：沿边及口岸县（市）。" in text


def test_an_example_among_several_counties_names_its_own_unless_its_title_does(
    md: Callable[[tuple[str, int]], str],
) -> None:
    text = md(MANZHOULI) + md(WEINING) + md(HUANGCHUAN)
    # Deqing's figures among other counties' examples: the county and the paper's section.
    assert "人均GDP达12.25万元，城乡收入比1.54（德清县；Yuan, J.（2025）第1.1节）" in text
    assert "珲春建设互贸进口商品落地加工基地（" not in text  # the title names 珲春
    assert "苏州与宿迁在苏北合作共建工业园区（苏州宿迁工业园区）" in text  # no bracket in a bracket


def test_the_plan_note_says_what_its_timeline_shows(
    md: Callable[[tuple[str, int]], str], snapshot: Snapshot
) -> None:
    """A plan whose actions all start at once does not say that some wait for others, and the
    Markdown timeline (no colours) explains its marks, not colours; a plan in which an action
    builds on another keeps the sentence."""
    texts = {case: md(case) for case in (MANZHOULI, WEINING, HUANGCHUAN)}
    for case, text in texts.items():
        body = PlanRequest.model_validate_json(json.dumps(profile_of(case)))
        plan = reports.for_profile(snapshot, body, chinese()).plan
        assert plan is not None
        waits = any(a.depends_on for a in plan.actions)
        assert ("在前提任务第一阶段完成后启动" in text) == waits, case
        assert "颜色对应启动阶段" not in text
        assert "■表示任务的实施年份" in text
    assert "在前提任务第一阶段完成后启动" not in texts[HUANGCHUAN]
