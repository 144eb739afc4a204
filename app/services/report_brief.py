"""The one-page brief of a report, for a meeting that decides: three problems (the challenges at
flag or watch ranked first, each in one sentence with the county's own figure), five measures (the
plan's actions ranked first, each with the unit that leads it) and three numbers (the plan's first
targets with a baseline: from where to what by when). No severity index: a meeting reads figures
with units, not scores. As a small self-contained HTML page or as one A4 page of Word.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from docx.shared import Pt

from app.domain.knowledge import Lang
from app.domain.language import language
from app.domain.messages import say
from app.domain.snapshot import Snapshot
from app.services.docx_kit import new_document, paragraph, saved
from app.services.report import Report, render_page
from app.services.report_words import county_name, numbered, sparse, sub_numbered
from app.services.wording import Labels, words

PROBLEMS, MEASURES, NUMBERS = 3, 5, 3
PRESSING = ("flag", "watch")


def _first_finding(finding: str | None, lang: Lang) -> str | None:
    """The first clause of a challenge's finding (its first figure against its line), as a
    sentence of its own."""
    if not finding:
        return None
    end = say("text", "finding", lang, detail="")
    detail = finding.removesuffix(end)
    first = detail.split(words("punctuation", lang)["semi"])[0]
    return say("text", "finding", lang, detail=first)


def _problems(report: Report, labels: Labels) -> list[str]:
    lang, out = report.lang, []
    for c in [c for c in report.result.challenges if c.status in PRESSING][:PROBLEMS]:
        status = labels.status(c.status)
        finding = _first_finding(c.finding, lang)
        if finding is None:
            out.append(say("brief", "problem_plain", lang, title=c.title, status=status))
        else:
            out.append(say("brief", "problem", lang, title=c.title, status=status, finding=finding))
    return out


def _measures(report: Report) -> list[str]:
    actions = sorted(report.plan.actions if report.plan else [], key=lambda a: a.rank)
    return [
        say("brief", "measure", report.lang, title=a.title, lead=a.lead_name)
        for a in actions[:MEASURES]
    ]


def _numbers(report: Report, labels: Labels) -> list[str]:
    targets = [
        t
        for t in (report.plan.targets if report.plan else [])
        if t.baseline is not None and t.target is not None
    ]
    return [
        say(
            "brief",
            "number",
            report.lang,
            label=t.label,
            base=labels.value(t.indicator, t.baseline),
            target=labels.value(t.indicator, t.target),
            year=t.year,
        )
        for t in targets[:NUMBERS]
    ]


class Brief(TypedDict):
    """What the brief's page and its Word writer print."""

    title: str
    tag: str
    heading: Callable[[int, str], str]
    parts: list[tuple[str, list[str]]]
    footer: str


def brief(report: Report, snap: Snapshot) -> Brief:
    """What the brief prints: its title, then each part's heading with its lines (or the
    sentence that says the part is empty)."""
    lang, plan, labels = report.lang, report.plan, Labels(snap, report.lang)
    county = county_name(report.result.county, lang)
    if plan is None:
        title = say("brief", "title_diagnosis", lang, county=county)
    else:
        title = say("brief", "title_plan", lang, county=county, start=plan.start,
                    horizon=plan.horizon)  # fmt: skip
    bw = words("brief", lang)
    parts = [
        (
            bw["problems"],
            _problems(report, labels) or [bw["sparse" if sparse(report.result) else "no_problems"]],
        ),
        (bw["measures"], _measures(report) or [bw["no_measures"]]),
        (bw["numbers"], _numbers(report, labels) or [bw["no_numbers"]]),
    ]
    return {
        "title": title,
        "tag": say("language", "tag", lang),
        "heading": numbered(lang),
        "parts": parts,
        "footer": bw["footer"],
    }


def render_brief_html(report: Report, snap: Snapshot) -> str:
    return render_page("brief.html.j2", brief(report, snap))


def render_brief_docx(report: Report, snap: Snapshot) -> bytes:
    """One A4 portrait page: a smaller body (仿宋 四号 on a 24 pt line in Chinese) so that the
    eleven lines fit with their headings."""
    data, lang = brief(report, snap), report.lang
    layout = language(lang).document
    doc = new_document(lang, data["title"], data["tag"])
    paragraph(doc, data["title"], lang, "title")
    for n, (heading, lines) in enumerate(data["parts"], start=1):
        paragraph(doc, data["heading"](n, heading), lang, "h1")
        for i, line in enumerate(lines, start=1):
            para = paragraph(doc, sub_numbered(lang, i) + line if len(lines) > 1 else line, lang)
            para.paragraph_format.line_spacing = Pt(layout.brief_line)
            for run in para.runs:
                run.font.size = Pt(layout.brief_size)
    paragraph(doc, data["footer"], lang, "table")
    return saved(doc)
