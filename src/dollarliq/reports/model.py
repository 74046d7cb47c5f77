"""The report document for one as-of date: stage, score, indicators, evidence, records.

A plain, JSON-ready dict described by ``data/report.schema.json``. Built from an
:class:`~dollarliq.engine.EngineResult`; pure apart from reading the catalog.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dollarliq.catalog import CATALOG, CORE_IDS
from dollarliq.engine import EngineResult
from dollarliq.indicators import INDICATORS, INPUT_IDS, obs_series, record_since
from dollarliq.messages import MESSAGES, family_name, rule_name, t
from dollarliq.reports.style import fmt, fmt_u  # noqa: F401  (re-exported)
from dollarliq.stages import STAGE_NAMES, regime_of

#: Indicators shown in the report, in order (by family: price, buffers, drains, backstops,
#: markets, yardstick).
REPORT_INDICATORS = [
    "sofr_iorb_bp", "sofr_iorb_persistent_bp", "sofr_iorb_excess_bp", "effr_iorb_bp",
    "effr_iorb_persistent_bp", "tgcr_iorb_bp", "tgcr_iorb_persistent_bp", "bgcr_iorb_bp",
    "sofr99_iorb_bp", "sofr_above_iorb_share_pct", "sofr_top_bp", "tgcr_rrp_bp", "iorb_pct",
    "rrp_usd_bn", "rrp_chg_4w_usd_bn", "rrp_chg_13w_usd_bn",
    "reserves_usd_bn", "reserves_share_bank_assets_pct", "reserve_elasticity_bp_per_pp",
    "reserve_elasticity_lo_bp_per_pp", "reserve_elasticity_hi_bp_per_pp",
    "reserves_pctile_5y", "reserve_slope_bp_per_100bn",
    "net_liquidity_usd_bn", "net_liquidity_chg_1w_usd_bn", "net_liquidity_chg_4w_usd_bn",
    "net_liquidity_chg_13w_usd_bn", "walcl_usd_bn", "qt_pace_usd_bn_per_month",
    "tga_usd_bn", "tga_chg_1w_usd_bn", "tga_chg_4w_usd_bn", "tga_chg_13w_usd_bn",
    "primary_credit_usd_bn", "swap_lines_usd_bn", "btfp_usd_bn", "fima_repo_usd_bn",
    "srf_usd_bn", "vix_idx", "hy_oas_bp", "hy_oas_chg_20d_bp", "stlfsi_idx",
]
#: (indicator, kind, where) for the "since" records; ``where``: ``obs`` (an observation-level
#: spread), a catalog id (the series as observed) or ``wednesday_net_liquidity``.
RECORDS = [("sofr_iorb_bp", "high", "obs"), ("sofr_iorb_persistent_bp", "high", "obs"),
           ("tgcr_iorb_bp", "high", "obs"), ("effr_iorb_bp", "high", "effr_floor"),
           ("sofr99_iorb_bp", "high", "obs"), ("reserves_usd_bn", "low", "WRESBAL"),
           ("reserves_share_bank_assets_pct", "low", "share"),
           ("rrp_usd_bn", "low", "RRPONTSYD"),
           ("net_liquidity_usd_bn", "low", "wednesday_net_liquidity"),
           ("tga_usd_bn", "high", "TGA_DTS"), ("primary_credit_usd_bn", "high", "WLCFLPCL"),
           ("swap_lines_usd_bn", "high", "SWPT")]
#: Records of an indicator compare only days of these regimes (its measure is the same in
#: each); an indicator not named compares every day it has. EFFR − IOER/IORB is the price of
#: money in both floor regimes; in the corridor (IOER began 2008-10-09, under a point target)
#: it measured something else, so it is not compared with those days.
RECORD_REGIMES = {"effr_iorb_bp": ("floor_ioer", "floor_sofr")}
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
    spec = CATALOG[ind]
    return (spec.name_zh if lang == "zh" else spec.name_en), spec.unit


def _wednesday_net_liquidity(long: pd.DataFrame) -> pd.Series:
    """Fed assets − TGA − ON RRP on the Wednesdays where all three were observed (USD bn)."""
    walcl = obs_series(long, "WALCL")["value"]
    tga = obs_series(long, "TGA_DTS")["value"]
    tga = pd.concat([obs_series(long, "WDTGAL")["value"].loc[lambda x: x.index < (
        tga.index.min() if len(tga) else pd.Timestamp.max)], tga])
    rrp = obs_series(long, "RRPONTSYD")["value"]
    return (walcl - tga.reindex(walcl.index) - rrp.reindex(walcl.index)).dropna()


def _record_series(res: EngineResult, ind: str, where: str) -> pd.Series:
    """The observation-dated series behind a record (never a carried-forward value)."""
    if where == "obs":
        return res.panel.obs[ind]["value"]
    if where == "wednesday_net_liquidity":
        return _wednesday_net_liquidity(res.long)
    if where == "effr_floor":  # the whole history, not only the panel's grid (from 2008-10)
        from dollarliq.dates import business_days
        from dollarliq.indicators import IORB_START, prefer, splice, spread_bp

        floor = splice(obs_series(res.long, "IOER"), obs_series(res.long, "IORB"), IORB_START)
        effr = prefer(obs_series(res.long, "EFFR"), obs_series(res.long, "DFF"))
        if effr.empty or floor.empty:
            return pd.Series(dtype=float)
        effr = effr[effr.index.isin(business_days(effr.index.min(), res.as_of))]
        return spread_bp(effr, floor)["value"]
    if where == "share":
        r = obs_series(res.long, "WRESBAL")["value"]
        a = obs_series(res.long, "TLAACBW027SBOG")["value"]
        return (100.0 * r / a.reindex(r.index)).dropna()
    return obs_series(res.long, where)["value"]


def _regime_at(res: EngineResult, day: pd.Timestamp) -> str:
    """The id of the monetary regime in force on ``day`` ("" outside every declared one)."""
    return str(regime_of(pd.DatetimeIndex([day]), res.rules).iloc[0])


def _regime_name(res: EngineResult, rid: str, lang: str) -> str:
    if f"regime.{rid}" in MESSAGES:
        return t(f"regime.{rid}", lang)
    return next((g.name for g in res.rules.regimes if g.id == rid), rid)


def records(res: EngineResult, lang: str = "en", *, min_lookback_days: int | None = None
            ) -> list[dict[str, Any]]:
    """The "highest/lowest since" records that look back at least ``min_lookback_days``.

    Each record is dated by its real observation date; a series whose latest value is stale
    on the as-of date gives no record. Sorted with the longest look-back first.
    """
    look = res.rules.record_lookback_days if min_lookback_days is None else min_lookback_days
    stale = res.panel.stale.iloc[-1] if res.panel.stale is not None else pd.Series(dtype=bool)
    out = []
    for ind, kind, where in RECORDS:
        if bool(stale.get(ind, False)):
            continue
        s = _record_series(res, ind, where)
        if ind in RECORD_REGIMES and res.rules.regimes:  # like with like: one measure only
            s = s[regime_of(s.index, res.rules).isin(RECORD_REGIMES[ind]).to_numpy()]
        r = record_since(s, res.as_of, kind)
        if r["value"] is None:
            continue
        back = (r["date"] - (r["since"] if r["since"] is not None else r["history_start"])).days
        if back < look:
            continue
        name, unit = indicator_name(ind, lang)
        if r["since"] is None:
            text = t(f"record.{kind}_ever", lang, name=name, value=fmt_u(r["value"], unit, lang),
                     date=_day(r["date"]), start=_day(r["history_start"]))
        else:
            text = t(f"record.{kind}", lang, name=name, value=fmt_u(r["value"], unit, lang),
                     date=_day(r["date"]), since=_day(r["since"]),
                     since_value=fmt_u(r["since_value"], unit, lang))
        then = r["since"] if r["since"] is not None else r["history_start"]
        reg_now, reg_then = _regime_at(res, r["date"]), _regime_at(res, then)
        if reg_then and reg_now and reg_then != reg_now:  # the comparison crosses a regime
            text = t("record.crosses_regime", lang, text=text, since=_day(then),
                     date=_day(r["date"]), regime=_regime_name(res, reg_then, lang),
                     regime_now=_regime_name(res, reg_now, lang))
        out.append({"indicator": ind, "kind": kind, "value": _num(r["value"]),
                    "unit": unit, "date": _day(r["date"]), "since": _day(r["since"]),
                    "since_value": _num(r.get("since_value")),
                    "history_start": _day(r["history_start"]), "lookback_days": int(back),
                    "regime": reg_now or None, "since_regime": reg_then or None,
                    "crosses_regime": bool(reg_then and reg_now and reg_then != reg_now),
                    "text": text})
    out.sort(key=lambda x: -x["lookback_days"])
    return out


#: A series with no observation for longer than this is unavailable, not stale evidence.
LONG_GONE_DAYS = 365


def _cond_status(v: float | None, stale: bool, ok: bool | None) -> str:
    if v is None:
        return "rule.no_data"
    if stale:
        return "rule.stale"
    return "rule.met" if ok else "rule.not_met"


def build_report(res: EngineResult, *, lang: str = "en") -> dict[str, Any]:
    """The report document for ``res.as_of``."""
    d = res.panel.daily
    day = d.index[-1]
    row = d.iloc[-1]
    stale_row = (res.panel.stale.iloc[-1] if res.panel.stale is not None
                 else pd.Series(False, index=d.columns))
    st = res.stages.table.iloc[-1]
    level = int(st["level"])
    lv = res.stages.table["level"]
    changed = lv.ne(lv.shift())
    since = lv.index[changed][-1]

    def is_stale(ind: str) -> bool:
        return bool(stale_row.get(ind, False))

    def obs_day(ind: str) -> str | None:
        obs_d = res.panel.known_dates.get(ind)
        return _day(obs_d.iloc[-1]) if obs_d is not None else _day(day)

    def ended(ind: str) -> str | None:
        """The day the program behind ``ind`` ended, when on or before the as-of date."""
        for sid in (INDICATORS[ind].inputs if ind in INDICATORS else ()):
            e = CATALOG[sid].ended if sid in CATALOG else None
            if e is not None and pd.Timestamp(e) <= res.as_of:
                return e
        return None

    def gone(ind: str) -> str | None:
        """The observation date of ``ind`` when it is more than a year old."""
        od = obs_day(ind)
        if od is None or row.get(ind) is None or pd.isna(row.get(ind)):
            return None
        return od if (res.as_of - pd.Timestamp(od)).days > LONG_GONE_DAYS else None

    indicators = []
    unavailable = []
    listed: set[str] = set()

    def list_unavailable(ind: str) -> None:
        """List the series behind ``ind`` once (several indicators read one series)."""
        sids = [x for x in (INDICATORS[ind].inputs if ind in INDICATORS else ()) if x in CATALOG]
        key_id = sids[0] if sids else ind
        if key_id in listed:
            return
        listed.add(key_id)
        name = indicator_name(key_id, lang)[0]
        key, date = (("unavailable.ended", ended(ind)) if ended(ind)
                     else ("unavailable.not_seen", gone(ind)))
        unavailable.append({"id": key_id, "reason": t(key, lang, name=name, date=date)})

    for ind in REPORT_INDICATORS:
        name, unit = indicator_name(ind, lang)
        v = _num(row.get(ind))
        out_of_use = ended(ind) or gone(ind)
        item = {"id": ind, "name": name, "unit": unit, "value": v, "obs_date": obs_day(ind),
                "available": v is not None and not out_of_use,
                "stale": v is not None and is_stale(ind) and not out_of_use}
        indicators.append(item)
        if out_of_use and v is not None:
            list_unavailable(ind)
        elif v is None:
            inputs = INDICATORS[ind].inputs if ind in INDICATORS else ()
            missing = [s for s in inputs if s in CATALOG and
                       res.long[res.long.series_id == s]["value"].notna().sum() == 0]
            src = ", ".join(sorted({CATALOG[s].source for s in missing})) or "its source"
            unavailable.append({"id": ind, "reason": t("unavailable.needs_update", lang,
                                                       name=name, source=src)})

    evidence = []
    flags = res.stages.flags.iloc[-1]
    avail = res.stages.available.iloc[-1] if res.stages.available is not None else None
    appl = res.stages.applicable.iloc[-1] if res.stages.applicable is not None else None
    carried = (res.stages.carried.iloc[-1] if res.stages.carried is not None
               else pd.Series(False, index=flags.index))
    for rule in res.rules.rules:
        if appl is not None and not appl[rule.id]:
            continue  # no measure in today's regime: not applicable, not "unavailable"
        gone_inds = [c.indicator for c in rule.conditions
                     if gone(c.indicator) and not ended(c.indicator)]
        if gone_inds:  # listed once under "unavailable", not as evidence
            for ind in gone_inds:
                list_unavailable(ind)
            continue
        ended_on = next((ended(c.indicator) for c in rule.conditions if ended(c.indicator)),
                        None)
        held_rule = bool(carried.get(rule.id, False))
        conds = []
        for c in rule.conditions:
            v = _num(row.get(c.indicator))
            name, unit = indicator_name(c.indicator, lang)
            stale = v is not None and is_stale(c.indicator)
            ok = None if v is None else bool(c.met(pd.Series([v])).iloc[0])
            key = _cond_status(v, stale, ok)
            if ended_on:
                key = "rule.ended"
            status = (t("rule.ended", lang, date=ended_on) if ended_on else
                      t("rule.carried", lang, date=obs_day(c.indicator))
                      if key == "rule.stale" and held_rule else
                      t("rule.stale_obs", lang, date=obs_day(c.indicator))
                      if key == "rule.stale" else t(key, lang))
            conds.append({"indicator": c.indicator, "value": v, "op": c.op,
                          "threshold": c.threshold, "unit": unit,
                          "met": None if (v is None or stale or ended_on) else ok,
                          "stale": stale and not ended_on,
                          "obs_date": obs_day(c.indicator),
                          "text": t("rule.line", lang, name=name, value=fmt_u(v, unit, lang),
                                    op=c.op, threshold=fmt_u(c.threshold, unit, lang),
                                    status=status)})
        available = (bool(avail[rule.id]) if avail is not None else True) and not ended_on
        # A stage that needs several families says so on each of its rules: otherwise a
        # crisis rule met reads like a drained one with the same conditions.
        n_fam = (res.rules.min_families or {}).get(rule.level, 1)
        needs = (t("rule.needs_families", lang, stage=t(f"stage.{rule.level}", lang),
                   n=n_fam, family=family_name(rule.family, lang)) if n_fam > 1 else None)
        item = {"min_families": n_fam, "needs": needs, "rule": rule.id,
                "name": rule_name(rule.id, lang),
                "family": rule.family, "stage": rule.level,
                "stage_name": STAGE_NAMES[rule.level][0],
                "stage_name_zh": STAGE_NAMES[rule.level][1],
                "met": bool(flags[rule.id]) if available else None,
                "available": available, "held": held_rule, "conditions": conds}
        if ended_on:
            item["ended"] = ended_on
        if rule.written_after:
            item["written_after"] = list(rule.written_after)
        evidence.append(item)

    # Held: by hysteresis (the slow step down) or by the last fresh verdict of rules whose
    # input is now stale or missing (missing evidence never lowers the stage).
    held = bool(st.get("held", False))
    held_by = str(st.get("held_by", "") or "") if held else ""
    held_inputs: list[dict[str, Any]] = []
    if held_by == "stale":
        seen: set[str] = set()
        for rule in res.rules.rules:
            if not bool(carried.get(rule.id, False)) or rule.level < 1:
                continue
            for c in rule.conditions:
                if c.indicator in seen or not (is_stale(c.indicator) or pd.isna(
                        row.get(c.indicator))):
                    continue
                seen.add(c.indicator)
                held_inputs.append({"rule": rule.id, "indicator": c.indicator,
                                    "obs_date": obs_day(c.indicator)})
    set_on = st.get("set_on")
    set_by = []
    if set_on is not None and not pd.isna(set_on) and level > 0:
        f_on = res.stages.flags.loc[pd.Timestamp(set_on)]
        set_by = [r.id for r in res.rules.rules if r.level >= level and bool(f_on[r.id])]
        if not set_by:  # reached through a higher stage's rules only
            set_by = [r.id for r in res.rules.rules if bool(f_on[r.id]) and r.level >= 1]
    recs = records(res, lang)

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

    from dollarliq.indicators import _lag_days, stale_days

    freshness = []
    # Succeeded by IORB and EFFR; the H.4.1 TGA only fills in before the DTS daily close.
    retired = {"IOER": "2021-07-29", "DFF": "2021-05-24", "WTREGEN": "2022-04-19",
               "WDTGAL": "2022-04-19"}
    for sid in INPUT_IDS:
        if sid in retired and res.as_of >= pd.Timestamp(retired[sid]):
            continue
        rows = res.long[(res.long.series_id == sid) & res.long["value"].notna()]
        if rows.empty:
            freshness.append({"series": sid, "last_obs": None, "released": None,
                              "age_days": None, "source": CATALOG[sid].source,
                              "stale": False})
            continue
        last = rows.sort_values("obs_date").iloc[-1]
        freq, lag = _lag_days(sid)
        od = pd.Series([pd.Timestamp(last.obs_date)], index=pd.DatetimeIndex([day]))
        freshness.append({"series": sid, "last_obs": _day(last.obs_date),
                          "released": _day(last.as_of),
                          "age_days": int((res.as_of - last.obs_date).days),
                          "source": CATALOG[sid].source,
                          "stale": bool(stale_days(od, freq, lag).iloc[0])})
    core = CORE_IDS
    core_ends = [f["last_obs"] for f in freshness if f["series"] in core and f["last_obs"]]
    core_stale = [f["series"] for f in freshness if f["series"] in core and f.get("stale")]

    contributions = res.stages.contributions.iloc[-1]
    # A part without fresh data keeps its last fresh value (up to a year): it is listed with
    # that value's observation date and marked stale.
    score_parts = [{"indicator": k, "points": round(float(v), 2),
                    "value": _num(row.get(k)), "stale": is_stale(k) or pd.isna(row.get(k)),
                    "obs_date": obs_day(k)}
                   for k, v in contributions.sort_values(ascending=False).items()
                   if not pd.isna(v) and (float(v) > 0 or not is_stale(k))]
    return {
        "as_of": _day(res.as_of),
        "date": _day(day),
        "data_end": max(core_ends) if core_ends else None,
        "lang": lang,
        "stage": {"level": level, "name": STAGE_NAMES[level][0], "name_zh": STAGE_NAMES[level][1],
                  "raw_level": int(st["raw_level"]), "since": _day(since),
                  "rules_file": res.rules.source, "held": held,
                  "set_on": _day(set_on) if level > 0 else None, "set_by": set_by,
                  "set_by_names": [rule_name(r, lang) for r in set_by],
                  "held_by": held_by or None, "held_inputs": held_inputs,
                  "held_text": (t("report.held_stale", lang, inputs="; ".join(
                      t("report.not_seen_since", lang, name=indicator_name(h["indicator"],
                                                                          lang)[0],
                        date=h["obs_date"]) for h in held_inputs),
                      set_on=_day(set_on), raw=t(f"stage.{int(st['raw_level'])}", lang),
                      rules=", ".join(rule_name(r, lang) for r in set_by))
                      if held_by == "stale" else None),
                  "core_stale": core_stale},
        "score": {"value": None if pd.isna(st["score"]) else round(float(st["score"]), 1),
                  "contributions": score_parts},
        "indicators": indicators,
        "evidence": evidence,
        "records": recs,
        "calendar": calendar,
        "freshness": freshness,
        "stale": [i["id"] for i in indicators if i["stale"]],
        "unavailable": unavailable,
        "notice": t(NOTICE, lang),
    }
