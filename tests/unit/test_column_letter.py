"""The tables' own column names are openpyxl's, so CSV and workbook errors name columns alike."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from app.services.tables import column_letter


def test_column_letter_is_openpyxls() -> None:
    for number in range(1, 18_279):  # A to ZZZ
        assert column_letter(number) == get_column_letter(number)
