"""Excel in and out, over a real server and through the CLI: the batch reads the sheet a bureau
keeps (one county per row; indicator keys or Chinese labels, units in brackets, Chinese meta
headers) and answers a workbook when asked, in the request's language, with a results sheet, an
errors sheet naming row and column, and a warnings sheet; no text a client sent comes back as a
formula; the same input gives the same bytes. Hostile workbooks cost seconds, and the worker's
CPU goes quiet once they are answered (read from /proc/<pid>/stat)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from app.services.spreadsheets import XLSX
from tests import workbooks
from tests.conftest import ROOT
from tests.system.serverproc import Proc, server

pytestmark = pytest.mark.slow
BATCH = "/v1/recommendations/batch"
HEADER = [
    "县名",
    "代码",
    "省份",
    "年份",
    "地区生产总值（亿元）",
    "foreign_trade_cny_100m",
    "fdi_usd_100m",
    "研发经费投入强度",
]
DEQING = ["Deqing", "330521", "Zhejiang", 2024, 720, 344.7, 0.9871, 1.2]
BAD = [
    '=HYPERLINK("http://x.invalid","click")',
    "330522",
    "Zhejiang",
    2024,
    "lots",
    12.0,
    None,
    None,
]


def _workbook(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([None] * len(HEADER))  # an empty row is skipped, not an error
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, as a bureau's sheet holds it: not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with server(f"sqlite:///{tmp_path_factory.mktemp('xlsx') / 'xlsx.db'}") as proc:
        yield proc


def _post(
    proc: Proc, body: bytes, accept: str = "application/json", **params: str
) -> httpx.Response:
    return httpx.post(
        f"{proc.base}{BATCH}",
        content=body,
        params=params,
        headers={"Content-Type": XLSX, "Accept": accept},
        timeout=60,
    )


def test_a_workbook_batch_answers_json(live: Proc) -> None:
    res = _post(live, _workbook(DEQING, BAD))
    assert res.status_code == 200, res.text
    data = res.json()
    assert (data["count"], data["succeeded"], data["failed"]) == (2, 1, 1)
    deqing = data["items"][0]["result"]
    read = {"name": "Deqing", "code": "330521", "province": "Zhejiang", "year": 2024}
    assert {k: deqing["county"][k] for k in read} == read
    pointers = {e["pointer"] for e in data["items"][1]["error"]["errors"]}
    assert pointers == {"/indicators/gdp_cny_100m"}  # "lots" under the Chinese GDP label


def test_a_workbook_answer_has_results_and_errors_naming_row_and_column(live: Proc) -> None:
    res = _post(live, _workbook(DEQING, BAD), accept=XLSX, lang="zh")
    assert res.status_code == 200
    assert res.headers["content-type"] == XLSX
    assert "attachment" in res.headers["content-disposition"]
    book = load_workbook(io.BytesIO(res.content))
    assert book.sheetnames == ["results", "errors", "warnings"]
    results = list(book["results"].iter_rows(values_only=True))
    header, first = results[0], results[1]
    assert header[:2] == ("行", "县")
    assert first[0] == 3  # the sheet row the county came from (row 2 was empty)
    assert first[1] == "Deqing"
    status_of = dict(zip(header, first, strict=True))
    assert status_of["对外开放不足：状态"] in ("警示", "关注", "正常", "数据不足")
    assert isinstance(status_of["对外开放不足：严重度"], float)
    assert status_of["推荐路径1"]
    assert "(" not in str(status_of["推荐路径1"])  # the path's title, no slug
    errors = list(book["errors"].iter_rows(values_only=True))
    assert errors[1][:4] == (4, BAD[0], "E (地区生产总值（亿元）)", "/indicators/gdp_cny_100m")
    assert errors[1][5] == "应为数值"


def test_text_that_looks_like_a_formula_stays_text(live: Proc) -> None:
    res = _post(live, _workbook(BAD, ["+cmd|' /C calc'!A0", "", "", "", 1, 1, 1]), accept=XLSX)
    assert res.status_code == 200
    with zipfile.ZipFile(io.BytesIO(res.content)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    book = load_workbook(io.BytesIO(res.content))
    cells = [c for row in book["errors"].iter_rows() for c in row if c.value == BAD[0]]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_the_same_workbook_gives_the_same_bytes(live: Proc) -> None:
    body = _workbook(DEQING, BAD)
    first = _post(live, body, accept=XLSX).content
    assert first == _post(live, body, accept=XLSX).content
    # Two answers within one second match anyway; the stamped times show it holds across seconds.
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"PK\x03\x04 not really a zip", 400, "MALFORMED_SPREADSHEET"),
        (b"", 400, "MALFORMED_SPREADSHEET"),
    ],
)
def test_a_broken_workbook_is_a_problem(live: Proc, body: bytes, status: int, code: str) -> None:
    res = _post(live, body)
    assert res.status_code == status
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["code"] == code


def test_a_sheet_without_a_county_column_names_the_problem(live: Proc) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["gdp_cny_100m"])
    sheet.append([720])
    buffer = io.BytesIO()
    book.save(buffer)
    res = _post(live, buffer.getvalue())
    assert res.status_code == 422
    assert res.json()["errors"][0]["code"] == "missing_column"


def test_the_cli_reads_and_writes_workbooks(tmp_path: Path) -> None:
    source = tmp_path / "counties.xlsx"
    source.write_bytes(_workbook(DEQING, BAD))
    target = tmp_path / "results.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "app", "recommend", str(source), "-o", str(target), "--seeds"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # one row is invalid: exit 1, results written
    book = load_workbook(target)
    assert [r[1] for r in book["results"].iter_rows(min_row=2, values_only=True)] == ["Deqing"]
    errors = list(book["errors"].iter_rows(min_row=2, values_only=True))
    assert errors[0][0] == 4
    assert errors[0][2] == "E (地区生产总值（亿元）)"


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settles(pid: int, within: float = 3.0) -> float:
    """The CPU seconds the process spends in the ``within`` seconds after an answer."""
    before = _cpu_seconds(pid)
    time.sleep(within)
    return _cpu_seconds(pid) - before


@pytest.fixture(scope="module")
def hurried(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    """A server whose requests have one second: a big batch outlives it."""
    env = {"COUNTYPATH_REQUEST_TIMEOUT_SECONDS": "1"}
    with server(f"sqlite:///{tmp_path_factory.mktemp('hurry') / 'h.db'}", env=env) as proc:
        yield proc


@pytest.mark.parametrize(
    "body",
    [
        workbooks.dimension_bomb(),
        workbooks.padded_cell(200),
        workbooks.shared_strings(200_000),
        workbooks.wide(),
        workbooks.empty_cells(1_600_000),
    ],
    ids=["dimension", "padded-cell", "shared-strings", "wide", "empty-cells"],
)
def test_a_hostile_workbook_is_answered_and_the_worker_goes_quiet(live: Proc, body: bytes) -> None:
    """H-1 and M-1 of the 2026-12-06 probe: the dimension bomb's thread ran ~400 CPU-seconds,
    on past its 503. Each is now answered within seconds and nothing runs on after it."""
    started = time.monotonic()
    res = _post(live, body)
    assert res.status_code in (200, 413, 422), res.text
    assert time.monotonic() - started < 20
    assert _settles(live.pid) < 0.3


def test_a_batch_past_its_time_stops_with_its_answer(hurried: Proc) -> None:
    """asyncio's timeout answered 503 but could not stop the thread computing the workbook
    answer: it ran on for the whole batch. The batch now checks the deadline itself."""
    rows = [
        [f"County{n}", "330521", "Zhejiang", 2024, 720, 344.7, 0.9871, 1.2] for n in range(3000)
    ]
    res = _post(hurried, _workbook(*rows), accept=XLSX)
    assert res.status_code == 503
    assert res.json()["code"] == "TIMEOUT"
    assert _settles(hurried.pid) < 0.3
