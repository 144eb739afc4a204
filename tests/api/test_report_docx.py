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


def table_with(doc: DocxDocument, header: str) -> Any:
    found = [t for t in doc.tables if header in [c.text for c in t.rows[0].cells]]
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
    assert "一、发展挑战" in texts
    assert "二、2026—2030年行动方案" in texts
    assert "（一）实施进度安排" in texts
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
    heading = next(p for p in doc.paragraphs if p.text == "一、发展挑战").runs[0]
    assert east_asia(heading) == "黑体"
    sub = next(p for p in doc.paragraphs if p.text == "（一）实施进度安排").runs[0]
    assert east_asia(sub) == "楷体_GB2312"
    body = next(p for p in doc.paragraphs if p.text.startswith("针对处于警示状态"))
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
    assert "1. Challenges" in [p.text for p in doc.paragraphs]


def test_docx_is_negotiated_and_other_types_are_406(client: TestClient) -> None:
    res = client.post("/v1/reports", json=INDUSTRIAL, headers={"accept": "application/msword"})
    assert res.status_code == 406
    assert res.headers["content-type"] == "application/problem+json"
