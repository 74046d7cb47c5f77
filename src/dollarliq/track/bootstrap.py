"""Block bootstraps for serially dependent daily data (seeded)."""

from __future__ import annotations

import numpy as np


def stationary_bootstrap_ci(x: np.ndarray, block: float, *, n_boot: int = 2000,
                            level: float = 0.95, seed: int = 12345) -> tuple[float, float]:
    """Percentile CI of the mean under the stationary bootstrap (Politis and Romano, 1994).

    Blocks of consecutive observations with geometric lengths of mean ``block`` (wrapping
    around), so the overlap of daily forward returns is kept within blocks. Seeded.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    p = 1.0 / max(1.0, min(float(block), float(n)))
    new = rng.random((n_boot, n)) < p
    new[:, 0] = True
    starts = rng.integers(0, n, size=(n_boot, n))
    t = np.arange(n)
    last = np.maximum.accumulate(np.where(new, t, 0), axis=1)
    idx = (np.take_along_axis(starts, last, axis=1) + (t - last)) % n
    means = x[idx].mean(axis=1)
    a = (1.0 - level) / 2.0
    return float(np.quantile(means, a)), float(np.quantile(means, 1.0 - a))
