"""``dollarliq dashboard``: the report as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import typer

from dollarliq.cli._common import (app, check_out, console, handle_errors, is_quiet,
                                   parse_dates, write_out)
from dollarliq.cli._common import Lang


@app.command("dashboard")
@handle_errors
def dashboard(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    out: Path = typer.Option(None, "--out",
                             help="The HTML file to write (default: dollarliq-DATE.html)."),
    lang: Lang = typer.Option(None, "--lang", help="en or zh (default: DOLLARLIQ_LANG or en)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar, no summary line."),
    track_record: bool = typer.Option(False, "--track-record",
                                      help="Add the backtest's track record (a few seconds more)."),
) -> None:
    """Write the dashboard: one self-contained HTML file that opens offline.

    Stage banner and score, net liquidity and its parts, funding spreads with stage shading
    and calendar spikes, the reserve demand curve, the TGA drain, the ON RRP buffer,
    records and the tech-bubble gauges.

    Example:
        dollarliq dashboard --as-of 2025-10-31 --out liquidity.html
        dollarliq dashboard --lang zh
        dollarliq dashboard --track-record --out liquidity.html
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq import api
    from dollarliq.messages import lang_from_env, t

    quiet = is_quiet(quiet)
    d = parse_dates(as_of=as_of)
    check_out(out)  # before any work; a missing folder is not created
    language = lang_from_env(lang.value if lang else None)
    steps = ["engine", "gauges", "history", "render"]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task(t("dash.rendering", language), total=len(steps) + 1)

        def advance(name: str) -> None:
            done = steps.index(name)
            bar.update(task, completed=done,
                       description=f"{t('dash.rendering', language)}: {name}")

        page, rep = api.dashboard(d["as_of"], lang=language, progress=advance,
                                  track_record=track_record)
        target = out or Path(f"dollarliq-{rep.doc['as_of']}.html")
        check_out(target)
        bar.update(task, completed=len(steps) + 1)
    size = len(page.encode("utf-8"))
    write_out(target, page, quiet=quiet,
              note=t("dash.written", language, path=str(target), size=f"{size / 1e6:.1f} MB"))
