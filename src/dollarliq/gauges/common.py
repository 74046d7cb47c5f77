"""Small pure helpers shared by the gauges: returns, ranks, records, spells, a bond proxy.

Every function takes pandas objects indexed by observation date and returns plain numbers or
pandas objects; nothing here reads the store or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dollarliq.errors import NotEnoughData


def value_on_or_before(s: pd.Series, date: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    """The last observation of ``s`` dated on or before ``date`` (None if there is none)."""
    s = s.dropna()
    s = s[s.index <= date]
    if s.empty:
        return None
    return s.index[-1], float(s.iloc[-1])


def return_over_days(s: pd.Series, days: int, *, end: pd.Timestamp | None = None) -> float:
    """Simple return (a fraction) of a price series over ``days`` calendar days to ``end``.

    The start value is the last observation on or before ``end - days``; NotEnoughData when
    the series does not reach back that far.
    """
    s = s.dropna()
    if end is None:
        end = s.index[-1]
    last = value_on_or_before(s, end)
    first = value_on_or_before(s, end - pd.Timedelta(days=days))
    if last is None or first is None or first[0] < s.index[0]:
        raise NotEnoughData(f"{s.name}: no value {days} days before {end:%Y-%m-%d}")
    return last[1] / first[1] - 1.0


def pct_rank_last(s: pd.Series, window: int) -> float:
    """Percentile rank (0-100) of the last value among the last ``window`` values.

    Mid-rank for ties: the share of values strictly below plus half the share equal to it,
    so a constant series ranks 50 and the unique maximum of n values ranks 100 - 50/n.
    """
    x = s.dropna().to_numpy()[-window:]
    if len(x) < 2:
        raise NotEnoughData(f"{s.name}: fewer than 2 values to rank")
    last = x[-1]
    below = float(np.sum(x < last))
    equal = float(np.sum(x == last))
    return 100.0 * (below + 0.5 * equal) / len(x)


def record_since(s: pd.Series, *, high: bool = True,
                 min_lookback_days: int | None = None) -> dict:
    """Where the last value stands in its own history: "highest (lowest) since <date>".

    Returns ``{"record": "highest"|"lowest", "since": date or None, "is_record": bool,
    "history_start", "lookback_days": int, "notable": bool}``; ``since`` is the date of the
    most recent earlier value at least as high (low) as the last one, and ``None`` (with
    ``is_record`` True) when there is none in the data. ``lookback_days`` counts calendar
    days from ``since`` (or the start of the history) to the last value; the record is
    ``notable``, and worth printing, only when that is at least ``min_lookback_days``
    (default :data:`dollarliq.indicators.RECORD_MIN_LOOKBACK_DAYS`, a year, as for the
    liquidity records). The computation is :func:`dollarliq.indicators.record_since`; this
    is its gauge-shaped view.
    """
    from dollarliq.indicators import RECORD_MIN_LOOKBACK_DAYS
    from dollarliq.indicators import record_since as _record_since

    s = s.dropna()
    if s.empty:
        raise NotEnoughData(f"{s.name}: no values")
    r = _record_since(s, s.index[-1], "high" if high else "low")
    since = r["since"]
    back = int((r["date"] - (since if since is not None else r["history_start"])).days)
    look = RECORD_MIN_LOOKBACK_DAYS if min_lookback_days is None else min_lookback_days
    return {"record": "highest" if high else "lowest",
            "since": None if since is None else f"{since:%Y-%m-%d}",
            "is_record": since is None, "history_start": f"{r['history_start']:%Y-%m-%d}",
            "lookback_days": back, "notable": back >= look}


def par_bond_modified_duration(yield_pct: float | np.ndarray, years: float = 10.0):
    """Modified duration (years) of a par bond with semiannual coupons at ``yield_pct``.

    D = (1 - (1 + y/2)^(-2n)) / y for a par bond (coupon = yield); 10 years at y -> 0.
    """
    y = np.asarray(yield_pct, dtype=float) / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (1.0 - (1.0 + y / 2.0) ** (-2.0 * years)) / y
    return np.where(np.abs(y) < 1e-9, years, d)


def treasury_10y_return_index(dgs10_pct: pd.Series) -> pd.Series:
    """A 10-year Treasury total-return proxy (index, first day = 1) from the CMT yield.

    Daily return = carry + price change, from one observation to the next:
    ``y_prev * days/365 - D_mod(y_prev) * (y - y_prev)``, with yields as fractions and
    ``D_mod`` the modified duration of a 10-year par bond at the previous yield (about 8.0
    at 4%). A first-order approximation: no convexity, no roll-down, constant maturity.
    """
    y = dgs10_pct.dropna().astype(float)
    if len(y) < 2:
        raise NotEnoughData("DGS10: fewer than 2 yields")
    prev = y.shift(1)
    days = y.index.to_series().diff().dt.days.to_numpy()
    dur = par_bond_modified_duration(prev.to_numpy())
    r = prev.to_numpy() / 100.0 * days / 365.0 - dur * (y.to_numpy() - prev.to_numpy()) / 100.0
    r[0] = 0.0
    out = pd.Series(np.cumprod(1.0 + r), index=y.index, name="ust10y_tr_idx")
    return out


@dataclass(frozen=True)
class Spell:
    """A run of consecutive observations on which a condition held."""

    start: pd.Timestamp
    end: pd.Timestamp
    length_obs: int

    def as_dict(self) -> dict:
        return {"start": f"{self.start:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}",
                "length_obs": self.length_obs}


def spells(mask: pd.Series) -> list[Spell]:
    """Runs of consecutive True values in a boolean series (NaN counts as False); the runs
    are found by :func:`dollarliq.track.episodes.spells`, the one home of spell detection."""
    from dollarliq.track.episodes import spells as _runs

    m = mask.fillna(False).astype(bool)
    idx = m.index
    return [Spell(idx[a], idx[b], int(b - a + 1)) for a, b in _runs(m.astype(int), 1)]


def finite(x: float | None, ndigits: int = 4) -> float | None:
    """A rounded float, or None for NaN/inf/None (JSON has no NaN); the rounding of
    :mod:`dollarliq.track.scoring`, the one home of NaN-safe rounding."""
    from dollarliq.track.scoring import _f

    return _f(None if x is None else float(x), ndigits)
