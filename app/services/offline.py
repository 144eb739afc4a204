"""Running the engine without a server: for the CLI, on the seed knowledge base or a database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from app.domain.knowledge import Lang
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import AppError, InvalidInput
from app.services import recommendations as svc
from app.services.csv_cells import safe_row
from app.settings import Settings


def load_snapshot(settings: Settings, from_seeds: bool) -> Snapshot:
    """The snapshot a server would serve: the database's when it has one, else the seeds'."""
    from app.seeding import load_seeds

    if not from_seeds:
        from sqlalchemy.exc import SQLAlchemyError

        from app.db.engine import make_engine, read_session
        from app.db.kb_repo import latest_version, read_kb

        engine = make_engine(settings, pooled=False)
        try:
            with read_session(engine) as session:
                version = latest_version(session)
                kb = read_kb(session)
            if version is not None and kb is not None:
                return compile_snapshot(kb, version.number, version.checksum)
        except SQLAlchemyError:
            pass
        finally:
            engine.dispose()
    kb = load_seeds(settings.seeds_dir)
    return compile_snapshot(kb, 0, kb.checksum())


def read_profiles(paths: Iterable[Path], limit: int) -> list[Any]:
    """Profiles from JSON files (one object or an array) and CSV files (one row each)."""
    rows: list[Any] = []
    for path in paths:
        data = path.read_bytes()
        if path.suffix.lower() == ".csv":
            rows += svc.parse_csv_rows(data, limit)
        else:
            try:
                parsed = json.loads(data)
            except ValueError as exc:
                raise InvalidInput(detail=f"{path}: not valid JSON ({exc})") from None
            rows += parsed if isinstance(parsed, list) else [parsed]
    return rows


def run(snap: Snapshot, rows: list[Any], lang: Lang) -> Iterator[dict[str, Any]]:
    return svc.run_batch(snap, rows, lang)


CSV_COLUMNS = ["index", "county", "challenge", "status", "severity", "top_paths", "error"]


def to_csv(entries: list[dict[str, Any]]) -> str:
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
        result = entry["result"]
        top = " | ".join(r["slug"] for r in result["recommendations"][:3])
        for c in result["challenges"]:
            writer.writerow(
                safe_row(
                    [
                        entry["index"],
                        result["county"]["name"],
                        c["slug"],
                        c["status"],
                        c["severity"],
                        top,
                        "",
                    ]
                )
            )
    return buf.getvalue()


def to_markdown(entries: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for entry in entries:
        if "error" in entry:
            out.append(f"## Profile {entry['index']}: invalid\n")
            out += [f"- `{e['pointer']}`: {e['message']}" for e in entry["error"]["errors"]]
            out.append("")
            continue
        r = entry["result"]
        out.append(
            f"## {r['county']['name']} ({r['benchmark']}, knowledge base {r['kb_version']})\n"
        )
        out.append("| challenge | status | severity |\n| --- | --- | --- |")
        out += [f"| {c['title']} | {c['status']} | {c['severity']} |" for c in r["challenges"]]
        out.append("\n| # | path | family | score |\n| --- | --- | --- | --- |")
        out += [
            f"| {p['rank']} | {p['title']} | {p['family']} | {p['score']} |"
            for p in r["recommendations"][:9]
        ]
        out.append("")
    return "\n".join(out)


def error_of(exc: AppError) -> str:
    lines = [exc.detail] + [f"  {e.pointer}: {e.message}" for e in exc.errors]
    return "\n".join(lines)
