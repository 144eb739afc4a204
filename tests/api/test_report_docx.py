"""The report as DOCX, read back with python-docx: the plan table in Chinese with a lead
department per action, the timeline, and the fonts, numbering and page of a government document."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from fastapi.testclient import TestClient

from tests.api.test_report_content import INDUSTRIAL

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CJK = re.compile(r"[\u4e00-\u9fff]")


def fetch(client: TestClient, lang: str, body: dict[str, Any] | None = None) -> tuple[Any, bytes]:
    res = client.post(
        "/v1/reports",
        json=body or INDUSTRIAL,
        headers={"accept": DOCX, "accept-language": lang},
    )
    assert res.status_code == 200, res.text
    return res, res.content


def east_asia(run: Any) -> str | None:
    fonts = run._element.rPr.rFonts
    value: str | None = fonts.get(qn("w:eastAsia"))
    return value


def table_with(doc: DocxDocument, header: str, skip: Any = None) -> Any:
    found = [
        t
        for t in doc.tables
        if header in [c.text for c in t.rows[0].cells] and (skip is None or t._tbl is not skip._tbl)
    ]
    assert found, [[c.text for c in t.rows[0].cells] for t in doc.tables]
    return found[0]


def test_docx_opens_with_the_plan_table_in_chinese(client: TestClient) -> None:
    res, data = fetch(client, "zh")
    assert res.headers["content-type"] == DOCX
    assert res.headers["content-disposition"] == 'attachment; filename="countypath-341221.docx"'
    assert res.headers["content-language"] == "zh-CN"
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "临泉县高质量发展行动方案（2026—2030年）"
    assert "（一）责任分工" in texts
    assert "（二）实施进度安排" in texts
    plan = table_with(doc, "牵头单位")
    header = [c.text for c in plan.rows[0].cells]
    assert header == [
        "序号",
        "重点任务",
        "牵头单位",
        "配合单位",
        "资金渠道",
        "实施期限",
        "考核指标",
    ]
    rows = plan.rows[1:]
    assert len(rows) >= 6
    for row in rows:
        cells = [c.text for c in row.cells]
        assert CJK.search(cells[2]), cells  # lead department
        assert cells[3]
        assert cells[4]
        assert re.fullmatch(r"20\d\d—20\d\d", cells[5])
        assert CJK.search(cells[6])  # KPIs
    assert any("县投资促进中心" == row.cells[2].text for row in rows)


def test_docx_timeline_shades_each_action_from_its_start(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    doc = Document(io.BytesIO(data))
    plan = table_with(doc, "牵头单位")
    timeline = table_with(doc, "2026")
    assert [c.text for c in timeline.rows[0].cells][1:] == ["2026", "2027", "2028", "2029", "2030"]
    assert len(timeline.rows) == len(plan.rows)
    for row, plan_row in zip(timeline.rows[1:], plan.rows[1:], strict=True):
        start = int(plan_row.cells[5].text[:4])
        shaded = [
            2026 + i
            for i, cell in enumerate(row.cells[1:])
            if cell._tc.tcPr is not None and cell._tc.tcPr.find(qn("w:shd")) is not None
        ]
        assert shaded == list(range(start, 2031))


def test_docx_follows_government_document_layout(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    sides = (section.left_margin, section.right_margin)
    assert [round(Length(v).mm) for v in (*sizes, *sides)] == [210, 297, 37, 35, 28, 26]
    title = doc.paragraphs[0].runs[0]
    assert east_asia(title) == "方正小标宋简体"
    assert title.font.size == Pt(22)
    heading = next(p for p in doc.paragraphs if p.text == "一、指导思想").runs[0]
    assert east_asia(heading) == "黑体"
    sub = next(p for p in doc.paragraphs if p.text == "（二）实施进度安排").runs[0]
    assert east_asia(sub) == "楷体_GB2312"
    body = next(p for p in doc.paragraphs if p.text.startswith("针对突出问题的举措"))
    assert east_asia(body.runs[0]) == "仿宋_GB2312"
    assert body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert body.paragraph_format.line_spacing == Pt(28)
    footer = section.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml
    assert footer.text.startswith("— ")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        fonts = z.read("word/fontTable.xml").decode()
        times = {info.date_time for info in z.infolist()}
    assert re.search(r'w:name="方正小标宋简体".*?w:altName w:val="黑体"', fonts, re.S)
    assert re.search(r'w:name="仿宋_GB2312".*?w:altName w:val="仿宋"', fonts, re.S)
    assert times == {(2026, 1, 1, 0, 0, 0)}


def test_docx_in_english_too(client: TestClient) -> None:
    _, data = fetch(client, "en")
    doc = Document(io.BytesIO(data))
    assert doc.paragraphs[0].text.startswith("临泉县: action plan")
    plan = table_with(doc, "Lead")
    assert all(
        row.cells[2].text.startswith(("County", "Talent", "Development", "Ecology"))
        for row in plan.rows[1:]
    )
    texts = [p.text for p in doc.paragraphs]
    assert [t for t in texts if re.match(r"\d\. ", t)][:4] == [
        "1. Guiding approach",
        "2. Main targets",
        "3. Main tasks",
        "4. Safeguards",
    ]
    assert "(1) Leadership" in texts
    assert "Annex 1" in texts
    assert "Annex 2" in texts


def test_docx_is_negotiated_and_other_types_are_406(client: TestClient) -> None:
    res = client.post("/v1/reports", json=INDUSTRIAL, headers={"accept": "application/msword"})
    assert res.status_code == 406
    assert res.headers["content-type"] == "application/problem+json"


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
HEADINGS = ("一、指导思想", "二、主要目标", "三、重点任务", "四、保障措施", "附件1", "附件2")


def blocks(doc: DocxDocument) -> list[tuple[str, Any]]:
    """The body in order: ("p", text), ("table", Table) and ("break", orientation) where a section
    ends (a paragraph's w:sectPr closes the section that holds what came before it)."""
    tables = iter(doc.tables)
    out: list[tuple[str, Any]] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            out.append(("table", next(tables)))
        elif child.tag == qn("w:p"):
            out.append(("p", "".join(t.text or "" for t in child.iter(qn("w:t")))))
            sect = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            if sect is not None:
                size = sect.find(qn("w:pgSz"))
                out.append(("break", size.get(qn("w:orient")) or "portrait"))
    return out


def words_outside_names(text: str) -> list[str]:
    """English words in a Chinese text apart from names and codes: quoted names, addresses,
    the API's route, the data version, the paper's citation (its author as published, "Yuan,
    J.（2025）第3节") and GDP and PM2.5, which Chinese documents write so."""
    codes = (
        r"“[^”]*”|https?://\S+|/v1/\S*|\bGET\b|\d+:[0-9a-f]+|[A-Z][a-z]+, [A-Z]\.(?=（\d{4}）第)"
    )
    return [
        w for w in LATIN_WORD.findall(re.sub(codes, "", text, flags=re.M)) if w not in ("GDP", "PM")
    ]


def plan_of(client: TestClient) -> dict[str, Any]:
    res = client.post("/v1/plans", json=INDUSTRIAL, headers={"accept-language": "zh"})
    assert res.status_code == 200, res.text
    plan: dict[str, Any] = res.json()
    return plan


def test_docx_is_an_action_plan_a_county_can_adopt(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert [t for t in texts if t in HEADINGS] == list(HEADINGS)
    assert texts[texts.index("附件1") + 1] == "重点任务责任分工表"
    assert texts[texts.index("附件2") + 1] == "指标说明与资料来源"
    guiding = texts[texts.index("一、指导思想") + 1]
    assert "临泉县" in guiding
    assert "2026—2030年" in guiding
    plan = plan_of(client)
    top = [c["title"] for c in plan["challenges"] if c["status"] in ("flag", "watch")][:2]
    assert all(f"“{t}”" in guiding for t in top)
    targets = table_with(doc, "目标值")
    assert [c.text for c in targets.rows[0].cells] == [
        "指标",
        "基期值",
        "目标值",
        "目标年份",
        "属性",
        "说明",
    ]
    kinds = [row.cells[4].text for row in targets.rows[1:]]
    assert set(kinds) <= {"约束性", "预期性"}
    assert kinds
    labels = [row.cells[0].text for row in targets.rows[1:]]
    assert labels == [t["label"] for t in plan["targets"]]
    assert all(re.search(r"\d", row.cells[2].text) for row in targets.rows[1:])
    if plan["outputs"] or plan["to_measure"]:
        assert "以下监测指标由统计部门核定基期值后确定目标值：" in texts
        monitored = table_with(doc, "属性", skip=targets)
        assert [row.cells[0].text for row in monitored.rows[1:]] == [
            o["label"] for o in [*plan["to_measure"], *plan["outputs"]]
        ]
        assert all(row.cells[1].text == "需先测算基期值" for row in monitored.rows[1:])


def test_each_task_is_a_numbered_heading_with_its_texts_and_duties(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    body = texts[texts.index("三、重点任务") + 1 : texts.index("四、保障措施")]
    numerals = "一二三四五六七八九十"
    actions = plan_of(client)["actions"]
    at = 0
    for n, action in enumerate(actions, start=1):
        mark = numerals[n - 1] if n <= 10 else "十" + numerals[n - 11]
        assert body[at] == f"（{mark}）{action['title']}"
        assert body[at + 1 : at + 1 + len(action["tasks"])] == action["tasks"]
        duty = body[at + 1 + len(action["tasks"])]
        assert duty.startswith(f"牵头单位：{action['lead']['name']}；配合单位：")
        assert duty.endswith(f"实施期限：{action['phase']['start']}—{action['phase']['end']}年。")
        at += len(action["tasks"]) + 2
    assert at == len(body)
    safeguards = texts[texts.index("四、保障措施") : texts.index("附件1")]
    assert [t for t in safeguards if t.startswith("（")] == [
        "（一）组织领导",
        "（二）要素保障",
        "（三）考核督导",
    ]
    funding = {f["name"] for a in actions for f in a["funding"]}
    assert all(name in "".join(safeguards) for name in funding)


def test_the_table_of_duties_has_a_landscape_page(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    doc = Document(io.BytesIO(data))
    order = blocks(doc)
    breaks = [i for i, (kind, _) in enumerate(order) if kind == "break"]
    assert [order[i][1] for i in breaks] == ["portrait", "landscape"]  # the last is the body's
    landscape = order[breaks[0] + 1 : breaks[1] + 1]
    assert ("p", "附件1") in landscape
    headers = [[c.text for c in t.rows[0].cells] for kind, t in landscape if kind == "table"]
    assert headers[0][:2] == ["序号", "重点任务"]
    assert headers[1][1] == "2026"
    section = doc.sections[1]
    assert section.page_width > section.page_height
    duties = table_with(doc, "牵头单位")
    widths = [col.width for col in duties.columns]
    assert widths[0] < widths[1]
    assert widths[5] < widths[6]
    assert widths[0] < widths[5]
    assert doc.sections[2].page_width < doc.sections[2].page_height
    annex2 = [t for kind, t in order[breaks[1] :] if kind == "p"]
    assert "附件2" in annex2
    assert "（二）资料来源" in annex2
    assert any(t.startswith("Yuan, J.（2025）第") for t in annex2)  # the paper, cited in Chinese


def test_the_chinese_plan_has_no_stray_english(client: TestClient) -> None:
    _, data = fetch(client, "zh")
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    stray = {t: words_outside_names(t) for t in texts if words_outside_names(t)}
    assert not stray


def test_without_a_plan_the_docx_is_the_diagnosis(client: TestClient) -> None:
    res = client.post(
        "/v1/reports",
        json=INDUSTRIAL | {"county": INDUSTRIAL["county"] | {"year": 2029}},
        headers={"accept": DOCX, "accept-language": "zh"},
    )
    assert res.status_code == 200, res.text
    doc = Document(io.BytesIO(res.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "临泉县县域发展诊断与行动方案"
    assert [t for t in texts if re.match("[一二三四]、", t)] == [
        "一、发展挑战",
        "二、推荐路径（按排序）",
        "三、资料来源",
    ]
    assert len(doc.sections) == 1


def test_a_city_bound_by_debt_gets_its_own_name_and_funding_notes(client: TestClient) -> None:
    """A county-level city whose debt binds (Manzhouli, revenue 10.6 of 48.8亿元 spent, with a
    debt ratio past the 120% warning line put in for the test): the document names it as the
    division table does, says which funding it cannot use, and keeps county wording and software
    words out."""
    import yaml

    from tests.conftest import SEEDS

    profile = yaml.safe_load((SEEDS / "cases" / "border.yaml").read_text(encoding="utf-8"))["base"]
    profile["indicators"]["gov_debt_ratio_pct"] = 130
    _, data = fetch(client, "zh", profile)
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "满洲里市高质量发展行动方案（2026—2030年）"
    assert any("本市不适用" in t or "不新增" in t for t in texts), texts
    body = "\n".join(texts)
    assert "Manzhouli" not in body
    assert "/v1/" not in body
    assert "知识库中" not in body
    assert not re.search(r"不新增县级|县内银行|县属平台", body)
