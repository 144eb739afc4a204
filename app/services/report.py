"""The printable report: one self-contained page (inline CSS and SVG, no external host) or
Markdown, built from a recommendation result in the result's own language."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pygal
from jinja2 import Environment, PackageLoader, select_autoescape
from pygal.style import Style

from app.domain.knowledge import Lang
from app.domain.result import STATUS_TEXT

BAND_COLOURS = {"flag": "#b3261e", "watch": "#c77700", "ok": "#2e7d32"}
# Headings want capitals in English; Chinese has none, so the result's own words serve.
STATUS_LABEL = {
    "en": {"flag": "Flag", "watch": "Watch", "ok": "OK", "insufficient_data": "Insufficient data"},
    "zh": STATUS_TEXT["zh"],
}
WORDS = {
    "en": {
        "title": "County development diagnosis",
        "benchmark": "Benchmark",
        "kb": "Knowledge base",
        "year": "Year",
        "chart": "Indicators against their lines",
        "chart_note": "Each bar places the county's value between the flag line (0) and the watch line (1): "
        "below 0 is the flag band, 0 to 1 the watch band, above 1 is ok.",
        "challenges": "Challenges",
        "challenge": "Challenge",
        "status": "Status",
        "severity": "Severity",
        "evidence": "Evidence",
        "target": "target",
        "missing": "Would sharpen the diagnosis",
        "paths": "Recommended paths",
        "actions": "Actions",
        "examples": "Deqing examples",
        "peers": "Closest reference counties",
        "similarity": "similarity",
        "sources": "Sources",
        "no_chart": "Not enough indicator data to draw the chart: the diagnosis rests on asserted signals "
        "or is insufficient_data.",
        "no_paths": "No path is recommended: no challenge is at watch or flag.",
        "families": {"industry": "Industry", "talent": "Talent", "policy": "Policy"},
        "warnings": "Data warnings",
        "section": "section",
    },
    "zh": {
        "title": "县域发展诊断报告",
        "benchmark": "比较基准",
        "kb": "知识库版本",
        "year": "年份",
        "chart": "指标与阈值线对照",
        "chart_note": "每根条形把县域指标值放在警示线（0）与关注线（1）之间：小于0为警示区，0到1为关注区，大于1为正常。",
        "challenges": "发展挑战",
        "challenge": "挑战",
        "status": "状态",
        "severity": "严重度",
        "evidence": "证据",
        "target": "目标值",
        "missing": "补充后可使诊断更准确",
        "paths": "推荐路径",
        "actions": "具体举措",
        "examples": "德清案例",
        "peers": "最相似的参照县",
        "similarity": "相似度",
        "sources": "资料来源",
        "no_chart": "指标数据不足，无法绘制图表：诊断依据为已确认症状，或为数据不足（insufficient_data）。",
        "no_paths": "没有推荐路径：没有处于关注或警示状态的挑战。",
        "families": {"industry": "产业", "talent": "人才", "policy": "政策"},
        "warnings": "数据提示",
        "section": "第",
    },
}


def _position(e: dict[str, Any]) -> float:
    """Where a value sits: 0 at the flag line, 1 at the watch line, clipped to [-1, 2]."""
    watch, flag, value = e["thresholds"]["watch"], e["thresholds"]["flag"], e["value"]
    span = watch - flag if e["bad_when"] == "below" else flag - watch
    if span == 0:
        pos = 2.0 if e["band"] == "ok" else -1.0
    else:
        pos = (value - flag) / span if e["bad_when"] == "below" else (flag - value) / span
    return max(-1.0, min(2.0, pos))


def chart_svg(result: dict[str, Any], lang: Lang) -> str | None:
    rows: dict[str, dict[str, Any]] = {}
    for challenge in result["challenges"]:
        for e in challenge["evidence"]:
            rows.setdefault(e["indicator"], e)
    if not rows:
        return None
    items = sorted(rows.values(), key=lambda e: (_position(e), e["indicator"]))
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
    chart.x_labels = [e["label"] for e in items]
    chart.add(
        WORDS[lang]["chart"],
        [
            {
                "value": round(_position(e), 3),
                "color": BAND_COLOURS[e["band"]],
                "label": f"{e['value']} {e['unit_label']}",
            }
            for e in items
        ],
    )
    svg: str = chart.render(is_unicode=True)
    # Comments name the library's web site and the script only drives hover tooltips: a printed,
    # self-contained page needs neither.
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.S | re.I)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("app", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(result: dict[str, Any], lang: Lang, meta: dict[str, Any]) -> dict[str, Any]:
    families: dict[str, list[dict[str, Any]]] = {"industry": [], "talent": [], "policy": []}
    for r in result["recommendations"]:
        families[r["family"]].append(r)
    sources: dict[str, dict[str, Any]] = {}
    for c in result["challenges"]:
        src = c["source"]
        sources[str(sorted(src.items()))] = src
    for r in result["recommendations"][:12]:
        for src in [r["source"], *[e["source"] for e in r["examples"]]]:
            sources[str(sorted(src.items()))] = src
    return {
        "r": result,
        "w": WORDS[lang],
        "status_label": STATUS_LABEL[lang],
        "lang": lang,
        "chart": chart_svg(result, lang),
        "families": families,
        "colours": BAND_COLOURS,
        "sources": sorted(
            sources.values(),
            key=lambda s: (
                s.get("document") or "~",
                s.get("section") or "",
                s.get("publisher") or "",
            ),
        ),
        "meta": meta,
    }


def render_html(result: dict[str, Any], lang: Lang, meta: dict[str, Any] | None = None) -> str:
    return _env().get_template("report.html.j2").render(**_context(result, lang, meta or {}))


def render_markdown(result: dict[str, Any], lang: Lang, meta: dict[str, Any] | None = None) -> str:
    return _env().get_template("report.md.j2").render(**_context(result, lang, meta or {}))
