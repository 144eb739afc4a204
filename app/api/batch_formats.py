"""The formats of the batch endpoint: what it reads (JSON array, CSV, .xlsx), what it answers
(JSON, NDJSON, .xlsx, by ``Accept``), and how the OpenAPI document describes both.

app.services.spreadsheets is imported where a workbook is read or written, not here: it brings
openpyxl and lxml (about 10 MB), which a worker that never meets a workbook need not hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api.deps import DeadlineDep, SettingsDep, SnapshotDep
from app.api.i18n import content_language
from app.api.negotiation import media_type, negotiate
from app.domain.knowledge import Lang
from app.domain.result import View
from app.domain.snapshot import Snapshot
from app.errors import UnsupportedMediaType
from app.schemas.profile import DEQING_EXAMPLE
from app.services import recommendations as svc
from app.services import tables
from app.services.problem_text import problem
from app.services.tables import XLSX, Origin

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


def parse(
    media: str, body: bytes, snap: Snapshot, limit: int, deadline: float | None = None
) -> tuple[list[Any], Origin | None]:
    """The batch's rows in input order, and for a table (CSV, workbook) where each row came
    from and what was left out; the reading stops at ``deadline``."""
    if media == JSON or media.endswith("+json"):
        return svc.parse_json_rows(body, limit), None
    if media == CSV:
        return tables.read_csv(body, snap, limit, deadline)
    if media == XLSX:
        from app.services import spreadsheets  # openpyxl: see the module's docstring

        return spreadsheets.read_workbook(body, snap, limit, deadline)
    raise problem(UnsupportedMediaType, "batch_media")


@dataclass(frozen=True, slots=True)
class BatchBody:
    """A batch request's body as read: its media type, its bytes (a job's request hash is taken
    over them), its rows in input order and, for a table, where each row came from."""

    media: str
    raw: bytes
    rows: list[Any]
    origin: Origin | None


async def read_body(
    request: Request, snap: SnapshotDep, settings: SettingsDep, deadline: DeadlineDep
) -> BatchBody:
    """The one way the batch and the batch job read a body, up to the configured number of
    profiles; the reading (a table of thousands of rows) runs in a thread and stops at the
    request's deadline."""
    media, raw = media_type(request), await request.body()
    limit = settings.max_batch_profiles
    rows, origin = await run_in_threadpool(parse, media, raw, snap, limit, deadline)
    return BatchBody(media, raw, rows, origin)


BatchBodyDep = Annotated[BatchBody, Depends(read_body)]


async def answer_format(request: Request) -> str:
    """The format the batch answers in, by ``Accept``: a route settles it before its body is read
    (``BatchBodyDep``), so a 406 costs no parsing."""
    return negotiate(request, ANSWERS)


AnswerFormatDep = Annotated[str, Depends(answer_format)]


async def answer(
    accept: str,
    snap: Snapshot,
    rows: list[Any],
    origin: Origin | None,
    lang: Lang,
    view: View = "full",
    deadline: float | None = None,
) -> Response:
    """The results in the negotiated format; JSON and NDJSON stream as they are computed. A
    workbook holds statuses, severities and top paths, so its rows take the summary view. The
    work stops at ``deadline``: no thread runs on after the request is over."""
    headers = {"Content-Language": content_language(lang), "Vary": "Accept, Accept-Language"}
    if accept == XLSX:
        from app.services import spreadsheets  # openpyxl: see the module's docstring

        entries = svc.run_batch(snap, rows, lang, "summary", deadline)
        book = await run_in_threadpool(
            spreadsheets.write_results, entries, rows, origin, snap, lang
        )
        headers["Content-Disposition"] = 'attachment; filename="countypath-results.xlsx"'
        return Response(book, media_type=XLSX, headers=headers)
    warnings = tables.warning_dicts(origin, lang)
    chunks = svc.batch_chunks(accept == NDJSON, snap, rows, lang, view, deadline, warnings)
    # Streamed in chunks: memory stays flat however large the batch, and the summary comes last.
    return StreamingResponse(chunks, media_type=accept, headers=headers)


REQUEST_BODY: dict[str, object] = {
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
                "`;`), and one column per indicator key (GET /v1/indicators) or label. Read like "
                "a workbook's sheet: an empty cell or a mark for no figure (`暂缺`, `—`, `/`, `-`) "
                "is an absent value; a column nobody knows, a total row and a note are left out "
                "with a warning.",
            },
            "example": CSV_EXAMPLE,
        },
        XLSX: {
            "schema": XLSX_SCHEMA
            | {
                "description": "An .xlsx workbook; its first sheet holds one county per row "
                "under a header row (title rows above it are skipped: the header is the first "
                "of the first 10 rows that hold anything with a county name column). Headers "
                "are indicator keys or their Chinese (or English) labels, a unit in brackets "
                "allowed (`地区生产总值（亿元）`), plus county name (`county_name` or `县名`), "
                "`county_code` (`代码`), `province` (`省份`), `year` (`年份`), `benchmark` and "
                "`signals`. A column nobody knows is left out with a warning and the rest is "
                "used; a total row (`合计`, `总计`) and a note under the table (`注：…`) are "
                "left out with a warning; `暂缺`, `—`, `/`, `-` are absent values. Limits "
                "(413 or 422 naming the limit): 32 MiB inflated (8 MiB of shared strings), "
                "the vocabulary's columns plus 64, 32,767 characters a cell.",
            },
        },
    },
}
RESPONSE_CONTENT: dict[str, object] = {
    JSON: {"schema": {"$ref": "#/components/schemas/BatchResult"}},
    NDJSON: {
        "schema": {
            "type": "string",
            "description": "One BatchItem (JSON) per line, in input order; first, one line "
            '`{"warning": BatchWarning}` for each thing a CSV or workbook table left out.',
        },
        "example": '{"index":0,"error":{"index":0,"status":422,"code":"VALIDATION_FAILED",'
        '"detail":"Row is not a valid profile.","errors":[{"pointer":"/county/name",'
        '"code":"missing","message":"Field required"}]}}\n',
    },
    XLSX: {
        "schema": XLSX_SCHEMA
        | {
            "description": "In the request's language. Sheet `results`: per county its row, "
            "the status (警示/关注/正常/数据不足 in Chinese) and severity of each challenge, "
            "and the titles of the top three paths; sheet `errors`: per invalid field its "
            "row, column, field, code and message (every problem of a row); sheet "
            "`warnings`: what the table reader left out. Headers frozen, columns sized.",
        }
    },
}
