"""``dollarliq report`` and ``dollarliq stages``."""

from __future__ import annotations

import enum
import json
import sys

import typer

from dollarliq.cli._common import Lang, app, console, handle_errors, parse_dates
from dollarliq.cli._common import TextOrJson as ReportFmt


class StagesFmt(str, enum.Enum):
    csv = "csv"
    json = "json"


@app.command("report")
@handle_errors
def report(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    fmt: ReportFmt = typer.Option(ReportFmt.text, "--format", help="text or json."),
    lang: Lang = typer.Option(None, "--lang", help="en or zh (default: DOLLARLIQ_LANG or en)."),
    rules: str = typer.Option(None, "--rules", help="Another stage rules file (TOML)."),
) -> None:
    """The liquidity stage, stress score, indicators, evidence and records on a date.

    Example:
        dollarliq report --as-of 2025-11-03
        dollarliq report --format json --lang zh
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


@app.command("stages")
@handle_errors
def stages(
    start: str = typer.Option(None, "--start", help="First business day, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last business day, YYYY-MM-DD."),
    fmt: StagesFmt = typer.Option(StagesFmt.csv, "--format", help="csv or json."),
    rules: str = typer.Option(None, "--rules", help="Another stage rules file (TOML)."),
) -> None:
    """The stage and stress score for each business day, point-in-time.

    Each day uses only the data public on that day (the same engine as report --as-of).

    Example:
        dollarliq stages --start 2019-09-01 --end 2019-09-30
    """
    import pandas as pd

    from dollarliq.engine import run_engine
    from dollarliq.errors import UsageError
    from dollarliq.stages import load_rules
    from dollarliq.store import open_store

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        from dollarliq.messages import lang_from_env, t

        raise UsageError(t("error.end_before_start", lang_from_env(), end=d["end"],
                           start=d["start"]))
    with open_store() as store:
        res = run_engine(store, as_of=d["end"], rules=load_rules(rules) if rules else None)
    tab = res.stages.table
    if d["start"] is not None:
        if pd.Timestamp(d["start"]) < res.data_start:
            raise UsageError(f"--start {d['start']} is before the data begin "
                             f"({res.data_start:%Y-%m-%d})")
        tab = tab[tab.index >= pd.Timestamp(d["start"])]
    rows = [{"date": f"{i:%Y-%m-%d}", "level": int(r.level), "name": r.name,
             "name_zh": r.name_zh, "score": round(float(r.score), 1),
             "raw_level": int(r.raw_level)} for i, r in zip(tab.index, tab.itertuples())]
    if fmt is StagesFmt.json:
        sys.stdout.write(json.dumps({"as_of": f"{res.as_of:%Y-%m-%d}", "rules": res.rules.source,
                                     "days": rows}, ensure_ascii=False) + "\n")
        return
    sys.stdout.write("date,level,name,score,raw_level\n")
    for r in rows:
        sys.stdout.write(f"{r['date']},{r['level']},{r['name']},{r['score']},{r['raw_level']}\n")
