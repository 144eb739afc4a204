"""CSV cells that a spreadsheet would evaluate are written as text (OWASP CSV injection)."""

import pytest

from app.services.csv_cells import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x.example","Deqing")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd"],
)
def test_formula_starts_are_quoted(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_other_cells_are_unchanged() -> None:
    assert safe_row(["Deqing", "德清县", "a=b", "", 0.45, -3, 7]) == [
        "Deqing",
        "德清县",
        "a=b",
        "",
        0.45,
        -3,
        7,
    ]
