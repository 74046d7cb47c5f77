"""SADF, GSADF and BSADF (Phillips, Shi and Yu 2015) and date-stamped episodes.

All functions are pure: they take a series in levels (a log price or a
price/dividend ratio, one value per observation, any frequency) and return
statistics; nothing is printed.

The ADF regression on the window ``[r1, r2]`` is
``dy_t = a + b*y_{t-1} + sum_{i=1..k} c_i*dy_{t-i} + e_t`` and the statistic is
the t-ratio of ``b``. ``BSADF(r2) = sup_{r1} ADF(r1, r2)``,
``GSADF = sup_{r2} BSADF(r2)``, ``SADF = sup_{r2} ADF(0, r2)``; the minimum
window is ``floor(r0 * T)`` observations with ``r0 = 0.01 + 1.8/sqrt(T)`` by
default. Index conventions are in :mod:`dollarliq.bubbles.kernels`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import NotEnoughData, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from .critical_values import CriticalValues

IC = Literal["fixed", "aic", "bic", "aic-psy", "bic-psy"]
# kernels.IC_FIXED, IC_AIC, IC_BIC, IC_AIC_PSY, IC_BIC_PSY. "aic"/"bic" are the textbook
# ln(SSR/n) + p*pen/n; "aic-psy"/"bic-psy" the scale-dependent form of PSY's own code.
_IC_CODE = {"fixed": 0, "aic": 1, "bic": 2, "aic-psy": 3, "bic-psy": 4}


def default_r0(T: int) -> float:
    """PSY (2015) minimum window fraction ``0.01 + 1.8 / sqrt(T)``."""
    return 0.01 + 1.8 / math.sqrt(T)


def min_window(T: int, r0: float | None = None) -> int:
    """Minimum window in observations: ``floor(r0 * T)`` (``r0`` default :func:`default_r0`)."""
    if r0 is None:
        r0 = default_r0(T)
    if not 0.0 < r0 <= 1.0:
        raise UsageError(f"r0 must be in (0, 1], got {r0}")
    return int(math.floor(r0 * T + 1e-9))


def check_window(T: int, w0: int, lag: int) -> None:
    """Raise NotEnoughData unless every regression has at least one degree of freedom."""
    if lag < 0:
        raise UsageError(f"lag must be >= 0, got {lag}")
    need = 2 * lag + 4
    if w0 < need or T < w0:
        raise NotEnoughData(
            f"GSADF needs a minimum window of at least {need} observations for lag {lag} "
            f"and a series at least that long; got window {w0}, T={T}"
        )


def _as_array(y: np.ndarray | pd.Series) -> tuple[np.ndarray, pd.Index | None]:
    if isinstance(y, pd.Series):
        index = y.index
        arr = y.to_numpy(dtype=np.float64)
    else:
        index = None
        arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1:
        raise UsageError("expected a one-dimensional series")
    if not np.all(np.isfinite(arr)):
        raise UsageError("series contains NaN or inf; drop or fill them first")
    return np.ascontiguousarray(arr), index


def bsadf_sweep(
    y: np.ndarray, w0: int, lag: int = 0, ic: IC = "fixed", engine: str = "numba"
) -> tuple[np.ndarray, np.ndarray]:
    """Run the compiled sweep: (BSADF, forward ADF) for window ends ``w0-1 .. T-1``.

    Parameters
    ----------
    y : ndarray, float64
        Series in levels.
    w0 : int
        Minimum window, observations.
    lag : int
        Fixed ADF lag, or the largest lag tried when ``ic`` is "aic"/"bic".
    ic : {"fixed", "aic", "bic"}
        Lag selection per window.
    engine : {"numba", "numpy"}
        The compiled kernels, or the NumPy sweep (lag 0 only; no compilation to load).
    """
    if ic not in _IC_CODE:
        raise UsageError(f"ic must be one of {sorted(_IC_CODE)}, got {ic!r}")
    check_window(y.shape[0], w0, lag)
    if engine == "numpy":
        if ic != "fixed" or lag != 0:
            raise UsageError("the NumPy sweep handles lag 0 only; use engine='numba'")
        from .vectorized import bsadf_lag0_numpy

        return bsadf_lag0_numpy(y, w0)
    from . import kernels  # compiled on first use (cached on disk)

    if ic == "fixed" and lag == 0:
        return kernels.bsadf_lag0(y, w0)
    if ic == "fixed":
        return kernels.bsadf_fixed(y, w0, lag)
    b, f, _ = kernels.bsadf_lagk(y, w0, lag, _IC_CODE[ic])
    return b, f


@dataclass(frozen=True)
class Episode:
    """One date-stamped episode of explosiveness.

    ``start`` is the first observation with BSADF above its critical value,
    ``end`` the first one back below it (or the last observation, with
    ``ongoing=True``), ``peak`` the observation of the series maximum within
    ``[start, end]``; ``duration`` counts observations from start to end.
    """

    start: object
    peak: object
    end: object
    duration: int
    ongoing: bool


@dataclass(frozen=True)
class GsadfResult:
    """GSADF test result, arch style.

    Attributes
    ----------
    stat : float
        GSADF statistic (sup of the BSADF sequence).
    sadf : float
        SADF statistic (sup of the forward-expanding ADF).
    bsadf : pd.Series
        BSADF sequence indexed by window end (the input's index, or 0..T-1).
    adf_forward : pd.Series
        ADF(0, r2) indexed like ``bsadf``.
    min_window : int
        Minimum window, observations.
    r0 : float
        Minimum window fraction used.
    lag : int
        Fixed lag, or the largest lag tried under AIC/BIC.
    ic : str
        "fixed", "aic" or "bic".
    nobs : int
        Number of observations T.
    critical_values : CriticalValues or None
        Critical values attached by :func:`gsadf` when given.
    """

    stat: float
    sadf: float
    bsadf: pd.Series
    adf_forward: pd.Series
    min_window: int
    r0: float
    lag: int
    ic: str
    nobs: int
    critical_values: "CriticalValues | None" = None

    null_hypothesis: str = "unit root (random walk with asymptotically negligible drift)"
    alternative_hypothesis: str = "mildly explosive episodes (right-tailed)"

    def summary(self) -> str:
        """A short plain-text table of the statistics and critical values."""
        lines = [
            "Generalized sup ADF (Phillips, Shi and Yu 2015)",
            f"T = {self.nobs}, min window = {self.min_window} obs (r0 = {self.r0:.4f}), "
            f"lag = {self.lag} ({self.ic})",
            f"{'':8s}{'stat':>9s}",
            f"{'SADF':8s}{self.sadf:9.4f}",
            f"{'GSADF':8s}{self.stat:9.4f}",
        ]
        cv = self.critical_values
        if cv is not None:
            lines.append(
                f"critical values ({cv.method}, {cv.reps} reps): "
                + ", ".join(
                    f"{int(round(q * 100))}%: SADF {s:.3f} GSADF {g:.3f}"
                    for q, s, g in zip(cv.levels, cv.sadf, cv.gsadf)
                )
            )
        lines.append(f"H0: {self.null_hypothesis}; H1: {self.alternative_hypothesis}")
        return "\n".join(lines)


def gsadf(
    y: np.ndarray | pd.Series,
    r0: float | None = None,
    lag: int = 0,
    ic: IC = "fixed",
    critical_values: "CriticalValues | None" = None,
    engine: str = "numba",
) -> GsadfResult:
    """SADF and GSADF statistics and the BSADF sequence.

    Parameters
    ----------
    y : ndarray or pd.Series
        Series in levels, e.g. a price/dividend ratio or a log price, one value
        per observation (months, days...). A Series keeps its index in the result.
    r0 : float, optional
        Minimum window as a fraction of T; default ``0.01 + 1.8/sqrt(T)``.
    lag : int
        ADF lag (fixed) or the largest lag tried with ``ic`` "aic"/"bic".
    ic : {"fixed", "aic", "bic", "aic-psy", "bic-psy"}
        Lag choice per window: textbook AIC/BIC ``ln(SSR/n) + p*pen/n``, or
        the criterion of PSY's own code (``"aic-psy"``/``"bic-psy"``, see
        :func:`dollarliq.bubbles.kernels.bsadf_lagk_python`), which reproduces
        their published lag choices but depends on the scale of ``y``.
    critical_values : CriticalValues, optional
        Attached to the result for :meth:`GsadfResult.summary` and episodes.

    Raises
    ------
    NotEnoughData
        If the series is shorter than the minimum window or the window is too
        small for the lag.
    """
    arr, index = _as_array(y)
    T = arr.shape[0]
    if T < 8:
        raise NotEnoughData(f"GSADF needs at least 8 observations, got {T}")
    r0_used = default_r0(T) if r0 is None else float(r0)
    w0 = min_window(T, r0_used)
    b, f = bsadf_sweep(arr, w0, lag, ic, engine)
    idx = (index if index is not None else pd.RangeIndex(T))[w0 - 1 :]
    return GsadfResult(
        stat=float(b.max()),
        sadf=float(f.max()),
        bsadf=pd.Series(b, index=idx, name="bsadf"),
        adf_forward=pd.Series(f, index=idx, name="adf_forward"),
        min_window=w0,
        r0=r0_used,
        lag=lag,
        ic=ic,
        nobs=T,
        critical_values=critical_values,
    )


def sadf(y: np.ndarray | pd.Series, r0: float | None = None, lag: int = 0, ic: IC = "fixed") -> float:
    """SADF statistic (Phillips, Wu and Yu 2011): sup over r2 of ADF(0, r2)."""
    return gsadf(y, r0=r0, lag=lag, ic=ic).sadf


def bsadf(y: np.ndarray | pd.Series, r0: float | None = None, lag: int = 0, ic: IC = "fixed") -> pd.Series:
    """BSADF sequence for date-stamping, indexed by window end."""
    return gsadf(y, r0=r0, lag=lag, ic=ic).bsadf


def min_duration(T: int, delta: float = 1.0) -> int:
    """Minimum episode length ``ceil(delta * ln(T))`` observations (PSY 2015 rule)."""
    return int(math.ceil(delta * math.log(T) - 1e-12))


def episodes(
    bsadf_seq: pd.Series,
    cv: float | np.ndarray | pd.Series,
    y: pd.Series | np.ndarray | None = None,
    delta: float = 1.0,
    nobs: int | None = None,
) -> list[Episode]:
    """Date-stamp episodes where BSADF exceeds its critical value.

    Parameters
    ----------
    bsadf_seq : pd.Series
        BSADF sequence (from :func:`gsadf`), indexed by window end.
    cv : float or array-like
        Critical value: one number (e.g. the family-wise 95% value) or a
        sequence aligned with ``bsadf_seq`` (e.g. the 95% BSADF quantile per r2).
    y : series, optional
        The tested series, aligned with the full sample, for the peak date;
        without it the peak is the BSADF maximum.
    delta : float
        Minimum duration ``delta * ln(T)`` observations; runs shorter than that
        are dropped. ``T`` is ``nobs`` (default: the length of ``y``, or of
        ``bsadf_seq`` when ``y`` is not given).
    nobs : int, optional
        Sample size T for the minimum-duration rule.

    Returns
    -------
    list of Episode
        In time order. ``start``/``peak``/``end`` are index labels.
    """
    b = np.asarray(bsadf_seq, dtype=np.float64)
    c = np.broadcast_to(np.asarray(cv, dtype=np.float64), b.shape)
    idx = bsadf_seq.index if isinstance(bsadf_seq, pd.Series) else pd.RangeIndex(b.size)
    if nobs is None:
        nobs = len(y) if y is not None else b.size
    lmin = min_duration(nobs, delta)
    if y is not None:
        yv = y.reindex(idx) if isinstance(y, pd.Series) else pd.Series(
            np.asarray(y, dtype=np.float64)[len(y) - b.size :], index=idx
        )
        level = yv.to_numpy(dtype=np.float64)
    else:
        level = b
    above = b > c
    out: list[Episode] = []
    i = 0
    n = b.size
    while i < n:
        if not above[i]:
            i += 1
            continue
        s = i
        while i < n and above[i]:
            i += 1
        e = i  # first observation back below, or n if still above
        ongoing = e >= n
        e_lab = n - 1 if ongoing else e
        dur = e - s
        if dur >= lmin:
            seg = level[s : e_lab + 1]
            pk = s + int(np.nanargmax(seg))
            out.append(Episode(idx[s], idx[pk], idx[e_lab], dur, ongoing))
    return out


def episodes_frame(eps: list[Episode]) -> pd.DataFrame:
    """Episodes as a DataFrame with columns start, peak, end, duration, ongoing."""
    return pd.DataFrame(
        [(e.start, e.peak, e.end, e.duration, e.ongoing) for e in eps],
        columns=["start", "peak", "end", "duration", "ongoing"],
    )
