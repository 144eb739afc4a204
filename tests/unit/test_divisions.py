"""The administrative-division table: who a county is, from its GB/T 2260 code."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import pytest

from app.domain import divisions
from app.domain.divisions import COLUMNS, Division, find, form_of, lookup, parse, table
from app.domain.knowledge import ADMIN_FORMS
from app.reference import refresh

# The 2025 edition, counted by form (app/reference/README.md); update with the table.
EDITION = 2025
FORM_COUNTS = {
    "district": 976,
    "county": 1301,
    "county-level-city": 397,
    "autonomous-county": 117,
    "banner": 49,
    "autonomous-banner": 3,
    "special-district": 1,
    "forestry-district": 1,
}


def _current() -> list[Division]:
    return [d for d in table().by_code.values() if d.current]


def test_the_edition_counts_every_county_level_unit_by_form() -> None:
    assert table().edition == EDITION
    assert Counter(d.form for d in _current()) == FORM_COUNTS
    assert set(FORM_COUNTS) == set(ADMIN_FORMS)


@pytest.mark.parametrize(
    ("code", "name", "prefecture", "province", "form"),
    [
        ("330521", "德清县", "湖州市", "33", "county"),
        ("320583", "昆山市", "苏州市", "32", "county-level-city"),
        ("152502", "锡林浩特市", "锡林郭勒盟", "15", "county-level-city"),
        ("532501", "个旧市", "红河哈尼族彝族自治州", "53", "county-level-city"),
        ("131081", "霸州市", "廊坊市", "13", "county-level-city"),
        ("152527", "太仆寺旗", "锡林郭勒盟", "15", "banner"),
        ("150724", "鄂温克族自治旗", "呼伦贝尔市", "15", "autonomous-banner"),
        ("331127", "景宁畲族自治县", "丽水市", "33", "autonomous-county"),
        ("520203", "六枝特区", "六盘水市", "52", "special-district"),
        ("429021", "神农架林区", None, "42", "forestry-district"),
        ("230751", "金林区", "伊春市", "23", "district"),
        ("419001", "济源市", None, "41", "county-level-city"),
        ("500229", "城口县", None, "50", "county"),
        ("110105", "朝阳区", None, "11", "district"),
    ],
)
def test_known_units_read_right(
    code: str, name: str, prefecture: str | None, province: str, form: str
) -> None:
    division = lookup(code)
    assert division is not None
    assert (division.name, division.prefecture_name, division.province_code, division.form) == (
        name,
        prefecture,
        province,
        form,
    )
    assert division.current
    assert division.edition == EDITION


def test_every_row_follows_the_written_form_rules() -> None:
    for division in table().by_code.values():
        assert division.form == form_of(division.name, division.code), division


def test_forms_agree_with_the_code_ranges_under_prefecture_level_cities() -> None:
    """GB/T 2260 numbers a prefecture-level city's units by kind; the names must agree."""
    countyish = {"county", "banner", "autonomous-county", "autonomous-banner"}
    checked = 0
    for d in _current():
        middle, last = int(d.code[2:4]), int(d.code[4:])
        if divisions.directly_under_province(d.code) or not (
            1 <= middle <= 20 or 51 <= middle <= 70
        ):
            continue
        checked += 1
        if 1 <= last <= 20 or 51 <= last <= 80:
            assert d.form in {"district", "special-district"}, d
        elif 21 <= last <= 50:
            assert d.form in countyish, d
        else:
            assert d.form == "county-level-city", d
    assert checked > 2000


def test_prefecture_and_province_follow_the_code() -> None:
    for d in table().by_code.values():
        assert d.province_code == d.code[:2]
        if d.prefecture_code is None:
            assert d.prefecture_name is None
            assert divisions.directly_under_province(d.code) or not d.current, d
        else:
            assert d.prefecture_code == d.code[:4] + "00"
            assert d.prefecture_name


def test_a_county_that_became_a_district_points_to_it() -> None:
    old = lookup("110228")
    assert old is not None
    assert (old.name, old.form, old.current, old.edition) == ("密云县", "county", False, 2014)
    assert old.superseded_by == ("110118",)
    now = divisions.current("110228")
    assert now is not None
    assert (now.name, now.form) == ("密云区", "district")


def test_a_chain_of_recodings_ends_at_the_current_unit() -> None:
    """错那县 was recoded in 2016 (542232 → 540530) and became 错那市 (540581) later."""
    old = lookup("542232")
    assert old is not None
    assert old.superseded_by == ("540581",)
    assert lookup("540530") is not None
    now = divisions.current("542232")
    assert now is not None
    assert (now.name, now.form) == ("错那市", "county-level-city")


def test_a_code_split_between_units_has_no_single_current_unit() -> None:
    """Chongqing retired 渝北区 in 2025: its area went to 两江新区 and 北碚区."""
    old = lookup("500112")
    assert old is not None
    assert old.superseded_by == ("500109", "500157")
    assert divisions.current("500112") is None
    assert lookup("500157") == divisions.current("500157")


def test_every_pointer_leads_to_a_current_unit() -> None:
    retired = [d for d in table().by_code.values() if not d.current]
    assert len(retired) > 200
    for d in retired:
        assert d.edition < EDITION
        for code in d.superseded_by:
            successor = lookup(code)
            assert successor is not None
            assert successor.current


def test_a_renamed_unit_is_found_by_its_former_name() -> None:
    """邢台's 桥东区 became 襄都区 in 2020 under the same code; 张家口 still has a 桥东区."""
    names = [(d.code, d.name) for d in find("桥东区", "13")]
    assert names == [("130702", "桥东区"), ("130502", "襄都区")]
    renamed = lookup("130502")
    assert renamed is not None
    assert renamed.former_names == ("桥东区",)


def test_name_search_stays_inside_the_province() -> None:
    assert [d.code for d in find("德清县", "33")] == ["330521"]
    assert find("德清县", "36") == ()
    assert [d.code for d in find("神农架", "42")] == ["429021"]
    assert [d.code for d in find("城口", "50")] == ["500229"]


def test_unknown_codes_are_none() -> None:
    for code in ("330500", "441900", "130171", "999999", "33052"):
        assert lookup(code) is None
        assert divisions.current(code) is None


def test_a_province_the_code_contradicts() -> None:
    assert divisions.contradicts_province("360426", "36") is False
    assert divisions.contradicts_province("360426", "33") is True


def test_the_table_is_read_once_and_not_at_import() -> None:
    code = (
        "import app.domain.divisions as d; "
        "assert d.table.cache_info().currsize == 0; "
        "d.lookup('330521'); d.lookup('320583'); "
        "assert d.table.cache_info().misses == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("330521,德清县,330500,湖州市,33,county,2025,,\n" * 2, "appears twice"),
        ("110228,密云县,,,11,county,2014,110118,\n", "not current"),
        ("330521,德清县,330500,湖州市,33,prefecture,2025,,\n", "unknown form"),
    ],
)
def test_a_table_that_contradicts_itself_is_refused(body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(HEADER + "\n" + body)


def test_a_table_with_another_header_is_refused() -> None:
    with pytest.raises(ValueError, match="header"):
        parse("code,name\n330521,德清县\n")


CODES = """\
110000 北京市
110118 密云区
330000 浙江省
330500 湖州市
330521 德清县
460000 海南省
460400 儋州市
"""
HISTORY = """\
\ufeff代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码
110118,北京市,直辖,密云区,县级,在用,2015,,
110228,北京市,直辖,密云县,县级,弃用,1982,2015,110118
110208,北京市,直辖,密云县,县级,弃用,1980,1982,110228
330521,浙江省,湖州市,德清县,县级,在用,1983,,
330599,浙江省,湖州市,旧名县,县级,变更,1983,2016,330521
469003,海南省,直辖,儋州市,县级,弃用,1993,2015,460400
"""


def test_refresh_builds_current_rows_retired_rows_and_former_names() -> None:
    rows = refresh.build(CODES, HISTORY, edition=2025, since=2015)
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"110118", "330521", "110228", "330599"}
    assert by_code["330521"]["prefecture_name"] == "湖州市"
    assert by_code["330521"]["form"] == "county"
    assert by_code["110228"]["superseded_by"] == "110118"
    assert by_code["110228"]["edition"] == "2014"
    assert by_code["330599"]["superseded_by"] == "330521"
    out = io.StringIO()
    refresh.write(rows, out)
    table_ = parse(out.getvalue())
    assert table_.edition == 2025
    assert divisions.Division is type(table_.by_code["110118"])


def test_refresh_leaves_out_a_code_whose_successor_has_no_county_level_code() -> None:
    rows = refresh.build(CODES, HISTORY, edition=2025, since=2010)
    assert "469003" not in {r["code"] for r in rows}
    assert "110208" not in {r["code"] for r in rows}  # retired in 1982, before --since
