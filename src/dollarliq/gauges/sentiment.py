"""A fear & greed style composite from open inputs only.

Five parts, each scored 0 (fear) to 100 (greed) as the percentile rank of today's reading
among the last :data:`RANK_WINDOW` observations of the same reading (about two years of
business days), then averaged with equal weights:

momentum     S&P 500 index / its 125-day average - 1 (FRED SP500; SPY when later)   high = greed
volatility   VIX / its 50-day average - 1 (FRED VIXCLS; Yahoo ^VIX when later)       high = fear
junk bonds   ICE BofA US high-yield OAS, bp (BAMLH0A0HYM2)                           high = fear
safe haven   SPY 20-day return - 10y Treasury 20-day total-return proxy, pp           high = greed
breadth      RSP 20-day return relative to SPY, pp (equal- vs cap-weight)            high = greed

Labels follow the usual bands: <25 extreme fear, <45 fear, <=55 neutral, <=75 greed,
>75 extreme greed. This is not CNN's index: CNN's inputs (put/call ratio, new highs/lows,
McClellan volume) are not open data, and its scoring is not published.
"""

from __future__ import annotations

import pandas as pd

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite, pct_rank_last, treasury_10y_return_index

RANK_WINDOW = 504  # business days, about two years
MOMENTUM_DAYS = 125
VIX_DAYS = 50
SHORT_DAYS = 20
MIN_PARTS = 3  # fewer parts with fresh inputs: no composite
MAX_STALE_DAYS = 10  # a part whose latest input is older than this on the date is left out


def label(score: float) -> str:
    """The fear/greed band of a 0-100 score."""
    if score < 25:
        return "extreme fear"
    if score < 45:
        return "fear"
    if score <= 55:
        return "neutral"
    if score <= 75:
        return "greed"
    return "extreme greed"


def momentum_reading(index_level: pd.Series) -> pd.Series:
    """Index level over its trailing 125-observation mean, minus 1 (a fraction)."""
    s = index_level.dropna()
    return (s / s.rolling(MOMENTUM_DAYS).mean() - 1).dropna()


def vix_reading(vix: pd.Series) -> pd.Series:
    """VIX over its trailing 50-observation mean, minus 1 (a fraction)."""
    s = vix.dropna()
    return (s / s.rolling(VIX_DAYS).mean() - 1).dropna()


def safe_haven_reading(spy: pd.Series, dgs10_pct: pd.Series) -> pd.Series:
    """SPY 20-day return minus the 10-year Treasury proxy's 20-day return, percentage points.

    Both on the dates they share; the Treasury proxy is :func:`treasury_10y_return_index`.
    """
    tr = treasury_10y_return_index(dgs10_pct)
    both = pd.DataFrame({"spy": spy, "ust": tr}).dropna()
    r = both.pct_change(SHORT_DAYS)
    return (100 * (r["spy"] - r["ust"])).dropna()


def breadth_reading(rsp: pd.Series, spy: pd.Series) -> pd.Series:
    """RSP's 20-day return relative to SPY's, percentage points (positive = broad rally)."""
    both = pd.DataFrame({"rsp": rsp, "spy": spy}).dropna()
    r = both.pct_change(SHORT_DAYS)
    return (100 * ((1 + r["rsp"]) / (1 + r["spy"]) - 1)).dropna()


def _part(reading: pd.Series, *, invert: bool, unit: str) -> dict:
    if len(reading) < RANK_WINDOW // 2:
        raise NotEnoughData(f"fewer than {RANK_WINDOW // 2} readings to rank")
    score = pct_rank_last(reading, RANK_WINDOW)
    if invert:
        score = 100 - score
    return {"score": finite(score, 1), "reading": finite(reading.iloc[-1], 4),
            "reading_unit": unit, "date": f"{reading.index[-1]:%Y-%m-%d}"}


def fear_greed(*, index_level: pd.Series | None, vix: pd.Series | None,
               hy_oas_bp: pd.Series | None, spy: pd.Series | None,
               dgs10_pct: pd.Series | None, rsp: pd.Series | None,
               date: pd.Timestamp) -> dict:
    """The composite on ``date`` from inputs as known then.

    A part whose input is missing, or older than ``MAX_STALE_DAYS`` on ``date``, is reported
    as unavailable and left out of the average; NotEnoughData below ``MIN_PARTS`` parts.
    """
    def upto(s):
        return None if s is None else s.dropna()[s.dropna().index <= date]

    index_level, vix, hy_oas_bp, spy, dgs10_pct, rsp = map(
        upto, (index_level, vix, hy_oas_bp, spy, dgs10_pct, rsp))
    builders = {
        "momentum": (momentum_reading, (index_level,), False, "index / 125-day average - 1"),
        "volatility": (vix_reading, (vix,), True, "VIX / 50-day average - 1"),
        "junk_bond_spread": (lambda s: s, (hy_oas_bp,), True, "bp"),
        "safe_haven": (safe_haven_reading, (spy, dgs10_pct), False,
                       "pp, SPY minus 10y Treasury proxy, 20 days"),
        "breadth": (breadth_reading, (rsp, spy), False, "pp, RSP relative to SPY, 20 days"),
    }
    parts: dict[str, dict] = {}
    for name, (build, inputs, invert, unit) in builders.items():
        try:
            if any(x is None or x.empty for x in inputs):
                raise NotEnoughData("input not in the store on this date")
            reading = build(*inputs)
            if reading.empty:
                raise NotEnoughData("no reading on this date")
            stale = (date - reading.index[-1]).days
            if stale > MAX_STALE_DAYS:
                raise NotEnoughData(f"latest input is {stale} days old")
            parts[name] = {"status": "ok", **_part(reading, invert=invert, unit=unit)}
        except NotEnoughData as exc:
            parts[name] = {"status": f"unavailable: {exc}", "score": None}
    scores = [p["score"] for p in parts.values() if p["score"] is not None]
    if len(scores) < MIN_PARTS:
        have = ", ".join(f"{k} {p['score']}" for k, p in parts.items() if p["score"] is not None)
        raise NotEnoughData(
            f"only {len(scores)} of {len(parts)} fear & greed parts have inputs at most "
            f"{MAX_STALE_DAYS} days old on {date:%Y-%m-%d} ({have or 'none'}); "
            f"a composite needs {MIN_PARTS}")
    composite = sum(scores) / len(scores)
    return {"composite": finite(composite, 1), "label": label(composite),
            "parts_used": len(scores), "rank_window_obs": RANK_WINDOW, "parts": parts}
