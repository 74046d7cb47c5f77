"""The use cases of dollarliq, as a Python API (``import dollarliq as dl``).

Every front end (the command line, the dashboard, ``watch``) calls these functions and only
formats what they return. Each function

* opens the store (``store=`` an open :class:`~dollarliq.store.Store`, or ``home=`` the
  folder of a user store; default ``$DOLLARLIQ_HOME`` or the platform's data folder, and the
  embedded snapshot when no store file exists yet),
* reads it once through :func:`dollarliq.frame.read_rows`,
* resolves the as-of date once with :func:`resolve_as_of`, and
* hands plain pandas objects to the pure computations (indicators, stages, gauges, tests).

The as-of rule, the same for every command: ``as_of=None`` means the latest release date of
the core liquidity inputs (Fed assets, reserves, ON RRP, SOFR), i.e. the last day on which
the stage could change. A date before those inputs were all public, or after today, is a
:class:`~dollarliq.errors.UsageError`.

Bad input raises :mod:`dollarliq.errors` exceptions with a one-line message; each carries the
exit code the command line uses (2 bad input, 3 source, 4 not enough data, 5 store/output).

The use cases live one per module; this package is their one face (``dollarliq.api.X`` and
``dl.X``):

=========================  ==============================================================
module                     use cases
=========================  ==============================================================
``api._core``              store access, the as-of rule, argument checks, the engine call,
                           the report cache, :class:`Report`
``api.reporting``          :func:`report`
``api.timeseries``         :func:`series`, :func:`panel`, :func:`series_list`
``api.track_record``       :func:`stages`, :func:`backtest` (:class:`TrackRecord`)
``api.bubbles``            :func:`gauges`, :func:`bubble_test`, :func:`bubble_scan`,
                           :func:`edgar_update`
``api.dashboard_page``     :func:`dashboard`
``api.updates``            :func:`update`, :func:`watch_cycle`, :func:`health`
``api.outlook``            :func:`outlook` (:class:`Outlook`)
=========================  ==============================================================
"""

from __future__ import annotations

import sys as _sys
import types as _types

from dollarliq.api._core import (  # noqa: F401 - re-exported
    CORE_IDS, DEFAULT_WINDOW, MAX_REPS, MIN_WINDOW, Report, check_bubble_args,
    check_scan_args, check_watch_args, data_start, default_as_of, home_path, open_store,
    parse_as_of, parse_windows, resolve_as_of)
from dollarliq.api.bubbles import BubbleTest, bubble_scan, bubble_test, edgar_update, gauges
from dollarliq.api.dashboard_page import dashboard
from dollarliq.api.history_context import history_context
from dollarliq.api.outlook import Outlook, outlook, outlook_days
from dollarliq.api.reporting import report
from dollarliq.api.timeseries import panel, series, series_list
from dollarliq.api.track_record import TrackRecord, backtest, stages
from dollarliq.api.updates import WatchCycle, health, update, watch_cycle

__all__ = ["BubbleTest", "Outlook", "Report", "TrackRecord", "WatchCycle", "backtest", "bubble_scan",
           "history_context",
           "bubble_test",
           "dashboard", "default_as_of", "gauges", "health", "outlook", "panel", "report", "resolve_as_of", "series",
           "series_list", "stages", "update", "watch_cycle"]

# Also importable from here, as before: the constants, the argument checks, open_store,
# home_path, parse_as_of, parse_windows, data_start (the front ends use them).


class _Package(_types.ModuleType):
    """The package object: loading a use-case submodule later never replaces a use case
    of the same name (``api.report`` stays the function)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and callable(self.__dict__.get(name)):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
