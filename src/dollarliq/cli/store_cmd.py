"""``dollarliq store info``."""

from __future__ import annotations

import sys

import typer

from dollarliq.cli._common import console, handle_errors, json_text, store_app


@store_app.command("info")
@handle_errors
def store_info(
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Where the store is, what it holds and where the data end.

    The data end is the report's: the latest observation of the core liquidity inputs
    (WALCL, WRESBAL, RRPONTSYD, SOFR); each source's own latest observation is listed too.

    Example:
        dollarliq store info
    """
    from dollarliq.catalog import CATALOG
    from dollarliq.catalog import CORE_IDS
    from dollarliq.reports.layout import FitTable
    from dollarliq.store import SNAPSHOT_PATH, default_store_path, open_store

    path = default_store_path()
    with open_store() as store:
        cov = store.coverage()
        user_rows = store.user_rows()
        last_fetch = store.last_fetch()
        auctions = store.auctions()
    by_source: dict[str, int] = {}
    end_by_source: dict[str, str] = {}
    for sid, c in cov.items():
        src = CATALOG[sid].source if sid in CATALOG else "other"
        by_source[src] = by_source.get(src, 0) + c.rows
        end_by_source[src] = max(end_by_source.get(src, ""), f"{c.last_obs:%Y-%m-%d}")
    # The report's data end: the latest observation of the core liquidity inputs.
    core_ends = [cov[s].last_obs for s in CORE_IDS if s in cov]
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
        "data_end": f"{max(core_ends):%Y-%m-%d}" if core_ends else None,
        "data_end_of": list(CORE_IDS),
        "data_end_by_source": dict(sorted(end_by_source.items())),
        "auction_records": len(auctions),
        "auction_issue_dates": (f"{auctions['issue_date'].min():%Y-%m-%d}.."
                                f"{auctions['issue_date'].max():%Y-%m-%d}"
                                if len(auctions) else None),
    }
    if json_out:
        sys.stdout.write(json_text(info))
        return
    def text(v: object) -> str:
        if isinstance(v, dict):
            return ", ".join(f"{k} {x:,}" if isinstance(x, int) else f"{k} {x}"
                             for k, x in v.items())
        if isinstance(v, list):
            return ", ".join(map(str, v))
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    console.print(FitTable(["", ""], [(k, text(v)) for k, v in info.items()],
                           title="dollarliq store", show_header=False))
    if not info["store_exists"]:
        console.print("No store yet: the embedded snapshot is the data. "
                      "`dollarliq update` fetches newer data into the store.")
