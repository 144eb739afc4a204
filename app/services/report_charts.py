"""The report's charts as inline SVG: the indicators against their lines, the plan's timeline and
one line chart per watched indicator over the years. No script, no external host, and the same
input always draws the same bytes (the chart library's random element ids are replaced)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import escape

from app.domain.knowledge import Lang
from app.domain.language import language
from app.domain.plan_types import Plan
from app.domain.result_types import EvidenceOut, RecommendationResult
from app.schemas.common import UUID_TEXT
from app.services.wording import Labels

BAND_COLOURS = {"flag": "#b3261e", "watch": "#c77700", "ok": "#2e7d32"}
STAGE_COLOURS = ("#1d3557", "#457b9d", "#8fb8d0")
FONT = "'Noto Sans CJK SC', 'Noto Sans', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"


def _position(e: EvidenceOut) -> float:
    """Where a value sits: 0 at the flag line, 1 at the watch line, clipped to [-1, 2]."""
    watch, flag, value = e.thresholds.watch, e.thresholds.flag, e.value
    span = watch - flag if e.bad_when == "below" else flag - watch
    if span == 0:
        pos = 2.0 if e.band == "ok" else -1.0
    else:
        pos = (value - flag) / span if e.bad_when == "below" else (flag - value) / span
    return float(max(-1.0, min(2.0, pos)))


def _clean(svg: str, name: str) -> str:
    """Drop comments (they name the library's site) and the tooltip script; fix the id."""
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S | re.I)
    return re.sub(f"chart-{UUID_TEXT}", name, svg)


def diagnosis_svg(result: RecommendationResult, labels: Labels, title: str) -> str | None:
    rows: dict[str, EvidenceOut] = {}
    for challenge in result.challenges:
        for e in challenge.evidence:
            rows.setdefault(e.indicator, e)
    if not rows:
        return None
    items = sorted(rows.values(), key=lambda e: (_position(e), e.indicator))
    # pygal (about 7 MB) is imported by the first chart, not by every worker that imports the
    # report module for its routes.
    import pygal
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#111",
        foreground_subtle="#888",
        font_family="sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        colors=("#555",),
    )
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        range=(-1, 2),
        width=760,
        height=max(180, 40 * len(items) + 80),
        style=style,
        print_values=False,
        x_labels_major_every=None,
        show_minor_x_labels=True,
        y_labels=[-1, 0, 1, 2],
        truncate_label=-1,
    )
    chart.x_labels = [labels.indicator(e.indicator) for e in items]
    chart.add(
        title,
        [
            {
                "value": round(_position(e), 3),
                "color": BAND_COLOURS.get(e.band, "#555"),
                "label": labels.value(e.indicator, e.value),
            }
            for e in items
        ],
    )
    return _clean(chart.render(is_unicode=True), "chart-diagnosis")


def _short(text: str, lang: Lang) -> str:
    limit = language(lang).label_limit
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_svg(plan: Plan, lang: Lang) -> str:
    """A Gantt chart: one row per action, a bar over its phase coloured by the stage it starts
    in, a diamond at each KPI's due year; the stages shaded behind."""
    years = list(range(plan.start, plan.horizon + 1))
    left, top, row, width = 250, 46, 24, 760
    col = (width - left - 10) / len(years)
    height = top + row * len(plan.actions) + 12
    x = {y: left + col * i for i, y in enumerate(years)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{FONT}" font-size="12">'
    ]
    for n, phase in enumerate(plan.phases):
        x0, x1 = x[phase.start], x[phase.end] + col
        out.append(
            f'<rect x="{x0:.1f}" y="0" width="{x1 - x0:.1f}" height="{height}" '
            f'fill="{STAGE_COLOURS[n]}" fill-opacity="0.08"/>'
            f'<text x="{x0 + 4:.1f}" y="14" fill="{STAGE_COLOURS[n]}" font-weight="bold">'
            f"{escape(phase.name)}</text>"
        )
    for y in years:
        out.append(f'<text x="{x[y] + col / 2:.1f}" y="34" text-anchor="middle">{y}</text>')
    for i, action in enumerate(plan.actions):
        y0 = top + i * row
        start, end = action.phase.start, action.phase.end
        colour = STAGE_COLOURS[action.stage - 1]
        title = escape(f"{action.rank}. {_short(action.title, lang)}")
        out.append(f'<text x="4" y="{y0 + 16}">{title}</text>')
        out.append(
            f'<rect x="{x[start] + 2:.1f}" y="{y0 + 5}" width="{x[end] + col - x[start] - 4:.1f}" '
            f'height="14" rx="3" fill="{colour}"/>'
        )
        for due in sorted({k.year for k in action.kpis if k.target is not None}):
            cx = x[due] + col / 2
            out.append(
                f'<path d="M{cx:.1f} {y0 + 4} l6 8 l-6 8 l-6 -8 z" fill="#f4a261" '
                'stroke="#333" stroke-width="0.6"/>'
            )
    out.append("</svg>")
    return "".join(out)


def _scale(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.15 or abs(hi) * 0.1 or 1.0
    return lo - pad, hi + pad


def trend_svg(
    label: str, points: Sequence[tuple[int, float]], target: tuple[int, float] | None, text: str
) -> str:
    """A small line chart of one indicator by year, with the plan's target as a dashed mark."""
    width, height, left, right, top, bottom = 360, 190, 46, 12, 26, 28
    years = [y for y, _ in points] + ([target[0]] if target else [])
    y_min, y_max = min(years), max(years)
    lo, hi = _scale([v for _, v in points] + ([target[1]] if target else []))

    def px(year: int) -> float:
        span = (y_max - y_min) or 1
        return left + (width - left - right) * (year - y_min) / span

    def py(value: float) -> float:
        return top + (height - top - bottom) * (1 - (value - lo) / (hi - lo))

    line = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in points)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{FONT}" font-size="11">',
        f'<text x="4" y="15" font-weight="bold">{escape(label)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#999"/>',
        f'<polyline points="{line}" fill="none" stroke="#1d3557" stroke-width="2"/>',
    ]
    for y, v in points:
        out.append(f'<circle cx="{px(y):.1f}" cy="{py(v):.1f}" r="3" fill="#1d3557"/>')
        out.append(f'<text x="{px(y):.1f}" y="{height - 10}" text-anchor="middle">{y}</text>')
    if target is not None:
        ty, tv = target
        last_y, last_v = points[-1]
        out.append(
            f'<line x1="{px(last_y):.1f}" y1="{py(last_v):.1f}" x2="{px(ty):.1f}" y2="{py(tv):.1f}" '
            'stroke="#f4a261" stroke-width="2" stroke-dasharray="5 4"/>'
            f'<circle cx="{px(ty):.1f}" cy="{py(tv):.1f}" r="4" fill="#f4a261"/>'
            f'<text x="{px(ty):.1f}" y="{height - 10}" text-anchor="middle">{ty}</text>'
        )
    out.append(f'<text x="{width - right}" y="15" text-anchor="end">{escape(text)}</text>')
    out.append("</svg>")
    return "".join(out)
