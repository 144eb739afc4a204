"""The Word writer's own vocabulary: fonts by role, paragraphs, tables, sections and the page, so
the report, its 行动方案 sections and the one-page brief are laid out alike. Each language's fonts,
lines and indents are catalogue data (``languages.*.document`` in app/locales/messages.yaml).

Chinese follows the habits of GB/T 9704 (the layout of Party and government documents): A4 with
37/35/28/26 mm margins, the title in 方正小标宋简体 (Word substitutes 黑体 where it is not
installed), body text in 仿宋_GB2312 (substituted by 仿宋, then 宋体) at 三号 (16 pt) on a fixed
28 pt line with a two-character first-line indent, headings in 黑体 and 楷体, page numbers as
"— 1 —". The same document always gives the same bytes: the zip entries carry a fixed timestamp.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from app.domain.language import Document as Layout
from app.domain.language import Lang, language, languages
from app.schemas.text import xml_text

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
A4 = (Mm(210), Mm(297))
# Top, bottom, left and right margins of a portrait page; a landscape page turns them with it.
MARGINS = (Mm(37), Mm(35), Mm(28), Mm(26))


def _layout(lang: Lang) -> Layout:
    return language(lang).document


def font(run: Run, lang: Lang, role: str, bold: bool = False) -> None:
    """A run in its role's font: Latin letters and CJK characters each in the font the language
    sets for them (Chinese text in the Chinese body font in either document)."""
    layout = _layout(lang)
    name, _, size = layout.fonts[role]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = layout.latin_font or name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), layout.east_asian_font or name)


def paragraph(
    doc: DocxDocument, text: str, lang: Lang, role: str = "body", *, bold: bool = False
) -> Paragraph:
    """A paragraph in a role's font: body text indented as the language indents it (two
    characters in Chinese), headings kept with the paragraph that follows them, the title
    centred."""
    layout = _layout(lang)
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(layout.line)
    fmt.space_before = fmt.space_after = Pt(0)
    if role == "body" and layout.body_indent:
        fmt.first_line_indent = Pt(layout.body_indent)
    if role == "title":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        fmt.space_after = Pt(16)
    if role in ("h1", "h2"):
        fmt.keep_with_next = True
        if layout.heading_space:
            fmt.space_before = Pt(layout.heading_space)
    bold = bold or (role == "h1" and layout.h1_bold)
    font(para.add_run(xml_text(text)), lang, role, bold=bold)
    return para


def shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def cell_text(cell: _Cell, text: str, lang: Lang, *, bold: bool = False) -> None:
    cell.text = ""
    para = cell.paragraphs[0]
    para.paragraph_format.space_after = Pt(0)
    for n, line in enumerate(text.split("\n")):
        if n:
            para = cell.add_paragraph()
            para.paragraph_format.space_after = Pt(0)
        font(para.add_run(xml_text(line)), lang, "table", bold=bold)


def table(
    doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]], lang: Lang
) -> Table:
    """A grid with a shaded header row."""
    found: Table = doc.add_table(rows=1 + len(rows), cols=len(header))
    found.style = "Table Grid"
    found.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell_text(found.rows[0].cells[i], text, lang, bold=True)
        shade(found.rows[0].cells[i], "E8ECF2")
    for r, row in enumerate(rows, start=1):
        for i, text in enumerate(row):
            cell_text(found.rows[r].cells[i], text, lang)
    return found


def column_widths(found: Table, shares: Sequence[float], width: int) -> None:
    """Columns sized to what they hold (``shares`` of the text ``width``): Word keeps a fixed
    layout only when both the grid and every cell name the width."""
    found.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    found._tbl.tblPr.append(layout)
    total = sum(shares)
    widths = [int(width * s / total) for s in shares]
    for col, w in zip(found.columns, widths, strict=True):
        col.width = w
        for cell in col.cells:
            cell.width = w


def text_width(section: Section) -> int:
    """The width between a section's margins, in EMU."""
    return (
        int(section.page_width or 0)
        - int(section.left_margin or 0)
        - int(section.right_margin or 0)
    )


def _margins(section: Section, landscape: bool) -> None:
    top, bottom, left, right = MARGINS
    if landscape:  # the page turned: the binding edge stays on the left
        top, bottom, left, right = left, right, top, bottom
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right


def page_setup(doc: DocxDocument, lang: Lang) -> None:
    """A4 portrait with the margins of a government document and "— 1 —" page numbers (later
    sections inherit the footer)."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4
    _margins(section, False)
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(para.add_run("— "), lang, "footer")
    run = para.add_run()
    font(run, lang, "footer")
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
    font(para.add_run(" —"), lang, "footer")


def new_section(doc: DocxDocument, *, landscape: bool) -> Section:
    """A section on a new page, A4 turned as asked: a wide table gets a landscape page, and the
    text after it turns back."""
    section: Section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    _margins(section, landscape)
    return section


def _substitutes(doc: DocxDocument) -> None:
    """Name a substitute for each Chinese official font in the font table (w:altName), so Word
    on a machine without 方正小标宋 or 仿宋_GB2312 shows 黑体 or 仿宋 instead."""
    part = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for layout in (lang.document for lang in languages()):
        for name, alt in layout.substitutes.items():
            entry = etree.SubElement(root, qn("w:font"))
            entry.set(qn("w:name"), name)
            alt_name = etree.SubElement(entry, qn("w:altName"))
            alt_name.set(qn("w:val"), alt)
            if layout.charset is not None:
                charset = etree.SubElement(entry, qn("w:charset"))
                charset.set(qn("w:val"), layout.charset)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _normal_style(doc: DocxDocument, lang: Lang) -> None:
    layout = _layout(lang)
    style = doc.styles["Normal"]
    name, _, size = layout.fonts["body"]
    style.font.name = layout.latin_font or name
    style.font.size = Pt(size)
    east_asian = layout.east_asian_font or name
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    style.font.color.rgb = RGBColor(0, 0, 0)


def new_document(lang: Lang, title: str, tag: str) -> DocxDocument:
    """An empty document with the fonts, page and properties of its language."""
    doc = Document()
    _normal_style(doc, lang)
    _substitutes(doc)
    page_setup(doc, lang)
    props = doc.core_properties
    props.title, props.author, props.language = xml_text(title), "countypath", tag
    return doc


def _stable(data: bytes) -> bytes:
    """The same entries with a fixed timestamp, so the same report gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def saved(doc: DocxDocument) -> bytes:
    """The document's bytes, the same for the same document."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable(buffer.getvalue())
