"""The report document for one as-of date: stage, score, indicators, evidence, records.

A plain, JSON-ready dict described by ``data/report.schema.json``. Built from an
:class:`~dollarliq.engine.EngineResult`; pure apart from reading the catalog.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dollarliq.catalog import CATALOG
from dollarliq.engine import EngineResult
from dollarliq.indicators import INDICATORS, INPUT_IDS, obs_series, record_since
from dollarliq.messages import t
from dollarliq.reports.style import fmt, fmt_u  # noqa: F401  (re-exported)
from dollarliq.stages import STAGE_NAMES

#: Indicators shown in the report, in order.
REPORT_INDICATORS = [
    "sofr_iorb_bp", "sofr_iorb_persistent_bp", "effr_iorb_bp", "effr_iorb_persistent_bp",
    "sofr99_iorb_bp", "tgcr_rrp_bp", "iorb_pct",
    "net_liquidity_usd_bn", "net_liquidity_chg_1w_usd_bn", "net_liquidity_chg_4w_usd_bn",
    "net_liquidity_chg_13w_usd_bn", "walcl_usd_bn", "qt_pace_usd_bn_per_month",
    "tga_usd_bn", "tga_chg_1w_usd_bn", "tga_chg_4w_usd_bn", "tga_chg_13w_usd_bn",
    "rrp_usd_bn", "rrp_chg_4w_usd_bn", "rrp_chg_13w_usd_bn",
    "reserves_usd_bn", "reserves_pctile_5y", "reserve_slope_bp_per_100bn",
    "srf_usd_bn", "vix_idx", "hy_oas_bp", "hy_oas_chg_20d_bp", "stlfsi_idx",
]
_EXTRA_NAMES = {"iorb_pct": ("Policy floor: IORB (IOER before 2021-07-29)",
                             "准备金利率(地板利率)", "pct")}
#: (indicator, kind, level) for the "since" records.
RECORDS = [("sofr_iorb_bp", "high", "obs"), ("sofr_iorb_persistent_bp", "high", "obs"),
           ("effr_iorb_bp", "high", "obs"), ("reserves_usd_bn", "low", "WRESBAL"),
           ("rrp_usd_bn", "low", "RRPONTSYD"), ("net_liquidity_usd_bn", "low", "daily"),
           ("tga_usd_bn", "high", "daily")]
NOTICE = "notice"


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, 4)


def _day(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return None
    return pd.Timestamp(x).strftime("%Y-%m-%d")


def indicator_name(ind: str, lang: str = "en") -> tuple[str, str]:
    """(name in ``lang``, unit) of an indicator or a catalog series."""
    if ind in INDICATORS:
        spec = INDICATORS[ind]
        return (spec.name_zh if lang == "zh" else spec.name_en), spec.unit
    if ind in _EXTRA_NAMES:
        en, zh, unit = _EXTRA_NAMES[ind]
        return (zh if lang == "zh" else en), unit
    spec = CATALOG[ind]
    return (spec.name_zh if lang == "zh" else spec.name_en), spec.unit


def build_report(res: EngineResult, *, lang: str = "en") -> dict[str, Any]:
    """The report document for ``res.as_of``."""
    d = res.panel.daily
    day = d.index[-1]
    row = d.iloc[-1]
    st = res.stages.table.iloc[-1]
    level = int(st["level"])
    lv = res.stages.table["level"]
    changed = lv.ne(lv.shift())
    since = lv.index[changed][-1]

    indicators = []
    unavailable = []
    for ind in REPORT_INDICATORS:
        name, unit = indicator_name(ind, lang)
        v = _num(row.get(ind))
        obs_d = res.panel.known_dates.get(ind)
        item = {"id": ind, "name": name, "unit": unit, "value": v,
                "obs_date": _day(obs_d.iloc[-1]) if obs_d is not None else _day(day),
                "available": v is not None}
        indicators.append(item)
        if v is None:
            inputs = INDICATORS[ind].inputs if ind in INDICATORS else ()
            missing = [s for s in inputs if s in CATALOG and
                       res.long[res.long.series_id == s]["value"].notna().sum() == 0]
            src = ", ".join(sorted({CATALOG[s].source for s in missing})) or "its source"
            unavailable.append({"id": ind, "reason": t("unavailable.needs_update", lang,
                                                       name=name, source=src)})

    evidence = []
    flags = res.stages.flags.iloc[-1]
    for rule in res.rules.rules:
        conds = []
        for c in rule.conditions:
            v = _num(row.get(c.indicator))
            name, unit = indicator_name(c.indicator, lang)
            obs_d = res.panel.known_dates.get(c.indicator)
            ok = None if v is None else bool(c.met(pd.Series([v])).iloc[0])
            status = t("rule.no_data" if ok is None else ("rule.met" if ok else "rule.not_met"),
                       lang)
            conds.append({"indicator": c.indicator, "value": v, "op": c.op,
                          "threshold": c.threshold, "unit": unit, "met": ok,
                          "obs_date": _day(obs_d.iloc[-1]) if obs_d is not None else None,
                          "text": t("rule.line", lang, name=name, value=fmt_u(v, unit),
                                    op=c.op, threshold=fmt_u(c.threshold, unit),
                                    status=status)})
        evidence.append({"rule": rule.id, "stage": rule.level,
                         "stage_name": STAGE_NAMES[rule.level][0],
                         "stage_name_zh": STAGE_NAMES[rule.level][1],
                         "met": bool(flags[rule.id]), "conditions": conds})

    records = []
    for ind, kind, lvl in RECORDS:
        if lvl == "obs":
            s = res.panel.obs[ind]["value"]
        elif lvl == "daily":
            s = d[ind]
        else:
            s = obs_series(res.long, lvl)["value"]
        r = record_since(s, day, kind)
        if r["value"] is None:
            continue
        name, unit = indicator_name(ind, lang)
        if r["since"] is None:
            text = t(f"record.{kind}_ever", lang, name=name, value=fmt_u(r["value"], unit),
                     date=_day(r["date"]), start=_day(r["history_start"]))
        else:
            text = t(f"record.{kind}", lang, name=name, value=fmt_u(r["value"], unit),
                     date=_day(r["date"]), since=_day(r["since"]),
                     since_value=fmt_u(r["since_value"], unit))
        records.append({"indicator": ind, "kind": kind, "value": _num(r["value"]),
                        "unit": unit, "date": _day(r["date"]), "since": _day(r["since"]),
                        "since_value": _num(r.get("since_value")),
                        "history_start": _day(r["history_start"]), "text": text})

    calendar = {}
    for key, cs in res.panel.spreads.items():
        f = cs.frame
        if f.empty:
            continue
        last = f.iloc[-1]
        kind = last["calendar"] or None
        calendar[key] = {
            "date": _day(f.index[-1]), "value_bp": _num(last["value"]), "calendar": kind,
            "calendar_label": t(f"calendar.kind.{kind}", lang) if kind else None,
            "persistent_bp": _num(last["persistent_bp"]), "baseline_bp": _num(last["baseline_bp"]),
            "excess_bp": _num(last["excess_bp"]), "spike": last["spike"] or None}

    freshness = []
    retired = {"IOER": "2021-07-29", "DFF": "2021-05-24"}  # succeeded by IORB and EFFR
    for sid in INPUT_IDS:
        if sid in retired and res.as_of >= pd.Timestamp(retired[sid]):
            continue
        rows = res.long[(res.long.series_id == sid) & res.long["value"].notna()]
        if rows.empty:
            freshness.append({"series": sid, "last_obs": None, "released": None,
                              "age_days": None, "source": CATALOG[sid].source})
            continue
        last = rows.sort_values("obs_date").iloc[-1]
        freshness.append({"series": sid, "last_obs": _day(last.obs_date),
                          "released": _day(last.as_of),
                          "age_days": int((res.as_of - last.obs_date).days),
                          "source": CATALOG[sid].source})
    core_ends = [f["last_obs"] for f in freshness
                 if f["series"] in ("WALCL", "WRESBAL", "RRPONTSYD", "SOFR") and f["last_obs"]]

    contributions = res.stages.contributions.iloc[-1]
    score_parts = [{"indicator": k, "points": round(float(v), 2),
                    "value": _num(row.get(k))}
                   for k, v in contributions.sort_values(ascending=False).items()
                   if row.get(k) is not None and not pd.isna(row.get(k))]
    return {
        "as_of": _day(res.as_of),
        "date": _day(day),
        "data_end": max(core_ends) if core_ends else None,
        "lang": lang,
        "stage": {"level": level, "name": STAGE_NAMES[level][0], "name_zh": STAGE_NAMES[level][1],
                  "raw_level": int(st["raw_level"]), "since": _day(since),
                  "rules_file": res.rules.source},
        "score": {"value": round(float(st["score"]), 1), "contributions": score_parts},
        "indicators": indicators,
        "evidence": evidence,
        "records": records,
        "calendar": calendar,
        "freshness": freshness,
        "unavailable": unavailable,
        "notice": t(NOTICE, lang),
    }
