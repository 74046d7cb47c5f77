"""``dollarliq backtest``: the track record of the stages, replayed point-in-time."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from dollarliq.cli._common import json_text
from dollarliq.cli._common import (app, check_out, console, handle_errors, parse_dates,
                                   write_frame, write_out)


class BacktestFmt(str, enum.Enum):
    text = "text"
    json = "json"
    html = "html"
    markdown = "markdown"
    csv = "csv"
    parquet = "parquet"


@app.command("backtest")
@handle_errors
def backtest(
    start: str = typer.Option(None, "--start", help="First business day, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last business day (the replay's as-of date)."),
    fmt: BacktestFmt = typer.Option(BacktestFmt.text, "--format",
                                    help="text, json, html, markdown, or the per-day "
                                         "replay as csv or parquet."),
    out: Path = typer.Option(None, "--out", help="Write to this file instead of stdout."),
    episodes: Path = typer.Option(None, "--episodes", help="Another episodes file (CSV)."),
    rules: str = typer.Option(None, "--rules", help="Another stage rules file (TOML)."),
) -> None:
    """The track record: stages and stress score against episodes, indices and markets.

    Every business day is replayed point-in-time (the engine of report --as-of), then scored
    against sourced stress episodes (hit rate, lead/lag, false alarms), the St. Louis Fed and
    Chicago Fed stress indices, and forward S&P 500 / Nasdaq-100 returns by stage.

    Example:
        dollarliq backtest
        dollarliq backtest --format html --out track-record.html
        dollarliq backtest --format markdown --out docs/track-record.md
    """
    from dollarliq import api
    from dollarliq.errors import UsageError

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        raise UsageError(f"--end {d['end']} is before --start {d['start']}")
    if fmt is BacktestFmt.parquet and out is None:
        raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
    check_out(out)
    tr = api.backtest(d["start"], d["end"], episodes=episodes, rules=rules)
    if fmt in (BacktestFmt.csv, BacktestFmt.parquet):
        table = tr.to_frame()
        if fmt is BacktestFmt.csv:
            table.index = table.index.strftime("%Y-%m-%d")
        table.index.name = "date"
        write_frame(table, fmt.value, out)
        return
    if fmt is BacktestFmt.text:
        from dollarliq.reports.track_record import render_terminal

        if out is not None:
            import io

            from rich.console import Console

            buf = io.StringIO()
            c = Console(file=buf, width=160, no_color=True, highlight=False)
            for part in render_terminal(tr.result):
                c.print(part)
            write_out(out, buf.getvalue())
            return
        for part in render_terminal(tr.result):
            console.print(part)
        return
    if fmt is BacktestFmt.json:
        text = json_text(tr.to_dict())
    elif fmt is BacktestFmt.markdown:
        args = ["dollarliq backtest"] + [f"--{k} {v}" for k, v in
                                         (("start", start), ("end", end)) if v]
        args += ["--format markdown"] + ([f"--out {out.as_posix()}"] if out else [])
        text = tr.to_markdown(command=" ".join(args))
    else:
        text = tr.to_html()
    if out is not None:
        write_out(out, text)
    else:
        sys.stdout.write(text)
