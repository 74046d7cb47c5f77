"""Where dollarliq keeps its files: the user store and the per-revision report cache.

A light module (no pandas, no DuckDB) so that the cached fast paths can find their files.
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_FILENAME = "dollarliq.duckdb"


def default_home() -> Path:
    """The folder of the user store: ``$DOLLARLIQ_HOME`` or the platform's user data dir."""
    env = os.environ.get("DOLLARLIQ_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dollarliq", appauthor=False))


def check_home(folder: Path) -> Path:
    """``folder`` as the home of a store: StoreError (exit code 5) naming it when it exists
    and is not a folder (``DOLLARLIQ_HOME`` set to a file). The one check of every command."""
    if folder.exists() and not folder.is_dir():
        from dollarliq.errors import StoreError, shown

        raise StoreError(f"the dollarliq home {shown(str(folder), 200)} is a file, not a "
                         "folder (set DOLLARLIQ_HOME to a folder)")
    return folder


def default_store_path() -> Path:
    """The user store file inside :func:`default_home`."""
    return default_home() / STORE_FILENAME


def cache_dir() -> Path:
    """The folder of computed results cached per store revision (safe to delete):
    ``$DOLLARLIQ_HOME/cache`` when ``DOLLARLIQ_HOME`` is set, else the platform's user
    cache dir."""
    env = os.environ.get("DOLLARLIQ_HOME")
    if env:
        return Path(env).expanduser() / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dollarliq", appauthor=False))
