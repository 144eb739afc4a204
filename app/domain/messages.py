"""The catalogue of words countypath prints around knowledge-base texts (app/locales).

Loaded once, validated at load: every message has every language and the same placeholders in
each, so a translation cannot drop a number. ``say`` fills one message for one language.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from app.domain.language import Lang, codes, raw_catalogue
from app.domain.numbers import unit_number

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
Catalogue = dict[str, dict[str, dict[str, str]]]


def _check(catalogue: Any, langs: tuple[Lang, ...]) -> Catalogue:
    if not isinstance(catalogue, dict):
        raise ValueError("the message catalogue is a mapping of sections")
    for section, messages in catalogue.items():
        for name, texts in messages.items():
            missing = [lang for lang in langs if lang not in texts]
            if missing:
                raise ValueError(f"message {section}.{name} lacks {missing}")
            names = {lang: set(_PLACEHOLDER.findall(texts[lang])) for lang in langs}
            if len({frozenset(v) for v in names.values()}) != 1:
                raise ValueError(f"message {section}.{name} has different placeholders: {names}")
    return catalogue


@cache
def catalogue() -> Catalogue:
    """The messages: every section of the catalogue but its ``languages``, each message in every
    language of that section."""
    sections = {k: v for k, v in raw_catalogue().items() if k != "languages"}
    return _check(sections, codes())


def say(section: str, name: str, lang: Lang, **values: object) -> str:
    """One message in ``lang`` with its placeholders filled.

    >>> say("status", "flag", "zh")
    '警示'
    >>> say("units", "km", "en", n="250")
    '250 km'
    """
    template = catalogue()[section][name][lang]
    return template.format(**values) if values else template


def with_unit(value: float, unit: str, lang: Lang) -> str:
    """A value with its unit as a person writes it (``45.2%``, ``250公里``).

    >>> with_unit(47.93, "pct", "en"), with_unit(250, "km", "zh"), with_unit(1.5, "odd", "en")
    ('47.9%', '250公里', '1.5')
    >>> with_unit(0.2, "ratio", "zh")
    '0.20'
    """
    units = catalogue()["units"]
    n = unit_number(value, unit)
    return units[unit][lang].format(n=n) if unit in units else n
