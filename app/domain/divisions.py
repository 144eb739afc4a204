"""Who a county is, from its GB/T 2260 code: name, prefecture, province and administrative form.

The table is package data (``app/reference/divisions.csv``, source and refresh in
``app/reference/README.md``): every county-level unit of the Ministry of Civil Affairs' list of
county-level and higher divisions, plus the codes retired in recent editions, each pointing to the
current unit(s) that took its place. It is read once, on first use, and cached; a lookup is a
dictionary access, so the engine may call it on every request.

The administrative form is derived from the name by the rules of ``form_of``, written down and
tested, because the ministry's list carries names and codes but no form column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from app.domain.knowledge import ADMIN_FORMS, AdminForm

_RESOURCE = ("app.reference", "divisions.csv")
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "prefecture_code",
    "prefecture_name",
    "province_code",
    "form",
    "edition",
    "superseded_by",
    "former_names",
)
"""The header of ``divisions.csv``, in order."""

# Suffix rules, first match wins: the two autonomous forms before 县/旗, 特区 before 区.
_SUFFIX_FORMS: tuple[tuple[str, AdminForm], ...] = (
    ("自治县", "autonomous-county"),
    ("自治旗", "autonomous-banner"),
    ("特区", "special-district"),
    ("旗", "banner"),
    ("县", "county"),
    ("市", "county-level-city"),
    ("区", "district"),
)


def directly_under_province(code: str) -> bool:
    """Whether a county-level code sits under its province with no prefecture above it.

    Two cases in GB/T 2260: the ``90`` block of a province (省直辖县级行政区划: 济源, 仙桃,
    神农架, the Hainan counties, the Xinjiang corps cities) and the four municipalities, whose
    districts and counties have no prefecture level at all.

    >>> directly_under_province("429021"), directly_under_province("110105")
    (True, True)
    >>> directly_under_province("330521")
    False
    """
    return code[2:4] == "90" or code[:2] in {"11", "12", "31", "50"}


def form_of(name: str, code: str) -> AdminForm:
    """The administrative form of a county-level unit, from its official name and code.

    Rules, first match wins:

    1. ``…自治县`` is an autonomous county and ``…自治旗`` an autonomous banner (before 县/旗);
    2. ``…特区`` is a special district (六枝特区; before 区);
    3. ``…林区`` directly under a province is a forestry district (神农架林区); a ``…林区``
       under a prefecture is an ordinary district whose name ends in 林 (伊春 金林区);
    4. ``…旗`` is a banner, ``…县`` a county;
    5. ``…市`` is a county-level city, whether under a prefecture or directly under the province
       (济源市, 石河子市): a prefecture-level city has no six-digit county-level code of its own;
    6. ``…区`` is a district (市辖区, including 矿区, 新区 and the ethnic 梅里斯达斡尔族区).

    >>> form_of("德清县", "330521"), form_of("昆山市", "320583")
    ('county', 'county-level-city')
    >>> form_of("景宁畲族自治县", "331127"), form_of("鄂温克族自治旗", "150724")
    ('autonomous-county', 'autonomous-banner')
    >>> form_of("太仆寺旗", "152527"), form_of("六枝特区", "520203")
    ('banner', 'special-district')
    >>> form_of("神农架林区", "429021"), form_of("金林区", "230751")
    ('forestry-district', 'district')
    >>> form_of("德清", "330521")
    Traceback (most recent call last):
    ...
    ValueError: no administrative form for 德清 (330521): the name lacks its suffix
    """
    if name.endswith("林区") and code[2:4] == "90":
        return "forestry-district"
    for suffix, form in _SUFFIX_FORMS:
        if name.endswith(suffix):
            return form
    raise ValueError(f"no administrative form for {name} ({code}): the name lacks its suffix")


@dataclass(frozen=True, slots=True)
class Division:
    """One county-level unit of the table: current, or retired with its successors.

    ``prefecture_code`` and ``prefecture_name`` are ``None`` for units directly under a province
    or a municipality. ``edition`` is the year of the last edition of the list that carries this
    code under this name; ``superseded_by`` is empty for a current unit and otherwise names the
    current unit(s) that took over its area when its code was retired. ``former_names`` are
    names this same code carried in the editions the table covers.
    """

    code: str
    name: str
    prefecture_code: str | None
    prefecture_name: str | None
    province_code: str
    form: AdminForm
    edition: int
    superseded_by: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        """Whether the code is in use in the table's newest edition."""
        return not self.superseded_by


@dataclass(frozen=True, slots=True)
class DivisionTable:
    """The whole table, indexed by code and by (province code, name)."""

    edition: int
    by_code: Mapping[str, Division]
    by_name: Mapping[tuple[str, str], tuple[Division, ...]]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split(";") if part)


def _row(record: Mapping[str, str]) -> Division:
    form = record["form"]
    if form not in ADMIN_FORMS:
        raise ValueError(f"divisions.csv: {record['code']} has unknown form {form!r}")
    return Division(
        code=record["code"],
        name=record["name"],
        prefecture_code=record["prefecture_code"] or None,
        prefecture_name=record["prefecture_name"] or None,
        province_code=record["province_code"],
        form=form,
        edition=int(record["edition"]),
        superseded_by=_split(record["superseded_by"]),
        former_names=_split(record["former_names"]),
    )


def _name_keys(division: Division) -> Iterable[tuple[str, str]]:
    for name in dict.fromkeys((division.name, *division.former_names)):
        yield division.province_code, name


def parse(text: str) -> DivisionTable:
    """Build the indexed table from the CSV text; refuses a table that contradicts itself.

    >>> head = ",".join(COLUMNS)
    >>> t = parse(head + "\\n330521,德清县,330500,湖州市,33,county,2025,,\\n")
    >>> t.edition, t.by_code["330521"].prefecture_name
    (2025, '湖州市')
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"divisions.csv: header must be {','.join(COLUMNS)}")
    by_code: dict[str, Division] = {}
    for record in reader:
        division = _row(record)
        if division.code in by_code:
            raise ValueError(f"divisions.csv: code {division.code} appears twice")
        by_code[division.code] = division
    for division in by_code.values():
        missing = [c for c in division.superseded_by if not _is_current(by_code.get(c))]
        if missing:
            raise ValueError(f"divisions.csv: {division.code} points to {missing}, not current")
    editions = {d.edition for d in by_code.values() if d.current}
    if len(editions) != 1:
        raise ValueError(f"divisions.csv: current rows span editions {sorted(editions)}")
    by_name: dict[tuple[str, str], list[Division]] = {}
    for division in by_code.values():
        for key in _name_keys(division):
            by_name.setdefault(key, []).append(division)
    return DivisionTable(
        edition=editions.pop(),
        by_code=by_code,
        by_name={key: _ranked(found, key[1]) for key, found in by_name.items()},
    )


def _ranked(found: Iterable[Division], name: str) -> tuple[Division, ...]:
    """Units bearing the name today first, then those that bore it, then retired codes."""
    return tuple(sorted(found, key=lambda d: (not d.current, d.name != name, d.code)))


def _is_current(division: Division | None) -> bool:
    return division is not None and division.current


@cache
def table() -> DivisionTable:
    """The packaged table, read on first use and kept for the life of the process."""
    package, name = _RESOURCE
    return parse(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def edition() -> int:
    """The edition (year) of the packaged table.

    >>> edition() >= 2024
    True
    """
    return table().edition


def lookup(code: str) -> Division | None:
    """The unit a six-digit code names, current or retired; ``None`` for a code not in the table.

    >>> d = lookup("330521")
    >>> d.name, d.prefecture_name, d.province_code, d.form, d.current
    ('德清县', '湖州市', '33', 'county', True)
    >>> lookup("131081").form, lookup("152502").prefecture_name
    ('county-level-city', '锡林郭勒盟')
    >>> lookup("110228").name, lookup("110228").superseded_by
    ('密云县', ('110118',))
    >>> lookup("330500") is None, lookup("999999") is None
    (True, True)
    """
    return table().by_code.get(code)


def current(code: str) -> Division | None:
    """The current unit for a code: itself if in use, or its one successor if it was retired.

    A retired code whose area went to several units has no single answer, so ``None``; so has a
    code not in the table. ``lookup`` still returns the retired unit and its successors.

    >>> current("110228").name
    '密云区'
    >>> current("330521").name
    '德清县'
    """
    division = lookup(code)
    if division is None or division.current:
        return division
    if len(division.superseded_by) != 1:
        return None
    return lookup(division.superseded_by[0])


def find(name: str, province_code: str) -> tuple[Division, ...]:
    """Units of one province with this name: current units bearing it, then former bearers.

    A name may also be a former name of a current code, or lack its suffix (德清 for 德清县),
    in which case every form of it is tried. A province may hold two units of one name
    (南京 and 徐州 each have a 鼓楼区), hence a tuple.

    >>> [d.code for d in find("德清", "33")]
    ['330521']
    >>> [d.code for d in find("鼓楼区", "32")]
    ['320106', '320302']
    >>> find("德清县", "32")
    ()
    """
    by_name = table().by_name
    exact = by_name.get((province_code, name))
    if exact:
        return exact
    found: list[Division] = []
    for suffix, _form in _SUFFIX_FORMS:
        found.extend(by_name.get((province_code, name + suffix), ()))
    found.extend(by_name.get((province_code, name + "林区"), ()))
    unique = {d.code: d for d in found}
    return tuple(sorted(unique.values(), key=lambda d: (not d.current, d.code)))


def contradicts_province(code: str, province_code: str) -> bool:
    """Whether a county code belongs to another province than the one the profile names.

    Only the first two digits count, so this also holds for codes the table does not know.

    >>> contradicts_province("330521", "33"), contradicts_province("330521", "36")
    (False, True)
    """
    return code[:2] != province_code
