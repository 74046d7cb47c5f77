"""``dollarliq update``."""

from __future__ import annotations

import typer

from dollarliq.cli._common import app, console, is_quiet, handle_errors, parse_dates


@app.command("update")
@handle_errors
def update(
    source: list[str] = typer.Option(None, "--source",
                                     help="fedboard, nyfed, treasury, cboe, ofr, yahoo or fred (repeatable)."),
    series: list[str] = typer.Option(None, "--series", help="Only these series (repeatable)."),
    since: str = typer.Option(None, "--since", help="Re-fetch observations from this date."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Fetch newer data from the real sources into the store, on top of the snapshot.

    FRED uses the API when FRED_API_KEY is set (with vintages), else fredgraph.csv.
    A failure of any source leaves the store exactly as it was (exit code 3).

    Example:
        dollarliq update --source fred --since 2025-10-01
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq.http import Fetch, make_client
    from dollarliq.store import default_store_path, open_store
    from dollarliq.update import run_update

    quiet = is_quiet(quiet)
    d = parse_dates(since=since)
    with open_store(default_store_path(), for_write=True) as store, make_client() as client:
        fetch = Fetch(client)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=console, disable=quiet, transient=True) as bar:
            task = bar.add_task("fetching", total=None)
            result = run_update(
                store, fetch, sources=source or None, series=series or None,
                since=d["since"],
                on_plan=lambda n: bar.update(task, total=n),
                progress=lambda spec: bar.update(task, advance=1,
                                                 description=f"{spec.source}: {spec.id}"))
    end = result.data_end.strftime("%Y-%m-%d") if result.data_end is not None else "-"
    console.print(f"{result.series} series fetched, {result.fetched} observations read, "
                  f"{result.added} new or revised stored; data end {end}")
