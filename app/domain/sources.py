"""The public form of a source: what a result or catalog item serves for a citation, what a
printed document shows of it, and how a mirror is recognised.

A *mirror* is any page that is not the publisher's own: a re-post, a copy on an unrelated site, a
Q&A or encyclopaedia page, a compiled table. Its figures are at most ``S`` (secondary), and a
printed document never cites it: it prints the publisher and the document, not the mirror's
address. What marks a mirror is kept as data (app/locales/provenance.yaml) and documented in
``seeds/README.md``: add a host when a new one is cited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal, NamedTuple, TypedDict
from urllib.parse import urlsplit

import yaml

from app.domain.knowledge import Example, ExampleFigure, Lang, Source, Tag
from app.domain.language import chain, default
from app.domain.result_types import SourceOut


class Provenance(NamedTuple):
    """What marks a mirror (app/locales/provenance.yaml)."""

    mirror_words: tuple[str, ...]
    secondary_words: tuple[str, ...]
    mirror_hosts: frozenset[str]
    page_words: tuple[str, ...] = ()


@cache
def provenance() -> Provenance:
    """The mirror words and hosts, read once from the package's data."""
    text = resources.files("app.locales").joinpath("provenance.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return Provenance(
        tuple(w.lower() for w in data["mirror_words"]),
        tuple(w.lower() for w in data["secondary_words"]),
        frozenset(h.lower() for h in data["mirror_hosts"]),
        tuple(w.lower() for w in data.get("page_words", ())),
    )


_PUNCT = re.compile(r"[()（）,，;；]")
_REMARK = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_BARE_HOST = re.compile(
    r"^\s*(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|gov|hk|tw)\s*$"
)


def host_of(url: str) -> str:
    """The lower-case host of ``url``, without port or ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def mirror_host(url: str | None) -> str | None:
    """The listed mirror host ``url`` lies on, if any."""
    if not url:
        return None
    host = host_of(url)
    hosts = provenance().mirror_hosts
    return next((h for h in sorted(hosts) if host == h or host.endswith("." + h)), None)


def mirror_word(*texts: str | None, secondary: bool = False) -> str | None:
    """The first mirror word (or, with ``secondary``, secondary-page word) in any of ``texts``
    (brackets and commas count as spaces, so "(via x.com)" holds " via ").

    >>> mirror_word("Workers' Daily (via chinaxiaokang.com)"), mirror_word("NBS, 2024 bulletin")
    ('via', None)
    """
    words = provenance().secondary_words if secondary else provenance().mirror_words
    for text in texts:
        low = " " + _PUNCT.sub(" ", (text or "").lower()) + " "
        for word in words:
            if word in low:
                return word.strip()
    return None


def is_mirror(url: str | None, *publishers: str | None) -> bool:
    """The page is not the publisher's own: a listed host, or a publisher string naming a
    mirror, a re-post or a secondary kind of page (encyclopaedia, Q&A)."""
    return (
        mirror_host(url) is not None
        or mirror_word(*publishers) is not None
        or mirror_word(*publishers, secondary=True) is not None
    )


def names_mirror(printed: str) -> str | None:
    """The mirror word or listed host a printed publisher still names, if any."""
    low = printed.lower()
    return mirror_word(printed) or next(
        (h for h in sorted(provenance().mirror_hosts) if h in low), None
    )


def printed_publisher(text: str) -> str:
    """The publisher as a printed document cites it: parenthesised remarks that name a mirror
    (how the page was read) are left out, the publisher and the document stay.

    >>> printed_publisher("Zhejiang Bureau of Statistics, 2024 bulletin (low-quality mirror)")
    'Zhejiang Bureau of Statistics, 2024 bulletin'
    >>> printed_publisher("国务院《意见》（国发〔2019〕12号）（转载于低质量镜像站）")
    '国务院《意见》（国发〔2019〕12号）'

    A remark saying only which of the publisher's own pages was read goes too:

    >>> printed_publisher("《香港商报》2020年9月20日报道（本报网站）"), printed_publisher("浙江在线（zjol.com.cn）报道")
    ('《香港商报》2020年9月20日报道', '浙江在线报道')
    """
    kept = _REMARK.sub(lambda m: "" if _left_out(m.group(1)) else m.group(0), text)
    return kept.strip(" ,;，；")


def _left_out(remark: str) -> bool:
    """A remark a printed document leaves out: how the page was read (a mirror, a re-post), on
    which of the publisher's own pages, or a bare host name."""
    low = remark.lower()
    return (
        mirror_word(remark) is not None
        or any(word in low for word in provenance().page_words)
        or _BARE_HOST.match(low) is not None
    )


def publisher_in(src: Source, lang: Lang) -> str | None:
    """The publisher in the reader's language (the Chinese name in Chinese): ``publisher`` is
    the default language's, ``publisher_<code>`` another's, else the language's fallback."""
    order = chain(lang)
    # The model's fields, read where it keeps them: a language without its own field
    # (``publisher`` is the default's) would otherwise go through the model's slow lookup of a
    # missing attribute.
    fields = src.__dict__
    names = {code: fields.get(f"publisher_{code}") for code in order}
    names[default()] = src.publisher
    return next((names[code] for code in order if names[code]), src.publisher)


def source_dict(src: Source, lang: Lang) -> SourceOut:
    """Only the fields the source has; a heuristic says so and explains itself. The publisher
    is given in the reader's language."""
    out: SourceOut = {}
    if src.document is not None:
        out["document"] = src.document
    if src.section is not None:
        out["section"] = src.section
    if src.doi is not None:
        out["doi"] = src.doi
    if src.url is not None:
        out["url"] = src.url
    publisher = publisher_in(src, lang)
    if publisher is not None:
        out["publisher"] = publisher
    if src.year is not None:
        out["year"] = src.year
    if src.tag is not None:
        out["tag"] = src.tag
    if src.heuristic:
        out["heuristic"] = True
    if src.note is not None:
        out["note"] = src.note.get(lang)
    return out


class PrintedSource(TypedDict, total=False):
    """A source as a printed document lists it (``printed_source``); the report adds the
    sections it cites of a document and the printed ``text``."""

    document: str
    section: str
    doi: str
    publisher: str
    year: int
    standing: Literal["recalled", "secondary"]
    sections: list[str]
    text: str


def printed_source(src: Mapping[str, Any]) -> PrintedSource:
    """What a printed document's list of sources (资料来源) shows of a served source
    (``source_dict``'s form, also as stored in an old result): the paper's section, or the
    publisher and document without any mirror remark and the year when the name does not
    already carry it; never a web address. ``standing`` keeps what the tag says in a reader's
    terms: ``recalled`` for a source not at hand (R), ``secondary`` for a document read in
    another's copy or report (a mirror remark left out, or a mirror's address).

    >>> printed_source({"publisher": "国务院《意见》（转载于低质量镜像站点）", "year": 2019,
    ...                 "url": "http://x.example/a", "tag": "S"})
    {'publisher': '国务院《意见》', 'year': 2019, 'standing': 'secondary'}
    >>> printed_source({"publisher": "《浙江日报》2020年8月25日", "year": 2020, "tag": "V"})
    {'publisher': '《浙江日报》2020年8月25日'}
    """
    if src.get("document"):
        paper: PrintedSource = {"document": src["document"]}
        if src.get("section"):
            paper["section"] = src["section"]
        if src.get("doi"):
            paper["doi"] = src["doi"]
        return paper
    publisher = src.get("publisher") or ""
    printed = printed_publisher(publisher)
    out: PrintedSource = {"publisher": printed}
    if src.get("year") and str(src["year"]) not in printed:
        out["year"] = src["year"]
    if src.get("tag") == "R":
        out["standing"] = "recalled"
    elif is_mirror(src.get("url"), publisher):
        out["standing"] = "secondary"
    return out


def figure_source(example: Example, figure: ExampleFigure) -> Source:
    """An example figure's source: its own, else the example's."""
    return figure.source or example.source


def figure_year(example: Example, figure: ExampleFigure) -> int | None:
    """The year an example figure describes: its own, else the example's."""
    return figure.year if figure.year is not None else example.year


def figure_tag(example: Example, figure: ExampleFigure) -> Tag | None:
    """An example figure's tag: its own, else its source's."""
    return figure.tag or figure_source(example, figure).tag
