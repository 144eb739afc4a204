"""Peers: the reference counties closest to a profile on the indicators both have.

Each shared indicator contributes a normalised gap in [0, 1]: on a log scale for size-like
indicators (so 500 vs 5,000 亿 is as far as 50 vs 500), linearly across the plausible range
otherwise. Distance is the root mean square of the gaps; similarity is 1 - distance.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot


class Peer(NamedTuple):
    slug: str
    similarity: float
    compared: tuple[str, ...]


def _gap(snap: Snapshot, key: str, a: float, b: float) -> float | None:
    ind = snap.indicators[key]
    lo, hi = ind.plausible if ind.plausible else (ind.min, ind.max)
    if ind.scale == "log":
        if a <= 0 or b <= 0:
            return None
        width = math.log(hi / max(lo, hi * 1e-6))
        return min(1.0, abs(math.log(a / b)) / width) if width > 0 else None
    width = hi - lo
    return min(1.0, abs(a - b) / width) if width > 0 else None


def find_peers(snap: Snapshot, profile: ValidProfile) -> tuple[Peer, ...]:
    bench = profile.benchmark.benchmark.slug
    tuning = snap.kb.meta.tuning
    min_shared = tuning.peers_min_shared.value
    peers: list[Peer] = []
    for slug, values in snap.county_values[bench].items():
        shared = sorted(k for k in profile.values.keys() & values.keys())
        gaps: list[float] = []
        used: list[str] = []
        for key in shared:
            gap = _gap(snap, key, profile.values[key], values[key])
            if gap is not None:
                gaps.append(gap)
                used.append(key)
        if len(gaps) < min_shared:
            continue
        distance = math.sqrt(sum(g * g for g in gaps) / len(gaps))
        peers.append(Peer(slug, round(max(0.0, 1 - distance), 3), tuple(used)))
    peers.sort(key=lambda p: (-p.similarity, p.slug))
    return tuple(peers[: int(tuning.peers_max.value)])
