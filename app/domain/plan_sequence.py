"""When each task of a plan starts: quick wins whose preconditions hold in the first year,
structural work from the second stage, paths after the first stage of the paths they depend on,
and something started in the first year in every plan, a strong county's as much as a weak one's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.compiled import FIRST_DUTY
from app.domain.knowledge import Action
from app.domain.ranking import Ranked

FIRST_YEAR_PATHS = 3  # when nothing else would start in the first year, this many paths do
STAGES_NAMES = ("launch", "scale_up", "consolidate")
"""The stages in order; their names are the catalogue's ``plan_stage`` (app/locales)."""


@dataclass(frozen=True, slots=True)
class Stage:
    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Task:
    """One action of a path in the plan: its position in the path, and when it starts."""

    index: int
    action: Action
    start: int


def stages(start: int, horizon: int) -> tuple[Stage, ...]:
    """Three stages: two fifths of the years each for launch and scale-up, the rest (at least a
    year) to consolidate.

    >>> [(s.start, s.end) for s in stages(2026, 2030)]
    [(2026, 2027), (2028, 2029), (2030, 2030)]
    >>> [(s.start, s.end) for s in stages(2026, 2028)]
    [(2026, 2026), (2027, 2027), (2028, 2028)]
    >>> [(s.start, s.end) for s in stages(2026, 2035)]
    [(2026, 2029), (2030, 2033), (2034, 2035)]
    """
    years = horizon - start + 1
    first = max(1, round(years * 2 / 5))
    second = max(1, min(round(years * 2 / 5), years - first - 1))
    bounds = (start, start + first, start + first + second, horizon + 1)
    return tuple(Stage(n + 1, bounds[n], bounds[n + 1] - 1) for n in range(3))


def urgent(r: Ranked, flagged: Mapping[str, bool]) -> bool:
    """A path that answers a flagged challenge the data shows with enough confidence, or that
    carries a first duty of the county's declared kind, starts at once."""
    if any(d.weight >= FIRST_DUTY for d in r.duties):
        return True
    return any(flagged.get(c.challenge, False) for c in r.addresses)


def earliest(
    picked: Sequence[Ranked], phases: tuple[Stage, ...]
) -> tuple[dict[str, int], list[str]]:
    """The first stage (0-based) each path may use: none before the first stage of every path it
    depends on has run; and the paths whose dependencies could not all go first."""
    in_plan = {r.path.slug: r for r in picked}
    index: dict[str, int] = {}
    squeezed: list[str] = []
    last = len(phases) - 1

    def place(slug: str, trail: frozenset[str]) -> int:
        if slug in index:
            return index[slug]
        wanted = 0
        for dep in in_plan[slug].path.depends_on:
            if dep in in_plan and dep not in trail:
                wanted = max(wanted, place(dep, trail | {slug}) + 1)
        if wanted > last:
            squeezed.append(slug)
        index[slug] = min(wanted, last)
        return index[slug]

    for r in picked:
        place(r.path.slug, frozenset())
    return index, sorted(squeezed)


def _timing(action: Action, first: bool) -> str:
    """A task's timing; where the knowledge base does not say, a path's first action is its
    preparation (a survey, a list, a plan) and the rest are structural."""
    if action.timing is not None:
        return action.timing
    return "quick" if first else "structural"


def _start(timing: str, urgent_path: bool, floor: int, phases: tuple[Stage, ...]) -> int:
    """Quick tasks at the start of the first stage open to the path; structural ones of an
    urgent path a year later in that stage (when it has a second year); other structural tasks
    at the start of the next stage."""
    first = phases[min(floor, len(phases) - 1)]
    if timing == "quick":
        return first.start
    if urgent_path and floor == 0:
        return min(first.start + 1, first.end)
    return phases[min(max(floor, 1), len(phases) - 1)].start


def schedule(
    picked: Sequence[Ranked],
    phases: tuple[Stage, ...],
    urgency: Mapping[str, bool],
) -> tuple[dict[str, tuple[Task, ...]], list[str]]:
    """Each path's tasks with their start years, and the paths squeezed into the last stage."""
    first_stage, squeezed = earliest(picked, phases)
    out: dict[str, tuple[Task, ...]] = {}
    for r in picked:
        floor, hurry = first_stage[r.path.slug], urgency[r.path.slug]
        tasks = []
        for n, i in enumerate(r.actions):
            action = r.path.actions[i]
            tasks.append(Task(i, action, _start(_timing(action, n == 0), hurry, floor, phases)))
        out[r.path.slug] = tuple(tasks)
    _first_year(picked, out, phases[0].start, first_stage)
    return out, squeezed


def _first_year(
    picked: Sequence[Ranked],
    tasks: dict[str, tuple[Task, ...]],
    year: int,
    first_stage: Mapping[str, int],
) -> None:
    """Every plan starts something in its first year: when nothing would, the first task of the
    best-ranked paths free to start does (a survey, a plan, a service desk)."""
    if any(t.start == year for ts in tasks.values() for t in ts):
        return
    free = [r for r in picked if first_stage[r.path.slug] == 0 and tasks[r.path.slug]]
    for r in free[:FIRST_YEAR_PATHS]:
        first, *rest = tasks[r.path.slug]
        tasks[r.path.slug] = (Task(first.index, first.action, year), *rest)
