"""Cells a spreadsheet will not run. Every CSV countypath writes passes its cells through
:func:`safe_row`: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with a single quote (the OWASP rule against CSV injection), so a county named
``=HYPERLINK(...)`` is shown as text instead of being evaluated. Numbers are written as numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]
