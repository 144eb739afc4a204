"""Batches as Excel workbooks (.xlsx), in and out, for the sheet a statistics bureau already
keeps (app/services/tables.py reads it into profiles: header below title rows, unknown columns,
totals and "no figure" marks).

Reading trusts nothing the file declares about itself. The archive's parts are measured before
anything is inflated (:data:`MAX_INFLATED_BYTES` in all, :data:`MAX_SHARED_STRINGS_BYTES` for the
shared strings, :data:`MAX_PART_BYTES` for each part openpyxl parses whole); the first sheet's
tags are counted before it is parsed (:data:`MAX_TAGS`); then the sheet is streamed element by
element, each one let go once read, so memory stays flat however the rows are spread. Only
cells that exist are read (a ``dimension`` claiming ``A1:XFD1048576`` costs nothing), up to
:func:`tables.max_columns` columns, and the request's deadline is checked as it goes. What is over
a limit is refused with 413 or 422 naming the limit, before more work is spent on it.

Writing: a ``results`` sheet (statuses, severities and top paths, in the request's language), an
``errors`` sheet naming row and column, and a ``warnings`` sheet (what the table reader set
aside); headers frozen, columns as wide as their content. Every text cell is written as text: a
value that starts with = + - @ is never a formula, and a character XML cannot hold is dropped.
Same entries give the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet._reader import (
    CELL_TAG,
    DATA_TAG,
    ROW_TAG,
    WorkSheetParser,
)
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from app.domain.knowledge import Lang
from app.domain.messages import say
from app.domain.result_types import BatchEntry, Result, entry_result
from app.domain.snapshot import Snapshot
from app.errors import AppError, MalformedSpreadsheet, PayloadTooLarge
from app.schemas.text import xml_text
from app.services import problem_text, tables
from app.services.problem_text import problem
from app.services.tables import (
    XLSX,
    Origin,
    TableWarning,
    check_deadline,
    header_vocabulary,
)
from app.services.wording import Labels, words

__all__ = ["XLSX", "Origin", "header_vocabulary", "read_workbook", "write_results"]

MIB = 1024 * 1024
# A 5,000-row sheet of 60 columns is about 15 MiB of XML; twice that is the most a batch needs.
MAX_INFLATED_BYTES = 32 * MIB
MAX_SHARED_STRINGS_BYTES = 8 * MIB
MAX_PART_BYTES = 4 * MIB  # any other part openpyxl parses whole (workbook, styles ...)
# Tags the first sheet may hold: a full batch of 5,000 rows of 70 numbers is 1.4 million (four a
# cell: <c><v></v></c>). Past it the sheet is refused (413) before it is parsed: parsing costs
# 1-3 microseconds a tag, so no sheet costs more than a few seconds.
MAX_TAGS = 1_500_000
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = datetime(2000, 1, 1)


@dataclass(frozen=True)
class _Sheet:
    """The first worksheet of a workbook, with what its cells refer to."""

    archive: zipfile.ZipFile
    path: str
    strings: list[str]
    epoch: datetime
    date_formats: Any
    timedelta_formats: Any


def _open(body: bytes) -> _Sheet:
    """The workbook's first sheet, once the archive's parts are measured. openpyxl reads the
    manifest, the workbook part and the styles (small parts, capped); the shared strings and the
    sheet are streamed here, since openpyxl would walk a sheet whole just to size it."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = [(info.filename, info.file_size) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 - zipfile raises many kinds for what is not a zip
        raise problem(MalformedSpreadsheet, "xlsx_not_workbook") from None
    _measure(parts)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a client's file is not ours to warn about
            reader = ExcelReader(io.BytesIO(body), read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            path = next(
                (rel.target for _, rel in reader.parser.find_sheets() if _is_sheet(reader, rel)),
                None,
            )
            strings = _shared_strings(reader)
    except AppError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl and lxml raise many kinds for a bad file
        raise problem(MalformedSpreadsheet, "xlsx_not_workbook") from None
    if path is None:
        raise problem(MalformedSpreadsheet, "xlsx_no_sheet")
    book = reader.wb
    return _Sheet(
        reader.archive,
        path,
        strings,
        book.epoch,
        getattr(book, "_date_formats", set()),
        getattr(book, "_timedelta_formats", set()),
    )


def _measure(parts: list[tuple[str, int]]) -> None:
    """Refuse an archive whose parts inflate past what a batch needs (their declared sizes:
    a part that inflates past its declared size fails its CRC check when read)."""
    if sum(size for _, size in parts) > MAX_INFLATED_BYTES:
        raise problem(PayloadTooLarge, "xlsx_too_large", limit=MAX_INFLATED_BYTES // MIB)
    for name, size in parts:
        folder = name.lower().rpartition("/")[0]
        if name.lower().endswith("sharedstrings.xml"):
            limit = MAX_SHARED_STRINGS_BYTES
        elif folder.endswith("worksheets") or folder.endswith("media"):
            continue
        else:
            limit = MAX_PART_BYTES
        if size > limit:
            part = name[-60:]
            raise problem(PayloadTooLarge, "xlsx_part_too_large", limit=limit // MIB, part=part)


def _is_sheet(reader: Any, rel: Any) -> bool:
    return rel.target in reader.valid_files and "chartsheet" not in rel.Type


def _xml_events(source: Any, tag: str | None = None) -> Any:
    """lxml's streaming parse, as safe as defusedxml: no entity resolved, nothing fetched, no
    DTD loaded (and one declared is refused by the readers below)."""
    return etree.iterparse(
        source,
        events=("end",),
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _refuse_doctype(element: Any) -> None:
    if element.getroottree().docinfo.doctype:
        raise ValueError("a document type declaration")


def _shared_strings(reader: Any) -> list[str]:
    """The shared-strings table, streamed: each string's text without its phonetic runs."""
    found = reader.package.find(SHARED_STRINGS)
    if found is None:
        return []
    strings: list[str] = []
    with reader.archive.open(found.PartName[1:]) as source:
        for element in (e for _, e in _xml_events(source, STRING_TAG)):
            if not strings:
                _refuse_doctype(element)
            text = [c.text or "" for c in element if c.tag == TEXT_TAG]
            for run in (c for c in element if c.tag == RUN_TAG):
                text += [t.text or "" for t in run if t.tag == TEXT_TAG]
            strings.append("".join(text).replace("x005F_", ""))
            element.getparent().remove(element)
    return strings


def read_workbook(
    body: bytes, snap: Snapshot, limit: int, deadline: float | None = None
) -> tuple[list[Any], Origin]:
    """The profiles of the first sheet, in order, and where each came from."""
    sheet = _open(body)
    columns = tables.max_columns(snap)
    cells = _sheet_cells(sheet, columns, limit, deadline)
    try:
        return tables.read_table(cells, snap, limit, deadline)
    finally:
        cells.close()
        sheet.archive.close()


def _sheet_cells(
    sheet: _Sheet, columns: int, profiles: int, deadline: float | None
) -> Generator[tuple[int, dict[int, Any]], None, None]:
    """Each row of the sheet that holds a value: its number and its cells (column from 0).

    The sheet's tags are counted before it is parsed (a byte count, in C): more than a full
    batch could need is refused at once. Then each cell is dropped once read and each row once
    yielded, so memory holds about one row whatever the sheet. openpyxl's reader says what a
    cell means (shared strings, inline text, dates), but does not walk the sheet: it pads every
    row to the width the sheet declares."""
    xml = sheet.archive.read(sheet.path)  # at most MAX_INFLATED_BYTES: measured before
    if xml.count(b"<") > MAX_TAGS:  # every element starts with one (so does any other markup)
        raise problem(PayloadTooLarge, "xlsx_too_many_cells", limit=MAX_TAGS, profiles=profiles)
    source = io.BytesIO(xml)
    parser = WorkSheetParser(
        source,
        sheet.strings,
        data_only=True,
        epoch=sheet.epoch,
        date_formats=sheet.date_formats,
        timedelta_formats=sheet.timedelta_formats,
    )
    try:
        yield from _rows(_xml_events(source), parser, columns, deadline)
    except (etree.LxmlError, ValueError, IndexError, KeyError, TypeError):
        # Broken XML, bad coordinates, a shared string that is not there, a number that is not
        # one: the sheet is broken, not the request.
        raise problem(MalformedSpreadsheet, "xlsx_unreadable") from None


def _rows(
    events: Iterator[tuple[str, Any]], parser: Any, columns: int, deadline: float | None
) -> Iterator[tuple[int, dict[int, Any]]]:
    """The hot loop: one pass per XML element, a cell read only when it is within the columns
    read; every element let go once read."""
    row_number = column = tick = 0  # the row being read, its last cell's column
    in_row, first = False, True
    cells: dict[int, Any] = {}
    for _, element in events:
        tick += 1
        if tick == 4096:
            tick = 0
            check_deadline(deadline)
        if first:
            first = False
            _refuse_doctype(element)
        parent = element.getparent()
        if parent is None:
            continue  # the root: the sheet is read
        tag = element.tag
        if tag == CELL_TAG:
            if not in_row:
                row_number, in_row = _row_number(parent, row_number), True
            reference = element.get("r")
            column = column + 1 if reference is None else _column(reference)
            if column <= columns:
                _read_cell(parser, element, row_number, column, cells)
            elif len(element):  # a value (or formula) beyond the columns read
                raise tables.too_many_columns(columns, get_column_letter(column))
            parent.remove(element)
        elif tag == ROW_TAG:
            if not in_row:
                row_number = _row_number(element, row_number)
            if cells:
                yield row_number, cells
            column, in_row, cells = 0, False, {}
            parent.remove(element)
        elif parent.tag != CELL_TAG and _near_root(parent):
            parent.remove(element)  # read (a column width, a merged range ...): let it go


def _near_root(parent: Any) -> bool:
    """Whether an element under ``parent`` sits at most two levels below the root: outside any
    row or cell, so nothing still to be read needs it."""
    grand = parent.getparent()
    return grand is None or (grand.getparent() is None and parent.tag != DATA_TAG)


def _row_number(element: Any, previous: int) -> int:
    text = element.get("r")
    return int(text) if text is not None else previous + 1


def _column(reference: str) -> int:
    return column_index_from_string(coordinate_from_string(reference)[0])


def _read_cell(parser: Any, element: Any, row: int, column: int, cells: dict[int, Any]) -> None:
    parser.row_counter, parser.col_counter = row, column - 1
    value = parser.parse_cell(element)["value"]
    if value is None:
        return
    if isinstance(value, str) and len(value) > tables.MAX_CELL_CHARS:
        raise tables.cell_too_long(f"{get_column_letter(column)}{row}")
    cells[column - 1] = value


# ---------------------------------------------------------------- writing

TOP_PATHS = 3
MAX_WIDTH = 60  # characters (a Chinese character counts two)


def _cell_text(value: Any) -> Any:
    """What a cell can hold of ``value``: numbers as they are; anything else as text, without
    the characters XML 1.0 cannot carry (controls, U+FFFE ...), and no longer than Excel allows.
    A bad row's value (a list where a name should be) is shown, never a reason to fail."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else repr(value)
    return xml_text(text)[: tables.MAX_CELL_CHARS]


def _text_cell(sheet: Worksheet, value: Any) -> Any:
    """A write-only cell; text is always stored as text, so a leading = + - @ stays inert."""
    value = _cell_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True
    return cell


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_sheet(sheet: Worksheet, header: list[str], rows: list[list[Any]]) -> None:
    """A sheet with its header frozen and filtered, and each column as wide as its content."""
    widths = [_width(h) for h in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _width(_cell_text(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for values in [header, *rows]:
        sheet.append([_text_cell(sheet, v) for v in values])


def _results_header(snap: Snapshot, lang: Lang) -> list[str]:
    heads = words("sheet", lang)
    labels = Labels(snap, lang)
    columns = [heads[k] for k in ("row", "county", "code", "province", "year", "benchmark")]
    columns.append(heads["kb_version"])
    for slug in sorted(snap.challenges):
        title = labels.challenge(slug)
        columns.append(say("sheet", "challenge_status", lang, challenge=title))
        columns.append(say("sheet", "challenge_severity", lang, challenge=title))
    return columns + [say("sheet", "path_rank", lang, rank=r) for r in range(1, TOP_PATHS + 1)]


def _result_row(row: int, result: Result, snap: Snapshot, lang: Lang) -> list[Any]:
    county = result.county
    statuses = words("status", lang)
    by_slug = {c.slug: c for c in result.challenges}
    values: list[Any] = [row, county.name, county.code, county.province]
    values += [county.year, Labels(snap, lang).benchmark(result.benchmark)]
    values.append(result.kb_version)
    for slug in sorted(snap.challenges):
        found = by_slug.get(slug)
        values += [statuses[found.status], found.severity] if found else [None, None]
    top = [p.title for p in result.recommendations[:TOP_PATHS]]
    return values + top + [None] * (TOP_PATHS - len(top))


def _error_rows(entry: BatchEntry, rows: list[Any], origin: Origin | None) -> list[list[Any]]:
    index = entry["index"]
    error = entry["error"]
    name: Any = ""
    if index < len(rows) and isinstance(rows[index], dict):
        county = rows[index].get("county")
        name = county.get("name", "") if isinstance(county, dict) else ""
    problems = error["errors"] or [
        {"pointer": "", "code": error["code"], "message": error["detail"]}
    ]
    out = []
    for found in problems:
        row, column = origin.cell(index, str(found["pointer"])) if origin else (index, "")
        out.append([row, name, column, found["pointer"], found["code"], found["message"]])
    return out


def _warning_rows(warnings: Iterable[TableWarning], lang: Lang) -> list[list[Any]]:
    return [[w.row, w.column, w.code, problem_text.message(w.as_error(), lang)] for w in warnings]


def write_results(
    entries: Iterable[BatchEntry],
    rows: list[Any],
    origin: Origin | None,
    snap: Snapshot,
    lang: Lang,
) -> bytes:
    """The batch's answer as a workbook, in ``lang``: ``results`` (statuses, severities and top
    paths), ``errors`` (each invalid field by row and column) and ``warnings`` (what the table
    reader left out). Rows are sheet rows for a table batch, else the profile's index (from 0)."""
    heads = words("sheet", lang)
    results: list[list[Any]] = []
    errors: list[list[Any]] = []
    for entry in entries:
        if "error" in entry:
            errors += _error_rows(entry, rows, origin)
        else:
            row = origin.cell(entry["index"], "")[0] if origin else entry["index"]
            results.append(_result_row(row, entry_result(entry), snap, lang))
    book = Workbook(write_only=True)
    _write_sheet(book.create_sheet("results"), _results_header(snap, lang), results)
    error_head = [heads[k] for k in ("row", "county", "column", "pointer", "error", "message")]
    _write_sheet(book.create_sheet("errors"), error_head, errors)
    warning_head = [heads[k] for k in ("row", "column", "notice", "message")]
    warnings = _warning_rows(origin.warnings if origin else (), lang)
    _write_sheet(book.create_sheet("warnings"), warning_head, warnings)
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # Workbook.save would stamp the save time as "modified"; the writer keeps the fixed one.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed member times, so the same results give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
