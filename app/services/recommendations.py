"""Use cases of the diagnosis endpoints and the CLI: validate, recommend, and batches."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from app.domain.knowledge import Lang
from app.domain.profile import validate_profile
from app.domain.result import View, recommend, validation_result
from app.domain.snapshot import Snapshot
from app.errors import AppError, FieldError, InvalidInput, MalformedJson, field_errors
from app.schemas.profile import ProfileIn, RecommendationRequest
from app.services import problem_text
from app.services.problem_text import json_error, problem, unreadable_body

_PROFILE = TypeAdapter(ProfileIn)
CSV_META = ("county_name", "county_code", "province", "year", "benchmark", "signals")


def validate(snap: Snapshot, body: ProfileIn, lang: Lang) -> dict[str, Any]:
    return validation_result(snap, validate_profile(snap, body.to_domain()), lang)


def recommendation(
    snap: Snapshot,
    body: ProfileIn,
    lang: Lang,
    view: View = "full",
    trace: bool = False,
) -> dict[str, Any]:
    """The one door into the engine's recommendation: routes, batches, assessments, reports,
    plans and the command line all come through here."""
    scenario = (
        body.scenario.indicators
        if isinstance(body, RecommendationRequest) and body.scenario
        else None
    )
    return recommend(snap, body.to_domain(), lang, scenario, view, trace)


def run_one(
    snap: Snapshot, index: int, raw: Any, lang: Lang, view: View = "full"
) -> dict[str, Any]:
    """One batch row: its result, or an error entry that names the row and its fields."""
    try:
        profile = _PROFILE.validate_python(raw)
    except ValidationError as exc:
        bad = problem(InvalidInput, "row_invalid", errors=field_errors(exc))
        return problem_text.entry(index, bad, lang)
    try:
        return {"index": index, "result": recommendation(snap, profile, lang, view)}
    except AppError as exc:
        return problem_text.entry(index, exc, lang)


def parse_json_rows(body: bytes, limit: int) -> list[Any]:
    """The profiles of a JSON array; an unreadable body names where it stops being JSON."""
    try:
        rows = json.loads(body)
    except json.JSONDecodeError as exc:
        where = json_error(exc.msg, exc.doc, exc.pos)
        raise problem(MalformedJson, "malformed_json", errors=[where]) from None
    except (ValueError, RecursionError) as exc:
        raise unreadable_body(exc) from None
    if not isinstance(rows, list):
        raise problem(
            InvalidInput,
            "batch_not_array",
            errors=[FieldError("", "type", "expected an array of profiles", template="an_array")],
        )
    check_size(len(rows), limit)
    return rows


def check_size(count: int, limit: int) -> None:
    """A batch holds one profile at least and ``limit`` at most."""
    if count == 0:
        raise problem(
            InvalidInput,
            "batch_empty",
            errors=[FieldError("", "too_short", "give at least one profile", template="one_row")],
        )
    if count > limit:
        at_most = FieldError(
            "", "too_long", f"at most {limit} profiles", params={"limit": limit}, template="rows"
        )
        raise problem(InvalidInput, "batch_too_long", errors=[at_most], limit=limit, count=count)


def _cell_number(text: str) -> float | str:
    try:
        value = float(text)
    except ValueError:
        return text  # left as a string: the profile schema reports it by pointer
    return value if math.isfinite(value) else text


def parse_csv_rows(body: bytes, limit: int) -> list[Any]:
    """CSV with one column per indicator plus county_name, county_code, province, year,
    benchmark and signals (separated by ';'). Empty cells are absent values."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedJson(detail="The CSV body is not UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise MalformedJson(detail=f"The CSV body cannot be read: {exc}.") from None
    if not header or "county_name" not in header:
        raise InvalidInput(
            detail="The CSV needs a header row with at least county_name.",
            errors=[FieldError("", "missing_column", "column county_name is required")],
        )
    rows: list[Any] = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            raise MalformedJson(detail=f"CSV row {len(rows) + 1} cannot be read: {exc}.") from None
        if len(rows) >= limit:
            check_size(limit + 1, limit)
        county: dict[str, Any] = {"name": (record.get("county_name") or "").strip()}
        for column, field in (("county_code", "code"), ("province", "province")):
            if record.get(column):
                county[field] = record[column].strip()
        if record.get("year"):
            year_text = record["year"].strip()
            county["year"] = int(year_text) if year_text.isdigit() else year_text
        row: dict[str, Any] = {"county": county, "indicators": {}}
        if record.get("benchmark"):
            row["benchmark"] = record["benchmark"].strip()
        if record.get("signals"):
            row["signals"] = [s.strip() for s in record["signals"].split(";") if s.strip()]
        for column, cell in record.items():
            if column is None or column in CSV_META or cell is None or not cell.strip():
                continue
            row["indicators"][column.strip()] = _cell_number(cell.strip())
        rows.append(row)
    check_size(len(rows), limit)
    return rows


def run_batch(
    snap: Snapshot, rows: list[Any], lang: Lang, view: View = "full"
) -> Iterator[dict[str, Any]]:
    for index, raw in enumerate(rows):
        yield run_one(snap, index, raw, lang, view)


CHUNK = 64


def ndjson_chunks(
    snap: Snapshot, rows: list[Any], lang: Lang, view: View = "full"
) -> Iterator[bytes]:
    """One JSON object per line, yielded in chunks so the thread hand-offs stay few."""
    buf: list[bytes] = []
    for entry in run_batch(snap, rows, lang, view):
        buf.append(orjson.dumps(entry) + b"\n")
        if len(buf) == CHUNK:
            yield b"".join(buf)
            buf.clear()
    if buf:
        yield b"".join(buf)


def json_chunks(
    snap: Snapshot, rows: list[Any], lang: Lang, view: View = "full"
) -> Iterator[bytes]:
    """``{"items": [...], "count", "succeeded", "failed"}`` serialised as it is computed."""
    failed = 0
    buf: list[bytes] = [b'{"items":[']
    for index, entry in enumerate(run_batch(snap, rows, lang, view)):
        failed += "error" in entry
        buf.append((b"," if index else b"") + orjson.dumps(entry))
        if len(buf) >= CHUNK:
            yield b"".join(buf)
            buf.clear()
    buf.append(
        b'],"count":%d,"succeeded":%d,"failed":%d}' % (len(rows), len(rows) - failed, failed)
    )
    yield b"".join(buf)
