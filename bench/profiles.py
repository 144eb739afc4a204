"""Synthetic county profiles for benchmarks: seeded, inside each indicator's plausible range."""

from __future__ import annotations

import random
from typing import Any

from app.domain.snapshot import Snapshot

CORE = [
    "gdp_cny_100m", "resident_population_10k", "urbanization_rate_pct", "urban_rural_income_ratio",
    "foreign_trade_cny_100m", "fdi_usd_100m", "tertiary_share_pct", "hightech_industry_share_pct",
    "rd_intensity_pct", "digital_core_share_pct", "college_educated_per_100k", "physicians_per_1k",
    "energy_intensity_tce_per_10k_cny", "pm25_ugm3", "general_budget_revenue_cny_100m",
    "general_budget_expenditure_cny_100m",
]  # fmt: skip


def synthetic_profiles(snap: Snapshot, count: int, seed: int = 2025) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    signals = sorted(snap.signals)
    out = []
    for i in range(count):
        indicators = {}
        for key in rng.sample(CORE, rng.randint(6, len(CORE))):
            lo, hi = snap.indicators[key].plausible or (
                snap.indicators[key].min,
                snap.indicators[key].max,
            )
            indicators[key] = round(rng.uniform(lo, hi), 3)
        out.append(
            {
                "county": {"name": f"County {i}", "province": "Zhejiang", "year": 2024},
                "indicators": indicators,
                "signals": rng.sample(signals, rng.randint(0, 4)),
            }
        )
    return out
