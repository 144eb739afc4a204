"""Problems in the request's language: the ``title``, ``detail`` and ``errors[].message`` of a
problem document, and of a batch row's error entry, from the message catalogue
(app/locales/messages.yaml: ``problem_title``, ``problem_detail``, ``field_error``).

Errors are raised with English text (that is what logs and the command line print). A problem
built by :func:`problem` also names its catalogue entry, so it reads the same in every language;
a field error names its entry by ``template`` or ``code`` and fills it from ``params``. Whatever
the catalogue cannot say (an entry it lacks, a placeholder without its value) is served in the
English it was raised with: English is the fallback, and the ``code`` never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from app.domain.knowledge import Lang
from app.domain.language import default
from app.domain.messages import catalogue, say
from app.domain.result_types import BatchEntry
from app.errors import CODES, AppError, ErrorCode, FieldError, MalformedJson, TextPosition

SOURCE: Lang = default()  # the language errors are raised in
E = TypeVar("E", bound=AppError)


def problem(
    kind: type[E],
    key: str,
    *,
    errors: Iterable[FieldError] = (),
    headers: dict[str, str] | None = None,
    **params: object,
) -> E:
    """An error of ``kind`` whose detail is the catalogue's ``problem_detail.<key>``."""
    detail = say("problem_detail", key, SOURCE, **params)
    return kind(detail=detail, errors=list(errors), headers=headers or {}, key=key, params=params)


def title(code: ErrorCode | str, lang: Lang) -> str:
    """The title of ``code`` in ``lang`` (every code has one: tests/unit/test_error_codes.py)."""
    texts = catalogue()["problem_title"].get(str(code))
    return texts[lang] if texts is not None else CODES[ErrorCode(code)].title


def detail(key: str | None, params: Mapping[str, object], raised: str, lang: Lang) -> str:
    """A problem's detail in ``lang`` when the catalogue says it (``key``), else as raised."""
    return (_filled("problem_detail", key, params, lang) if key else None) or raised


def message(error: FieldError, lang: Lang) -> str:
    """One field error's message in ``lang``; the message it was raised with for English."""
    if lang == SOURCE:
        return error.message
    return _filled("field_error", error.template or error.code, error.params, lang) or (
        error.message
    )


def field_dicts(
    errors: Iterable[FieldError | Mapping[str, Any]], lang: Lang
) -> list[dict[str, object]]:
    """Field errors as a problem's ``errors[]`` in ``lang``. A plain mapping (parameters of the
    HTTP layer: ``in``, ``parameter``) is kept as it is but for its message."""
    out: list[dict[str, object]] = []
    for error in errors:
        if isinstance(error, FieldError):
            out.append(error.as_dict() | {"message": message(error, lang)})
        else:
            entry = dict(error)
            found = FieldError(
                str(entry.get("pointer", "")),
                str(entry.get("code", "")),
                str(entry.get("message", "")),
                params=entry.pop("params", None) or {},
            )
            out.append(entry | {"message": message(found, lang)})
    return out


def entry(index: int, exc: AppError, lang: Lang) -> BatchEntry:
    """A batch row's error entry, in ``lang``."""
    return {
        "index": index,
        "error": {
            "index": index,
            "status": exc.status,
            "code": exc.code,
            "detail": detail(exc.key, exc.params, exc.detail, lang),
            "errors": field_dicts(exc.errors, lang),
        },
    }


def _filled(section: str, name: str, params: Mapping[str, object], lang: Lang) -> str | None:
    texts = catalogue()[section].get(name)
    if texts is None:
        return None
    values = {k: _in(v, lang) for k, v in params.items()}
    if section == "field_error":
        values["hint"] = _hint(params, lang)
    try:
        return texts[lang].format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def _in(value: object, lang: Lang) -> object:
    """A parameter as ``lang`` shows it: a mapping by language (a unit label) picks its own."""
    if isinstance(value, Mapping):
        return value.get(lang, value.get(SOURCE, ""))
    return value


def _hint(params: Mapping[str, object], lang: Lang) -> str:
    """What follows an unknown name: the closest known one, or where to look them up."""
    if params.get("suggestion"):
        return say("field_error", "hint_did_you_mean", lang, suggestion=params["suggestion"])
    if params.get("listing"):
        return say("field_error", "hint_see", lang, listing=params["listing"])
    return ""


def json_error(reason: str, text: str, offset: int) -> FieldError:
    """A JSON decoder's complaint about ``text`` at character ``offset``: the body as a whole
    (pointer ``""``) and the place by line, column and offset, never as a pointer."""
    at = TextPosition.of(text, offset) if text else TextPosition(1, offset + 1, offset)
    return FieldError(
        "",
        "json_invalid",
        f"{reason} (line {at.line}, column {at.column})",
        params={"line": at.line, "column": at.column},
        position=at,
    )


def unreadable_body(cause: BaseException) -> MalformedJson:
    """The problem of a JSON body the parser gave up on for another reason than its syntax."""
    if isinstance(cause, RecursionError):
        error = FieldError("", "json_too_deep", "the JSON nests deeper than the parser allows")
    elif isinstance(cause, UnicodeDecodeError):
        error = FieldError(
            "",
            "not_utf8",
            f"the body is not UTF-8 (byte {cause.start})",
            params={"byte": cause.start},
        )
    else:
        error = FieldError("", "json_unreadable", "the body cannot be read as JSON")
    return problem(MalformedJson, "malformed_json", errors=[error])
