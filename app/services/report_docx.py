"""The report as a Word document (DOCX), the format county offices edit and file, in the layout
of a Chinese government document (app.services.docx_kit).

With a plan, the document is the plan itself, a 行动方案 a county can adopt: its guiding approach,
main targets, main tasks and safeguards, the table of duties and the diagnosis as annexes
(app.services.report_docx_plan). Without one, it is the diagnosis: challenges, the trend of a
stored assessment, the recommended paths and the sources.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from app.domain.snapshot import Snapshot
from app.services import report_docx_parts as parts
from app.services.docx_kit import new_document, paragraph, saved
from app.services.report import Report, ReportContext, context
from app.services.report_docx_plan import action_plan

Part = Callable[[DocxDocument, ReportContext], None]


def _diagnosis_layout(doc: DocxDocument, ctx: ReportContext) -> None:
    """The meta line under the title, then each part under a numbered heading, and the data
    version at the end."""
    words, lang = ctx["words"], ctx["lang"]
    paragraph(doc, parts.meta_line(ctx), lang, "table").alignment = WD_ALIGN_PARAGRAPH.CENTER
    sections: list[tuple[str, Part]] = [(words["challenges"], parts.diagnosis_table)]
    sections += [(words["trend"], parts.trend)] if ctx["trend"] else []
    sections += [(words["paths"], parts.paths), (words["sources"], parts.sources)]
    for n, (heading, part) in enumerate(sections, start=1):
        paragraph(doc, ctx["heading"](n, heading), lang, "h1")
        part(doc, ctx)
    paragraph(doc, parts.version_line(ctx), lang, "table")


def render_docx(report: Report, snap: Snapshot) -> bytes:
    ctx = context(report, snap)
    doc = new_document(ctx["lang"], ctx["doc_title"], ctx["tag"])
    paragraph(doc, ctx["doc_title"], ctx["lang"], "title")
    if ctx["plan"]:
        action_plan(doc, ctx)
    else:
        _diagnosis_layout(doc, ctx)
    return saved(doc)
