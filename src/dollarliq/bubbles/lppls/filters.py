"""Qualified-fit conditions of LPPLS fits: the filter sets by name and the residual tests.

A filter set (:class:`FilterConditions`) also fixes the search box its fits are searched
in. :data:`FILTERS` is the one home of the sets; their names, light to import, are
``dollarliq.bubbles.LPPLS_FILTERS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import UsageError
from .. import DEFAULT_LPPLS_FILTER, LPPLS_FILTERS

_EPS = 1e-8
TC_LO, TC_HI = 1e-3, 0.5  # search box for tc - t2, in units of the window length
M_LO, M_HI = 0.01, 1.0
W_LO, W_HI = 2.0, 15.0
INIT_TC = (0.0, 0.2)
INIT_M = (0.1, 1.0)
INIT_W = (6.0, 13.0)
GRID = (12, 6, 14)  # coarse grid points in tc, m, w (on the lppls-0.6 box; wider boxes get more)
LOCAL_LAM0 = 1.0  # initial damping of the local descents (steps of about a gradient's length)
DESCENT_ITERS = 20  # Levenberg-Marquardt iterations of each coarse descent (0: Nelder-Mead)

#: The ``lppls`` package's nested-window layout (``mp_compute_nested_fits`` defaults):
#: window 80, smallest 20, outer increment 5, inner increment 2 (observations).
LPPLS_LAYOUT = (80, 20, 5, 2)


@dataclass(frozen=True)
class FilterConditions:
    """Qualified-fit conditions, the search box and the window layout they go with.

    The defaults are the ``lppls`` 0.6.24 ``compute_indicators`` defaults
    (named ``"lppls-0.6"``); :data:`FILTERS` holds the published sets, see
    :func:`filter_conditions`. Inequalities are strict. Time is in days for
    dated input (observation numbers otherwise).

    Attributes
    ----------
    name : str
        Name reported with every fit.
    m_min, m_max, w_min, w_max : float
        Bounds of m and omega.
    O_min, D_min : float
        Least number of oscillations and damping.
    tc_min_days, tc_max_days, tc_min_frac, tc_max_frac : float
        ``max(t2 - tc_min_days, t2 - tc_min_frac*dt) < tc < min(t2 + tc_max_days, t2 + tc_max_frac*dt)``
        with ``dt = t2 - t1``.
    rel_err_max : float
        Largest relative error of the fitted price: ``max |p_fit - p| / p_fit`` (divided
        by the fitted price, as Sornette et al. 2015 define it), or ``/ p`` when
        ``rel_err_base`` is ``"price"``.
    rel_err_base : {"fitted", "price"}
        Denominator of the relative error.
    lomb : bool
        Require a significant Lomb periodogram peak of the detrended residuals
        (:func:`lomb_test`, false-alarm probability below 5%).
    lomb_rel_tol : float
        Also require that peak within this relative distance of the fitted omega
        (``inf``: not required).
    ar1 : bool
        Require the Dickey-Fuller test to reject a unit root in the fit residuals
        (:func:`ar1_test`, 5%).
    pp : bool
        Require the Phillips-Perron test to reject a unit root in the fit residuals
        (:func:`pp_test`, 5%).
    search_tc : tuple of float
        Search box of ``(tc - t2) / dt``; a negative lower end lets tc fall
        before the last observation.
    search_m, search_w : tuple of float
        Search box of m and omega.
    O_abs : bool
        Count oscillations as ``w/(2 pi) ln|(tc - t1)/(tc - t2)|``, defined for
        tc before t2 too (``lppls`` leaves it undefined there, so such fits fail).
    layout : tuple of int
        Nested windows of the confidence indicator, as
        ``(window_size, smallest_window_size, outer_increment, inner_increment)``
        (observations; sub-windows of ``window_size, window_size - inner_increment, ...``
        while longer than ``smallest_window_size``).
    conf_of_all : bool
        The confidence indicator divides the qualified fits of each sign by all the
        nested fits of a window end (the papers' definition), not by the fits of
        that sign (``lppls``).
    source : str
        Where the set comes from.
    differences : tuple of str
        Each way the set departs from its source, with the reason.
    """

    m_min: float = 0.0
    m_max: float = 1.0
    w_min: float = 2.0
    w_max: float = 15.0
    O_min: float = 2.5
    D_min: float = 0.5
    tc_min_days: float = 60.0
    tc_max_days: float = 252.0
    tc_min_frac: float = 0.5
    tc_max_frac: float = 0.5
    name: str = "lppls-0.6"
    rel_err_max: float = math.inf
    rel_err_base: str = "fitted"
    lomb: bool = False
    lomb_rel_tol: float = math.inf
    ar1: bool = False
    pp: bool = False
    search_tc: tuple[float, float] = (TC_LO, TC_HI)
    search_m: tuple[float, float] = (M_LO, M_HI)
    search_w: tuple[float, float] = (W_LO, W_HI)
    O_abs: bool = False
    layout: tuple[int, int, int, int] = LPPLS_LAYOUT
    conf_of_all: bool = False
    source: str = "lppls 0.6.24 compute_indicators defaults (not a published filter)"
    differences: tuple[str, ...] = ()

    @property
    def search_w_max(self) -> float:
        """Upper end of omega in the search box."""
        return self.search_w[1]

    def describe(self) -> str:
        """One line: the name, the source and each difference from it."""
        diff = "; ".join(self.differences)
        return f"{self.name}: {self.source}" + (f"; differs: {diff}" if diff else "")

    def qualified(self, tc: float, m: float, w: float, B: float, C: float, t1: float, t2: float) -> bool:
        """True when the parameters of a fit on ``[t1, t2]`` pass the conditions.

        The residual conditions (``rel_err_max``, ``lomb``, ``ar1``, ``pp``) need the
        data: see :meth:`qualified_fit`.
        """
        span = t2 - t1
        lo = max(t2 - self.tc_min_days, t2 - self.tc_min_frac * span)
        hi = min(t2 + self.tc_max_days, t2 + self.tc_max_frac * span)
        if B != 0 and C != 0:
            O = oscillations(w, tc, t1, t2) if not self.O_abs else (
                w / (2.0 * np.pi) * float(np.log(abs((tc - t1) / (tc - t2)))) if tc != t2 else np.inf)
        else:
            O = np.inf
        D = damping(m, w, B, C)
        return bool(
            lo < tc < hi
            and self.m_min < m < self.m_max
            and self.w_min < w < self.w_max
            and O > self.O_min
            and D > self.D_min
        )

    @property
    def needs_data(self) -> bool:
        return bool(self.lomb or self.ar1 or self.pp or self.rel_err_max < math.inf)

    def relative_error(self, y: np.ndarray, fitted: np.ndarray) -> float:
        """Largest relative error of the fitted price (``y``, ``fitted``: log prices)."""
        d = y - fitted if self.rel_err_base == "fitted" else fitted - y
        return float(np.max(np.abs(np.expm1(d))))

    def qualified_fit(self, t: np.ndarray, y: np.ndarray, tc: float, m: float, w: float,
                      A: float, B: float, C1: float, C2: float) -> bool:
        """All conditions, on the fitted window (``t`` days, ``y`` log prices)."""
        C = math.hypot(C1, C2)
        if not self.qualified(tc, m, w, B, C, float(t[0]), float(t[-1])):
            return False
        if not self.needs_data:
            return True
        dt = np.abs(tc - t) + _EPS
        f = dt**m
        lg = np.log(dt)
        fit_ = A + f * (B + C1 * np.cos(w * lg) + C2 * np.sin(w * lg))
        if self.rel_err_max < math.inf and self.relative_error(y, fit_) > self.rel_err_max:
            return False
        if self.lomb and not lomb_test(t, y, tc, m, w, A, B, rel_tol=self.lomb_rel_tol).significant:
            return False
        if self.ar1 and not ar1_test(y - fit_).stationary:
            return False
        if self.pp and not pp_test(y - fit_).stationary:
            return False
        return True


#: Published filter sets by name.
FILTERS: dict[str, FilterConditions] = {
    # lppls 0.6.24 compute_indicators defaults; search box tc - t2 in [1e-3, 0.5] dt, omega <= 15
    "lppls-0.6": FilterConditions(),
    # Sornette, Demos, Zhang, Cauwels, Filimonov and Zhang (2015), "Real-time prediction and
    # post-mortem analysis of the Shanghai 2015 stock market bubble and crash", Journal of
    # Investment Strategies 4(4), 77-95, Table 1: search space and filter condition 1
    "sornette-2015": FilterConditions(
        name="sornette-2015", m_min=0.01, m_max=1.2, w_min=2.0, w_max=25.0, O_min=2.5, D_min=0.8,
        tc_min_days=math.inf, tc_max_days=math.inf, tc_min_frac=0.05, tc_max_frac=0.1,
        rel_err_max=0.05, rel_err_base="fitted",
        search_tc=(-0.2, 0.2), search_m=(1e-3, 2.0), search_w=(1.0, 50.0), O_abs=True,
        layout=(750, 120, 1, 5), conf_of_all=True,
        source=("Sornette, Demos, Zhang, Cauwels, Filimonov and Zhang (2015), \"Real-time "
                "prediction and post-mortem analysis of the Shanghai 2015 stock market bubble "
                "and crash\", Journal of Investment Strategies 4(4), 77-95: Table 1, search "
                "space and filter condition 1"),
        differences=(
            "search m from 0.001, not 0 (at m = 0 the power law is a constant and the linear "
            "fit is singular)",
            "oscillations counted as w/(2 pi) ln|(tc - t1)/(tc - t2)| (the printed formula is "
            "undefined for tc before t2, which the search space allows)",
        ),
    ),
    # Shu and Zhu (2020), "Real-time prediction of Bitcoin bubble crashes", Physica A 548,
    # 124477: search space, filter conditions and the residual tests of the qualified fits
    "shu-zhu-2020": FilterConditions(
        name="shu-zhu-2020", m_min=0.01, m_max=0.99, w_min=2.0, w_max=25.0, O_min=2.5, D_min=1.0,
        tc_min_days=0.0, tc_max_days=math.inf, tc_min_frac=0.0, tc_max_frac=0.2,
        rel_err_max=0.15, rel_err_base="fitted", lomb=True, ar1=True, pp=True,
        search_tc=(0.0, 1.0 / 3.0), search_m=(1e-3, 1.0), search_w=(1.0, 50.0), O_abs=True,
        layout=(650, 25, 1, 5), conf_of_all=True,
        source=("Shu and Zhu (2020), \"Real-time prediction of Bitcoin bubble crashes\", "
                "Physica A 548, 124477"),
        differences=(
            "search m from 0.001, not 0 (at m = 0 the power law is a constant and the linear "
            "fit is singular)",
            "the Lomb, Dickey-Fuller and Phillips-Perron tests run at 5% (our choice of level)",
        ),
    ),
}


assert tuple(FILTERS) == LPPLS_FILTERS  # the names front ends offer


def filter_conditions(name: "str | FilterConditions | None" = None) -> FilterConditions:
    """The named filter set (``"lppls-0.6"``, ``"sornette-2015"``, ``"shu-zhu-2020"``).

    Passes a :class:`FilterConditions` through; ``None`` gives ``"lppls-0.6"``.
    """
    if name is None:
        return FILTERS[DEFAULT_LPPLS_FILTER]
    if isinstance(name, FilterConditions):
        return name
    try:
        return FILTERS[name]
    except KeyError:
        raise UsageError(f"unknown LPPLS filter {name!r}; choose one of {', '.join(FILTERS)}") from None


@dataclass(frozen=True)
class LombResult:
    """Lomb periodogram of the detrended LPPLS residuals.

    ``peak_omega`` is the angular log-frequency of the highest peak, ``power``
    its normalised power (Press and Rybicki 1989), ``false_alarm`` the
    probability ``1 - (1 - exp(-power))**M`` (M independent frequencies,
    taken as the number of observations; Scargle 1982).
    """

    peak_omega: float
    power: float
    false_alarm: float
    significant: bool


def lomb_test(t: np.ndarray, y: np.ndarray, tc: float, m: float, w: float, A: float, B: float,
              level: float = 0.05, rel_tol: float = math.inf) -> LombResult:
    """Lomb periodogram test of log-periodicity (Zhou and Sornette 2002; Shu and Zhu 2020).

    The residual ``r = (y - A - B*|tc - t|**m) * |tc - t|**(-m)`` is a
    cosine of ``w*ln|tc - t|`` under the model. Its Lomb periodogram in
    ``x = ln|tc - t|`` over omega in [0.5, 50] is significant when the highest
    peak has a false-alarm probability below ``level`` (and, with a finite
    ``rel_tol``, lies within ``rel_tol``, relative, of the fitted ``w``; the
    published sets do not ask for this).
    """
    dt = np.abs(tc - np.asarray(t, dtype=float)) + _EPS
    x = np.log(dt)
    r = (np.asarray(y, dtype=float) - A - B * dt**m) * dt ** (-m)
    r = r - r.mean()
    var = r.var()
    freqs = np.linspace(0.5, 50.0, 500)
    if not var > 0 or np.ptp(x) == 0:
        return LombResult(float("nan"), 0.0, 1.0, False)
    wx = freqs[:, None] * x[None, :]
    tau = np.arctan2(np.sin(2 * wx).sum(axis=1), np.cos(2 * wx).sum(axis=1)) / 2.0
    arg = wx - tau[:, None]
    c, s = np.cos(arg), np.sin(arg)
    p = ((c @ r) ** 2 / (c * c).sum(axis=1) + (s @ r) ** 2 / (s * s).sum(axis=1)) / (2.0 * var)
    k = int(np.argmax(p))
    power = float(p[k])
    fap = float(1.0 - (1.0 - math.exp(-power)) ** x.size)
    peak = float(freqs[k])
    return LombResult(peak, power, fap, bool(fap < level and abs(peak - w) <= rel_tol * w))


@dataclass(frozen=True)
class Ar1Result:
    """Dickey-Fuller regression ``de_t = a + b*e_{t-1}`` on the fit residuals."""

    phi: float
    stat: float
    stationary: bool


#: 5% Dickey-Fuller critical value with a constant, asymptotic (MacKinnon 2010).
DF_CV_5 = -2.8621


def ar1_test(resid: np.ndarray, cv: float = DF_CV_5) -> Ar1Result:
    """AR(1) test of the LPPLS residuals (Lin, Ren and Sornette 2014; Shu and Zhu 2020).

    The residuals should be a stationary AR(1) (mean-reverting): the t-ratio
    of ``b`` in ``de_t = a + b*e_{t-1}`` must be below ``cv`` (default the
    5% Dickey-Fuller value); ``phi = 1 + b``.
    """
    e = np.asarray(resid, dtype=float)
    x = e[:-1] - e[:-1].mean()
    d = np.diff(e)
    d = d - d.mean()
    sxx = float(x @ x)
    if sxx <= 0 or e.size < 5:
        return Ar1Result(float("nan"), float("nan"), False)
    b = float(x @ d) / sxx
    ssr = float(((d - b * x) ** 2).sum())
    se = math.sqrt(ssr / (e.size - 3) / sxx) if ssr > 0 else 0.0
    stat = b / se if se > 0 else -math.inf
    return Ar1Result(1.0 + b, stat, bool(stat < cv))


def oscillations(w: float, tc: float, t1: float, t2: float) -> float:
    """Number of oscillations ``w/(2 pi) ln((tc - t1)/(tc - t2))``; NaN if undefined."""
    den = tc - t2
    ratio = (tc - t1) / den if den != 0 else 0.0
    if ratio <= 0:
        return float("nan")
    return w / (2.0 * np.pi) * float(np.log(ratio))


def damping(m: float, w: float, B: float, C: float) -> float:
    """Damping ``m|B| / (w|C|)``."""
    den = w * abs(C)
    return float(m * abs(B) / den) if den != 0 else float("inf")


@dataclass(frozen=True)
class PpResult:
    """Phillips-Perron test (constant, Bartlett long-run variance) on the fit residuals."""

    stat: float
    pvalue: float
    stationary: bool


def pp_test(resid: np.ndarray, level: float = 0.05) -> PpResult:
    """Phillips-Perron unit-root test of the LPPLS residuals (Shu and Zhu 2020).

    ``arch.unitroot.PhillipsPerron`` with a constant (``tau`` statistic, MacKinnon
    p-values); the residuals are stationary when the p-value is below ``level``.
    """
    e = np.asarray(resid, dtype=float)
    if e.size < 10 or not np.ptp(e) > 0:
        return PpResult(float("nan"), float("nan"), False)
    from arch.unitroot import PhillipsPerron

    t = PhillipsPerron(e, trend="c", test_type="tau")
    p = float(t.pvalue)
    return PpResult(float(t.stat), p, bool(p < level))
