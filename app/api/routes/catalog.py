"""Read-only catalog of the knowledge base, served from the in-memory snapshot."""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api.deps import LangDep, SettingsDep, SnapshotDep
from app.api.http import cached_json
from app.api.negotiation import require_json_accept
from app.api.pagination import CursorParam, LimitParam, paginate
from app.api.routes.specs import Endpoint, RouteOptions, RouteSpec, add_routes
from app.api.security import public_unless_required
from app.domain.cases import CaseSet
from app.domain.knowledge import Family, Lang
from app.domain.snapshot import Snapshot
from app.schemas import catalog as cs
from app.schemas.common import problem_responses
from app.services import catalog
from app.services.curation import kb_etag
from app.settings import Settings

router = APIRouter(
    prefix="/v1",
    tags=["catalog"],
    dependencies=[Depends(require_json_accept), Depends(public_unless_required)],
)
SlugParam = Annotated[str, Path(min_length=1, max_length=80, description="Stable kebab-case slug.")]
ERRORS = problem_responses(400, 401, 404, 406, 422, 503)


@dataclass(frozen=True, slots=True)
class CatalogRead:
    """What every catalog read needs: the request, the knowledge base served, the settings and
    the language asked for."""

    request: Request
    snap: Snapshot
    settings: Settings
    lang: Lang

    def answer(
        self, body: object, extra: dict[str, str] | None = None, etag: str | None = None
    ) -> Response:
        """Public for ``catalog_max_age``, revalidated against the knowledge base served;
        ``etag`` for one item, ``extra`` for a page's Link header."""
        return cached_json(
            self.request,
            body,
            lang=self.lang,
            version_key=self.snap.checksum,
            max_age=self.settings.catalog_max_age,
            extra=extra,
            etag=etag,
        )


async def catalog_read(
    request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep
) -> CatalogRead:
    return CatalogRead(request, snap, settings, lang)


ReadDep = Annotated[CatalogRead, Depends(catalog_read)]


def _list(
    read: CatalogRead, kind: str, limit: int, cursor: str | None, filters: dict[str, str | None]
) -> Response:
    items = catalog.items(read.snap, kind, read.lang)
    active = {k: v for k, v in sorted(filters.items()) if v is not None}
    if active:
        items = [i for i in items if all(_matches(i, k, v) for k, v in active.items())]
    basis = f"{kind}|{sorted(active.items())}|{read.snap.checksum}"
    scope = hashlib.sha256(basis.encode()).hexdigest()[:16]
    body, headers = paginate(read.request, items, limit, cursor, scope)
    return read.answer(body, extra=headers)


def _matches(item: dict[str, object], key: str, value: str) -> bool:
    if key == "signal_challenge":
        return item["challenge"] == value
    if key == "challenge":
        return any(a["challenge"] == value for a in item["addresses"])  # type: ignore[attr-defined]
    if key == "path":
        return value in item["paths"]  # type: ignore[operator]
    return item.get(key) == value


def _detail(read: CatalogRead, kind: str, slug: str) -> Response:
    body = catalog.item(read.snap, kind, slug, read.lang)
    # The validator is the item's own content hash (the same for both languages, which differ by
    # Vary: Accept-Language), so it is also the If-Match value curators send back.
    return read.answer(body, etag=catalog.item_etag(read.snap, kind, slug))


@dataclass(frozen=True)
class Filter:
    """A query parameter that narrows a list: its name, the item field it matches (see
    ``_matches``) and its type."""

    param: str
    key: str
    annotation: Any


def _text_filter(param: str, key: str, max_length: int, description: str) -> Filter:
    query = Query(max_length=max_length, description=description)
    return Filter(param, key, Annotated[str | None, query])


def _list_endpoint(kind: str, filters: tuple[Filter, ...]) -> Endpoint:
    """The list route of one kind. Its filters are added to the signature FastAPI reads, so each
    is a documented query parameter."""

    async def list_items(
        read: ReadDep, limit: LimitParam = 20, cursor: CursorParam = None, **query: str | None
    ) -> Response:
        return _list(read, kind, limit, cursor, {f.key: query.get(f.param) for f in filters})

    signature = inspect.signature(list_items)
    fixed = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    extra = [
        inspect.Parameter(
            f.param, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=f.annotation
        )
        for f in filters
    ]
    list_items.__signature__ = signature.replace(parameters=fixed + extra)  # type: ignore[attr-defined]
    return list_items


def _detail_endpoint(kind: str) -> Endpoint:
    async def get_one(read: ReadDep, slug: SlugParam) -> Response:
        return _detail(read, kind, slug)

    return get_one


def _register(
    kind: str,
    what: str,
    model: type[BaseModel],
    filters: tuple[Filter, ...] = (),
    *,
    detail: bool = True,
    one: tuple[str, str] | None = None,
) -> None:
    """The list route of one catalog kind and its detail route (``one``: the detail's summary
    and description, when the default does not read well)."""
    routes = [
        RouteSpec(
            f"/{kind}",
            _list_endpoint(kind, filters),
            "list",
            f"List {what}",
            f"All {what}, localised, paginated by limit and cursor.",
            {"response_model": cs.page_of(model)},
        )
    ]
    if detail:
        summary, description = one or (
            f"One of the {what}",
            f"One of the {what} by slug; 404 problem+json when unknown.",
        )
        detail_route = _detail_endpoint(kind)
        options: RouteOptions = {"response_model": model}
        routes.append(
            RouteSpec(f"/{kind}/{{slug}}", detail_route, "get", summary, description, options)
        )
    add_routes(router, kind, routes, methods=["GET"], responses=ERRORS)


DIMENSION = _text_filter("dimension", "dimension", 20, "Only this dimension.")
SIGNAL_CHALLENGE = _text_filter(
    "challenge", "signal_challenge", 80, "Only signals of this challenge."
)
FAMILY = Filter(
    "family", "family", Annotated[Family | None, Query(description="Only this family.")]
)
PATH_CHALLENGE = _text_filter("challenge", "challenge", 80, "Only paths addressing this challenge.")
PATH = _text_filter("path", "path", 80, "Only examples of this path.")
SIGNAL_DOC = ("One of the signals", "One signal by slug; 404 problem+json when unknown.")

_register(
    "indicators", "indicators (the profile vocabulary)", cs.IndicatorOut, (DIMENSION,), detail=False
)
_register(
    "signals",
    "qualitative signals an analyst can assert",
    cs.SignalOut,
    (SIGNAL_CHALLENGE,),
    one=SIGNAL_DOC,
)
_register("challenges", "challenges, with their rules", cs.ChallengeDetail)
_register("paths", "recommended paths", cs.PathDetail, (FAMILY, PATH_CHALLENGE))
_register("examples", "worked Deqing examples", cs.ExampleDetail, (PATH,))
_register("reference-counties", "reference counties", cs.ReferenceCountyDetail)
_register("benchmarks", "benchmark sets", cs.BenchmarkDetail)
_register("cases", "sets of expert cases (what the knowledge base must show)", CaseSet)


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
