"""County kinds: declared by the profile, implied by a declared fact, or read off its figures.

A declared kind is the county's own statement (a border county, a county out of poverty). A
declared main-function zone implies the kind of the same name (an agricultural zone is a farm
county; an ecological zone an ecological one) and a declared resource the resource-based kind. A
kind read off the figures is a *trait* of those figures ("farm-heavy economy"), named with its
evidence and never as a legal designation; it is added beside the declared kinds, so declaring
can only make the answer more specific. The lines that infer a trait are data (seeds/meta.yaml
``county_kinds``), scale-neutral like every trigger.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

from app.domain.knowledge import Condition, CountyKind, Zone
from app.domain.snapshot import Snapshot

OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
ZONE_KINDS: dict[Zone, CountyKind] = {"agricultural": "agricultural", "ecological": "ecological"}
Basis = Literal["declared", "inferred"]


class KindEvidence(NamedTuple):
    condition: Condition
    value: float


class CountyKindOf(NamedTuple):
    """One kind of the county, how it is known and, when inferred, which values showed it.
    ``via`` names the declared fact that implies a kind the profile did not list."""

    slug: CountyKind
    basis: Basis
    evidence: tuple[KindEvidence, ...]
    via: Literal["kinds", "zone", "resource"] | None = None


def holds(cond: Condition, value: float) -> bool:
    """Whether ``value`` meets the condition.

    >>> holds(Condition(indicator="primary_share_pct", op="ge", value=15), 15.0)
    True
    """
    return OPS[cond.op](value, cond.value)


def declared_kinds(
    kinds: tuple[CountyKind, ...], zone: Zone | None, has_resource: bool
) -> tuple[CountyKindOf, ...]:
    """The kinds the county states, and those its declared zone and resource imply.

    >>> [(k.slug, k.via) for k in declared_kinds(("border",), "ecological", True)]
    [('border', 'kinds'), ('ecological', 'zone'), ('resource-based', 'resource')]
    """
    out = {k: CountyKindOf(k, "declared", (), "kinds") for k in kinds}
    implied = ZONE_KINDS.get(zone) if zone else None
    if implied is not None and implied not in out:
        out[implied] = CountyKindOf(implied, "declared", (), "zone")
    if has_resource and "resource-based" not in out:
        out["resource-based"] = CountyKindOf("resource-based", "declared", (), "resource")
    return tuple(out.values())


def county_kinds(
    snap: Snapshot,
    declared: tuple[CountyKindOf, ...],
    values: Mapping[str, float],
) -> tuple[CountyKindOf, ...]:
    """The declared kinds, then every other kind one of whose conditions the values meet."""
    stated = {k.slug for k in declared}
    out = list(declared)
    for slug, definition in snap.kinds.items():
        if slug in stated or stated & set(definition.explained_by):
            continue
        evidence = tuple(
            KindEvidence(c, values[c.indicator])
            for c in definition.infer
            if c.indicator in values and holds(c, values[c.indicator])
        )
        if evidence:
            out.append(CountyKindOf(slug, "inferred", evidence))
    return tuple(out)
