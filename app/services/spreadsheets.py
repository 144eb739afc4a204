"""Batches as Excel workbooks (.xlsx), in and out, for the sheet a statistics bureau already
keeps: one county per row; indicator keys or their Chinese labels as headers (a unit in brackets
after the label is fine); county name, code, province and year columns.

Reading: the first sheet; a header row; empty rows skipped; every row becomes the same profile
dict a CSV row becomes, and :class:`Origin` remembers where each field came from, so a bad row is
reported by its row number and column. Writing: a ``results`` sheet (statuses, severities, top
paths) and an ``errors`` sheet naming row and column. Every text cell is written as text: a
value that starts with = + - @ is never a formula. Same entries give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from app.domain.knowledge import LANGS, Lang
from app.domain.messages import catalogue
from app.domain.snapshot import Snapshot
from app.errors import FieldError, InvalidInput, MalformedSpreadsheet
from app.services.wording import words

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is a zip: refuse one that inflates past this, whatever its compressed size.
MAX_INFLATED_BYTES = 256 * 1024 * 1024
_BRACKETED_UNIT = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = datetime(2000, 1, 1)


@dataclass
class Origin:
    """Where each row and field of a workbook came from, for error messages."""

    rows: list[int] = field(default_factory=list)  # sheet row number of each profile
    columns: dict[str, str] = field(default_factory=dict)  # JSON pointer -> "C (header)"

    def cell(self, index: int, pointer: str) -> tuple[int, str]:
        """The sheet row and column of ``pointer`` in profile ``index`` (column '' if unknown)."""
        row = self.rows[index] if index < len(self.rows) else index + 2
        column = self.columns.get(pointer, "")
        if not column and pointer.startswith("/indicators/"):
            column = self.columns.get("/indicators", "")
        return row, column


def _normal(text: str) -> str:
    return _BRACKETED_UNIT.sub("", text.strip()).strip().lower()


def header_vocabulary(snap: Snapshot) -> dict[str, str]:
    """Header text (normalised) -> profile field: indicator keys, Chinese and English labels,
    then the county columns in every language (the catalogue's ``sheet_columns``)."""
    out: dict[str, str] = {}
    for ind in snap.indicators.values():
        if ind.derived:
            continue
        for text in (ind.key, ind.label.get("zh"), ind.label.get("en")):
            out.setdefault(_normal(text), f"indicators/{ind.key}")
    for target, texts in catalogue()["sheet_columns"].items():
        for lang in LANGS:
            for name in texts[lang].split("|"):
                out[_normal(name)] = target
    return out


def _open(body: bytes) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_INFLATED_BYTES:
            raise MalformedSpreadsheet(detail="The workbook inflates past the size limit.")
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except MalformedSpreadsheet:
        raise
    except Exception:  # noqa: BLE001 - openpyxl and zipfile raise many kinds for a bad file
        raise MalformedSpreadsheet(detail="The body is not an .xlsx workbook.") from None
    if not book.worksheets:
        raise MalformedSpreadsheet(detail="The workbook has no worksheet.")
    return book.worksheets[0]


def _header(cells: tuple[Any, ...], vocabulary: Mapping[str, str]) -> tuple[dict[int, str], Origin]:
    """Column index -> profile field, and where each field sits."""
    fields: dict[int, str] = {}
    origin = Origin()
    for position, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        target = vocabulary.get(_normal(text), f"indicators/{text}")
        if target in fields.values():
            raise InvalidInput(
                detail=f"Two columns fill {target!r}; keep one.",
                errors=[FieldError("", "duplicate_column", f"column {text!r} repeats {target}")],
            )
        fields[position] = target
        pointer = "/county/" + target if "/" not in target else "/" + target
        if target in ("benchmark", "signals"):
            pointer = "/" + target
        origin.columns[pointer] = f"{get_column_letter(position + 1)} ({text})"
    if "name" not in fields.values():
        raise InvalidInput(
            detail="The sheet needs a header row with a county name column.",
            errors=[FieldError("", "missing_column", "a column county_name (or 县名) is required")],
        )
    return fields, origin


def _value(cell: Any) -> Any:
    """A cell as JSON would carry it: numbers stay numbers; numeric text becomes a number; other
    text stays text (so the profile schema names it); dates become ISO text."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = str(cell).strip()
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text
    return number if number == number and abs(number) != float("inf") else text


def _profile(cells: tuple[Any, ...], fields: Mapping[int, str]) -> dict[str, Any]:
    county: dict[str, Any] = {"name": ""}
    row: dict[str, Any] = {"county": county, "indicators": {}}
    for position, target in fields.items():
        cell = cells[position] if position < len(cells) else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if target.startswith("indicators/"):
            row["indicators"][target.removeprefix("indicators/")] = _value(cell)
        elif target == "signals":
            row["signals"] = [s.strip() for s in re.split(r"[;；]", str(cell)) if s.strip()]
        elif target == "year":
            value = _value(cell)
            county["year"] = (
                int(value) if isinstance(value, float) and value.is_integer() else value
            )
        elif target == "benchmark":
            row["benchmark"] = str(cell).strip()
        else:
            county[target] = str(int(cell)) if isinstance(cell, int) else str(cell).strip()
    return row


def read_workbook(body: bytes, snap: Snapshot, limit: int) -> tuple[list[Any], Origin]:
    """The profiles of the first sheet, in order, and where each came from."""
    sheet = _open(body)
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        raise InvalidInput(
            detail="The sheet is empty.", errors=[FieldError("", "too_short", "no header row")]
        )
    fields, origin = _header(header, header_vocabulary(snap))
    rows: list[Any] = []
    for number, cells in enumerate(lines, start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(rows) >= limit:
            raise InvalidInput(
                detail=f"A batch holds at most {limit} profiles.",
                errors=[FieldError("", "too_long", f"at most {limit} profiles")],
            )
        rows.append(_profile(cells, fields))
        origin.rows.append(number)
    if not rows:
        raise InvalidInput(
            detail="The batch is empty.",
            errors=[FieldError("", "too_short", "give at least one profile")],
        )
    return rows, origin


# ---------------------------------------------------------------- writing


def _text_cell(sheet: Worksheet, value: Any) -> Any:
    """A write-only cell; text is always stored as text, so a leading = + - @ stays inert."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True
    return cell


def _append(sheet: Worksheet, values: Iterable[Any]) -> None:
    sheet.append([_text_cell(sheet, v) for v in values])


TOP_PATHS = 3


def _results_header(snap: Snapshot, lang: Lang) -> list[str]:
    heads = words("sheet", lang)
    columns = [heads[k] for k in ("row", "county", "code", "province", "year", "benchmark")]
    columns.append(heads["kb_version"])
    for slug in sorted(snap.challenges):
        columns += [f"{slug} {heads['status']}", f"{slug} {heads['severity']}"]
    return columns + [f"{heads['path']} {rank}" for rank in range(1, TOP_PATHS + 1)]


def _result_row(row: int, result: Mapping[str, Any], snap: Snapshot) -> list[Any]:
    county = result["county"]
    by_slug = {c["slug"]: c for c in result["challenges"]}
    values: list[Any] = [row, county["name"], county.get("code"), county.get("province")]
    values += [county.get("year"), result["benchmark"], result["kb_version"]]
    for slug in sorted(snap.challenges):
        found = by_slug.get(slug)
        values += [found["status"], found["severity"]] if found else [None, None]
    top = [f"{p['title']} ({p['slug']})" for p in result["recommendations"][:TOP_PATHS]]
    return values + top + [None] * (TOP_PATHS - len(top))


def _error_rows(
    entry: Mapping[str, Any], rows: list[Any], origin: Origin | None
) -> list[list[Any]]:
    index = entry["index"]
    error = entry["error"]
    name = ""
    if index < len(rows) and isinstance(rows[index], dict):
        county = rows[index].get("county")
        name = county.get("name", "") if isinstance(county, dict) else ""
    problems = error["errors"] or [
        {"pointer": "", "code": error["code"], "message": error["detail"]}
    ]
    out = []
    for problem in problems:
        row, column = origin.cell(index, problem["pointer"]) if origin else (index, "")
        out.append([row, name, column, problem["pointer"], problem["code"], problem["message"]])
    return out


def write_results(
    entries: Iterable[Mapping[str, Any]],
    rows: list[Any],
    origin: Origin | None,
    snap: Snapshot,
    lang: Lang,
) -> bytes:
    """The batch's answer as a workbook: ``results`` and ``errors`` sheets. Rows are sheet rows
    for a workbook batch, else the profile's index (counted from 0)."""
    book = Workbook(write_only=True)
    results = book.create_sheet("results")
    errors = book.create_sheet("errors")
    heads = words("sheet", lang)
    _append(results, _results_header(snap, lang))
    _append(errors, [heads[k] for k in ("row", "county", "column", "pointer", "error", "message")])
    for entry in entries:
        if "error" in entry:
            for line in _error_rows(entry, rows, origin):
                _append(errors, line)
        else:
            row = origin.cell(entry["index"], "")[0] if origin else entry["index"]
            _append(results, _result_row(row, entry["result"], snap))
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
