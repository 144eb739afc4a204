"""The result's ``constraints``: each limit's status, what shows it, and what it changed in the
recommendations (the actions and paths it held back), in the reader's language.

An item is held back by a constraint when it needs the constraint looser than the county's (a
debt-financed build where debt binds). An item written for a county whose constraint is worse (the
no-new-debt wording of a park, for a county whose debt binds) is not held back where the county's
is better: it is only not needed. The effect says what the constraint changed: its rule where it
binds or held something back, and where it is only tight, that nothing is held back for it yet.
"""

from __future__ import annotations

from app.domain.conditions import Gate
from app.domain.constraints import ORDER, ConstraintEvidence
from app.domain.knowledge import ConstraintCode, ConstraintStatus, Lang
from app.domain.messages import say
from app.domain.numbers import round4
from app.domain.profile import ValidProfile
from app.domain.ranking import Excluded, Ranked, excluded_paths
from app.domain.result_types import (
    ConstraintEvidenceOut,
    ConstraintLeftOut,
    ConstraintOut,
    ConstraintSummaryOut,
    absent,
)
from app.domain.snapshot import Snapshot


def _evidence(snap: Snapshot, e: ConstraintEvidence, lang: Lang) -> ConstraintEvidenceOut:
    """What shows a constraint's state: the province's debt control, or an indicator's value
    against its line (each kind without the other's keys)."""
    if e.indicator is None:
        province = snap.provinces_by_name.get(e.province or "")
        debt = ConstraintEvidenceOut(
            basis="province_debt_control",
            province=e.province,
            label=province.name.get(lang) if province else e.province,
            level=e.level,
        )
        return absent(debt, *_INDICATOR_KEYS)
    ind = snap.indicators[e.indicator]
    found = ConstraintEvidenceOut(
        basis="indicator",
        indicator=e.indicator,
        label=ind.label.get(lang),
        value=None if e.value is None else round4(e.value),
        unit=ind.unit,
        line=None if e.line is None else round4(e.line),
        level=e.level,
    )
    return absent(found, "province")


_INDICATOR_KEYS = ("indicator", "value", "unit", "line")


def _held_by(gate: Gate, code: ConstraintCode, status: ConstraintStatus) -> bool:
    """The item failed a requirement on this constraint that a looser state would have met."""
    return any(
        j.requirement.constraint == code
        and any(ORDER[s] < ORDER[status] for s in j.requirement.status or ())
        for j in gate.failed
    )


def _left_out(
    snap: Snapshot,
    code: ConstraintCode,
    status: ConstraintStatus,
    ranked: tuple[Ranked, ...],
    excluded: tuple[Excluded, ...],
    lang: Lang,
) -> list[ConstraintLeftOut]:
    """The actions of recommended paths, and the paths, that this constraint held back."""
    out: list[ConstraintLeftOut] = []
    for r in ranked:
        text = snap.path_texts[(r.path.slug, lang)]
        for i, g in r.left_out:
            if _held_by(g, code, status):
                out.append(ConstraintLeftOut(r.path.slug, text.title, text.actions[i]))
    for e in excluded:
        if _held_by(e.gate, code, status):
            out.append(ConstraintLeftOut(e.slug, snap.path_texts[(e.slug, lang)].title, None))
    return out


def constraint_items(
    snap: Snapshot, profile: ValidProfile, ranked: tuple[Ranked, ...], lang: Lang
) -> list[ConstraintOut]:
    definitions = {d.code: d for d in snap.kb.meta.constraints}
    active = {s.code for s in profile.constraint_states if s.status in ("tight", "binding")}
    excluded = excluded_paths(snap, profile) if active else ()
    out: list[ConstraintOut] = []
    for state in profile.constraint_states:
        d = definitions[state.code]
        on = state.code in active
        left = _left_out(snap, state.code, state.status, ranked, excluded, lang) if on else []
        effect = None
        if on:
            changed = state.status == "binding" or left
            effect = d.effect.get(lang) if changed else say("constraint_effect", "tight", lang)
        evidence = [_evidence(snap, e, lang) for e in state.evidence]
        out.append(
            ConstraintOut(state.code, d.label.get(lang), state.status, evidence, effect, left)
        )
    return out


def summary_items(snap: Snapshot, profile: ValidProfile) -> list[ConstraintSummaryOut]:
    """Code and status of each constraint, for the summary view (a few values, each made once
    per snapshot)."""
    known = snap.memo.constraint_states
    out = []
    for s in profile.constraint_states:
        key = (s.code, s.status)
        hit = known.get(key)
        if hit is None:
            hit = known[key] = ConstraintSummaryOut(s.code, s.status)
        out.append(hit)
    return out
