"""The parts of the Word report that both of its layouts print: the diagnosis table, the plan
table and its timeline (shaded cells show when each action runs: no image renderer needed, and it
stays editable), the trend, the recommended paths and the sources. Each part writes its body; the
layout (app.services.report_docx) chooses its heading and its place."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.table import Table

from app.domain.messages import say
from app.domain.plan_types import Plan
from app.domain.result_types import EvidenceOut, RecommendationOut, RecommendationResult
from app.domain.trend import KpiProgress
from app.services.docx_kit import paragraph, shade, table
from app.services.report import PLAN_COLUMNS, ReportContext
from app.services.report_words import sub_numbered

STAGE_FILLS = ("1D3557", "457B9D", "8FB8D0")


def meta_line(ctx: ReportContext, *, version: bool = False) -> str:
    """The year of the figures and the benchmark the document rests on; with ``version``, also
    the data version (an annex prints it, the body does not)."""
    words, labels = ctx["words"], ctx["labels"]
    result: RecommendationResult = ctx["result"]
    colon = ctx["punct"]["colon"]
    parts = [
        f"{words['year']}{colon}{result.county.year or '—'}",
        f"{words['benchmark']}{colon}{labels.benchmark(result.benchmark)}",
    ]
    if version:
        parts.append(version_line(ctx))
    return str(ctx["punct"]["semi"]).join(parts)


def version_line(ctx: ReportContext) -> str:
    """The data version the document was made from, for the record at its end."""
    result: RecommendationResult = ctx["result"]
    return f"{ctx['words']['kb']}{ctx['punct']['colon']}{result.kb_version}"


def _evidence_text(e: EvidenceOut, ctx: ReportContext) -> str:
    labels, words = ctx["labels"], ctx["words"]
    text = f"{labels.indicator(e.indicator)} {labels.value(e.indicator, e.value)}"
    if e.band == "ok" or e.target is None:
        return text
    target = labels.value(e.indicator, e.target)
    return text + say(
        "report_line", "evidence_target", ctx["lang"], target=words["target"], value=target
    )


def diagnosis_table(doc: DocxDocument, ctx: ReportContext) -> None:
    """Each challenge with its status and the figures that show it (no severity index: a
    document reads the status word and the figures)."""
    words, labels, lang = ctx["words"], ctx["labels"], ctx["lang"]
    result: RecommendationResult = ctx["result"]
    rows = [
        [
            c.title,
            labels.status(c.status),
            "\n".join(
                [_evidence_text(e, ctx) for e in c.evidence] + [labels.signal(s) for s in c.signals]
            ),
        ]
        for c in result.challenges
    ]
    header = [words["challenge"], words["status"], words["evidence"]]
    table(doc, header, rows, lang)


def planned(ctx: ReportContext) -> Plan:
    """The report's plan: the parts that print it are written only for a report with one."""
    plan = ctx["plan"]
    assert plan is not None
    return plan


def plan_rows(ctx: ReportContext) -> list[list[str]]:
    """The plan table's rows (PLAN_COLUMNS): who leads each action, with whom, paid how, when,
    and what it is assessed on."""
    sep = ctx["punct"]["list"]
    rows = []
    plan = planned(ctx)
    for i, a in enumerate(plan.actions, start=1):
        title = a.title
        if a.depends_on:
            title += f"\n{ctx['words']['after']}: " + sep.join(
                ctx["labels"].path(d) for d in a.depends_on
            )
        rows.append(
            [
                str(i),
                title,
                a.lead_name,
                sep.join(p.name for p in a.partners),
                sep.join(f.name for f in a.funding),
                f"{a.phase.start}—{a.phase.end}",
                "\n".join(ctx["measures"](a)),
            ]
        )
    return rows


def plan_table(doc: DocxDocument, ctx: ReportContext) -> Table:
    words = ctx["words"]
    return table(doc, [words[column] for column in PLAN_COLUMNS], plan_rows(ctx), ctx["lang"])


def timeline(doc: DocxDocument, ctx: ReportContext) -> None:
    """One row per action, one column per year, shaded from the action's start by its stage."""
    plan = planned(ctx)
    words, lang = ctx["words"], ctx["lang"]
    years = list(range(plan.start, plan.horizon + 1))
    rows = [
        [f"{i}. {a.title}"]
        + ["◆" if any(k.target is not None and k.year == y for k in a.kpis) else "" for y in years]
        for i, a in enumerate(plan.actions, start=1)
    ]
    found = table(doc, [words["action"], *[str(y) for y in years]], rows, lang)
    for r, action in enumerate(plan.actions, start=1):
        for c, year in enumerate(years, start=1):
            if year >= action.phase.start:
                shade(found.rows[r].cells[c], STAGE_FILLS[action.stage - 1])
    paragraph(doc, words["timeline_note"], lang)


def trend(doc: DocxDocument, ctx: ReportContext) -> None:
    """What improved and worsened between the years, then each stored plan's KPIs."""
    trend_data = ctx["trend"]
    assert trend_data is not None  # written only for a stored assessment's report
    words, labels, lang = ctx["words"], ctx["labels"], ctx["lang"]
    sep = ctx["punct"]["list"]
    rows = []
    for period in trend_data.changes:
        items = [(labels.challenge(c.challenge), c.change) for c in period.challenges]
        items += [(labels.indicator(i.indicator), i.change) for i in period.indicators]
        rows.append(
            [
                f"{period.from_year}—{period.to_year}",
                sep.join(name for name, change in items if change == "improved"),
                sep.join(name for name, change in items if change == "worsened"),
            ]
        )
    table(doc, [words["year"], words["improved"], words["worsened"]], rows, lang)
    for i, progress in enumerate(trend_data.progress, start=1):
        heading = sub_numbered(lang, i) + words["progress"].format(year=progress.year)
        paragraph(doc, heading, lang, "h2")
        header = [words["kpis"], words["baseline"], words["due"], words["latest"], words["status"]]
        table(doc, header, [_progress_row(k, ctx) for k in progress.kpis], lang)


def _progress_row(k: KpiProgress, ctx: ReportContext) -> list[str]:
    labels, key = ctx["labels"], k.indicator
    due = f" ({ctx['year_text'](k.due)})" if k.target is not None else ""
    latest = f" ({ctx['year_text'](k.latest_year)})" if k.latest_year else ""
    return [
        k.label,
        labels.value(key, k.baseline),
        labels.value(key, k.target) + due,
        labels.value(key, k.latest_value) + latest,
        ctx["progress_word"][k.status],
    ]


def paths(doc: DocxDocument, ctx: ReportContext) -> None:
    """The recommended paths in rank order, each with why it is recommended."""
    words, labels, lang, punctuation = ctx["words"], ctx["labels"], ctx["lang"], ctx["punct"]
    if not ctx["paths"]:
        paragraph(doc, words["no_paths"], lang)
    shown: list[RecommendationOut] = ctx["paths"]
    for p in shown:
        family = labels.family(p.family)
        head = f"{p.rank}. {p.title}{punctuation['lp']}{family}{punctuation['rp']}"
        paragraph(doc, head, lang, bold=True)
        paragraph(doc, p.rationale, lang)


def sources(doc: DocxDocument, ctx: ReportContext) -> None:
    """The sources as printed (app.services.report's list): the paper with its sections, or the
    publisher and document, its year and its standing in a reader's words."""
    for s in ctx["sources"]:
        paragraph(doc, s["text"], ctx["lang"], "table")
