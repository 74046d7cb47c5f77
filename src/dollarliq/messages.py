"""User-facing text in English and Chinese, in one place.

``t(key, lang, **values)`` formats a message; indicator and series names come from the
catalog and the indicator registry (``name_en`` / ``name_zh``).
"""

from __future__ import annotations

import os

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "stage.0": {"en": "ample", "zh": "充裕"},
    "stage.1": {"en": "tight", "zh": "紧缺"},
    "stage.2": {"en": "drained", "zh": "枯竭"},
    "stage.3": {"en": "crisis", "zh": "危机"},
    "report.title": {"en": "US-dollar liquidity", "zh": "美元流动性"},
    "report.stage": {"en": "Stage", "zh": "阶段"},
    "report.stage_since": {"en": "since {since}", "zh": "自 {since} 起"},
    "report.score": {"en": "Stress score", "zh": "压力评分"},
    "report.as_of": {"en": "as of {as_of}; data end {data_end}",
                     "zh": "截至 {as_of};数据截止 {data_end}"},
    "report.evidence": {"en": "Evidence", "zh": "证据"},
    "report.indicators": {"en": "Indicators", "zh": "指标"},
    "report.records": {"en": "Records", "zh": "纪录"},
    "report.freshness": {"en": "Data freshness", "zh": "数据时效"},
    "report.unavailable": {"en": "Unavailable", "zh": "暂不可用"},
    "report.contributions": {"en": "Score contributions", "zh": "评分构成"},
    "rule.met": {"en": "met", "zh": "满足"},
    "rule.not_met": {"en": "not met", "zh": "未满足"},
    "rule.no_data": {"en": "no data", "zh": "无数据"},
    "rule.line": {"en": "{name}: {value} {op} {threshold} ({status})",
                  "zh": "{name}:{value} {op} {threshold}({status})"},
    "record.high": {"en": "{name} at {value} on {date}: highest since {since} ({since_value})",
                    "zh": "{name} {date} 为 {value}:{since} ({since_value}) 以来最高"},
    "record.low": {"en": "{name} at {value} on {date}: lowest since {since} ({since_value})",
                   "zh": "{name} {date} 为 {value}:{since} ({since_value}) 以来最低"},
    "record.high_ever": {"en": "{name} at {value} on {date}: highest since the data begin ({start})",
                         "zh": "{name} {date} 为 {value}:数据起点 ({start}) 以来最高"},
    "record.low_ever": {"en": "{name} at {value} on {date}: lowest since the data begin ({start})",
                        "zh": "{name} {date} 为 {value}:数据起点 ({start}) 以来最低"},
    "unavailable.needs_update": {
        "en": "{name}: no data yet; `dollarliq update` fetches it from {source}",
        "zh": "{name}:暂无数据;运行 `dollarliq update` 从 {source} 获取"},
    "calendar.spike": {"en": "{date} is a {kind} day: {value} bp against a persistent {persistent} bp",
                       "zh": "{date} 为{kind}:{value} 基点,持续水平 {persistent} 基点"},
    "calendar.kind.year_end": {"en": "year-end", "zh": "年末"},
    "calendar.kind.quarter_end": {"en": "quarter-end", "zh": "季末"},
    "calendar.kind.month_end": {"en": "month-end", "zh": "月末"},
    "calendar.kind.month_start": {"en": "month-start", "zh": "月初"},
    "calendar.kind.tax_date": {"en": "tax date", "zh": "缴税日"},
    "calendar.kind.settlement": {"en": "Treasury settlement", "zh": "国债结算日"},
    "report.bubble": {"en": "Tech-bubble gauges", "zh": "科技泡沫指标"},
    "bubble.concentration": {"en": "Megacap basket", "zh": "巨头市值"},
    "bubble.runups": {"en": "100% two-year run-ups", "zh": "两年涨幅超100%"},
    "bubble.fear_greed": {"en": "Fear & greed (open inputs)", "zh": "恐惧贪婪指数(公开数据)"},
    "bubble.dollar_hoarding": {"en": "Dollar hoarding (DXY up, stocks and Treasuries down)",
                               "zh": "美元囤积(美元涨、股债跌)"},
    "notice": {"en": "Not investment advice: dollarliq measures and explains; it does not forecast.",
               "zh": "不构成投资建议:dollarliq 只做度量与解释,不做预测。"},
}


def lang_from_env(lang: str | None = None) -> str:
    """``lang`` if given, else DOLLARLIQ_LANG, else English."""
    v = (lang or os.environ.get("DOLLARLIQ_LANG") or "en").lower()[:2]
    return v if v in LANGS else "en"


def t(key: str, lang: str = "en", **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**values)
