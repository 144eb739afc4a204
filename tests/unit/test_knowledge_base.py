"""The seed knowledge base: counts, coverage, citations and both languages."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import BaseModel

from app.domain.integrity import check_references
from app.domain.knowledge import FAMILIES, KnowledgeBase, Source, Text

CONTRACT_KEYS = {
    "gdp_cny_100m", "resident_population_10k", "gdp_per_capita_cny", "urbanization_rate_pct",
    "general_budget_revenue_cny_100m", "general_budget_expenditure_cny_100m",
    "urban_rural_income_ratio", "primary_share_pct", "secondary_share_pct", "tertiary_share_pct",
    "hightech_industry_share_pct", "strategic_emerging_share_pct", "digital_core_share_pct",
    "top_industry_share_pct", "rd_intensity_pct", "hightech_enterprises", "invention_patents_per_10k",
    "new_product_sales_share_pct", "rd_personnel_per_10k_employed", "college_educated_per_100k",
    "resident_to_registered_ratio", "physicians_per_1k", "distance_to_core_city_km",
    "wage_ratio_to_core_city", "foreign_trade_cny_100m", "fdi_usd_100m", "export_delivery_share_pct",
    "hightech_export_share_pct", "energy_intensity_tce_per_10k_cny", "pm25_ugm3", "forest_cover_pct",
    "trade_dependence_pct", "trade_lq", "fdi_intensity_pct", "fiscal_self_sufficiency",
}  # fmt: skip
CONTRACT_SIGNALS = {
    "emerging-industries-missing", "weak-chain-integration", "low-industrial-diversity",
    "public-services-gap", "brain-drain-to-metropolis", "firms-rd-outside-county",
    "exporters-mostly-smes", "low-hightech-exports", "weak-international-brands",
}  # fmt: skip
PAPER_CHALLENGES = {
    "incomplete-industrial-structure": "5.1",
    "high-end-talent-retention": "5.2",
    "insufficient-opening-up": "5.3",
}


def _walk(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out += _walk(getattr(value, name))
    elif isinstance(value, list | tuple):
        for v in value:
            out += _walk(v)
    return out


def test_references_hold(kb: KnowledgeBase) -> None:
    assert check_references(kb) == []


def test_counts(kb: KnowledgeBase) -> None:
    assert len(kb.indicators) >= 35
    assert len(kb.challenges) >= 7
    assert len(kb.paths) >= 18
    assert len(kb.examples) >= 15
    assert Counter(p.family for p in kb.paths).keys() == set(FAMILIES)
    assert min(Counter(p.family for p in kb.paths).values()) >= 5
    assert {"china-2024", "zhejiang-2023", "zhejiang-2024"} <= {b.slug for b in kb.benchmarks}
    assert {"deqing", "kunshan", "cixi"} <= {r.slug for r in kb.reference_counties}
    assert {b.kind for b in kb.benchmarks} >= {"national", "provincial", "policy_target"}


def test_contract_vocabulary_exists(kb: KnowledgeBase) -> None:
    keys = {i.key for i in kb.indicators}
    assert keys >= CONTRACT_KEYS
    derived = {i.key for i in kb.indicators if i.derived}
    assert derived >= {
        "trade_dependence_pct",
        "trade_lq",
        "fdi_intensity_pct",
        "fiscal_self_sufficiency",
    }
    assert {s.slug for s in kb.signals} >= CONTRACT_SIGNALS
    challenges = {c.slug: c for c in kb.challenges}
    for slug, section in PAPER_CHALLENGES.items():
        assert challenges[slug].source.section == section


def test_every_indicator_is_fully_described(kb: KnowledgeBase) -> None:
    for ind in kb.indicators:
        assert ind.min < ind.max
        assert ind.plausible is not None, ind.key
        if ind.derived:
            assert ind.formula, ind.key
            assert ind.inputs, ind.key


def test_every_path_has_an_example_or_says_why(kb: KnowledgeBase) -> None:
    illustrated = {slug for e in kb.examples for slug in e.paths}
    for path in kb.paths:
        assert path.slug in illustrated or path.no_example_reason is not None, path.slug
        # an action written for a county whose debt binds replaces one that borrows: a county
        # sees one of the two, so it is not counted twice
        alternatives = [
            a
            for a in path.actions
            if any(r.constraint == "debt" and r.status == ["binding"] for r in a.requires)
        ]
        assert 3 <= len(path.actions) - len(alternatives) <= 6, path.slug


def test_a_binding_output_keeps_the_action_that_delivers_it(kb: KnowledgeBase) -> None:
    """A path that sets a binding (约束性) output target for every county keeps every action
    under a binding debt constraint: such tasks (high-standard farmland) are paid by earmarked
    central and provincial money, and a target left without the action that delivers it would be
    a target the plan cannot meet."""
    for path in kb.paths:
        if not any(k.kind == "binding" and not k.requires for k in path.output_kpis):
            continue
        for action in path.actions:
            debt = [r for r in action.requires if r.constraint == "debt"]
            assert all("binding" in (r.status or ()) for r in debt), (path.slug, action.text)


def test_every_challenge_has_a_path_in_each_family(kb: KnowledgeBase) -> None:
    for ch in kb.challenges:
        families = {p.family for p in kb.paths for a in p.addresses if a.challenge == ch.slug}
        assert ch.family in families, ch.slug
        assert families == set(FAMILIES) or ch.coverage_note is not None, (ch.slug, families)
        # Paper challenges are answered by all three families.
        if ch.slug in PAPER_CHALLENGES:
            assert families == set(FAMILIES), (ch.slug, families)


def test_every_cited_section_exists(kb: KnowledgeBase) -> None:
    sections = {d.slug: set(d.sections) for d in kb.meta.documents}
    cited = [s for s in _walk(kb) if isinstance(s, Source) and s.document]
    assert cited
    for src in cited:
        assert src.section in sections[src.document]


def test_every_text_is_bilingual_and_distinct(kb: KnowledgeBase) -> None:
    texts = [t for t in _walk(kb) if isinstance(t, Text)]
    assert len(texts) > 500
    for t in texts:
        assert t.en.strip()
        assert t.zh.strip()
        assert t.en != t.zh
        assert re.search(r"[\u4e00-\u9fff]", t.zh)


def test_every_figure_has_a_source(kb: KnowledgeBase) -> None:
    for holder in [*kb.benchmarks, *kb.reference_counties]:
        for fig in holder.values:
            assert fig.source is not None
            assert fig.tag in "VSPDR"
            if fig.printed is not None:
                assert fig.note is not None


def test_paper_unit_errors_are_recorded_not_hidden(kb: KnowledgeBase) -> None:
    deqing = next(r for r in kb.reference_counties if r.slug == "deqing")
    fdi = next(v for v in deqing.values if v.indicator == "fdi_usd_100m")
    assert fdi.value == 0.9871
    assert fdi.printed == 9.871
    zj = next(b for b in kb.benchmarks if b.slug == "zhejiang-2024")
    trade = next(v for v in zj.values if v.indicator == "foreign_trade_cny_100m")
    assert trade.value == 52641.26
    assert trade.printed == 5264.126
    # The paper's "0.6% of the province" holds with the corrected total.
    assert round(344.7 / trade.value * 100, 2) == 0.65
