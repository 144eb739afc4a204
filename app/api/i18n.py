"""Language negotiation: ``?lang=`` wins, then Accept-Language with q-values, then the default
language (English), among the catalogue's languages."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import Scope

from app.domain.language import Lang, default, languages
from app.domain.messages import say


def _lang_of(tag: str) -> Lang | None:
    """The catalogue's language a tag names (``zh-Hans`` is ``zh``), if any."""
    return next((lang.code for lang in languages() if lang.matches(tag)), None)


def negotiate(accept_language: str | None, lang_param: str | None = None) -> Lang:
    if lang_param:
        chosen = _lang_of(lang_param)
        if chosen is not None:
            return chosen
    if not accept_language:
        return default()
    best: tuple[float, int, Lang] | None = None
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.split(";")
        lang = _lang_of(pieces[0])
        if lang is None:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        candidate = (q, -index, lang)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else default()


def content_language(lang: Lang) -> str:
    return say("language", "tag", lang)


def lang_of(scope: Scope) -> Lang:
    """The language a request asked for (``?lang=``, then Accept-Language), read from its ASGI
    scope: what an answer sent from middleware, before any route ran, is written in."""
    query = scope.get("query_string", b"").decode("latin-1")
    param = next((v for k, v in parse_qsl(query) if k == "lang"), None)
    header = next(
        (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"accept-language"),
        None,
    )
    return negotiate(header, param)
