"""The report's fixed wording in English and Chinese, its heading numbers, and the sentences it
makes of KPIs. Chinese follows the habits of a government document: headings numbered 一、 then
（一）, years written 2027年."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.knowledge import Lang
from app.services.wording import Labels, number

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "County development diagnosis and action plan",
        "plan_title": "Action plan",
        "benchmark": "Benchmark",
        "kb": "Knowledge base",
        "year": "Year",
        "chart": "Indicators against their lines",
        "chart_note": "Each bar places the county's value between the flag line (0) and the watch "
        "line (1): below 0 is the flag band, 0 to 1 the watch band, above 1 is ok.",
        "challenges": "Challenges",
        "challenge": "Challenge",
        "status": "Status",
        "severity": "Severity",
        "evidence": "Evidence",
        "target": "to clear",
        "signals": "Reported",
        "missing": "Would sharpen the diagnosis",
        "paths": "Recommended paths in rank order",
        "actions": "Actions",
        "examples": "Deqing examples",
        "peers": "Closest reference counties",
        "similarity": "similarity",
        "sources": "Sources",
        "no_chart": "Not enough indicator data to draw the chart: the diagnosis rests on reported "
        "signals, or the data is insufficient.",
        "no_paths": "No path is recommended: no challenge is at watch or flag.",
        "warnings": "Data warnings",
        "more_paths": "{n} more paths are ranked in the full result.",
        "plan": "Action plan {start}–{horizon}",
        "plan_note": "Actions addressing flagged challenges start first; an action starts after "
        "the first stage of the paths it depends on. Each KPI moves at a pace the knowledge base "
        "can defend.",
        "no_plan": "No plan: the profile's year leaves too few years before {horizon}.",
        "no": "No.",
        "action": "Action",
        "lead": "Lead",
        "partners": "Partners",
        "funding": "Funding",
        "period": "Period",
        "kpis": "KPIs",
        "stage": "Stage",
        "after": "after",
        "timeline": "Timeline",
        "timeline_note": "Bars run from an action's start to the horizon, coloured by the stage it "
        "starts in; diamonds mark the years KPIs are due.",
        "trend": "Progress over the years",
        "changes": "What changed",
        "improved": "Improved",
        "worsened": "Worsened",
        "progress": "Against the plan stored in {year}",
        "baseline": "Baseline",
        "due": "Target (due)",
        "latest": "Latest",
        "expected": "Expected by then",
        "family": "Family",
        "score": "score",
    },
    "zh": {
        "title": "县域发展诊断与行动方案",
        "plan_title": "行动方案",
        "benchmark": "比较基准",
        "kb": "知识库版本",
        "year": "年份",
        "chart": "指标与分界线对照",
        "chart_note": "每根条形把县域指标值放在警示线（0）与关注线（1）之间：小于0为警示区，0到1为关注区，大于1为正常。",
        "challenges": "发展挑战",
        "challenge": "挑战",
        "status": "状态",
        "severity": "严重程度",
        "evidence": "依据",
        "target": "需达到",
        "signals": "反映的问题",
        "missing": "补充以下数据可使诊断更准确",
        "paths": "推荐路径（按排序）",
        "actions": "具体举措",
        "examples": "德清案例",
        "peers": "最相似的参照县",
        "similarity": "相似度",
        "sources": "资料来源",
        "no_chart": "指标数据不足，无法绘制图表：诊断依据为县域反映的问题，或数据不足。",
        "no_paths": "没有推荐路径：没有处于关注或警示状态的挑战。",
        "warnings": "数据提示",
        "more_paths": "另有{n}条路径的排序见完整结果。",
        "plan": "{start}—{horizon}年行动方案",
        "plan_note": "针对处于警示状态挑战的举措优先启动；有前置路径的举措在前置路径第一阶段完成后启动。各项考核指标按知识库中可信的年度变化速度设定。",
        "no_plan": "未生成行动方案：数据年份距{horizon}年不足三年。",
        "no": "序号",
        "action": "重点任务",
        "lead": "牵头单位",
        "partners": "配合单位",
        "funding": "资金渠道",
        "period": "实施期限",
        "kpis": "考核指标",
        "stage": "阶段",
        "after": "前置任务",
        "timeline": "实施进度安排",
        "timeline_note": "条形表示各项任务自启动至规划期末的实施区间，颜色对应启动阶段；菱形标示考核指标的目标年份。",
        "trend": "历年进展",
        "changes": "年度变化",
        "improved": "改善",
        "worsened": "恶化",
        "progress": "对照{year}年制定的行动方案",
        "baseline": "基期值",
        "due": "目标值（年份）",
        "latest": "最新值",
        "expected": "按进度应达到",
        "family": "类别",
        "score": "得分",
    },
}
# Punctuation differs: Chinese uses full-width marks with no spaces around them.
PUNCTUATION = {
    "en": {"colon": ": ", "semi": "; ", "list": ", ", "lp": " (", "rp": ")"},
    "zh": {"colon": "：", "semi": "；", "list": "、", "lp": "（", "rp": "）"},
}
PROGRESS = {
    "en": {
        "met": "met",
        "on_track": "on track",
        "behind": "behind",
        "no_data": "no data yet",
        "no_target": "no target",
    },
    "zh": {
        "met": "已达成",
        "on_track": "进度正常",
        "behind": "进度滞后",
        "no_data": "暂无数据",
        "no_target": "无目标值",
    },
}
_ZH_NUMERALS = "一二三四五六七八九十"


def numbered(lang: Lang) -> Callable[[int, str], str]:
    """Section headings: 一、发展挑战 in Chinese, 1. Challenges in English."""

    def heading(n: int, text: str) -> str:
        if lang == "zh":
            return f"{_ZH_NUMERALS[n - 1]}、{text}"
        return f"{n}. {text}"

    return heading


def sub_numbered(lang: Lang, n: int) -> str:
    """The second level: （一） in Chinese, (1) in English."""
    return f"（{_ZH_NUMERALS[n - 1]}）" if lang == "zh" else f"({n})"


def year_text(year: int, lang: Lang) -> str:
    return f"{year}年" if lang == "zh" else str(year)


def kpi_text(kpi: dict[str, Any], labels: Labels, lang: Lang) -> str:
    """ "R&D intensity: 1.1% → 1.7% by 2030 (as far as the pace reaches)"."""
    label = kpi["label"]
    if kpi["baseline"] is None:
        return f"{label}：{kpi['basis_text']}" if lang == "zh" else f"{label}: {kpi['basis_text']}"
    base = labels.value(kpi["indicator"], kpi["baseline"])
    if kpi["target"] is None:
        return (
            f"{label}：{base}（{kpi['basis_text']}）"
            if lang == "zh"
            else f"{label}: {base} ({kpi['basis_text']})"
        )
    target = labels.value(kpi["indicator"], kpi["target"])
    if lang == "zh":
        return f"{label}：{base}→{kpi['year']}年{target}（{kpi['basis_text']}）"
    return f"{label}: {base} → {target} by {kpi['year']} ({kpi['basis_text']})"


def progress_words(lang: Lang) -> dict[str, str]:
    return PROGRESS[lang]


def plain(value: float) -> str:
    """A severity or similarity (an index from 0 to 1) with two decimals."""
    return number(value, "ratio")
