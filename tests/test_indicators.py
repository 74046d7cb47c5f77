"""Indicators: hand-checked numbers, the calendar decomposition, known-daily mapping, records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.indicators import (calendar_kind, calendar_spread, known_on,
                                  net_liquidity_usd_bn, record_since, rolling_slope, spread_bp)

T = pd.Timestamp


def obs(values: dict[str, float], lag_days: int = 1) -> pd.DataFrame:
    idx = pd.DatetimeIndex(list(values))
    return pd.DataFrame({"value": list(values.values()),
                         "release": idx + pd.Timedelta(days=lag_days)}, index=idx)


def test_spread_in_bp_is_released_with_the_later_input():
    sofr = obs({"2025-10-31": 4.22, "2025-11-03": 4.13}, lag_days=3)
    iorb = obs({"2025-10-31": 3.90, "2025-11-03": 3.90}, lag_days=0)
    s = spread_bp(sofr, iorb)
    assert s["value"].tolist() == pytest.approx([32.0, 23.0])
    assert s["release"].iloc[0] == T("2025-11-03")


def test_net_liquidity_is_assets_minus_tga_minus_rrp():
    idx = pd.date_range("2025-10-27", periods=3, freq="B")
    nl = net_liquidity_usd_bn(pd.Series([6600.0, 6600, 6587], idx),
                              pd.Series([950.0, 980, 1000], idx), pd.Series([50.0, 40, 30], idx))
    assert nl.tolist() == [5600.0, 5580.0, 5557.0]


def test_weekly_value_enters_only_from_its_release_date():
    walcl = obs({"2025-10-22": 6590.0, "2025-10-29": 6587.0}, lag_days=1)
    grid = pd.date_range("2025-10-27", "2025-10-31", freq="B")
    k = known_on(walcl, grid)
    assert k.loc["2025-10-29", "value"] == 6590.0  # Wednesday: still last week's
    assert k.loc["2025-10-30", "value"] == 6587.0  # Thursday: the new H.4.1
    assert k.loc["2025-10-30", "obs_date"] == T("2025-10-29")


def test_a_late_print_of_an_older_date_never_replaces_a_newer_one():
    o = pd.DataFrame({"value": [1.0, 2.0], "release": [T("2025-01-03"), T("2025-01-06")]},
                     index=pd.DatetimeIndex(["2025-01-02", "2024-12-31"]))
    k = known_on(o, pd.date_range("2025-01-02", "2025-01-07", freq="B"))
    assert k["value"].dropna().tolist() == [1.0, 1.0, 1.0]


def test_calendar_kinds_on_a_known_calendar():
    days = pd.DatetimeIndex(["2025-09-15", "2025-09-30", "2025-10-01", "2025-10-15",
                             "2025-10-31", "2025-11-03", "2025-11-17", "2025-12-31",
                             "2025-10-08"])
    k = calendar_kind(days).tolist()
    assert k == ["tax_date", "quarter_end", "month_start", "settlement", "month_end",
                 "month_start", "settlement", "year_end", ""]
    # 2025-11-15 is a Saturday: the mid-month event falls on Monday the 17th.


def synthetic_spread(level: float, spikes: dict[str, float]) -> pd.DataFrame:
    days = pd.bdate_range("2025-01-02", "2025-06-30")
    v = pd.Series(level, index=days)
    for d, x in spikes.items():
        v[T(d)] = x
    return pd.DataFrame({"value": v, "release": days + pd.Timedelta(days=1)}, index=days)


def test_synthetic_calendar_spikes_do_not_move_the_persistent_level():
    # A flat -5 bp spread with a spike on each month-end and quarter-end.
    ends = {"2025-01-31": 20.0, "2025-02-28": 15.0, "2025-03-31": 40.0, "2025-04-30": 18.0,
            "2025-05-30": 22.0}
    cs = calendar_spread(synthetic_spread(-5.0, ends)).frame
    assert (cs["persistent_bp"].dropna() == -5.0).all()
    assert set(cs.loc[cs["spike"] == "calendar"].index.strftime("%Y-%m-%d")) == set(ends)
    assert (cs["spike"] == "unexplained").sum() == 0
    assert cs.loc["2025-03-31", "excess_bp"] == 45.0


def test_a_persistent_shift_moves_the_level_and_a_non_calendar_spike_is_flagged():
    s = synthetic_spread(-5.0, {"2025-03-12": 25.0})
    s.loc["2025-04-01":, "value"] = 12.0  # pressure that stays
    cs = calendar_spread(s).frame
    assert cs.loc["2025-03-12", "spike"] == "unexplained"
    assert cs.loc["2025-03-13", "persistent_bp"] == -5.0  # one day is not persistence
    assert cs.loc["2025-04-30", "persistent_bp"] == 12.0


def test_october_november_2025_on_the_snapshot(store):
    from dollarliq.engine import run_engine

    res = run_engine(store, as_of=T("2025-11-20"))
    f = res.panel.spreads["sofr_iorb_bp"].frame.loc["2025-10-24":"2025-11-19"]
    assert f.loc["2025-10-31", "value"] == pytest.approx(32.0)
    assert f.loc["2025-10-31", "calendar"] == "month_end"
    assert f.loc["2025-10-31", "spike"] == "calendar"
    # The month-end print does not enter the persistent level.
    assert f.loc["2025-10-31", "persistent_bp"] == f.loc["2025-10-30", "persistent_bp"]
    # But SOFR stayed above IORB on ordinary days: a persistent shift, not only a spike.
    assert f.loc["2025-11-14", "persistent_bp"] > 0


def test_record_since_high_and_low():
    s = pd.Series([44.0, 10.0, 5.0, 32.0, 8.0, 32.0],
                  index=pd.to_datetime(["2020-03-17", "2021-01-04", "2022-01-03", "2023-06-30",
                                        "2024-01-02", "2025-10-31"]))
    r = record_since(s, T("2025-10-31"), "high")
    assert r["since"] == T("2023-06-30") and r["value"] == 32.0
    r = record_since(s.drop(T("2023-06-30")), T("2025-10-31"), "high")
    assert r["since"] == T("2020-03-17") and r["since_value"] == 44.0
    r = record_since(s, T("2022-01-03"), "low")
    assert r["since"] is None and r["history_start"] == T("2020-03-17")


def test_rolling_slope_recovers_a_linear_relation():
    x = pd.Series(np.linspace(30.0, 20.0, 300))
    y = 5.0 - 2.0 * x
    assert rolling_slope(y, x, 100, 50).dropna().to_numpy() == pytest.approx(-2.0)


def test_stale_days_by_cadence():
    from dollarliq.indicators import stale_days

    grid = pd.bdate_range("2025-11-03", "2025-11-21")
    daily = pd.Series(T("2025-11-03"), index=grid)
    st = stale_days(daily, "D", 1)
    # known the next business day, plus 5 business days of allowance (11-11 is a holiday)
    assert not st["2025-11-11":"2025-11-12"].any() and st["2025-11-13"]
    weekly = stale_days(pd.Series(T("2025-11-05"), index=grid), "W-WED", 1)
    assert not weekly["2025-11-21"]  # 16 days: within a week + 1 day lag + 10 days
    late = stale_days(pd.Series(T("2025-10-29"), index=grid), "W-WED", 1)
    assert late["2025-11-17"] and not late["2025-11-14"]


def test_share_of_volume_above_iorb_from_the_percentiles():
    from dollarliq.indicators import share_above_obs

    idx = pd.DatetimeIndex(["2025-10-31", "2025-11-03", "2025-11-04"])

    def o(vals):
        return pd.DataFrame({"value": vals, "release": idx}, index=idx)

    pct = {"1": o([3.95, 3.85, 3.80]), "25": o([4.10, 3.95, 3.85]),
           "75": o([4.30, 4.20, 3.95]), "99": o([4.50, 4.40, 4.00])}
    floor = o([3.90, 3.90, 4.05])
    s = share_above_obs(pct, o([4.22, 4.05, 3.90]), floor)
    assert s["value"].iloc[0] == 100.0  # the floor below the 1st percentile
    # 3.90 between p1 = 3.85 and p25 = 3.95: half-way, 13% at or below, 87% above
    assert s["value"].iloc[1] == pytest.approx(87.0)
    assert s["value"].iloc[2] == 0.0  # above the 99th percentile


def test_rolling_elasticity_band_covers_a_known_slope():
    from dollarliq.indicators import rolling_elasticity

    rng = np.random.default_rng(12345)
    x = pd.Series(np.linspace(10, 14, 300))
    y = -2.0 * x + rng.normal(0, 0.5, 300)
    el = rolling_elasticity(y, x, 250, 120).iloc[-1]
    assert el["lo"] < -2.0 < el["hi"] and el["hi"] - el["lo"] < 0.5
