"""Batches as a bureau sends them (issue 22 item 6) and as an attacker would (issue 24): the
header found below title rows, unknown columns and total rows left out with one warning each,
"no figure" marks read as absent, every problem of a row reported, all in the request's
language; and every limit of a table checked before work is spent past it."""

from __future__ import annotations

import io
import time
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.domain.snapshot import Snapshot
from app.errors import TimedOut
from app.main import create_app
from app.services import spreadsheets
from app.services.recommendations import run_batch
from app.services.spreadsheets import XLSX
from app.services.tables import read_csv
from app.settings import Settings
from tests import workbooks

BATCH = "/v1/recommendations/batch"
DEQING = ["德清县", "330521", "浙江省", 2024, 720, 63.5, 3.1, 344.7, None]
ANJI = ["安吉县", "330523", "浙江省", 2024, 580.5, "暂缺", "—", "/", "生态县"]
BAD = ["苍南县", "330327", "浙江省", 2024, "lots", 163.5, 2.0, 100, None]
TOTAL = ["合  计", None, None, None, 1300.5, None, None, None, None]
NOTE = ["注：本表数据来源于各县统计公报。", None, None, None, None, None, None, None, None]


def _post(client: TestClient, body: bytes, media: str = XLSX, **headers: str) -> Any:
    return client.post(BATCH, content=body, headers={"content-type": media, **headers})


def test_a_bureau_sheet_answers_in_chinese(client: TestClient) -> None:
    body = workbooks.bureau_book([DEQING, ANJI, BAD, TOTAL, NOTE])
    res = _post(client, body, accept=XLSX, **{"accept-language": "zh"})
    assert res.status_code == 200, res.text
    book = load_workbook(io.BytesIO(res.content))
    assert book.sheetnames == ["results", "errors", "warnings"]
    results = list(book["results"].iter_rows(values_only=True))
    header = results[0]
    assert header[:7] == ("行", "县", "代码", "省份", "年份", "基准", "知识库版本")
    assert "对外开放不足：状态" in header or any(str(h).endswith("：状态") for h in header)
    assert not any(h and "-" in str(h) for h in header), header  # no slugs
    assert [r[1] for r in results[1:]] == ["德清县", "安吉县"]
    assert results[1][0] == 4  # title row, unit row, header: Deqing sits in sheet row 4
    statuses = {
        v for row in results[1:] for h, v in zip(header, row, strict=True) if h.endswith("：状态")
    }
    assert statuses <= {"警示", "关注", "正常", "数据不足"}
    top = results[1][header.index("推荐路径1")]  # Deqing's top path: its Chinese title alone
    assert "(" not in top
    assert any("\u4e00" <= ch <= "\u9fff" for ch in top)
    # Every problem of the bad row, in Chinese, by sheet row and the bureau's own column.
    errors = list(book["errors"].iter_rows(values_only=True))
    assert errors[0] == ("行", "县", "列", "字段", "错误代码", "说明")
    found = {(e[2], e[4]): e[5] for e in errors[1:]}
    assert set(found) == {
        ("F (地区生产总值（亿元）)", "float_type"),
        ("G (常住人口城镇化率（%）)", "out_of_range"),
    }
    assert found[("F (地区生产总值（亿元）)", "float_type")] == "应为数值"
    assert "163.5 超出有效范围" in found[("G (常住人口城镇化率（%）)", "out_of_range")]
    assert {e[0] for e in errors[1:]} == {6}
    warnings = list(book["warnings"].iter_rows(values_only=True))
    codes = [(w[0], w[2]) for w in warnings[1:]]
    assert codes == [
        (3, "unknown_column"),
        (3, "unknown_column"),
        (7, "total_row"),
        (8, "note_row"),
    ]
    assert warnings[1][1] == "A (序号)"
    assert "已略去" in warnings[1][3]
    sheet = book["results"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 8


def test_the_same_sheet_as_json_lists_the_warnings(client: TestClient) -> None:
    body = workbooks.bureau_book([DEQING, ANJI, BAD, TOTAL])
    data = _post(client, body, accept="application/json").json()
    assert (data["count"], data["succeeded"], data["failed"]) == (3, 2, 1)
    assert [w["code"] for w in data["warnings"]] == ["unknown_column"] * 2 + ["total_row"]
    assert data["warnings"][2] == {
        "code": "total_row",
        "row": 7,
        "column": "B (县名)",
        "message": "row 7 (合  计) is a total; it is left out",
    }
    anji = data["items"][1]["result"]
    assert "urbanization_rate_pct" not in anji.get("evidence_values", {})  # 暂缺: absent
    ndjson = _post(client, body, accept="application/x-ndjson")
    lines = [orjson.loads(line) for line in ndjson.content.splitlines()]
    assert [list(line) for line in lines[:3]] == [["warning"]] * 3
    assert [line["index"] for line in lines[3:]] == [0, 1, 2]


def test_no_header_in_the_first_rows_names_the_limit(client: TestClient) -> None:
    res = _post(client, workbooks.bureau_book([DEQING], title_rows=12), **{"accept-language": "zh"})
    assert res.status_code == 422
    assert res.json()["errors"][0]["code"] == "missing_column"
    assert "10" in res.json()["detail"]


def test_csv_header_keys_are_echoed_once_and_cut(settings: Settings) -> None:
    """M-2: twenty 10 KB headers over 5,000 rows answered 1 GB: every row echoed every key.
    The whole batch must answer, so a loaded machine gets more than the usual 30 s for it."""
    head = "county_name,gdp_cny_100m," + ",".join(f"k{i}" + "x" * 10_000 for i in range(20))
    line = "C,1," + ",".join("1" for _ in range(20))
    body = ("\n".join([head] + [line] * 5000) + "\n").encode()
    patient = settings.model_copy(update={"request_timeout_seconds": 600.0})
    with TestClient(create_app(patient)) as client:
        res = client.post(
            BATCH + "?view=summary", content=body, headers={"content-type": "text/csv"}
        )
    assert res.status_code == 200
    data = res.json()
    assert data["succeeded"] == 5000
    assert len(data["warnings"]) == 20
    assert all(len(w["column"]) < 80 for w in data["warnings"])
    assert res.content.count(b"x" * 50) == 2 * 20  # in each warning's column and message only
    assert len(res.content) < 60 * len(body)


def test_bad_rows_are_rows_in_a_workbook_answer(client: TestClient) -> None:
    """M-3: a bad row turned the whole workbook answer into a 500."""
    good = {"county": {"name": "Deqing"}, "indicators": {"gdp_cny_100m": 720.0}}
    bad = [
        {"county": {"name": "De\u0001qing"}, "indicators": {"gdp_cny_100m": 1}},
        {"county": {"name": {"a": [1, 2]}}, "indicators": {}},
        [1, 2],
        {"county": {"name": "De\ufffeq\uffff"}, "indicators": {"gdp_cny_100m": 1}},
        {"county": {"name": "x" * 70_000}, "indicators": {"gdp_cny_100m": 1}},
    ]
    body = orjson.dumps([good, *bad])
    res = _post(client, body, media="application/json", accept=XLSX)
    assert res.status_code == 200, res.text
    book = load_workbook(io.BytesIO(res.content))
    assert [r[1] for r in book["results"].iter_rows(min_row=2, values_only=True)] == ["Deqing"]
    rows = {r[0] for r in book["errors"].iter_rows(min_row=2, values_only=True)}
    assert rows == {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (workbooks.padded_cell(200), 413),
        (workbooks.shared_strings(200_000), 413),
        (workbooks.wide(300, 2), 422),
    ],
    ids=["padded-cell", "shared-strings", "wide"],
)
def test_hostile_workbooks_are_refused_fast_naming_the_limit(
    client: TestClient, body: bytes, status: int
) -> None:
    started = time.monotonic()
    res = _post(client, body, **{"accept-language": "zh"})
    assert res.status_code == status, res.text
    assert time.monotonic() - started < 5
    detail = res.json()["detail"]
    assert any(ch.isdigit() for ch in detail), detail  # the limit, named
    assert "\u4e00" <= detail[0] <= "\u9fff", detail


def test_a_claimed_dimension_costs_nothing(client: TestClient) -> None:
    """H-1: a sheet claiming A1:XFD1048576 walked 1.7e10 empty cells."""
    started = time.monotonic()
    res = _post(client, workbooks.dimension_bomb(), accept="application/json")
    assert res.status_code == 200
    assert res.json()["items"][0]["result"]["county"]["name"] == "Deqing"
    assert time.monotonic() - started < 3


def test_cells_that_hold_nothing_count_against_a_budget(client: TestClient) -> None:
    res = _post(client, workbooks.empty_cells(1_600_000))
    assert res.status_code == 413
    assert res.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_a_cell_longer_than_excel_allows_is_refused(client: TestClient) -> None:
    body = workbooks.package(
        [
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1">',
            workbooks.text_cell("A1", "county_name"),
            b'</row><row r="2">' + workbooks.text_cell("A2", "x" * 40_000) + b"</row>",
            b"</sheetData></worksheet>",
        ]
    )
    res = _post(client, body)
    assert res.status_code == 413
    assert "A2" in res.json()["detail"]


def test_reading_and_scoring_stop_at_the_deadline(snapshot: Snapshot) -> None:
    """A thread cannot be cancelled: the readers and the batch check the deadline themselves."""
    past = time.monotonic() - 1
    with pytest.raises(TimedOut):
        spreadsheets.read_workbook(workbooks.bureau_book([DEQING] * 200), snapshot, 5000, past)
    rows = read_csv(b"county_name,gdp_cny_100m\n" + b"A,1\n" * 200, snapshot, 5000)[0]
    batch = run_batch(snapshot, rows, "en", "summary", deadline=time.monotonic() + 0.2)
    done = 0

    def drain() -> None:
        nonlocal done
        for _ in batch:
            done += 1
            time.sleep(0.01)

    with pytest.raises(TimedOut):
        drain()
    assert 0 < done < 200
