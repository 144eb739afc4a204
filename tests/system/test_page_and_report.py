"""The page and the printable report, driven in a real headless browser with the network closed;
screenshots and PDFs are saved under artifacts/."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.cdp import Page, browser
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


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FACTS = ("kinds", "main_function_zone", "resource", "leading_industries")


def _exchanges(page: Page, path: str) -> list[dict[str, Any]]:
    """The POSTs to ``path`` the browser itself recorded: each request's body and the status
    and content type of its answer."""
    page.evaluate("1")  # drain the events that arrived meanwhile
    answers = {
        e["params"]["requestId"]: e["params"]["response"]
        for e in page.events
        if e["method"] == "Network.responseReceived"
    }
    return [
        {
            "url": e["params"]["request"]["url"],
            "body": json.loads(e["params"]["request"].get("postData") or "null"),
            "status": answers.get(e["params"]["requestId"], {}).get("status"),
            "type": answers.get(e["params"]["requestId"], {}).get("mimeType"),
        }
        for e in page.events
        if e["method"] == "Network.requestWillBeSent"
        and e["params"]["request"]["method"] == "POST"
        and urlsplit(e["params"]["request"]["url"]).path == path
    ]


def _open(page: Page, url: str) -> None:
    page.call("Network.enable")
    page.goto(url)
    page.wait_for("document.body.dataset.ready === 'true'")


def _diagnose(page: Page) -> None:
    page.evaluate("delete document.body.dataset.done; document.getElementById('submit').click()")
    page.wait_for("document.body.dataset.done === 'true'")


def _declare(page: Page) -> None:
    page.evaluate(
        """(() => {
        const form = document.getElementById('profile');
        for (const k of ['border', 'pastoral']) form.querySelector(`input[data-kind="${k}"]`).click();
        form.elements.main_function_zone.value = 'ecological';
        form.elements.resource_type.value = 'coal';
        form.elements.resource_type.dispatchEvent(new Event('change'));
        form.elements.resource_stage.value = 'declining';
        form.elements.leading_industries.value = 'garments, tea';
    })()"""
    )


def test_page_declares_county_facts_only_when_filled_in(tmp_path: Path) -> None:
    with server(f"sqlite:///{tmp_path / 'facts.db'}") as proc, browser() as page:
        _open(page, f"{proc.base}/")
        offered = page.evaluate(
            "[...document.querySelectorAll('#kinds input[data-kind]')].map(i => i.dataset.kind)"
        )
        assert {"border", "pastoral", "resource-based", "poverty-exit"} <= set(offered)
        stage = "document.getElementById('profile').elements.resource_stage.disabled"
        assert page.evaluate(stage) is True  # no stage without a resource
        _diagnose(page)
        (empty,) = _exchanges(page, "/v1/recommendations")
        assert empty["status"] == 200
        assert not set(FACTS) & set(empty["body"]["county"])  # unknown stays unknown

        _declare(page)
        assert page.evaluate(stage) is False
        _diagnose(page)
        declared = _exchanges(page, "/v1/recommendations")[-1]
        assert declared["status"] == 200
        county = declared["body"]["county"]
        assert county["kinds"] == ["border", "pastoral"]
        assert county["main_function_zone"] == "ecological"
        assert county["resource"] == {"type": "coal", "stage": "declining"}
        assert county["leading_industries"] == ["garments", "tea"]
        english = page.evaluate("document.getElementById('facts').innerText")
        page.screenshot("page-facts-en.png")

        page.evaluate(
            "delete document.body.dataset.ready; delete document.body.dataset.done;"
            "document.getElementById('lang-zh').click()"
        )
        page.wait_for("document.body.dataset.ready === 'true'")
        page.wait_for("document.body.dataset.done === 'true'")
        assert page.evaluate("document.querySelector('[data-i18n=diagnose]').textContent") == "诊断"
        chinese = page.evaluate("document.getElementById('facts').innerText")
        assert chinese != english
        legend = page.evaluate("document.querySelector('#facts legend').textContent")
        assert re.search(r"[\u4e00-\u9fff]", legend), legend
        assert "[object" not in page.evaluate("document.body.innerText")
        labels = page.evaluate(
            "[...document.querySelectorAll('#kinds label, #facts option:checked')]"
            ".map(n => n.innerText.trim())"
        )
        assert labels
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in labels), labels
        kept = page.evaluate(
            "[...document.querySelectorAll('#kinds input:checked')].map(i => i.dataset.kind)"
        )
        assert kept == ["border", "pastoral"]  # the language changes, the facts stay
        page.screenshot("page-facts-zh.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_action_plan_shows_targets_and_tasks_and_downloads_word(tmp_path: Path, lang: str) -> None:
    saved = tmp_path / "saved"
    with server(f"sqlite:///{tmp_path / 'plan.db'}") as proc, browser() as page:
        page.call("Page.setDownloadBehavior", behavior="allow", downloadPath=str(saved))
        _open(page, f"{proc.base}/?lang={lang}")
        assert page.evaluate("document.getElementById('plan').disabled") is True
        _diagnose(page)
        page.evaluate("document.getElementById('plan').click()")
        page.wait_for("document.body.dataset.planned === 'true'")
        (asked,) = _exchanges(page, "/v1/plans")
        assert asked["status"] == 200
        assert asked["type"] == "application/json"
        targets = page.evaluate(
            "[...document.querySelectorAll('#targets tbody tr')].map(r => r.dataset.indicator)"
        )
        actions = page.evaluate(
            "[...document.querySelectorAll('#plan-actions li')].map(li => li.dataset.path)"
        )
        same = httpx.post(
            f"{proc.base}/v1/plans", json=asked["body"], headers={"accept-language": lang}
        ).json()
        assert targets == [t["indicator"] for t in same["targets"]]
        assert actions == [a["path"] for a in same["actions"]]
        assert targets
        assert len(actions) >= 3
        text = page.evaluate("document.getElementById('plan-view').innerText")
        if lang == "zh":
            assert page.evaluate("document.getElementById('plan').textContent") == "行动方案"
            assert "主要目标" in text
            assert "牵头单位" in text
        else:
            assert "Main targets" in text
        page.screenshot(f"page-plan-{lang}.png")

        page.evaluate("document.getElementById('plan-docx').click()")
        page.wait_for("(document.body.dataset.saved || '').includes('plan')")
        page.evaluate("document.getElementById('brief-docx').click()")
        page.wait_for("(document.body.dataset.saved || '').includes('brief')", timeout=60)
        full, brief = _exchanges(page, "/v1/reports")
        assert urlsplit(full["url"]).query == ""
        assert urlsplit(brief["url"]).query == "layout=brief"
        for answer in (full, brief):
            assert answer["status"] == 200
            assert answer["type"] == DOCX
            assert answer["body"] == asked["body"]  # the profile the plan was made of
        deadline = time.monotonic() + 30
        while len(list(saved.glob("*.docx"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        files = sorted(saved.glob("*.docx"))
        assert len(files) == 2, files
        assert all(f.read_bytes()[:2] == b"PK" for f in files)


@pytest.mark.parametrize(
    ("url", "accept_language", "lang"),
    [
        ("/?lang=zh", None, "zh"),
        ("/", "zh-CN,zh", "zh"),
        ("/", None, "en"),
        ("/?lang=en", "zh", "en"),
    ],
)
def test_page_prefills_the_example_county_in_its_language(
    tmp_path: Path, url: str, accept_language: str | None, lang: str
) -> None:
    with server(f"sqlite:///{tmp_path / 'prefill.db'}") as proc, browser() as page:
        if accept_language:
            page.call(
                "Emulation.setUserAgentOverride",
                userAgent="Mozilla/5.0 countypath-test",
                acceptLanguage=accept_language,
            )
        _open(page, f"{proc.base}{url}")
        county = page.evaluate(
            "Object.fromEntries(['name', 'province', 'code', 'year']"
            ".map(k => [k, document.getElementById('profile').elements[k].value]))"
        )
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
        if lang == "zh":
            assert county == {
                "name": "德清县",
                "province": "浙江省",
                "code": "330521",
                "year": "2024",
            }
        else:
            assert county == {
                "name": "Deqing",
                "province": "Zhejiang",
                "code": "330521",
                "year": "2024",
            }
        _diagnose(page)
        (sent,) = _exchanges(page, "/v1/recommendations")
        assert sent["status"] == 200
        assert sent["body"]["county"]["name"] == county["name"]
        assert sent["body"]["indicators"]["fdi_usd_100m"] == 0.9871  # the example's own figures
        shown = page.evaluate("document.getElementById('challenges').innerText")
        assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", shown), shown  # labels, never keys
        if lang == "zh":
            legends = page.evaluate(
                "[...document.querySelectorAll('fieldset.dimension legend')].map(l => l.textContent)"
            )
            assert all(re.search(r"[\u4e00-\u9fff]", text) for text in legends), legends
            # Switching language renames the untouched example, and keeps a county typed in.
            page.evaluate(
                "delete document.body.dataset.ready; document.getElementById('lang-en').click()"
            )
            page.wait_for("document.body.dataset.ready === 'true'")
            name = "document.getElementById('profile').elements.name.value"
            assert page.evaluate(name) == "Deqing"
            page.evaluate(
                f"{name} = 'Anji'; delete document.body.dataset.ready;"
                "document.getElementById('lang-zh').click()"
            )
            page.wait_for("document.body.dataset.ready === 'true'")
            assert page.evaluate(name) == "Anji"
        page.screenshot(f"page-prefill-{lang}{'-header' if accept_language else ''}.png")
