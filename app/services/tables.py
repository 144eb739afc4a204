"""Tables a statistics bureau keeps, read into profiles: a CSV body, or a workbook's first sheet
(app/services/spreadsheets.py reads its cells and hands them here). One county per row; the
header row names each column by indicator key or label (a unit in brackets after the label is
fine), or as the county's name, code, province or year, the benchmark or the signals.

What a bureau's sheet holds besides that is met as a person would meet it:

- title rows above the header (``2024年县域主要指标``): the header is the first row, among the
  first :data:`HEADER_SEARCH_ROWS` rows that hold anything, with a county name column;
- a column the vocabulary does not know: one warning naming it (its header cut to
  :data:`SHOWN_CHARS` characters), and the rest of the sheet is used;
- a total row (``合计``, ``总计``) or a note below the table (``注：…``): skipped, with a warning;
- the marks for "no figure" (``暂缺``, ``—``, ``/``, ``-``): an absent value, not a type error.

Every limit is checked as the rows come, so no work is spent past it: at most ``limit`` profiles,
:func:`max_columns` columns, :data:`MAX_CELL_CHARS` characters a cell, and the request's
deadline (:func:`check_deadline`), so a thread stops when its request is over.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from app.domain.knowledge import LANGS, Lang
from app.domain.messages import catalogue
from app.domain.snapshot import Snapshot
from app.errors import FieldError, InvalidInput, MalformedJson, PayloadTooLarge, TimedOut
from app.services import problem_text
from app.services.problem_text import problem

HEADER_SEARCH_ROWS = 10
COLUMN_MARGIN = 64  # columns a sheet may hold beyond the vocabulary (serial numbers, remarks ...)
MAX_CELL_CHARS = 32_767  # what an Excel cell holds at most
SHOWN_CHARS = 64  # of a header text a warning repeats
_BRACKETED_UNIT = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
_SPACES = re.compile(r"\s+")
_SIGNALS = re.compile(r"[;；]")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cells = Mapping[int, Any]  # column (from 0) -> value, for the cells of a row that hold one
Rows = Iterable[tuple[int, Cells]]  # (row number in the sheet or CSV, its cells)


def column_letter(number: int) -> str:
    """A sheet's name for its column ``number`` (from 1): A ... Z, AA ... Written here rather
    than taken from openpyxl, so reading a CSV body never imports openpyxl (about 10 MB a
    serving worker holds for nothing until a workbook comes)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def check_deadline(deadline: float | None) -> None:
    """Stop when the request is over (``deadline`` on the ``time.monotonic`` clock)."""
    if deadline is not None and time.monotonic() > deadline:
        raise problem(TimedOut, "batch_deadline")


def check_size(count: int, limit: int) -> None:
    """A batch holds one profile at least and ``limit`` at most."""
    if count == 0:
        raise problem(
            InvalidInput,
            "batch_empty",
            errors=[FieldError("", "too_short", "give at least one profile", template="one_row")],
        )
    if count > limit:
        raise problem(
            InvalidInput, "batch_too_long", errors=[_at_most(limit)], limit=limit, count=count
        )


def _at_most(limit: int) -> FieldError:
    return FieldError(
        "", "too_long", f"at most {limit} profiles", params={"limit": limit}, template="rows"
    )


@dataclass(frozen=True)
class TableWarning:
    """Something in the table that was set aside, said once: a column nobody knows, a total
    row, a note. ``row`` is the sheet row (or CSV line); ``column`` its letter and header."""

    code: str
    row: int
    column: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def as_error(self) -> FieldError:
        """The warning as a field error, which the catalogue says in any language."""
        return FieldError("", self.code, self.message, params=self.params)


@dataclass
class Origin:
    """Where each row and field of a table came from, for error messages, and what was set
    aside on the way."""

    rows: list[int] = field(default_factory=list)  # sheet row number of each profile
    columns: dict[str, str] = field(default_factory=dict)  # JSON pointer -> "C (header)"
    warnings: list[TableWarning] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Stored as plain data (dataclasses.asdict) and read back: warnings come back as dicts.
        self.warnings = [
            w if isinstance(w, TableWarning) else TableWarning(**w) for w in self.warnings
        ]

    def cell(self, index: int, pointer: str) -> tuple[int, str]:
        """The sheet row and column of ``pointer`` in profile ``index`` (column '' if unknown)."""
        row = self.rows[index] if index < len(self.rows) else index + 2
        column = self.columns.get(pointer, "")
        if not column and pointer.startswith("/indicators/"):
            column = self.columns.get("/indicators", "")
        return row, column


class TableWarningOut(TypedDict):
    """A table warning as the JSON and NDJSON answers list it."""

    code: str
    row: int
    column: str
    message: str


def warning_dicts(origin: Origin | None, lang: Lang) -> list[TableWarningOut]:
    """What the table reader left out, as the JSON and NDJSON answers list it, in ``lang``."""
    return [
        {
            "code": w.code,
            "row": w.row,
            "column": w.column,
            "message": problem_text.message(w.as_error(), lang),
        }
        for w in (origin.warnings if origin else ())
    ]


def normal(text: str) -> str:
    """A header as the vocabulary knows it: trimmed, its bracketed unit dropped, lower case."""
    return _BRACKETED_UNIT.sub("", text.strip()).strip().lower()


def header_vocabulary(snap: Snapshot) -> dict[str, str]:
    """Header text (normalised) -> profile field: indicator keys, Chinese and English labels,
    then the county columns in every language (the catalogue's ``sheet_columns``)."""
    out: dict[str, str] = {}
    for ind in snap.indicators.values():
        if ind.derived:
            continue
        for text in (ind.key, *ind.label.texts().values()):
            out.setdefault(normal(text), f"indicators/{ind.key}")
    for target, texts in catalogue()["sheet_columns"].items():
        for lang in LANGS:
            for name in texts[lang].split("|"):
                out[normal(name)] = target
    return out


def max_columns(snap: Snapshot) -> int:
    """How many columns a table may have: one per field it can fill, and a margin."""
    return len(set(header_vocabulary(snap).values())) + COLUMN_MARGIN


def _words(section: str) -> frozenset[str]:
    """Every language's words of a catalogue entry list (``a|b|c``), compared without spaces."""
    return frozenset(
        _SPACES.sub("", word).lower()
        for texts in catalogue()[section].values()
        for lang in LANGS
        for word in texts[lang].split("|")
    )


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _place(position: int, header: str) -> str:
    return f"{column_letter(position + 1)} ({_shown(header)})"


# ---------------------------------------------------------------- header


@dataclass
class _Header:
    row: int
    fields: dict[int, str]  # column -> profile field ("name", "indicators/gdp_cny_100m" ...)
    origin: Origin


def _read_header(row: int, cells: Cells, vocabulary: Mapping[str, str]) -> _Header | None:
    """The header this row is, or None when it has no county name column (a title row)."""
    fields: dict[int, str] = {}
    origin = Origin()
    unknown: list[tuple[int, str]] = []
    for position in sorted(cells):
        text = _text(cells[position])
        if not text:
            continue
        target = vocabulary.get(normal(text))
        if target is None:
            unknown.append((position, text))
            continue
        if target in fields.values():
            raise problem(
                InvalidInput,
                "table_duplicate_column",
                errors=[
                    FieldError(
                        "",
                        "duplicate_column",
                        f"column {_place(position, text)} repeats {target}",
                        params={"column": _place(position, text), "field": target},
                    )
                ],
                field=target,
            )
        fields[position] = target
        pointer = "/county/" + target if "/" not in target else "/" + target
        if target in ("benchmark", "signals"):
            pointer = "/" + target
        origin.columns[pointer] = _place(position, text)
    if "name" not in fields.values():
        return None
    for position, text in unknown:
        origin.warnings.append(_unknown_column(row, position, text, vocabulary))
    return _Header(row, fields, origin)


def _unknown_column(
    row: int, position: int, text: str, vocabulary: Mapping[str, str]
) -> TableWarning:
    place = _place(position, text)
    close = difflib.get_close_matches(normal(text), list(vocabulary), n=1, cutoff=0.6)
    hint = {"suggestion": close[0]} if close else {}
    said = f"; did you mean '{close[0]}'?" if close else ""
    return TableWarning(
        "unknown_column",
        row,
        place,
        f"column {place} is not an indicator, county or signal column{said}; it is left out",
        {"column": place, **hint},
    )


def _no_header(searched: int) -> InvalidInput:
    return problem(
        InvalidInput,
        "table_no_header",
        errors=[
            FieldError(
                "",
                "missing_column",
                "a column county_name (or 县名) is required",
                template="name_column",
            )
        ],
        rows=searched,
    )


# ---------------------------------------------------------------- rows


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


def _year(cell: Any) -> Any:
    if isinstance(cell, datetime | date):
        return cell.year
    value = _value(cell)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _profile(cells: Cells, fields: Mapping[int, str]) -> dict[str, object]:
    """The profile's JSON a row gives, for the profile's schema to check."""
    county: dict[str, object] = {"name": ""}
    indicators: dict[str, object] = {}
    row: dict[str, object] = {"county": county, "indicators": indicators}
    for position, target in fields.items():
        cell = cells.get(position)
        if cell is None:
            continue
        if target.startswith("indicators/"):
            indicators[target.removeprefix("indicators/")] = _value(cell)
        elif target == "signals":
            row["signals"] = [s.strip() for s in _SIGNALS.split(str(cell)) if s.strip()]
        elif target == "year":
            county["year"] = _year(cell)
        elif target == "benchmark":
            row["benchmark"] = str(cell).strip()
        else:
            county[target] = str(int(cell)) if isinstance(cell, int) else str(cell).strip()
    return row


class _Reader:
    """Turns a table's rows into profiles, one row at a time."""

    def __init__(self, snap: Snapshot, limit: int, deadline: float | None) -> None:
        self.vocabulary = header_vocabulary(snap)
        self.limit, self.deadline = limit, deadline
        self.absent = _words("sheet_absent_marks")
        self.totals = _words("sheet_total_rows")
        self.notes = tuple(_words("sheet_note_rows"))
        self.header: _Header | None = None
        self.searched = 0
        self.profiles: list[Any] = []

    def feed(self, number: int, raw: Cells) -> None:
        if len(self.profiles) % 64 == 0:
            check_deadline(self.deadline)
        cells = {k: v for k, v in raw.items() if not self._blank(v)}
        if not cells:
            return
        if self.header is None:
            self._find_header(number, cells)
            return
        known = {k: v for k, v in cells.items() if k in self.header.fields}
        if not known:
            return  # only columns nobody knows (remarks): not a county
        name = _text(known.get(self._name_column(), ""))
        if self._set_aside(number, name, known):
            return
        if len(self.profiles) >= self.limit:
            raise problem(
                InvalidInput, "batch_over_limit", errors=[_at_most(self.limit)], limit=self.limit
            )
        self.profiles.append(_profile(known, self.header.fields))
        self.header.origin.rows.append(number)

    def finish(self) -> tuple[list[Any], Origin]:
        if self.header is None:
            if not self.searched:
                raise problem(
                    InvalidInput,
                    "sheet_empty",
                    errors=[FieldError("", "too_short", "no header row", template="no_header")],
                )
            raise _no_header(self.searched)
        check_size(len(self.profiles), self.limit)
        return self.profiles, self.header.origin

    def _blank(self, cell: Any) -> bool:
        if cell is None:
            return True
        if isinstance(cell, str):
            text = _SPACES.sub("", cell).lower()
            return not text or text in self.absent
        return False

    def _find_header(self, number: int, cells: Cells) -> None:
        self.searched += 1
        self.header = _read_header(number, cells, self.vocabulary)
        if self.header is None and self.searched >= HEADER_SEARCH_ROWS:
            raise _no_header(self.searched)

    def _name_column(self) -> int:
        assert self.header is not None
        return next(k for k, v in self.header.fields.items() if v == "name")

    def _set_aside(self, number: int, name: str, known: Cells) -> bool:
        """A total row, or a note under the table: skipped, with a warning."""
        assert self.header is not None
        compact = _SPACES.sub("", name).lower()
        ends = (t for t in self.totals if not t.isascii())  # 全省合计; no English name is cut
        if compact in self.totals or any(compact.endswith(t) for t in ends):
            self._warn(
                "total_row", number, name, f"row {number} ({name}) is a total; it is left out"
            )
            return True
        if len(known) == 1 and compact.startswith(self.notes):
            self._warn("note_row", number, name, f"row {number} is a note; it is left out")
            return True
        return False

    def _warn(self, code: str, number: int, name: str, message: str) -> None:
        assert self.header is not None
        column = self.header.origin.columns.get("/county/name", "")
        params = {"row": number, "name": _shown(name)}
        self.header.origin.warnings.append(TableWarning(code, number, column, message, params))


def read_table(
    rows: Rows, snap: Snapshot, limit: int, deadline: float | None = None
) -> tuple[list[Any], Origin]:
    """The profiles of a table, in order, and where each came from (with what was set aside)."""
    reader = _Reader(snap, limit, deadline)
    for number, cells in rows:
        reader.feed(number, cells)
    return reader.finish()


# ---------------------------------------------------------------- CSV


def read_csv(
    body: bytes, snap: Snapshot, limit: int, deadline: float | None = None
) -> tuple[list[Any], Origin]:
    """A UTF-8 CSV table (a byte-order mark is allowed): its profiles and where each came from.
    Headers as in a workbook: ``county_name``, ``county_code``, ``province``, ``year``,
    ``benchmark``, ``signals`` (separated by ``;``), indicator keys or labels."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise problem(
            MalformedJson,
            "csv_not_utf8",
            errors=[
                FieldError(
                    "",
                    "not_utf8",
                    f"the body is not UTF-8 (byte {exc.start})",
                    params={"byte": exc.start},
                )
            ],
        ) from None
    return read_table(_csv_rows(text, max_columns(snap)), snap, limit, deadline)


def _csv_rows(text: str, columns: int) -> Iterator[tuple[int, Cells]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise problem(MalformedJson, "csv_unreadable", line=reader.line_num) from None
        line = reader.line_num
        cells = {i: v for i, v in enumerate(record) if v.strip()}
        if cells and max(cells) >= columns:
            raise too_many_columns(columns, column_letter(max(cells) + 1))
        for position, value in cells.items():
            if len(value) > MAX_CELL_CHARS:
                raise cell_too_long(f"{column_letter(position + 1)}{line}")
        yield line, cells


def too_many_columns(limit: int, column: str) -> InvalidInput:
    return problem(InvalidInput, "table_too_many_columns", limit=limit, column=column)


def cell_too_long(where: str) -> PayloadTooLarge:
    return problem(PayloadTooLarge, "table_cell_too_long", cell=where, limit=MAX_CELL_CHARS)
