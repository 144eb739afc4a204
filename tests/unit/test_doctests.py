"""The small pure functions document their maths by examples; this runs those examples."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "app.domain.numbers",
    "app.domain.thresholds",
    "app.domain.diagnosis",
    "app.domain.kinds",
    "app.domain.knowledge",
    "app.domain.messages",
    "app.domain.language",
    "app.domain.divisions",
    "app.reference.refresh",
    "app.domain.merge",
    "app.services.wording",
    "app.services.preconditions",
    "app.services.csv_cells",
    "app.services.report_words",
    "app.services.timestamps",
    "app.errors",
    "app.schemas.text",
    "app.domain.sources",
    "app.domain.snapshot",
    "app.domain.integrity",
    "app.domain.constraints",
    "app.domain.plan_years",
    "tests.unit.test_paper_figures",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
