"""``dollarliq store info``."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table

from dollarliq.cli._common import console, handle_errors, store_app


@store_app.command("info")
@handle_errors
def store_info(
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Where the store is, what it holds and where the data end.

    Example:
        dollarliq store info
    """
    from dollarliq.catalog import CATALOG
    from dollarliq.store import SNAPSHOT_PATH, default_store_path, open_store

    path = default_store_path()
    with open_store() as store:
        cov = store.coverage()
        user_rows = store.user_rows()
        last_fetch = store.last_fetch()
    by_source: dict[str, int] = {}
    for sid, c in cov.items():
        src = CATALOG[sid].source if sid in CATALOG else "other"
        by_source[src] = by_source.get(src, 0) + c.rows
    info = {
        "store": str(path),
        "store_exists": path.exists(),
        "store_bytes": path.stat().st_size if path.exists() else 0,
        "snapshot": SNAPSHOT_PATH.name,
        "snapshot_bytes": SNAPSHOT_PATH.stat().st_size if SNAPSHOT_PATH.exists() else 0,
        "user_rows": user_rows,
        "last_update": last_fetch.isoformat() if last_fetch is not None else None,
        "series": len(cov),
        "observations_by_source": by_source,
        "data_end": max(c.last_obs for c in cov.values()).strftime("%Y-%m-%d") if cov else None,
    }
    if json_out:
        sys.stdout.write(json.dumps(info, indent=1) + "\n")
        return
    t = Table(show_header=False, title="dollarliq store")
    for k, v in info.items():
        t.add_row(k, str(v))
    console.print(t)
    if not info["store_exists"]:
        console.print("No store yet: the embedded snapshot is the data. "
                      "`dollarliq update` fetches newer data into the store.")
