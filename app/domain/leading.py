"""The county's leading industry (首位产业): declared, or evident from the largest industry's share.

A leading industry is a base to upgrade (technical renovation, chain leaders, "X+" clusters,
brands). Concentration in it is a risk only where it is the resource the county lives on, or where
the county declares that resource in decline: then the result says so, and only then does the
concentration line judge the county. A declared name is looked up in the knowledge base's
industries, so the answer prints it in its own language and items that need a kind of base (an
industrial chain needs manufacturing, not rice fields) know its sector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple

from app.domain.knowledge import (
    CountyKind,
    IndustryDefinition,
    Lang,
    ResourceStage,
    ResourceType,
    ResourceTypeDefinition,
    Sector,
)

TOP_SHARE = "top_industry_share_pct"


class LeadingIndustry(NamedTuple):
    names: tuple[str, ...]
    share: float | None
    basis: Literal["declared", "evident"]
    risk: Literal["resource", "declining"] | None
    known: tuple[IndustryDefinition | None, ...] = ()  # per name: the industry it names, if known

    @property
    def base(self) -> bool:
        """A base to build on: neither the resource itself nor in decline."""
        return self.risk is None

    @property
    def sectors(self) -> frozenset[Sector]:
        return frozenset(k.sector for k in self.known if k is not None)

    @property
    def all_known(self) -> bool:
        """Every declared name is an industry of the knowledge base (and one was declared)."""
        return bool(self.known) and all(k is not None for k in self.known)

    def labels(self, lang: Lang) -> tuple[str, ...]:
        """The names in ``lang``: a known industry by its label, another as the county wrote it."""
        return tuple(
            k.label.get(lang) if k is not None else name
            for name, k in zip(self.names, self.known, strict=True)
        )


def industry_index(industries: Iterable[IndustryDefinition]) -> dict[str, IndustryDefinition]:
    """Every name an industry is declared by (its slug, labels and words), folded to lower case."""
    out: dict[str, IndustryDefinition] = {}
    for ind in industries:
        for word in (ind.slug, *ind.label.texts().values(), *ind.words):
            out.setdefault(word.strip().lower(), ind)
    return out


def _is_resource(
    names: tuple[str, ...],
    kinds: frozenset[CountyKind],
    resource: ResourceType | None,
    words: Mapping[ResourceType, ResourceTypeDefinition],
) -> bool:
    """Names that are a resource's industry; with none declared, a resource county's largest
    industry is taken to be its resource."""
    if not names:
        return "resource-based" in kinds
    vocab = [w.lower() for d in words.values() for w in d.words]
    if resource is not None and resource in words:
        vocab += [w.lower() for w in words[resource].words]
    return any(n.lower() in vocab for n in names)


def leading_industry(
    names: tuple[str, ...],
    values: Mapping[str, float],
    kinds: frozenset[CountyKind],
    resource: tuple[ResourceType | None, ResourceStage | None],
    line: float,
    words: Mapping[ResourceType, ResourceTypeDefinition],
    industries: Mapping[str, IndustryDefinition] | None = None,
) -> LeadingIndustry | None:
    """The leading industry the profile declares, else the largest industry when its share of
    output reaches ``line``; None when neither holds.

    >>> leading_industry(("garments",), {"top_industry_share_pct": 55}, frozenset(),
    ...                  (None, None), 30, {}).base
    True
    >>> leading_industry((), {"top_industry_share_pct": 62}, frozenset({"resource-based"}),
    ...                  ("coal", "mature"), 30, {}).risk
    'resource'
    """
    share = values.get(TOP_SHARE)
    if names:
        basis: Literal["declared", "evident"] = "declared"
    elif share is not None and share >= line:
        basis = "evident"
    else:
        return None
    index = industries or {}
    known = tuple(index.get(n.strip().lower()) for n in names)
    rtype, stage = resource
    risk: Literal["resource", "declining"] | None = None
    mining = bool(known) and all(k is not None and k.sector == "mining" for k in known)
    if mining or _is_resource(names, kinds, rtype, words):
        risk = "declining" if stage == "declining" else "resource"
    return LeadingIndustry(names, share, basis, risk, known)
