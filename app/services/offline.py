"""Running the engine without a server: for the CLI, on the seed knowledge base or a database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from app.domain.knowledge import Lang
from app.domain.result_types import BatchEntry, entry_result
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import AppError, InvalidInput
from app.services import recommend_text, spreadsheets, tables
from app.services import recommendations as svc
from app.services.csv_cells import safe_row
from app.services.ports import UnitOfWork
from app.services.spreadsheets import Origin
from app.services.wording import Labels


def load_snapshot(seeds: Path, uow: UnitOfWork | None) -> Snapshot:
    """The snapshot a server would serve: the database's (through ``uow``) when it holds one,
    else the seeds'."""
    from app.services.seeding import load_seeds

    if uow is not None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with uow.read() as tx:
                version = tx.kb.latest()
                kb = None if version is None else tx.kb.document(version.checksum)
            if version is not None and kb is not None:
                return compile_snapshot(kb, version.number, version.checksum)
        except SQLAlchemyError:
            pass
    kb = load_seeds(seeds)
    return compile_snapshot(kb, 0, kb.checksum())


def read_profiles(
    paths: Iterable[Path], limit: int, snap: Snapshot
) -> tuple[list[Any], Origin | None]:
    """Profiles from JSON files (one object or an array), CSV files (one row each) and .xlsx
    workbooks (one row each; the snapshot's labels read the headers). With exactly one workbook,
    also where each row came from, so errors name sheet rows and columns."""
    paths = list(paths)
    rows: list[Any] = []
    origin: Origin | None = None
    for path in paths:
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows += tables.read_csv(data, snap, limit)[0]
        elif suffix == ".xlsx":
            sheet_rows, sheet_origin = spreadsheets.read_workbook(data, snap, limit)
            origin = sheet_origin if len(paths) == 1 else None
            rows += sheet_rows
        else:
            try:
                parsed = json.loads(data)
            except ValueError as exc:
                raise InvalidInput(detail=f"{path}: not valid JSON ({exc})") from None
            rows += parsed if isinstance(parsed, list) else [parsed]
    return rows, origin


def run(snap: Snapshot, rows: list[Any], lang: Lang) -> Iterator[BatchEntry]:
    return svc.run_batch(snap, rows, lang)


CSV_COLUMNS = ["index", "county", "challenge", "status", "severity", "top_paths", "error"]


def to_csv(entries: list[BatchEntry]) -> str:
    """One line per county and challenge, with the county's top three paths; text cells are made
    safe for spreadsheets (app.services.csv_cells)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        if "error" in entry:
            err = entry["error"]
            detail = (
                "; ".join(f"{e['pointer']}: {e['message']}" for e in err["errors"]) or err["detail"]
            )
            writer.writerow(safe_row([entry["index"], "", "", "", "", "", detail]))
            continue
        result = entry_result(entry)
        top = " | ".join(r.slug for r in result.recommendations[:3])
        for c in result.challenges:
            writer.writerow(
                safe_row(
                    [
                        entry["index"],
                        result.county.name,
                        c.slug,
                        c.status,
                        c.severity,
                        top,
                        "",
                    ]
                )
            )
    return buf.getvalue()


def to_markdown(entries: list[BatchEntry], labels: Labels) -> str:
    """One section per profile, with labels, status words and family names in ``labels``'s
    language."""
    return recommend_text.markdown(entries, labels)


def error_of(exc: AppError) -> str:
    lines = [exc.detail] + [f"  {e.pointer}: {e.message}" for e in exc.errors]
    return "\n".join(lines)
