"""Report endpoints: self-contained HTML, Markdown, languages, stored assessments."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from app.schemas.profile import DEQING_EXAMPLE
from tests.conftest import DEQING_PROFILE, auth

LOADS = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def post(client: TestClient, accept: str, lang: str = "en") -> object:
    return client.post(
        "/v1/reports",
        content=DEQING_PROFILE.read_bytes(),
        headers={"content-type": "application/json", "accept": accept, "accept-language": lang},
    )


def test_html_report_is_self_contained(client: TestClient) -> None:
    res = post(client, "text/html")
    assert res.status_code == 200  # type: ignore[attr-defined]
    assert res.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    html = res.text  # type: ignore[attr-defined]
    assert "<svg" in html
    assert "@page { size: A4" in html
    assert not LOADS.search(html)
    assert "<script" not in html.lower()
    for phrase in (
        "Insufficient opening up",
        "<b>Examples",
        "Zhejiang provincial averages, 2024",
        "Sources",
    ):
        assert phrase in html
    assert "Deqing examples" not in html  # examples are headed by their own county


def test_markdown_and_chinese(client: TestClient) -> None:
    md = post(client, "text/markdown", "zh")
    assert md.status_code == 200  # type: ignore[attr-defined]
    assert md.headers["content-language"] == "zh-CN"  # type: ignore[attr-defined]
    text = md.text  # type: ignore[attr-defined]
    assert text.startswith("# 德清县县域发展诊断与行动方案")  # the official name, in Chinese
    assert "| 对外开放不足 |" in text
    assert post(client, "application/pdf").status_code == 406  # type: ignore[attr-defined]


def test_stored_assessment_report(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["assessments"])
    stored = client.post(
        "/v1/assessments",
        content=DEQING_PROFILE.read_bytes(),
        headers=h | {"content-type": "application/json", "accept-language": "zh"},
    ).json()
    res = client.get(
        f"/v1/assessments/{stored['id']}/report", headers=h | {"accept": "text/markdown"}
    )
    assert res.status_code == 200
    assert "对外开放不足" in res.text
    assert stored["kb_version"] in res.text
    other = client.get(f"/v1/assessments/{stored['id']}/report", headers=auth(api_keys["other"]))
    assert other.status_code == 404


def test_cli_report(tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT

    out = Path(str(tmp_path)) / "deqing.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "report",
            "examples/deqing-2024.json",
            "-o",
            str(out),
            "--seeds",
            "--lang",
            "zh",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = out.read_text(encoding="utf-8")
    assert "县域发展诊断与行动方案" in html
    assert "<svg" in html


def test_page_is_served_offline(client: TestClient) -> None:
    res = client.get("/")
    assert res.status_code == 200
    assert not LOADS.search(res.text)
    for asset in re.findall(r"""(?:src|href)=["'](/ui/[^"']+)["']""", res.text):
        assert client.get(asset).status_code == 200


def test_page_and_documentation_share_one_deqing_profile(client: TestClient) -> None:
    embedded = re.search(
        r'<script id="deqing-example" type="application/json">(.*?)</script>',
        client.get("/").text,
        re.DOTALL,
    )
    assert embedded
    assert json.loads(embedded.group(1)) == DEQING_EXAMPLE
    # The file the README's curl and CLI examples send is the same profile.
    assert json.loads(DEQING_PROFILE.read_text(encoding="utf-8")) == DEQING_EXAMPLE


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_name_stored_before_the_name_check_still_gives_a_word_report(
    client: TestClient, api_keys: dict[str, str], sqlite_url: str
) -> None:
    """A row stored before names were checked may hold what XML cannot (U+FFFE, a control):
    its Word report drops those characters instead of failing forever."""
    import io

    from docx import Document
    from sqlalchemy import create_engine, text

    h = auth(api_keys["assessments"])
    body = DEQING_PROFILE.read_bytes()
    stored = client.post(
        "/v1/assessments", content=body, headers=h | {"content-type": "application/json"}
    ).json()
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT profile, result FROM assessment WHERE id = :id"), {"id": stored["id"]}
        ).one()
        profile, result = (json.loads(v) if isinstance(v, str) else v for v in row)
        bad = "De\ufffeq\x01ing\uffff"
        profile["county"]["name"] = result["county"]["name"] = bad
        conn.execute(
            text(
                "UPDATE assessment SET profile = :p, result = :r, county_name = :n WHERE id = :id"
            ),
            {"p": json.dumps(profile), "r": json.dumps(result), "n": bad, "id": stored["id"]},
        )
    engine.dispose()
    res = client.get(f"/v1/assessments/{stored['id']}/report", headers=h | {"accept": DOCX})
    assert res.status_code == 200, res.text
    words = "\n".join(p.text for p in Document(io.BytesIO(res.content)).paragraphs)
    assert "Deqing" in words
    assert "\ufffe" not in words
    assert "\x01" not in words


def test_a_result_stored_before_later_keys_still_reports(
    client: TestClient, api_keys: dict[str, str], sqlite_url: str
) -> None:
    """A result stored by an earlier release lacks keys added since (an example's own county
    name, a benchmark's year, a path's duties): its report is made again, not a conflict."""
    from sqlalchemy import create_engine, text

    h = auth(api_keys["assessments"])
    stored = client.post(
        "/v1/assessments",
        content=DEQING_PROFILE.read_bytes(),
        headers=h | {"content-type": "application/json"},
    ).json()
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT result FROM assessment WHERE id = :id"), {"id": stored["id"]}
        ).one()
        result = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        examples = [ex for rec in result["recommendations"] for ex in rec["examples"]]
        assert examples
        for ex in examples:
            del ex["county_name"]
        for rec in result["recommendations"]:
            rec.pop("duties", None)
        for item in (e for c in result["challenges"] for e in c.get("evidence", [])):
            item.pop("benchmark_year", None)
        conn.execute(
            text("UPDATE assessment SET result = :r WHERE id = :id"),
            {"r": json.dumps(result), "id": stored["id"]},
        )
    engine.dispose()
    res = client.get(
        f"/v1/assessments/{stored['id']}/report", headers=h | {"accept": "text/markdown"}
    )
    assert res.status_code == 200, res.text
    assert "Insufficient opening up" in res.text
