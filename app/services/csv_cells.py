"""Cells a spreadsheet will not run. Every CSV countypath writes passes its cells through
:func:`safe_row` (the OWASP rule against CSV injection), so a county named ``=HYPERLINK(...)`` is
shown as text instead of being evaluated. Numbers are written as numbers.

Two ways a text becomes a formula, and what is done against each:

- it starts with ``=``, ``+``, ``-``, ``@``, ``;``, a tab, a carriage return or a line feed
  (also after spaces, and the full-width ``＝ ＋ － ＠``): a single quote goes in front;
- it holds a ``;`` followed by one of those leads: Excel in a locale whose list separator is
  ``;`` (German, French, Russian ...) splits the line there, and the piece after the ``;`` would
  start a cell of its own, so a single quote goes right after that ``;`` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", ";", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_LEAD = "".join(re.escape(c) for c in FORMULA_STARTS)
_STARTS = re.compile(rf"^ *[{_LEAD}]")
_AFTER_SEPARATOR = re.compile(rf"(;)(?= *[{_LEAD}])")


def safe_cell(value: object) -> object:
    """``value`` as a cell no spreadsheet evaluates.

    >>> safe_cell("=1+1"), safe_cell(" =1+1"), safe_cell("Deqing;=1+1"), safe_cell(0.5)
    ("'=1+1", "' =1+1", "Deqing;'=1+1", 0.5)
    >>> safe_cell(";=1+1"), safe_cell("a;b"), safe_cell("a=b")
    ("';'=1+1", 'a;b', 'a=b')
    """
    if not isinstance(value, str):
        return value
    text = _AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + text if _STARTS.match(text) else text


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]
