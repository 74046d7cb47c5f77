"""LPPLS fits (Johansen-Ledoit-Sornette; Filimonov-Sornette 2013) and the
multi-scale confidence indicator.

Model, for log prices ``y(t) = ln p(t)``::

    y(t) = A + B*f + C1*f*cos(w*ln dt) + C2*f*sin(w*ln dt),  f = dt**m,
    dt = |tc - t| + 1e-8

(the ``|.| + 1e-8`` guard is the one of the ``lppls`` package, so both fit the
same objective). For fixed ``(tc, m, w)`` the linear parameters come from the
4x4 normal equations; ``(tc, m, w)`` are searched inside a box, by default
(filter set ``"lppls-0.6"``)

    tc in [t2 + 1e-3*(t2-t1), t2 + 0.5*(t2-t1)],  m in [0.01, 1.0],  w in [2, 15]

(the published sets search their papers' boxes: ``"sornette-2015"`` tc in
``t2 +/- 0.2*(t2-t1)``, m up to 2, w in [1, 50]; ``"shu-zhu-2020"`` tc in
``[t2, t2 + (t2-t1)/3]``, m up to 1, w in [1, 50]; see :data:`FILTERS`).
The search aims at the box's global optimum, not at a local one: a coarse
grid, descents from its local minima and from seeded starts (drawn from the
``lppls`` 0.6.24 initial ranges ``tc in [t2, t2 + 0.2*(t2-t1)]``,
``m in [0.1, 1.0]``, ``w in [6, 13]``), a polish of the best distinct optima
to convergence (Levenberg-Marquardt, then Newton on the profiled SSE), and
random restarts as a check; see :func:`fit_window_python`. Each fit reports
how many of the polished runs agreed on its SSE (``n_agree`` of ``n_runs``).

Time is in days (ordinal dates, as ``lppls`` uses) when the input is a Series
with a DatetimeIndex, otherwise observation numbers. Internally time is
rescaled to ``[-1, 0]``, which leaves the SSE and ``(m, w)`` unchanged.

Qualified fit, filter set ``"lppls-0.6"`` (``lppls`` 0.6.24 ``compute_indicators``
defaults, time in days; the published sets are in :data:`FILTERS`):
``max(t2-60, t2-0.5*dt) < tc < min(t2+252, t2+0.5*dt)``, ``0 < m < 1``,
``2 < w < 15``, oscillations ``O = w/(2 pi) ln((tc-t1)/(tc-t2)) > 2.5``,
damping ``D = m|B| / (w|C|) > 0.5``. Positive bubble: ``B < 0``; negative: ``B > 0``.

The package has three parts: :mod:`.search` (kernels and :func:`fit`), :mod:`.filters`
(:data:`FILTERS`, the residual tests) and :mod:`.indicator` (:func:`confidence_indicator`).
"""

from .filters import (_EPS, DESCENT_ITERS, DF_CV_5, FILTERS, GRID, INIT_M, INIT_TC,  # noqa: F401
                      INIT_W, LOCAL_LAM0, LPPLS_LAYOUT, M_HI, M_LO, TC_HI, TC_LO, W_HI, W_LO, Ar1Result,
                      FilterConditions, LombResult, ar1_test, damping, filter_conditions,
                      lomb_test, oscillations, PpResult, pp_test)
from .indicator import ConfidenceIndicator, confidence_indicator  # noqa: F401
from .search import (LpplsFit, _box_arrays, _compile_with, _finish, _near, _near_python,  # noqa: F401
                     _objective, _objective_python, _opts, _starts, _starts_and_checks, grid_for,
                     _tc_grid, _tc_grid_python, fit, fit_window, fit_window_python, grid_sse,
                     grid_sse_python, lm_polish, lm_polish_python, lppls_linear,
                     lppls_linear_python, nelder_mead, nelder_mead_python, nested_fits,
                     nested_fits_python, newton_polish, newton_polish_python, time_axis)
