"""`countypath plan`, `report -o plan.docx`, and `recommend` in Chinese, run as a user runs them."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from docx import Document

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "app"]
PROFILE = "examples/deqing-2024.json"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="220")
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=ROOT, env=env, check=check, timeout=120
    )


def test_plan_table_in_chinese() -> None:
    out = run("plan", PROFILE, "--seeds", "--lang", "zh").stdout
    for word in ("牵头单位", "配合单位", "资金渠道", "实施期限", "考核指标", "县投资促进中心"):
        assert word in out
    assert "2026–2030" in out
    assert "talent-office" not in out


def test_plan_json_with_horizon_and_a_refused_horizon(tmp_path: Path) -> None:
    data = json.loads(
        run("plan", PROFILE, "--seeds", "--format", "json", "--horizon", "2035").stdout
    )
    assert data["horizon"] == 2035
    assert all(a["lead"]["name"] for a in data["actions"])
    bad = run("plan", PROFILE, "--seeds", "--horizon", "2027", check=False)
    assert bad.returncode == 2
    assert "/horizon" in bad.stderr


def test_a_refused_field_is_named_by_its_json_pointer(tmp_path: Path) -> None:
    data = json.loads((ROOT / PROFILE).read_text(encoding="utf-8"))
    data["indicators"]["a/b~c"] = "many"
    profile = tmp_path / "odd.json"
    profile.write_text(json.dumps(data), encoding="utf-8")
    bad = run("plan", str(profile), "--seeds", check=False)
    assert bad.returncode == 2
    assert "/indicators/a~1b~0c: " in bad.stderr


def test_plan_markdown_and_docx(tmp_path: Path) -> None:
    md = run("plan", PROFILE, "--seeds", "--lang", "zh", "--format", "md").stdout
    assert "| 序号 | 重点任务 | 牵头单位 | 配合单位 | 资金渠道 | 实施期限 | 考核指标 |" in md
    assert md.startswith("# 德清县高质量发展行动方案（2026—2030年）")
    target = tmp_path / "plan.docx"
    run("plan", PROFILE, "--seeds", "--lang", "zh", "-o", str(target))
    doc = Document(io.BytesIO(target.read_bytes()))
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert any("牵头单位" in h for h in headers)
    refused = run("plan", PROFILE, "--seeds", "--format", "docx", check=False)
    assert refused.returncode == 2


def test_report_writes_a_docx(tmp_path: Path) -> None:
    target = tmp_path / "plan.docx"
    run("report", PROFILE, "-o", str(target), "--seeds", "--lang", "zh")
    doc = Document(io.BytesIO(target.read_bytes()))
    assert doc.paragraphs[0].text == "德清县高质量发展行动方案（2026—2030年）"
    texts = [p.text for p in doc.paragraphs]
    assert "一、指导思想" in texts
    assert "附件1" in texts


def test_recommend_in_chinese_shows_labels_not_codes() -> None:
    table = run("recommend", PROFILE, "--seeds", "--lang", "zh").stdout
    for word in ("挑战", "状态", "严重程度", "警示", "推荐路径", "人才"):
        assert word in table
    assert not re.search(r"\b(challenge|status|severity|flag|watch|policy|talent)\b", table)
    md = run("recommend", PROFILE, "--seeds", "--lang", "zh", "-f", "md").stdout
    assert "| 挑战 | 状态 | 严重程度 |" in md
    assert "| 对外开放不足 | 关注 | 0.45 |" in md
    assert "2024年浙江省平均水平" in md
    assert not re.search(r"\| (flag|watch|ok|insufficient_data|policy|talent|industry) \|", md)
