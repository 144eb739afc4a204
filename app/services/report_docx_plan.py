"""The Word report of a plan as a 行动方案 a county can adopt: 一、指导思想, 二、主要目标,
三、重点任务, 四、保障措施, then 附件1 (the table of duties on a landscape page, with the timeline)
and 附件2 (the diagnosis the plan rests on and its sources); a stored assessment's trend is 附件3.

Every sentence comes from the catalogue (plan_doc) and says only what the plan's own data holds:
the challenges the diagnosis ranks first, the units that lead, the funding channels the actions
list, the constraints whose state is known.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from app.domain.knowledge import Lang
from app.domain.messages import say
from app.domain.plan_types import ActionOut, Plan
from app.domain.result_types import ChallengeOut, RecommendationResult
from app.services import report_docx_parts as parts
from app.services.docx_kit import column_widths, new_section, paragraph, table, text_width
from app.services.report import ReportContext
from app.services.report_words import county_name, sparse, sub_numbered
from app.services.wording import words

# The table of duties' columns by their share of the landscape page: narrow 序号 and 实施期限,
# wide 重点任务 and 考核指标 (PLAN_COLUMNS order).
DUTY_SHARES = (5, 22, 12, 15, 14, 9, 23)
PRESSING = ("flag", "watch")


def _plan(ctx: ReportContext) -> Plan:
    return parts.planned(ctx)


def _result(ctx: ReportContext) -> RecommendationResult:
    return ctx["result"]


def pressing(ctx: ReportContext) -> list[ChallengeOut]:
    """The challenges at flag or watch, in the diagnosis's order (most severe first)."""
    return [c for c in _result(ctx).challenges if c.status in PRESSING]


def _guiding(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    lang, plan = ctx["lang"], _plan(ctx)
    county = county_name(_result(ctx).county, lang)
    titles = [c.title for c in pressing(ctx)[:2]]
    years = {"start": plan.start, "horizon": plan.horizon}
    if not titles:
        none = "guiding_sparse" if sparse(_result(ctx)) else "guiding_none"
        text = say("plan_doc", none, lang, county=county, **years)
    else:
        named = say("plan_doc", "titles_two" if len(titles) == 2 else "titles_one", lang,
                    a=titles[0], b=titles[-1])  # fmt: skip
        text = say("plan_doc", "guiding_text", lang, county=county, titles=named, **years)
    paragraph(doc, text, lang)


def _target_rows(ctx: ReportContext) -> list[list[str]]:
    """The plan's targets, each with its figures: the rows a county signs."""
    labels, lang = ctx["labels"], ctx["lang"]
    return [
        [
            t.label,
            _base(labels.value(t.indicator, t.baseline), t.base_year, lang),
            labels.value(t.indicator, t.target),
            ctx["year_text"](t.year) if t.target is not None else "—",
            t.kind_label,
            t.basis_text,
        ]
        for t in _plan(ctx).targets
    ]


def _base(value: str, year: int | None, lang: Lang) -> str:
    """A baseline with the year it is of (2023年0.20)."""
    return (
        value if year is None else say("report_line", "value_in_year", lang, value=value, year=year)
    )


def _unset_basis(kind: str, lang: Lang) -> str:
    name = "assigned_task" if kind == "binding" else "measure_baseline"
    return say("target_basis", name, lang)


def _targets(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    """The targets with figures, then, in a table of their own, the outputs whose baselines the
    statistics office sets first: a row without a number is not a target anyone can sign."""
    lang, outputs = ctx["lang"], _plan(ctx).outputs
    paragraph(doc, say("plan_doc", "targets_intro", lang, horizon=_plan(ctx).horizon), lang)
    header = [pw[k] for k in ("indicator", "baseline", "target", "target_year", "kind", "basis")]
    table(doc, header, _target_rows(ctx), lang)
    wide = _plan(ctx).to_measure
    if outputs or wide:
        paragraph(doc, say("plan_doc", "monitored_intro", lang), lang)
        rows = [
            [
                m.label,
                pw["to_measure"],
                say("target_kind", m.kind, lang),
                _unset_basis(m.kind, lang),
            ]
            for m in wide
        ]
        rows += [[o.label, pw["to_measure"], o.kind_label, o.basis_text] for o in outputs]
        table(doc, [pw["indicator"], pw["baseline"], pw["kind"], pw["basis"]], rows, lang)


def _duty(action: ActionOut, ctx: ReportContext) -> str:
    """Who leads an action, who works with it, and when it runs."""
    partners = ctx["punct"]["list"].join(p.name for p in action.partners)
    values = {"lead": action.lead_name, "start": action.phase.start, "end": action.phase.end}
    if not partners:
        return say("plan_doc", "duty_alone", ctx["lang"], **values)
    return say("plan_doc", "duty", ctx["lang"], partners=partners, **values)


def _tasks(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    lang = ctx["lang"]
    for i, action in enumerate(_plan(ctx).actions, start=1):
        paragraph(doc, sub_numbered(lang, i) + action.title, lang, "h2")
        for task in action.tasks:
            paragraph(doc, task, lang)
        paragraph(doc, _duty(action, ctx), lang)


def _unique(items: list[str]) -> list[str]:
    return [i for i in dict.fromkeys(items) if i]


def _leadership(doc: DocxDocument, ctx: ReportContext) -> None:
    """A working group under the county government; the lead units as the plan assigns them."""
    lang, sep = ctx["lang"], ctx["punct"]["list"]
    leads = sep.join(_unique([a.lead_name for a in _plan(ctx).actions]))
    county = county_name(_result(ctx).county, lang)
    paragraph(doc, say("plan_doc", "leadership_text", lang, county=county, leads=leads), lang)


def _resources(doc: DocxDocument, ctx: ReportContext) -> None:
    """The funding channels the actions list, what the plan says of funding the county cannot
    use, the pairing programmes, and the constraints whose state is known."""
    lang, sep, plan = ctx["lang"], ctx["punct"]["list"], _plan(ctx)
    channels = _unique([f.name for a in plan.actions for f in a.funding])
    if channels:
        paragraph(doc, say("plan_doc", "funding_text", lang, channels=sep.join(channels)), lang)
    for note in _unique([a.funding_note.text if a.funding_note else "" for a in plan.actions]):
        paragraph(doc, note, lang)
    names = _unique([p.name or "" for p in plan.programmes])
    if names:
        paragraph(doc, say("plan_doc", "programmes_text", lang, programmes=sep.join(names)), lang)
    states = words("constraint_state", lang)
    constraints = plan.constraints
    for c in constraints:
        if c.status in ("binding", "tight") and c.effect:
            line = say("plan_doc", "constraint_line", lang, label=c.label,
                       status=states[c.status], effect=c.effect)  # fmt: skip
            paragraph(doc, line, lang)
    for status in ("ok", "unknown"):
        labels = sep.join(c.label for c in constraints if c.status == status)
        if labels:
            paragraph(doc, say("plan_doc", f"constraints_{status}", lang, labels=labels), lang)


def _oversight(doc: DocxDocument, ctx: ReportContext) -> None:
    lang = ctx["lang"]
    paragraph(doc, say("plan_doc", "oversight_text", lang), lang)
    paragraph(doc, say("plan_doc", "monitoring_text", lang), lang)


def _safeguards(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    lang = ctx["lang"]
    subsections = (
        (pw["leadership"], _leadership),
        (pw["resources"], _resources),
        (pw["oversight"], _oversight),
    )
    for i, (heading, write) in enumerate(subsections, start=1):
        paragraph(doc, sub_numbered(lang, i) + heading, lang, "h2")
        write(doc, ctx)


def _annex_head(doc: DocxDocument, ctx: ReportContext, n: int, title: str) -> None:
    """附件n at the top left in 黑体, then the annex's title centred, as an annex is headed."""
    lang = ctx["lang"]
    paragraph(doc, say("plan_doc", "annex", lang, n=n), lang, "h1")
    paragraph(doc, title, lang, "title")


def _duties_annex(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    """The table of duties on a landscape page, columns sized to what they hold, then the
    timeline."""
    lang, words_ = ctx["lang"], ctx["words"]
    section = new_section(doc, landscape=True)
    _annex_head(doc, ctx, 1, pw["duties"])
    paragraph(doc, sub_numbered(lang, 1) + pw["duties_short"], lang, "h2")
    column_widths(parts.plan_table(doc, ctx), DUTY_SHARES, text_width(section))
    paragraph(doc, words_["plan_note"], lang)
    paragraph(doc, sub_numbered(lang, 2) + words_["timeline"], lang, "h2")
    parts.timeline(doc, ctx)


def _evidence_annex(doc: DocxDocument, ctx: ReportContext, pw: Mapping[str, str]) -> None:
    """The diagnosis the plan rests on, the figures' year and benchmark, and the sources."""
    lang, words_ = ctx["lang"], ctx["words"]
    new_section(doc, landscape=False)
    _annex_head(doc, ctx, 2, pw["evidence"])
    meta = say("plan_doc", "basis_line", lang, meta=parts.meta_line(ctx, version=True))
    paragraph(doc, meta, lang, "table").alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, sub_numbered(lang, 1) + words_["challenges"], lang, "h2")
    parts.diagnosis_table(doc, ctx)
    paragraph(doc, sub_numbered(lang, 2) + words_["sources"], lang, "h2")
    parts.sources(doc, ctx)
    if ctx["trend"]:
        new_section(doc, landscape=False)
        _annex_head(doc, ctx, 3, words_["trend"])
        parts.trend(doc, ctx)


def action_plan(doc: DocxDocument, ctx: ReportContext) -> None:
    """The body under the title: four numbered sections, then the annexes."""
    lang = ctx["lang"]
    pw = words("plan_doc", lang)
    body = (
        (pw["guiding"], _guiding),
        (pw["targets"], _targets),
        (pw["tasks"], _tasks),
        (pw["safeguards"], _safeguards),
    )
    for n, (heading, write) in enumerate(body, start=1):
        paragraph(doc, ctx["heading"](n, heading), lang, "h1")
        write(doc, ctx, pw)
    _duties_annex(doc, ctx, pw)
    _evidence_annex(doc, ctx, pw)
