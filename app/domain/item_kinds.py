"""The kinds of item a knowledge base holds (indicators, benchmarks, signals...), named once: the
attribute of :class:`KnowledgeBase` (also the seed directory), the name in URLs, the item model
and the field that identifies an item. (The kinds of *county* are app.domain.kinds.)

The order is the document's, which is also the order in which a kind refers only to kinds
before it or to itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from app.domain.cases import CaseSet
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    Indicator,
    Path,
    ReferenceCounty,
    Signal,
)


@dataclass(frozen=True, slots=True)
class ItemKind:
    attr: str
    model: type[BaseModel]
    ident: str = "slug"

    @property
    def url_name(self) -> str:
        """The kind as URLs name it: ``reference-counties``."""
        return self.attr.replace("_", "-")

    @property
    def label(self) -> str:
        """The kind in a sentence: ``reference counties``."""
        return self.attr.replace("_", " ")

    def ident_of(self, item: BaseModel) -> str:
        """The slug (or key) of ``item``."""
        return str(getattr(item, self.ident))


ITEM_KINDS: tuple[ItemKind, ...] = (
    ItemKind("indicators", Indicator, "key"),
    ItemKind("benchmarks", Benchmark),
    ItemKind("signals", Signal),
    ItemKind("challenges", Challenge),
    ItemKind("paths", Path),
    ItemKind("examples", Example),
    ItemKind("reference_counties", ReferenceCounty),
    ItemKind("cases", CaseSet),
)
BY_ATTR: dict[str, ItemKind] = {kind.attr: kind for kind in ITEM_KINDS}
BY_URL_NAME: dict[str, ItemKind] = {kind.url_name: kind for kind in ITEM_KINDS}
