"""The small pure functions document their maths by examples; this runs those examples."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import sys
from types import ModuleType

import pytest

from app.native import ROOT, compiled_modules

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


def _examined(name: str) -> ModuleType:
    """The module, or its source loaded under another name when it is compiled (``make
    compile``): a compiled function is no Python function, so doctest would find no example."""
    if name not in compiled_modules():
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(
        f"{name}_source", ROOT / (name.replace(".", "/") + ".py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings_run(name: str) -> None:
    result = doctest.testmod(_examined(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
