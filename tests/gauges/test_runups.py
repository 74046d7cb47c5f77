"""The Greenwood-Shleifer-You run-up flag and its attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.gauges.runups import annualised_vol_pct, issuance_2y_pct, runup


def _path(points: dict[str, float]) -> pd.Series:
    idx = pd.to_datetime(list(points))
    s = pd.Series(list(points.values()), index=idx, dtype=float)
    return s.resample("D").interpolate()


def test_runup_by_hand():
    price = _path({"2022-01-01": 10.0, "2023-07-01": 12.0, "2024-01-01": 25.0})
    market = _path({"2022-01-01": 100.0, "2024-01-01": 120.0})
    r = runup(price, market, date=pd.Timestamp("2024-01-01"))
    assert r["return_2y_pct"] == pytest.approx(150.0)
    assert r["runup_100pct"] is True
    assert r["return_2y_net_of_market_pct"] == pytest.approx(100 * (2.5 / 1.2 - 1), abs=0.01)
    assert r["runup_100pct_net_of_market"] is True
    assert r["drawdown_from_2y_high_pct"] == 0.0 and r["crash_40pct_drawdown"] is False


def test_crash_is_a_40pct_drawdown():
    price = _path({"2022-01-01": 10.0, "2023-06-01": 30.0, "2024-01-01": 15.0})
    r = runup(price, None, date=pd.Timestamp("2024-01-01"))
    assert r["drawdown_from_2y_high_pct"] == pytest.approx(-50.0)
    assert r["crash_40pct_drawdown"] is True
    assert r["runup_100pct"] is False  # +50%


def test_volatility_of_a_known_path():
    # alternating +1% / -1% log returns: sample std ~ 0.01 -> 0.01 * sqrt(252) annualised
    r = np.tile([0.01, -0.01], 50)
    p = pd.Series(np.exp(np.cumsum(np.r_[0, r])),
                  index=pd.bdate_range("2024-01-01", periods=101))
    assert annualised_vol_pct(p) == pytest.approx(100 * np.std(r, ddof=1) * np.sqrt(252))


def test_issuance_uses_split_adjusted_counts():
    counts = pd.Series([100.0, 408.0], index=pd.to_datetime(["2022-01-01", "2024-01-01"]))
    # 4:1 split in between, then 2% more shares
    assert issuance_2y_pct(counts, date=pd.Timestamp("2024-01-01")) == pytest.approx(2.0)


def test_real_runups_on_the_snapshot(store):
    from dollarliq.api import gauges

    g = gauges(pd.Timestamp("2024-06-28"), store=store)["gauges"]["runups"]
    assert g["status"] == "ok"
    # NVDA more than tripled from June 2022 to June 2024 (split-adjusted closes)
    assert g["names"]["NVDA"]["runup_100pct"] is True
    assert "NVDA" in g["runup_100pct"]
    assert g["names"]["QQQ"]["return_2y_pct"] < 100


def test_price_path_by_hand():
    price = _path({"2022-01-01": 10.0, "2023-07-03": 12.0, "2024-01-01": 24.0})
    r = runup(price, None, date=pd.Timestamp("2024-01-01"))
    # 2024-01-01 - 182 days = 2023-07-03
    assert r["return_first_18m_pct"] == pytest.approx(20.0)
    assert r["return_last_6m_pct"] == pytest.approx(100.0)
