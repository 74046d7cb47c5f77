"""Critical values for SADF, GSADF and the BSADF sequence.

Two methods, both seeded and parallel (numba ``prange`` over replications):

``"mc"``
    Monte Carlo under the PSY (2015) null: ``y_t = d*T^{-eta} + y_{t-1} + e_t``
    with ``d = eta = 1``, ``e_t ~ N(0, 1)`` iid, ``y_0 = 0`` (the data-generating
    process of PSY 2015, Section 5). The ADF statistics are invariant to the
    scale of ``e`` and to ``y_0``, so these values hold for any variance.

``"wild"``
    Wild bootstrap of Phillips and Shi (2020): the restricted regression
    ``dy_t = a + sum_{i=1..k} c_i dy_{t-i} + e_t`` is fitted to the data, and
    each replication rebuilds ``dy*_t = sum c_i dy*_{t-i} + w_t*e_t`` with
    ``w_t ~ N(0, 1)`` iid, ``y*`` cumulated from ``y_0``. The residual of
    date t stays at date t, so the data's pattern of volatility over time is
    kept; the fitted drift ``a`` is left out, as the null is a martingale
    with an asymptotically negligible drift (a sample drift of the size of
    the noise would shift the whole null distribution).

Family-wise size (Phillips and Shi 2020): ``bsadf_fwer`` is the quantile of
``max BSADF(r2)`` over the first ``horizon`` window ends of each replication,
so that ``P(any BSADF > cv over the horizon) = 1 - level`` under the null.
With the default horizon (all window ends) it equals the GSADF quantile.

Results serialise to bytes (:meth:`CriticalValues.to_bytes`) and carry a pure
cache key (:func:`cache_key`) for a store cache.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import UsageError
from .gsadf import IC, _IC_CODE, check_window, default_r0, min_window

Method = Literal["mc", "wild"]
LEVELS = (0.90, 0.95, 0.99)
CACHE_NAMESPACE = "bubbles.critical_values.v1"
DEFAULT_SEED = 20150701


@dataclass(frozen=True)
class CriticalValues:
    """Simulated critical values.

    Attributes
    ----------
    T, r0, min_window, lag, ic, reps, seed, method, horizon :
        The settings (T and min_window in observations).
    levels : tuple of float
        Quantile levels, e.g. (0.90, 0.95, 0.99).
    sadf, gsadf : ndarray, shape (len(levels),)
        Critical values of the SADF and GSADF statistics.
    sadf_se, gsadf_se : ndarray
        Monte Carlo standard errors of those quantiles (binomial order-statistic
        interval: half the distance between the order statistics at
        ``level -/+ sqrt(level*(1-level)/reps)``).
    bsadf : ndarray, shape (len(levels), T - min_window + 1)
        Pointwise quantiles of BSADF(r2) for each window end (date-stamping).
    bsadf_fwer : ndarray, shape (len(levels),)
        Family-wise quantiles of max BSADF over the first ``horizon`` window ends.
    data_hash : str
        sha256 of the data for the wild bootstrap; "" for "mc".
    boot_lag : int
        Lag of the wild-bootstrap regression (chosen on the data when ``ic``
        is a criterion); -1 for "mc".
    """

    T: int
    r0: float
    min_window: int
    lag: int
    ic: str
    reps: int
    seed: int
    method: str
    horizon: int
    levels: tuple[float, ...]
    sadf: np.ndarray
    gsadf: np.ndarray
    sadf_se: np.ndarray
    gsadf_se: np.ndarray
    bsadf: np.ndarray
    bsadf_fwer: np.ndarray
    data_hash: str = ""
    boot_lag: int = -1

    @property
    def stat(self) -> np.ndarray:
        """GSADF critical values (the headline numbers), one per level."""
        return self.gsadf

    @property
    def critical_values(self) -> dict[str, float]:
        """GSADF critical values keyed like arch: ``{"90%": ..., "95%": ..., "99%": ...}``."""
        return {f"{int(round(q * 100))}%": float(v) for q, v in zip(self.levels, self.gsadf)}

    def level_index(self, level: float) -> int:
        for i, q in enumerate(self.levels):
            if abs(q - level) < 1e-9:
                return i
        raise UsageError(f"level {level} not among {self.levels}")

    def summary(self) -> str:
        """Plain-text table of the SADF/GSADF critical values with MC standard errors."""
        head = (
            f"Critical values ({self.method}, {self.reps} reps, seed {self.seed}): "
            f"T={self.T}, min window={self.min_window} obs (r0={self.r0:.4f}), lag={self.lag} ({self.ic})"
        )
        rows = [head, f"{'level':>6s} {'SADF':>14s} {'GSADF':>14s}"]
        for i, q in enumerate(self.levels):
            rows.append(
                f"{q:6.2f} {self.sadf[i]:7.3f} ({self.sadf_se[i]:.3f}) "
                f"{self.gsadf[i]:7.3f} ({self.gsadf_se[i]:.3f})"
            )
        return "\n".join(rows)

    def to_bytes(self) -> bytes:
        """Serialise to an ``.npz`` payload (round-trips with :meth:`from_bytes`)."""
        meta = {
            "T": self.T, "r0": self.r0, "min_window": self.min_window, "lag": self.lag,
            "ic": self.ic, "reps": self.reps, "seed": self.seed, "method": self.method,
            "horizon": self.horizon, "levels": list(self.levels), "data_hash": self.data_hash,
            "boot_lag": self.boot_lag,
        }
        buf = io.BytesIO()
        np.savez(
            buf,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            sadf=self.sadf, gsadf=self.gsadf, sadf_se=self.sadf_se, gsadf_se=self.gsadf_se,
            bsadf=self.bsadf, bsadf_fwer=self.bsadf_fwer,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> "CriticalValues":
        """Inverse of :meth:`to_bytes`."""
        with np.load(io.BytesIO(payload), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            arrays = {k: z[k].copy() for k in ("sadf", "gsadf", "sadf_se", "gsadf_se", "bsadf", "bsadf_fwer")}
        meta["levels"] = tuple(meta["levels"])
        return cls(**meta, **arrays)


def cache_key(
    T: int,
    r0: float | None = None,
    lag: int = 0,
    reps: int = 2000,
    seed: int = DEFAULT_SEED,
    method: Method = "mc",
    ic: IC = "fixed",
    horizon: int | None = None,
    data_hash: str = "",
) -> str:
    """Pure cache key for :func:`critical_values` (no I/O, no clock).

    Use with a store: ``payload = store.cache_get(CACHE_NAMESPACE, key)``;
    ``cv = CriticalValues.from_bytes(payload)`` on a hit, otherwise compute and
    ``store.cache_put(CACHE_NAMESPACE, key, cv.to_bytes())``.
    """
    r0v = default_r0(T) if r0 is None else float(r0)
    w0 = min_window(T, r0v)
    hz = (T - w0 + 1) if horizon is None else int(horizon)
    return (
        f"T={int(T)};w0={w0};r0={r0v:.10f};lag={int(lag)};ic={ic};reps={int(reps)};"
        f"seed={int(seed)};method={method};horizon={hz};data={data_hash}"
        # wild bootstrap with a criterion: its lag is chosen on the data first
        + (";boot=selected" if method == "wild" and ic != "fixed" else "")
    )


def data_hash(y: np.ndarray) -> str:
    """sha256 of a float64 series, for the wild-bootstrap cache key."""
    return hashlib.sha256(np.ascontiguousarray(y, dtype=np.float64).tobytes()).hexdigest()


def _quantile_se(x: np.ndarray, q: float) -> float:
    n = x.size
    h = np.sqrt(q * (1.0 - q) / n)
    lo, hi = np.quantile(x, [max(q - h, 0.0), min(q + h, 1.0)])
    return float((hi - lo) / 2.0)


def simulate_null(T: int, reps: int, seed: int) -> np.ndarray:
    """PSY (2015) null paths ``y_t = 1/T + y_{t-1} + e_t``, ``y_0 = 0``; shape (reps, T)."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((reps, T))
    e += 1.0 / T
    return np.cumsum(e, axis=1)


def select_lag(y: np.ndarray, kmax: int, ic: str) -> int:
    """Lag chosen by ``ic`` (up to ``kmax``) for the ADF regression on the whole sample.

    The same criterion as the sweeps use per window (see
    :func:`dollarliq.bubbles.kernels.bsadf_lagk_python`), on the window of all
    T observations.
    """
    from . import kernels

    y = np.ascontiguousarray(y, dtype=np.float64)
    if ic == "fixed" or kmax == 0:
        return int(kmax)
    check_window(y.size, y.size, kmax)
    _, _, lags = kernels.bsadf_lagk(y, y.size, kmax, _IC_CODE[ic])
    return int(lags[-1])


def wild_bootstrap_paths(y: np.ndarray, lag: int, reps: int, seed: int) -> np.ndarray:
    """Wild-bootstrap paths under the unit-root null (Phillips and Shi 2020); shape (reps, T).

    The first ``lag`` differences are the data's; no drift (see the module docstring).
    """
    y = np.asarray(y, dtype=np.float64)
    T = y.size
    dy = np.diff(y)
    k = lag
    rows = np.arange(k, dy.size)
    X = np.column_stack([np.ones(rows.size)] + [dy[rows - i] for i in range(1, k + 1)])
    beta, *_ = np.linalg.lstsq(X, dy[rows], rcond=None)
    eps = dy[rows] - X @ beta
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((reps, eps.size))
    out = np.empty((reps, T))
    out[:, 0] = y[0]
    dyb = np.empty((reps, dy.size))
    dyb[:, :k] = dy[:k]
    for t in range(k, dy.size):
        v = w[:, t - k] * eps[t - k]
        for i in range(1, k + 1):
            v = v + beta[i] * dyb[:, t - i]
        dyb[:, t] = v
    out[:, 1:] = y[0] + np.cumsum(dyb, axis=1)
    return out


def critical_values(
    T: int,
    r0: float | None = None,
    lag: int = 0,
    reps: int = 2000,
    seed: int = DEFAULT_SEED,
    method: Method = "mc",
    ic: IC = "fixed",
    y: np.ndarray | None = None,
    horizon: int | None = None,
    levels: tuple[float, ...] = LEVELS,
) -> CriticalValues:
    """Simulate SADF/GSADF/BSADF critical values.

    Parameters
    ----------
    T : int
        Sample size, observations.
    r0 : float, optional
        Minimum window fraction; default ``0.01 + 1.8/sqrt(T)``.
    lag : int
        ADF lag used in every replication (largest lag under AIC/BIC).
    reps : int
        Replications.
    seed : int
        Seed of ``numpy.random.default_rng``; results do not depend on the
        number of threads.
    method : {"mc", "wild"}
        Monte Carlo under the PSY null, or wild bootstrap of ``y``.
    ic : {"fixed", "aic", "bic", "aic-psy", "bic-psy"}
        Lag choice inside each replication. For ``method="wild"`` with a
        criterion, the lag of the bootstrap regression is first chosen by the
        same criterion on the whole sample (up to ``lag``), as the authors'
        code does (psymonitor ``cvPSYwmboot``); it is ``boot_lag`` in the result.
    y : ndarray, optional
        The data (levels), required for ``method="wild"``; its length must be T.
    horizon : int, optional
        Number of window ends (from the first) over which ``bsadf_fwer``
        controls the family-wise size; default all ``T - min_window + 1``.
    levels : tuple of float
        Quantile levels.
    """
    if method not in ("mc", "wild"):
        raise UsageError(f"method must be 'mc' or 'wild', got {method!r}")
    if ic not in _IC_CODE:
        raise UsageError(f"ic must be one of {sorted(_IC_CODE)}, got {ic!r}")
    if reps < 10:
        raise UsageError("reps must be at least 10")
    r0v = default_r0(T) if r0 is None else float(r0)
    w0 = min_window(T, r0v)
    check_window(T, w0, lag)
    m = T - w0 + 1
    hz = m if horizon is None else int(horizon)
    if not 1 <= hz <= m:
        raise UsageError(f"horizon must be in 1..{m}, got {hz}")
    dh = ""
    boot_lag = -1
    if method == "mc":
        Y = simulate_null(T, reps, seed)
    else:
        if y is None:
            raise UsageError("method='wild' needs the data y")
        y = np.asarray(y, dtype=np.float64)
        if y.size != T:
            raise UsageError(f"len(y)={y.size} differs from T={T}")
        dh = data_hash(y)
        boot_lag = lag if ic == "fixed" else select_lag(y, lag, ic)
        Y = wild_bootstrap_paths(y, boot_lag, reps, seed)
    from . import kernels  # compiled on first use (cached on disk)

    s, g, b = kernels.sweep_many(Y, w0, lag, _IC_CODE[ic])
    q = np.asarray(levels)
    fw = b[:, :hz].max(axis=1)
    return CriticalValues(
        T=int(T), r0=r0v, min_window=w0, lag=int(lag), ic=ic, reps=int(reps), seed=int(seed),
        method=method, horizon=hz, levels=tuple(float(v) for v in levels),
        sadf=np.quantile(s, q), gsadf=np.quantile(g, q),
        sadf_se=np.array([_quantile_se(s, v) for v in q]),
        gsadf_se=np.array([_quantile_se(g, v) for v in q]),
        bsadf=np.quantile(b, q, axis=0), bsadf_fwer=np.quantile(fw, q), data_hash=dh,
        boot_lag=int(boot_lag),
    )
