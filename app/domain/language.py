"""The languages countypath speaks, read from the ``languages`` section of the message catalogue.

A language is data: its code, its name, the language a text missing in
it is read in, and its typography (how a sentence ends, what joins sentences, the fonts and lines
of its documents, how long a chart label may be). Code asks this module for a convention and
never names a language, so a new language is a catalogue entry and the seed texts.

Nothing here imports the rest of the application: the knowledge-base model and the message
catalogue are built from what this module reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

Lang = str
"""A language code of the catalogue (``en``, ``zh``): a plain string, since the set is data."""

CATALOGUE: Traversable | Path = resources.files("app.locales").joinpath("messages.yaml")
"""The catalogue read at start; a test may point it at a copy before the application loads."""

ROLES = ("title", "h1", "h2", "body", "table", "footer")


class Font(NamedTuple):
    """A document role's font: its name, the one Word substitutes where it lacks it, its size."""

    name: str
    substitute: str
    size: float


@dataclass(frozen=True, slots=True)
class Document:
    """How a Word document in the language is set.

    ``latin_font`` sets the Latin letters of every run (the role's font when empty);
    ``east_asian_font`` the CJK characters (the role's font when empty). ``line`` is the exact
    line height of a paragraph, ``body_indent`` the first-line indent of body text,
    ``heading_space`` the space above a heading, ``h1_bold`` whether first-level headings are
    bold; ``brief_line`` and ``brief_size`` are the smaller body of the one-page brief.
    ``substitutes`` names, for the font table of every document, the font Word shows in place of
    one it lacks, with the fonts' ``charset``.
    """

    fonts: Mapping[str, Font]
    latin_font: str | None
    east_asian_font: str | None
    line: float
    body_indent: float
    heading_space: float
    h1_bold: bool
    brief_line: float
    brief_size: float
    substitutes: Mapping[str, str]
    charset: str | None


@dataclass(frozen=True, slots=True)
class Language:
    """One language of the catalogue and its conventions.

    ``fallback`` is the language a knowledge-base text missing in this one is read in; a
    language without one must be given in every seed text. ``script`` is a pattern every text in
    the language matches (a Chinese text holds Chinese characters). ``official_name``: documents
    name a county by its official name from the division code (满洲里市) rather than the name sent.
    ``name_endings``: the fields of an administrative form (``prefix``, ``label``) a county's
    name may end with in the language, after ``joiner`` ("Deqing County", 德清县).
    """

    code: Lang
    name: str
    title: str
    fallback: Lang | None
    script: re.Pattern[str] | None
    sentence_end: str
    joiner: str
    official_name: bool
    name_endings: tuple[str, ...]
    label_limit: int
    document: Document

    def matches(self, tag: str) -> bool:
        """Whether a language tag (``zh``, ``zh-CN``, ``zh-Hans``) names this language."""
        tag = tag.strip().lower()
        return tag == self.code or tag.startswith(self.code + "-")


def _font(raw: Any) -> Font:
    name, substitute, size = raw
    return Font(str(name), str(substitute), float(size))


def _document(raw: Mapping[str, Any]) -> Document:
    fonts = {role: _font(raw["fonts"][role]) for role in ROLES}
    return Document(
        fonts=fonts,
        latin_font=raw.get("latin_font"),
        east_asian_font=raw.get("east_asian_font"),
        line=float(raw["line"]),
        body_indent=float(raw.get("body_indent", 0)),
        heading_space=float(raw.get("heading_space", 0)),
        h1_bold=bool(raw.get("h1_bold", False)),
        brief_line=float(raw["brief_line"]),
        brief_size=float(raw["brief_size"]),
        substitutes={str(k): str(v) for k, v in raw.get("substitutes", {}).items()},
        charset=str(raw["charset"]) if "charset" in raw else None,
    )


def parse_languages(raw: Mapping[str, Any]) -> tuple[Language, ...]:
    """The ``languages`` section as typed entries, in catalogue order (the first is the default:
    what a request naming no language gets). Every fallback must be a language of the section."""
    out = tuple(
        Language(
            code=str(code),
            name=str(entry["name"]),
            title=str(entry.get("title", entry["name"])),
            fallback=entry.get("fallback"),
            script=re.compile(entry["script"]) if entry.get("script") else None,
            sentence_end=str(entry["sentence_end"]),
            joiner=str(entry["joiner"]),
            official_name=bool(entry.get("official_name", False)),
            name_endings=tuple(entry.get("name_endings", ())),
            label_limit=int(entry["label_limit"]),
            document=_document(entry["document"]),
        )
        for code, entry in raw.items()
    )
    codes = {lang.code for lang in out}
    if not out or out[0].fallback is not None:
        raise ValueError("the first language of the catalogue is the default and has no fallback")
    for lang in out:
        if lang.fallback is not None and lang.fallback not in codes:
            raise ValueError(f"language {lang.code} falls back to unknown {lang.fallback}")
    return out


@cache
def raw_catalogue() -> dict[str, object]:
    """The catalogue file as read, every section (``languages`` and the messages)."""
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("languages"), dict):
        raise ValueError("the message catalogue is a mapping with a languages section")
    return data


@cache
def languages() -> tuple[Language, ...]:
    section = raw_catalogue()["languages"]
    if not isinstance(section, dict):  # raw_catalogue refused that already: this narrows it
        raise TypeError("the catalogue's languages section is a mapping")
    return parse_languages(section)


@lru_cache(maxsize=64)  # bounded: a code may come from outside
def language(code: Lang) -> Language:
    """The entry of ``code``; an unknown code is the default language's."""
    return next((lang for lang in languages() if lang.code == code), languages()[0])


@cache
def codes() -> tuple[Lang, ...]:
    return tuple(lang.code for lang in languages())


def default() -> Lang:
    """The language of a request that names none, and the one errors are raised in."""
    return languages()[0].code


def required() -> tuple[Lang, ...]:
    """The languages every knowledge-base text is given in (those without a fallback)."""
    return tuple(lang.code for lang in languages() if lang.fallback is None)


@lru_cache(maxsize=64)
def chain(lang: Lang) -> tuple[Lang, ...]:
    """The languages a text is looked for in: ``lang``, its fallbacks, and the default last.

    >>> chain("zh"), chain("fr")
    (('zh', 'en'), ('en',))
    """
    out: list[Lang] = []
    code: Lang | None = lang if lang in codes() else default()
    while code is not None and code not in out:
        out.append(code)
        code = language(code).fallback
    return (*out, default()) if default() not in out else tuple(out)


def read_in(texts: Mapping[Lang, str], lang: Lang) -> str:
    """A text in ``lang``, else in the first of its fallbacks it is given in.

    >>> read_in({"en": "farming", "zh": "农业"}, "zh"), read_in({"en": "farming"}, "fr")
    ('农业', 'farming')
    """
    return next(texts[code] for code in chain(lang) if code in texts)


def as_lang(value: object) -> Lang:
    """``value`` when it names a language countypath speaks, else the default language.

    >>> as_lang("zh"), as_lang("fr"), as_lang(None)
    ('zh', 'en', 'en')
    """
    return next((code for code in codes() if value == code), default())


@cache
def sentence_ends() -> str:
    """Every language's sentence end, to strip whichever a sentence carries."""
    return "".join(dict.fromkeys(lang.sentence_end for lang in languages()))
