"""The multi-scale LPPLS confidence indicator over nested windows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...errors import NotEnoughData
from .filters import FilterConditions, filter_conditions
from .search import (_box_arrays, _finish, _opts, _starts_and_checks, grid_for, nested_fits,
                     time_axis)


@dataclass(frozen=True)
class ConfidenceIndicator:
    """Multi-scale LPPLS confidence indicator.

    Attributes
    ----------
    frame : pd.DataFrame
        One row per outer window end: ``pos_conf`` / ``neg_conf`` (share of
        qualified fits among fits with B<0 / B>0, as in ``lppls``),
        ``n_pos``, ``n_neg``, ``n_pos_qualified``, ``n_neg_qualified``.
    fits : pd.DataFrame
        Every nested fit: end label, t1, t2, nobs, tc, m, omega, B, C, sse,
        O, D, qualified, and the search's agreement ``n_agree`` of ``n_runs``
        (see :class:`LpplsFit`).
    settings : dict
        Window sizes and increments (observations), starts, seed.
    """

    frame: pd.DataFrame
    fits: pd.DataFrame
    settings: dict = field(default_factory=dict)

    @property
    def qualified_share(self) -> float:
        """Share of all nested fits that pass the filter conditions."""
        return float(self.fits["qualified"].mean()) if len(self.fits) else float("nan")

    def summary(self) -> str:
        last = self.frame.iloc[-1]
        return (
            f"LPPLS confidence indicator: {len(self.frame)} windows x "
            f"{len(self.fits) // max(len(self.frame), 1)} nested fits, qualified share "
            f"{self.qualified_share:.3f} (filter {self.settings.get('conditions', 'lppls-0.6')}); "
            f"last: pos {last['pos_conf']:.3f}, neg {last['neg_conf']:.3f}"
        )


def confidence_indicator(
    log_price: pd.Series | np.ndarray,
    t: np.ndarray | None = None,
    window_size: int | None = None,
    smallest_window_size: int | None = None,
    outer_increment: int | None = None,
    inner_increment: int | None = None,
    n_starts: int = 4,
    seed: int = 0,
    max_coarse: int = 100,
    n_polish: int = 4,
    maxfev: int = 600,
    conditions: FilterConditions | str | None = None,
    *,
    n_checks: int = 2,
    grid: tuple[int, int, int] | None = None,
    box: tuple[float, float] | None = None,
) -> ConfidenceIndicator:
    """LPPLS confidence indicator over nested windows.

    Outer windows of ``window_size`` observations slide by ``outer_increment``;
    in each, fits run on the sub-windows that drop ``0, inner_increment, ...``
    observations from the left while longer than ``smallest_window_size``
    (sizes ``window_size, window_size - inner_increment, ...``), as
    ``lppls.LPPLS.mp_compute_nested_fits``. The layout not given comes from the
    filter set (``FilterConditions.layout``): ``lppls-0.6`` 80, 20, 5, 2 (the
    ``lppls`` defaults); ``sornette-2015`` windows of 750 down to 125 in steps of
    5, ``shu-zhu-2020`` 650 down to 30 in steps of 5, each at every window end.
    The windows run in parallel (numba threads).

    ``pos_conf`` / ``neg_conf`` at a window end: qualified fits with ``B < 0`` /
    ``B > 0`` divided by the fits with that sign (``lppls``), or by all the
    nested fits for the published sets (their definition: the fraction of
    fitting windows that qualify), per ``FilterConditions.conf_of_all``.

    Parameters
    ----------
    log_price : pd.Series or ndarray
        Natural log of prices (daily).
    t : ndarray, optional
        Time axis, default ordinal days for a DatetimeIndex, else 0..n-1.
    window_size, smallest_window_size, outer_increment, inner_increment : int
        Observations.
    n_starts, seed, max_coarse, n_polish, maxfev :
        As in :func:`fit`.
    conditions : FilterConditions or str, optional
        Qualified-fit conditions or a filter-set name, as in :func:`fit`.
    n_checks, grid, box :
        As in :func:`fit`.
    """
    tt, yy = time_axis(log_price, t)
    N = tt.size
    conditions = filter_conditions(conditions)
    lay = conditions.layout
    window_size = lay[0] if window_size is None else window_size
    smallest_window_size = lay[1] if smallest_window_size is None else smallest_window_size
    outer_increment = lay[2] if outer_increment is None else outer_increment
    inner_increment = lay[3] if inner_increment is None else inner_increment
    if N < window_size or smallest_window_size < 10 or window_size <= smallest_window_size:
        raise NotEnoughData(
            f"confidence indicator needs at least window_size={window_size} observations "
            f"(and 10 <= smallest_window_size < window_size); got {N}"
        )
    ends = np.arange(window_size - 1, N, outer_increment, dtype=np.int64)
    sizes = np.array(
        [window_size - j for j in range(0, window_size - smallest_window_size, inner_increment)],
        dtype=np.int64,
    )
    lo, hi = _box_arrays(box, conditions)
    st, ck = _starts_and_checks(n_starts, n_checks, seed, lo, hi)
    raw = nested_fits(tt, yy, ends, sizes, st, maxfev, 1e-5, 1e-9, max_coarse, n_polish, lo, hi, ck,
                      _opts(grid or grid_for(lo, hi)))
    labels = log_price.index if isinstance(log_price, pd.Series) else pd.RangeIndex(N)
    rows = []
    summary = []
    for e, j in enumerate(ends):
        npos = nneg = qpos = qneg = 0
        for s, n in enumerate(sizes):
            seg = slice(j - n + 1, j + 1)
            f = _finish(tt[seg], yy[seg], raw[e, s, 0], raw[e, s, 1], raw[e, s, 2], int(raw[e, s, 4]), conditions,
                        int(raw[e, s, 5]), int(raw[e, s, 6]))
            rows.append((labels[j], f.t1, f.t2, f.nobs, f.tc, f.m, f.omega, f.B, f.C, f.sse,
                         f.oscillations, f.damping, f.qualified, f.n_agree, f.n_runs))
            if f.B < 0:
                npos += 1
                qpos += f.qualified
            elif f.B > 0:
                nneg += 1
                qneg += f.qualified
        dpos, dneg = (len(sizes), len(sizes)) if conditions.conf_of_all else (npos, nneg)
        summary.append((labels[j], qpos / dpos if dpos else 0.0, qneg / dneg if dneg else 0.0,
                        npos, nneg, qpos, qneg))
    frame = pd.DataFrame(
        summary, columns=["end", "pos_conf", "neg_conf", "n_pos", "n_neg", "n_pos_qualified", "n_neg_qualified"]
    ).set_index("end")
    fits = pd.DataFrame(
        rows, columns=["end", "t1", "t2", "nobs", "tc", "m", "omega", "B", "C", "sse", "O", "D", "qualified",
                       "n_agree", "n_runs"]
    )
    settings = dict(window_size=window_size, smallest_window_size=smallest_window_size,
                    outer_increment=outer_increment, inner_increment=inner_increment,
                    n_starts=n_starts, seed=seed, n_polish=n_polish, n_checks=n_checks,
                    conditions=conditions.name, search_tc=tuple(float(v) for v in (lo[0], hi[0])),
                    search_m=(float(lo[1]), float(hi[1])), search_w=(float(lo[2]), float(hi[2])),
                    conf_of_all=conditions.conf_of_all)
    return ConfidenceIndicator(frame=frame, fits=fits, settings=settings)
