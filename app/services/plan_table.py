"""The plan as terminal tables for `countypath plan`: the actions with their owners and money,
then every KPI with its baseline, target and due year, in the plan's language."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from app.domain.snapshot import Snapshot
from app.services.report import PLAN_COLUMNS, Report, context


def plan_tables(report: Report, snap: Snapshot) -> list[Table]:
    ctx = context(report, snap)
    words, punct, plan = ctx["words"], ctx["punct"], report.plan
    if plan is None:
        return []
    actions = Table(title=escape(ctx["doc_title"]), show_lines=True)
    for column in PLAN_COLUMNS[:-1]:  # the KPIs get a table of their own
        actions.add_column(words[column], overflow="fold")
    kpis = Table(title=words["kpis"], show_lines=True)
    for col in (words["no"], words["kpis"]):
        kpis.add_column(col, overflow="fold")
    for n, a in enumerate(plan.actions, start=1):
        after = ""
        if a.depends_on:
            after = (
                "\n"
                + words["after"]
                + punct["colon"]
                + punct["list"].join(map(ctx["labels"].path, a.depends_on))
            )
        cells = (
            str(n),
            a.title + after,
            a.lead_name,
            punct["list"].join(x.name for x in a.partners),
            punct["list"].join(x.name for x in a.funding),
            f"{a.phase.start}–{a.phase.end}",
        )
        actions.add_row(*map(escape, cells))
        kpis.add_row(str(n), escape("\n".join(ctx["measures"](a))))
    return [actions, kpis]
