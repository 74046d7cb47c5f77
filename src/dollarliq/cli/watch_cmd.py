"""``dollarliq watch``: update and report on a schedule; alert on a stage change or a record."""

from __future__ import annotations

import time
from collections.abc import Callable

import typer

from dollarliq.cli._common import app, console, is_quiet, err_console, handle_errors
from dollarliq.cli._common import Lang


def run_cycle(*, urls: list[str], sources: list[str] | None, series: list[str] | None,
              lang: str, record_years: float, quiet: bool, log: Callable[[str], None]):
    """One cycle of :func:`dollarliq.api.watch_cycle` under a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dollarliq import api
    from dollarliq.messages import t

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task(t("watch.cycle", lang), total=None)
        cyc = api.watch_cycle(urls=urls, sources=sources, series=series, lang=lang,
                              record_years=record_years,
                              on_plan=lambda n: bar.update(task, total=n + 1),
                              progress=lambda spec: bar.update(
                                  task, advance=1, description=f"{spec.source}: {spec.id}"),
                              on_update_error=lambda e: log(
                                  t("watch.update_failed", lang, error=e)))
    return cyc.report.doc, cyc.events


@app.command("watch")
@handle_errors
def watch(
    every: str = typer.Option("1h", "--every", help="Time between checks: 90s, 30m, 1h, 1d."),
    notify_urls: list[str] = typer.Option(None, "--notify",
                                          help="An apprise URL (repeatable): mailto://, "
                                               "slack://, tgram://, ntfy://, json://host/path."),
    once: bool = typer.Option(False, "--once", help="Run one cycle and exit."),
    source: list[str] = typer.Option(None, "--source",
                                     help="Update only these sources (repeatable)."),
    series: list[str] = typer.Option(None, "--series", help="Update only these series."),
    record_years: float = typer.Option(5.0, "--record-years",
                                       help="A record alerts when it is the most extreme "
                                            "value in more than this many years."),
    lang: Lang = typer.Option(None, "--lang", help="en or zh (default: DOLLARLIQ_LANG or en)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar, no summary lines."),
) -> None:
    """Run update and report on a schedule; notify on a stage change or a new record.

    The state (last stage, records already notified) lives in the store, so a restart does
    not alert twice. A failing update is logged in one line and the check goes on with the
    data in the store. Without --notify the alerts are printed only.

    Example:
        dollarliq watch --every 1h --notify ntfy://ntfy.sh/my-topic
        dollarliq watch --once --notify json://127.0.0.1:8080/hook
    """
    from dollarliq.api import check_watch_args
    from dollarliq.errors import DollarliqError
    from dollarliq.messages import days_ago, lang_from_env, score_text, t
    from dollarliq.watch import parse_every

    quiet = is_quiet(quiet)
    seconds = parse_every(every)
    check_watch_args(source, series, record_years)
    language = lang_from_env(lang.value if lang else None)

    def log(line: str) -> None:
        err_console.print(f"watch: {line}", markup=False)

    while True:
        try:
            doc, events = run_cycle(urls=list(notify_urls or []), sources=source or None,
                                    series=series or None, lang=language,
                                    record_years=record_years, quiet=quiet, log=log)
        except DollarliqError as exc:
            if once:
                raise
            log(t("watch.cycle_failed", language, error=" ".join(str(exc).split())))
        else:
            if not quiet:
                st = doc["stage"]
                console.print(t("watch.summary", language, date=doc["date"], level=st["level"],
                                name=st["name_zh"] if language == "zh" else st["name"],
                                score=score_text(doc["score"]["value"], language),
                                data_end=doc["data_end"],
                                ago=days_ago(doc.get("data_age_days"), language), n=len(events),
                                sent=t("watch.sent" if notify_urls else "watch.not_sent",
                                       language)), markup=False, soft_wrap=True)
                if not notify_urls:
                    for e in events:
                        console.print(f"  {e.title}: {e.body}", markup=False, soft_wrap=True)
        if once:
            return
        if not quiet:
            console.print(t("watch.next", language, every=every), style="dim", markup=False)
        time.sleep(seconds)
