"""The knowledge base's expert cases, one test each, so a failing case shows in the suite by its
file and name. The cases are data beside the seeds they judge (seeds/cases/, keys documented in
seeds/cases/README.md); the checks are app/domain/cases.py and the runner
app/services/expert_cases.py, which `countypath kb test` and every curation write run too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from app.domain.cases import EXPECTATIONS, CaseSet, judge
from app.domain.knowledge import KnowledgeBase
from app.domain.snapshot import Snapshot
from app.services.expert_cases import describe, failures_text, run, run_case
from tests.conftest import SEEDS

CASES = SEEDS / "cases"


def _ids() -> Iterator[Any]:
    """(file, index) of every case, named as `kb test` names it; read cheaply at collection."""
    for file in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        for index, case in enumerate(doc["cases"]):
            yield pytest.param(file.stem, index, id=f"{file.stem}: {case['name']}")


def test_there_are_enough_cases(kb: KnowledgeBase) -> None:
    assert sum(len(s.cases) for s in kb.cases) >= 12
    assert {s.slug for s in kb.cases} == {f.stem for f in CASES.glob("*.yaml")}


@pytest.mark.parametrize(("slug", "index"), list(_ids()))
def test_case(snapshot: Snapshot, kb: KnowledgeBase, slug: str, index: int) -> None:
    case_set = next(s for s in kb.cases if s.slug == slug)
    case = case_set.cases[index]
    unmet = run_case(snapshot, case_set, case)
    assert not unmet, "\n".join([f"why: {case.why}", *(describe(u) for u in unmet)])


# ------------------------------------------------------------------ the machinery


def test_every_documented_key_has_a_check_and_every_check_is_documented() -> None:
    readme = (CASES / "README.md").read_text(encoding="utf-8")
    documented = {
        key.strip("` ")
        for line in readme.splitlines()
        if line.startswith("| `")
        for key in line.split("|")[1].split("/")
    }
    assert documented == set(EXPECTATIONS)


def test_an_unmet_expectation_says_what_was_wanted_and_what_was_found(
    snapshot: Snapshot, kb: KnowledgeBase
) -> None:
    industrial = next(s for s in kb.cases if s.slug == "industrial")
    case = industrial.cases[0].model_copy(
        update={"expect": {"benchmark": "china-2024", "kinds": ["industrial"], "no_such_key": 1}}
    )
    unmet = run_case(snapshot, industrial, case)
    assert [(u.key, u.wanted, u.found) for u in unmet[:1]] == [
        ("benchmark", "china-2024", "jiangsu-2024")
    ]
    assert unmet[1].key == "no_such_key"
    assert "no such expectation" in unmet[1].found
    assert describe(unmet[0]) == "expected benchmark china-2024; found jiangsu-2024"


def test_a_missing_item_is_reported_not_raised() -> None:
    result = {"challenges": [], "recommendations": []}
    (unmet,) = judge(result, {"statuses": {"no-such-challenge": "flag"}})
    assert unmet.found == "the result has no \"challenge 'no-such-challenge'\""


def test_an_invalid_profile_fails_its_case(snapshot: Snapshot) -> None:
    case_set = CaseSet.model_validate(
        {
            "slug": "broken",
            "base": {"county": {"name": "X"}, "indicators": {"gdp_cny_100m": -5}},
            "cases": [{"name": "n", "why": "w", "expect": {"benchmark": "china-2024"}}],
        }
    )
    (outcome,) = run(snapshot, [case_set])
    assert outcome.unmet[0].key == "profile"
    assert outcome.pointer("benchmark") == "/cases/0/cases/0/expect/benchmark"
    assert failures_text([outcome])[0] == "FAILED broken: n"


def test_keys_read_from_yaml_survive_the_stored_document(kb: KnowledgeBase) -> None:
    """`top_paths: {10: [...]}` has a number as its key in YAML; stored as JSON it is a string,
    and the case reads the same either way."""
    again = KnowledgeBase.model_validate_json(kb.canonical_json())
    assert again.cases == kb.cases
    assert again.checksum() == kb.checksum()


def test_a_value_json_cannot_hold_is_refused_as_invalid() -> None:
    with pytest.raises(ValidationError, match="Integer exceeds 64-bit range"):
        CaseSet.model_validate(
            {"slug": "x", "base": {"n": 2**70}, "cases": [{"name": "n", "why": "w", "expect": {}}]}
        )
