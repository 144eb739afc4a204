"""Numbers as people write them: rounding for output, and grouping for sentences."""

from __future__ import annotations


def round4(x: float) -> float:
    """Round to four decimals for output; never print ``-0.0``.

    >>> round4(0.123456), round4(-0.00001)
    (0.1235, 0.0)
    """
    y = round(x, 4)
    return 0.0 if y == 0 else y


def format_number(value: float) -> str:
    """A number as a person writes it: no float noise, thousands grouped, precision by size.

    A value from a tenth up reads to the hundredth (a fiscal self-sufficiency of 0.22, not
    0.2172); only a smaller one keeps four decimals, where two would print nothing.

    >>> format_number(122500), format_number(58.43), format_number(0.98712), format_number(0)
    ('122,500', '58.43', '0.99', '0')
    >>> format_number(0.2172), format_number(0.0123)
    ('0.22', '0.0123')
    """
    if value == 0:
        return "0"
    magnitude = abs(value)
    digits = 0 if magnitude >= 1000 else 1 if magnitude >= 100 else 2 if magnitude >= 0.1 else 4
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def unit_number(value: float, unit: str) -> str:
    """A number at the precision its unit deserves, as a county document prints it: a share to
    one decimal (two below one percent, where one would print nothing), a ratio to two fixed
    decimals (财政自给率 0.20, not 0.2), the rest as ``format_number`` writes them.

    >>> unit_number(30.63, "pct"), unit_number(44.0, "pct"), unit_number(0.456, "pct")
    ('30.6', '44', '0.46')
    >>> unit_number(0.2, "ratio"), unit_number(0.2172, "ratio"), unit_number(1234.5, "ratio")
    ('0.20', '0.22', '1,234.50')
    >>> unit_number(344.7, "cny_100m"), unit_number(-0.001, "ratio")
    ('344.7', '0.00')
    """
    if unit == "pct":
        text = f"{value:,.{2 if abs(value) < 1 else 1}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text in ("-0", "") else text
    if unit == "ratio":
        text = f"{value:,.2f}"
        return "0.00" if text == "-0.00" else text
    return format_number(value)
