"""Concentration: how much of the market a handful of tech megacaps make up.

Market capitalisation needs a share count and a price on the same split basis. Share counts
come from SEC filings as reported at the time; prices are split-adjusted to the latest split
(the Yahoo close in the snapshot). :func:`split_factors` infers the splits from jumps of the
share-count history itself, so no split table is typed in anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dollarliq.catalog import MEGACAPS
from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite, record_since, return_over_days

SPLIT_TOLERANCE = 0.05  # a ratio within 5% of an integer n >= 2 between two counts = n:1 split
MAX_COUNT_AGE_DAYS = 200  # a share count older than this no longer covers a name
RSP_SPY_WINDOWS_DAYS = {"1m": 30, "3m": 91, "12m": 365}


def split_factors(shares: pd.Series, tolerance: float = SPLIT_TOLERANCE) -> pd.Series:
    """Cumulative split factor after each share-count date, inferred from the counts.

    Between consecutive counts a ratio ``r`` within ``tolerance`` of an integer ``n >= 2`` is
    read as an n-for-1 split. The factor at a count date is the product of the splits found
    after it, i.e. the multiplier that puts that count on the basis of the latest count
    (and of a price series adjusted to the latest split). Buybacks and issuance move a count
    by a few percent a quarter and never look like a split.
    """
    s = shares.dropna().sort_index()
    if s.empty:
        return pd.Series(dtype=float, name=shares.name)
    ratio = (s.shift(-1) / s).to_numpy()
    n = np.round(ratio)
    is_split = (n >= 2) & (np.abs(ratio / np.where(n > 0, n, 1) - 1.0) < tolerance)
    step = np.where(is_split, n, 1.0)
    step[-1] = 1.0
    factor = np.cumprod(step[::-1])[::-1]
    return pd.Series(factor, index=s.index, name=shares.name)


def market_cap_usd_bn(price_usd: pd.Series, shares: pd.Series,
                      max_age_days: int = MAX_COUNT_AGE_DAYS, *,
                      split_history: pd.Series | None = None) -> pd.Series:
    """Daily market capitalisation, USD billions, from a split-adjusted price and counts.

    ``mcap_t = shares_e * split_factor(e) * price_t / 1e9`` with ``e`` the latest count
    dated on or before ``t``; NaN where no count is at most ``max_age_days`` old.

    price_usd : pd.Series
        Close, USD per share, adjusted to the latest split, daily.
    shares : pd.Series
        Share counts as reported (not split-adjusted), indexed by the date they describe.
    split_history : pd.Series, optional
        The complete share-count history, to infer splits from (default: ``shares``). The
        price is adjusted to the latest split, so the splits after a count must be known to
        put that count on the price's basis, even when the later counts were filed after
        the date the market cap is computed for; the counts used stay those given.
    """
    s = shares.dropna().sort_index()
    p = price_usd.dropna().sort_index()
    if s.empty or p.empty:
        return pd.Series(np.nan, index=p.index, name=price_usd.name)
    hist = s if split_history is None else split_history.dropna().sort_index()
    factors = split_factors(hist)
    f = pd.merge_asof(pd.DataFrame(index=s.index), factors.rename("f").to_frame(),
                      left_index=True, right_index=True, direction="backward")["f"]
    adj = s * f.fillna(factors.iloc[0] if not factors.empty else 1.0)
    frame = pd.DataFrame({"shares_adj": adj, "count_date": s.index}, index=s.index)
    joined = pd.merge_asof(pd.DataFrame({"price": p}, index=p.index), frame,
                           left_index=True, right_index=True, direction="backward")
    age = (joined.index - joined["count_date"]).dt.days
    mcap = joined["price"] * joined["shares_adj"] / 1e9
    mcap[(age > max_age_days) | joined["count_date"].isna()] = np.nan
    mcap.name = price_usd.name
    return mcap


def coverage_note(missing: dict[str, str]) -> str:
    """One line naming the megacaps the basket leaves out and why ("" when none is missing).

    The basket's total and its ratio to the S&P 500 understate the top of the market by
    whatever these names weigh; every output of the gauge carries this line.
    """
    if not missing:
        return ""
    why = "; ".join(f"{t}: {w}" for t, w in missing.items())
    return (f"basket leaves out {', '.join(missing)} ({why}); its total understates the "
            "megacaps by their weight")


@dataclass(frozen=True)
class Coverage:
    """Which megacaps can be priced on a date, and with which kind of share count."""

    shares_outstanding: tuple[str, ...]
    weighted_average: tuple[str, ...]
    missing: dict[str, str]

    @property
    def covered(self) -> tuple[str, ...]:
        return self.shares_outstanding + self.weighted_average


def concentration(prices: dict[str, pd.Series], shares_outstanding: dict[str, pd.Series],
                  weighted_shares: dict[str, pd.Series], sp500_idx: pd.Series | None,
                  *, date: pd.Timestamp,
                  split_histories: dict[str, pd.Series] | None = None) -> dict:
    """Megacap concentration on ``date``, from the data given (all known on ``date``).

    prices : ticker -> close, USD per share, split-adjusted, daily.
    shares_outstanding : ticker -> point-in-time shares outstanding (SEC XBRL), as reported.
    weighted_shares : ticker -> weighted-average basic shares from earnings releases, for
        names with no shares-outstanding series (an approximation, flagged as such).
    sp500_idx : S&P 500 price index, index points, daily (denominator proxy), or None.
    split_histories : (kind, ticker) -> the complete count history to infer splits from
        (see :func:`market_cap_usd_bn`); default: the counts given.

    The basket is priced on the latest day with a megacap price; a name whose price is stale
    on that day (the liquidity inputs' allowance) is left out and named, as is a name whose
    latest share count is older than :data:`MAX_COUNT_AGE_DAYS`.

    Returns a dict: the basket covered on ``date`` and why the rest is not (``not_covered``,
    ``missing_megacaps`` and a one-line ``coverage_note`` naming them), each name's
    market cap (USD bn) and weight in the basket (pct), the basket's combined market cap
    (USD bn), its ratio to the S&P 500 index level (USD bn per index point) with the record
    it stands at, and the 12-month change of that ratio (pct).
    """
    from dollarliq.indicators import last_seen_if_stale

    caps: dict[str, pd.Series] = {}
    kind: dict[str, str] = {}
    missing: dict[str, str] = {}
    # The basket is priced on the latest day any megacap has a price; a name whose last
    # price is stale on that day is left out, not carried forward.
    lasts = [p.dropna().index[p.dropna().index <= date].max() for p in prices.values()
             if p is not None and (p.dropna().index <= date).any()]
    ref = max(lasts) if lasts else date
    for t in MEGACAPS:
        p = prices.get(t)
        p = None if p is None else p.dropna()[p.dropna().index <= date]
        if p is None or p.empty:
            missing[t] = "no price on or before this date"
            continue
        seen = last_seen_if_stale(t, p.index[-1], ref)
        if seen is not None:
            missing[t] = f"price stale, last seen {seen:%Y-%m-%d}"
            continue
        for k, src in (("shares_outstanding", shares_outstanding),
                       ("weighted_average", weighted_shares)):
            sh = src.get(t)
            if sh is None or sh.dropna().empty:
                continue
            hist = (split_histories or {}).get((k, t))
            mc = market_cap_usd_bn(p, sh[sh.index <= date], split_history=hist)
            if mc.dropna().empty or np.isnan(mc.iloc[-1]):
                continue
            caps[t], kind[t] = mc, k
            break
        else:
            have = [(k, src[t].dropna().index.max())
                    for k, src in (("shares outstanding", shares_outstanding),
                                   ("weighted-average shares", weighted_shares))
                    if src.get(t) is not None and not src[t].dropna().empty]
            missing[t] = (f"latest {have[0][0]} count is of {have[0][1]:%Y-%m-%d}, older than "
                          f"{MAX_COUNT_AGE_DAYS} days" if have
                          else "no SEC share count in the store")
    cov = Coverage(tuple(t for t in MEGACAPS if kind.get(t) == "shares_outstanding"),
                   tuple(t for t in MEGACAPS if kind.get(t) == "weighted_average"), missing)
    if not caps:
        reasons = "; ".join(f"{t}: {why}" for t, why in missing.items())
        raise NotEnoughData(f"no megacap can be priced ({reasons})")
    panel = pd.DataFrame(caps).dropna()  # dates on which the whole basket is covered
    basket = panel.sum(axis=1).rename("basket_usd_bn")
    last = panel.iloc[-1]
    total = float(last.sum())
    out: dict = {
        "date": f"{panel.index[-1]:%Y-%m-%d}",
        "basket": list(cov.covered),
        "basket_shares_outstanding": list(cov.shares_outstanding),
        "basket_weighted_average_shares": list(cov.weighted_average),
        "not_covered": cov.missing,
        "missing_megacaps": list(cov.missing),
        "coverage_note": coverage_note(cov.missing),
        "market_cap_usd_bn": {t: finite(v, 1) for t, v in last.items()},
        "weight_in_basket_pct": {t: finite(100 * v / total, 2) for t, v in last.items()},
        "basket_market_cap_usd_bn": finite(total, 1),
        "basket_history_start": f"{panel.index[0]:%Y-%m-%d}",
    }
    if sp500_idx is not None and not sp500_idx.dropna().empty:
        spx = sp500_idx.dropna()
        ratio = (basket / spx.reindex(basket.index)).dropna()
        if not ratio.empty and ratio.index[-1] >= date - pd.Timedelta(days=10):
            out["basket_usd_bn_per_sp500_point"] = finite(ratio.iloc[-1], 4)
            out["basket_usd_bn_per_sp500_point_date"] = f"{ratio.index[-1]:%Y-%m-%d}"
            out["basket_per_sp500_record"] = record_since(ratio, high=True)
            try:
                out["basket_per_sp500_change_12m_pct"] = finite(
                    100 * return_over_days(ratio, 365), 2)
            except NotEnoughData:
                out["basket_per_sp500_change_12m_pct"] = None
        else:
            out["basket_usd_bn_per_sp500_point"] = None
            out["basket_per_sp500_note"] = "S&P 500 index level not available on this date"
    return out


def equal_vs_cap_weight(rsp: pd.Series, spy: pd.Series, *, date: pd.Timestamp) -> dict:
    """Equal-weight (RSP) against cap-weight (SPY) performance, both dividend-adjusted.

    Relative return over 1, 3 and 12 months in percent, ``100 * ((1+r_RSP)/(1+r_SPY) - 1)``
    (negative: the largest names lead), and the record of the RSP/SPY ratio ("lowest since").
    """
    both = pd.DataFrame({"rsp": rsp, "spy": spy}).dropna()
    both = both[both.index <= date]
    if len(both) < 2:
        raise NotEnoughData("RSP/SPY: no common history")
    ratio = (both["rsp"] / both["spy"]).rename("rsp_spy")
    out: dict = {"date": f"{ratio.index[-1]:%Y-%m-%d}"}
    for label, days in RSP_SPY_WINDOWS_DAYS.items():
        try:
            out[f"rsp_minus_spy_{label}_pct"] = finite(100 * return_over_days(ratio, days), 2)
        except NotEnoughData:
            out[f"rsp_minus_spy_{label}_pct"] = None
    out["rsp_spy_ratio_record"] = record_since(ratio, high=False)
    return out
