"""Explosive-bubble statistics.

* GSADF / SADF / BSADF with date-stamping (Phillips, Shi and Yu 2015) and
  their Monte Carlo or wild-bootstrap critical values (Phillips and Shi 2020).
* LPPLS fits and the multi-scale confidence indicator (Johansen, Ledoit and
  Sornette; Filimonov and Sornette 2013).

Everything here is a pure function of numpy arrays or pandas Series.
"""

from ._numba import PerformanceWarning
from .critical_values import CACHE_NAMESPACE, CriticalValues, cache_key, critical_values
from .gsadf import (
    Episode,
    GsadfResult,
    bsadf,
    default_r0,
    episodes,
    episodes_frame,
    gsadf,
    min_duration,
    min_window,
    sadf,
)
from .lppls import ConfidenceIndicator, FilterConditions, LpplsFit, confidence_indicator
from .lppls import fit as lppls_fit

__all__ = [
    "CACHE_NAMESPACE",
    "ConfidenceIndicator",
    "CriticalValues",
    "Episode",
    "FilterConditions",
    "GsadfResult",
    "LpplsFit",
    "PerformanceWarning",
    "bsadf",
    "cache_key",
    "confidence_indicator",
    "critical_values",
    "default_r0",
    "episodes",
    "episodes_frame",
    "gsadf",
    "lppls_fit",
    "min_duration",
    "min_window",
    "sadf",
]
