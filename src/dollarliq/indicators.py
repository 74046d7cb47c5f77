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

from dollarliq.catalog import CORE_IDS as _CORE_IDS
from dollarliq.dates import business_days

BDAYS_PER_WEEK = 5
from dollarliq.indicator_catalog import WEEKS  # noqa: E402  (business days per label)
PERSISTENT_WINDOW = 10  # non-calendar observations in the persistent-spread median
RESERVES_HISTORY_BDAYS = 1260  # five years of business days
DEMAND_CURVE_BDAYS = 504  # two years of business days
IORB_START = pd.Timestamp("2021-07-29")
#: The standing repo facility's first day. Before it the same overnight repo operations were
#: the Desk's open-market operations (routine before 2008, offered to all its counterparties in
#: 2019-09..2020-07, in sizes the Desk chose): shown, but not take-up of a backstop, so not
#: evidence for the rules (docs/stages.md).
SRF_START = pd.Timestamp("2021-07-28")

#: Inputs of the engine (catalog ids).
INPUT_IDS = ["WALCL", "WRESBAL", "WTREGEN", "WDTGAL", "TGA_DTS", "RRPONTSYD", "SOFR", "SOFR1",
             "SOFR25", "SOFR75", "SOFR99", "IORB", "IOER", "DFEDTARU", "EFFR", "DFF", "TGCR",
             "BGCR", "RRP_RATE", "VIXCLS", "BAMLH0A0HYM2", "STLFSI4", "RPONTTLD",
             "WLCFLPCL", "SWPT", "H41RESPPALDKNWW", "H41RESPPALGTRFNWW", "WORAL",
             "TLAACBW027SBOG", "TREAST", "WSHOMCB", "DFEDTAR", "TEDRATE", "RIFSPPFAAD90NB",
             "DTB3"]
#: Backstop lines (H.4.1 Wednesday levels, USD bn): indicator stem -> catalog id.
BACKSTOPS = {"primary_credit": "WLCFLPCL", "swap_lines": "SWPT", "btfp": "H41RESPPALDKNWW",
             "fima_repo": "H41RESPPALGTRFNWW", "fed_repo": "WORAL"}
#: Trailing business days of the reserve demand elasticity regression.
ELASTICITY_BDAYS = 250
#: Allowance before an input counts as stale, beyond its normal publication lag: business
#: days for daily series, calendar days for weekly and monthly ones.
STALE_ALLOWANCE = {"D": 5, "W": 10, "M": 31}
#: Slow denominators carried forward past the usual allowance, with their real observation
#: date shown: calendar days. H.8 bank assets (weekly, released about 9 days after the
#: Wednesday) move little: over 8 weeks the median absolute change is 0.7% and the 90th
#: percentile 1.6% (2018-2026; 1.9% at most from 2022), which moves a 12% reserve share by
#: about 0.2 points. So the last figure serves the reserve share for 8 weeks beyond the usual
#: weekly allowance: the share counts as stale 82 days after the H.8 Wednesday (25 + 56 + 1).
CARRY_FORWARD_DAYS = {"TLAACBW027SBOG": 56}
#: Inputs without which no stage can be decided (:data:`dollarliq.catalog.CORE_IDS`).
CORE_IDS = list(_CORE_IDS)


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
from dollarliq.dates import CALENDAR_KINDS, EXCUSED_KINDS, funding_calendar  # noqa: E402,F401


def calendar_kind(dates: pd.DatetimeIndex) -> pd.Series:
    """The strongest funding-calendar label that excuses a rate spike ('' for none).

    See :func:`dollarliq.dates.funding_calendar` (bond-market calendar: month and quarter ends
    on the last day with a SOFR print, tax dates, coupon settlement) and docs/calendar.md.
    """
    return funding_calendar(dates)["kind"].rename("calendar")


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
#: A "highest (lowest) since" is worth printing only when it looks back at least this many
#: calendar days (``[records] min_lookback_days`` of a rules file overrides it for the report).
RECORD_MIN_LOOKBACK_DAYS = 365


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


# --- staleness ----------------------------------------------------------------------------
def stale_days(obs_date: pd.Series, freq: str, lag_days: int) -> pd.Series:
    """True on the grid days where the latest known observation is older than its cadence allows.

    ``obs_date``: observation date of the value known on each grid day (NaT before the first).
    Daily series are stale when more than ``lag_days`` + 5 business days behind the day;
    weekly ones when more than ``lag_days`` + 6 + 10 calendar days; monthly ones when more
    than ``lag_days`` + 31 + 31 days (:data:`STALE_ALLOWANCE`).
    """
    grid = obs_date.index
    od = pd.to_datetime(obs_date)
    ok = od.notna().to_numpy()
    out = np.zeros(len(grid), dtype=bool)
    g = grid.values.astype("datetime64[D]")
    o = od.values.astype("datetime64[D]")
    if freq == "D":
        from dollarliq.dates import _holidays

        age = np.zeros(len(grid), dtype=np.int64)
        age[ok] = np.busday_count(o[ok], g[ok], holidays=_holidays("fedwire"))
        out[ok] = age[ok] > lag_days + STALE_ALLOWANCE["D"]
    else:
        period = 6 if freq.startswith("W") else 31
        allow = STALE_ALLOWANCE["W" if freq.startswith("W") else "M"]
        age = (g[ok] - o[ok]).astype(int)
        out[ok] = age > lag_days + period + allow
    return pd.Series(out, index=grid)


def _lag_days(series_id: str) -> tuple[str, int]:
    """(frequency class, publication lag in days) of a catalog series, plus the extra days a
    slow denominator is carried forward (:data:`CARRY_FORWARD_DAYS`)."""
    from dollarliq.catalog import CATALOG

    spec = CATALOG[series_id]
    freq = "D" if spec.freq == "D" else spec.freq
    rule = spec.release
    n = int(rule.n)
    if rule.kind == "month_end_bdays":
        return "M", n + 2
    return freq, n + CARRY_FORWARD_DAYS.get(series_id, 0)


def last_seen_if_stale(series_id: str, obs_date: pd.Timestamp | None,
                       day: pd.Timestamp) -> pd.Timestamp | None:
    """``obs_date`` when a catalog series last observed then is stale on ``day``, else None.

    The same allowance as the engine's inputs (:func:`stale_days`); a series never observed
    (``obs_date`` None) is not "stale" but absent, and gives None too.
    """
    if obs_date is None or pd.isna(obs_date):
        return None
    freq, lag = _lag_days(series_id)
    grid = pd.DatetimeIndex([pd.Timestamp(day)])
    st = stale_days(pd.Series([pd.Timestamp(obs_date)], index=grid), freq, lag)
    return pd.Timestamp(obs_date) if bool(st.iloc[0]) else None


def _persistence(x: pd.Series, days: int) -> pd.Series:
    """Rolling maximum over the last ``days`` grid days (a reading that stays a few days)."""
    return x.rolling(days, min_periods=1).max()


def rolling_elasticity(y: pd.Series, x: pd.Series, window: int,
                       min_periods: int) -> pd.DataFrame:
    """Trailing OLS slope of y on x with a 95% band (slope ± 1.96 standard errors).

    Returns columns ``slope``, ``lo``, ``hi`` in units of y per unit of x. The standard error
    is the textbook one (no correction for autocorrelation), so the band is narrower than an
    honest one would be; see docs/stages.md.
    """
    r = y.rolling(window, min_periods=min_periods)
    n = y.notna().astype(float).rolling(window, min_periods=min_periods).sum()
    cov = r.cov(x)
    var_x = x.rolling(window, min_periods=min_periods).var()
    var_y = r.var()
    slope = cov / var_x.where(var_x > 1e-12)
    resid_var = (var_y - slope * cov).clip(lower=0.0) * (n - 1) / (n - 2).where(n > 2)
    se = np.sqrt(resid_var / (var_x * (n - 1)).where(var_x > 1e-12))
    return pd.DataFrame({"slope": slope, "lo": slope - 1.96 * se, "hi": slope + 1.96 * se})


# --- the panel ----------------------------------------------------------------------------
@dataclass
class Panel:
    """All indicators on a business-day grid, plus the observation-level series behind them.

    ``daily`` columns carry units in their names; ``obs`` holds observation series
    (spreads by observation date); ``spreads`` the calendar decomposition of each spread;
    ``known_dates`` the observation date of the oldest input behind each indicator on each
    day; ``stale`` True where an input is older than its cadence allows (such a value is shown,
    marked stale, and never counts as evidence).
    """

    daily: pd.DataFrame
    obs: dict[str, pd.DataFrame] = field(default_factory=dict)
    spreads: dict[str, CalendarSpread] = field(default_factory=dict)
    known_dates: dict[str, pd.Series] = field(default_factory=dict)
    stale: pd.DataFrame | None = None

    def usable(self) -> pd.DataFrame:
        """``daily`` with stale values blanked: what the rules and the score read."""
        if self.stale is None:
            return self.daily
        st = self.stale.reindex(columns=self.daily.columns, fill_value=False)
        return self.daily.mask(st.to_numpy(dtype=bool))


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
        "tgcr_iorb_bp": spread_bp(o["TGCR"], floor),
        "bgcr_iorb_bp": spread_bp(o["BGCR"], floor),
        "sofr99_iorb_bp": spread_bp(o["SOFR99"], floor),
        "sofr_top_bp": spread_bp(o["SOFR"], o["DFEDTARU"]),
        "tgcr_rrp_bp": spread_bp(o["TGCR"], o["RRP_RATE"]),
        "iorb_pct": floor,
        # The corridor years (to 2008-12-15): fed funds against its point target.
        "dff_target_bp": spread_bp(o["DFF"][np.isin(o["DFF"].index, grid)], o["DFEDTAR"]),
        # Unsecured bank funding: the TED spread (LIBOR − bill, bp) and AA financial CP − bill.
        "ted_bp": o["TEDRATE"],
        "cp_tbill_bp": spread_bp(o["RIFSPPFAAD90NB"], o["DTB3"]),
    }
    obs["sofr_above_iorb_share_pct"] = share_above_obs(
        {p: o[f"SOFR{p}"] for p in ("1", "25", "75", "99")}, o["SOFR"], floor)
    spreads = {k: calendar_spread(obs[k]) for k in SPIKE_SPREADS}
    for k in SPIKE_SPREADS:
        obs[k.replace("_bp", "_persistent_bp")] = persistent_obs(spreads[k])

    known: dict[str, pd.Series] = {}
    known_dates: dict[str, pd.Series] = {}
    stale: dict[str, pd.Series] = {}
    inputs_stale: dict[str, pd.Series] = {}

    def input_stale(sid: str, od: pd.Series) -> pd.Series:
        freq, lag = _lag_days(sid)
        return stale_days(od, "D" if freq == "D" else freq, lag)

    def k(name: str, series: pd.DataFrame, sids: tuple[str, ...]) -> pd.Series:
        kd = known_on(series, grid)
        known_dates[name] = kd["obs_date"]
        known[name] = kd["value"]
        freq, lag = _lag_days(sids[0])
        st = stale_days(kd["obs_date"], freq, lag)
        stale[name] = st
        for sid in sids:
            inputs_stale.setdefault(sid, st)
        return kd["value"]

    walcl = k("walcl_usd_bn", o["WALCL"], ("WALCL",))
    reserves = k("reserves_usd_bn", o["WRESBAL"], ("WRESBAL",))
    bank_assets = k("bank_assets_usd_bn", o["TLAACBW027SBOG"], ("TLAACBW027SBOG",))
    # TGA: the DTS daily close; before it (2022-04-18) the H.4.1 Wednesday level, the same
    # convention (a closing balance), not the week average that jumps against the DTS.
    tga_dts = known_on(o["TGA_DTS"], grid)
    tga_w = known_on(prefer(o["WDTGAL"], o["WTREGEN"]), grid)
    use_dts = tga_dts["value"].notna() & (
        tga_w["obs_date"].isna() | (tga_dts["obs_date"] >= tga_w["obs_date"]))
    tga = tga_dts["value"].where(use_dts, tga_w["value"])
    known["tga_usd_bn"] = tga
    known_dates["tga_usd_bn"] = tga_dts["obs_date"].where(use_dts, tga_w["obs_date"])
    stale["tga_usd_bn"] = stale_days(tga_dts["obs_date"], "D", 1).where(
        use_dts, stale_days(tga_w["obs_date"], "W-WED", 1))
    rrp = k("rrp_usd_bn", o["RRPONTSYD"], ("RRPONTSYD",))
    rate_inputs = {"sofr": ("SOFR",), "effr": ("EFFR",), "tgcr": ("TGCR",), "bgcr": ("BGCR",),
                   "sofr99": ("SOFR99",), "sofr_top": ("SOFR",), "tgcr_rrp": ("TGCR",),
                   "iorb": ("IORB",), "sofr_above": ("SOFR",), "dff_target": ("DFF",),
                   "ted": ("TEDRATE",), "cp_tbill": ("RIFSPPFAAD90NB",)}
    for name in list(obs):
        stem = next(s for s in sorted(rate_inputs, key=len, reverse=True) if name.startswith(s))
        k(name, obs[name], rate_inputs[stem])
    k("vix_idx", o["VIXCLS"], ("VIXCLS",))
    hy = k("hy_oas_bp", o["BAMLH0A0HYM2"], ("BAMLH0A0HYM2",))
    k("stlfsi_idx", o["STLFSI4"], ("STLFSI4",))
    k("srf_usd_bn", o["RPONTTLD"], ("RPONTTLD",))
    srf = o["RPONTTLD"][o["RPONTTLD"].index >= SRF_START]
    k("srf_take_up_usd_bn", srf, ("RPONTTLD",))
    # Take-up on a day without a funding-calendar label (period ends, month starts, tax and
    # settlement days read 0 here): the mid-month rule's input.
    on_calendar = calendar_kind(srf.index).to_numpy() != ""
    k("srf_take_up_plain_usd_bn", srf.assign(value=srf["value"].where(~on_calendar, 0.0)),
      ("RPONTTLD",))
    for stem, sid in BACKSTOPS.items():
        k(f"{stem}_usd_bn", o[sid], (sid,))
        # A fresh draw: the change from the previous H.4.1 week, known from its release.
        ob = o[sid]
        k(f"{stem}_chg_1w_usd_bn", pd.DataFrame({"value": ob["value"].diff(),
                                                  "release": ob["release"]}).iloc[1:], (sid,))
    holdings = o["TREAST"].join(o["WSHOMCB"].add_suffix("_m"), how="inner")
    holdings = pd.DataFrame({"value": holdings["value"] + holdings["value_m"],
                             "release": np.maximum(holdings["release"].to_numpy(),
                                                   holdings["release_m"].to_numpy())},
                            index=holdings.index)
    sec = k("securities_held_usd_bn", holdings, ("TREAST", "WSHOMCB"))

    d = pd.DataFrame(known, index=grid)
    st = pd.DataFrame(stale, index=grid)
    kd = pd.DataFrame(known_dates, index=grid)

    def derive(name: str, values: pd.Series, parents: list[str]) -> None:
        d[name] = values
        st[name] = st[parents].any(axis=1)
        kd[name] = kd[parents].min(axis=1)

    nl = net_liquidity_usd_bn(walcl, tga, rrp)
    derive("net_liquidity_usd_bn", nl, ["walcl_usd_bn", "tga_usd_bn", "rrp_usd_bn"])
    for label, n in WEEKS.items():
        derive(f"net_liquidity_chg_{label}_usd_bn", change(nl, n), ["net_liquidity_usd_bn"])
        derive(f"tga_chg_{label}_usd_bn", change(tga, n), ["tga_usd_bn"])
    derive("rrp_chg_4w_usd_bn", change(rrp, 20), ["rrp_usd_bn"])
    derive("rrp_chg_13w_usd_bn", change(rrp, 65), ["rrp_usd_bn"])
    derive("walcl_chg_1w_usd_bn", change(walcl, 5), ["walcl_usd_bn"])
    derive("walcl_chg_4w_usd_bn", change(walcl, 20), ["walcl_usd_bn"])
    # QT from securities held outright (Treasuries + MBS): emergency loans and their
    # repayment move total assets, not holdings. Holdings data begin 2021-05-26.
    derive("qt_pace_usd_bn_per_month", change(sec, 65) / 3.0, ["securities_held_usd_bn"])
    derive("hy_oas_chg_20d_bp", change(hy, 20), ["hy_oas_bp"])
    derive("reserves_pctile_5y", rolling_percentile(reserves, RESERVES_HISTORY_BDAYS, 250),
           ["reserves_usd_bn"])
    share = 100.0 * reserves / bank_assets
    derive("reserves_share_bank_assets_pct", share, ["reserves_usd_bn", "bank_assets_usd_bn"])
    # Reserve demand curve: slope of the persistent EFFR − IORB spread on reserves, in bp
    # per $100bn, fitted on the trailing two years known on each day (kept for the chart).
    derive("reserve_slope_bp_per_100bn", rolling_slope(
        d["effr_iorb_persistent_bp"], reserves / 100.0, DEMAND_CURVE_BDAYS, 120),
        ["effr_iorb_persistent_bp", "reserves_usd_bn"])
    # Reserve demand elasticity in the NY Fed's sense: EFFR − IORB (bp) against reserves as a
    # share of bank assets (percentage points), trailing year, with a 95% band.
    el = rolling_elasticity(d["effr_iorb_persistent_bp"], share, ELASTICITY_BDAYS, 120)
    for col, name in (("slope", "reserve_elasticity_bp_per_pp"),
                      ("lo", "reserve_elasticity_lo_bp_per_pp"),
                      ("hi", "reserve_elasticity_hi_bp_per_pp")):
        derive(name, el[col], ["effr_iorb_persistent_bp", "reserves_share_bank_assets_pct"])
    for stem in BACKSTOPS:
        derive(f"{stem}_chg_4w_usd_bn", change(d[f"{stem}_usd_bn"], 20), [f"{stem}_usd_bn"])
    for label, cs in spreads.items():
        f = cs.frame
        ev = pd.DataFrame({"value": f["excess_bp"], "release": f["release"]}).dropna()
        name = label.replace("_bp", "_excess_bp")
        kx = known_on(ev, grid)
        d[name] = kx["value"]
        kd[name] = kx["obs_date"]
        st[name] = st[label]
        # A spike on a day that carries no calendar label (unexplained by the calendar).
        evu = pd.DataFrame({"value": f["excess_bp"].where(f["calendar"] == "", 0.0),
                            "release": f["release"]}).dropna()
        derive(label.replace("_bp", "_plain_excess_bp"), known_on(evu, grid)["value"], [label])
        derive(label.replace("_bp", "_excess_max5d_bp"), _persistence(d[name], 5), [name])
    derive("sofr_iorb_max5d_bp", _persistence(d["sofr_iorb_bp"], 5), ["sofr_iorb_bp"])
    # Fed funds off its target, robust to a single calendar day: the median absolute gap of
    # the last 5 business days (bp).
    derive("dff_target_abs_med5d_bp", d["dff_target_bp"].abs().rolling(5, min_periods=3).median(),
           ["dff_target_bp"])
    return Panel(daily=d, obs=obs, spreads=spreads,
                 known_dates={c: kd[c] for c in kd.columns}, stale=st.astype(bool))


#: Spreads decomposed into a persistent level and spikes against their own baseline.
SPIKE_SPREADS = ("sofr_iorb_bp", "effr_iorb_bp", "tgcr_iorb_bp", "bgcr_iorb_bp",
                 "sofr99_iorb_bp")


def share_above_obs(pctl: dict[str, pd.DataFrame], median: pd.DataFrame,
                    floor: pd.DataFrame) -> pd.DataFrame:
    """Share of SOFR volume (percent) traded above IORB, from the published percentiles.

    The NY Fed publishes the 1st, 25th, 50th (SOFR itself, a volume-weighted median), 75th
    and 99th percentiles; the share above a rate is bounded by the bracket the rate falls in
    and estimated by linear interpolation inside it (0 above the 99th percentile... 100 below
    the 1st). Released with the later input.
    """
    cols = {"p1": pctl["1"], "p25": pctl["25"], "p50": median, "p75": pctl["75"],
            "p99": pctl["99"], "floor": floor}
    j = None
    for name, df in cols.items():
        x = df.rename(columns={"value": name, "release": f"r_{name}"})
        j = x if j is None else j.join(x, how="inner")
    if j is None or j.empty:
        return pd.DataFrame({"value": pd.Series(dtype=float),
                             "release": pd.Series(dtype="datetime64[ns]")})
    xs = j[["p1", "p25", "p50", "p75", "p99"]].to_numpy()
    qs = np.array([1.0, 25.0, 50.0, 75.0, 99.0])
    f = j["floor"].to_numpy()
    below = np.empty(len(j))
    for i in range(len(j)):
        x = np.maximum.accumulate(xs[i])
        if f[i] < x[0]:
            below[i] = 0.0
        elif f[i] >= x[-1]:
            below[i] = 100.0
        else:
            # the share of volume at or below the floor; ties put the mass at the floor above
            below[i] = float(np.interp(f[i], x, qs, left=0.0, right=100.0))
    rel = np.max(j[[c for c in j.columns if c.startswith("r_")]].to_numpy(), axis=1)
    return pd.DataFrame({"value": 100.0 - below, "release": rel}, index=j.index)


# The registry of derived series lives in a light module (no pandas) for the CLI's fast paths.
from dollarliq.indicator_catalog import INDICATORS, IndicatorSpec  # noqa: E402,F401
