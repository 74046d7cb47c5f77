"""The LPPLS search: numba kernels (each with a plain-Python ``*_python`` twin), the fit of
one window (:func:`fit`) and the nested fits of the confidence indicator (:func:`nested_fits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import NotEnoughData, UsageError
from .._numba import jit, prange
from .filters import (_EPS, DESCENT_ITERS, FILTERS, GRID, INIT_M, INIT_TC, INIT_W, LOCAL_LAM0,
                      M_HI, M_LO, TC_HI, TC_LO, W_HI, W_LO, FilterConditions, damping,
                      filter_conditions, oscillations)

# --------------------------------------------------------------------------- kernels


def lppls_linear_python(t: np.ndarray, y: np.ndarray, tc: float, m: float, w: float) -> tuple:
    """Closed-form (A, B, C1, C2) and SSE for given (tc, m, w).

    Returns ``(sse, A, B, C1, C2)``; ``sse = inf`` when the 4x4 normal
    equations are singular.
    """
    n = t.shape[0]
    sf = sg = sh = sff = sfg = sfh = sgg = sgh = shh = 0.0
    sy = syf = syg = syh = syy = 0.0
    for i in range(n):
        lg = math.log(abs(tc - t[i]) + _EPS)
        f = math.exp(m * lg)
        wl = w * lg
        g = f * math.cos(wl)
        h = f * math.sin(wl)
        yi = y[i]
        sf += f
        sg += g
        sh += h
        sff += f * f
        sfg += f * g
        sfh += f * h
        sgg += g * g
        sgh += g * h
        shh += h * h
        sy += yi
        syf += yi * f
        syg += yi * g
        syh += yi * h
        syy += yi * yi
    # LDL' of the symmetric 4x4 normal matrix, in scalars (no allocation)
    d0 = float(n)
    l10 = sf / d0
    l20 = sg / d0
    l30 = sh / d0
    d1 = sff - l10 * l10 * d0
    if not (d1 > 1e-14 * sff):
        return np.inf, 0.0, 0.0, 0.0, 0.0
    l21 = (sfg - l20 * l10 * d0) / d1
    l31 = (sfh - l30 * l10 * d0) / d1
    d2 = sgg - l20 * l20 * d0 - l21 * l21 * d1
    if not (d2 > 1e-14 * sgg):
        return np.inf, 0.0, 0.0, 0.0, 0.0
    l32 = (sgh - l30 * l20 * d0 - l31 * l21 * d1) / d2
    d3 = shh - l30 * l30 * d0 - l31 * l31 * d1 - l32 * l32 * d2
    if not (d3 > 1e-14 * shh):
        return np.inf, 0.0, 0.0, 0.0, 0.0
    z0 = sy
    z1 = syf - l10 * z0
    z2 = syg - l20 * z0 - l21 * z1
    z3 = syh - l30 * z0 - l31 * z1 - l32 * z2
    x3 = z3 / d3
    x2 = z2 / d2 - l32 * x3
    x1 = z1 / d1 - l21 * x2 - l31 * x3
    x0 = z0 / d0 - l10 * x1 - l20 * x2 - l30 * x3
    sse = syy - (z0 * z0 / d0 + z1 * z1 / d1 + z2 * z2 / d2 + z3 * z3 / d3)
    if not (sse >= 0.0):
        sse = 0.0 if sse < 0.0 else np.inf
    return sse, x0, x1, x2, x3


def _objective_python(t, y, p, lo, hi):
    """SSE at ``p`` projected onto the box ``[lo, hi]`` (flat outside it)."""
    tc = min(max(p[0], lo[0]), hi[0])
    m = min(max(p[1], lo[1]), hi[1])
    w = min(max(p[2], lo[2]), hi[2])
    return lppls_linear_python(t, y, tc, m, w)[0]


def nelder_mead_python(t, y, x0, step, lo, hi, maxfev, xtol, ftol):
    """Nelder-Mead on (tc, m, w) with box bounds (points are projected onto the box).

    Standard coefficients (1, 2, 0.5, 0.5). Stops when the simplex spread in
    every coordinate (relative to ``step``) is below ``xtol`` and the spread of
    values is below ``ftol * (1 + |f_best|)``, or after ``maxfev`` evaluations.
    Returns ``(x_best, f_best, nfev)``.
    """
    S = np.empty((4, 3))
    F = np.empty(4)
    for k in range(4):
        for a in range(3):
            S[k, a] = x0[a]
        if k > 0:
            S[k, k - 1] += step[k - 1]
            if S[k, k - 1] > hi[k - 1]:
                S[k, k - 1] = x0[k - 1] - step[k - 1]
        F[k] = _objective_python(t, y, S[k], lo, hi)
    nfev = 4
    xr = np.empty(3)
    xe = np.empty(3)
    xc = np.empty(3)
    cen = np.empty(3)
    while nfev < maxfev:
        # sort (insertion sort, 4 vertices)
        for k in range(1, 4):
            q = k
            while q > 0 and F[q - 1] > F[q]:
                tmp = F[q]
                F[q] = F[q - 1]
                F[q - 1] = tmp
                for a in range(3):
                    tmp = S[q, a]
                    S[q, a] = S[q - 1, a]
                    S[q - 1, a] = tmp
                q -= 1
        spread = 0.0
        for a in range(3):
            d = 0.0
            for k in range(1, 4):
                v = abs(S[k, a] - S[0, a]) / step[a]
                if v > d:
                    d = v
            if d > spread:
                spread = d
        if spread < xtol and (F[3] - F[0]) <= ftol * (1.0 + abs(F[0])):
            break
        for a in range(3):
            cen[a] = (S[0, a] + S[1, a] + S[2, a]) / 3.0
            xr[a] = cen[a] + (cen[a] - S[3, a])
        fr = _objective_python(t, y, xr, lo, hi)
        nfev += 1
        if fr < F[0]:
            for a in range(3):
                xe[a] = cen[a] + 2.0 * (cen[a] - S[3, a])
            fe = _objective_python(t, y, xe, lo, hi)
            nfev += 1
            if fe < fr:
                S[3] = xe
                F[3] = fe
            else:
                S[3] = xr
                F[3] = fr
            continue
        if fr < F[2]:
            S[3] = xr
            F[3] = fr
            continue
        if fr < F[3]:
            for a in range(3):
                xc[a] = cen[a] + 0.5 * (xr[a] - cen[a])
        else:
            for a in range(3):
                xc[a] = cen[a] + 0.5 * (S[3, a] - cen[a])
        fc = _objective_python(t, y, xc, lo, hi)
        nfev += 1
        if fc < min(fr, F[3]):
            S[3] = xc
            F[3] = fc
            continue
        for k in range(1, 4):
            for a in range(3):
                S[k, a] = S[0, a] + 0.5 * (S[k, a] - S[0, a])
            F[k] = _objective_python(t, y, S[k], lo, hi)
        nfev += 3
    best = 0
    for k in range(1, 4):
        if F[k] < F[best]:
            best = k
    xb = S[best].copy()
    for a in range(3):
        xb[a] = min(max(xb[a], lo[a]), hi[a])
    return xb, F[best], nfev


def lm_polish_python(t, y, x0, lo, hi, iters, lam0=1e-3):
    """Levenberg-Marquardt polish of (tc, m, w) on all 7 LPPLS parameters, to convergence.

    Analytic Jacobian of the model in (tc, m, w, A, B, C1, C2); a step is
    accepted when the profiled SSE (linear parameters re-solved in closed
    form) decreases; the damping adapts (x0.3 on success, x10 on failure).
    Bounds are handled by an active set: a nonlinear parameter on a face of
    the box whose descent direction points out of the box is held there for
    the step; other steps are projected onto the box. Stops when a step
    lowers the SSE by less than 1e-15 relative, when no step lowers it (ten
    increases of the damping), or after ``iters`` iterations.
    Returns ``(x, sse, nfev)``.
    """
    x = x0.copy()
    for a in range(3):
        x[a] = min(max(x[a], lo[a]), hi[a])
    sse, A, B, C1, C2 = lppls_linear_python(t, y, x[0], x[1], x[2])
    nfev = 1
    if not (sse < np.inf):
        return x, sse, nfev
    lam = lam0
    n = t.shape[0]
    JJ = np.zeros((7, 7))
    Jr = np.zeros(7)
    Mx = np.zeros((7, 7))
    dv = np.zeros(7)
    jrow = np.zeros(7)
    xn = np.zeros(3)
    held = np.zeros(7, dtype=np.bool_)
    for it in range(iters):
        tc = x[0]
        m = x[1]
        w = x[2]
        for a in range(7):
            Jr[a] = 0.0
            for b in range(7):
                JJ[a, b] = 0.0
        for i in range(n):
            diff = tc - t[i]
            sgn = 1.0 if diff >= 0.0 else -1.0
            dt = abs(diff) + _EPS
            lg = math.log(dt)
            f = math.exp(m * lg)
            wl = w * lg
            g = f * math.cos(wl)
            h = f * math.sin(wl)
            r = y[i] - (A + B * f + C1 * g + C2 * h)
            jrow[0] = (B * m * f + C1 * (m * g - w * h) + C2 * (m * h + w * g)) * sgn / dt
            jrow[1] = lg * (B * f + C1 * g + C2 * h)
            jrow[2] = lg * (C2 * g - C1 * h)
            jrow[3] = 1.0
            jrow[4] = f
            jrow[5] = g
            jrow[6] = h
            for a in range(7):
                Jr[a] += jrow[a] * r
                for b in range(a + 1):
                    JJ[a, b] += jrow[a] * jrow[b]
        nfev += 1
        # active set: hold parameters on a bound whose descent direction leaves the box
        for a in range(7):
            held[a] = False
        for a in range(3):
            if (x[a] <= lo[a] and Jr[a] < 0.0) or (x[a] >= hi[a] and Jr[a] > 0.0):
                held[a] = True
        improved = False
        rel = 0.0
        for attempt in range(10):
            # (J'J + lam*diag(J'J)) dv = J'r, Cholesky on the lower triangle
            for a in range(7):
                for b in range(a + 1):
                    Mx[a, b] = 0.0 if (held[a] or held[b]) else JJ[a, b]
                Mx[a, a] = 1.0 if held[a] else JJ[a, a] * (1.0 + lam) + 1e-300
            ok = True
            for a in range(7):
                s_ = Mx[a, a]
                for q in range(a):
                    s_ -= Mx[a, q] * Mx[a, q]
                if not (s_ > 0.0):
                    ok = False
                    break
                d = math.sqrt(s_)
                Mx[a, a] = d
                for r2 in range(a + 1, 7):
                    s2 = Mx[r2, a]
                    for q in range(a):
                        s2 -= Mx[r2, q] * Mx[a, q]
                    Mx[r2, a] = s2 / d
            if not ok:
                lam *= 10.0
                continue
            for a in range(7):
                s3 = 0.0 if held[a] else Jr[a]
                for q in range(a):
                    s3 -= Mx[a, q] * dv[q]
                dv[a] = s3 / Mx[a, a]
            for a in range(6, -1, -1):
                s4 = dv[a]
                for q in range(a + 1, 7):
                    s4 -= Mx[q, a] * dv[q]
                dv[a] = s4 / Mx[a, a]
            for a in range(3):
                xn[a] = min(max(x[a] + dv[a], lo[a]), hi[a])
            sn, An, Bn, C1n, C2n = lppls_linear_python(t, y, xn[0], xn[1], xn[2])
            nfev += 1
            if sn < sse:
                rel = (sse - sn) / (sse + 1e-300)
                for a in range(3):
                    x[a] = xn[a]
                sse = sn
                A = An
                B = Bn
                C1 = C1n
                C2 = C2n
                lam = max(lam * 0.3, 1e-12)
                improved = True
                break
            lam *= 10.0
        if not improved or rel < 1e-15:
            break
    return x, sse, nfev


def newton_polish_python(t, y, x0, f0, lo, hi, iters):
    """Damped Newton descent on the profiled SSE of (tc, m, w), inside the box.

    Gauss-Newton (:func:`lm_polish_python`) leaves out the residuals' second
    derivatives, which matter in the long flat valleys of badly fitting
    windows; this step uses the full Hessian of the profiled SSE, by central
    differences (steps ``1e-3*|tc - t2|``, ``1e-4``, ``1e-3``). Parameters on a
    face of the box whose gradient points out of it are held; the damping
    ``mu`` of ``(H + mu I) d = -g`` grows until a step lowers the SSE. Stops
    when a step lowers the SSE by less than 1e-15 relative, when none does,
    or after ``iters`` steps. Returns ``(x, sse, nfev)``.
    """
    x = x0.copy()
    f = f0
    nfev = 0
    H = np.zeros((3, 3))
    g = np.zeros(3)
    h = np.zeros(3)
    xp = np.zeros(3)
    M = np.zeros((3, 3))
    d = np.zeros(3)
    held = np.zeros(3, dtype=np.bool_)
    mu = 1e-6
    for it in range(iters):
        h[0] = 1e-3 * max(abs(x[0]), 1e-5)
        h[1] = 1e-4
        h[2] = 1e-3
        fp = np.zeros(3)
        fm = np.zeros(3)
        for a in range(3):
            for q in range(3):
                xp[q] = x[q]
            xp[a] = x[a] + h[a]
            fp[a] = lppls_linear_python(t, y, xp[0], xp[1], xp[2])[0]
            xp[a] = x[a] - h[a]
            fm[a] = lppls_linear_python(t, y, xp[0], xp[1], xp[2])[0]
            g[a] = (fp[a] - fm[a]) / (2.0 * h[a])
            H[a, a] = (fp[a] - 2.0 * f + fm[a]) / (h[a] * h[a])
        nfev += 6
        for a in range(3):
            for b in range(a):
                s = 0.0
                for sa in (-1.0, 1.0):
                    for sb in (-1.0, 1.0):
                        for q in range(3):
                            xp[q] = x[q]
                        xp[a] = x[a] + sa * h[a]
                        xp[b] = x[b] + sb * h[b]
                        s += sa * sb * lppls_linear_python(t, y, xp[0], xp[1], xp[2])[0]
                H[a, b] = s / (4.0 * h[a] * h[b])
                H[b, a] = H[a, b]
        nfev += 12
        if not (abs(g[0]) + abs(g[1]) + abs(g[2]) < np.inf):
            break
        for a in range(3):
            held[a] = (x[a] <= lo[a] and g[a] > 0.0) or (x[a] >= hi[a] and g[a] < 0.0)
        improved = False
        rel = 0.0
        for attempt in range(12):
            # (H + mu*scale) d = -g on the free parameters; Cholesky, 3x3
            for a in range(3):
                for b in range(3):
                    M[a, b] = 0.0 if (held[a] or held[b]) else H[a, b]
                M[a, a] = 1.0 if held[a] else H[a, a] + mu * (abs(H[a, a]) + 1e-300)
            ok = True
            for a in range(3):
                s_ = M[a, a]
                for q in range(a):
                    s_ -= M[a, q] * M[a, q]
                if not (s_ > 0.0):
                    ok = False
                    break
                dd = math.sqrt(s_)
                M[a, a] = dd
                for r2 in range(a + 1, 3):
                    s2 = M[r2, a]
                    for q in range(a):
                        s2 -= M[r2, q] * M[a, q]
                    M[r2, a] = s2 / dd
            if not ok:
                mu = mu * 10.0 if mu > 1e-6 else 1e-3
                continue
            for a in range(3):
                s3 = 0.0 if held[a] else -g[a]
                for q in range(a):
                    s3 -= M[a, q] * d[q]
                d[a] = s3 / M[a, a]
            for a in range(2, -1, -1):
                s4 = d[a]
                for q in range(a + 1, 3):
                    s4 -= M[q, a] * d[q]
                d[a] = s4 / M[a, a]
            for a in range(3):
                xp[a] = min(max(x[a] + d[a], lo[a]), hi[a])
            fn = lppls_linear_python(t, y, xp[0], xp[1], xp[2])[0]
            nfev += 1
            if fn < f:
                rel = (f - fn) / (f + 1e-300)
                for a in range(3):
                    x[a] = xp[a]
                f = fn
                mu = max(mu * 0.1, 1e-9)
                improved = True
                break
            mu = mu * 10.0 if mu > 1e-6 else 1e-3
        if not improved or rel < 1e-15:
            break
    return x, f, nfev


def grid_sse_python(t, y, gt, gm, gw):
    """Profiled SSE on the grid ``gt x gm x gw`` of (tc, m, w); shape (nt, nm, nw).

    Same values as :func:`lppls_linear_python` cell by cell, with the
    logarithms computed once per tc, the powers once per (tc, m) and the
    cosines and sines once per (tc, w), so a cell costs no transcendental
    function.
    """
    n = t.shape[0]
    nt = gt.shape[0]
    nm = gm.shape[0]
    nw = gw.shape[0]
    G = np.empty((nt, nm, nw))
    lg = np.empty(n)
    F = np.empty((nm, n))
    CS = np.empty((nw, n))
    SN = np.empty((nw, n))
    sy = 0.0
    syy = 0.0
    for i in range(n):
        sy += y[i]
        syy += y[i] * y[i]
    d0 = float(n)
    for a in range(nt):
        for i in range(n):
            lg[i] = math.log(abs(gt[a] - t[i]) + _EPS)
        for b in range(nm):
            for i in range(n):
                F[b, i] = math.exp(gm[b] * lg[i])
        for c in range(nw):
            for i in range(n):
                CS[c, i] = math.cos(gw[c] * lg[i])
                SN[c, i] = math.sin(gw[c] * lg[i])
        for b in range(nm):
            sf = 0.0
            sff = 0.0
            syf = 0.0
            for i in range(n):
                f = F[b, i]
                sf += f
                sff += f * f
                syf += y[i] * f
            for c in range(nw):
                sg = sh = sfg = sfh = sgg = sgh = shh = syg = syh = 0.0
                for i in range(n):
                    f = F[b, i]
                    g = f * CS[c, i]
                    h = f * SN[c, i]
                    sg += g
                    sh += h
                    sfg += f * g
                    sfh += f * h
                    sgg += g * g
                    sgh += g * h
                    shh += h * h
                    syg += y[i] * g
                    syh += y[i] * h
                l10 = sf / d0
                l20 = sg / d0
                l30 = sh / d0
                d1 = sff - l10 * l10 * d0
                if not (d1 > 1e-14 * sff):
                    G[a, b, c] = np.inf
                    continue
                l21 = (sfg - l20 * l10 * d0) / d1
                l31 = (sfh - l30 * l10 * d0) / d1
                d2 = sgg - l20 * l20 * d0 - l21 * l21 * d1
                if not (d2 > 1e-14 * sgg):
                    G[a, b, c] = np.inf
                    continue
                l32 = (sgh - l30 * l20 * d0 - l31 * l21 * d1) / d2
                d3 = shh - l30 * l30 * d0 - l31 * l31 * d1 - l32 * l32 * d2
                if not (d3 > 1e-14 * shh):
                    G[a, b, c] = np.inf
                    continue
                z0 = sy
                z1 = syf - l10 * z0
                z2 = syg - l20 * z0 - l21 * z1
                z3 = syh - l30 * z0 - l31 * z1 - l32 * z2
                sse = syy - (z0 * z0 / d0 + z1 * z1 / d1 + z2 * z2 / d2 + z3 * z3 / d3)
                G[a, b, c] = sse if sse >= 0.0 else 0.0
    return G


def _tc_grid_python(lo, hi, k):
    """``k`` values of tc (scaled time, t2 = 0) covering ``[lo, hi]``.

    Geometric in ``tc - t2`` above t2 (the objective varies on a log scale
    there); when ``lo < 0``, a third of the points below t2, geometric in
    ``t2 - tc`` from ``-lo`` down to ``-lo/100`` (basins just before t2 are as
    narrow as those just after).
    """
    out = np.empty(k)
    kneg = 0
    if lo < 0.0:
        kneg = k // 3
    for i in range(kneg):
        out[i] = lo * 0.01 ** (i / (kneg - 1.0)) if kneg > 1 else 0.5 * lo
    kpos = k - kneg
    a = max(lo, 1e-3 * hi)
    for i in range(kpos):
        out[kneg + i] = a * (hi / a) ** (i / (kpos - 1.0)) if kpos > 1 else a
    return out


def _near_python(a, b, step):
    """Two (tc, m, w) points in the same basin for deduplication."""
    if abs(a[0] - b[0]) > 0.1 * max(abs(a[0]), abs(b[0])) + 0.01 * step[0]:
        return False
    return abs(a[1] - b[1]) <= 0.2 * step[1] and abs(a[2] - b[2]) <= 0.2 * step[2]


def fit_window_python(t, y, starts, maxfev, xtol, ftol, max_coarse, n_polish, lo, hi, checks, grid):
    """Best fit on one window in the box ``[lo, hi]``, on internally scaled time.

    ``t`` is rescaled to ``[-1, 0]`` (``t2 -> 0``) and ``y`` centred;
    ``starts`` (S, 3) and ``checks`` (C, 3) hold (tc, m, w) in that scale;
    ``grid`` = (n_tc, n_m, n_w, per_level, descent_iters). The search:

    1. coarse stage, on a thinned series when n > max_coarse (every k-th
       observation, and the last ``max_coarse // 4`` observations all kept): the
       profiled SSE on a grid over the box (:func:`grid_sse_python`; tc
       geometric in ``tc - t2``, m and w even); descents start from the
       ``2 * n_polish`` lowest grid local minima (no lower neighbour among the
       26), from the lowest cell of every tc level (when ``per_level``) and
       from ``starts``: ``descent_iters`` Levenberg-Marquardt iterations each
       (Nelder-Mead with a loose tolerance when ``descent_iters`` is 0);
    2. the ``n_polish`` best distinct descents are polished on all
       observations to convergence: Levenberg-Marquardt
       (:func:`lm_polish_python`, at most 15 iterations), then Newton on the
       profiled SSE (:func:`newton_polish_python`, at most 50 steps);
    3. each point of ``checks`` (random restarts) runs Nelder-Mead on the
       coarse series and is polished the same way; a better optimum replaces
       the best one.

    Returns ``array([tc, m, w, sse, nfev, n_agree, n_runs])`` in the scaled
    units: ``n_agree`` of the ``n_runs`` polished runs ended within 1e-6
    (relative) of the reported SSE.
    """
    step = np.array([0.05, 0.1, 1.0])
    n = t.shape[0]
    stride = (n + max_coarse - 1) // max_coarse
    if stride < 1:
        stride = 1
    if stride == 1:
        tq = t
        yq = y
    else:
        # thinned series: every k-th observation, but the last quarter of the budget
        # at full resolution (basins in tc a few observations after t2 stay apart)
        tail = max_coarse // 4
        k = (n - tail + (max_coarse - tail) - 1) // (max_coarse - tail)
        nh = (n - tail + k - 1) // k
        tq = np.empty(nh + tail)
        yq = np.empty(nh + tail)
        for i in range(nh):
            tq[i] = t[i * k]
            yq[i] = y[i * k]
        for i in range(tail):
            tq[nh + i] = t[n - tail + i]
            yq[nh + i] = y[n - tail + i]
    total = 0
    # the descents only have to find the basin: Levenberg-Marquardt follows
    xt = xtol * 100.0
    ft = ftol * 1000.0
    # 1a. grid
    nt = grid[0]
    per_level = grid.shape[0] > 3 and grid[3] > 0
    lm_descent = grid.shape[0] > 4 and grid[4] > 0
    nm = grid[1]
    nw = grid[2]
    gt = _tc_grid_python(lo[0], hi[0], nt)
    gm = np.empty(nm)
    for j in range(nm):
        gm[j] = lo[1] + (hi[1] - lo[1]) * j / (nm - 1.0) if nm > 1 else lo[1]
    gw = np.empty(nw)
    for k in range(nw):
        gw[k] = lo[2] + (hi[2] - lo[2]) * k / (nw - 1.0) if nw > 1 else lo[2]
    G = grid_sse_python(tq, yq, gt, gm, gw)
    total += nt * nm * nw
    nmin = 0
    cand = np.empty((nt * nm * nw + 2 * nt + starts.shape[0], 3))
    gi = np.empty((nt * nm * nw, 3), dtype=np.int64)
    for i in range(nt):
        for j in range(nm):
            for k in range(nw):
                v = G[i, j, k]
                if not (v < np.inf):
                    continue
                is_min = True
                for di in range(-1, 2):
                    for dj in range(-1, 2):
                        for dk in range(-1, 2):
                            i2 = i + di
                            j2 = j + dj
                            k2 = k + dk
                            if i2 < 0 or i2 >= nt or j2 < 0 or j2 >= nm or k2 < 0 or k2 >= nw:
                                continue
                            if G[i2, j2, k2] < v:
                                is_min = False
                if is_min:
                    gi[nmin, 0] = i
                    gi[nmin, 1] = j
                    gi[nmin, 2] = k
                    cand[nmin, 0] = gt[i]
                    cand[nmin, 1] = gm[j]
                    cand[nmin, 2] = gw[k]
                    nmin += 1
    # keep the 2 * n_polish lowest grid minima
    gv = np.empty(nmin)
    for c in range(nmin):
        gv[c] = G[gi[c, 0], gi[c, 1], gi[c, 2]]
    keep = min(nmin, 2 * n_polish)
    go = np.argsort(gv)
    tmp = cand[go[:keep]].copy()
    for c in range(keep):
        for a in range(3):
            cand[c, a] = tmp[c, a]
    nmin = keep
    local = np.zeros(nt * nm * nw + 2 * nt + starts.shape[0], dtype=np.bool_)
    if per_level:
        # and the lowest cell of each tc level (narrow basins in tc near t2): one
        # ordinary descent and one that starts heavily damped, so it stays local
        for i in range(nt):
            bj = 0
            bk = 0
            for j in range(nm):
                for k in range(nw):
                    if G[i, j, k] < G[i, bj, bk]:
                        bj = j
                        bk = k
            if not (G[i, bj, bk] < np.inf):
                continue
            dup = False
            for c in range(nmin):
                if cand[c, 0] == gt[i] and cand[c, 1] == gm[bj] and cand[c, 2] == gw[bk]:
                    dup = True
            for copy in range(2):
                if copy == 0 and dup:
                    continue
                cand[nmin, 0] = gt[i]
                cand[nmin, 1] = gm[bj]
                cand[nmin, 2] = gw[bk]
                local[nmin] = copy == 1
                nmin += 1
    for s in range(starts.shape[0]):
        for a in range(3):
            cand[nmin + s, a] = starts[s, a]
    nc = nmin + starts.shape[0]
    # 1b. a descent from every candidate on the coarse series
    X = np.empty((nc, 3))
    F = np.empty(nc)
    cstep = step.copy()
    for c in range(nc):
        # the simplex spans the candidate's own scale of tc - t2
        cstep[0] = min(step[0], max(0.5 * abs(cand[c, 0]), 1e-3))
        if lm_descent:
            lam0 = LOCAL_LAM0 if local[c] else 1e-3
            x, fbest, nf = lm_polish_python(tq, yq, cand[c], lo, hi, grid[4], lam0)
        else:
            x, fbest, nf = nelder_mead_python(tq, yq, cand[c], cstep, lo, hi, maxfev, xt, ft)
        total += nf
        for a in range(3):
            X[c, a] = x[a]
        F[c] = fbest
    order = np.argsort(F)
    # 2. polish the n_polish best distinct coarse optima on all observations
    nr = n_polish + checks.shape[0]
    R = np.empty((nr, 3))
    RF = np.full(nr, np.inf)
    done = 0
    for r in range(nc):
        if done >= n_polish:
            break
        s = order[r]
        if not (F[s] < np.inf):
            break
        dup = False
        for r2 in range(r):
            if _near_python(X[s], X[order[r2]], step):
                dup = True
                break
        if dup:
            continue
        x, fbest, nf = lm_polish_python(t, y, X[s], lo, hi, 15)
        total += nf
        x, fbest, nf = newton_polish_python(t, y, x, fbest, lo, hi, 50)
        total += nf
        for a in range(3):
            R[done, a] = x[a]
        RF[done] = fbest
        done += 1
    # 3. random restarts as a check
    for c in range(checks.shape[0]):
        cstep[0] = min(step[0], max(0.5 * abs(checks[c, 0]), 1e-3))
        x, fbest, nf = nelder_mead_python(tq, yq, checks[c], cstep, lo, hi, maxfev, xt, ft)
        total += nf
        x, fbest, nf = lm_polish_python(t, y, x, lo, hi, 15)
        total += nf
        x, fbest, nf = newton_polish_python(t, y, x, fbest, lo, hi, 50)
        total += nf
        for a in range(3):
            R[done, a] = x[a]
        RF[done] = fbest
        done += 1
    b = 0
    for r in range(done):
        if RF[r] < RF[b]:
            b = r
    agree = 0
    for r in range(done):
        if RF[r] <= RF[b] * (1.0 + 1e-6) + 1e-300:
            agree += 1
    out = np.empty(7)
    out[0] = R[b, 0]
    out[1] = R[b, 1]
    out[2] = R[b, 2]
    out[3] = RF[b]
    out[4] = total
    out[5] = agree
    out[6] = done
    return out


def nested_fits_python(t, y, ends, sizes, starts, maxfev, xtol, ftol, max_coarse, n_polish, lo, hi, checks, grid):
    """Fits for every (window end, window size) pair.

    ``ends[e]`` is the index of the last observation of the outer window,
    ``sizes[s]`` the number of observations of the nested window ending there.
    Returns an array (E, S, 7) of [tc, m, w, sse, nfev, n_agree, n_runs] with
    tc in the *original* time units of ``t`` and the SSE of the original ``y``.
    """
    E = ends.shape[0]
    NS = sizes.shape[0]
    out = np.empty((E, NS, 7))
    for q in _prange(E * NS):
        e = q // NS
        s = q % NS
        j = ends[e]
        n = sizes[s]
        tt = t[j - n + 1 : j + 1]
        yy = y[j - n + 1 : j + 1]
        span = tt[n - 1] - tt[0]
        ts = (tt - tt[n - 1]) / span
        ym = yy - yy.mean()
        r = fit_window_python(ts, ym, starts, maxfev, xtol, ftol, max_coarse, n_polish, lo, hi, checks, grid)
        out[e, s, 0] = tt[n - 1] + r[0] * span
        for a in range(1, 7):
            out[e, s, a] = r[a]
    return out


_prange = range
lppls_linear = jit(lppls_linear_python)


# Compiled versions: the plain functions call each other by global name, so
# each compiled function is built from a copy whose globals point at the
# compiled callees.
def _compile_with(fn, **globs):
    import types

    g = dict(fn.__globals__)
    g.update(globs)
    clone = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    clone.__qualname__ = fn.__qualname__
    clone.__module__ = fn.__module__
    return clone


_objective = jit(_compile_with(_objective_python, lppls_linear_python=lppls_linear))
nelder_mead = jit(_compile_with(nelder_mead_python, _objective_python=_objective))
lm_polish = jit(_compile_with(lm_polish_python, lppls_linear_python=lppls_linear))
_tc_grid = jit(_tc_grid_python)
grid_sse = jit(grid_sse_python)
newton_polish = jit(_compile_with(newton_polish_python, lppls_linear_python=lppls_linear))
_near = jit(_near_python)
fit_window = jit(_compile_with(fit_window_python, nelder_mead_python=nelder_mead, lm_polish_python=lm_polish,
                               lppls_linear_python=lppls_linear, _tc_grid_python=_tc_grid,
                               _near_python=_near, grid_sse_python=grid_sse,
                               newton_polish_python=newton_polish))
nested_fits = jit(parallel=True)(
    _compile_with(nested_fits_python, fit_window_python=fit_window, _prange=prange)
)



@dataclass(frozen=True)
class LpplsFit:
    """One LPPLS fit.

    Attributes
    ----------
    tc : float
        Critical time, in the units of the time axis (days for dated input).
    m, omega : float
        Power-law exponent and log-frequency.
    A, B, C1, C2 : float
        Linear parameters, in log-price units.
    C : float
        Oscillation amplitude ``sqrt(C1^2 + C2^2)``.
    sse : float
        Sum of squared residuals of the log prices.
    t1, t2 : float
        First and last time of the window.
    nobs : int
        Observations in the window.
    oscillations, damping : float
        O and D of the filter conditions.
    qualified : bool
        Passes :class:`FilterConditions` (defaults).
    nfev : int
        Objective evaluations used.
    n_agree, n_runs : int
        Uncertainty of the search: ``n_agree`` of the ``n_runs`` runs polished
        to convergence (distinct coarse optima and random restarts) ended
        within 1e-6 (relative) of the reported SSE. One means a single run
        found the optimum; the rest stopped at other local minima.
    conditions : str
        Name of the filter set behind ``qualified``.
    """

    tc: float
    m: float
    omega: float
    A: float
    B: float
    C1: float
    C2: float
    C: float
    sse: float
    t1: float
    t2: float
    nobs: int
    oscillations: float
    damping: float
    qualified: bool
    nfev: int
    n_agree: int = 1
    n_runs: int = 1
    conditions: str = "lppls-0.6"

    @property
    def stat(self) -> float:
        """Critical time (the headline number)."""
        return self.tc

    def predict(self, t: np.ndarray) -> np.ndarray:
        """Fitted log price at times ``t``."""
        dt = np.abs(self.tc - np.asarray(t, dtype=float)) + _EPS
        f = dt**self.m
        lg = np.log(dt)
        return self.A + f * (self.B + self.C1 * np.cos(self.omega * lg) + self.C2 * np.sin(self.omega * lg))

    def summary(self) -> str:
        kind = "positive (B<0)" if self.B < 0 else "negative (B>0)"
        return (
            f"LPPLS fit on {self.nobs} obs [{self.t1:g}, {self.t2:g}]: tc={self.tc:.2f} "
            f"(t2+{self.tc - self.t2:.2f}), m={self.m:.3f}, omega={self.omega:.3f}, "
            f"B={self.B:.4g}, C={self.C:.4g}, O={self.oscillations:.2f}, D={self.damping:.2f}, "
            f"SSE={self.sse:.6g}, {kind} bubble, qualified={self.qualified} (filter {self.conditions}); "
            f"{self.n_agree} of {self.n_runs} polished runs agree"
        )


def time_axis(y: pd.Series | np.ndarray, t: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(time, log price) arrays: ``t`` if given, ordinal days for a DatetimeIndex, else 0..n-1."""
    if isinstance(y, pd.Series):
        vals = y.to_numpy(dtype=np.float64)
        if t is None and isinstance(y.index, pd.DatetimeIndex):
            t = np.array([d.toordinal() for d in y.index], dtype=np.float64)
    else:
        vals = np.asarray(y, dtype=np.float64)
    if t is None:
        t = np.arange(vals.size, dtype=np.float64)
    t = np.ascontiguousarray(t, dtype=np.float64)
    if t.shape != vals.shape:
        raise UsageError("time and values must have the same length")
    if not (np.all(np.isfinite(vals)) and np.all(np.diff(t) > 0)):
        raise UsageError("log prices must be finite and time strictly increasing")
    return t, np.ascontiguousarray(vals)


def _starts(n_starts: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            rng.uniform(max(INIT_TC[0], TC_LO), INIT_TC[1], n_starts),
            rng.uniform(INIT_M[0], INIT_M[1], n_starts),
            rng.uniform(INIT_W[0], INIT_W[1], n_starts),
        ]
    )


def grid_for(lo: np.ndarray, hi: np.ndarray) -> tuple[int, int, int]:
    """Coarse grid counts (tc, m, w) for a search box: :data:`GRID` on the ``lppls-0.6``
    box, with the m and omega counts grown in proportion to wider ranges (same spacing)
    and half as many tc points again when the box reaches below t2."""
    nt, nm, nw = GRID
    if lo[0] < 0:
        nt = nt * 3 // 2  # a third of the tc points go below t2
    nm = max(nm, int(round(nm * (hi[1] - lo[1]) / (M_HI - M_LO))))
    nw = max(nw, int(round(nw * (hi[2] - lo[2]) / (W_HI - W_LO))))
    return nt, nm, nw


def _opts(grid, per_level: bool = True, descent_iters: int = DESCENT_ITERS) -> np.ndarray:
    if len(grid) != 3 or min(grid) < 2:
        raise UsageError(f"grid must be three counts >= 2 (tc, m, w), got {grid!r}")
    return np.array([*grid, int(per_level), int(descent_iters)], dtype=np.int64)


def _box_arrays(box, conditions: FilterConditions | None = None):
    """Search box arrays (tc in window lengths after t2, m, w) from ``box`` or the filter set."""
    cond = conditions or FILTERS["lppls-0.6"]
    tlo, thi = cond.search_tc if box is None else box
    if not (-1.0 < tlo < thi):
        raise UsageError(f"search box for (tc - t2)/dt must satisfy -1 < lo < hi, got {(tlo, thi)}")
    (mlo, mhi), (wlo, whi) = cond.search_m, cond.search_w
    return np.array([tlo, mlo, wlo]), np.array([thi, mhi, whi])


def _starts_and_checks(n_starts, n_checks, seed, lo, hi):
    st = _starts(n_starts, seed)
    st[:, 0] = np.maximum(st[:, 0], lo[0])
    rng = np.random.default_rng([seed, 1])
    ck = rng.uniform(lo, hi, (n_checks, 3))
    return st, ck


def _finish(t: np.ndarray, y: np.ndarray, tc: float, m: float, w: float, nfev: int,
            conditions: FilterConditions, n_agree: int = 1, n_runs: int = 1) -> LpplsFit:
    sse, A, B, C1, C2 = lppls_linear(t, y, tc, m, w)
    C = math.hypot(C1, C2)
    t1, t2 = float(t[0]), float(t[-1])
    O = oscillations(w, tc, t1, t2)
    D = damping(m, w, B, C)
    return LpplsFit(
        tc=float(tc), m=float(m), omega=float(w), A=float(A), B=float(B), C1=float(C1),
        C2=float(C2), C=float(C), sse=float(sse), t1=t1, t2=t2, nobs=int(t.size),
        oscillations=O, damping=D,
        qualified=conditions.qualified_fit(t, y, tc, m, w, A, B, C1, C2), nfev=int(nfev),
        n_agree=int(n_agree), n_runs=int(n_runs), conditions=conditions.name,
    )


def fit(
    log_price: pd.Series | np.ndarray,
    t: np.ndarray | None = None,
    n_starts: int = 6,
    seed: int = 0,
    max_coarse: int = 100,
    n_polish: int = 6,
    maxfev: int = 600,
    conditions: FilterConditions | str | None = None,
    *,
    n_checks: int = 4,
    grid: tuple[int, int, int] | None = None,
    box: tuple[float, float] | None = None,
) -> LpplsFit:
    """Fit the LPPLS model to one window of log prices.

    Parameters
    ----------
    log_price : pd.Series or ndarray
        Natural log of prices, one value per observation (daily closes...).
    t : ndarray, optional
        Time of each observation; default ordinal days for a DatetimeIndex,
        else 0..n-1.
    n_starts : int
        Seeded starting points drawn from the ``lppls`` initial ranges, each
        descended on the coarse series besides the grid's minima.
    seed : int
        Seed of the starting points and restarts; the fit is deterministic
        given it.
    max_coarse : int
        Longer windows are first searched on a thinned series of at most this
        many observations, then polished on all of them.
    n_polish : int
        How many distinct coarse optima are polished on the full window.
    maxfev : int
        Evaluation budget per Nelder-Mead run (restarts' descents).
    conditions : FilterConditions or str, optional
        Qualified-fit conditions, or the name of a published set (see
        :data:`FILTERS`); default ``"lppls-0.6"``. The set also gives the
        search box (``search_tc``, ``search_m``, ``search_w``).
    n_checks : int
        Random restarts (seeded, uniform in the box) polished to convergence
        as a check of the search; they count in ``n_runs``.
    grid : (int, int, int), optional
        Coarse grid points in tc, m and omega; default :func:`grid_for` the box
        (12, 6, 14 on the ``lppls-0.6`` box).
    box : (float, float), optional
        Search range of ``(tc - t2) / (t2 - t1)``, overriding the filter set's.

    Notes
    -----
    The search (:func:`fit_window_python`) polishes ``n_polish`` distinct
    coarse optima and ``n_checks`` restarts to convergence and reports the
    best; ``n_agree`` says how many of those runs ended at its SSE.

    Raises
    ------
    NotEnoughData
        Fewer than 10 observations.
    """
    tt, yy = time_axis(log_price, t)
    n = tt.size
    if n < 10:
        raise NotEnoughData(f"an LPPLS fit needs at least 10 observations, got {n}")
    span = tt[-1] - tt[0]
    ts = (tt - tt[-1]) / span
    conditions = filter_conditions(conditions)
    lo, hi = _box_arrays(box, conditions)
    st, ck = _starts_and_checks(n_starts, n_checks, seed, lo, hi)
    r = fit_window(ts, yy - yy.mean(), st, maxfev, 1e-5, 1e-9, max_coarse, n_polish, lo, hi, ck,
                   _opts(grid or grid_for(lo, hi)))
    return _finish(tt, yy, tt[-1] + r[0] * span, r[1], r[2], int(r[4]), conditions, int(r[5]), int(r[6]))

