"""The knowledge base as it is stored: whole documents by checksum, and the version history that
names which document was served when. Nothing reads the knowledge base in parts (the engine
compiles it whole), so it is kept whole; docs/architecture.md says why.
"""

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary
from sqlmodel import Field, SQLModel

# Who made a version: "seed", "import:<key name>", "api:<key name>", "rollback:<key name>"...
ORIGIN_MAX = 120


class KbVersion(SQLModel, table=True):
    __tablename__ = "kb_version"

    number: int = Field(primary_key=True)
    checksum: str = Field(max_length=64, index=True)
    origin: str = Field(max_length=ORIGIN_MAX)
    note: str = Field(default="", max_length=400)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class KbDocument(SQLModel, table=True):
    """The whole knowledge base of a version (its canonical JSON, zlib-compressed), keyed by
    checksum: versions with the same content share one document, and any version can be
    restored."""

    __tablename__ = "kb_document"

    checksum: str = Field(primary_key=True, max_length=64)
    body: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
