"""The page and the printable report, driven in a real headless browser with the network closed;
screenshots and PDFs are saved under artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.cdp import browser
from tests.system.serverproc import server

pytestmark = pytest.mark.slow
PAPER_THREE = (
    "incomplete-industrial-structure",
    "high-end-talent-retention",
    "insufficient-opening-up",
)
A4 = (595, 842)  # points


def _page_sizes(pdf: Path) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def test_page_submits_the_deqing_example_in_both_languages(tmp_path: Path) -> None:
    with server(f"sqlite:///{tmp_path / 'page.db'}") as proc, browser() as page:
        page.goto(f"{proc.base}/")
        page.wait_for("document.body.dataset.ready === 'true'")
        dims = page.evaluate(
            "[...document.querySelectorAll('fieldset.dimension')].map(f => f.dataset.dimension)"
        )
        assert {"economy", "industry", "opening", "talent"} <= set(dims)
        assert (
            page.evaluate("document.querySelector('input[data-indicator=\"fdi_usd_100m\"]').value")
            == "0.9871"
        )
        page.evaluate("document.getElementById('submit').click()")
        page.wait_for("document.body.dataset.done === 'true'")
        statuses = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('#challenges tr[data-challenge]')]"
            ".map(r => [r.dataset.challenge, r.className]))"
        )
        for slug in PAPER_THREE:
            assert statuses[slug] in {"watch", "flag"}
        families = page.evaluate(
            "[...document.querySelectorAll('#paths li')].map(li => li.dataset.family)"
        )
        assert set(families) == {"industry", "talent", "policy"}
        page.screenshot("page-en.png")

        page.evaluate("document.getElementById('lang-zh').click()")
        page.wait_for(
            "document.querySelector('#challenges tbody').innerText.includes('对外开放不足')"
        )
        assert page.evaluate("document.querySelector('[data-i18n=diagnose]').textContent") == "诊断"
        page.screenshot("page-zh.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_prints_on_a4_with_chart_table_and_paths(tmp_path: Path, lang: str) -> None:
    with server(f"sqlite:///{tmp_path / 'report.db'}") as proc:
        res = httpx.post(
            f"{proc.base}/v1/reports",
            content=DEQING_PROFILE.read_bytes(),
            headers={
                "content-type": "application/json",
                "accept": "text/html",
                "accept-language": lang,
            },
        )
        assert res.status_code == 200
        html = res.text
        file = tmp_path / f"report-{lang}.html"
        file.write_text(html, encoding="utf-8")
        with browser(width=900, height=1200) as page:
            page.goto(file.as_uri())
            page.wait_for("document.readyState === 'complete'")
            assert page.evaluate("document.querySelectorAll('.chart svg').length") == 1
            assert (
                page.evaluate(
                    "document.querySelectorAll('table tr.status-flag, table tr.status-watch').length"
                )
                >= 3
            )
            assert page.evaluate("document.querySelectorAll('.path').length") >= 6
            page.screenshot(f"report-{lang}.png")
            pdf = page.pdf(f"report-{lang}.pdf")
    sizes = _page_sizes(pdf)
    assert sizes
    assert all(size == A4 for size in sizes), sizes


def test_report_with_missing_data_says_insufficient_data_plainly(tmp_path: Path) -> None:
    body = {"county": {"name": "Sparse County"}, "indicators": {"gdp_cny_100m": 300}}
    with server(f"sqlite:///{tmp_path / 'sparse.db'}") as proc:
        res = httpx.post(f"{proc.base}/v1/reports", json=body, headers={"accept": "text/html"})
        assert res.status_code == 200
        file = tmp_path / "sparse.html"
        file.write_text(res.text, encoding="utf-8")
        with browser(width=900, height=1200) as page:
            page.goto(file.as_uri())
            page.wait_for("document.readyState === 'complete'")
            assert page.evaluate("document.querySelectorAll('.chart svg').length") == 0
            text = page.evaluate("document.body.innerText")
            assert "insufficient_data" not in text  # a label, never the code
            assert "Insufficient data" in text
            page.screenshot("report-sparse.png")
