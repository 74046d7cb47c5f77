"""The command line: the only place that prints or exits.

Library errors (``dollarliq.errors``) become one line on stderr and their exit code:
0 ok, 1 bug, 2 usage, 3 source, 4 data, 5 store.
"""

from __future__ import annotations

import sys

import typer

from dollarliq.cli._common import app, console, err_console  # noqa: F401
from dollarliq.cli import series as _series  # noqa: F401  (registers commands)
from dollarliq.cli import store_cmd as _store  # noqa: F401
from dollarliq.cli import update_cmd as _update  # noqa: F401
from dollarliq.cli import report_cmd as _report  # noqa: F401
from dollarliq.cli import bubble_cmd as _bubble  # noqa: F401
from dollarliq.cli import bubble_gauges as _bubble_gauges  # noqa: F401
from dollarliq.cli import backtest_cmd as _backtest  # noqa: F401
from dollarliq.cli import dashboard_cmd as _dashboard  # noqa: F401
from dollarliq.cli import watch_cmd as _watch  # noqa: F401
from dollarliq.cli import serve_cmd as _serve  # noqa: F401
from dollarliq.cli import outlook_cmd as _outlook  # noqa: F401
from dollarliq.cli._common import apply_help_conventions

apply_help_conventions(app)  # after every command is registered


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # outside a command (e.g. while importing): same message
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main", "typer"]
