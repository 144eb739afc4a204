"""Use cases of the diagnosis endpoints and the CLI: validate, recommend, and batches."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from app.domain.knowledge import Lang
from app.domain.profile import validate_profile
from app.domain.result import Analysis, View, analyse, result_only, validation_result
from app.domain.result_types import BatchEntry, ValidationResult
from app.domain.snapshot import Snapshot
from app.errors import (
    AppError,
    FieldError,
    InvalidInput,
    MalformedJson,
    TimedOut,
    short_pointer,
)
from app.schemas.profile import ProfileIn, RecommendationRequest
from app.services import problem_text
from app.services.problem_text import json_error, problem, unreadable_body
from app.services.tables import check_deadline, check_size

_PROFILE = TypeAdapter(ProfileIn)


def validate(snap: Snapshot, body: ProfileIn, lang: Lang) -> ValidationResult:
    return validation_result(snap, validate_profile(snap, body.to_domain()), lang)


def analysis(
    snap: Snapshot,
    body: ProfileIn,
    lang: Lang,
    view: View = "full",
    trace: bool = False,
    paths: int | None = None,
) -> Analysis:
    """The one door into the engine's recommendation: routes, batches, assessments, reports,
    plans and the command line all come through here (``recommendation`` for the result alone;
    this keeps the engine's own values for what is built on the result)."""
    scenario = (
        body.scenario.indicators
        if isinstance(body, RecommendationRequest) and body.scenario
        else None
    )
    return analyse(snap, body.to_domain(), lang, scenario, view, trace, paths)


recommendation = result_only(analysis)


def run_one(snap: Snapshot, index: int, raw: Any, lang: Lang, view: View = "full") -> BatchEntry:
    """One batch row: its result, or an error entry that names every problem of the row (a
    wrong type does not hide an out-of-range value next to it), in ``lang``."""
    try:
        profile = _PROFILE.validate_python(raw)
    except ValidationError as exc:
        bad = problem(InvalidInput, "row_invalid", errors=row_problems(snap, raw, exc))
        return problem_text.entry(index, bad, lang)
    try:
        return {"index": index, "result": recommendation(snap, profile, lang, view)}
    except AppError as exc:
        return problem_text.entry(index, exc, lang)


def row_problems(snap: Snapshot, raw: Any, exc: ValidationError | list[Any]) -> list[FieldError]:
    """Every problem of a profile the schema refused: the schema's (types, shapes), then what
    the knowledge base finds in the rest once the refused fields are set aside (unknown keys,
    values out of range), so one round trip shows them all. ``exc`` is Pydantic's error, or its
    list of errors (locations relative to the profile)."""
    found = (
        exc.errors(include_url=False, include_input=False)
        if isinstance(exc, ValidationError)
        else exc
    )
    errors = [_field_error(e) for e in found]
    rest = _without(raw, found)
    if rest is None:
        return errors
    try:
        validate_profile(snap, _PROFILE.validate_python(rest).to_domain())
    except ValidationError:
        return errors
    except InvalidInput as more:
        seen = {e.pointer for e in errors}
        # "give at least one indicator" would be untrue when the row gave only refused ones.
        errors += [e for e in more.errors if e.pointer not in seen and e.code != "empty_profile"]
    return errors


def _field_error(error: Any) -> FieldError:
    ctx = error.get("ctx") or {}
    return FieldError(
        short_pointer(*error["loc"]) if error["loc"] else "",
        str(error["type"]),
        str(error["msg"]),
        params={k: str(v) for k, v in ctx.items()},
    )


def _without(raw: Any, found: list[Any]) -> Any:
    """``raw`` without the fields the schema refused (a placeholder for a refused name), or
    None when what is left could not be a profile."""
    if not isinstance(raw, dict):
        return None
    rest = copy.deepcopy(raw)
    signals: set[int] = set()
    for error in found:
        loc = error["loc"]
        if not loc:
            return None
        part = rest.get(loc[0])
        if loc[0] in ("indicators", "benchmark_values", "county") and len(loc) > 1:
            if isinstance(part, dict):
                part.pop(loc[1], None)
                if loc[0] == "county":
                    part.setdefault("name", "-")
                continue
        if loc[0] == "signals" and len(loc) > 1 and isinstance(loc[1], int):
            signals.add(loc[1])
            continue
        rest.pop(loc[0], None)
    if signals and isinstance(rest.get("signals"), list):
        rest["signals"] = [s for i, s in enumerate(rest["signals"]) if i not in signals]
    if not isinstance(rest.get("county"), dict):
        rest["county"] = {"name": "-"}
    return rest


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


def run_batch(
    snap: Snapshot,
    rows: list[Any],
    lang: Lang,
    view: View = "full",
    deadline: float | None = None,
) -> Iterator[BatchEntry]:
    """Each row's entry, in order; stops (TimedOut) once ``deadline`` has passed, so the thread
    computing a batch ends with its request."""
    for index, raw in enumerate(rows):
        check_deadline(deadline)
        yield run_one(snap, index, raw, lang, view)


CHUNK = 64
# A chunk is also sent once it holds this many bytes: 64 full results are ~5 MB, held twice
# while joined, which raised a worker's peak memory by ~10 MB during a full batch.
CHUNK_BYTES = 256 * 1024


def _streamed(entries: Iterator[BatchEntry]) -> Iterator[BatchEntry]:
    """``entries`` for an answer already under way: its deadline passing is a TimeoutError,
    which the admission middleware turns into the stream's last line (NDJSON) or a cut-off
    body (JSON). As a problem (TimedOut) it would meet a handler that can no longer answer."""
    try:
        yield from entries
    except TimedOut as exc:
        raise TimeoutError(exc.detail) from None


def batch_chunks(
    ndjson: bool,
    snap: Snapshot,
    rows: list[Any],
    lang: Lang,
    view: View = "full",
    deadline: float | None = None,
    warnings: Sequence[Mapping[str, Any]] = (),
) -> Iterator[bytes]:
    """The batch's answer serialised as it is computed, in chunks so the thread hand-offs stay
    few: NDJSON, one object per line, what the table reader set aside first as one
    ``{"warning": ...}`` line each; or JSON, ``{"items": [...], "count", "succeeded", "failed",
    "warnings"}``."""
    entries = _streamed(run_batch(snap, rows, lang, view, deadline))
    pieces = _ndjson(entries, warnings) if ndjson else _json(entries, len(rows), warnings)
    buf: list[bytes] = []
    size = 0
    for piece in pieces:
        buf.append(piece)
        size += len(piece)
        if len(buf) >= CHUNK or size >= CHUNK_BYTES:
            yield b"".join(buf)
            buf.clear()
            size = 0
    if buf:
        yield b"".join(buf)


def _ndjson(
    entries: Iterator[BatchEntry], warnings: Sequence[Mapping[str, Any]]
) -> Iterator[bytes]:
    if warnings:  # one piece: nothing is sent before the first row is computed
        yield b"".join(orjson.dumps({"warning": w}) + b"\n" for w in warnings)
    for entry in entries:
        yield orjson.dumps(entry) + b"\n"


def _json(
    entries: Iterator[BatchEntry], count: int, warnings: Sequence[Mapping[str, Any]]
) -> Iterator[bytes]:
    failed = 0
    yield b'{"items":['
    for index, entry in enumerate(entries):
        failed += "error" in entry
        yield (b"," if index else b"") + orjson.dumps(entry)
    yield (
        b'],"count":%d,"succeeded":%d,"failed":%d,"warnings":%s}'
        % (count, count - failed, failed, orjson.dumps(list(warnings)))
    )
