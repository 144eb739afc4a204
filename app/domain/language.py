"""The languages countypath speaks, as stored results and command options name them."""

from __future__ import annotations

from app.domain.knowledge import LANGS, Lang


def as_lang(value: object) -> Lang:
    """``value`` when it names a language countypath speaks, else English (the default).

    >>> as_lang("zh"), as_lang("fr"), as_lang(None)
    ('zh', 'en', 'en')
    """
    for lang in LANGS:
        if value == lang:
            return lang
    return "en"
