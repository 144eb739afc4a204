"""Peers: the reference counties closest to a profile, among those that are comparable.

Comparable means sharing at least ``peers_min_shared`` indicators with the profile (counting only
figures given, not those derived from them) and having a
GDP per head within a factor of ``peers_max_level_ratio`` of the county's (so a county of 30,000
yuan a head is not compared with one of 150,000). Each shared indicator contributes a normalised
gap in [0, 1]: on a log scale for size-like indicators (500 vs 5,000 亿 is as far as 50 vs 500),
linearly across the plausible range otherwise. Distance is the root mean square of the gaps;
similarity is 1 - distance. When no county is comparable the result says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

from app.domain.compiled import Scale
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot

LEVEL = "gdp_per_capita_cny"


class Peer(NamedTuple):
    slug: str
    similarity: float
    compared: tuple[str, ...]


class Peers(NamedTuple):
    peers: tuple[Peer, ...]
    note: Literal["no_comparable_peers", "peers_need_level"] | None


def _gap(scale: Scale, a: float, b: float) -> float | None:
    if scale.log:
        if a <= 0 or b <= 0:
            return None
        return min(1.0, abs(math.log(a / b)) / scale.width)
    return min(1.0, abs(a - b) / scale.width)


def _comparable_level(ours: float, theirs: float | None, ratio: float) -> bool:
    return theirs is not None and theirs > 0 and 1 / ratio <= ours / theirs <= ratio


def _peer(
    slug: str,
    mine: list[tuple[str, float, Scale]],
    theirs: Mapping[str, float],
    min_shared: float,
) -> Peer | None:
    squares = 0.0
    used: list[str] = []
    independent = 0
    for key, value, scale in mine:
        other = theirs.get(key)
        if other is None:
            continue
        gap = _gap(scale, value, other)
        if gap is not None:
            squares += gap * gap
            used.append(key)
            independent += not scale.derived
    if independent < min_shared:
        return None
    distance = math.sqrt(squares / len(used))
    return Peer(slug, round(max(0.0, 1 - distance), 3), tuple(used))


def find_peers(snap: Snapshot, profile: ValidProfile) -> Peers:
    level = profile.values.get(LEVEL)
    if level is None:
        return Peers((), "peers_need_level")
    tuning = snap.tuning
    ratio, min_shared = tuning.peers_max_level_ratio.value, tuning.peers_min_shared.value
    known = snap.peer_scales
    mine = [(k, profile.values[k], known[k]) for k in sorted(profile.values) if k in known]
    found: list[Peer] = []
    for slug, values in snap.county_values[profile.benchmark.slug].items():
        if _comparable_level(level, values.get(LEVEL), ratio):
            peer = _peer(slug, mine, values, min_shared)
            if peer is not None:
                found.append(peer)
    found.sort(key=lambda p: (-p.similarity, p.slug))
    peers = tuple(found[: int(tuning.peers_max.value)])
    return Peers(peers, None if peers else "no_comparable_peers")
