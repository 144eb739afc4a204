"""A 3,000-profile batch through the HTTP batch endpoint against single requests, and a worker's
peak resident memory afterwards."""

from __future__ import annotations

import statistics
import time

import httpx
import orjson

from app.domain.snapshot import compile_snapshot
from app.services.seeding import load_seeds
from bench.profiles import synthetic_profiles
from bench.server import ROOT, peak_rss_mb, running


def main(batch_size: int = 3000, singles: int = 300) -> dict[str, float]:
    kb = load_seeds(ROOT / "seeds")
    snap = compile_snapshot(kb, 1, kb.checksum())
    profiles = synthetic_profiles(snap, batch_size)
    bodies = [orjson.dumps(p) for p in profiles[:singles]]
    batch_body = orjson.dumps(profiles)
    headers = {"content-type": "application/json"}
    with running() as server, httpx.Client(base_url=server.base, timeout=120) as client:
        for body in bodies[:30]:
            client.post("/v1/recommendations", content=body, headers=headers)
        latencies = []
        for body in bodies:
            start = time.perf_counter()
            res = client.post("/v1/recommendations", content=body, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            assert res.status_code == 200, res.text
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            res = client.post("/v1/recommendations/batch", content=batch_body, headers=headers)
            runs.append((time.perf_counter() - start) * 1000)
            assert res.status_code == 200
            assert res.json()["succeeded"] == batch_size
        rss = max(peak_rss_mb(pid) for pid in server.worker_pids())
    single = statistics.median(latencies)
    batch_total = statistics.median(runs)
    per_profile = batch_total / batch_size
    result = {
        "single_request_ms_median": round(single, 3),
        "batch_3000_total_ms_median": round(batch_total, 1),
        "batch_ms_per_profile": round(per_profile, 3),
        "batch_per_profile_vs_single_pct": round(per_profile / single * 100, 1),
        "worker_peak_rss_mb": round(rss, 1),
    }
    print(result)
    return result


if __name__ == "__main__":
    main()
