"""Peers: the reference counties a county can learn from, those most like it first.

Never the county itself (the same code or name). A reference county is comparable when its GDP
per head is within a factor of ``peers_max_level_ratio`` of the county's (a county of 30,000 yuan
a head is not compared with one of 150,000) and it shares at least ``peers_min_shared``
indicators with the profile (figures given, not derived). Among the comparable ones, those of the
same declared zone and kinds come first, then those of the same region, then the closest on the
shared indicators: each indicator gives a normalised gap in [0, 1], on a log scale for size-like
indicators (500 vs 5,000 亿 is as far as 50 vs 500) and linearly across the plausible range
otherwise; similarity is 1 - the root mean square of the gaps. Each peer says in words why it is
comparable; when none is, the result says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

from app.domain.compiled import Scale
from app.domain.knowledge import CountyKind, Province, ReferenceCounty
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot

LEVEL = "gdp_per_capita_cny"
SIZE = "resident_population_10k"


class Peer(NamedTuple):
    slug: str
    similarity: float
    compared: tuple[str, ...]
    kinds: tuple[CountyKind, ...]  # the kinds both counties have
    declared_kinds: int  # how many of them the county itself declares
    same_zone: bool
    same_province: bool
    same_region: bool
    level: float  # the peer's GDP per head
    size: float | None  # the peer's resident population (10k), when both give it


class Peers(NamedTuple):
    peers: tuple[Peer, ...]
    note: Literal["no_comparable_peers", "peers_need_level"] | None


def _scaled(scale: Scale, value: float) -> float | None:
    """A figure where gaps are measured: its logarithm on a log scale (a / b can underflow),
    itself otherwise; None when no gap can be measured (a size of zero or less)."""
    if scale.log:
        return math.log(value) if value > 0 else None
    return value


class _Point(NamedTuple):
    """A reference county as peers are sought under one benchmark: its figures, and each
    figure it can be compared on already on its scale (fixed by the snapshot, so once)."""

    county: ReferenceCounty
    province: Province | None
    values: Mapping[str, float]
    scaled: Mapping[str, float]


def _points(snap: Snapshot, benchmark: str) -> Mapping[str, _Point]:
    found = snap.memo.peer_points.get(benchmark)
    if found is None:
        found = snap.memo.peer_points[benchmark] = {
            slug: _point(snap, snap.counties[slug], values)
            for slug, values in snap.county_values[benchmark].items()
        }
    return found


def _point(snap: Snapshot, county: ReferenceCounty, values: Mapping[str, float]) -> _Point:
    scaled = {}
    for key, value in values.items():
        scale = snap.peer_scales.get(key)
        at = None if scale is None else _scaled(scale, value)
        if at is not None:
            scaled[key] = at
    province = snap.provinces_by_name.get(county.province.strip().lower())
    return _Point(county, province, values, scaled)


def _comparable_level(ours: float, theirs: float | None, ratio: float) -> bool:
    return theirs is not None and theirs > 0 and 1 / ratio <= ours / theirs <= ratio


def _similarity(
    mine: list[tuple[str, float, float, bool]], theirs: Mapping[str, float], min_shared: float
) -> tuple[float, tuple[str, ...]] | None:
    """``mine`` (key, figure, the scale's width, whether the figure is independent) and
    ``theirs`` on their scales (``_scaled``): each gap is their difference over the scale's
    width, at most 1."""
    squares = 0.0
    used: list[str] = []
    independent = 0
    for key, value, width, own in mine:
        other = theirs.get(key)
        if other is None:
            continue
        gap = min(1.0, abs(value - other) / width)
        squares += gap * gap
        used.append(key)
        independent += own
    if independent < min_shared:
        return None
    return round(max(0.0, 1 - math.sqrt(squares / len(used))), 3), tuple(used)


def _peer(
    snap: Snapshot,
    profile: ValidProfile,
    point: _Point,
    mine: list[tuple[str, float, float, bool]],
) -> Peer | None:
    found = _similarity(mine, point.scaled, snap.tuning.peers_min_shared.value)
    if found is None:
        return None
    similarity, used = found
    county, province, values = point.county, point.province, point.values
    size = values.get(SIZE) if SIZE in profile.values else None
    shared = set(county.kinds) & profile.kind_slugs
    return Peer(
        county.slug,
        similarity,
        used,
        tuple(sorted(shared)),
        len(shared & profile.declared_slugs),
        profile.zone is not None and county.main_function_zone == profile.zone,
        _same(province, profile.province),
        province is not None
        and profile.province is not None
        and province.region == profile.province.region,
        values[LEVEL],
        size,
    )


def _same(province: Province | None, other: Province | None) -> bool:
    """Whether both are the same known province: the same snapshot's is the same object, and
    one of another slug is not compared field by field."""
    if province is None or other is None:
        return False
    return province is other or (province.slug == other.slug and province == other)


def _order(p: Peer) -> tuple[int, int, int, int, float, str]:
    """Same declared zone, then the kinds the county declares, then the same province and
    region, then the closest figures. Kinds read only off the county's figures are said in the
    peer's reason but do not put it first."""
    return (
        -int(p.same_zone),
        -p.declared_kinds,
        -int(p.same_province),
        -int(p.same_region),
        -p.similarity,
        p.slug,
    )


def find_peers(snap: Snapshot, profile: ValidProfile) -> Peers:
    level = profile.values.get(LEVEL)
    if level is None:
        return Peers((), "peers_need_level")
    ratio = snap.tuning.peers_max_level_ratio.value
    known = snap.peer_scales
    mine = []
    for key in sorted(profile.values):
        scale = known.get(key)
        at = None if scale is None else _scaled(scale, profile.values[key])
        if scale is not None and at is not None:
            mine.append((key, at, scale.width, not scale.derived))
    found: list[Peer] = []
    for slug, point in _points(snap, profile.benchmark.slug).items():
        if slug in profile.own_slugs or not _comparable_level(
            level, point.values.get(LEVEL), ratio
        ):
            continue
        peer = _peer(snap, profile, point, mine)
        if peer is not None:
            found.append(peer)
    found.sort(key=_order)
    peers = tuple(found[: int(snap.tuning.peers_max.value)])
    return Peers(peers, None if peers else "no_comparable_peers")
