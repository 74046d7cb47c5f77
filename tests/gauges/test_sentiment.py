"""Fear & greed composite: scoring rules by hand, and the December 2023 sanity check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.sentiment import (RANK_WINDOW, breadth_reading, fear_greed, label,
                                        momentum_reading)


def test_labels():
    assert [label(x) for x in (10, 30, 50, 60, 79)] == [
        "extreme fear", "fear", "neutral", "greed", "extreme greed"]


def test_momentum_reading_by_hand():
    s = pd.Series(np.r_[np.full(124, 100.0), 125.0], index=pd.bdate_range("2024-01-01",
                                                                           periods=125))
    # mean of 124 x 100 and 125 = 100.2; 125 / 100.2 - 1
    assert momentum_reading(s).iloc[-1] == pytest.approx(125 / 100.2 - 1)


def test_breadth_reading_by_hand():
    idx = pd.bdate_range("2024-01-01", periods=21)
    rsp = pd.Series(np.r_[np.full(20, 100.0), 105.0], index=idx)
    spy = pd.Series(np.r_[np.full(20, 100.0), 100.0], index=idx)
    assert breadth_reading(rsp, spy).iloc[-1] == pytest.approx(5.0)


def _synthetic(n=700):
    idx = pd.bdate_range("2021-01-01", periods=n)
    rising = pd.Series(np.linspace(100, 200, n), index=idx)
    return idx, rising


def test_scores_point_the_right_way():
    idx, rising = _synthetic()
    hy_falling = pd.Series(np.linspace(600, 300, len(idx)), index=idx)
    vix = pd.Series(20.0, index=idx)
    vix.iloc[-1] = 40.0  # a volatility spike: fear
    r = fear_greed(index_level=rising, vix=vix, hy_oas_bp=hy_falling, spy=None,
                   dgs10_pct=None, rsp=None, date=idx[-1])
    assert r["parts"]["junk_bond_spread"]["score"] > 99  # tightest spread in the window
    assert r["parts"]["volatility"]["score"] < 1
    assert r["parts"]["safe_haven"]["status"].startswith("unavailable")
    assert r["parts_used"] == 3
    assert r["composite"] == pytest.approx(np.mean(
        [p["score"] for p in r["parts"].values() if p["score"] is not None]), abs=0.06)


def test_too_few_parts_is_not_enough_data():
    idx, rising = _synthetic()
    with pytest.raises(NotEnoughData, match="only 1 of 5"):
        fear_greed(index_level=rising, vix=None, hy_oas_bp=None, spy=None, dgs10_pct=None,
                   rsp=None, date=idx[-1])


def test_stale_inputs_are_left_out():
    idx, rising = _synthetic()
    r = fear_greed(index_level=rising, vix=rising, hy_oas_bp=rising, spy=None,
                   dgs10_pct=None, rsp=None, date=idx[-1] + pd.Timedelta(days=5))
    assert r["parts_used"] == 3
    with pytest.raises(NotEnoughData, match="at most 10 days old"):
        fear_greed(index_level=rising, vix=rising, hy_oas_bp=rising, spy=None,
                   dgs10_pct=None, rsp=None, date=idx[-1] + pd.Timedelta(days=30))


def test_december_2023_reads_greed(store):
    """Sanity check, not a target: the article quotes CNN's index at 79 (extreme greed)."""
    from dollarliq.api import gauges

    g = gauges(pd.Timestamp("2023-12-29"), store=store)["gauges"]["fear_greed"]
    assert g["status"] == "ok" and g["parts_used"] == 5
    assert all(p["status"] == "ok" for p in g["parts"].values())
    assert g["composite"] > 55
    assert RANK_WINDOW == 504
