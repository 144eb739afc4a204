"""Who does a plan's action and how it is paid for, in the county's own terms.

Departments are named as the county's province and administrative form name them (市工业和
信息化局, 旗农牧局). Funding channels are those of the path that the county can use: special bonds
and policy-bank loans not where debt binds, transfers not for a county whose own revenue covers its
spending, paired-assistance money only where the province receives it; what was dropped for the
county's debt or purse and what to use instead is said. A channel of another region (the
north-east's black-soil funds for a county elsewhere), kind or pairing scheme is left out unsaid:
naming it would tell the county of measures that are not its own. Each action carries a cost band (from its tasks, with the reason, or "to be
costed") and the share the county itself can be expected to carry, by its fiscal position.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.conditions import gate
from app.domain.knowledge import CostBand, Lang
from app.domain.messages import say
from app.domain.naming import UNIT, department_name, unit_noun, unit_prefix
from app.domain.plan_sequence import Task
from app.domain.plan_types import CostOut, FundingNote, Named, Share
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot

BANDS: tuple[CostBand, ...] = ("small", "medium", "large")


def department(snap: Snapshot, profile: ValidProfile, slug: str, lang: Lang) -> Named:
    """A department by slug with its name as the county writes it."""
    return Named(slug, department_name(snap, slug, profile.province, profile.admin_form, lang))


REASONS = {
    "constraint": "debt",
    "indicator": "fiscal",
    "provinces": "region",
    "not_provinces": "region",
    "pairing": "pairing",
}


SAID = frozenset({"debt", "fiscal"})
"""Reasons a dropped channel is named for: the county's own debt or purse, which tell it what to
use instead. A channel of another region, kind or pairing scheme does not apply to the county,
and a plan does not print what does not apply to it (nor deny the pairing work it may plan)."""


def _reason(snap: Snapshot, profile: ValidProfile, slug: str) -> str:
    """Why the county cannot use a channel: the first requirement it misses, in a word."""
    failed = gate(snap.channels[slug].requires, profile).failed
    return REASONS.get(failed[0].requirement.subject, "kind") if failed else "kind"


def channels(
    snap: Snapshot, profile: ValidProfile, slugs: Sequence[str], lang: Lang
) -> tuple[list[Named], FundingNote | None]:
    """The path's funding channels the county can use, and a note on those it cannot and why."""
    unit = unit_prefix(snap, profile.admin_form, lang)
    noun = unit_noun(snap, profile.admin_form, lang)
    usable: list[Named] = []
    dropped: list[str] = []
    for slug in slugs:
        channel = snap.channels.get(slug)
        if channel is None:
            continue
        if gate(channel.requires, profile).kept:
            usable.append(Named(slug, channel.name.get(lang).replace(UNIT, unit)))
        elif _reason(snap, profile, slug) in SAID:
            dropped.append(slug)
    if not dropped:
        return usable, None
    reasons = [_reason(snap, profile, slug) for slug in dropped]
    items = say("text", "list_sep", lang).join(
        say(
            "plan_funding",
            "dropped_item",
            lang,
            channel=snap.channels[slug].name.get(lang).replace(UNIT, unit),
            reason=say("plan_funding", "reason_" + why, lang, unit=noun),
        )
        for slug, why in zip(dropped, reasons, strict=True)
    )
    text = say("plan_funding", "dropped", lang, unit=noun, items=items)
    if "debt" in reasons:
        text += say("plan_funding", "no_debt_builds", lang)
    return usable, FundingNote(dropped, reasons, text)


def county_share(profile: ValidProfile) -> Share | None:
    """How much of an action the county's own budget can carry, by its fiscal self-sufficiency
    (None when revenue and spending are not given)."""
    ratio = profile.values.get("fiscal_self_sufficiency")
    if ratio is None:
        return None
    if ratio >= 0.8:
        return "main"
    return "shared" if ratio >= 0.4 else "minor"


def cost(snap: Snapshot, tasks: Sequence[Task], profile: ValidProfile, lang: Lang) -> CostOut:
    """The action's cost band: the largest of its tasks', with that task's reason; "to be
    costed" when no task has one."""
    costed = [t for t in tasks if t.action.cost is not None]
    share = county_share(profile)
    noun = unit_noun(snap, profile.admin_form, lang)
    share_text = say("county_share", share or "unknown", lang, unit=noun)
    if not costed:
        return CostOut(share, share_text, None, say("cost_band", "unknown", lang), None)
    top = max(costed, key=lambda t: BANDS.index(t.action.cost or "small"))
    band = top.action.cost
    assert band is not None
    basis = top.action.cost_basis.get(lang) if top.action.cost_basis else None
    return CostOut(share, share_text, band, say("cost_band", band, lang), basis)
