"""The report's heading numbers and the sentences it makes of KPIs, framed by the message
catalogue (app/locales/messages.yaml). Chinese follows the habits of a government document:
headings numbered 一、 then （一）, years written 2027年."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.knowledge import Lang
from app.domain.messages import say
from app.services.wording import Labels, number


def numeral(n: int, lang: Lang) -> str:
    """A heading number as the language writes it: 3 in English, 三 in Chinese."""
    digits = say("numbering", "numerals", lang)
    return digits[n - 1] if digits else str(n)


def numbered(lang: Lang) -> Callable[[int, str], str]:
    """Section headings: 一、发展挑战 in Chinese, 1. Challenges in English."""

    def heading(n: int, text: str) -> str:
        return say("numbering", "heading", lang, n=numeral(n, lang), text=text)

    return heading


def sub_numbered(lang: Lang, n: int) -> str:
    """The second level: （一） in Chinese, (1) in English."""
    return say("numbering", "sub_heading", lang, n=numeral(n, lang))


def year_text(year: int, lang: Lang) -> str:
    return say("report_line", "year", lang, year=year)


def kpi_text(kpi: dict[str, Any], labels: Labels, lang: Lang) -> str:
    """ "R&D intensity: 1.1% → 1.7% by 2030 (as far as the pace reaches)"."""
    label, basis = kpi["label"], kpi["basis_text"]
    if kpi["baseline"] is None:
        return say("report_line", "kpi_basis_only", lang, label=label, basis=basis)
    base = labels.value(kpi["indicator"], kpi["baseline"])
    if kpi["target"] is None:
        return say("report_line", "kpi_baseline", lang, label=label, base=base, basis=basis)
    target = labels.value(kpi["indicator"], kpi["target"])
    return say(
        "report_line",
        "kpi_target",
        lang,
        label=label,
        base=base,
        target=target,
        year=kpi["year"],
        basis=basis,
    )


def plain(value: float) -> str:
    """A severity or similarity (an index from 0 to 1) with two decimals."""
    return number(value, "ratio")
