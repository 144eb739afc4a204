"""The county's own names for its units and programmes: departments by province and
administrative form (县发展和改革局, 市发展和改革局, 旗农牧局; Zhejiang's 经济和信息化局 where most
provinces say 工业和信息化局), and the pairing programmes its province takes part in.
"""

from __future__ import annotations

from app.domain.knowledge import AdminForm, Lang, Programme, Province, Text
from app.domain.snapshot import Snapshot

UNIT = "{unit}"
DEFAULT_FORM: AdminForm = "county"


def unit_prefix(snap: Snapshot, form: AdminForm | None, lang: Lang) -> str:
    """What goes before a department's name for a county of this form (县, 市, 区, 旗)."""
    found = snap.admin_forms.get(form or DEFAULT_FORM) or snap.admin_forms.get(DEFAULT_FORM)
    return found.prefix.get(lang) if found else ""


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
