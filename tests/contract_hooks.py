"""Schemathesis hooks shared by the in-process contract test and the live run
(.ci/contract-live sets SCHEMATHESIS_HOOKS=tests.contract_hooks): generated .xlsx bodies are sent
as the raw bytes they are (the server answers a bad workbook with a 400 problem)."""

from __future__ import annotations

import schemathesis

from app.services.spreadsheets import XLSX

schemathesis.serializer.alias(XLSX, "application/octet-stream")
