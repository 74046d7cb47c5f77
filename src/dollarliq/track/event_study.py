"""Forward S&P 500 / Nasdaq-100 returns and drawdowns by stage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dollarliq.track.bootstrap import stationary_bootstrap_ci
from dollarliq.track.constants import HORIZONS, MIN_INDEPENDENT, MIN_SPELLS


# ----------------------------------------------------------------------------- event study

def forward_returns(prices: pd.Series, h: int) -> np.ndarray:
    """Return from each close to the close ``h`` trading days later (NaN past the end)."""
    p = prices.to_numpy(dtype=float)
    out = np.full(len(p), np.nan)
    if len(p) > h:
        out[:-h] = p[h:] / p[:-h] - 1.0
    return out


def forward_max_drawdown(prices: pd.Series, h: int) -> np.ndarray:
    """Deepest fall from a running peak over the next ``h`` trading days, from each close
    (<= 0; NaN where the window runs past the end)."""
    from numpy.lib.stride_tricks import sliding_window_view

    p = prices.to_numpy(dtype=float)
    out = np.full(len(p), np.nan)
    if len(p) > h:
        win = sliding_window_view(p, h + 1)  # row i = closes i .. i+h
        peak = np.maximum.accumulate(win, axis=1)
        out[: len(win)] = (win / peak - 1.0).min(axis=1)
    return out


def independent_count(positions: np.ndarray, h: int) -> int:
    """How many of the (sorted) positions can be kept with no two windows of ``h`` overlapping."""
    n, last = 0, None
    for p in positions:
        if last is None or p >= last + h:
            n, last = n + 1, p
    return n


@dataclass(frozen=True)
class EventRow:
    asset: str
    horizon: str
    group: str  # "0".."3" or "all"
    days: int
    independent: int
    spells: int
    mean_return: float | None
    ci_return: tuple[float, float] | None
    mean_drawdown: float | None
    ci_drawdown: tuple[float, float] | None

    @property
    def too_small(self) -> bool:
        return self.independent < MIN_INDEPENDENT or (self.group != "all"
                                                      and self.spells < MIN_SPELLS)


def event_study(table: pd.DataFrame, prices: pd.Series, asset: str, *, n_boot: int,
                seed: int) -> list[EventRow]:
    """Forward returns and drawdowns after each replay day, grouped by the day's stage."""
    px = prices.dropna().sort_index()
    px = px[~px.index.duplicated()]
    px = px[(px.index >= table.index[0]) & (px.index <= table.index[-1])]
    # A trading day that is not a federal business day (Columbus Day, Veterans Day) carries
    # the stage of the business day before: nothing new was published.
    lvl_all = table["level"].reindex(px.index, method="ffill")
    rows = []
    for hname, h in HORIZONS.items():
        fr = forward_returns(px, h)
        dd = forward_max_drawdown(px, h)
        ok = lvl_all.notna().to_numpy() & np.isfinite(fr)
        lv = lvl_all.to_numpy()
        for group in ("0", "1", "2", "3", "all"):
            sel = ok if group == "all" else ok & (lv == int(group))
            pos = np.flatnonzero(sel)
            if not len(pos):
                rows.append(EventRow(asset, hname, group, 0, 0, 0, None, None, None, None))
                continue
            n_sp = int(1 + (np.diff(pos) > 1).sum())
            r, d = fr[pos], dd[pos]
            rows.append(EventRow(
                asset, hname, group, len(pos), independent_count(pos, h), n_sp,
                float(r.mean()), stationary_bootstrap_ci(r, h, n_boot=n_boot, seed=seed),
                float(d.mean()), stationary_bootstrap_ci(d, h, n_boot=n_boot, seed=seed + 1)))
    return rows
