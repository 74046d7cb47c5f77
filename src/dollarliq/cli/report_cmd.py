"""``dollarliq report`` and ``dollarliq stages``."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from dollarliq.cli._common import json_text
from dollarliq.cli._common import (Lang, app, check_out, console, handle_errors, parse_dates,
                                   write_frame, write_out)
from dollarliq.cli._common import TextOrJson as ReportFmt


class StagesFmt(str, enum.Enum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


@app.command("report")
@handle_errors
def report(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    fmt: ReportFmt = typer.Option(ReportFmt.text, "--format", help="text or json."),
    lang: Lang = typer.Option(None, "--lang", help="en or zh (default: DOLLARLIQ_LANG or en)."),
    rules: str = typer.Option(None, "--rules", help="Another stage rules file (TOML)."),
    history: bool = typer.Option(False, "--history",
                                 help="Today against 2003-2026 in full: each reading's "
                                      "percentile and the closest past days with what "
                                      "followed (the default page shows the short form; the "
                                      "JSON always carries it)."),
) -> None:
    """The liquidity stage, stress score, indicators, evidence and records on a date.

    Example:
        dollarliq report --as-of 2025-11-03
        dollarliq report --format json --lang zh
        dollarliq report --history
    """
    from dollarliq import api
    from dollarliq.messages import lang_from_env

    d = parse_dates(as_of=as_of)
    language = lang_from_env(lang.value if lang else None)
    r = api.report(as_of=d["as_of"], lang=language, rules=rules)
    if fmt is ReportFmt.json:
        sys.stdout.write(r.to_json() + "\n")
        return
    from dollarliq.reports.terminal import render

    console.print(render(r.doc, sparks=r.sparks, width=console.width))
    ctx = r.doc.get("history")
    if ctx is not None:
        from dollarliq.reports.history import history_lines, short_lines

        for line in (history_lines if history else short_lines)(ctx, language):
            console.print(line, highlight=False, markup=False)


@app.command("stages")
@handle_errors
def stages(
    start: str = typer.Option(None, "--start", help="First business day, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last business day, YYYY-MM-DD."),
    fmt: StagesFmt = typer.Option(StagesFmt.csv, "--format", help="csv, json or parquet."),
    out: Path = typer.Option(None, "--out", help="Write to this file instead of stdout "
                                                 "(needed for parquet)."),
    rules: str = typer.Option(None, "--rules", help="Another stage rules file (TOML)."),
) -> None:
    """The stage and stress score for each business day, point-in-time.

    Each day uses only the data public on that day (the same engine as report --as-of).

    Example:
        dollarliq stages --start 2019-09-01 --end 2019-09-30
        dollarliq stages --format parquet --out stages.parquet
    """
    from dollarliq import api
    from dollarliq.errors import UsageError

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        from dollarliq.messages import lang_from_env, t

        raise UsageError(t("error.end_before_start", lang_from_env(), end=d["end"],
                           start=d["start"]))
    if fmt is StagesFmt.parquet and out is None:
        raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
    check_out(out)
    tab = api.stages(d["start"], d["end"], rules=rules)
    if fmt is StagesFmt.json:
        from dollarliq.reports.documents import stages_document

        text = json_text(stages_document(tab), indent=None)
        if out is None:
            sys.stdout.write(text)
        else:
            write_out(out, text)
        return
    table = tab[["level", "name", "score", "raw_level", "held", "held_by", "regime"]].copy()
    table.index = table.index.strftime("%Y-%m-%d")
    table["held"] = table["held"].astype(int)
    table.index.name = "date"
    write_frame(table if fmt is StagesFmt.csv else tab, fmt.value, out)
