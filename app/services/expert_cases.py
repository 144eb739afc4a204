"""Running the knowledge base's expert cases (app.domain.cases) against a compiled knowledge base:
by ``countypath kb test``, by the test suite, and on every curation write and import, which are
refused when they make a case fail.

A case goes through the same door as a client's request (the profile validated as
``POST /v1/recommendations`` validates it, then ``services.recommendations.recommendation``), and
its result is judged in its JSON form, as clients read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from app.domain.cases import Case, CaseSet, Unmet, judge
from app.domain.knowledge import LANGS, KnowledgeBase
from app.domain.language import as_lang
from app.domain.snapshot import Snapshot
from app.errors import AppError, field_errors, json_pointer
from app.schemas.profile import RecommendationRequest
from app.services.recommendations import recommendation


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """How one case fared: where it stands in the knowledge base, and what it found unmet."""

    set_index: int
    case_index: int
    case_set: CaseSet
    case: Case
    unmet: tuple[Unmet, ...]

    @property
    def passed(self) -> bool:
        return not self.unmet

    @property
    def label(self) -> str:
        """``industrial: a concentrated industry is not cited ...``"""
        return f"{self.case_set.slug}: {self.case.name}"

    def pointer(self, key: str | None = None) -> str:
        """Where the case (or one of its expectations) stands in the knowledge-base document."""
        parts: list[str | int] = ["cases", self.set_index, "cases", self.case_index]
        return json_pointer(*parts, *(["expect", key] if key is not None else []))


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def describe(unmet: Unmet) -> str:
    """``expected statuses {...}; found {...}``"""
    return f"expected {unmet.key} {_text(unmet.wanted)}; found {_text(unmet.found)}"


def run_case(snap: Snapshot, case_set: CaseSet, case: Case) -> tuple[Unmet, ...]:
    """What ``case`` finds unmet in the result ``snap`` gives its profile (empty: it passes)."""
    if case.lang not in LANGS:
        return (Unmet("lang", case.lang, f"not a language of the engine ({', '.join(LANGS)})"),)
    try:
        request = RecommendationRequest.model_validate(case_set.profile_of(case))
        result = recommendation(snap, request, as_lang(case.lang), trace=True)
    except ValidationError as exc:
        errors = [f"{e.pointer}: {e.message}" for e in field_errors(exc)]
        return (Unmet("profile", "a valid profile", errors),)
    except AppError as exc:
        errors = [f"{e.pointer}: {e.message}" for e in exc.errors]
        return (Unmet("profile", "a result", [exc.detail, *errors]),)
    return tuple(judge(orjson.loads(orjson.dumps(result)), case.expect))


def run(
    snap: Snapshot, case_sets: Sequence[CaseSet], chosen: Callable[[str], bool] | None = None
) -> list[CaseOutcome]:
    """Every case of ``case_sets`` (those whose label ``chosen`` accepts), in order."""
    return [
        CaseOutcome(i, j, case_set, case, run_case(snap, case_set, case))
        for i, case_set in enumerate(case_sets)
        for j, case in enumerate(case_set.cases)
        if chosen is None or chosen(f"{case_set.slug}: {case.name}")
    ]


def _same_case(before: KnowledgeBase, outcome: CaseOutcome) -> tuple[CaseSet, Case] | None:
    """The case as ``before`` held it, if it asked the very same thing there."""
    old_set = next((s for s in before.cases if s.slug == outcome.case_set.slug), None)
    if old_set is None:
        return None
    new = outcome.case_set
    for case in old_set.cases:
        if case.name == outcome.case.name and (case.lang, case.expect) == (
            outcome.case.lang,
            outcome.case.expect,
        ):
            if old_set.profile_of(case) == new.profile_of(outcome.case):
                return old_set, case
    return None


def broken_by(
    before: KnowledgeBase | None,
    before_snapshot: Callable[[], Snapshot],
    candidate: KnowledgeBase,
    candidate_snapshot: Snapshot,
) -> list[CaseOutcome]:
    """The cases a change from ``before`` to ``candidate`` makes fail: every case of the candidate
    that fails on it, except a case the change left as it was that failed before it too (that
    failure is not this change's doing). The cases judged are the candidate's own, so a change
    that updates a case is judged by the case as it updates it."""
    failing = [o for o in run(candidate_snapshot, candidate.cases) if not o.passed]
    if before is None or not failing:
        return failing
    old: Snapshot | None = None
    broken = []
    for outcome in failing:
        same = _same_case(before, outcome)
        if same is not None:
            old = old or before_snapshot()
            if run_case(old, *same):
                continue  # it failed before the change as well
        broken.append(outcome)
    return broken


def failures_text(outcomes: Iterable[CaseOutcome]) -> list[str]:
    """The report of failed cases, as `countypath kb test` prints it: each case, its reason, and
    each expectation with what was found."""
    lines: list[str] = []
    for o in outcomes:
        if o.passed:
            continue
        lines += [f"FAILED {o.label}", f"  why: {o.case.why}"]
        lines += [f"  {describe(u)}" for u in o.unmet]
    return lines
