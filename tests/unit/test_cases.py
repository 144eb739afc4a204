"""Expert cases: what a development economist expects of a county, written as data.

Each file under seeds/cases/ holds the cases of one kind of county: a profile (or changes to the
file's base profile) and what the result must show. Whoever changes a seed adds a case here. The
expectation keys are documented in seeds/cases/README.md; an unknown key fails the case, so a typo
cannot pass silently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.domain.snapshot import Snapshot
from app.schemas.profile import RecommendationRequest
from app.services.recommendations import recommendation

CASES = Path(__file__).resolve().parents[2] / "seeds" / "cases"
Result = dict[str, Any]


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _load() -> Iterator[Any]:
    for file in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            profile = case.get("profile") or _merge(doc["base"], case.get("changes", {}))
            yield pytest.param(profile, case, id=f"{file.stem}: {case['name']}")


def _challenges(res: Result) -> dict[str, Result]:
    return {c["slug"]: c for c in res["challenges"]}


def _paths(res: Result) -> list[str]:
    return [r["slug"] for r in res["recommendations"]]


def _rationales(res: Result) -> str:
    return "\n".join(r["rationale"] for r in res["recommendations"])


def check_statuses(res: Result, want: dict[str, str]) -> None:
    got = _challenges(res)
    for slug, status in want.items():
        assert got[slug]["status"] == status, (slug, got[slug]["status"], got[slug]["severity"])


def check_status_in(res: Result, want: dict[str, list[str]]) -> None:
    got = _challenges(res)
    for slug, allowed in want.items():
        assert got[slug]["status"] in allowed, (slug, got[slug]["status"])


def check_most_severe(res: Result, want: list[str]) -> None:
    first = res["challenges"][0]["slug"]
    assert first in want, (first, [(c["slug"], c["severity"]) for c in res["challenges"][:4]])


def check_not_among_most_severe(res: Result, want: dict[int, list[str]]) -> None:
    for n, slugs in want.items():
        top = [c["slug"] for c in res["challenges"][:n]]
        assert not set(top) & set(slugs), (n, top)


def check_top_paths(res: Result, want: dict[int, list[str]]) -> None:
    for n, slugs in want.items():
        top = _paths(res)[:n]
        assert set(slugs) <= set(top), (n, top)


def check_top_paths_exclude(res: Result, want: dict[int, list[str]]) -> None:
    for n, slugs in want.items():
        top = _paths(res)[:n]
        assert not set(slugs) & set(top), (n, top)


def check_ranks_above(res: Result, want: list[list[str]]) -> None:
    order = _paths(res)
    for higher, lower in want:
        assert higher in order, higher
        assert lower not in order or order.index(higher) < order.index(lower), (higher, lower)


def check_kinds(res: Result, want: list[str]) -> None:
    assert sorted(k["slug"] for k in res["kinds"]) == sorted(want)


def check_benchmark(res: Result, want: str) -> None:
    assert res["benchmark"] == want


def check_warnings(res: Result, want: list[dict[str, str]]) -> None:
    for w in want:
        assert any(all(item.get(k) == v for k, v in w.items()) for item in res["warnings"]), (
            w,
            res["warnings"],
        )


def check_warnings_exclude(res: Result, want: list[dict[str, str]]) -> None:
    for w in want:
        assert not any(all(item.get(k) == v for k, v in w.items()) for item in res["warnings"]), (
            w,
            res["warnings"],
        )


def check_leading_industry(res: Result, want: dict[str, Any]) -> None:
    got = res["leading_industry"]
    assert got is not None
    for key, value in want.items():
        assert got[key] == value, (key, got)


def check_kind_basis(res: Result, want: dict[str, str]) -> None:
    got = {k["slug"]: k["basis"] for k in res["kinds"]}
    for kind, basis in want.items():
        assert got.get(kind) == basis, (kind, got)


def check_kind_labels(res: Result, want: dict[str, str]) -> None:
    got = {k["slug"]: k["label"] for k in res["kinds"]}
    for kind, label in want.items():
        assert got.get(kind) == label, (kind, got)


def check_county(res: Result, want: dict[str, Any]) -> None:
    for key, value in want.items():
        assert res["county"].get(key) == value, (key, res["county"])


def check_not_judged(res: Result, want: list[str]) -> None:
    """No challenge judges the county on these indicators (nor counts them as missing)."""
    for c in res["challenges"]:
        judged = {e["indicator"] for e in c["evidence"]} | set(c["missing"])
        assert not judged & set(want), (c["slug"], judged & set(want))


def check_evidence_against(res: Result, want: dict[str, dict[str, str]]) -> None:
    got = _challenges(res)
    for slug, indicators in want.items():
        evidence = {e["indicator"]: e for e in got[slug]["evidence"]}
        for key, against in indicators.items():
            assert evidence[key].get("against") == against, (slug, key, evidence[key])


def check_constraints(res: Result, want: dict[str, str]) -> None:
    got = {c["code"]: c["status"] for c in res["constraints"]}
    for code, status in want.items():
        assert got.get(code) == status, (code, got)


def check_held_back(res: Result, want: dict[str, list[str]]) -> None:
    """These paths lose an action, or are left out whole, because of the constraint."""
    got = {c["code"]: {x["path"] for x in c["left_out"]} for c in res["constraints"]}
    for code, paths in want.items():
        assert set(paths) <= got.get(code, set()), (code, got.get(code))


def check_no_warnings(res: Result, want: list[str]) -> None:
    codes = [w["code"] for w in res["warnings"]]
    assert not set(codes) & set(want), res["warnings"]


def check_confidence_below(res: Result, want: dict[str, float]) -> None:
    got = _challenges(res)
    for slug, limit in want.items():
        assert got[slug]["confidence"] < limit, (slug, got[slug]["confidence"])


def check_missing_include(res: Result, want: dict[str, list[str]]) -> None:
    got = _challenges(res)
    for slug, keys in want.items():
        assert set(keys) <= set(got[slug]["missing"]), (slug, got[slug]["missing"])


def check_evidence_once(res: Result, want: dict[str, list[str]]) -> None:
    """Of each group of indicators that state one fact, exactly one is evidence."""
    got = _challenges(res)
    for slug, group in want.items():
        present = [e["indicator"] for e in got[slug]["evidence"] if e["indicator"] in group]
        assert len(present) == 1, (slug, present)


def check_targets(res: Result, want: str) -> None:
    """Targets exist only for evidence past its watch line, and lie on the good side."""
    assert want == "only_where_needed_on_the_good_side"
    for c in res["challenges"]:
        for e in c["evidence"]:
            if e["band"] == "ok":
                assert e["target"] is None, (c["slug"], e["indicator"])
            else:
                good = (
                    e["target"] > e["value"]
                    if e["bad_when"] == "below"
                    else e["target"] < e["value"]
                )
                assert good, (c["slug"], e["indicator"], e["value"], e["target"])


def check_rationale_contains(res: Result, want: list[str]) -> None:
    text = _rationales(res)
    for fragment in want:
        assert fragment in text, fragment


def check_rationale_excludes(res: Result, want: list[str]) -> None:
    text = _rationales(res)
    for fragment in want:
        assert fragment not in text, fragment


def _actions(res: Result) -> str:
    return "\n".join(a for r in res["recommendations"] for a in r["actions"])


def check_actions_include(res: Result, want: list[str]) -> None:
    """Some action of a recommended path contains each fragment (e.g. a coal county is
    shown coal actions)."""
    text = _actions(res)
    for fragment in want:
        assert fragment in text, fragment


def check_actions_exclude(res: Result, want: list[str]) -> None:
    """No action of any recommended path contains these fragments (e.g. a metal-mining county is
    shown no coal action)."""
    text = _actions(res)
    for fragment in want:
        assert fragment not in text, fragment


def check_fit_outcome(res: Result, want: dict[str, str]) -> None:
    for path, outcome in want.items():
        rec = next(r for r in res["recommendations"] if r["slug"] == path)
        assert outcome in {f["outcome"] for f in rec["fit"]}, (path, rec["fit"])


def check_strengths(res: Result, want: list[str]) -> None:
    got = {s["indicator"] for s in res["strengths"]}
    assert set(want) <= got, got


def check_peers_note(res: Result, want: str | None) -> None:
    note = res["peers_note"]
    assert (note["code"] if note else None) == want, (note, res["peers"])


def check_peers_include(res: Result, want: list[str]) -> None:
    assert set(want) <= {p["slug"] for p in res["peers"]}, res["peers"]


def check_peers_exclude(res: Result, want: list[str]) -> None:
    assert not set(want) & {p["slug"] for p in res["peers"]}, res["peers"]


def check_examples_exclude(res: Result, want: list[str]) -> None:
    """No path of the result illustrates itself with these examples."""
    shown = {e["slug"] for r in res["recommendations"] for e in r["examples"]}
    assert not shown & set(want), shown & set(want)


def check_first_examples_of_kind(res: Result, want: dict[str, str]) -> None:
    """The first example shown for a path speaks to the given kind."""
    for path, kind in want.items():
        rec = next(r for r in res["recommendations"] if r["slug"] == path)
        assert rec["examples"], path
        assert kind in rec["examples"][0]["kinds"], (path, rec["examples"][:2])


CHECKS: dict[str, Callable[[Result, Any], None]] = {
    "statuses": check_statuses,
    "status_in": check_status_in,
    "most_severe": check_most_severe,
    "not_among_most_severe": check_not_among_most_severe,
    "top_paths": check_top_paths,
    "top_paths_exclude": check_top_paths_exclude,
    "ranks_above": check_ranks_above,
    "kinds": check_kinds,
    "benchmark": check_benchmark,
    "warnings": check_warnings,
    "no_warnings": check_no_warnings,
    "warnings_exclude": check_warnings_exclude,
    "leading_industry": check_leading_industry,
    "kind_basis": check_kind_basis,
    "constraints": check_constraints,
    "held_back": check_held_back,
    "kind_labels": check_kind_labels,
    "county": check_county,
    "not_judged": check_not_judged,
    "evidence_against": check_evidence_against,
    "confidence_below": check_confidence_below,
    "missing_include": check_missing_include,
    "evidence_once": check_evidence_once,
    "targets": check_targets,
    "rationale_contains": check_rationale_contains,
    "rationale_excludes": check_rationale_excludes,
    "actions_include": check_actions_include,
    "actions_exclude": check_actions_exclude,
    "fit_outcome": check_fit_outcome,
    "strengths": check_strengths,
    "peers_note": check_peers_note,
    "peers_include": check_peers_include,
    "peers_exclude": check_peers_exclude,
    "examples_exclude": check_examples_exclude,
    "first_examples_of_kind": check_first_examples_of_kind,
}


def test_there_are_enough_cases() -> None:
    assert len(list(_load())) >= 12


@pytest.mark.parametrize(("profile", "case"), list(_load()))
def test_case(snapshot: Snapshot, profile: dict[str, Any], case: dict[str, Any]) -> None:
    unknown = set(case["expect"]) - set(CHECKS)
    assert not unknown, f"unknown expectations {sorted(unknown)}"
    request = RecommendationRequest.model_validate(profile)
    res = recommendation(snapshot, request, case.get("lang", "en"), trace=True)
    for key, want in case["expect"].items():
        CHECKS[key](res, want)
