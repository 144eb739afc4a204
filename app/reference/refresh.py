"""Rebuild ``divisions.csv`` from a yearly code list and the code history (see README.md here).

Usage::

    python -m app.reference.refresh CODES.txt HISTORY.csv --edition 2025 --since 2015 \
        > app/reference/divisions.csv

``CODES.txt`` is one edition of the ministry's list as ``code name`` lines (areacodes
``data/<year>.txt``); ``HISTORY.csv`` is areacodes ``result.csv`` (code, province, prefecture,
name, level, status, first year, retirement year, new codes). Codes retired in the ``--since``
edition or later are kept with a pointer to the current unit(s) that took over their area.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.domain.divisions import COLUMNS, directly_under_province, form_of

_NOT_LISTED = {"71", "81", "82"}  # Taiwan, Hong Kong, Macao: no county-level codes in the list
_UNBRACKETED = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class HistoryRow:
    """One row of areacodes ``result.csv``; ``until`` is the first year the code was not in use."""

    code: str
    prefecture: str
    name: str
    level: str
    status: str
    until: int | None
    new_codes: tuple[str, ...]


def read_codes(text: str) -> dict[str, str]:
    """``code name`` lines to a mapping.

    >>> read_codes("330000 浙江省\\n330521 德清县\\n")
    {'330000': '浙江省', '330521': '德清县'}
    """
    codes: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            code, name = line.split(maxsplit=1)
            codes[code] = name.strip()
    return codes


def read_history(text: str) -> list[HistoryRow]:
    """The rows of ``result.csv`` (its first line is a header; a BOM is dropped)."""
    reader = csv.reader(text.lstrip("\ufeff").splitlines())
    next(reader)
    rows = []
    for code, _province, prefecture, name, level, status, _start, until, new in reader:
        rows.append(
            HistoryRow(
                code=code,
                prefecture=prefecture,
                name=name,
                level=level,
                status=status,
                until=int(until[:4]) if until else None,
                new_codes=tuple(c for c in new.split(";") if _UNBRACKETED.match(c)),
            )
        )
    return rows


def _county_level(code: str) -> bool:
    return not code.endswith("00") and code[:2] not in _NOT_LISTED


def _prefecture(code: str, codes: Mapping[str, str]) -> tuple[str, str]:
    if directly_under_province(code):
        return "", ""
    parent = code[:4] + "00"
    if parent not in codes:
        raise ValueError(f"{code} {codes[code]} has no prefecture {parent} in the list")
    return parent, codes[parent]


def _successors(
    code: str, retired: Mapping[str, HistoryRow], current: Mapping[str, str], seen: frozenset[str]
) -> list[str]:
    """Follow retired codes forward until every branch reaches a current code."""
    if code in current:
        return [code]
    if code in seen or code not in retired:
        raise ValueError(f"code {code} leads to no current unit")
    out: list[str] = []
    for nxt in retired[code].new_codes:
        out.extend(_successors(nxt, retired, current, seen | {code}))
    if not out:
        raise ValueError(f"retired code {code} names no successor")
    return sorted(set(out))


def current_rows(
    codes: Mapping[str, str], history: Sequence[HistoryRow], edition: int, since: int
) -> list[dict[str, str]]:
    """One row per county-level unit of the edition, with names it carried since ``since``."""
    former: dict[str, set[str]] = {}
    for row in history:
        if row.level == "县级" and row.until is not None and row.until >= since:
            former.setdefault(row.code, set()).add(row.name)
    rows = []
    for code, name in codes.items():
        if not _county_level(code):
            continue
        prefecture_code, prefecture_name = _prefecture(code, codes)
        rows.append(
            {
                "code": code,
                "name": name,
                "prefecture_code": prefecture_code,
                "prefecture_name": prefecture_name,
                "province_code": code[:2],
                "form": form_of(name, code),
                "edition": str(edition),
                "superseded_by": "",
                "former_names": ";".join(sorted(former.get(code, set()) - {name})),
            }
        )
    return rows


def retired_rows(
    codes: Mapping[str, str], history: Sequence[HistoryRow], since: int
) -> list[dict[str, str]]:
    """County-level codes retired in the ``since`` edition or later, pointing to current units."""
    retired: dict[str, HistoryRow] = {}
    for row in history:
        if row.level != "县级" or row.until is None or row.code in codes:
            continue
        if row.code not in retired or (retired[row.code].until or 0) < row.until:
            retired[row.code] = row
    rows = []
    for code, row in retired.items():
        if row.until is None or row.until < since:
            continue
        successors = _successors(code, retired, codes, frozenset())
        if not all(_county_level(c) for c in successors):
            # e.g. 469003 儋州市 became the prefecture-level city 460400, which has no
            # county-level code: the table has no current unit to point to.
            print(f"skipped {code} {row.name}: succeeded by {successors}", file=sys.stderr)
            continue
        under = "" if row.prefecture in {"", "直辖"} else row.prefecture
        rows.append(
            {
                "code": code,
                "name": row.name,
                "prefecture_code": code[:4] + "00" if under else "",
                "prefecture_name": under,
                "province_code": code[:2],
                "form": form_of(row.name, code),
                "edition": str(row.until - 1),
                "superseded_by": ";".join(successors),
                "former_names": "",
            }
        )
    return rows


def build(codes_text: str, history_text: str, edition: int, since: int) -> list[dict[str, str]]:
    """Every row of ``divisions.csv``, sorted by code."""
    codes = read_codes(codes_text)
    history = read_history(history_text)
    rows = current_rows(codes, history, edition, since) + retired_rows(codes, history, since)
    return sorted(rows, key=lambda r: r["code"])


def write(rows: Iterable[Mapping[str, str]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", type=Path)
    parser.add_argument("history", type=Path)
    parser.add_argument("--edition", type=int, required=True)
    parser.add_argument("--since", type=int, required=True)
    args = parser.parse_args(argv)
    rows = build(
        args.codes.read_text(encoding="utf-8"),
        args.history.read_text(encoding="utf-8"),
        args.edition,
        args.since,
    )
    write(rows, sys.stdout)


if __name__ == "__main__":
    main()
