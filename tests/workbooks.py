"""Workbooks for the batch tests: the sheet a bureau keeps, and the hostile ones of the
2026-12-06 security probe (built part by part, since openpyxl would not write them)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

TITLE = "2024年浙江省部分县（市）主要经济指标"
HEADER = [
    "序号",
    "县名",
    "代码",
    "省份",
    "年份",
    "地区生产总值（亿元）",
    "常住人口城镇化率（%）",
    "研发经费投入强度（%）",
    "货物进出口总额（亿元）",
    "备注",
]


def bureau_book(rows: Iterable[list[Any]], *, title_rows: int = 2) -> bytes:
    """A sheet as a statistics bureau keeps it: a merged title row (and a unit line) above the
    header, a serial-number column and a remarks column countypath does not know."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2024年县域主要指标"
    if title_rows:
        sheet.append([TITLE])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for _ in range(title_rows - 1):
        sheet.append([None] * (len(HEADER) - 1) + ["单位：亿元、%"])
    sheet.append(HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.worksheet+xml"/>%s</Types>'
)
_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>%s</Relationships>'
)
_STRINGS_REL = (
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def text_cell(ref: str, text: str) -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref.encode(), text.encode())


def package(sheet: Iterable[bytes], strings: Iterable[bytes] | None = None) -> bytes:
    """An .xlsx of one sheet whose XML is ``sheet`` (and shared strings ``strings``), streamed
    into the archive so that parts far larger than memory can be written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml", _CONTENT_TYPES % (_STRINGS_TYPE if strings else b"")
        )
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS % (_STRINGS_REL if strings else b"")
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk)
        if strings:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in strings:
                    part.write(chunk)
    return buffer.getvalue()


def dimension_bomb(last_row: int = 1_048_576) -> bytes:
    """H-1: 1.7 KB that claims A1:XFD1048576 and holds one county in its last row."""
    return package(
        [
            _SHEET,
            b'<dimension ref="A1:XFD%d"/><sheetData><row r="1">' % last_row,
            text_cell("A1", "county_name") + text_cell("B1", "gdp_cny_100m"),
            b'</row><row r="%d">' % last_row,
            text_cell(f"A{last_row}", "Deqing") + b'<c r="B%d"><v>720</v></c>' % last_row,
            b"</row></sheetData></worksheet>",
        ]
    )


def padded_cell(megabytes: int = 200) -> bytes:
    """M-1: about 200 KB holding one cell of 200 MB of spaces."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET + b'<sheetData><row r="1">'
        yield text_cell("A1", "county_name") + text_cell("B1", "gdp_cny_100m")
        yield b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>'
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield b'Deqing</t></is></c><c r="B2"><v>720</v></c></row></sheetData></worksheet>'

    return package(sheet())


def shared_strings(count: int, width: int = 100) -> bytes:
    """M-1: a shared-strings table of ``count`` strings of ``width`` characters."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b"<si><t>county_name</t></si><si><t>Deqing</t></si>"
        one = b"<si><t>" + b"s" * width + b"</t></si>"
        for _ in range(count // 10_000):
            yield one * 10_000
        yield b"</sst>"

    sheet = [
        _SHEET,
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        b'<row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>',
    ]
    return package(sheet, strings())


def wide(columns: int = 16_384, rows: int = 10) -> bytes:
    """M-1: a header of ``columns`` columns and ``rows`` rows of ones."""
    letters = [get_column_letter(i + 1) for i in range(columns)]

    def sheet() -> Iterator[bytes]:
        yield _SHEET + b"<sheetData>"
        header = b"".join(text_cell(f"{letters[i]}1", f"c{i}") for i in range(1, columns))
        yield b'<row r="1">' + text_cell("A1", "county_name") + header + b"</row>"
        for r in range(2, rows + 2):
            ones = b"".join(
                b'<c r="%s%d"><v>1</v></c>' % (letters[i].encode(), r) for i in range(1, columns)
            )
            yield b'<row r="%d">' % r + text_cell(f"A{r}", f"County{r}") + ones + b"</row>"
        yield b"</sheetData></worksheet>"

    return package(sheet())


def empty_cells(count: int) -> bytes:
    """Cells that exist and hold nothing (a styled range), ``count`` of them in row 2."""
    return package(
        [
            _SHEET,
            b'<sheetData><row r="1">' + text_cell("A1", "county_name") + b'</row><row r="2">',
            b'<c s="1"/>' * count,
            b"</row></sheetData></worksheet>",
        ]
    )
