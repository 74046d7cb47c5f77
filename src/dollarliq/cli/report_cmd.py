"""``dollarliq report``: the liquidity picture on a date."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table

from dollarliq.cli._common import app, console, fmt_value, handle_errors, parse_dates

CORE = ["WALCL", "WRESBAL", "TGA_DTS", "WTREGEN", "RRPONTSYD", "SOFR", "IORB", "IOER", "EFFR"]


@app.command("report")
@handle_errors
def report(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """The latest value of each core liquidity series, as known on a date.

    Example:
        dollarliq report --as-of 2025-10-31
    """
    from dollarliq.catalog import get_spec
    from dollarliq.frame import load_long
    from dollarliq.store import open_store

    if fmt not in ("text", "json"):
        from dollarliq.errors import UsageError

        raise UsageError(f"--format {fmt!r}: choose text or json")
    d = parse_dates(as_of=as_of)
    with open_store() as store:
        long = load_long(store, CORE, as_of=d["as_of"]).dropna(subset=["value"])
    last = long.sort_values("obs_date").groupby("series_id").tail(1).set_index("series_id")
    rows = []
    for sid in CORE:
        if sid not in last.index:
            continue
        spec, r = get_spec(sid), last.loc[sid]
        rows.append({"id": sid, "name": spec.name_en, "value": float(r.value),
                     "unit": spec.unit, "date": f"{r.obs_date:%Y-%m-%d}",
                     "released": f"{r.as_of:%Y-%m-%d}"})
    if any(r["id"] == "IORB" for r in rows):
        rows = [r for r in rows if r["id"] != "IOER"]
    data_end = max(r["date"] for r in rows) if rows else None
    floor = next((r for r in rows if r["id"] in ("IORB", "IOER")), None)
    sofr = next((r for r in rows if r["id"] == "SOFR"), None)
    spread = None
    if floor and sofr:
        fl = long[(long.series_id == floor["id"]) & (long.obs_date <= sofr["date"])]
        spread = round((sofr["value"] - float(fl["value"].iloc[-1])) * 100, 1)
    if fmt == "json":
        out = {"as_of": None if d["as_of"] is None else f"{d['as_of']:%Y-%m-%d}",
               "data_end": data_end, "series": rows, "sofr_minus_floor_bp": spread,
               "notice": "Not investment advice."}
        sys.stdout.write(json.dumps(out, indent=1) + "\n")
        return
    t = Table(title="dollarliq: core liquidity series")
    for c in ("series", "value", "unit", "date", "released"):
        t.add_column(c, justify="right" if c == "value" else "left")
    for r in rows:
        t.add_row(f"{r['id']}  {r['name']}", fmt_value(r["value"], r["unit"]), r["unit"],
                  r["date"], r["released"])
    console.print(t)
    if spread is not None:
        console.print(f"SOFR - {floor['id']}: {spread:+.0f} bp ({sofr['date']})")
    as_of_txt = f"as known on {d['as_of']:%Y-%m-%d}; " if d["as_of"] is not None else ""
    console.print(f"{as_of_txt}data end {data_end}. Not investment advice.")
