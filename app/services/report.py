"""The report use case: a diagnosis, its action plan and, for a stored assessment, the county's
trend, rendered as one self-contained page (inline CSS and SVG, no external host), Markdown or
DOCX, in the result's own language.

Every code becomes a label (challenge titles, indicator labels, benchmark titles, status words,
family names) and every number carries its unit at a sensible precision. Markdown is escaped for
Markdown, so a county name cannot become a link or an image.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict

from app.domain.knowledge import Lang
from app.domain.language import as_lang
from app.domain.messages import say
from app.domain.naming import unit_noun
from app.domain.plan_types import ActionOut, Plan
from app.domain.result_types import ExampleRef, RecommendationOut, RecommendationResult, Result
from app.domain.snapshot import Snapshot
from app.domain.sources import PrintedSource, printed_source
from app.domain.trend import Trend
from app.errors import InvalidInput
from app.schemas.plans import PlanRequest
from app.services import assessments, plans
from app.services.keys import Principal
from app.services.ports import UnitOfWork
from app.services.report_charts import diagnosis_svg, timeline_svg, trend_svg
from app.services.report_words import (
    county_name,
    examples_label,
    measures,
    numbered,
    plain,
    sub_numbered,
    year_text,
)
from app.services.wording import Labels, md, words

if TYPE_CHECKING:
    from jinja2 import Environment

# The plan table's columns (report words), as the report, the DOCX and the terminal show them.
PLAN_COLUMNS = ("no", "action", "lead", "partners", "funding", "period", "kpis")
PATHS_SHOWN = 12
TREND_CHARTS = 6


@dataclass(frozen=True, slots=True)
class Report:
    result: RecommendationResult
    plan: Plan | None
    trend: Trend | None
    lang: Lang


class ReportContext(TypedDict):
    """Everything a report's template or its Word writer prints (``context``): the typed
    answer, and labels, words, formatted numbers and charts in the report's language."""

    result: RecommendationResult
    plan: Plan | None
    trend: Trend | None
    words: dict[str, str]
    lang: Lang
    tag: str
    doc_title: str
    county_label: str
    report_title: str
    examples_label: Callable[[list[ExampleRef]], str]
    example_note: Callable[[ExampleRef, list[ExampleRef]], str]
    peers_order: str
    labels: Labels
    heading: Callable[[int, str], str]
    sub_heading: Callable[[int, str], str]
    as_index: Callable[[float], str]
    year_text: Callable[[int], str]
    punct: Mapping[str, str]
    measures: Callable[[ActionOut], list[str]]
    progress_word: Mapping[str, str]
    chart: str | None
    timeline: str | None
    trend_charts: list[str]
    paths: list[RecommendationOut]
    sources: list[PrintedSource]
    standing: Mapping[str, str]


def full_view(result: Result) -> RecommendationResult:
    """A report is made of the full view (the door a report comes through asks for it)."""
    assert isinstance(result, RecommendationResult)
    return result


def for_profile(snap: Snapshot, body: PlanRequest, lang: Lang) -> Report:
    """The report of a profile: its diagnosis and plan. A plan the default horizon cannot hold
    (a profile of 2028 or later) is left out; a horizon the caller chose is checked."""
    try:
        result, plan = plans.recommend_and_plan(snap, body.profile(), body, lang, PATHS_SHOWN)
    except InvalidInput as exc:
        if "horizon" in body.model_fields_set or any(e.pointer != "/horizon" for e in exc.errors):
            raise
        result, plan = plans.recommend_and_plan(snap, body.profile(), None, lang, PATHS_SHOWN)
    return Report(full_view(result), plan, None, as_lang(result.language))


def for_plan(snap: Snapshot, body: PlanRequest, lang: Lang) -> Report:
    """The plan of a profile with the diagnosis it comes from (a horizon the plan cannot hold is
    refused, as ``POST /v1/plans`` refuses it)."""
    result, plan = plans.recommend_and_plan(snap, body.profile(), body, lang, PATHS_SHOWN)
    return Report(full_view(result), plan, None, lang)


def for_assessment(uow: UnitOfWork, snap: Snapshot, who: Principal, assessment_id: str) -> Report:
    """A stored assessment as it was made (its result, language and plan) with the county's
    trend from the caller's own assessments, when there are two years or more."""
    found = assessments.get(uow, who, assessment_id)
    result = assessments.readable_result(assessment_id, found["result"])
    code = result.county.code
    lang = as_lang(result.language)
    trend = assessments.trend(uow, snap, who, code, lang) if code else None
    if trend is not None and len(trend.points) < 2:
        trend = None
    plan = assessments.readable_plan(assessment_id, found.get("plan"))
    return Report(result, plan, trend, lang)


@lru_cache(maxsize=2)
def _env(markdown: bool) -> Environment:
    # Imported on the first report, not with this module: the API imports it for its routes,
    # and a worker that renders no report need not hold the template engine.
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("app", "templates"),
        autoescape=False if markdown else select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md
    return env


STANDING_ORDER = (None, "secondary", "recalled")  # the better-read copy of a source first


def _section_key(section: str) -> tuple[int, ...]:
    return tuple(int(n) if n.isdigit() else 0 for n in section.split("."))


def _sources(result: RecommendationResult, labels: Labels, lang: Lang) -> list[PrintedSource]:
    """The sources the document cites, as printed: the publisher and document in the result's
    language, never a mirror (app.domain.sources.printed_source), each once. The paper is one
    line with every section cited; a document cited both as read and as recalled or quoted is
    listed once, as it was best read. Each carries its printed ``text``."""
    items = [c.source for c in result.challenges]
    for r in result.recommendations[:PATHS_SHOWN]:
        items += [r.source, *[e.source for e in r.examples]]
    papers: dict[str, PrintedSource] = {}
    others: dict[tuple[str, int | None], PrintedSource] = {}
    for src in map(printed_source, items):
        if src.get("document"):
            paper = papers.setdefault(src["document"], {**src, "sections": []})
            section = src.get("section")
            if section and section not in paper["sections"]:
                paper["sections"].append(section)
            continue
        key = (src.get("publisher") or "", src.get("year"))
        held = others.get(key)
        rank = STANDING_ORDER.index(src.get("standing"))
        if held is None or rank < STANDING_ORDER.index(held.get("standing")):
            others[key] = src
    punct = words("punctuation", lang)
    standing = words("source_standing", lang)
    out: list[PrintedSource] = []
    for slug in sorted(papers):
        paper = papers[slug]
        paper["sections"].sort(key=_section_key)
        out.append({**paper, "text": labels.citation(slug, paper["sections"])})
    for key in sorted(others, key=lambda k: (k[0], str(k[1] or ""))):
        src = others[key]
        year = punct["lp"] + year_text(src["year"], lang) + punct["rp"] if src.get("year") else ""
        text = src["publisher"] + year + (standing[src["standing"]] if src.get("standing") else "")
        out.append({**src, "text": text})
    return out


def _watched(report: Report) -> list[str]:
    """Indicators worth a trend chart: those past a line in the result, then the plan's KPIs,
    each with values in two years or more."""
    assert report.trend is not None
    keys = [e.indicator for c in report.result.challenges for e in c.evidence if e.band != "ok"]
    if report.plan:
        keys += [k.indicator for a in report.plan.actions for k in a.kpis]
    seen: list[str] = []
    for key in keys:
        count = sum(key in p.indicators for p in report.trend.points)
        if key not in seen and count >= 2:
            seen.append(key)
    return seen[:TREND_CHARTS]


def _trend_charts(report: Report, labels: Labels) -> list[str]:
    if report.trend is None:
        return []
    targets: dict[str, tuple[int, float]] = {}
    for a in report.plan.actions if report.plan else []:
        for k in a.kpis:
            if k.target is not None:
                targets.setdefault(k.indicator, (k.year, k.target))
    charts = []
    for key in _watched(report):
        points = [(p.year, p.indicators[key]) for p in report.trend.points if key in p.indicators]
        latest = labels.value(key, points[-1][1])
        charts.append(trend_svg(labels.indicator(key), points, targets.get(key), latest))
    return charts


def example_note(example: ExampleRef, shown: list[ExampleRef], labels: Labels) -> str:
    """What follows an example in brackets: its county, when the examples shown are of several
    counties and its title does not name it, and the paper's section it is cited to."""
    parts = []
    county = example.county_name
    if county and len({ex.county_name for ex in shown}) > 1:
        if not labels.names_county(example.title, county):
            parts.append(labels.county_short(county))
    source = example.source
    section, document = source.get("section"), source.get("document")
    if section and document:
        parts.append(labels.citation(document, [section]))
    return str(say("punctuation", "semi", labels.lang)).join(parts)


def document_title(report: Report) -> str:
    """ "德清县高质量发展行动方案（2026—2030年）", or the diagnosis title without a plan."""
    plan, lang = report.plan, report.lang
    county = county_name(report.result.county, lang)
    if plan is None:
        title = words("report", lang)["title"]
        return say("report_line", "title_diagnosis", lang, county=county, title=title)
    start, horizon = plan.start, plan.horizon
    return say("report_line", "title_plan", lang, county=county, start=start, horizon=horizon)


def plan_words(report_words: Mapping[str, str], plan: Plan | None) -> dict[str, str]:
    """The report's words, with the plan's note saying that an action waits for another only
    when one of its actions does (a plan whose actions all start at once says nothing of it)."""
    out = dict(report_words)
    if plan is not None and not any(a.depends_on for a in plan.actions):
        out["plan_note"] = out["plan_note_flat"]
    return out


def context(report: Report, snap: Snapshot) -> ReportContext:
    """Everything a template or the DOCX writer prints, with labels and formatted numbers."""
    lang = report.lang
    labels = Labels(snap, lang)
    report_words = plan_words(words("report", lang), report.plan)
    county = county_name(report.result.county, lang)
    form = report.result.county.admin_form
    return {
        "result": report.result,
        "plan": report.plan,
        "trend": report.trend,
        "words": report_words,
        "lang": lang,
        "tag": say("language", "tag", lang),
        "doc_title": document_title(report),
        "county_label": county,
        "report_title": say(
            "report_line", "title_diagnosis", lang, county=county, title=report_words["title"]
        ),
        "examples_label": lambda examples: examples_label(examples, lang),
        "example_note": lambda ex, shown: example_note(ex, shown, labels),
        "peers_order": say(
            "report",
            "peers_order",
            lang,
            own=say("unit", "own", lang, unit=unit_noun(snap, form, lang)),
        ),
        "labels": labels,
        "heading": numbered(lang),
        "sub_heading": lambda n, text: sub_numbered(lang, n) + text,
        "as_index": plain,
        "year_text": lambda y: year_text(y, lang),
        "punct": words("punctuation", lang),
        "measures": lambda a: measures(a, report.plan, labels, lang),
        "progress_word": words("progress", lang),
        "chart": diagnosis_svg(report.result, labels, report_words["chart"]),
        "timeline": timeline_svg(report.plan, lang)
        if report.plan and report.plan.actions
        else None,
        "trend_charts": _trend_charts(report, labels),
        "paths": report.result.recommendations[:PATHS_SHOWN],
        "sources": _sources(report.result, labels, lang),
        "standing": words("source_standing", lang),
    }


def render_html(report: Report, snap: Snapshot) -> str:
    return _env(False).get_template("report.html.j2").render(**context(report, snap))


def render_markdown(report: Report, snap: Snapshot) -> str:
    return _env(True).get_template("report.md.j2").render(**context(report, snap))


def render_page(template: str, values: Mapping[str, object]) -> str:
    """Another HTML template of the package (the brief), escaped as the report is."""
    return _env(False).get_template(template).render(**values)


def render_plan_markdown(report: Report, snap: Snapshot) -> str:
    """The plan alone: its table and timeline."""
    return _env(True).get_template("plan.md.j2").render(**context(report, snap))
