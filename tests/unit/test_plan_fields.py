"""What a plan needs of the knowledge base: every path has an owner, partners, money, dated
outcome indicators with a credible pace, and prerequisites that form no cycle; `kb check`
refuses a knowledge base that lacks any of them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.domain.integrity import check_references
from app.domain.knowledge import KnowledgeBase
from tests.conftest import ROOT, seeds_with

CJK = re.compile(r"[\u4e00-\u9fff]")


def _with_path(kb: KnowledgeBase, slug: str, **changes: Any) -> KnowledgeBase:
    paths = [p.model_copy(update=changes) if p.slug == slug else p for p in kb.paths]
    return kb.model_copy(update={"paths": paths})


def test_every_seed_path_is_plannable(kb: KnowledgeBase) -> None:
    departments = {d.slug: d for d in kb.meta.departments}
    channels = {c.slug for c in kb.meta.funding_channels}
    indicators = {i.key: i for i in kb.indicators}
    assert len(kb.paths) >= 26
    for path in kb.paths:
        assert path.lead in departments, path.slug
        assert CJK.search(departments[path.lead].name.zh)
        assert path.partners, path.slug
        assert set(path.partners) <= set(departments), path.slug
        assert path.funding, path.slug
        assert set(path.funding) <= channels, path.slug
        assert path.outcome_indicators, path.slug
        for key in path.outcome_indicators:
            pace = indicators[key].pace
            assert pace is not None, (path.slug, key)
            assert pace.source.heuristic or pace.source.url or pace.source.document
    # The sequencing the issue names: a talent environment before a recruitment drive, an
    # industrial platform before investment promotion.
    by_slug = {p.slug: p for p in kb.paths}
    assert "talent-ecosystem" in by_slug["international-talent-exchange"].depends_on
    assert "leading-cluster-plus" in by_slug["targeted-investment-promotion"].depends_on
    assert check_references(kb) == []


def test_energy_intensity_pace_is_cited_to_the_plan(kb: KnowledgeBase) -> None:
    pace = {i.key: i.pace for i in kb.indicators}["energy_intensity_tce_per_10k_cny"]
    assert pace is not None
    assert not pace.source.heuristic
    assert pace.source.url
    assert pace.source.note is not None
    assert "13.5%" in pace.source.note.en


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lead": None}, "lead", "name the lead department"),
        ({"lead": "ministry-of-magic"}, "lead", "unknown department 'ministry-of-magic'"),
        ({"partners": []}, "partners", "name at least one partner"),
        ({"partners": ["nobody"]}, "partners.0", "unknown department 'nobody'"),
        ({"partners": ["talent-office"]}, "partners.0", "the lead is not a partner"),
        ({"funding": []}, "funding", "name at least one funding channel"),
        ({"funding": ["lottery"]}, "funding.0", "unknown funding channel 'lottery'"),
        ({"outcome_indicators": []}, "outcome_indicators", "name at least one"),
        ({"outcome_indicators": ["gdp_cny_100m"]}, "outcome_indicators.0", "has no pace"),
        ({"depends_on": ["no-such-path"]}, "depends_on.0", "unknown path 'no-such-path'"),
        ({"depends_on": ["talent-ecosystem"]}, "depends_on.0", "depends on itself"),
    ],
)
def test_a_path_missing_a_plan_field_is_refused(
    kb: KnowledgeBase, changes: dict[str, Any], field: str, message: str
) -> None:
    issues = check_references(_with_path(kb, "talent-ecosystem", **changes))
    found = [i for i in issues if i.item == "talent-ecosystem" and i.field == field]
    assert found, issues
    assert message in found[0].message


def test_dependency_cycles_are_refused_naming_each_path(kb: KnowledgeBase) -> None:
    broken = _with_path(kb, "talent-ecosystem", depends_on=["international-talent-exchange"])
    cycles = [i for i in check_references(broken) if "cycle" in i.message]
    assert {i.item for i in cycles} == {"talent-ecosystem", "international-talent-exchange"}
    assert check_references(broken) == check_references(broken)  # same order every time


def test_kb_check_names_file_item_and_field_of_a_cycle(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "paths/leading-cluster-plus.yaml",
        "depends_on: []",
        "depends_on: [targeted-investment-promotion]",
    )
    res = subprocess.run(
        [sys.executable, "-m", "app", "kb", "check", "--seeds", str(seeds)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
    )
    assert res.returncode == 1
    assert (
        "seeds/paths/leading-cluster-plus.yaml: item 'leading-cluster-plus': field depends_on: "
        "dependencies form a cycle" in res.stderr
    )
