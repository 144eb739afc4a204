"""The registry of knowledge-base kinds follows the document: every list of KnowledgeBase is one
kind, in the document's order, with its item model and identifying field."""

from __future__ import annotations

from typing import get_args

from app.domain.item_kinds import BY_URL_NAME, ITEM_KINDS
from app.domain.knowledge import KINDS, KnowledgeBase


def test_every_kind_of_the_document_is_registered_in_order() -> None:
    assert ("meta", *(kind.attr for kind in ITEM_KINDS)) == KINDS
    for kind in ITEM_KINDS:
        assert get_args(KnowledgeBase.model_fields[kind.attr].annotation) == (kind.model,)
        assert kind.ident in kind.model.model_fields


def test_url_names_and_labels() -> None:
    kind = BY_URL_NAME["reference-counties"]
    assert (kind.attr, kind.label) == ("reference_counties", "reference counties")
    assert sorted(BY_URL_NAME) == sorted(k.attr.replace("_", "-") for k in ITEM_KINDS)
