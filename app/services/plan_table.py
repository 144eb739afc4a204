"""The plan as terminal tables for `countypath plan`: the actions with their owners and money,
then every KPI with its baseline, target and due year, in the plan's language."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from app.domain.snapshot import Snapshot
from app.services.report import Report, context


def plan_tables(report: Report, snap: Snapshot) -> list[Table]:
    ctx = context(report, snap)
    w, p, plan = ctx["w"], ctx["P"], report.plan
    if plan is None:
        return []
    actions = Table(title=escape(ctx["doc_title"]), show_lines=True)
    for col in (w["no"], w["action"], w["lead"], w["partners"], w["funding"], w["period"]):
        actions.add_column(col, overflow="fold")
    kpis = Table(title=w["kpis"], show_lines=True)
    for col in (w["no"], w["kpis"]):
        kpis.add_column(col, overflow="fold")
    for n, a in enumerate(plan["actions"], start=1):
        after = ""
        if a["depends_on"]:
            after = (
                "\n" + w["after"] + p["colon"] + p["list"].join(map(ctx["L"].path, a["depends_on"]))
            )
        cells = (
            str(n),
            a["title"] + after,
            a["lead"]["name"],
            p["list"].join(x["name"] for x in a["partners"]),
            p["list"].join(x["name"] for x in a["funding"]),
            f"{a['phase']['start']}–{a['phase']['end']}",
        )
        actions.add_row(*map(escape, cells))
        kpis.add_row(str(n), escape("\n".join(ctx["kpi_text"](k) for k in a["kpis"])))
    return [actions, kpis]
