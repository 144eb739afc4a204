"""The API's named vocabularies (app.schemas.vocabulary) are the engine's own closed sets: the
same values in the same order, so the published enums cannot drift from what the engine says."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, get_args

import pytest

from app.domain import knowledge, ranking, result, thresholds
from app.schemas import vocabulary as v

PAIRS: list[tuple[type[StrEnum], Any]] = [
    (v.Family, knowledge.Family),
    (v.Status, knowledge.Status),
    (v.Band, knowledge.Band),
    (v.Direction, knowledge.Direction),
    (v.SourceTag, knowledge.Tag),
    (v.Comparison, knowledge.Op),
    (v.Language, knowledge.Lang),
    (v.CountyKind, knowledge.CountyKind),
    (v.Origin, knowledge.Origin),
    (v.Basis, thresholds.Basis),
    (v.FitOutcome, ranking.Outcome),
    (v.View, result.View),
]


@pytest.mark.parametrize(("vocabulary", "literal"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_named_vocabulary_is_the_engines(vocabulary: type[StrEnum], literal: Any) -> None:
    assert [member.value for member in vocabulary] == list(get_args(literal))
