"""The county's own names for its units and programmes: departments by province and
administrative form (县发展和改革局, 市发展和改革局, 旗农牧局; Zhejiang's 经济和信息化局 where most
provinces say 工业和信息化局), and the pairing programmes its province takes part in.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from app.domain.knowledge import AdminForm, Lang, Programme, Province, Text
from app.domain.messages import say
from app.domain.snapshot import Snapshot

UNIT = "{unit}"
DEFAULT_FORM: AdminForm = "county"


def unit_prefix(snap: Snapshot, form: AdminForm | None, lang: Lang) -> str:
    """What goes before a department's name for a county of this form (县, 市, 区, 旗)."""
    found = snap.admin_forms.get(form or DEFAULT_FORM) or snap.admin_forms.get(DEFAULT_FORM)
    return found.prefix.get(lang) if found else ""


def unit_noun(snap: Snapshot, form: AdminForm | None, lang: Lang) -> str:
    """The county's unit in running text (this city / 本市)."""
    found = snap.admin_forms.get(form or DEFAULT_FORM) or snap.admin_forms.get(DEFAULT_FORM)
    return found.noun.get(lang) if found else ""


def department_text(snap: Snapshot, slug: str, province: Province | None) -> Text | None:
    """The department's name template: the province's own naming, else the common one."""
    if province is not None:
        for named in province.department_names:
            if named.slug == slug and named.scope is None:
                return named.name
    found = snap.departments.get(slug)
    return found.name if found else None


def department_name(
    snap: Snapshot,
    slug: str,
    province: Province | None,
    form: AdminForm | None,
    lang: Lang,
) -> str:
    """A department's name as the county writes it, e.g. 市工业和信息化局 or 旗农牧局."""
    text = department_text(snap, slug, province)
    if text is None:
        return slug
    return text.get(lang).replace(UNIT, unit_prefix(snap, form, lang))


def programmes(province: Province | None, side: str | None = None) -> tuple[Programme, ...]:
    """The pairing programmes of the county's province (on one side when ``side`` is given)."""
    if province is None:
        return ()
    return tuple(p for p in province.programmes if side is None or p.side in (side, "both"))


class UnitMap(NamedTuple):
    """What ``localize`` replaces for one province, form and language: ``pattern`` finds the
    texts of ``table``, every one of which contains ``anchor`` (the default unit, 县 or County),
    so a text without it is left as it is without a scan."""

    pattern: re.Pattern[str] | None
    table: dict[str, str]
    anchor: str = ""


def _unit_map(
    snap: Snapshot, province: Province | None, form: AdminForm | None, lang: Lang
) -> UnitMap:
    """What to replace in a knowledge-base text written for a county (县发改局, 本县) so it
    names the county's own units (市发展和改革局, 本市), each department by its full name
    however the text abbreviates it (县发改局 → 县发展和改革局); no pattern when nothing is
    replaced."""
    default = unit_prefix(snap, DEFAULT_FORM, lang)
    own = unit_prefix(snap, form, lang)
    if not default:
        return UnitMap(None, {})
    table: dict[str, str] = {}
    for dept in snap.departments.values():
        name = department_name(snap, dept.slug, province, form, lang)
        for alias in dept.aliases:
            table[default + alias] = name
    for phrase in snap.kb.meta.unit_phrases:
        written = phrase.get(lang)
        if UNIT in written:
            table[written.replace(UNIT, default)] = written.replace(UNIT, own)
    mine = say("unit", "own", lang, unit=default)
    if mine != default:  # a language that names the county's own unit in texts (本县)
        table[mine] = say("unit", "own", lang, unit=own)
    table = _changing(table)
    if not table:
        return UnitMap(None, {})
    keys = sorted(table, key=len, reverse=True)
    anchor = default if all(default in k for k in keys) else ""
    return UnitMap(re.compile("|".join(re.escape(k) for k in keys)), table, anchor)


def _overlap(a: str, b: str) -> bool:
    """Whether an occurrence of ``a`` and one of ``b`` can share a character in some text."""
    if a in b or b in a:
        return True
    return any(a.endswith(b[:i]) for i in range(1, len(b))) or any(
        b.endswith(a[:i]) for i in range(1, len(a))
    )


def _changing(table: dict[str, str]) -> dict[str, str]:
    """``table`` without the entries that write a text back as it was (a county of the default
    form keeps 本县), when leaving them out changes no text: an entry is kept if one that does
    change a text could overlap it, since the longer match and the one further left win. Most
    maps then shrink to a handful of names, or to nothing (English for a county), and a text
    is scanned for those alone."""
    changing = {k: v for k, v in table.items() if k != v}
    return {
        k: v
        for k, v in table.items()
        if k in changing or any(_overlap(k, other) for other in changing)
    }


def localize(
    snap: Snapshot, text: str, province: Province | None, form: AdminForm | None, lang: Lang
) -> str:
    """``text`` with the county's own unit names (see ``_unit_map``)."""
    key = (province.slug if province else None, form, lang)
    found = snap.memo.unit_maps.get(key)
    if found is None:
        found = snap.memo.unit_maps[key] = _unit_map(snap, province, form, lang)
    pattern, table, anchor = found
    if pattern is None or anchor not in text:
        return text
    return pattern.sub(lambda m: table[m.group(0)], text)
