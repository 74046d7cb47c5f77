"""Dollar up while stocks and Treasuries both fall: the signal and its spells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.gauges.dollar_hoarding import dollar_hoarding, hoarding_mask


def test_signal_by_hand():
    idx = pd.bdate_range("2025-01-01", periods=40)
    dollar = pd.Series(np.linspace(100, 104, 40), index=idx)
    spy = pd.Series(np.linspace(500, 480, 40), index=idx)
    # yields up 2 bp a day: the bond proxy loses ~0.16% a day, far more than its carry
    dgs10 = pd.Series(4.0 + 0.02 * np.arange(40), index=idx)
    m = hoarding_mask(dollar, spy, dgs10)
    assert m.index[0] == idx[20]  # the first full 20-observation window
    assert m["hoarding"].all()
    assert m["dollar_chg_pct"].iloc[0] == pytest.approx(100 * (dollar.iloc[20] / 100 - 1))
    r = dollar_hoarding(dollar, spy, dgs10, date=idx[-1])
    assert r["hoarding_now"] is True
    assert r["spells"] == [{"start": f"{idx[20]:%Y-%m-%d}", "end": f"{idx[-1]:%Y-%m-%d}",
                            "length_obs": 20}]


def test_falling_yields_break_the_signal():
    idx = pd.bdate_range("2025-01-01", periods=30)
    dollar = pd.Series(np.linspace(100, 104, 30), index=idx)
    spy = pd.Series(np.linspace(500, 480, 30), index=idx)
    dgs10 = pd.Series(4.0 - 0.02 * np.arange(30), index=idx)  # Treasuries rally
    assert not hoarding_mask(dollar, spy, dgs10)["hoarding"].any()


def test_real_spells_in_2025(store):
    from dollarliq.api import gauges

    g = gauges(pd.Timestamp("2025-12-31"), store=store)["gauges"]["dollar_hoarding"]
    assert g["status"] == "ok" and g["dollar_series"] == "DXY"
    for sp in g["spells"]:
        assert sp["length_obs"] >= 1 and sp["start"] <= sp["end"] <= "2025-12-31"
