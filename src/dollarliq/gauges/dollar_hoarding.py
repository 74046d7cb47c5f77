"""The dollar-hoarding signal: the dollar rises while both stocks and Treasuries fall.

When the dollar index gains over a window in which equities (SPY) and long Treasuries both
lose, money is leaving both risk assets and the usual safe haven for dollar cash. Long
Treasuries are represented by a 10-year total-return proxy built from the DGS10 yield
(:func:`dollarliq.gauges.common.treasury_10y_return_index`; TLT is not in the data).
"""

from __future__ import annotations

import pandas as pd

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite, spells, treasury_10y_return_index

WINDOW_OBS = 20  # business days


def hoarding_mask(dollar_idx: pd.Series, spy: pd.Series, dgs10_pct: pd.Series,
                  window: int = WINDOW_OBS) -> pd.DataFrame:
    """Per date (the dates all three inputs share): the ``window``-observation changes in
    percent of the dollar index, SPY and the Treasury proxy, and ``hoarding`` = dollar up,
    SPY down and Treasuries down.
    """
    tr = treasury_10y_return_index(dgs10_pct)
    both = pd.DataFrame({"dollar": dollar_idx, "spy": spy, "ust": tr}).dropna()
    if len(both) <= window:
        raise NotEnoughData(f"fewer than {window + 1} common dates of dollar, SPY and DGS10")
    chg = 100 * both.pct_change(window)
    chg.columns = ["dollar_chg_pct", "spy_ret_pct", "ust_ret_pct"]
    chg = chg.dropna()
    chg["hoarding"] = ((chg["dollar_chg_pct"] > 0) & (chg["spy_ret_pct"] < 0)
                       & (chg["ust_ret_pct"] < 0))
    return chg


def dollar_hoarding(dollar_idx: pd.Series, spy: pd.Series, dgs10_pct: pd.Series, *,
                    date: pd.Timestamp, dollar_name: str = "DXY",
                    since: pd.Timestamp | None = None) -> dict:
    """The signal on ``date`` and its spells (start, end, length in business days).

    ``since`` (default: one year before ``date``) bounds the spells listed; the longest
    spell in the whole history is reported as a yardstick.
    """
    def upto(s):
        return s.dropna()[s.dropna().index <= date]

    m = hoarding_mask(upto(dollar_idx), upto(spy), upto(dgs10_pct))
    since = since if since is not None else date - pd.Timedelta(days=365)
    all_spells = spells(m["hoarding"])
    recent = [s for s in all_spells if s.end >= since]
    last = m.iloc[-1]
    longest = max(all_spells, key=lambda s: s.length_obs) if all_spells else None
    return {
        "date": f"{m.index[-1]:%Y-%m-%d}", "dollar_series": dollar_name,
        "window_obs": WINDOW_OBS,
        "hoarding_now": bool(last["hoarding"]),
        "dollar_chg_pct": finite(last["dollar_chg_pct"], 2),
        "spy_ret_pct": finite(last["spy_ret_pct"], 2),
        "ust10y_proxy_ret_pct": finite(last["ust_ret_pct"], 2),
        "spells_since": f"{since:%Y-%m-%d}",
        "spells": [s.as_dict() for s in recent],
        "days_in_spells_since": int(m.loc[since:, "hoarding"].sum()),
        "longest_spell_in_history": None if longest is None else longest.as_dict(),
        "history_start": f"{m.index[0]:%Y-%m-%d}",
    }
