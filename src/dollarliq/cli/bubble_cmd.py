"""``dollarliq bubble test`` and ``dollarliq bubble scan``: explosive-bubble statistics."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

import typer

from dollarliq.bubbles import DEFAULT_LPPLS_FILTER, LPPLS_FILTER_HELP
from dollarliq.cli._common import TextOrJson as Fmt
from dollarliq.cli._common import json_text
from dollarliq.cli._common import (bubble_app, check_out, console, handle_errors, is_quiet,
                                   parse_dates, write_out)


class Method(str, enum.Enum):
    gsadf = "gsadf"
    lppls = "lppls"
    both = "both"


@bubble_app.command("test")
@handle_errors
def bubble_test(
    ticker: str = typer.Argument(..., help="A price series id, e.g. NVDA, QQQ, SPY."),
    as_of: str = typer.Option(None, "--as-of", help="Use only prices public on this date."),
    method: Method = typer.Option(Method.both, "--method", help="gsadf, lppls or both."),
    window: int = typer.Option(None, "--window",
                               help="Last N daily closes tested (default 504, at least 60)."),
    lag: int = typer.Option(0, "--lag", help="ADF lag."),
    reps: int = typer.Option(999, "--reps", help="Monte Carlo replications (cached)."),
    lppls_filter: str = typer.Option(DEFAULT_LPPLS_FILTER, "--filter", help=LPPLS_FILTER_HELP),
    fmt: Fmt = typer.Option(Fmt.text, "--format", help="text or json."),
) -> None:
    """GSADF (with date-stamped episodes) and the LPPLS confidence indicator for one series.

    Example:
        dollarliq bubble test NVDA --as-of 2024-06-28
        dollarliq bubble test QQQ --method gsadf --format json
        dollarliq bubble test NVDA --method lppls --filter sornette-2015
    """
    from dollarliq import api

    d = parse_dates(as_of=as_of)
    res = api.bubble_test(ticker, as_of=d["as_of"], window=window, lag=lag, reps=reps,
                          method=method.value, lppls_filter=lppls_filter).doc
    if fmt is Fmt.json:
        sys.stdout.write(json_text(res))
        return
    console.print(f"[bold]{res['series']}[/bold]: last {res['window_obs']} closes"
                  + (f", as known on {res['as_of']}" if res["as_of"] else ""))
    if "gsadf" in res:
        g = res["gsadf"]
        verdict = "explosive (rejects the random walk at 95%)" if g["explosive_95"] \
            else "no explosive root at 95%"
        console.print(f"GSADF {g['gsadf']:.3f} vs 95% {g['gsadf_cv']['95%']:.3f} "
                      f"({g['critical_values']}): {verdict}; {g['start']}..{g['end']}")
        console.print(f"BSADF now {g['bsadf_last']:.3f} vs {g['bsadf_cv95_last']:.3f}: "
                      + ("explosive now" if g["explosive_now"] else "not explosive now"))
        for e in g["episodes"]:
            console.print(f"  episode {e['start']} .. {e['end']} (peak {e['peak']}, "
                          f"{e['duration_obs']} obs{', ongoing' if e['ongoing'] else ''})")
    if "lppls" in res:
        lp = res["lppls"]
        console.print(f"LPPLS confidence (last {lp['window_obs']} closes to {lp['end']}): "
                      f"bubble {lp['bubble_confidence']:.0%}, negative bubble "
                      f"{lp['negative_bubble_confidence']:.0%}; qualified fits "
                      f"{lp['qualified_share']:.0%} (filter {lp['filter']})")
        if lp.get("filter_differences"):
            console.print(f"  filter {lp['filter']}: {lp['filter_source']}")
            for d in lp["filter_differences"]:
                console.print(f"  differs: {d}")


def scan_table(df: Any) -> Any:
    """The scan's rows as a table that fits the terminal: numbers rounded to what a reader
    compares (statistics to 3 decimals, confidences to 2), booleans as yes/no, missing as
    '-'."""
    from dollarliq.reports.layout import Col, FitTable

    digits = {"gsadf": 3, "gsadf_cv95": 3, "bubble_confidence": 2,
              "negative_bubble_confidence": 2, "qualified_share": 2}

    def cell(col: str, v: object) -> str:
        import numpy as np

        if v is None or (isinstance(v, (float, np.floating)) and np.isnan(v)):
            return "-"
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            return f"{float(v):.{digits.get(col, 3)}f}"
        return str(v)

    right = set(digits) | {"window_obs", "episodes"}
    cols = [Col(c.replace("_", " "), justify="right" if c in right else "left")
            for c in df.columns]
    rows = [[cell(c, v) for c, v in zip(df.columns, rec)]
            for rec in df.itertuples(index=False, name=None)]
    return FitTable(cols, rows, title="bubble scan")


@bubble_app.command("scan")
@handle_errors
def bubble_scan(
    tickers: str = typer.Option(None, "--tickers", help="Comma-separated series ids."),
    universe: Path = typer.Option(None, "--universe", help="A file of series ids."),
    method: Method = typer.Option(Method.gsadf, "--method", help="gsadf or lppls."),
    windows: str = typer.Option("252,504", "--windows",
                                help="Window lengths in daily closes, comma-separated."),
    scheduler: str = typer.Option("local", "--scheduler",
                                  help="local (a Dask LocalCluster), threads, or a "
                                       "tcp://host:port Dask scheduler."),
    workers: int = typer.Option(2, "--workers", help="Workers of the local cluster."),
    as_of: str = typer.Option(None, "--as-of", help="Use only prices public on this date."),
    reps: int = typer.Option(999, "--reps", help="Monte Carlo replications (cached)."),
    lppls_filter: str = typer.Option(DEFAULT_LPPLS_FILTER, "--filter", help=LPPLS_FILTER_HELP),
    out: Path = typer.Option(None, "--out", help="Write the results to FILE.csv or FILE.json."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Bubble tests over many names and windows on Dask; results to the store and a file.

    Example:
        dollarliq bubble scan --tickers NVDA,AVGO,MSFT,QQQ --windows 252,504
        dollarliq bubble scan --universe megacaps.txt --method lppls --scheduler tcp://10.0.0.5:8786
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq import api
    from dollarliq.bubbles.scan import read_universe
    from dollarliq.errors import UsageError

    if method is Method.both:
        raise UsageError("--method: choose gsadf or lppls for a scan")
    if bool(tickers) == bool(universe):
        raise UsageError("give --tickers or --universe (one of them)")
    ids = [x.strip() for x in tickers.split(",") if x.strip()] if tickers else \
        read_universe(universe)
    wins = api.parse_windows(windows)
    api.check_scan_args(ids, wins, method.value, scheduler, workers, reps, lppls_filter)
    check_out(out)
    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"--out {out}: a .csv or .json file")
    d = parse_dates(as_of=as_of)
    quiet = is_quiet(quiet)
    with Progress(TextColumn("scan"), BarColumn(), MofNCompleteColumn(),
                  console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("scan", total=len(ids) * len(wins))
        df = api.bubble_scan(ids, windows=wins, method=method.value, scheduler=scheduler,
                             workers=workers, as_of=d["as_of"], reps=reps,
                             lppls_filter=lppls_filter,
                             progress=lambda i, n: bar.update(task, completed=i))
    from dollarliq.reports.style import csv_number

    if out is not None:
        kept = df.attrs.get("path")
        note = f"wrote {out}" + (f"; also kept as {kept}" if kept else "")
        if out.suffix.lower() == ".json":
            write_out(out, df.to_json(orient="records", indent=1), note=note)
        else:
            write_out(out, df.drop(columns=[c for c in ("last_episode",) if c in df])
                      .to_csv(index=False, float_format=csv_number), note=note)
    cols = [c for c in ("series", "window_obs", "start", "end", "gsadf", "gsadf_cv95",
                        "explosive_95", "explosive_now", "episodes", "bubble_confidence",
                        "negative_bubble_confidence", "qualified_share", "filter", "status")
            if c in df]
    console.print(scan_table(df[cols]))
