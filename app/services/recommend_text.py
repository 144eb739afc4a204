"""`countypath recommend` as a person reads it, in English or Chinese: labels instead of codes,
status words and family names in the chosen language, numbers at a sensible precision."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from app.domain.knowledge import Lang
from app.domain.result_types import BatchEntry, RecommendationOut, Result, entry_result
from app.domain.snapshot import Snapshot
from app.services.wording import Labels, md, number, words

COLOUR = {"flag": "red", "watch": "yellow", "ok": "green", "insufficient_data": "dim"}


def recommendation_tables(result: Result, snap: Snapshot, lang: Lang) -> list[Table]:
    labels, heads = Labels(snap, lang), words("cli_table", lang)
    title = f"{result.county.name} - {labels.benchmark(result.benchmark)} - {result.kb_version}"
    challenges = Table(title=escape(title))
    for col in ("challenge", "status", "severity"):
        challenges.add_column(heads[col], overflow="fold")
    for c in result.challenges:
        status = escape(labels.status(c.status))
        challenges.add_row(
            escape(c.title),
            f"[{COLOUR.get(c.status, 'dim')}]{status}[/]",
            number(c.severity, "ratio"),
        )
    paths = Table(title=heads["paths"])
    for col in ("rank", "path", "family", "score", "example"):
        paths.add_column(heads[col], overflow="fold")
    for p in result.recommendations[:9]:
        examples = p.examples if isinstance(p, RecommendationOut) else []
        example = examples[0].title if examples else ""
        paths.add_row(
            str(p.rank),
            escape(p.title),
            labels.family(p.family),
            str(p.score),
            escape(example),
        )
    return [challenges, paths]


def cell(text: Any) -> str:
    """A Markdown table cell: escaped so text can neither end the cell nor become a link."""
    return md(str(text).replace("\n", " "))


def markdown(entries: list[BatchEntry], labels: Labels) -> str:
    heads, out = words("cli_table", labels.lang), []
    for entry in entries:
        if "error" in entry:
            out.append(f"## {entry['index']}: {heads['invalid']}\n")
            out += [f"- `{e['pointer']}`: {e['message']}" for e in entry["error"]["errors"]]
            out.append("")
            continue
        result = entry_result(entry)
        out.append(
            f"## {cell(result.county.name)} ({cell(labels.benchmark(result.benchmark))}, "
            f"{heads['knowledge']} {result.kb_version})\n"
        )
        out.append(
            f"| {heads['challenge']} | {heads['status']} | {heads['severity']} |\n| --- | --- | --- |"
        )
        out += [
            f"| {cell(c.title)} | {labels.status(c.status)} | {number(c.severity, 'ratio')} |"
            for c in result.challenges
        ]
        out.append(
            f"\n| {heads['rank']} | {heads['path']} | {heads['family']} | {heads['score']} |\n| --- | --- | --- | --- |"
        )
        out += [
            f"| {p.rank} | {cell(p.title)} | {labels.family(p.family)} | {p.score} |"
            for p in result.recommendations[:9]
        ]
        out.append("")
    return "\n".join(out)
