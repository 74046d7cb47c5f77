"""Plain, obviously-correct reference implementations (one NumPy ``lstsq`` per window).

Slow on purpose: they exist to check the fast kernels in ``dollarliq.bubbles``.
"""

from __future__ import annotations

import numpy as np


def adf_window(y: np.ndarray, i: int, j: int, k: int) -> tuple[float, float, int]:
    """ADF t-ratio of b in dy_t = a + b y_{t-1} + sum c_l dy_{t-l} on rows t = i+1+k..j.

    Returns (t-ratio, SSR, n).
    """
    t = np.arange(i + 1 + k, j + 1)
    dy = np.diff(y, prepend=np.nan)
    cols = [np.ones(t.size), y[t - 1]]
    for lag in range(1, k + 1):
        cols.append(dy[t - lag])
    X = np.column_stack(cols)
    d = dy[t]
    beta, *_ = np.linalg.lstsq(X, d, rcond=None)
    resid = d - X @ beta
    ssr = float(resid @ resid)
    n, p = X.shape
    s2 = ssr / (n - p)
    cov = s2 * np.linalg.inv(X.T @ X)
    return float(beta[1] / np.sqrt(cov[1, 1])), ssr, n


def adf_ic(y: np.ndarray, i: int, j: int, kmax: int, ic: str) -> tuple[float, int]:
    """ADF t-ratio with the lag in 0..kmax minimising AIC or BIC (each lag on its own rows)."""
    best = (np.inf, 0.0, 0)
    for k in range(kmax + 1):
        stat, ssr, n = adf_window(y, i, j, k)
        p = k + 2
        pen = 2.0 if ic == "aic" else np.log(n)
        crit = np.log(ssr / n) + p * pen / n
        if crit < best[0]:
            best = (crit, stat, k)
    return best[1], best[2]


def bsadf_reference(
    y: np.ndarray, w0: int, k: int = 0, ic: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """BSADF(j) = max_i ADF(i, j) and ADF(0, j) for window ends j = w0-1..T-1."""
    T = y.size
    bsadf, fwd = [], []
    for j in range(w0 - 1, T):
        stats = []
        for i in range(0, j - w0 + 2):
            if ic is None:
                stats.append(adf_window(y, i, j, k)[0])
            else:
                stats.append(adf_ic(y, i, j, k, ic)[0])
        bsadf.append(max(stats))
        fwd.append(stats[0])
    return np.array(bsadf), np.array(fwd)


def lppls_box_optimum(t: np.ndarray, y: np.ndarray, lo, hi, n_starts: int = 60, seed: int = 1):
    """Reference LPPLS optimum in a box: many bounded L-BFGS-B starts (SciPy).

    ``t`` and ``y`` are the window (any time unit); ``lo``/``hi`` bound
    ``((tc - t2)/(t2 - t1), m, w)``. The profiled SSE is solved with NumPy's
    ``lstsq`` at each point. Returns ``(sse, tc, m, w)``, tc in the units of ``t``.
    """
    from scipy.optimize import minimize

    span = t[-1] - t[0]
    ts = (t - t[-1]) / span
    yc = y - y.mean()

    def sse(p):
        dt = np.abs(p[0] - ts) + 1e-8
        f = dt ** p[1]
        lg = np.log(dt)
        X = np.column_stack([np.ones_like(ts), f, f * np.cos(p[2] * lg), f * np.sin(p[2] * lg)])
        beta, *_ = np.linalg.lstsq(X, yc, rcond=None)
        r = yc - X @ beta
        return float(r @ r)

    rng = np.random.default_rng(seed)
    best = (np.inf, None)
    for _ in range(n_starts):
        x0 = rng.uniform(lo, hi)
        r = minimize(sse, x0, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                     options=dict(ftol=1e-15, gtol=1e-12, maxiter=2000))
        if r.fun < best[0]:
            best = (float(r.fun), r.x)
    p = best[1]
    return best[0], t[-1] + p[0] * span, float(p[1]), float(p[2])
