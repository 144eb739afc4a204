"""Engine time per profile (median of repeated runs), pure Python, no HTTP, no database."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from app.domain.profile import County, ProfileInput
from app.domain.result import recommend
from app.domain.snapshot import compile_snapshot
from app.services.seeding import load_seeds
from bench.profiles import synthetic_profiles

ROOT = Path(__file__).resolve().parent.parent


def main(count: int = 300, rounds: int = 5) -> dict[str, float]:
    kb = load_seeds(ROOT / "seeds")
    snap = compile_snapshot(kb, 1, kb.checksum())
    inputs = [
        ProfileInput(County(**p["county"]), p["indicators"], tuple(p["signals"]), None)
        for p in synthetic_profiles(snap, count)
    ]
    for p in inputs[:20]:
        recommend(snap, p, "en")  # warm the caches
    per_profile = []
    for _ in range(rounds):
        start = time.perf_counter()
        for p in inputs:
            recommend(snap, p, "en")
        per_profile.append((time.perf_counter() - start) / len(inputs) * 1000)
    result = {"engine_ms_per_profile_median": round(statistics.median(per_profile), 3)}
    print(result)
    return result


if __name__ == "__main__":
    main()
