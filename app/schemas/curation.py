"""Response shapes of the curation side: the audit trail, an import's outcome, the export."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.domain.cases import CaseSet
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    KnowledgeBase,
    Path,
    ReferenceCounty,
    Signal,
)


class ImportedKb(BaseModel):
    """What an import event records: the checksum of the knowledge base it installed."""

    checksum: str


class KbVersionRef(BaseModel):
    """What a whole-knowledge-base change records (import, rollback): the versions before and
    after it, whose documents the version history keeps."""

    version: int
    checksum: str | None = None


KbItem = Challenge | Path | Example | Signal | ReferenceCounty | Benchmark | CaseSet


class AuditEvent(BaseModel):
    id: int
    at: datetime = Field(description="ISO 8601 UTC.")
    actor: str = Field(description="The name of the key that made the change.")
    action: str = Field(
        description="`create`, `replace`, `update`, `delete`, `import` or `rollback`."
    )
    entity: str = Field(description="The kind changed, e.g. `challenges`, or `kb` for imports.")
    slug: str | None
    kb_version: int = Field(description="The knowledge-base version number the change produced.")
    before: KbItem | KbVersionRef | None = Field(
        description="The item before the change (none on create); for a whole-knowledge-base "
        "change, the version it replaced."
    )
    after: KbItem | KbVersionRef | ImportedKb | None = Field(
        description="The item after the change (none on delete); for a whole-knowledge-base "
        "change, the version it produced."
    )


class AuditPage(BaseModel):
    items: list[AuditEvent]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class KbImportResult(BaseModel):
    version: int
    kb_version: str
    checksum: str
    changed: bool = Field(description="False when the document equals the knowledge base served.")


KbExport = KnowledgeBase
