"""CSV cells that a spreadsheet would evaluate are written as text (OWASP CSV injection), in
comma and semicolon locales alike."""

import csv
import io

import pytest

from app.services.csv_cells import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x.example","Deqing")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\tcmd",
        "\rcmd",
        ";=1+1",
        " =1+1",
        "＝1+1",
        "\n=1+1",
    ],
)
def test_formula_starts_are_quoted(text: str) -> None:
    cell = safe_cell(text)
    assert isinstance(cell, str)
    assert cell.startswith("'")


@pytest.mark.parametrize(
    "text", [";=1+1", "Deqing;=1+1", "Deqing; +cmd|' /C calc'!A0", "a;@SUM(1)"]
)
def test_no_piece_after_a_semicolon_starts_a_formula(text: str) -> None:
    """Excel in a locale whose list separator is ';' splits the written line at every ';'."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(safe_row([0, text, "x"]))
    for piece in buffer.getvalue().split(";")[1:]:
        assert not piece.lstrip(" ").startswith(("=", "+", "-", "@")), piece


def test_other_cells_are_unchanged() -> None:
    assert safe_row(["Deqing", "德清县", "a=b", "a;b", "", 0.45, -3, 7]) == [
        "Deqing",
        "德清县",
        "a=b",
        "a;b",
        "",
        0.45,
        -3,
        7,
    ]
