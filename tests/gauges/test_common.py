"""Helpers, checked on tiny series whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import (par_bond_modified_duration, pct_rank_last, record_since,
                                     return_over_days, spells, treasury_10y_return_index)


def s(values, start="2024-01-01", freq="D", name="x"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq),
                     name=name, dtype=float)


def test_pct_rank_uses_mid_rank_for_ties():
    assert pct_rank_last(s([1, 2, 3, 4]), 10) == pytest.approx(87.5)  # (3 + 0.5) / 4
    assert pct_rank_last(s([5, 5, 5]), 10) == pytest.approx(50.0)
    # only the last `window` values count: [3, 4, 1] -> (0 + 0.5) / 3
    assert pct_rank_last(s([9, 3, 4, 1]), 3) == pytest.approx(100 / 6)


def test_record_since_finds_the_last_higher_value():
    r = record_since(s([5, 3, 4]))
    assert r["since"] == "2024-01-01" and not r["is_record"]
    assert record_since(s([1, 2, 3]))["is_record"]
    low = record_since(s([1, 3, 2]), high=False)
    assert low["since"] == "2024-01-01"


def test_return_over_days_takes_the_last_value_on_or_before():
    x = s([100, 110, 121, 150], freq="7D")
    assert return_over_days(x, 14) == pytest.approx(150 / 110 - 1)
    with pytest.raises(NotEnoughData):
        return_over_days(x, 365)


def test_par_bond_duration():
    assert par_bond_modified_duration(0.0) == pytest.approx(10.0)
    # (1 - 1.02 ** -20) / 0.04
    assert par_bond_modified_duration(4.0) == pytest.approx(8.17572, abs=1e-5)


def test_treasury_proxy_is_carry_when_yields_stand_still():
    tr = treasury_10y_return_index(s([3.65, 3.65, 3.65]))
    assert tr.iloc[1] / tr.iloc[0] - 1 == pytest.approx(0.0365 / 365)


def test_treasury_proxy_loses_duration_times_yield_rise():
    tr = treasury_10y_return_index(s([4.00, 4.10]))
    expected = 0.04 / 365 - 8.175717 * 0.001
    assert tr.iloc[1] - 1 == pytest.approx(expected, abs=1e-8)


def test_spells():
    m = s([0, 1, 1, 0, 1]).astype(bool)
    out = spells(m)
    assert [(x.start.day, x.end.day, x.length_obs) for x in out] == [(2, 3, 2), (5, 5, 1)]
    assert spells(s([0, 0]).astype(bool)) == []
    assert spells(pd.Series([np.nan, True, np.nan]))[0].length_obs == 1  # NaN is False


def test_a_record_of_days_is_not_notable():
    idx = pd.bdate_range("2022-01-03", periods=600)
    x = pd.Series(np.linspace(1.0, 2.0, 600), index=idx)
    x.iloc[-4] = 5.0  # three business days before the end: a higher value
    x.iloc[-1] = 4.0
    r = record_since(x)
    assert r["since"] == f"{idx[-4]:%Y-%m-%d}" and r["lookback_days"] < 7
    assert not r["notable"]
    x.iloc[-4] = 1.5  # the only earlier value as high is now the first: two years back
    x.iloc[0] = 4.5
    r = record_since(x)
    assert r["since"] == f"{idx[0]:%Y-%m-%d}" and r["lookback_days"] > 365 and r["notable"]
    assert not record_since(x, min_lookback_days=10_000)["notable"]
