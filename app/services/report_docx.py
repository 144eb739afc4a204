"""The report as a Word document (DOCX), the format county offices edit and file.

Chinese is first-class and follows the habits of GB/T 9704 (the layout of Party and government
documents): A4 with 37/35/28/26 mm margins, the title in 方正小标宋简体 (Word substitutes 黑体
where it is not installed), body text in 仿宋_GB2312 (substituted by 仿宋, then 宋体) at 三号
(16 pt) on a fixed 28 pt line with a two-character first-line indent, headings numbered 一、 in
黑体 and （一） in 楷体, page numbers as "— 1 —". The plan is a table; its timeline is a table whose
shaded cells show when each action runs (no image renderer needed, and it stays editable).

The same report always gives the same bytes: the zip entries carry a fixed timestamp.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any, NamedTuple

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from app.domain.knowledge import Lang
from app.domain.messages import say
from app.domain.snapshot import Snapshot
from app.services.report import PLAN_COLUMNS, Report, context
from app.services.report_words import sub_numbered

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class Font(NamedTuple):
    name: str
    substitute: str  # where Word lacks the font
    size: float  # points


# Each role's font in a Chinese and in an English document.
FONTS: dict[str, dict[Lang, Font]] = {
    "title": {"zh": Font("方正小标宋简体", "黑体", 22), "en": Font("Times New Roman", "Liberation Serif", 20)},
    "h1": {"zh": Font("黑体", "SimHei", 16), "en": Font("Arial", "Liberation Sans", 14)},
    "h2": {"zh": Font("楷体_GB2312", "楷体", 16), "en": Font("Arial", "Liberation Sans", 12)},
    "body": {"zh": Font("仿宋_GB2312", "仿宋", 16), "en": Font("Times New Roman", "Liberation Serif", 12)},
    "table": {"zh": Font("仿宋_GB2312", "仿宋", 10.5), "en": Font("Times New Roman", "Liberation Serif", 9)},
    "footer": {"zh": Font("宋体", "SimSun", 14), "en": Font("Times New Roman", "Liberation Serif", 11)},
}  # fmt: skip
# Chinese text is set in the Chinese body font in either document.
EAST_ASIAN = FONTS["body"]["zh"].name
SUBSTITUTES = {
    "方正小标宋简体": "黑体",
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "仿宋": "宋体",
}
STAGE_FILLS = ("1D3557", "457B9D", "8FB8D0")


def _font(run: Run, lang: Lang, role: str, bold: bool = False) -> None:
    name, _, size = FONTS[role][lang]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman" if lang == "zh" else name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name if lang == "zh" else EAST_ASIAN)


def _paragraph(
    doc: DocxDocument, text: str, lang: Lang, role: str = "body", *, bold: bool = False
) -> Paragraph:
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if lang == "zh" else 16)
    fmt.space_before = fmt.space_after = Pt(0)
    if role == "body" and lang == "zh":
        fmt.first_line_indent = Pt(32)
    if role == "title":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        fmt.space_after = Pt(16)
    if role in ("h1", "h2"):
        fmt.keep_with_next = True
        if lang == "en":
            fmt.space_before = Pt(10)
    _font(para.add_run(text), lang, role, bold=bold or (role == "h1" and lang == "en"))
    return para


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_text(cell: _Cell, text: str, lang: Lang, *, bold: bool = False) -> None:
    cell.text = ""
    para = cell.paragraphs[0]
    para.paragraph_format.space_after = Pt(0)
    for n, line in enumerate(text.split("\n")):
        if n:
            para = cell.add_paragraph()
            para.paragraph_format.space_after = Pt(0)
        _font(para.add_run(line), lang, "table", bold=bold)


def _table(
    doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]], lang: Lang
) -> Table:
    table: Table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        _cell_text(table.rows[0].cells[i], text, lang, bold=True)
        _shade(table.rows[0].cells[i], "E8ECF2")
    for r, row in enumerate(rows, start=1):
        for i, text in enumerate(row):
            _cell_text(table.rows[r].cells[i], text, lang)
    return table


def _page_setup(doc: DocxDocument, lang: Lang) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(para.add_run("— "), lang, "footer")
    run = para.add_run()
    _font(run, lang, "footer")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
    _font(para.add_run(" —"), lang, "footer")


def _substitutes(doc: DocxDocument) -> None:
    """Name a substitute for each Chinese official font in the font table (w:altName), so Word
    on a machine without 方正小标宋 or 仿宋_GB2312 shows 黑体 or 仿宋 instead."""
    part = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, alt in SUBSTITUTES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_name = etree.SubElement(font, qn("w:altName"))
        alt_name.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _normal_style(doc: DocxDocument, lang: Lang) -> None:
    style = doc.styles["Normal"]
    name, _, size = FONTS["body"][lang]
    style.font.name = "Times New Roman" if lang == "zh" else name
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN)
    style.font.color.rgb = RGBColor(0, 0, 0)


def _meta_line(ctx: dict[str, Any]) -> str:
    result, words, labels = ctx["result"], ctx["words"], ctx["labels"]
    parts = [
        f"{words['year']}: {result['county'].get('year') or '—'}",
        f"{words['benchmark']}: {labels.benchmark(result['benchmark'])}",
        f"{words['kb']}: {result['kb_version']}",
    ]
    return str(ctx["punct"]["semi"]).join(parts)


def _evidence_text(e: dict[str, Any], ctx: dict[str, Any]) -> str:
    labels, words = ctx["labels"], ctx["words"]
    text = f"{labels.indicator(e['indicator'])} {labels.value(e['indicator'], e['value'])}"
    if e["band"] == "ok" or e.get("target") is None:
        return text
    target = labels.value(e["indicator"], e["target"])
    return text + say(
        "report_line", "evidence_target", ctx["lang"], target=words["target"], value=target
    )


def _diagnosis(doc: DocxDocument, ctx: dict[str, Any], n: int) -> None:
    words, labels, lang = ctx["words"], ctx["labels"], ctx["lang"]
    _paragraph(doc, ctx["heading"](n, words["challenges"]), lang, "h1")
    rows = [
        [
            c["title"],
            labels.status(c["status"]),
            ctx["as_index"](c["severity"]),
            "\n".join(
                [_evidence_text(e, ctx) for e in c["evidence"]]
                + [labels.signal(s) for s in c["signals"]]
            ),
        ]
        for c in ctx["result"]["challenges"]
    ]
    _table(
        doc, [words["challenge"], words["status"], words["severity"], words["evidence"]], rows, lang
    )


def _plan_rows(ctx: dict[str, Any]) -> list[list[str]]:
    sep = ctx["punct"]["list"]
    rows = []
    for i, a in enumerate(ctx["plan"]["actions"], start=1):
        title = a["title"]
        if a["depends_on"]:
            title += f"\n{ctx['words']['after']}: " + sep.join(
                ctx["labels"].path(d) for d in a["depends_on"]
            )
        rows.append(
            [
                str(i),
                title,
                a["lead"]["name"],
                sep.join(p["name"] for p in a["partners"]),
                sep.join(f["name"] for f in a["funding"]),
                f"{a['phase']['start']}—{a['phase']['end']}",
                "\n".join(ctx["measures"](a)),
            ]
        )
    return rows


def _timeline(doc: DocxDocument, ctx: dict[str, Any]) -> None:
    plan, words, lang = ctx["plan"], ctx["words"], ctx["lang"]
    years = list(range(plan["start"], plan["horizon"] + 1))
    rows = [
        [f"{i}. {a['title']}"]
        + [
            "◆" if any(k["target"] is not None and k["year"] == y for k in a["kpis"]) else ""
            for y in years
        ]
        for i, a in enumerate(plan["actions"], start=1)
    ]
    table = _table(doc, [words["action"], *[str(y) for y in years]], rows, lang)
    for r, action in enumerate(plan["actions"], start=1):
        for c, year in enumerate(years, start=1):
            if year >= action["phase"]["start"]:
                _shade(table.rows[r].cells[c], STAGE_FILLS[action["stage"] - 1])
    _paragraph(doc, words["timeline_note"], lang)


def _plan(doc: DocxDocument, ctx: dict[str, Any], n: int) -> None:
    plan, words, lang = ctx["plan"], ctx["words"], ctx["lang"]
    _paragraph(
        doc,
        ctx["heading"](n, words["plan"].format(start=plan["start"], horizon=plan["horizon"])),
        lang,
        "h1",
    )
    _paragraph(doc, words["plan_note"], lang)
    _table(doc, [words[column] for column in PLAN_COLUMNS], _plan_rows(ctx), lang)
    _paragraph(doc, sub_numbered(lang, 1) + words["timeline"], lang, "h2")
    _timeline(doc, ctx)


def _trend(doc: DocxDocument, ctx: dict[str, Any], n: int) -> None:
    trend, words, labels, lang = ctx["trend"], ctx["words"], ctx["labels"], ctx["lang"]
    _paragraph(doc, ctx["heading"](n, words["trend"]), lang, "h1")
    sep = ctx["punct"]["list"]
    rows = []
    for period in trend["changes"]:
        items = [(labels.challenge(c["challenge"]), c["change"]) for c in period["challenges"]]
        items += [(labels.indicator(i["indicator"]), i["change"]) for i in period["indicators"]]
        rows.append(
            [
                f"{period['from_year']}—{period['to_year']}",
                sep.join(name for name, change in items if change == "improved"),
                sep.join(name for name, change in items if change == "worsened"),
            ]
        )
    _table(doc, [words["year"], words["improved"], words["worsened"]], rows, lang)
    for i, progress in enumerate(trend["progress"], start=1):
        _paragraph(
            doc, sub_numbered(lang, i) + words["progress"].format(year=progress["year"]), lang, "h2"
        )
        header = [words["kpis"], words["baseline"], words["due"], words["latest"], words["status"]]
        _table(doc, header, [_progress_row(k, ctx) for k in progress["kpis"]], lang)


def _progress_row(k: dict[str, Any], ctx: dict[str, Any]) -> list[str]:
    labels, key = ctx["labels"], k["indicator"]
    due = f" ({ctx['year_text'](k['due'])})" if k["target"] is not None else ""
    latest = f" ({ctx['year_text'](k['latest_year'])})" if k["latest_year"] else ""
    return [
        k["label"],
        labels.value(key, k["baseline"]),
        labels.value(key, k["target"]) + due,
        labels.value(key, k["latest_value"]) + latest,
        ctx["progress_word"][k["status"]],
    ]


def _paths(doc: DocxDocument, ctx: dict[str, Any], n: int) -> None:
    words, labels, lang, punctuation = ctx["words"], ctx["labels"], ctx["lang"], ctx["punct"]
    _paragraph(doc, ctx["heading"](n, words["paths"]), lang, "h1")
    if not ctx["paths"]:
        _paragraph(doc, words["no_paths"], lang)
    for p in ctx["paths"]:
        family = labels.family(p["family"])
        head = f"{p['rank']}. {p['title']}{punctuation['lp']}{family}{punctuation['rp']}"
        _paragraph(doc, head, lang, bold=True)
        _paragraph(doc, p["rationale"], lang)


def _sources(doc: DocxDocument, ctx: dict[str, Any], n: int) -> None:
    lang, labels = ctx["lang"], ctx["labels"]
    _paragraph(doc, ctx["heading"](n, ctx["words"]["sources"]), lang, "h1")
    for s in ctx["sources"]:
        if s.get("document"):
            text = f"{labels.document(s['document'])} §{s['section']}"
        else:
            punct, year_text = ctx["punct"], ctx["year_text"]
            year = punct["lp"] + year_text(s["year"]) + punct["rp"] if s.get("year") else ""
            text = s["publisher"] + year + (f" {s['url']}" if s.get("url") else "")
        _paragraph(doc, text, lang, "table")


def _stable(data: bytes) -> bytes:
    """The same entries with a fixed timestamp, so the same report gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def render_docx(report: Report, snap: Snapshot) -> bytes:
    ctx = context(report, snap)
    lang: Lang = ctx["lang"]
    doc = Document()
    _normal_style(doc, lang)
    _substitutes(doc)
    _page_setup(doc, lang)
    props = doc.core_properties
    props.title, props.author, props.language = ctx["doc_title"], "countypath", ctx["tag"]
    _paragraph(doc, ctx["doc_title"], lang, "title")
    _paragraph(doc, _meta_line(ctx), lang, "table").alignment = WD_ALIGN_PARAGRAPH.CENTER
    sections = [_diagnosis]
    sections += [_plan] if ctx["plan"] else []
    sections += [_trend] if ctx["trend"] else []
    sections += [_paths, _sources]
    for n, section in enumerate(sections, start=1):
        section(doc, ctx, n)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable(buffer.getvalue())
