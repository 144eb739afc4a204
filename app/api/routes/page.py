"""The small offline page at ``/``: a profile form built from the API's own vocabulary."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import SnapshotDep
from app.api.negotiation import negotiate
from app.domain.knowledge import LANGS, RESOURCE_STAGES, Lang, Text
from app.domain.language import default
from app.domain.messages import say
from app.domain.snapshot import Snapshot
from app.schemas.common import text_responses
from app.schemas.profile import DEQING_EXAMPLE
from app.services.wording import words

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
router = APIRouter(tags=["page"])


def _labels(items: Iterable[tuple[str, Text]], lang: Lang) -> list[dict[str, str]]:
    """``[{slug, label}]`` in ``lang``, in the knowledge base's order: what a list offers."""
    return [{"slug": slug, "label": text.get(lang)} for slug, text in items]


def _facts(snap: Snapshot, lang: Lang) -> dict[str, object]:
    """The county facts a bureau may declare (profile ``county``), labelled in ``lang``: the
    kinds, the main-function zone, the resource and its stage, and the industries countypath
    knows by name (a leading industry may still be any name)."""
    industries = {d.slug: d.label for d in snap.industries.values()}
    return {
        "kinds": _labels(((k, d.label) for k, d in snap.kinds.items()), lang),
        "zones": _labels(((z, d.label) for z, d in snap.zones.items()), lang),
        "resource_types": _labels(((r, d.label) for r, d in snap.resource_types.items()), lang),
        "resource_stages": [
            {"slug": s, "label": say("resource_stage", s, lang)} for s in RESOURCE_STAGES
        ],
        "industries": [label.get(lang) for label in industries.values()],
    }


def _page_words(snap: Snapshot, lang: Lang) -> dict[str, object]:
    """What the page prints in ``lang``, from the message catalogue and the knowledge base."""
    return {
        "tag": say("language", "tag", lang),
        "language": say("language", "name", lang),
        **words("page", lang),
        "dims": dict(words("dimension", lang)),
        "status_words": dict(words("status", lang)),
        "families": dict(words("family", lang)),
        "fact_choices": _facts(snap, lang),
    }


def _example_names(snap: Snapshot) -> dict[Lang, dict[str, str]]:
    """The Deqing example's name and province as each language writes them, so the form opens
    on a county named in the page's language: the example as written is English; another
    language names it as the knowledge base's reference county and province do (德清县, 浙江省).
    The figures stay the example's own."""
    county = DEQING_EXAMPLE["county"]
    assert isinstance(county, dict)  # the example names its county as an object
    own = {"name": str(county["name"]), "province": str(county["province"])}
    known = snap.counties.get("deqing")
    province = snap.provinces_by_code.get(str(county["code"])[:2])
    written_in = default()  # the example's names are written in the default language
    names: dict[Lang, dict[str, str]] = {written_in: own}
    for lang in LANGS:
        if lang != written_in and known is not None and province is not None:
            names[lang] = {"name": known.name.get(lang), "province": province.name.get(lang)}
    return names


def _data(name: str, value: object) -> bytes:
    """``value`` as a JSON data block the page's script reads (never a closing tag)."""
    text = orjson.dumps(value).replace(b"</", b"<\\/")
    return f'<script id="{name}" type="application/json">'.encode() + text + b"</script>\n"


_PAGES: dict[str, bytes] = {}


def _index(snap: Snapshot) -> bytes:
    """The page with the Deqing example and the page's words embedded as data, so the form and
    the API's own documentation prefill from one profile, and the words come from the catalogue
    and the knowledge base now served (kept per knowledge-base version)."""
    version = snap.kb_version
    if version not in _PAGES:
        data = _data("deqing-example", DEQING_EXAMPLE)
        data += _data("example-names", _example_names(snap))
        data += _data("page-words", {lang: _page_words(snap, lang) for lang in LANGS})
        page = (STATIC / "index.html").read_bytes()
        anchor = b'<script src="/ui/app.js">'
        assert anchor in page
        _PAGES.clear()
        _PAGES[version] = page.replace(anchor, data + anchor, 1)
    return _PAGES[version]


@router.get(
    "/",
    operation_id="page-get",
    summary="The countypath page",
    description="A form prefilled with the Deqing example, named in the page's language (`?lang=`, "
    "else the browser's), with the county facts a bureau may declare; submitting shows the "
    "diagnosis and the ranked paths, links to the printable report, and makes the action plan "
    "with its Word document and one-page brief. Works offline; no external host.",
    response_class=Response,
    responses=text_responses("text/html", "The page.", 406),
)
def page(request: Request, snap: SnapshotDep) -> Response:
    negotiate(request, ("text/html", "application/problem+json"))
    return Response(
        _index(snap), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
