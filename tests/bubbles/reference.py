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


def lppls_grid_optimum(t: np.ndarray, y: np.ndarray, lo, hi, grid=(48, 24, 60), n_best: int = 40):
    """Reference LPPLS optimum in a box: a dense grid, then L-BFGS-B from its best local minima.

    The profiled SSE is evaluated on every cell of a ``grid`` over
    ``((tc - t2)/(t2 - t1), m, w)`` (tc geometric in ``tc - t2``, m and w even), by NumPy
    normal equations in batches; the ``n_best`` lowest local minima of the grid (no lower
    neighbour among the 26) are polished by bounded L-BFGS-B with ``lstsq``. Independent of
    the package's kernels. Returns ``(sse, tc, m, w)``, tc in the units of ``t``.
    """
    from scipy.optimize import minimize

    span = t[-1] - t[0]
    ts = (t - t[-1]) / span
    yc = y - y.mean()
    a = max(lo[0], 1e-4)
    gt = a * (hi[0] / a) ** np.linspace(0.0, 1.0, grid[0])
    if lo[0] < 0:
        gt = np.concatenate([lo[0] * 0.005 ** np.linspace(0.0, 1.0, grid[0] // 2), gt])
    gm = np.linspace(lo[1], hi[1], grid[1])
    gw = np.linspace(lo[2], hi[2], grid[2])
    G = np.empty((gt.size, gm.size, gw.size))
    for i, tc in enumerate(gt):
        dt = np.abs(tc - ts) + 1e-8
        lg = np.log(dt)
        F = dt[None, :] ** gm[:, None]  # (m, n)
        cs, sn = np.cos(gw[:, None] * lg), np.sin(gw[:, None] * lg)  # (w, n)
        X = np.stack([np.ones((gm.size, gw.size, ts.size)), np.broadcast_to(F[:, None, :], (gm.size, gw.size, ts.size)),
                      F[:, None, :] * cs[None], F[:, None, :] * sn[None]], axis=-1)
        XtX = np.einsum("abni,abnj->abij", X, X)
        Xty = np.einsum("abni,n->abi", X, yc)
        with np.errstate(all="ignore"):
            beta = np.linalg.solve(XtX + 1e-12 * np.eye(4), Xty[..., None])[..., 0]
        G[i] = yc @ yc - np.einsum("abi,abi->ab", beta, Xty)

    def sse(p):
        dt = np.abs(p[0] - ts) + 1e-8
        f = dt ** p[1]
        lg = np.log(dt)
        X = np.column_stack([np.ones_like(ts), f, f * np.cos(p[2] * lg), f * np.sin(p[2] * lg)])
        beta, *_ = np.linalg.lstsq(X, yc, rcond=None)
        r = yc - X @ beta
        return float(r @ r)

    pad = np.pad(G, 1, constant_values=np.inf)
    mins = np.ones(G.shape, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            for dk in (-1, 0, 1):
                if di or dj or dk:
                    nb = pad[1 + di:1 + di + G.shape[0], 1 + dj:1 + dj + G.shape[1], 1 + dk:1 + dk + G.shape[2]]
                    mins &= G <= nb
    idx = np.argwhere(mins)
    idx = idx[np.argsort(G[mins])][:n_best]
    bounds = list(zip(lo, hi))
    best = (np.inf, None)
    for i, j, k in idx:
        r = minimize(sse, np.array([gt[i], gm[j], gw[k]]), method="L-BFGS-B", bounds=bounds,
                     options=dict(ftol=1e-15, gtol=1e-12, maxiter=2000))
        if r.fun < best[0]:
            best = (float(r.fun), r.x)
    p = best[1]
    return best[0], t[-1] + p[0] * span, float(p[1]), float(p[2])
