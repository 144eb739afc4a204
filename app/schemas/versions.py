"""Knowledge-base version history and rollback (admin)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KbVersionOut(BaseModel):
    version: int
    kb_version: str
    checksum: str
    origin: str = Field(description="Who made it: `seed`, `import:<key>`, `api:<key>`, ...")
    note: str
    created_at: str
    restorable: bool = Field(description="Its content is kept, so it can be rolled back to.")


class KbRollbackIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version to serve again.")


class KbChangeOut(BaseModel):
    version: int
    kb_version: str
    checksum: str
    changed: bool
