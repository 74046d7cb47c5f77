"""A NumPy (no JIT) BSADF sweep for lag 0, for short single-series runs.

Every window's lag-0 ADF regression is solved at once from cumulative sums, as one
(ends x starts) array: O(T^2) memory and work, but no compilation. At a few hundred
observations it finishes in milliseconds, which beats loading the compiled kernels in a
fresh process (the report tests nine series of 504 closes). The compiled kernel stays the
tool for long series and Monte Carlo; both are checked against the plain reference.
"""

from __future__ import annotations

import numpy as np


def bsadf_lag0_numpy(y: np.ndarray, w0: int) -> tuple[np.ndarray, np.ndarray]:
    """(BSADF, forward ADF) for window ends ``w0-1 .. T-1``, lag 0 (see kernels.bsadf_lag0).

    The window [i, j] regresses dy_t on (1, y_{t-1}) for t = i+1..j (n = j - i rows).
    """
    y = np.asarray(y, dtype=np.float64)
    T = y.shape[0]
    x = y[:-1] - y.mean()  # y_{t-1}, centred: the slope and its t-ratio do not change
    z = np.diff(y)  # dy_t
    zero = np.zeros(1)
    cx = np.concatenate([zero, np.cumsum(x)])
    cz = np.concatenate([zero, np.cumsum(z)])
    cxx = np.concatenate([zero, np.cumsum(x * x)])
    cxz = np.concatenate([zero, np.cumsum(x * z)])
    czz = np.concatenate([zero, np.cumsum(z * z)])
    ends = np.arange(w0 - 1, T)[:, None]  # j
    starts = np.arange(0, T - w0 + 1)[None, :]  # i
    valid = starts <= ends - w0 + 1
    j = np.broadcast_to(ends, valid.shape)
    i = np.where(valid, starts, 0)
    n = (j - i).astype(np.float64)
    sx, sz = cx[j] - cx[i], cz[j] - cz[i]
    sxx = cxx[j] - cxx[i] - sx * sx / n
    sxz = cxz[j] - cxz[i] - sx * sz / n
    szz = czz[j] - czz[i] - sz * sz / n
    with np.errstate(divide="ignore", invalid="ignore"):
        b = sxz / sxx
        ssr = szz - b * sxz
        tstat = b / np.sqrt(ssr / (n - 2.0) / sxx)
    tstat = np.where(valid, tstat, -np.inf)
    return tstat.max(axis=1), tstat[:, 0]
