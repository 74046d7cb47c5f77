"""Run-ups: the Greenwood-Shleifer-You (2019, "Bubbles for Fama", JFE 131(1)) signal.

Greenwood, Shleifer and You flag an industry whose value-weighted return over the past two
years exceeds 100%, both raw and net of the market. Such run-ups do not predict low average
returns, but they raise the probability of a crash (a 40% drawdown within the next two
years). Among run-ups, crashes are more likely with high and rising volatility, high
turnover, more equity issuance, younger firms and an accelerating price path.

What the data here allow: the two-year return, raw and net of SPY; the 40%-drawdown crash
check on the same price; return volatility and its change over the run-up; the price path
(the return of the first 18 months and of the last 6 months of the window: a last-6-month
return above a third of the first-18-month one is a faster pace); and, for names with
SEC share counts, the two-year change of split-adjusted shares (issuance). Left out:
turnover (no volume in the store) and firm age (megacaps are old firms; the paper measures
the share of young firms in an industry, which does not apply to single names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite, return_over_days, value_on_or_before
from dollarliq.gauges.concentration import split_factors

RUNUP_THRESHOLD = 1.0  # a 100% two-year return
CRASH_DRAWDOWN = 0.40  # the paper's crash: a 40% drawdown
TWO_YEARS_DAYS = 730
TRADING_DAYS_PER_YEAR = 252
SIX_MONTHS_DAYS = 182
MARKET_LAG_DAYS = 5  # the market price must be this close to the stock's last price


def annualised_vol_pct(price: pd.Series) -> float:
    """Annualised standard deviation of daily log returns, percent."""
    r = np.log(price.dropna()).diff().dropna()
    if len(r) < 20:
        raise NotEnoughData(f"{price.name}: fewer than 20 returns for a volatility")
    return float(r.std(ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR) * 100)


def issuance_2y_pct(shares: pd.Series, *, date: pd.Timestamp,
                    split_history: pd.Series | None = None) -> float | None:
    """Two-year change of split-adjusted share count to ``date``, percent (None if unknown)."""
    s = shares.dropna()
    s = s[s.index <= date]
    if s.empty:
        return None
    hist = s if split_history is None else split_history.dropna()
    f = split_factors(hist).reindex(s.index, method="ffill").fillna(1.0)
    adj = s * f
    last = value_on_or_before(adj, date)
    first = value_on_or_before(adj, date - pd.Timedelta(days=TWO_YEARS_DAYS))
    if last is None or first is None or (last[0] - first[0]).days < 600:
        return None
    return 100 * (last[1] / first[1] - 1)


def runup(price: pd.Series, market: pd.Series | None, *, date: pd.Timestamp,
          shares: pd.Series | None = None, split_history: pd.Series | None = None) -> dict:
    """The GSY run-up reading of one price series on ``date``.

    price : close, USD per share (split-adjusted), daily. market : SPY (dividend-adjusted).
    Returns the two-year return raw and net of the market (pct), whether each crosses 100%,
    the drawdown from the two-year high (pct) and whether it is a 40% crash, volatility of
    daily returns over the last year and the year before (annualised, pct), the returns of
    the first 18 and the last 6 months of the window (pct), and, when share counts are
    given, the two-year issuance (pct).
    """
    p = price.dropna()
    p = p[p.index <= date]
    if p.empty:
        raise NotEnoughData(f"{price.name}: no price on or before {date:%Y-%m-%d}")
    end = p.index[-1]
    r2 = return_over_days(p, TWO_YEARS_DAYS, end=end)
    out: dict = {"date": f"{end:%Y-%m-%d}", "return_2y_pct": finite(100 * r2, 2),
                 "runup_100pct": bool(r2 >= RUNUP_THRESHOLD)}
    m = None if market is None else market.dropna()[market.dropna().index <= end]
    if m is not None and (m.empty or (end - m.index[-1]).days > MARKET_LAG_DAYS):
        out["return_2y_net_of_market_pct"] = None
        out["runup_100pct_net_of_market"] = None
        out["net_of_market_note"] = f"no {market.name} price within {MARKET_LAG_DAYS} days"
    elif m is not None:
        try:
            rm = return_over_days(m, TWO_YEARS_DAYS, end=end)
            net = (1 + r2) / (1 + rm) - 1
            out["return_2y_net_of_market_pct"] = finite(100 * net, 2)
            out["runup_100pct_net_of_market"] = bool(net >= RUNUP_THRESHOLD)
        except NotEnoughData:
            out["return_2y_net_of_market_pct"] = None
            out["runup_100pct_net_of_market"] = None
    window = p[p.index > end - pd.Timedelta(days=TWO_YEARS_DAYS)]
    dd = float(p.iloc[-1] / window.max() - 1)
    out["drawdown_from_2y_high_pct"] = finite(100 * dd, 2)
    out["crash_40pct_drawdown"] = bool(dd <= -CRASH_DRAWDOWN)
    last_year = p[p.index > end - pd.Timedelta(days=365)]
    year_before = p[(p.index > end - pd.Timedelta(days=730))
                    & (p.index <= end - pd.Timedelta(days=365))]
    try:
        v1 = annualised_vol_pct(last_year)
        v0 = annualised_vol_pct(year_before)
        out["vol_1y_pct"], out["vol_prior_1y_pct"] = finite(v1, 2), finite(v0, 2)
        out["vol_change_pp"] = finite(v1 - v0, 2)
    except NotEnoughData:
        out["vol_1y_pct"] = out["vol_prior_1y_pct"] = out["vol_change_pp"] = None
    start_val = value_on_or_before(p, end - pd.Timedelta(days=TWO_YEARS_DAYS))
    mid_val = value_on_or_before(p, end - pd.Timedelta(days=SIX_MONTHS_DAYS))
    out["return_first_18m_pct"] = finite(100 * (mid_val[1] / start_val[1] - 1), 2)
    out["return_last_6m_pct"] = finite(100 * (p.iloc[-1] / mid_val[1] - 1), 2)
    if shares is not None:
        out["issuance_2y_pct"] = finite(
            issuance_2y_pct(shares, date=end, split_history=split_history), 2)
    return out
