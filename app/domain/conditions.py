"""Whether an item fits the county: the one place where a requirement is judged.

Rules, paths, actions, examples, targets and funding channels all state what they need of the
county in one form (``Requirement``, see app.domain.knowledge). Each requirement comes out
``met``, ``missed`` or ``unknown``; an item is kept when every requirement is met, or unknown and
marked ``unknown: keep``. A fact the county has not declared and its figures do not show counts as
missed (a county that says nothing of mines has none to repair); only what nobody could know
without the figure (an indicator nobody gave, a zone nobody declared) is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal, NamedTuple, Protocol

from app.domain.compiled import Requirements
from app.domain.kinds import OPS
from app.domain.knowledge import (
    AdminForm,
    ConstraintCode,
    ConstraintStatus,
    CountyKind,
    Requirement,
    ResourceStage,
    ResourceType,
    Sector,
    Zone,
)
from app.domain.leading import LeadingIndustry

Outcome = Literal["met", "missed", "unknown"]


class Facts(Protocol):
    """What a requirement can ask of a county (a validated profile is one)."""

    @property
    def kind_slugs(self) -> frozenset[CountyKind]: ...
    @property
    def declared_slugs(self) -> frozenset[CountyKind]: ...
    @property
    def zone(self) -> Zone | None: ...
    @property
    def resource_type(self) -> ResourceType | None: ...
    @property
    def resource_stage(self) -> ResourceStage | None: ...
    @property
    def province_slug(self) -> str | None: ...
    @property
    def admin_form(self) -> AdminForm | None: ...
    @property
    def leading_base(self) -> bool | None: ...
    @property
    def leading(self) -> LeadingIndustry | None: ...
    @property
    def values(self) -> Mapping[str, float]: ...
    @property
    def signals(self) -> tuple[str, ...]: ...
    @property
    def constraints(self) -> Mapping[ConstraintCode, ConstraintStatus]: ...
    @property
    def pairing_sides(self) -> frozenset[str]: ...


class Judged(NamedTuple):
    requirement: Requirement
    outcome: Outcome


class Gate(NamedTuple):
    """Whether an item is shown, and each requirement's outcome (for the trace)."""

    kept: bool
    judged: tuple[Judged, ...]

    @property
    def failed(self) -> tuple[Judged, ...]:
        return tuple(j for j in self.judged if not _passes(j))


OPEN = Gate(True, ())
# Builds a NamedTuple from a plain tuple without its Python-level ``__new__``: every request
# judges dozens of requirements.
_new = tuple.__new__


def _member(value: str | None, allowed: Sequence[str], unknown: bool = True) -> Outcome:
    if value is None:
        return "unknown" if unknown else "missed"
    return "met" if value in allowed else "missed"


def _absent(value: str | None, excluded: Sequence[str]) -> Outcome:
    if value is None:
        return "unknown"
    return "missed" if value in excluded else "met"


def _resource(req: Requirement, facts: Facts) -> Outcome:
    assert req.resources is not None
    if facts.resource_type is not None:
        return "met" if facts.resource_type in req.resources else "missed"
    return "unknown" if "resource-based" in facts.kind_slugs else "missed"


def _leading(wanted: bool, facts: Facts) -> Outcome:
    base = facts.leading_base
    if base is None:
        return "unknown"
    return "met" if base == wanted else "missed"


def _sectors(wanted: Sequence[Sector], facts: Facts) -> Outcome:
    """A leading industry of one of these sectors: a declared industry the knowledge base knows
    is met or missed by its sector; a name it does not know, or a share without a name, leaves it
    unknown; no leading industry at all is missed when the shares were given."""
    lead = facts.leading
    if lead is None:
        return "unknown" if facts.leading_base is None else "missed"
    if lead.sectors & set(wanted):
        return "met"
    return "missed" if lead.all_known else "unknown"


def _pairing(side: str, sides: frozenset[str]) -> Outcome:
    """On that side of a pairing programme; a province-internal scheme (both sides) leaves it
    unknown which side the county is on."""
    if side in sides:
        return "met"
    return "unknown" if "both" in sides else "missed"


def _indicator(req: Requirement, facts: Facts) -> Outcome:
    assert req.indicator is not None
    assert req.op is not None
    assert req.value is not None
    value = facts.values.get(req.indicator)
    if value is None:
        return "unknown"
    return "met" if OPS[req.op](value, req.value) else "missed"


def _kinds(req: Requirement, facts: Facts) -> Outcome:
    assert req.kinds is not None
    return "missed" if facts.kind_slugs.isdisjoint(req.kinds) else "met"


def _declared_kinds(req: Requirement, facts: Facts) -> Outcome:
    assert req.declared_kinds is not None
    return "missed" if facts.declared_slugs.isdisjoint(req.declared_kinds) else "met"


def _not_kinds(req: Requirement, facts: Facts) -> Outcome:
    assert req.not_kinds is not None
    return "met" if facts.kind_slugs.isdisjoint(req.not_kinds) else "missed"


def _zones(req: Requirement, facts: Facts) -> Outcome:
    assert req.zones is not None
    return _member(facts.zone, req.zones)


def _not_zones(req: Requirement, facts: Facts) -> Outcome:
    assert req.not_zones is not None
    return "missed" if facts.zone in req.not_zones else "met"


def _stages(req: Requirement, facts: Facts) -> Outcome:
    assert req.stages is not None
    return _member(facts.resource_stage, req.stages)


def _provinces(req: Requirement, facts: Facts) -> Outcome:
    assert req.provinces is not None
    return _member(facts.province_slug, req.provinces)


def _not_provinces(req: Requirement, facts: Facts) -> Outcome:
    assert req.not_provinces is not None
    return _absent(facts.province_slug, req.not_provinces)


def _forms(req: Requirement, facts: Facts) -> Outcome:
    assert req.forms is not None
    return _member(facts.admin_form, req.forms)


def _leading_industry(req: Requirement, facts: Facts) -> Outcome:
    assert req.leading_industry is not None
    return _leading(req.leading_industry, facts)


def _leading_sectors(req: Requirement, facts: Facts) -> Outcome:
    assert req.leading_sectors is not None
    return _sectors(req.leading_sectors, facts)


def _signal(req: Requirement, facts: Facts) -> Outcome:
    return "met" if req.signal in facts.signals else "unknown"


def _pairing_side(req: Requirement, facts: Facts) -> Outcome:
    assert req.pairing is not None
    return _pairing(req.pairing, facts.pairing_sides)


def _constraint(req: Requirement, facts: Facts) -> Outcome:
    assert req.constraint is not None
    assert req.status is not None
    status = facts.constraints.get(req.constraint, "unknown")
    return "met" if status in req.status else "missed"


# Each subject's judge, looked up at once (most of a knowledge base's requirements are about
# constraints, which a chain of comparisons would reach last).
_JUDGES: dict[str, Callable[[Requirement, Facts], Outcome]] = {
    "kinds": _kinds,
    "declared_kinds": _declared_kinds,
    "not_kinds": _not_kinds,
    "zones": _zones,
    "not_zones": _not_zones,
    "resources": _resource,
    "stages": _stages,
    "provinces": _provinces,
    "not_provinces": _not_provinces,
    "forms": _forms,
    "leading_industry": _leading_industry,
    "leading_sectors": _leading_sectors,
    "indicator": _indicator,
    "signal": _signal,
    "pairing": _pairing_side,
    "constraint": _constraint,
}


def judge(req: Requirement, facts: Facts, subject: str | None = None) -> Outcome:
    """One requirement's outcome for the county (``subject``: the requirement's, when known)."""
    return _JUDGES[subject or req.subject](req, facts)


def keeps(req: Requirement, outcome: Outcome) -> bool:
    """Whether an outcome lets the item stay: met, or unknown where the requirement keeps items
    whose fact nobody gave. The one rule behind ``gate`` and ``passes``."""
    return outcome == "met" or (outcome == "unknown" and req.unknown == "keep")


def _passes(j: Judged) -> bool:
    return keeps(j.requirement, j.outcome)


def gate(requires: Sequence[Requirement], facts: Facts) -> Gate:
    """Every requirement judged; the item is kept when each passes."""
    if not requires:
        return OPEN
    if isinstance(requires, Requirements):
        pairs = zip(requires, requires.subjects, strict=True)
        judged = tuple([_new(Judged, (req, judge(req, facts, subject))) for req, subject in pairs])
    else:
        judged = tuple([_new(Judged, (req, judge(req, facts))) for req in requires])
    kept = True
    for j in judged:
        if not _passes(j):
            kept = False
            break
    return _new(Gate, (kept, judged))


def passes(requires: Sequence[Requirement], facts: Facts) -> bool:
    """Whether the item is kept, as ``gate(requires, facts).kept`` says, judging requirements
    only until one fails and keeping no outcome: the ranking asks this of every path and
    action, and needs the outcomes only of what it leaves out."""
    if not requires:
        return True
    subjects = (
        requires.subjects if isinstance(requires, Requirements) else [r.subject for r in requires]
    )
    for req, subject in zip(requires, subjects, strict=True):
        if not keeps(req, _JUDGES[subject](req, facts)):
            return False
    return True


def unmet(g: Gate) -> list[dict[str, object]]:
    """The requirements that kept an item away, as the trace prints them."""
    out: list[dict[str, object]] = []
    for j in g.failed:
        req = j.requirement
        item: dict[str, object] = {"subject": req.subject, "outcome": j.outcome}
        item["wants"] = req.model_dump(mode="json", exclude_none=True, exclude={"note", "unknown"})
        out.append(item)
    return out
