"""County kinds: declared by the profile, or inferred from its indicators with the evidence.

A kind changes how much some challenges weigh and which paths and examples fit; the lines that
infer it are data (seeds/meta.yaml ``county_kinds``), scale-neutral like every trigger.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, NamedTuple

from app.domain.knowledge import Condition, CountyKind
from app.domain.snapshot import Snapshot

OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


class KindEvidence(NamedTuple):
    condition: Condition
    value: float


class CountyKindOf(NamedTuple):
    """One kind of the county, how it is known and, when inferred, which values showed it."""

    slug: CountyKind
    basis: Literal["declared", "inferred"]
    evidence: tuple[KindEvidence, ...]


def holds(cond: Condition, value: float) -> bool:
    """Whether ``value`` meets the condition.

    >>> holds(Condition(indicator="primary_share_pct", op="ge", value=15), 15.0)
    True
    """
    return OPS[cond.op](value, cond.value)


def county_kinds(
    snap: Snapshot, declared: Sequence[CountyKind], values: Mapping[str, float]
) -> tuple[CountyKindOf, ...]:
    """Declared kinds as given; otherwise every kind one of whose conditions the values meet."""
    if declared:
        return tuple(CountyKindOf(k, "declared", ()) for k in declared)
    out: list[CountyKindOf] = []
    for slug, definition in snap.kinds.items():
        evidence = tuple(
            KindEvidence(c, values[c.indicator])
            for c in definition.infer
            if c.indicator in values and holds(c, values[c.indicator])
        )
        if evidence:
            out.append(CountyKindOf(slug, "inferred", evidence))
    return tuple(out)
