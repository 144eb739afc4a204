"""Read-only catalog of the knowledge base, served from the in-memory snapshot."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api.deps import LangDep, SettingsDep, SnapshotDep
from app.api.http import cached_json
from app.api.negotiation import require_json_accept
from app.api.pagination import CursorParam, LimitParam, paginate
from app.api.security import public_unless_required
from app.schemas import catalog as cs
from app.schemas.common import problem_responses
from app.services import catalog
from app.services.curation import kb_etag

router = APIRouter(
    prefix="/v1",
    tags=["catalog"],
    dependencies=[Depends(require_json_accept), Depends(public_unless_required)],
)
SlugParam = Annotated[str, Path(min_length=1, max_length=80, description="Stable kebab-case slug.")]
ERRORS = problem_responses(400, 401, 404, 406, 422, 503)


def _list(
    request: Request,
    snap: SnapshotDep,
    settings: SettingsDep,
    lang: LangDep,
    kind: str,
    limit: int,
    cursor: str | None,
    filters: dict[str, str | None],
) -> Response:
    items = catalog.items(snap, kind, lang)
    active = {k: v for k, v in sorted(filters.items()) if v is not None}
    if active:
        items = [i for i in items if all(_matches(i, k, v) for k, v in active.items())]
    scope = hashlib.sha256(f"{kind}|{sorted(active.items())}|{snap.checksum}".encode()).hexdigest()[
        :16
    ]
    body, headers = paginate(request, items, limit, cursor, scope)
    return cached_json(
        request,
        body,
        lang=lang,
        version_key=snap.checksum,
        max_age=settings.catalog_max_age,
        extra=headers,
    )


def _matches(item: dict[str, object], key: str, value: str) -> bool:
    if key == "signal_challenge":
        return item["challenge"] == value
    if key == "challenge":
        return any(a["challenge"] == value for a in item["addresses"])  # type: ignore[attr-defined]
    if key == "path":
        return value in item["paths"]  # type: ignore[operator]
    return item.get(key) == value


def _detail(
    request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep, kind: str, slug: str
) -> Response:
    body = catalog.item(snap, kind, slug, lang)
    # The validator is the item's own content hash (the same for both languages, which differ by
    # Vary: Accept-Language), so it is also the If-Match value curators send back.
    etag = catalog.item_etag(snap, kind, slug)
    return cached_json(
        request,
        body,
        lang=lang,
        version_key=snap.checksum,
        max_age=settings.catalog_max_age,
        etag=etag,
    )


def _doc(what: str) -> dict[str, object]:
    return {
        "summary": f"List {what}",
        "description": f"All {what}, localised, paginated by limit and cursor.",
    }


@router.get(
    "/indicators",
    operation_id="indicators-list",
    response_model=cs.page_of(cs.IndicatorOut),
    responses=ERRORS,
    **_doc("indicators (the profile vocabulary)"),  # type: ignore[arg-type]
)
async def list_indicators(
    request: Request,
    snap: SnapshotDep,
    settings: SettingsDep,
    lang: LangDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
    dimension: Annotated[
        str | None, Query(max_length=20, description="Only this dimension.")
    ] = None,
) -> Response:
    return _list(
        request, snap, settings, lang, "indicators", limit, cursor, {"dimension": dimension}
    )


@router.get(
    "/signals",
    operation_id="signals-list",
    response_model=cs.page_of(cs.SignalOut),
    responses=ERRORS,
    **_doc("qualitative signals an analyst can assert"),  # type: ignore[arg-type]
)
async def list_signals(
    request: Request,
    snap: SnapshotDep,
    settings: SettingsDep,
    lang: LangDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
    challenge: Annotated[
        str | None, Query(max_length=80, description="Only signals of this challenge.")
    ] = None,
) -> Response:
    return _list(
        request, snap, settings, lang, "signals", limit, cursor, {"signal_challenge": challenge}
    )


@router.get(
    "/signals/{slug}",
    operation_id="signals-get",
    summary="One of the signals",
    description="One signal by slug; 404 problem+json when unknown.",
    response_model=cs.SignalOut,
    responses=ERRORS,
)
async def get_signal(
    request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep, slug: SlugParam
) -> Response:
    return _detail(request, snap, settings, lang, "signals", slug)


def _register(
    kind: str, name: str, what: str, model: type[BaseModel], filters: tuple[str, ...] = ()
) -> None:
    """List and detail routes for one catalog kind."""
    handler: Callable[..., Awaitable[Response]]

    if kind == "paths":

        async def list_paths(
            request: Request,
            snap: SnapshotDep,
            settings: SettingsDep,
            lang: LangDep,
            limit: LimitParam = 20,
            cursor: CursorParam = None,
            family: Annotated[
                Literal["industry", "talent", "policy"] | None,
                Query(description="Only this family."),
            ] = None,
            challenge: Annotated[
                str | None,
                Query(max_length=80, description="Only paths addressing this challenge."),
            ] = None,
        ) -> Response:
            return _list(
                request,
                snap,
                settings,
                lang,
                kind,
                limit,
                cursor,
                {"family": family, "challenge": challenge},
            )

        handler = list_paths
    elif kind == "examples":

        async def list_examples(
            request: Request,
            snap: SnapshotDep,
            settings: SettingsDep,
            lang: LangDep,
            limit: LimitParam = 20,
            cursor: CursorParam = None,
            path: Annotated[
                str | None, Query(max_length=80, description="Only examples of this path.")
            ] = None,
        ) -> Response:
            return _list(request, snap, settings, lang, kind, limit, cursor, {"path": path})

        handler = list_examples
    else:

        async def list_plain(
            request: Request,
            snap: SnapshotDep,
            settings: SettingsDep,
            lang: LangDep,
            limit: LimitParam = 20,
            cursor: CursorParam = None,
        ) -> Response:
            return _list(request, snap, settings, lang, kind, limit, cursor, {})

        handler = list_plain

    router.add_api_route(
        f"/{kind}",
        handler,
        methods=["GET"],
        operation_id=f"{name}-list",
        summary=f"List {what}",
        description=f"All {what}, localised, paginated by limit and cursor.",
        response_model=cs.page_of(model),
        responses=ERRORS,
    )

    async def get_one(
        request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep, slug: SlugParam
    ) -> Response:
        return _detail(request, snap, settings, lang, kind, slug)

    router.add_api_route(
        f"/{kind}/{{slug}}",
        get_one,
        methods=["GET"],
        operation_id=f"{name}-get",
        summary=f"One of the {what}",
        description=f"One of the {what} by slug; 404 problem+json when unknown.",
        response_model=model,
        responses=ERRORS,
    )


_register("challenges", "challenges", "challenges, with their rules", cs.ChallengeDetail)
_register("paths", "paths", "recommended paths", cs.PathDetail)
_register("examples", "examples", "worked Deqing examples", cs.ExampleDetail)
_register(
    "reference-counties", "reference-counties", "reference counties", cs.ReferenceCountyDetail
)
_register("benchmarks", "benchmarks", "benchmark sets", cs.BenchmarkDetail)


@router.get(
    "/kb",
    operation_id="kb-get",
    summary="Knowledge-base version",
    description="Version, checksum and counts of the knowledge base this worker serves.",
    response_model=cs.KbSummary,
    responses=problem_responses(401, 406, 503),
)
async def kb_version(
    request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep
) -> Response:
    # The knowledge base's own validator: what POST /v1/kb/rollback takes as If-Match.
    etag = kb_etag(snap.version, snap.checksum)
    return cached_json(
        request,
        catalog.kb_summary(snap),
        lang=lang,
        version_key=snap.checksum,
        max_age=0,
        etag=etag,
    )
