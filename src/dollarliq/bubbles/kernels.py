"""Kernels for the right-tailed ADF sweeps behind SADF, GSADF and BSADF.

Each kernel is written once in plain Python (``*_python``, the readable
version) and compiled with numba (same name without the suffix), as in arch's
``recursions_python.py``.

Conventions, shared by all kernels (indices are 0-based observations):

* ``y`` holds ``T`` observations ``y[0..T-1]``; ``dy[t] = y[t] - y[t-1]``.
* The window ``[i, j]`` (inclusive, ``j - i + 1`` observations) runs the ADF
  regression ``dy[t] = a + b*y[t-1] + sum_{l=1..k} c_l*dy[t-l] + e[t]`` on
  ``t = i+1+k .. j`` (``n = j - i - k`` rows, ``p = k + 2`` coefficients).
  The statistic is the t-ratio of ``b`` with ``s^2 = SSR / (n - p)``.
* For each window end ``j = w0-1 .. T-1`` the sweeps return
  ``bsadf[j-w0+1] = max_{0 <= i <= j-w0+1} ADF(i, j)`` (backward sup ADF) and
  ``adf_fwd[j-w0+1] = ADF(0, j)`` (forward-expanding ADF, whose sup is SADF).

Speed: for one end ``j`` the start ``i`` moves back one observation at a time,
which adds one row to the regression. The lag-0 sweep keeps running centred
moments (Welford updates), so each window costs O(1). The lag-k sweep keeps
running cross-product sums (O(p^2) per row) and reads the t-ratio from one
p x p Cholesky factor: with ``y[t-1]`` as the last regressor, ``X'X = L L'``
and ``z = L^{-1} X'dy`` give ``t = z[p-1] / sqrt((dy'dy - z'z) / (n - p))``.
The level ``y`` is shifted by ``y[j]`` per end, which leaves every t-ratio
unchanged (the constant absorbs it) and keeps the sums well conditioned.
"""

from __future__ import annotations

import math

import numpy as np

from ._numba import jit, prange

IC_FIXED = 0
IC_AIC = 1
IC_BIC = 2
IC_AIC_PSY = 3
IC_BIC_PSY = 4
LOG_2PI = math.log(2.0 * math.pi)


def bsadf_lag0_python(y: np.ndarray, w0: int) -> tuple[np.ndarray, np.ndarray]:
    """BSADF and forward ADF sequences, ADF lag 0; O(1) per window.

    Parameters
    ----------
    y : ndarray, float64, shape (T,)
        Series in levels (for example a log price or a price/dividend ratio).
    w0 : int
        Minimum window, observations (>= 4).

    Returns
    -------
    bsadf, adf_fwd : ndarray, shape (T - w0 + 1,)
        Values for window ends ``w0-1 .. T-1``.
    """
    T = y.shape[0]
    m = T - w0 + 1
    bsadf = np.empty(m)
    adf_fwd = np.empty(m)
    inv = np.empty(T + 1)  # 1/n, looked up rather than divided in the inner loop
    inv[0] = 0.0
    for k in range(1, T + 1):
        inv[k] = 1.0 / k
    for j in range(w0 - 1, T):
        c = y[j]
        n = 0
        mx = 0.0
        md = 0.0
        sxx = 0.0
        sxd = 0.0
        sdd = 0.0
        # rows t = i + 1 for starts i = j-1 .. j-w0+2 only build the sums
        for i in range(j - 1, j - w0 + 1, -1):
            x = y[i] - c
            d = y[i + 1] - y[i]
            n += 1
            dx = x - mx
            dd = d - md
            mx += dx * inv[n]
            md += dd * inv[n]
            sxx += dx * (x - mx)
            sxd += dx * (d - md)
            sdd += dd * (d - md)
        # windows of at least w0 observations: compare signed squares t|t|
        # = q (n-2) / (sdd - q) * sign(sxd), q = sxd^2 / sxx; one root per end
        best = -np.inf
        sq = 0.0
        for i in range(j - w0 + 1, -1, -1):
            x = y[i] - c
            d = y[i + 1] - y[i]
            n += 1
            dx = x - mx
            dd = d - md
            mx += dx * inv[n]
            md += dd * inv[n]
            sxx += dx * (x - mx)
            sxd += dx * (d - md)
            sdd += dd * (d - md)
            q = sxd * sxd / sxx
            ssr = sdd - q
            if ssr < 0.0:
                ssr = 0.0
            sq = q * (n - 2) / ssr
            if sxd < 0.0:
                sq = -sq
            if sq > best:
                best = sq
        bsadf[j - w0 + 1] = math.copysign(math.sqrt(abs(best)), best)
        adf_fwd[j - w0 + 1] = math.copysign(math.sqrt(abs(sq)), sq)
    return bsadf, adf_fwd


def bsadf_lagk_python(
    y: np.ndarray, w0: int, kmax: int, ic: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BSADF and forward ADF sequences with lag ``kmax`` or lag chosen by AIC/BIC.

    Parameters
    ----------
    y : ndarray, float64, shape (T,)
        Series in levels.
    w0 : int
        Minimum window, observations (>= 2*kmax + 4).
    kmax : int
        The fixed lag (``ic == 0``) or the largest lag tried. Each lag k is
        fitted on its own rows ``t >= i+1+k`` (n rows, p = k + 2
        coefficients). ``ic`` 1 = AIC, 2 = BIC: the textbook
        ``ln(SSR/n) + p*pen/n``, pen = 2 or ln n. ``ic`` 3 = AIC, 4 = BIC as
        in PSY's code (psymonitor ``ADF_FL``): ``(n ln(2 pi) + SSR + p*pen) / dof``
        with ``dof = (j - i) - 2*kmax - 2`` and pen = 2 or ln dof, a Gaussian
        pseudo-likelihood with unit variance, so it depends on the scale of y.
    ic : int
        0 fixed, 1 AIC, 2 BIC, 3 AIC (PSY), 4 BIC (PSY).

    Returns
    -------
    bsadf, adf_fwd : ndarray, shape (T - w0 + 1,)
    lag_fwd : ndarray, int64, shape (T - w0 + 1,)
        Lag used in the forward window ``[0, j]``.
    """
    T = y.shape[0]
    m = T - w0 + 1
    P = kmax + 2
    kmin = kmax if ic == 0 else 0
    nk = kmax - kmin + 1
    bsadf = np.empty(m)
    adf_fwd = np.empty(m)
    lag_fwd = np.zeros(m, dtype=np.int64)
    xtx = np.zeros((nk, P, P))
    xtd = np.zeros((nk, P))
    dtd = np.zeros(nk)
    nobs = np.zeros(nk, dtype=np.int64)
    row = np.zeros(P)
    L = np.zeros((P, P))
    z = np.zeros(P)
    for j in range(w0 - 1, T):
        c = y[j]
        xtx[:] = 0.0
        xtd[:] = 0.0
        dtd[:] = 0.0
        nobs[:] = 0
        best = -np.inf
        stat = 0.0
        lag_used = kmin
        for i in range(j - 1, -1, -1):
            for kk in range(nk):
                k = kmin + kk
                t = i + 1 + k
                if t > j:
                    continue
                p = k + 2
                # row: 1, dy[t-1], ..., dy[t-k], y[t-1] - c
                row[0] = 1.0
                for l in range(1, k + 1):
                    row[l] = y[t - l] - y[t - l - 1]
                row[p - 1] = y[t - 1] - c
                d = y[t] - y[t - 1]
                for a in range(p):
                    ra = row[a]
                    xtd[kk, a] += ra * d
                    for bb in range(a + 1):
                        xtx[kk, a, bb] += ra * row[bb]
                dtd[kk] += d * d
                nobs[kk] += 1
            if j - i + 1 < w0:
                continue
            best_ic = np.inf
            stat_w = 0.0
            lag_w = kmin
            for kk in range(nk):
                k = kmin + kk
                p = k + 2
                n = nobs[kk]
                # Cholesky X'X = L L' (lower triangle of xtx is filled)
                for a in range(p):
                    s = xtx[kk, a, a]
                    for q in range(a):
                        s -= L[a, q] * L[a, q]
                    la = math.sqrt(s)
                    L[a, a] = la
                    for r in range(a + 1, p):
                        s2 = xtx[kk, r, a]
                        for q in range(a):
                            s2 -= L[r, q] * L[a, q]
                        L[r, a] = s2 / la
                zz = 0.0
                for a in range(p):
                    s = xtd[kk, a]
                    for q in range(a):
                        s -= L[a, q] * z[q]
                    z[a] = s / L[a, a]
                    zz += z[a] * z[a]
                ssr = dtd[kk] - zz
                if ssr <= 0.0:
                    ssr = 1e-300
                tk = z[p - 1] / math.sqrt(ssr / (n - p))
                if ic == 0:
                    stat_w = tk
                    lag_w = k
                else:
                    if ic == 1:
                        crit = math.log(ssr / n) + 2.0 * p / n
                    elif ic == 2:
                        crit = math.log(ssr / n) + p * math.log(n) / n
                    else:
                        # PSY's code: unit-variance Gaussian pseudo-likelihood over
                        # the lag's own rows, scaled by dof = (j - i) - 2*kmax - 2
                        dof = j - i - 2 * kmax - 2
                        if dof < 1:
                            dof = 1
                        m2ll = n * LOG_2PI + ssr
                        pen = 2.0 if ic == 3 else math.log(dof)
                        crit = (m2ll + p * pen) / dof
                    if crit < best_ic:
                        best_ic = crit
                        stat_w = tk
                        lag_w = k
            stat = stat_w
            lag_used = lag_w
            if stat > best:
                best = stat
        bsadf[j - w0 + 1] = best
        adf_fwd[j - w0 + 1] = stat
        lag_fwd[j - w0 + 1] = lag_used
    return bsadf, adf_fwd, lag_fwd


def bsadf_fixed_python(
    y: np.ndarray, w0: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """BSADF and forward ADF sequences with a fixed ADF lag ``k``; O(k^2) per window.

    The constant is handled by centring: running means and centred
    cross-products (Welford updates) of the ``q = k + 1`` regressors
    ``(dy[t-1..t-k], y[t-1])`` and of ``dy[t]`` are updated as each row joins.
    The t-ratio of ``y[t-1]`` (the last regressor) comes from an LDL' factor of
    the q x q centred ``X'X``: ``u = L^{-1} X'dy``, ``SSR = dy'dy - sum u^2/D``,
    ``t = u[q-1] / sqrt(D[q-1] * SSR / (n - k - 2))``. Windows are compared
    by the signed square ``t|t|`` so only the winner needs a square root.

    Parameters
    ----------
    y : ndarray, float64, shape (T,)
        Series in levels.
    w0 : int
        Minimum window, observations (>= 2*k + 4).
    k : int
        ADF lag (number of lagged differences).

    Returns
    -------
    bsadf, adf_fwd : ndarray, shape (T - w0 + 1,)
    """
    T = y.shape[0]
    m = T - w0 + 1
    q = k + 1
    p = k + 2
    bsadf = np.empty(m)
    adf_fwd = np.empty(m)
    dy = np.zeros(T)
    for t in range(1, T):
        dy[t] = y[t] - y[t - 1]
    cxx = np.zeros((q, q))
    cxd = np.zeros(q)
    mx = np.zeros(q)
    row = np.zeros(q)
    dx = np.zeros(q)
    E = np.zeros((q, q))  # E[r, a] = L[r, a] * D[a]
    L = np.zeros((q, q))
    D = np.zeros(q)
    u = np.zeros(q)
    for j in range(w0 - 1, T):
        c = y[j]
        for a in range(q):
            cxd[a] = 0.0
            mx[a] = 0.0
            for bb in range(q):
                cxx[a, bb] = 0.0
        md = 0.0
        cdd = 0.0
        best = -np.inf
        sq = 0.0
        n = 0
        i_first = j - w0 + 1  # largest start with a full minimum window
        for i in range(j - 1 - k, -1, -1):
            t = i + 1 + k
            for l in range(k):
                row[l] = dy[t - 1 - l]
            row[q - 1] = y[t - 1] - c
            d = dy[t]
            n += 1
            inv_n = 1.0 / n
            for a in range(q):
                dx[a] = row[a] - mx[a]
                mx[a] += dx[a] * inv_n
            ddv = d - md
            md += ddv * inv_n
            d2 = d - md
            for a in range(q):
                ra = row[a] - mx[a]
                cxd[a] += dx[a] * d2
                for bb in range(a + 1):
                    cxx[a, bb] += ra * dx[bb]
            cdd += ddv * d2
            if i > i_first:
                continue
            ssr = cdd
            for a in range(q):
                s = cxx[a, a]
                for r in range(a):
                    s -= E[a, r] * L[a, r]
                D[a] = s
                inv = 1.0 / s
                for r in range(a + 1, q):
                    s2 = cxx[r, a]
                    for h in range(a):
                        s2 -= E[r, h] * L[a, h]
                    E[r, a] = s2
                    L[r, a] = s2 * inv
                s3 = cxd[a]
                for r in range(a):
                    s3 -= L[a, r] * u[r]
                u[a] = s3
                ssr -= s3 * s3 * inv
            if ssr < 1e-300:
                ssr = 1e-300
            num = u[q - 1]
            sq = num * abs(num) * (n - p) / (D[q - 1] * ssr)
            if sq > best:
                best = sq
        bsadf[j - w0 + 1] = math.copysign(math.sqrt(abs(best)), best)
        adf_fwd[j - w0 + 1] = math.copysign(math.sqrt(abs(sq)), sq)
    return bsadf, adf_fwd


bsadf_lag0 = jit(bsadf_lag0_python)
bsadf_fixed = jit(bsadf_fixed_python)
bsadf_lagk = jit(bsadf_lagk_python)


def sweep_many_python(
    Y: np.ndarray, w0: int, kmax: int, ic: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SADF, GSADF and the BSADF sequence for each row of ``Y`` (replications).

    Parameters
    ----------
    Y : ndarray, float64, shape (R, T)
        One simulated or bootstrapped series per row.
    w0, kmax, ic : int
        As in :func:`bsadf_lagk_python`.

    Returns
    -------
    sadf, gsadf : ndarray, shape (R,)
    bsadf : ndarray, shape (R, T - w0 + 1)
    """
    R = Y.shape[0]
    m = Y.shape[1] - w0 + 1
    sadf = np.empty(R)
    gsadf = np.empty(R)
    bs = np.empty((R, m))
    for r in range(R):
        if kmax == 0 and ic == 0:
            b, f = bsadf_lag0_python(Y[r], w0)
        elif ic == 0:
            b, f = bsadf_fixed_python(Y[r], w0, kmax)
        else:
            b, f, _ = bsadf_lagk_python(Y[r], w0, kmax, ic)
        bs[r] = b
        sadf[r] = f.max()
        gsadf[r] = b.max()
    return sadf, gsadf, bs


@jit(parallel=True)
def sweep_many(
    Y: np.ndarray, w0: int, kmax: int, ic: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compiled, parallel (prange over rows) version of :func:`sweep_many_python`."""
    R = Y.shape[0]
    m = Y.shape[1] - w0 + 1
    sadf = np.empty(R)
    gsadf = np.empty(R)
    bs = np.empty((R, m))
    for r in prange(R):
        if kmax == 0 and ic == 0:
            b, f = bsadf_lag0(Y[r], w0)
        elif ic == 0:
            b, f = bsadf_fixed(Y[r], w0, kmax)
        else:
            b, f, _ = bsadf_lagk(Y[r], w0, kmax, ic)
        bs[r] = b
        sadf[r] = f.max()
        gsadf[r] = b.max()
    return sadf, gsadf, bs
