"""The report's heading numbers and the sentences it makes of KPIs, framed by the message
catalogue (app/locales/messages.yaml). Chinese follows the habits of a government document:
headings numbered 一、 then （一）, years written 2027年."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.knowledge import Lang
from app.domain.language import language
from app.domain.messages import say
from app.domain.plan_types import ActionOut, Plan, TargetOut
from app.domain.result_types import CountyOut, ExampleRef, Result
from app.services.wording import Labels, number, words


def numeral(n: int, lang: Lang) -> str:
    """A heading number as the language writes it: 3 in English; 三, 十二, 二十五 in Chinese.

    The catalogue gives a language's own words for one to ten; past ten they compose as Chinese
    counts (the tens, the word for ten, the units), so a trend over eleven plans still numbers
    its sections. From 100 on the figure is written in digits, as documents do.

    >>> numeral(3, "en"), numeral(12, "en")
    ('3', '12')
    >>> [numeral(n, "zh") for n in (3, 10, 11, 20, 35, 99)]
    ['三', '十', '十一', '二十', '三十五', '九十九']
    >>> numeral(100, "zh")
    '100'
    """
    digits = say("numbering", "numerals", lang)
    if not digits or not 1 <= n < 100:
        return str(n)
    if n <= 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    head = digits[9] if tens == 1 else digits[tens - 1] + digits[9]
    return head + (digits[ones - 1] if ones else "")


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


def kpi_text(kpi: TargetOut, labels: Labels, lang: Lang) -> str:
    """ "R&D intensity: 1.1% → 1.7% by 2030 (as far as the pace reaches)"."""
    label, basis = kpi.label, kpi.basis_text
    base = labels.value(kpi.indicator, kpi.baseline)
    target = labels.value(kpi.indicator, kpi.target)
    if kpi.base_year is not None:
        base = say("report_line", "value_in_year", lang, value=base, year=kpi.base_year)
    return say(
        "report_line",
        "kpi_target",
        lang,
        label=label,
        base=base,
        target=target,
        year=kpi.year,
        basis=basis,
    )


def plain(value: float) -> str:
    """A severity or similarity (an index from 0 to 1) with two decimals."""
    return number(value, "ratio")


def measures(action: ActionOut, plan: Plan | None, labels: Labels, lang: Lang) -> list[str]:
    """What an action is assessed on, as a plan's 考核指标 cell lists it: its targets, the outputs
    it delivers and the indicators whose baselines come first; an action with none of these
    names the county-wide main targets it works toward, so no row is left bare."""
    out = [kpi_text(k, labels, lang) for k in action.kpis]
    outputs = {o.slug: o for o in plan.outputs} if plan else {}
    for slug in action.outputs:
        if slug in outputs:
            out.append(_unset(outputs[slug].label, outputs[slug].kind, lang))
    for m in action.to_measure:
        out.append(_unset(m.label, m.kind, lang))
    served = {t.indicator: t.label for t in plan.targets} if plan else {}
    served |= {m.indicator: m.label for m in plan.to_measure} if plan else {}
    names = [served[k] for k in action.serves if k in served]
    if not out and names:
        sep = say("punctuation", "list", lang)
        out.append(say("report_line", "kpi_serves", lang, labels=sep.join(names)))
    return out


def _unset(label: str, kind: str, lang: Lang) -> str:
    """A KPI without a baseline: a binding one takes the task assigned from above, an expected
    one is set once its baseline is measured."""
    name = "kpi_assigned" if kind == "binding" else "kpi_to_measure"
    return say("report_line", name, lang, label=label)


def county_name(county: CountyOut, lang: Lang) -> str:
    """The county as a document in ``lang`` names it: its official Chinese name (满洲里市,
    威宁彝族回族苗族自治县) in Chinese where the division code gives one, else the name sent."""
    official = county.official_name
    return official if language(lang).official_name and official else county.name


def examples_label(examples: list[ExampleRef], lang: Lang) -> str:
    """What a path's examples are headed with: the county's own name when they are all of one
    county (珲春市案例, 德清县案例), else the report's word for examples (参考案例)."""
    names = {ex.county_name or "" for ex in examples}
    if len(names) == 1 and "" not in names:
        key = "example_of" if len(examples) == 1 else "examples_of"
        return say("report_line", key, lang, county=names.pop())
    return str(words("report", lang)["examples"])


def sparse(result: Result) -> bool:
    """Whether most challenges lack the data to be judged: a document then says the figures are
    too few, never that it found no problem."""
    states = [c.status for c in result.challenges]
    return 2 * states.count("insufficient_data") > len(states)
