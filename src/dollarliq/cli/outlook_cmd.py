"""``dollarliq outlook``: the drain calendar and the defence lines' runway."""

from __future__ import annotations

import enum
import sys

import typer

from dollarliq.cli._common import Lang, app, console, handle_errors, parse_dates


class OutlookFmt(str, enum.Enum):
    text = "text"
    json = "json"
    csv = "csv"


@app.command("outlook")
@handle_errors
def outlook(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    days: int = typer.Option(20, "--days", help="Business days in the calendar (1-130)."),
    fmt: OutlookFmt = typer.Option(OutlookFmt.text, "--format", help="text, json or csv."),
    lang: Lang = typer.Option(None, "--lang", help="en or zh (default: DOLLARLIQ_LANG or en)."),
) -> None:
    """The next business days' auction settlements, maturities, tax dates and period ends,
    the TGA against the Treasury's end-of-quarter target, and the runway of each defence
    line (arithmetic on the current pace, not a forecast).

    Example:
        dollarliq outlook --as-of 2026-01-15
        dollarliq outlook --days 40 --format json
    """
    from dollarliq import api
    from dollarliq.messages import lang_from_env

    d = parse_dates(as_of=as_of)
    language = lang_from_env(lang.value if lang else None)
    o = api.outlook(as_of=d["as_of"], days=days, lang=language)
    if fmt is OutlookFmt.json:
        sys.stdout.write(o.to_json() + "\n")
    elif fmt is OutlookFmt.csv:
        sys.stdout.write(o.to_csv())
    else:
        from dollarliq.reports.outlook import renderables

        for r in renderables(o.doc):
            console.print(r, highlight=False)
