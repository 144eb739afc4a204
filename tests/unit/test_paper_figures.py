"""A figure cites where it is printed: every figure of an example whose only source is the paper
must appear in the paper itself (shared beside the repository as plain text)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.domain.knowledge import KnowledgeBase

PAPER = Path(
    os.environ.get(
        "COUNTYPATH_PAPER_TEXT",
        Path(__file__).resolve().parents[3] / "shared" / "paper" / "yuan-2025-deqing.txt",
    )
)
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def spellings(value: float, unit: str) -> set[str]:
    """The ways a printed text can write ``value`` (in the example's unit).

    >>> sorted(spellings(5.3, "100 million yuan (亿元)"))
    ['5.3', '530 million']
    >>> sorted(spellings(9639, "people"))
    ['9,639', '9639']
    """
    out = {f"{value:g}", f"{value:,.0f}" if value == int(value) else f"{value:,}"}
    if value == int(value) and int(value) in WORDS:
        out.add(WORDS[int(value)])
    if "亿" in unit:
        out.add(f"{value * 100:g} million")
    return out


@pytest.mark.skipif(
    not PAPER.is_file() and os.environ.get("COUNTYPATH_REQUIRE_PAPER") != "1",
    reason=f"the paper's text is not at {PAPER} (set COUNTYPATH_PAPER_TEXT)",
)
def test_paper_only_figures_are_printed_in_the_paper(kb: KnowledgeBase) -> None:
    text = PAPER.read_text(encoding="utf-8")
    missing = []
    for ex in kb.examples:
        for fig in ex.figures:
            if fig.source is None and ex.source.document == "yuan-2025":
                found = spellings(fig.value, fig.unit.en)
                if not any(s in text for s in found):
                    missing.append((ex.slug, fig.key, fig.value))
    assert missing == []
