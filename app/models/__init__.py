"""SQLModel tables. The constraint naming convention is set here, before any table is declared,
so constraint names are deterministic across SQLite and PostgreSQL and migrations can name them.
"""

from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from app.models.access import ApiKey, AppSecret, AuditEvent  # noqa: E402
from app.models.assessment import Assessment, DuplicateKey  # noqa: E402
from app.models.batch_job import BatchJob, BatchJobChunk, JobEnd  # noqa: E402
from app.models.kb import KbDocument, KbVersion  # noqa: E402

metadata = SQLModel.metadata

__all__ = [
    "ApiKey",
    "AppSecret",
    "Assessment",
    "AuditEvent",
    "BatchJob",
    "BatchJobChunk",
    "DuplicateKey",
    "JobEnd",
    "KbDocument",
    "KbVersion",
    "metadata",
]
