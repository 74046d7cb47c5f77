"""``dollarliq backtest``: the track record of the stages, replayed point-in-time."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path

import typer

from dollarliq.cli._common import app, console, handle_errors, parse_dates


class BacktestFmt(str, enum.Enum):
    text = "text"
    json = "json"
    html = "html"
    markdown = "markdown"


@app.command("backtest")
@handle_errors
def backtest(
    start: str = typer.Option(None, "--start", help="First business day, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last business day (the replay's as-of date)."),
    fmt: BacktestFmt = typer.Option(BacktestFmt.text, "--format",
                                    help="text, json, html or markdown."),
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
    from dollarliq.backtest import load_episodes, run_backtest, to_dict
    from dollarliq.errors import UsageError
    from dollarliq.stages import load_rules
    from dollarliq.store import open_store

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        raise UsageError(f"--end {d['end']} is before --start {d['start']}")
    eps = load_episodes(episodes) if episodes else None
    with open_store() as store:
        res = run_backtest(store, start=d["start"], end=d["end"], episodes=eps,
                           rules=load_rules(rules) if rules else None)
    if fmt is BacktestFmt.text:
        from dollarliq.reports.track_record import render_terminal

        if out is not None:
            from rich.console import Console

            with out.open("w", encoding="utf-8") as fh:
                c = Console(file=fh, width=160, no_color=True, highlight=False)
                for part in render_terminal(res):
                    c.print(part)
            return
        for part in render_terminal(res):
            console.print(part)
        return
    if fmt is BacktestFmt.json:
        text = json.dumps(to_dict(res), ensure_ascii=False, indent=1) + "\n"
    elif fmt is BacktestFmt.markdown:
        from dollarliq.reports.track_record import render_markdown

        args = ["dollarliq backtest"] + [f"--{k} {v}" for k, v in
                                         (("start", start), ("end", end)) if v]
        args += ["--format markdown"] + ([f"--out {out.as_posix()}"] if out else [])
        text = render_markdown(res, command=" ".join(args))
    else:
        from dollarliq.reports.track_record import html_page

        text = html_page(res)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
