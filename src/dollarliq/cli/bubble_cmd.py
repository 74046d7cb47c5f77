"""``dollarliq bubble test`` and ``dollarliq bubble scan``: explosive-bubble statistics."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path

import typer

from dollarliq.cli._common import TextOrJson as Fmt
from dollarliq.cli._common import bubble_app, console, handle_errors, is_quiet, parse_dates


class Method(str, enum.Enum):
    gsadf = "gsadf"
    lppls = "lppls"
    both = "both"


def _cache_store():
    """The user store, opened for writing so simulated critical values are cached in it."""
    from dollarliq.store import default_store_path, open_store

    return open_store(default_store_path(), for_write=True)


@bubble_app.command("test")
@handle_errors
def bubble_test(
    ticker: str = typer.Argument(..., help="A price series id, e.g. NVDA, QQQ, SPY."),
    as_of: str = typer.Option(None, "--as-of", help="Use only prices public on this date."),
    method: Method = typer.Option(Method.both, "--method", help="gsadf, lppls or both."),
    window: int = typer.Option(504, "--window", help="Last N daily closes tested (GSADF)."),
    lag: int = typer.Option(0, "--lag", help="ADF lag."),
    reps: int = typer.Option(999, "--reps", help="Monte Carlo replications (cached)."),
    fmt: Fmt = typer.Option(Fmt.text, "--format", help="text or json."),
) -> None:
    """GSADF (with date-stamped episodes) and the LPPLS confidence indicator for one series.

    Example:
        dollarliq bubble test NVDA --as-of 2024-06-28
        dollarliq bubble test QQQ --method gsadf --format json
    """
    from dollarliq.bubbles.scan import store_cache, analyse_series
    from dollarliq.frame import load_series

    d = parse_dates(as_of=as_of)
    methods = ("gsadf", "lppls") if method is Method.both else (method.value,)
    with _cache_store() as store:
        prices = load_series(store, ticker, as_of=d["as_of"])
        res = analyse_series(prices, window=window, lag=lag, reps=reps, methods=methods,
                          cache=store_cache(store))
    res["as_of"] = None if d["as_of"] is None else f"{d['as_of']:%Y-%m-%d}"
    if fmt is Fmt.json:
        sys.stdout.write(json.dumps(res, indent=1, default=str) + "\n")
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
    out: Path = typer.Option(None, "--out", help="Write the results to FILE.csv or FILE.json."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Bubble tests over many names and windows on Dask; results to the store and a file.

    Example:
        dollarliq bubble scan --tickers NVDA,AVGO,MSFT,QQQ --windows 252,504
        dollarliq bubble scan --universe megacaps.txt --method lppls --scheduler tcp://10.0.0.5:8786
    """
    import pandas as pd
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq.bubbles.scan import connect, read_universe, run_scan, store_cache
    from dollarliq.errors import UsageError
    from dollarliq.frame import load_series

    if method is Method.both:
        raise UsageError("--method: choose gsadf or lppls for a scan")
    if bool(tickers) == bool(universe):
        raise UsageError("give --tickers or --universe (one of them)")
    ids = [x.strip() for x in tickers.split(",") if x.strip()] if tickers else \
        read_universe(universe)
    try:
        wins = [int(x) for x in windows.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"--windows {windows!r}: whole numbers, e.g. 252,504") from None
    d = parse_dates(as_of=as_of)
    quiet = is_quiet(quiet)
    with _cache_store() as store:
        prices = {i: load_series(store, i, as_of=d["as_of"]) for i in ids}
        client = connect(scheduler, workers)
        try:
            with Progress(TextColumn("scan"), BarColumn(), MofNCompleteColumn(),
                          console=console, disable=quiet, transient=True) as bar:
                task = bar.add_task("scan", total=len(ids) * len(wins))
                df = run_scan(prices, windows=wins, method=method.value, client=client,
                              cache=store_cache(store), reps=reps,
                              progress=lambda i, n: bar.update(task, completed=i))
        finally:
            client.close()
        stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        key = f"{method.value}:{d['as_of'] or 'latest'}:{stamp}"
        store.cache_put("bubble_scan", key, df.to_json(orient="records").encode())
    if out is not None:
        if out.suffix.lower() == ".json":
            out.write_text(df.to_json(orient="records", indent=1), encoding="utf-8")
        else:
            df.drop(columns=[c for c in ("last_episode",) if c in df]).to_csv(out, index=False)
    cols = [c for c in ("series", "window_obs", "start", "end", "gsadf", "gsadf_cv95",
                        "explosive_95", "explosive_now", "episodes", "bubble_confidence",
                        "negative_bubble_confidence", "qualified_share", "status")
            if c in df]
    console.print(df[cols].to_string(index=False))
    if out is not None:
        console.print(f"wrote {out}; saved in the store as bubble_scan/{key}")
