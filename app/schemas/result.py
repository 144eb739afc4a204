"""Response shapes of the diagnosis endpoints, for the OpenAPI document and contract tests.

The recommendation result is the engine's own typed value (app.domain.result_types): the
handlers answer it as its JSON and declare those classes, their field descriptions included, as
their response models; this module adds the batch's envelope around them and the published
examples. Every closed vocabulary a field takes is published as one named enum
(app.schemas.vocabulary, app.api.openapi).

To add a field the engine now returns: add it to the domain type (optional with a default, and
in ``absent_keys``, when not every answer has it), then refresh the published artefacts with
UPDATE_OPENAPI_SNAPSHOT=1; tests/api/test_output_models.py fails while any answer carries a field
no type declares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from app.domain.result_types import RecommendationResult, RecommendationSummary
from app.errors import ErrorCode


class RowProblem(BaseModel):
    """One invalid field of a batch row, by JSON Pointer into that row."""

    pointer: str
    code: str
    message: str


class BatchError(BaseModel):
    index: int = Field(ge=0, description="The row, counted from 0 in input order.")
    status: int
    code: ErrorCode
    detail: str
    errors: list[RowProblem]


class BatchItem(BaseModel):
    """One row's outcome: its ``result``, or its ``error``."""

    index: int = Field(ge=0)
    result: RecommendationResult | RecommendationSummary | None = Field(
        default=None, discriminator="view"
    )
    error: BatchError | None = None


class BatchWarning(BaseModel):
    """Something a CSV or workbook table held that was left out: a column nobody knows
    (``unknown_column``), a total row (``total_row``), a note under the table (``note_row``)."""

    code: str
    row: int = Field(ge=1, description="The sheet row (or CSV line).")
    column: str = Field(description="Column letter and header, e.g. `F (备注)`; '' if none.")
    message: str


class BatchResult(BaseModel):
    items: list[BatchItem]
    count: int
    succeeded: int
    failed: int
    warnings: list[BatchWarning] = Field(
        default_factory=list, description="What the table reader left out (CSV and workbooks)."
    )


def deqing_result_examples() -> dict[str, Any]:
    """The Deqing results published in the API docs: the full view (first three challenges and
    paths), the summary view, and a traced result (first challenge and path)."""
    path = Path(__file__).with_name("deqing-result.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def deqing_result_example() -> dict[str, Any]:
    """The full view of the Deqing result, as published in the API docs."""
    full: dict[str, Any] = deqing_result_examples()["full"]
    return full
