"""A small hand-made knowledge base, so engine tests do not depend on the seed content."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.domain.knowledge import KnowledgeBase
from app.domain.snapshot import Snapshot, compile_snapshot

PAPER = {"document": "paper", "section": "1"}
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@cache
def seed_meta() -> dict[str, Any]:
    """The seeds' meta document: tests share its tuning and vocabularies, not its content."""
    meta: dict[str, Any] = yaml.safe_load((SEEDS / "meta.yaml").read_text(encoding="utf-8"))
    return meta


def t(en: str) -> dict[str, str]:
    return {"en": en, "zh": f"中文：{en}"}


def make_kb(**overrides: Any) -> KnowledgeBase:
    data: dict[str, Any] = {
        "meta": {
            "title": t("test kb"),
            "documents": [{"slug": "paper", "title": "P", "sections": ["1", "2"]}],
            "tuning": seed_meta()["tuning"],
            "provinces": seed_meta()["provinces"],
        },
        "indicators": [
            _ind("gdp", "economy", 1, 100000, (10, 5000), scale="log"),
            _ind("gdp_per_capita_cny", "economy", 1000, 5000000, (10000, 900000)),
            _ind("share_a", "industry", 0, 100, (1, 90)),
            _ind("share_b", "industry", 0, 100, (1, 90)),
            _ind("ratio_c", "economy", 0, 10, (1, 3), direction="lower_is_better"),
            _ind("trade", "opening", 0, 1e12, (1, 10000), scale="log"),
            {
                **_ind("trade_dep", "opening", 0, 1e15, (0.5, 300)),
                "derived": True,
                "formula": "trade / gdp * 100",
                "inputs": ["trade", "gdp"],
                "slips": [{"factor": 10000, "input": "trade", "text": t("trade typed in wan")}],
            },
            {
                **_ind("trade_lq", "opening", 0, 1e15, (0.05, 8)),
                "derived": True,
                "formula": "trade_dep / benchmark.trade_dep",
                "inputs": ["trade_dep"],
            },
        ],
        "benchmarks": [
            {
                "slug": "bench",
                "kind": "provincial",
                "region": "Zhejiang",
                "year": 2024,
                "title": t("bench"),
                "description": t("bench set"),
                "source": {"publisher": "stats"},
                "values": [
                    _fig("share_a", 50),
                    _fig("trade_dep", 50),
                ],
            },
            {
                "slug": "nation",
                "kind": "national",
                "region": "China",
                "year": 2024,
                "title": t("nation"),
                "description": t("nation set"),
                "source": {"publisher": "stats"},
                "values": [_fig("share_a", 40)],
            },
        ],
        "signals": [
            {
                "slug": "sig-one",
                "challenge": "alpha",
                "label": t("s1"),
                "description": t("s1d"),
                "source": PAPER,
            },
            {
                "slug": "sig-two",
                "challenge": "alpha",
                "label": t("s2"),
                "description": t("s2d"),
                "source": PAPER,
            },
            {
                "slug": "sig-three",
                "challenge": "beta",
                "label": t("s3"),
                "description": t("s3d"),
                "source": PAPER,
            },
        ],
        "challenges": [
            {
                "slug": "alpha",
                "family": "industry",
                "title": t("Alpha"),
                "summary": t("a"),
                "reasoning": t("a r"),
                "min_indicators": 2,
                "source": PAPER,
                "rules": [
                    _rule(
                        "share_a",
                        "below",
                        {"ratio": 1.0, "fallback": 45},
                        {"ratio": 0.8, "fallback": 30},
                    ),
                    _rule("share_b", "below", {"value": 20}, {"value": 10}),
                    _rule("ratio_c", "above", {"value": 2.0}, {"value": 2.5}),
                ],
            },
            {
                "slug": "beta",
                "family": "policy",
                "title": t("Beta"),
                "summary": t("b"),
                "reasoning": t("b r"),
                "min_indicators": 1,
                "source": PAPER,
                "rules": [_rule("trade_lq", "below", {"value": 0.9}, {"value": 0.6})],
            },
            {
                "slug": "gamma",
                "family": "talent",
                "title": t("Gamma"),
                "summary": t("g"),
                "reasoning": t("g r"),
                "min_indicators": 1,
                "source": PAPER,
                "rules": [_rule("ratio_c", "above", {"value": 1.8}, {"value": 2.2})],
            },
        ],
        "paths": [
            _path("p-industry", "industry", [("alpha", 1.0)]),
            _path("p-policy", "policy", [("beta", 1.0), ("alpha", 0.2)]),
            _path("p-talent", "talent", [("gamma", 0.9)]),
            _path("p-industry-2", "industry", [("alpha", 0.9)]),
        ],
        "examples": [
            {
                "slug": "ex-one",
                "title": t("ex"),
                "summary": t("exs"),
                "paths": ["p-industry"],
                "source": PAPER,
            }
        ],
        "reference_counties": [
            {
                "slug": "peer-a",
                "name": t("Peer A"),
                "code": "330101",
                "province": "Zhejiang",
                "values": [
                    _fig("gdp", 700),
                    _fig("trade", 350),
                    _fig("share_a", 40),
                    _fig("gdp_per_capita_cny", 100000),
                    _fig("share_b", 20),
                    _fig("ratio_c", 1.5),
                ],
            },
            {
                "slug": "peer-b",
                "name": t("Peer B"),
                "code": "320000",
                "province": "Jiangsu",
                "values": [
                    _fig("gdp", 5000),
                    _fig("trade", 7000),
                    _fig("gdp_per_capita_cny", 400000),
                    _fig("share_a", 60),
                    _fig("share_b", 30),
                ],
            },
        ],
    }
    data.update(overrides)
    return KnowledgeBase.model_validate(data)


def make_snapshot(**overrides: Any) -> Snapshot:
    kb = make_kb(**overrides)
    return compile_snapshot(kb, 7, kb.checksum())


def _ind(
    key: str, dim: str, lo: float, hi: float, plausible: tuple[float, float], **extra: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "dimension": dim,
        "unit": "pct",
        "unit_label": t("unit"),
        "label": t(key),
        "description": t(f"{key} description"),
        "direction": extra.pop("direction", "higher_is_better"),
        "min": lo,
        "max": hi,
        "plausible": list(plausible),
        **extra,
    }


def _fig(key: str, value: float) -> dict[str, Any]:
    return {
        "indicator": key,
        "value": value,
        "year": 2024,
        "tag": "V",
        "source": {"publisher": "stats"},
    }


def _rule(key: str, bad: str, watch: dict[str, float], flag: dict[str, float]) -> dict[str, Any]:
    return {
        "indicator": key,
        "bad_when": bad,
        "watch": watch,
        "flag": flag,
        "weight": 1.0,
        "anchor": {"publisher": "x"},
    }


def _path(slug: str, family: str, addresses: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "slug": slug,
        "family": family,
        "origin": "paper",
        "title": t(slug),
        "summary": t(f"{slug} summary"),
        "actions": [t("one"), t("two"), t("three")],
        "addresses": [{"challenge": c, "weight": w, "why": t("because")} for c, w in addresses],
        "source": PAPER,
    }


# Huangchuan County (Henan) 2023 statistical bulletin, as in seeds/cases/grain.yaml.
HUANGCHUAN_2023 = {
    "gdp_cny_100m": 320.39,
    "resident_population_10k": 61.36,
    "urbanization_rate_pct": 59.39,
    "primary_share_pct": 14.8,
    "secondary_share_pct": 30.1,
    "tertiary_share_pct": 55.1,
    "general_budget_revenue_cny_100m": 10.8,
    "general_budget_expenditure_cny_100m": 54.06,
}
