"""Liquidity indicators: pure functions over pandas objects, units in their names.

Two kinds of series appear here:

- *observation series* (``Obs``): a frame indexed by observation date with columns ``value``
  and ``release`` (the date the value was first published). Spreads are built at this level,
  so that SOFR on a date is compared with IORB on the same date.
- *known-daily series*: indexed by the business days of a grid; the value on day D is the
  latest observation published on or before D. Net liquidity, buffers and drains live here:
  weekly values (the H.4.1) enter only from their release date.

The engine uses each observation as first published (the real-time convention): a value
revised later never changes what an earlier day showed, so a reading for D depends only on
what was public on D. Nothing here reads the clock, the store or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dollarliq.dates import add_business_days, business_days

BDAYS_PER_WEEK = 5
from dollarliq.indicator_catalog import WEEKS  # noqa: E402  (business days per label)
PERSISTENT_WINDOW = 10  # non-calendar observations in the persistent-spread median
RESERVES_HISTORY_BDAYS = 1260  # five years of business days
DEMAND_CURVE_BDAYS = 504  # two years of business days
IORB_START = pd.Timestamp("2021-07-29")

#: Inputs of the engine (catalog ids).
INPUT_IDS = ["WALCL", "WRESBAL", "WTREGEN", "TGA_DTS", "RRPONTSYD", "SOFR", "SOFR99", "IORB",
             "IOER", "EFFR", "DFF", "TGCR", "RRP_RATE", "VIXCLS", "BAMLH0A0HYM2", "STLFSI4",
             "RPONTSYD"]
#: Inputs without which no stage can be decided.
CORE_IDS = ["WALCL", "WRESBAL", "RRPONTSYD", "SOFR"]


# --- observation series ------------------------------------------------------------------
def obs_series(long: pd.DataFrame, series_id: str) -> pd.DataFrame:
    """One series of a long frame as an observation series (value, release), missing dropped."""
    df = long[(long["series_id"] == series_id) & long["value"].notna()]
    out = pd.DataFrame({"value": df["value"].to_numpy(float),
                        "release": pd.to_datetime(df["as_of"]).to_numpy()},
                       index=pd.DatetimeIndex(df["obs_date"], name="obs_date"))
    return out.sort_index()


def splice(first: pd.DataFrame, second: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """``first`` before ``at``, ``second`` from ``at`` on (e.g. IOER then IORB)."""
    return pd.concat([first[first.index < at], second[second.index >= at]]).sort_index()


def prefer(primary: pd.DataFrame, fallback: pd.DataFrame) -> pd.DataFrame:
    """``primary`` where it has observations, ``fallback`` before ``primary`` begins."""
    if primary.empty:
        return fallback
    return pd.concat([fallback[fallback.index < primary.index.min()], primary]).sort_index()


def spread_bp(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """(a − b) × 100 on common observation dates, basis points (inputs in percent).

    Released when the later of the two inputs is.
    """
    j = a.add_suffix("_a").join(b.add_suffix("_b"), how="inner")
    # Rates are quoted to 2-4 decimals: round away binary noise (4.22 - 3.90 -> 32, not 31.99..).
    return pd.DataFrame({"value": np.round((j["value_a"] - j["value_b"]) * 100.0, 6),
                         "release": np.maximum(j["release_a"].to_numpy(),
                                               j["release_b"].to_numpy())},
                        index=j.index)


# --- calendar ---------------------------------------------------------------------------
CALENDAR_KINDS = ("year_end", "quarter_end", "month_end", "month_start", "tax_date",
                  "settlement")


def calendar_kind(dates: pd.DatetimeIndex) -> pd.Series:
    """Label each business day with the funding-calendar event it carries ('' for none).

    - ``year_end`` / ``quarter_end`` / ``month_end``: the last business day of the period
      (balance-sheet window dressing by foreign banks, GSE cash outflows);
    - ``month_start``: the first business day of a month (settlement of month-end coupons);
    - ``tax_date``: the first business day on or after the 15th of January, April, June,
      September and December (corporate and individual estimated taxes drain cash to the TGA,
      and coupons settle);
    - ``settlement``: the first business day on or after the 15th of other months (mid-month
      coupon settlement).
    """
    d = pd.DatetimeIndex(dates)
    nxt = pd.DatetimeIndex(add_business_days(d, 1))
    prv = pd.DatetimeIndex(add_business_days(d, -1))
    last = nxt.month != d.month
    first = prv.month != d.month
    mid = (d.day >= 15) & ((prv.day < 15) | (prv.month != d.month))
    out = np.full(len(d), "", dtype=object)
    tax_months = np.isin(d.month, [1, 4, 6, 9, 12])
    out[mid & ~tax_months] = "settlement"
    out[mid & tax_months] = "tax_date"
    out[first] = "month_start"
    out[last] = "month_end"
    out[last & np.isin(d.month, [3, 6, 9, 12])] = "quarter_end"
    out[last & (d.month == 12)] = "year_end"
    return pd.Series(out, index=d, name="calendar")


@dataclass(frozen=True)
class CalendarSpread:
    """A spread split into its persistent level and calendar spikes (observation level).

    Columns of ``frame``: value (bp), release, calendar (kind or ''), persistent_bp (median of
    the last ``window`` non-calendar observations up to the date, released with them),
    baseline_bp (the same median before the date), excess_bp (value − baseline) and
    ``spike``: '' / 'calendar' / 'unexplained'.
    """

    frame: pd.DataFrame


def calendar_spread(spread: pd.DataFrame, *, window: int = PERSISTENT_WINDOW,
                    spike_bp: float = 5.0) -> CalendarSpread:
    """Separate calendar spikes from persistent pressure in a daily spread (bp).

    The persistent level is the median of the last ``window`` observations that carry no
    calendar event; a calendar day's value never moves it. A day whose excess over the
    baseline is at least ``spike_bp`` is a 'calendar' spike on a calendar day and an
    'unexplained' spike on any other day. See docs/calendar.md.
    """
    f = spread.copy()
    f["calendar"] = calendar_kind(f.index).to_numpy()
    nc = f[f["calendar"] == ""]
    med = nc["value"].rolling(window, min_periods=max(3, window // 2)).median()
    rel = nc["release"].cummax()
    f["persistent_bp"] = med.reindex(f.index).ffill()
    f["persistent_release"] = rel.reindex(f.index).ffill()
    # The baseline excludes the day itself: for a non-calendar day, the median up to the
    # previous non-calendar observation; for a calendar day, the latest persistent level.
    prior = med.shift(1).reindex(f.index)
    f["baseline_bp"] = np.where(f["calendar"] == "", prior, f["persistent_bp"])
    f["excess_bp"] = f["value"] - f["baseline_bp"]
    spike = np.where(f["excess_bp"] >= spike_bp,
                     np.where(f["calendar"] != "", "calendar", "unexplained"), "")
    f["spike"] = spike
    return CalendarSpread(f)


def persistent_obs(cs: CalendarSpread) -> pd.DataFrame:
    """The persistent level as an observation series, known when its window is."""
    f = cs.frame
    nc = f[(f["calendar"] == "") & f["persistent_bp"].notna()]
    return pd.DataFrame({"value": nc["persistent_bp"], "release": nc["persistent_release"]})


# --- known-daily ------------------------------------------------------------------------
def known_on(obs: pd.DataFrame, grid: pd.DatetimeIndex) -> pd.DataFrame:
    """For each day of ``grid``: the latest observation published on or before it.

    Returns columns ``value`` and ``obs_date`` (NaN/NaT before the first release).
    """
    if obs.empty:
        return pd.DataFrame({"value": np.nan, "obs_date": pd.NaT}, index=grid)
    ev = pd.DataFrame({"obs_date": obs.index, "value": obs["value"].to_numpy(),
                       "release": pd.to_datetime(obs["release"]).to_numpy()})
    ev = ev.sort_values(["release", "obs_date"], kind="mergesort")
    ev = ev[ev["obs_date"] >= ev["obs_date"].cummax()]  # a late older print never wins
    ev = ev.groupby("release", sort=True).last()
    pos = np.searchsorted(ev.index.to_numpy(), grid.to_numpy(), side="right") - 1
    ok = pos >= 0
    value = np.full(len(grid), np.nan)
    when = np.full(len(grid), np.datetime64("NaT"), dtype="datetime64[ns]")
    value[ok] = ev["value"].to_numpy()[pos[ok]]
    when[ok] = ev["obs_date"].to_numpy()[pos[ok]]
    return pd.DataFrame({"value": value, "obs_date": when}, index=grid)


def change(x: pd.Series, bdays: int) -> pd.Series:
    """x(D) − x(D − bdays business days), in the units of x."""
    return x - x.shift(bdays)


def rolling_percentile(x: pd.Series, window: int, min_periods: int) -> pd.Series:
    """Percentile rank (0–100) of each value among the trailing ``window`` values."""
    return x.rolling(window, min_periods=min_periods).rank(pct=True) * 100.0


def rolling_slope(y: pd.Series, x: pd.Series, window: int, min_periods: int) -> pd.Series:
    """Least-squares slope of y on x over a trailing window (units of y per unit of x)."""
    cov = y.rolling(window, min_periods=min_periods).cov(x)
    var = x.rolling(window, min_periods=min_periods).var()
    return cov / var.where(var > 1e-12)


def net_liquidity_usd_bn(walcl_usd_bn: pd.Series, tga_usd_bn: pd.Series,
                         rrp_usd_bn: pd.Series) -> pd.Series:
    """Fed total assets − Treasury General Account − ON RRP, billions of USD (known-daily)."""
    return (walcl_usd_bn - tga_usd_bn - rrp_usd_bn).rename("net_liquidity_usd_bn")


# --- records ----------------------------------------------------------------------------
def record_since(x: pd.Series, at: pd.Timestamp, kind: str = "high") -> dict:
    """How far back one must go to find a value as extreme as ``x[at]``.

    ``kind='high'``: the last earlier date with a value ≥ x[at] ("highest since");
    ``kind='low'``: ≤ ("lowest since"). ``since`` is None when no earlier value is as
    extreme: a record over the whole history, which begins at ``history_start``.
    """
    s = x.dropna()
    s = s[s.index <= at]
    if s.empty:
        return {"value": None, "date": None, "since": None, "history_start": None,
                "kind": kind}
    v, d = float(s.iloc[-1]), s.index[-1]
    prior = s.iloc[:-1]
    hit = prior[prior >= v] if kind == "high" else prior[prior <= v]
    since = hit.index[-1] if len(hit) else None
    return {"value": v, "date": d, "since": since, "since_value":
            None if since is None else float(hit.iloc[-1]),
            "history_start": s.index[0], "kind": kind}


# --- the panel ----------------------------------------------------------------------------
@dataclass
class Panel:
    """All indicators on a business-day grid, plus the observation-level series behind them.

    ``daily`` columns carry units in their names; ``obs`` holds observation series
    (spreads by observation date); ``spreads`` the calendar decomposition of each spread.
    """

    daily: pd.DataFrame
    obs: dict[str, pd.DataFrame] = field(default_factory=dict)
    spreads: dict[str, CalendarSpread] = field(default_factory=dict)
    known_dates: dict[str, pd.Series] = field(default_factory=dict)


def build_panel(long: pd.DataFrame, *, end: pd.Timestamp,
                start: pd.Timestamp = pd.Timestamp("2010-01-04")) -> Panel:
    """Every indicator, known-daily from ``start`` to ``end``, from first-release data.

    ``long`` has columns series_id, obs_date, value, as_of (as from
    ``Store.first_release``); rows published after ``end`` are ignored.
    """
    long = long[pd.to_datetime(long["as_of"]) <= end]
    o = {sid: obs_series(long, sid) for sid in INPUT_IDS}
    grid = business_days(start, end)
    grid.name = "date"

    floor = splice(o["IOER"], o["IORB"], IORB_START)
    effr = prefer(o["EFFR"], o["DFF"])
    effr = effr[np.isin(effr.index, grid)]  # DFF carries weekends: keep business days
    obs = {
        "sofr_iorb_bp": spread_bp(o["SOFR"], floor),
        "effr_iorb_bp": spread_bp(effr, floor),
        "sofr99_iorb_bp": spread_bp(o["SOFR99"], floor),
        "tgcr_rrp_bp": spread_bp(o["TGCR"], o["RRP_RATE"]),
        "iorb_pct": floor,
    }
    spreads = {k: calendar_spread(obs[k]) for k in ("sofr_iorb_bp", "effr_iorb_bp")}
    obs["sofr_iorb_persistent_bp"] = persistent_obs(spreads["sofr_iorb_bp"])
    obs["effr_iorb_persistent_bp"] = persistent_obs(spreads["effr_iorb_bp"])

    known = {}
    known_dates = {}

    def k(name: str, series: pd.DataFrame) -> pd.Series:
        kd = known_on(series, grid)
        known_dates[name] = kd["obs_date"]
        known[name] = kd["value"]
        return kd["value"]

    walcl = k("walcl_usd_bn", o["WALCL"])
    reserves = k("reserves_usd_bn", o["WRESBAL"])
    tga_dts = known_on(o["TGA_DTS"], grid)
    tga_w = known_on(o["WTREGEN"], grid)
    use_dts = tga_dts["value"].notna() & (
        tga_w["obs_date"].isna() | (tga_dts["obs_date"] >= tga_w["obs_date"]))
    tga = tga_dts["value"].where(use_dts, tga_w["value"])
    known["tga_usd_bn"] = tga
    known_dates["tga_usd_bn"] = tga_dts["obs_date"].where(use_dts, tga_w["obs_date"])
    rrp = k("rrp_usd_bn", o["RRPONTSYD"])
    for name in ("sofr_iorb_bp", "effr_iorb_bp", "sofr99_iorb_bp", "tgcr_rrp_bp",
                 "sofr_iorb_persistent_bp", "effr_iorb_persistent_bp", "iorb_pct"):
        k(name, obs[name])
    k("vix_idx", o["VIXCLS"])
    hy = k("hy_oas_bp", o["BAMLH0A0HYM2"])
    k("stlfsi_idx", o["STLFSI4"])
    k("srf_usd_bn", o["RPONTSYD"])

    d = pd.DataFrame(known, index=grid)
    nl = net_liquidity_usd_bn(walcl, tga, rrp)
    d["net_liquidity_usd_bn"] = nl
    for label, n in WEEKS.items():
        d[f"net_liquidity_chg_{label}_usd_bn"] = change(nl, n)
        d[f"tga_chg_{label}_usd_bn"] = change(tga, n)
    d["rrp_chg_4w_usd_bn"] = change(rrp, 20)
    d["rrp_chg_13w_usd_bn"] = change(rrp, 65)
    d["walcl_chg_1w_usd_bn"] = change(walcl, 5)
    d["walcl_chg_4w_usd_bn"] = change(walcl, 20)
    d["qt_pace_usd_bn_per_month"] = change(walcl, 65) / 3.0
    d["hy_oas_chg_20d_bp"] = change(hy, 20)
    d["reserves_pctile_5y"] = rolling_percentile(reserves, RESERVES_HISTORY_BDAYS, 250)
    # Reserve demand curve: slope of the persistent EFFR − IORB spread on reserves, in bp
    # per $100bn, fitted on the trailing two years known on each day.
    d["reserve_slope_bp_per_100bn"] = rolling_slope(
        d["effr_iorb_persistent_bp"], reserves / 100.0, DEMAND_CURVE_BDAYS, 120)
    for label, cs in spreads.items():
        f = cs.frame
        ev = pd.DataFrame({"value": f["excess_bp"], "release": f["release"]}).dropna()
        d[label.replace("_bp", "_excess_bp")] = known_on(ev, grid)["value"]
    return Panel(daily=d, obs=obs, spreads=spreads, known_dates=known_dates)


# The registry of derived series lives in a light module (no pandas) for the CLI's fast paths.
from dollarliq.indicator_catalog import INDICATORS, IndicatorSpec  # noqa: E402,F401
