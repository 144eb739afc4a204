"""The output formats of reports and plans, named once: the media type a client asks for, the
suffix of the file a command writes, and the function that renders it. The report route, the
plan route and the command line all choose from here, so a new format (a PDF, say) is one
renderer and one entry.

Renderers are imported on first use: the command line lists these formats in its help, and
importing the templates and python-docx would slow every command down.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.snapshot import Snapshot
    from app.services.report import Report

Render = Callable[["Report", "Snapshot"], str | bytes]


def _lazy(module: str, name: str) -> Render:
    """``module.name``, imported when a document is first rendered with it."""

    def render(report: Report, snap: Snapshot) -> str | bytes:
        found: Render = getattr(importlib.import_module(module), name)
        return found(report, snap)

    return render


def _plan_json(report: Report, snap: Snapshot) -> str:
    """The plan as a JSON file (indented for reading; the API answers it as its other JSON)."""
    import orjson

    return orjson.dumps(report.plan, option=orjson.OPT_INDENT_2).decode()


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One format: its name on the command line, its media type, its file suffix, whether it
    is binary, and how it renders a whole report, a plan alone and the one-page brief (None
    where it does not)."""

    name: str
    media_type: str
    suffix: str
    binary: bool = False
    report: Render | None = None
    plan: Render | None = None
    brief: Render | None = None

    def file_name(self, report: Report) -> str:
        """``countypath-330521.docx``: what a download of this report is called."""
        code = report.result.county.code or "county"
        return f"countypath-{code}{self.suffix}"


_REPORT = "app.services.report"
_BRIEF = "app.services.report_brief"
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_html = _lazy(_REPORT, "render_html")
_markdown = _lazy(_REPORT, "render_markdown")
_plan_markdown = _lazy(_REPORT, "render_plan_markdown")
_docx = _lazy("app.services.report_docx", "render_docx")
_brief_html = _lazy(_BRIEF, "render_brief_html")
_brief_docx = _lazy(_BRIEF, "render_brief_docx")

# Name, media type, file suffix, whether binary; then what renders a report, a plan and a brief.
JSON = OutputFormat("json", "application/json", ".json", plan=_plan_json)
HTML = OutputFormat("html", "text/html", ".html", report=_html, brief=_brief_html)
MARKDOWN = OutputFormat("md", "text/markdown", ".md", report=_markdown, plan=_plan_markdown)
DOCX = OutputFormat("docx", _WORD, ".docx", True, report=_docx, plan=_docx, brief=_brief_docx)

# The first of each is the default.
REPORT_FORMATS: tuple[OutputFormat, ...] = (HTML, MARKDOWN, DOCX)
PLAN_FORMATS: tuple[OutputFormat, ...] = (JSON, MARKDOWN, DOCX)
BRIEF_FORMATS: tuple[OutputFormat, ...] = (HTML, DOCX)


def by_media_type(formats: tuple[OutputFormat, ...], media_type: str) -> OutputFormat:
    return next(f for f in formats if f.media_type == media_type)


def by_suffix(formats: tuple[OutputFormat, ...], suffix: str) -> OutputFormat | None:
    return next((f for f in formats if f.suffix == suffix.lower()), None)


def by_name(formats: tuple[OutputFormat, ...], name: str) -> OutputFormat | None:
    return next((f for f in formats if f.name == name), None)


def render_report(fmt: OutputFormat, report: Report, snap: Snapshot) -> str | bytes:
    """The whole report (diagnosis, plan and trend) in ``fmt``, one of REPORT_FORMATS."""
    if fmt.report is None:
        raise ValueError(f"{fmt.name} renders no report")
    return fmt.report(report, snap)


def render_plan(fmt: OutputFormat, report: Report, snap: Snapshot) -> str | bytes:
    """The plan of ``report`` in ``fmt``, one of PLAN_FORMATS."""
    if fmt.plan is None:
        raise ValueError(f"{fmt.name} renders no plan")
    return fmt.plan(report, snap)


def render_brief(fmt: OutputFormat, report: Report, snap: Snapshot) -> str | bytes:
    """The one-page brief of ``report`` in ``fmt``, one of BRIEF_FORMATS."""
    if fmt.brief is None:
        raise ValueError(f"{fmt.name} renders no brief")
    return fmt.brief(report, snap)
