"""Plans, stored plans, the trend and the documents, through a real server on SQLite and on
PostgreSQL: the HTML report with its plan, timeline and trend charts in a real Chromium
(screenshots and an A4 PDF under artifacts/), the DOCX read back with python-docx."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document

from tests.conftest import DEQING_PROFILE
from tests.system.cdp import browser
from tests.system.serverproc import make_key, server

pytestmark = pytest.mark.slow
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CJK = re.compile(r"[\u4e00-\u9fff]")
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _url(request: pytest.FixtureRequest, tmp_path: Path, store: str) -> str:
    if store == "sqlite":
        return f"sqlite:///{tmp_path / 'plans.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def profile(year: int, trade: float, fdi: float) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["county"]["year"] = year
    data["indicators"] |= {"foreign_trade_cny_100m": trade, "fdi_usd_100m": fdi}
    return data


def _check_plan(base: str) -> None:
    res = httpx.post(
        f"{base}/v1/plans", json=profile(2024, 344.7, 0.9871), headers={"accept-language": "zh"}
    )
    assert res.status_code == 200, res.text
    plan = res.json()
    for action in plan["actions"]:
        assert CJK.search(action["lead"]["name"])
        assert action["partners"]
        assert action["funding"]
        assert action["kpis"] or action["outputs"] or action["to_measure"]
    stages = {a["path"]: a["stage"] for a in plan["actions"]}
    assert stages["targeted-investment-promotion"] > stages["leading-cluster-plus"]


def _store_years(base: str, key: str) -> list[dict[str, Any]]:
    h = {"authorization": f"Bearer {key}", "accept-language": "zh"}
    made = []
    for year, trade, fdi, plan in ((2023, 300.0, 0.9, True), (2024, 344.7, 0.9871, False)):
        params = {"plan": "true"} if plan else {}
        res = httpx.post(
            f"{base}/v1/assessments", json=profile(year, trade, fdi), headers=h, params=params
        )
        assert res.status_code == 201, res.text
        made.append(res.json())
    return made


def _check_trend(base: str, key: str, planned_id: str) -> None:
    res = httpx.get(
        f"{base}/v1/assessments/trend",
        params={"county_code": "330521"},
        headers={"authorization": f"Bearer {key}"},
    )
    assert res.status_code == 200, res.text
    trend = res.json()
    assert [p["year"] for p in trend["points"]] == [2023, 2024]
    assert trend["points"][1]["indicators"]["foreign_trade_cny_100m"] == 344.7
    assert trend["points"][0]["challenges"]["insufficient-opening-up"]["status"] in {
        "watch",
        "flag",
    }
    assert trend["progress"][0]["assessment_id"] == planned_id


def _check_html(base: str, key: str, latest_id: str, tmp_path: Path, store: str) -> None:
    res = httpx.get(
        f"{base}/v1/assessments/{latest_id}/report",
        headers={"authorization": f"Bearer {key}", "accept": "text/html"},
    )
    assert res.status_code == 200, res.text
    file = tmp_path / f"trend-{store}.html"
    file.write_text(res.text, encoding="utf-8")
    with browser(width=900, height=1400) as page:
        page.goto(file.as_uri())
        page.wait_for("document.readyState === 'complete'")
        assert page.evaluate("document.querySelectorAll('svg.trend').length") >= 1
        assert page.evaluate("document.querySelectorAll('table.progress tr').length") >= 2
        text = page.evaluate("document.body.innerText")
        assert "历年进展" in text
        assert "对照2023年制定的行动方案" in text
        page.screenshot(f"report-trend-{store}.png")
        page.pdf(f"report-trend-{store}.pdf")


def _check_docx(base: str, key: str, latest_id: str) -> None:
    res = httpx.get(
        f"{base}/v1/assessments/{latest_id}/report",
        headers={"authorization": f"Bearer {key}", "accept": DOCX},
    )
    assert res.status_code == 200, res.text
    doc = Document(io.BytesIO(res.content))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.endswith("历年进展") for t in texts)
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert any("考核指标" in h and "基期值" in h for h in headers)  # progress table


@pytest.mark.parametrize("store", STORES)
def test_plans_trend_and_documents_through_a_real_server(
    request: pytest.FixtureRequest, tmp_path: Path, store: str
) -> None:
    url = _url(request, tmp_path, store)
    key = make_key(url, "bureau", "assessments")
    with server(url) as proc:
        _check_plan(proc.base)
        planned, latest = _store_years(proc.base, key)
        assert planned["plan"]["actions"]
        assert latest["plan"] is None
        _check_trend(proc.base, key, planned["id"])
        _check_html(proc.base, key, latest["id"], tmp_path, store)
        _check_docx(proc.base, key, latest["id"])
        other = make_key(url, "elsewhere", "assessments")
        hidden = httpx.get(
            f"{proc.base}/v1/assessments/trend",
            params={"county_code": "330521"},
            headers={"authorization": f"Bearer {other}"},
        ).json()
        assert hidden["points"] == []


def test_plan_report_in_chromium_shows_the_plan_table_and_timeline(tmp_path: Path) -> None:
    with server(f"sqlite:///{tmp_path / 'report.db'}") as proc:
        res = httpx.post(
            f"{proc.base}/v1/reports",
            content=DEQING_PROFILE.read_bytes(),
            headers={
                "content-type": "application/json",
                "accept": "text/html",
                "accept-language": "zh",
            },
        )
        assert res.status_code == 200
    file = tmp_path / "plan-zh.html"
    file.write_text(res.text, encoding="utf-8")
    with browser(width=900, height=1400) as page:
        page.goto(file.as_uri())
        page.wait_for("document.readyState === 'complete'")
        rows = page.evaluate("document.querySelectorAll('table.plan tr.action').length")
        assert rows >= 6
        leads = page.evaluate(
            "[...document.querySelectorAll('table.plan td.lead')].map(td => td.innerText)"
        )
        assert all(CJK.search(lead) for lead in leads)
        box = page.evaluate(
            "(() => { const r = document.querySelector('svg.timeline').getBoundingClientRect();"
            " return [r.width, r.height]; })()"
        )
        assert box[0] > 500
        assert box[1] > 100
        page.evaluate("document.querySelector('svg.timeline').scrollIntoView()")
        page.screenshot("report-plan-zh.png")
