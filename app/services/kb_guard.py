"""Guards on the knowledge base as a whole. A change that would remove most of it (more than half
of any kind, or every item of one) needs an explicit confirmation, because one careless import
could otherwise empty it; and a knowledge base that lacks what a diagnosis needs is not one a
worker should be serving."""

from __future__ import annotations

from app.domain.item_kinds import ITEM_KINDS, ItemKind
from app.domain.knowledge import KnowledgeBase
from app.errors import ConfirmationRequired

NEEDED_TO_DIAGNOSE = ("indicators", "benchmarks", "challenges", "paths")
CONFIRM = "remove"


def _idents(kb: KnowledgeBase, kind: ItemKind) -> set[str]:
    return {kind.ident_of(item) for item in getattr(kb, kind.attr)}


def removals(before: KnowledgeBase, after: KnowledgeBase) -> list[str]:
    """What the change from ``before`` to ``after`` removes, where it removes most of a kind."""
    found = []
    for kind in ITEM_KINDS:
        old, new = _idents(before, kind), _idents(after, kind)
        gone = len(old - new)
        label = kind.label
        if old and not new:
            found.append(f"removes every one of the {len(old)} {label}")
        elif gone * 2 > len(old):
            found.append(f"removes {gone} of the {len(old)} {label}")
    return found


def require_confirmation(before: KnowledgeBase, after: KnowledgeBase, confirmed: bool) -> None:
    found = removals(before, after)
    if found and not confirmed:
        raise ConfirmationRequired(
            detail="This change "
            + "; ".join(found)
            + f". Send it again with ?confirm={CONFIRM} if that is intended."
        )


def diagnosis_gaps(kb: KnowledgeBase) -> list[str]:
    """Why ``kb`` cannot diagnose a profile (empty: it can)."""
    gaps = [f"no {kind}" for kind in NEEDED_TO_DIAGNOSE if not getattr(kb, kind)]
    if kb.indicators and all(i.derived for i in kb.indicators):
        gaps.append("no indicator a profile can give")
    return gaps
