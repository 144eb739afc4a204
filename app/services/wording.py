"""What people read instead of codes: labels for every slug and key a report or the CLI prints,
and numbers with their unit at a sensible precision, in English or Chinese.

A result stored under an older knowledge base may name an item that no longer exists; its code
is then shown as it is rather than hiding the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from app.domain.knowledge import Lang
from app.domain.messages import catalogue, say
from app.domain.numbers import format_number, unit_number
from app.domain.snapshot import Snapshot

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|&#~])")
_REMARK = re.compile(r"[(（][^()（）]*[)）]")


@cache
def words(section: str, lang: Lang) -> Mapping[str, str]:
    """One section of the message catalogue (app/locales) in one language, by name: what the
    templates and tables print. Read-only, since it is shared.

    >>> words("status_label", "en")["ok"], words("punctuation", "zh")["colon"]
    ('OK', '：')
    """
    return MappingProxyType({name: texts[lang] for name, texts in catalogue()[section].items()})


def md(value: Any) -> str:
    """Escape for Markdown: no character of the text can open a link, an image, HTML, emphasis
    or a table cell.

    >>> md("People's Daily [x](javascript:alert(1)) ![i](http://e/x.png) <b>")
    "People's Daily \\\\[x\\\\](javascript:alert(1)) \\\\!\\\\[i\\\\](http://e/x.png) \\\\<b\\\\>"
    """
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def number(value: float, unit: str) -> str:
    """A number at the precision its unit deserves (see ``unit_number``): shares to one decimal,
    ratios to two fixed decimals, the rest as a person writes them.

    >>> number(10.4055, "pct"), number(2.6833, "pct"), number(0.8198, "ratio"), number(0.2, "ratio")
    ('10.4', '2.7', '0.82', '0.20')
    """
    return unit_number(value, unit)


@dataclass(frozen=True)
class Labels:
    """Labels of one knowledge base in one language."""

    snap: Snapshot
    lang: Lang

    def indicator(self, key: str) -> str:
        ind = self.snap.indicators.get(key)
        return ind.label.get(self.lang) if ind else key

    def value(self, key: str, value: float | None) -> str:
        """``value`` of indicator ``key`` with its unit: "47.9%", "0.82", "344.7 亿元"."""
        if value is None:
            return "—"
        ind = self.snap.indicators.get(key)
        if ind is None:
            return format_number(value)
        text = number(value, ind.unit)
        if ind.unit == "pct":
            return text + "%"
        if ind.unit == "ratio":
            return text
        gap = say("punctuation", "gap", self.lang)
        return f"{text}{gap}{ind.unit_label.get(self.lang)}"

    def challenge(self, slug: str) -> str:
        found = self.snap.challenges.get(slug)
        return found.title.get(self.lang) if found else slug

    def signal(self, slug: str) -> str:
        sig = self.snap.signals.get(slug)
        return sig.label.get(self.lang) if sig else slug

    def benchmark(self, slug: str) -> str:
        view = self.snap.benchmarks.get(slug)
        return view.benchmark.title.get(self.lang) if view else slug

    def path(self, slug: str) -> str:
        p = self.snap.paths.get(slug)
        return p.title.get(self.lang) if p else slug

    def document(self, slug: str) -> str:
        """A short citation, "Yuan, J. (2025)", from the document's full reference."""
        for doc in self.snap.kb.meta.documents:
            if doc.slug == slug:
                head, found, _ = doc.title.partition(").")
                return head + ")" if found else doc.title
        return slug

    def citation(self, slug: str, sections: list[str]) -> str:
        """The paper cited by its sections as the language cites it: "Yuan, J. (2025) §4.1, 5.2"
        in English; in Chinese the author as published, then （2025）第4.1、5.2节."""
        short = self.document(slug)
        author, found, rest = short.partition(" (")
        year = rest.rstrip(")") if found else ""
        if not found or not year.isdigit():
            return f"{short} §{say('punctuation', 'list', self.lang).join(sections)}"
        return say(
            "report_line",
            "cite",
            self.lang,
            author=author,
            year=year,
            sections=say("punctuation", "list", self.lang).join(sections),
        )

    def county_short(self, county: str) -> str:
        """A county's name without a remark in brackets: 绍兴市柯桥区 for 绍兴市柯桥区（原绍兴县）."""
        return _REMARK.sub("", county).strip() or county

    def names_county(self, title: str, county: str) -> bool:
        """Whether an example's ``title`` names its ``county``: 珲春 in "珲春建设…" for 珲春市, 柯桥
        for 绍兴市柯桥区（原绍兴县）, Deqing for Deqing County; the name without a remark in
        brackets, split at its units (县, 市, County, City…), each part of two letters or more."""
        name = _REMARK.sub("", county).strip()
        forms = self.snap.admin_forms.values()
        units = {f.prefix.get(self.lang) for f in forms} | {f.label.get(self.lang) for f in forms}
        pattern = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True) if u)
        parts = [p.strip() for p in re.split(pattern, name)] if pattern else [name]
        stems = [p for p in parts if len(p) >= 2] or [name]
        return any(s.lower() in title.lower() for s in stems)

    def status(self, status: str) -> str:
        return words("status_label", self.lang).get(status, status)

    def family(self, family: str) -> str:
        return words("family_label", self.lang).get(family, family)

    def warning(self, code: str) -> str:
        return words("warning_label", self.lang).get(code, code)

    def change(self, change: str) -> str:
        return words("change_label", self.lang).get(change, change)
