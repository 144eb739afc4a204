"""`countypath kb check` holds the knowledge base to what its tags and citations claim: each rule
fails on a seeded counter-example (a copy of the seeds with one line changed) and names the file,
item and field (seeds/README.md, "Provenance rules")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.conftest import ROOT, seeds_with

PAPER = Path(
    os.environ.get(
        "COUNTYPATH_PAPER_TEXT", ROOT.parent / "shared" / "paper" / "yuan-2025-deqing.txt"
    )
)
needs_paper = pytest.mark.skipif(
    not PAPER.is_file() and os.environ.get("COUNTYPATH_REQUIRE_PAPER") != "1",
    reason=f"the paper's text is not at {PAPER} (set COUNTYPATH_PAPER_TEXT)",
)
ZJ23 = "benchmarks/zhejiang-2023.yaml"
ZJ23_URL = "http://zjzd.stats.gov.cn/zwgk/xxgkml/tjxx/tjgb/202403/t20240304_110816.html"


def kb_check(seeds: Path, paper: Path | None = None) -> tuple[int, str]:
    """Exit code and everything the check printed."""
    args = ["kb", "check", "--seeds", str(seeds), "--paper", str(paper or PAPER)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def fails(seeds: Path, *expected: str, paper: Path | None = None) -> str:
    code, output = kb_check(seeds, paper)
    assert code == 1, output
    for text in expected:
        assert text in output, output
    return output


def test_a_v_on_a_mirror_host_fails(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, ZJ23, ZJ23_URL, "https://chujupifa.com/read/zj-2023.html")
    fails(
        seeds,
        "seeds/benchmarks/zhejiang-2023.yaml: item 'zhejiang-2023': field values.0.tag:",
        "chujupifa.com, a known mirror",
    )


def test_a_v_whose_publisher_names_a_re_post_fails(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        ZJ23,
        'publisher: Zhejiang Provincial Bureau of Statistics, publisher_zh: "浙江省统计局"',
        'publisher: "Zhejiang Provincial Bureau of Statistics (re-post on a forum)", '
        'publisher_zh: "浙江省统计局（论坛转载）"',
    )
    fails(seeds, "field values.0.source.tag: tag V, but the page is not the publisher's own")


def test_a_v_without_the_publishers_address_fails(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, ZJ23, f'url: "{ZJ23_URL}", ', "", count=1)
    fails(seeds, "tag V names the publisher's page: give its url")


def test_tag_p_is_for_the_paper_only(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        ZJ23,
        "value: 74.2\n    year: 2023\n    tag: V",
        "value: 74.2\n    year: 2023\n    tag: P",
    )
    fails(seeds, "field values.2.tag: tag P is for what the paper prints")


@needs_paper
def test_a_line_cited_to_the_paper_must_be_printed_in_it(tmp_path: Path) -> None:
    file = "challenges/high-end-talent-retention.yaml"
    text = (ROOT / "seeds" / file).read_text(encoding="utf-8")
    heuristic = next(
        line for line in text.splitlines() if "80 km is about an hour by road" in line
    ).strip()
    seeds = seeds_with(tmp_path, file, heuristic, 'anchor: {document: yuan-2025, section: "5.2"}')
    fails(
        seeds,
        "challenges: item 'high-end-talent-retention': field rules.5.watch: the watch line 80 "
        "is anchored to yuan-2025 §5.2, which does not print it",
    )


@needs_paper
def test_a_paper_figure_must_be_printed_in_it(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, "reference_counties/deqing.yaml", "value: 344.7", "value: 345.7")
    fails(seeds, "reference_counties: item 'deqing': field values.5.value: 345.7 is cited")


def test_without_the_paper_its_check_is_skipped_with_the_reason(tmp_path: Path) -> None:
    code, output = kb_check(ROOT / "seeds", tmp_path / "no-paper.txt")
    assert code == 0, output
    assert "paper check skipped" in output
    assert "no-paper.txt is not found (set COUNTYPATH_PAPER_TEXT)" in output


def test_an_example_figure_needs_a_tag(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "examples/kunshan.yaml",
        'section: "5.3", doi: "10.62177/apemr.v2i3.373", tag: P}',
        'section: "5.3", doi: "10.62177/apemr.v2i3.373"}',
    )
    fails(
        seeds,
        "seeds/examples/kunshan.yaml: item 'kunshan-cixi-lead-firms': field figures.0.tag: no tag",
    )


def test_an_example_needs_a_year(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, "examples/gushi.yaml", "  year: 2016\n", "")
    fails(
        seeds,
        "item 'gushi-return-project': field year: every example states its year",
        "item 'gushi-return-project': field figures.0.year: no year",
    )


def test_a_paper_example_figure_is_tagged_p(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "examples/kunshan.yaml",
        'section: "5.3", doi: "10.62177/apemr.v2i3.373", tag: P}',
        'section: "5.3", doi: "10.62177/apemr.v2i3.373", tag: S}',
    )
    fails(seeds, "field figures.0.tag: a figure printed in the paper is tagged P, not S")


def test_a_benchmark_value_of_another_year_says_why(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, ZJ23, "value: 74.2\n    year: 2023", "value: 74.2\n    year: 2022")
    fails(
        seeds,
        "item 'zhejiang-2023': field values.2.note: a 2022 value in the 2023 set: its note",
    )


def test_an_older_county_figure_says_so(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "reference_counties/kunshan.yaml",
        "value: 5380.17\n    year: 2024",
        "value: 5380.17\n    year: 2021",
    )
    fails(seeds, "item 'kunshan': field values.0.note: a 2021 value beside 2024 ones")


def test_figures_of_one_set_agree(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, "benchmarks/qinghai-2023.yaml", "value: 63903", "value: 83903")
    fails(
        seeds,
        "item 'qinghai-2023': field values.6.value: 83903 disagrees with",
        "bring them to one year",
    )


def test_an_address_must_be_well_formed(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, ZJ23, ZJ23_URL, ZJ23_URL + "/{{href}}")
    fails(seeds, "field values.0.source.url:", "holds '{'")


def test_a_publisher_has_a_chinese_name(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, ZJ23, ', publisher_zh: "浙江省统计局"', "", count=1)
    fails(seeds, "field source.publisher_zh: give publisher_zh")


def test_a_printed_source_never_names_the_mirror(tmp_path: Path) -> None:
    seeds = seeds_with(
        tmp_path,
        "examples/renhuai.yaml",
        "People's Daily, 28 July 2022, series on county towns (low-quality mirror)",
        "People's Daily series on county towns re-posted on eupeople.com.cn",
    )
    fails(seeds, "field source.publisher: printed as", "which still names a mirror")


def test_the_seeds_pass() -> None:
    code, output = kb_check(ROOT / "seeds")
    assert code == 0, output
    assert "seeds valid" in output
