"""Explosive-bubble statistics.

* GSADF / SADF / BSADF with date-stamping (Phillips, Shi and Yu 2015) and
  their Monte Carlo or wild-bootstrap critical values (Phillips and Shi 2020).
* LPPLS fits and the multi-scale confidence indicator (Johansen, Ledoit and
  Sornette; Filimonov and Sornette 2013).

Everything here is a pure function of numpy arrays or pandas Series.
"""

import sys
import types
from importlib import import_module

#: The LPPLS filter sets by name, the default first (the sets themselves:
#: ``dollarliq.bubbles.lppls.FILTERS``). Here, so front ends can name them without loading
#: the kernels.
LPPLS_FILTERS = ("lppls-0.6", "sornette-2015", "shu-zhu-2020")
DEFAULT_LPPLS_FILTER = LPPLS_FILTERS[0]
LPPLS_FILTER_HELP = (f"The published filter set that qualifies LPPLS fits: "
                     f"{', '.join(LPPLS_FILTERS)} (default {DEFAULT_LPPLS_FILTER}, the lppls "
                     "package's defaults).")

# Exports resolve on first use, so importing one light module (e.g. the critical-value
# container) does not load numba.
_EXPORTS = {
    "PerformanceWarning": "_numba",
    "CACHE_NAMESPACE": "critical_values", "CriticalValues": "critical_values",
    "cache_key": "critical_values", "critical_values": "critical_values",
    "Episode": "gsadf", "GsadfResult": "gsadf", "bsadf": "gsadf", "default_r0": "gsadf",
    "episodes": "gsadf", "episodes_frame": "gsadf", "gsadf": "gsadf",
    "min_duration": "gsadf", "min_window": "gsadf", "sadf": "gsadf",
    "ConfidenceIndicator": "lppls", "FilterConditions": "lppls", "LpplsFit": "lppls",
    "confidence_indicator": "lppls",
}


def __getattr__(name: str):
    if name == "lppls_fit":
        return import_module(".lppls", __name__).fit
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """Importing the submodules ``gsadf`` and ``critical_values`` does not replace the
    functions of the same names exported here (the modules stay in ``sys.modules``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if (name in _EXPORTS or name == "lppls_fit") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
