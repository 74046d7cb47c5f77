"""dollarliq: US-dollar funding liquidity and tech-bubble fragility, point-in-time.

The Python API (``import dollarliq as dl``)::

    r = dl.report(as_of="2025-11-03")      # Report: .stage, .score, .to_dict(), .to_frame()
    s = dl.series("SOFR", start="2025-01-01")  # pandas.Series, s.attrs["unit"] == "pct"
    t = dl.stages("2019-09-01", "2019-09-30")  # DataFrame: level, name, score per day

The functions live in :mod:`dollarliq.api` and load on first use, so ``import dollarliq``
stays light (no pandas, no DuckDB).
"""

from __future__ import annotations

import sys as _sys
import types as _types
import typing as _typing
from importlib import import_module as _import_module

__version__ = "0.1.0"

_API = ("BubbleTest", "Outlook", "Report", "TrackRecord", "WatchCycle", "backtest",
        "bubble_test", "dashboard", "edgar_update", "gauges", "health", "history_context",
        "outlook", "panel",
        "report", "series",
        "series_list", "stages", "update", "watch_cycle")
_ERRORS = ("DollarliqError", "UsageError", "UnknownSeries", "SourceError", "NotEnoughData",
           "StoreError")

if _typing.TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from dollarliq.api import (BubbleTest, Outlook, Report, TrackRecord,  # noqa: F401
                               WatchCycle,
                               backtest, bubble_test, dashboard, edgar_update, gauges,
                               health, history_context, outlook, panel,
                               report, series, series_list, stages, update, watch_cycle)
    from dollarliq.errors import (DollarliqError, NotEnoughData, SourceError,  # noqa: F401
                                  StoreError, UnknownSeries, UsageError)


def __getattr__(name: str) -> object:
    if name in _API:
        return getattr(_import_module("dollarliq.api"), name)
    if name in _ERRORS:
        return getattr(_import_module("dollarliq.errors"), name)
    if name == "bubble":  # dl.bubble.test(...), dl.bubble.gauges(...)
        return _import_module("dollarliq.bubble_api")
    raise AttributeError(f"module 'dollarliq' has no attribute {name!r}")


class _Package(_types.ModuleType):
    """The package object: importing a submodule that shares an API function's name
    (``dollarliq.stages``, ``.gauges``, ``.backtest``, ``.update``) does not replace the
    function ``dl.stages`` with the module; the module stays in ``sys.modules``."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _API and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    """The public API only: the use cases, the errors, ``bubble`` and ``__version__``."""
    return sorted(__all__)


__all__ = [*_API, *_ERRORS, "bubble", "__version__"]
