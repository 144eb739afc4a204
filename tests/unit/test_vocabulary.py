"""The API's named vocabularies (app.schemas.vocabulary) are the engine's own closed sets, each
published once under its name."""

from __future__ import annotations

from typing import Any, get_args

from fastapi.testclient import TestClient

from app.domain import knowledge, ranking, result, thresholds
from app.schemas import vocabulary as v

ENGINE: list[tuple[Any, Any]] = [
    (v.Family, knowledge.Family),
    (v.Status, knowledge.Status),
    (v.Band, knowledge.Band),
    (v.Direction, knowledge.Direction),
    (v.SourceTag, knowledge.Tag),
    (v.Comparison, knowledge.Op),
    (v.Language, knowledge.LangCode),
    (v.CountyKind, knowledge.CountyKind),
    (v.Origin, knowledge.Origin),
    (v.Basis, thresholds.Basis),
    (v.FitOutcome, ranking.Outcome),
    (v.View, result.View),
]


def test_a_vocabulary_the_engine_has_is_the_engines_literal() -> None:
    for vocabulary, literal in ENGINE:
        assert get_args(vocabulary)[0] is literal


def test_names_and_value_sets_are_unique() -> None:
    named = [v.named_values(item) for item in v.VOCABULARIES]
    assert len({name for name, _ in named}) == len(named)
    assert len({frozenset(values) for _, values in named}) == len(named)


def test_each_is_one_published_enum(client: TestClient) -> None:
    components = client.get("/openapi.json").json()["components"]["schemas"]
    for item in v.VOCABULARIES:
        name, values = v.named_values(item)
        assert components[name]["enum"] == list(values), name
        assert components[name]["description"] == v.description_of(item), name
