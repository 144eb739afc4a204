"""The formats of the batch endpoint: what it reads (JSON array, CSV, .xlsx), what it answers
(JSON, NDJSON, .xlsx, by ``Accept``), and how the OpenAPI document describes both."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api.i18n import content_language
from app.domain.knowledge import Lang
from app.domain.result import View
from app.domain.snapshot import Snapshot
from app.errors import UnsupportedMediaType
from app.schemas.profile import DEQING_EXAMPLE
from app.services import recommendations as svc
from app.services import spreadsheets
from app.services.spreadsheets import XLSX, Origin

JSON = "application/json"
CSV = "text/csv"
NDJSON = "application/x-ndjson"
ANSWERS = (JSON, NDJSON, XLSX, "application/problem+json")
CSV_EXAMPLE = (
    "county_name,county_code,province,year,benchmark,signals,gdp_cny_100m,"
    "resident_population_10k,foreign_trade_cny_100m,fdi_usd_100m\n"
    "Deqing,330521,Zhejiang,2024,zhejiang-2024,exporters-mostly-smes;low-hightech-exports,"
    "720,55.7,344.7,0.9871\n"
)
XLSX_SCHEMA = {"type": "string", "format": "binary", "contentMediaType": XLSX}


def parse(media: str, body: bytes, snap: Snapshot, limit: int) -> tuple[list[Any], Origin | None]:
    """The batch's rows in input order, and for a workbook where each row came from."""
    if media == JSON or media.endswith("+json"):
        return svc.parse_json_rows(body, limit), None
    if media == CSV:
        return svc.parse_csv_rows(body, limit), None
    if media == XLSX:
        return spreadsheets.read_workbook(body, snap, limit)
    raise UnsupportedMediaType(
        detail="Send the batch as application/json, text/csv or an .xlsx workbook."
    )


async def answer(
    accept: str,
    snap: Snapshot,
    rows: list[Any],
    origin: Origin | None,
    lang: Lang,
    view: View = "full",
) -> Response:
    """The results in the negotiated format; JSON and NDJSON stream as they are computed. A
    workbook holds statuses, severities and top paths, so its rows take the summary view."""
    headers = {"Content-Language": content_language(lang), "Vary": "Accept, Accept-Language"}
    if accept == XLSX:
        entries = svc.run_batch(snap, rows, lang, "summary")
        book = await run_in_threadpool(
            spreadsheets.write_results, entries, rows, origin, snap, lang
        )
        headers["Content-Disposition"] = 'attachment; filename="countypath-results.xlsx"'
        return Response(book, media_type=XLSX, headers=headers)
    chunks = (svc.ndjson_chunks if accept == NDJSON else svc.json_chunks)(snap, rows, lang, view)
    # Streamed in chunks: memory stays flat however large the batch, and the summary comes last.
    return StreamingResponse(chunks, media_type=accept, headers=headers)


REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        JSON: {
            "schema": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/components/schemas/ProfileIn"},
                "description": "Profiles, at most COUNTYPATH_MAX_BATCH_PROFILES (5,000 unless "
                "the deployment says otherwise; more is a 422). A row that is not a valid "
                "profile yields an error entry in the result instead of failing the batch.",
            },
            "example": [DEQING_EXAMPLE],
        },
        CSV: {
            "schema": {
                "type": "string",
                "format": "binary",
                "contentMediaType": CSV,
                "description": "UTF-8 CSV with a header row: `county_name` (required), "
                "`county_code`, `province`, `year`, `benchmark`, `signals` (slugs separated by "
                "`;`), and one column per indicator key (GET /v1/indicators). An empty cell is "
                "an absent value.",
            },
            "example": CSV_EXAMPLE,
        },
        XLSX: {
            "schema": XLSX_SCHEMA
            | {
                "description": "An .xlsx workbook; its first sheet holds one county per row "
                "under a header row. Headers are indicator keys or their Chinese (or English) "
                "labels, a unit in brackets allowed (`地区生产总值（亿元）`), plus county name "
                "(`county_name` or `县名`), `county_code` (`代码`), `province` (`省份`), `year` "
                "(`年份`), `benchmark` and `signals`.",
            },
        },
    },
}
RESPONSE_CONTENT: dict[str, Any] = {
    JSON: {"schema": {"$ref": "#/components/schemas/BatchResult"}},
    NDJSON: {
        "schema": {
            "type": "string",
            "description": "One BatchItem (JSON) per line, in input order.",
        },
        "example": '{"index":0,"error":{"index":0,"status":422,"code":"VALIDATION_FAILED",'
        '"detail":"Row is not a valid profile.","errors":[{"pointer":"/county/name",'
        '"code":"missing","message":"Field required"}]}}\n',
    },
    XLSX: {
        "schema": XLSX_SCHEMA
        | {
            "description": "Sheet `results`: per county its row, statuses and severities per "
            "challenge and the top three paths; sheet `errors`: per invalid field its row, "
            "column, field, code and message.",
        }
    },
}
