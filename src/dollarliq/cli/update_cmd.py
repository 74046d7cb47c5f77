"""``dollarliq update``."""

from __future__ import annotations

import typer

from dollarliq.cli._common import TextOrJson as Fmt
from dollarliq.cli._common import json_text
from dollarliq.cli._common import app, console, err_console, handle_errors, is_quiet, parse_dates


@app.command("update")
@handle_errors
def update(
    source: list[str] = typer.Option(None, "--source",
                                     help="fedboard, nyfed, treasury, cboe, ofr, yahoo or fred (repeatable)."),
    series: list[str] = typer.Option(None, "--series", help="Only these series (repeatable)."),
    since: str = typer.Option(None, "--since", help="Re-fetch observations from this date."),
    verbose: bool = typer.Option(False, "--verbose", help="Also the table of every series."),
    quiet: bool = typer.Option(False, "--quiet", help="The summary line alone."),
    fmt: Fmt = typer.Option(Fmt.text, "--format",
                            help="text (lines) or json (one object per series)."),
) -> None:
    """Fetch newer data from the real sources into the store, on top of the snapshot.

    The first line says what will be fetched, from how many publishers; on a terminal a
    progress bar follows. Each series is written on its own as soon as it arrives; one that
    fails keeps its stored rows and stops nothing else. Series that did not come are told in
    one line per publisher and reason (an update without a network: one line per publisher),
    then one summary line; --verbose adds the table of every series, --quiet prints the
    summary line alone. FRED series need FRED_API_KEY; without it they are listed as needing
    the key and the rest goes on. DOLLARLIQ_MIRROR=http://HOST:PORT sends every request to a
    mirror; DOLLARLIQ_REQUEST_DEADLINE (60 s) and DOLLARLIQ_UPDATE_DEADLINE (900 s) bound one
    request and the whole update. Exit code 0 when everything came, 3 when a series failed,
    2 when nothing was fetched because a key is missing (update --source fred without
    FRED_API_KEY), 5 when the store could not be written.

    Example:
        dollarliq update --source nyfed --since 2025-10-01
        dollarliq update --format json --quiet
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq import api

    quiet = is_quiet(quiet)
    talk = not quiet and fmt == Fmt.text  # the first line, the bar, the failure lines
    d = parse_dates(since=since)

    def started(specs) -> None:
        if talk:
            err_console.print(start_line(specs), markup=False)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err_console, disable=not (talk and err_console.is_terminal),
                  transient=True) as bar:
        task = bar.add_task("fetching", total=None)
        result = api.update(
            source or None, series=series or None, since=d["since"],
            on_plan=lambda n: bar.update(task, total=n), on_start=started,
            progress=lambda spec: bar.update(task, advance=1,
                                             description=f"{spec.source}: {spec.id}"))
    if fmt == Fmt.json:
        import sys

        sys.stdout.write(json_text({"exit_code": result.exit_code,
                                    "series": [summary_row(o) for o in result.outcomes]}))
    elif verbose and not quiet:
        console.print(summary_table(result))
    if not quiet:
        for g in result.failure_groups():  # nothing fetched for want of a key: an error
            label = "note" if g.status == "needs key" and result.exit_code != 2 else "error"
            err_console.print(f"{label}: {g.line()}", markup=False)
    if fmt == Fmt.text:
        end = result.data_end.strftime("%Y-%m-%d") if result.data_end is not None else "-"
        n_ok = sum(o.status == "ok" for o in result.outcomes)
        n_key = sum(o.status == "needs key" for o in result.outcomes)
        console.print(f"{result.series} series: {n_ok} fetched, {len(result.failed)} failed, "
                      f"{n_key} need a key; {result.fetched} observations read, "
                      f"{result.added} new or revised stored; data end {end}",
                      markup=False, soft_wrap=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def start_line(specs: list[tuple[str, str]]) -> str:
    """``update: 84 series from 8 publishers (fedboard 22, nyfed 13, ...)`` from the planned
    (source, id) pairs."""
    per: dict[str, int] = {}
    for source, _ in specs:
        per[source] = per.get(source, 0) + 1
    parts = ", ".join(f"{src} {n}" for src, n in per.items())
    pubs = "publisher" if len(per) == 1 else "publishers"
    return f"update: {len(specs)} series from {len(per)} {pubs} ({parts})"


def summary_row(o) -> dict:
    """One series of the summary as plain values (the JSON form)."""
    return {"series_id": o.series_id, "source": o.source, "status": o.status,
            "read": o.fetched, "added": o.added, "revised": o.revised,
            "data_end": o.data_end.isoformat() if o.data_end is not None else None,
            "reason": o.reason or None}


def summary_table(result):
    """The per-series table: status, observations read, rows added, revisions, data end."""
    from rich.text import Text

    from dollarliq.reports.layout import Col, FitTable

    cols = [Col(c, justify=j) for c, j in (
        ("series", "left"), ("source", "left"), ("status", "left"), ("read", "right"),
        ("added", "right"), ("revised", "right"), ("data end", "left"), ("why", "left"))]
    rows = []
    for o in result.outcomes:
        why = o.reason
        prefix = f"{o.source}: {o.series_id}: "
        if why.startswith(prefix):
            why = why[len(prefix):]
        end = o.data_end.strftime("%Y-%m-%d") if o.data_end is not None else "-"
        style = {"ok": "", "needs key": "yellow"}.get(o.status, "red")
        cells = [o.series_id, o.source, o.status, str(o.fetched), str(o.added),
                 str(o.revised), end, why]
        rows.append([Text(c, style=style) for c in cells])
    # a table when it fits the terminal, else one block per series (nothing cut)
    return FitTable(cols, rows, plain=True)
