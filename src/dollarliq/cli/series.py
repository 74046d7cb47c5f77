"""``dollarliq series list|show``."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer
from rich.table import Table

from dollarliq.cli._common import json_text
from dollarliq.cli._common import (check_out, console, err_console, fmt_value,
                                   handle_errors, parse_dates, series_app, write_frame,
                                   write_out)


class Fmt(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


@series_app.command("list")
@handle_errors
def series_list(
    source: str = typer.Option(None, "--source", help="Only series from this source."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", help="table, csv or json."),
) -> None:
    """List every series: id, source, unit, frequency, release lag, coverage.

    Example:
        dollarliq series list --source fred
    """
    from dollarliq import api
    from dollarliq.errors import UsageError

    if fmt is Fmt.parquet:
        raise UsageError("series list: --format table, csv or json")
    rows = api.series_list(source)
    if fmt is Fmt.json:
        sys.stdout.write(json_text(rows))
        return
    if fmt is Fmt.csv:
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"],
                           extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        return
    from dollarliq.reports.layout import Col, FitTable

    console.print(FitTable(
        [Col("id", no_wrap=True), "source", "unit", Col("last", no_wrap=True), "name"],
        [(r["id"], r["source"], r["unit"],
          r["last"] or ("(computed)" if r["source"] == "derived" else "(update)"), r["name"])
         for r in rows],
        title="dollarliq series (more columns: --format json)"))


class _IndicatorView:
    """The few attributes of a SeriesSpec that ``series show`` prints, for an indicator."""

    def __init__(self, id: str, name_en: str, name_zh: str, unit: str, source: str) -> None:
        self.id, self.name_en, self.name_zh, self.unit, self.source = (
            id, name_en, name_zh, unit, source)

    @property
    def unit_name(self) -> str:
        from dollarliq.catalog import UNIT_NAMES

        return UNIT_NAMES.get(self.unit, (self.unit,))[0]


@series_app.command("show")
@handle_errors
def series_show(
    series_id: str = typer.Argument(..., help="Series or indicator id, e.g. SOFR, WALCL, "
                                    "net_liquidity_usd_bn."),
    start: str = typer.Option(None, "--start", help="First observation date, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last observation date, YYYY-MM-DD."),
    as_of: str = typer.Option(None, "--as-of",
                              help="Show only what was public on this date, YYYY-MM-DD."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", help="table, csv, json or parquet."),
    last: int = typer.Option(30, "--last", help="Rows shown in a table without --start."),
    out: Path = typer.Option(None, "--out", help="Write csv, json or parquet to this file."),
) -> None:
    """Show one series as it was known on a date (point-in-time), in stored units.

    Example:
        dollarliq series show SOFR --start 2025-10-29 --end 2025-11-04
        dollarliq series show WALCL --as-of 2025-10-29 --format csv
        dollarliq series show SOFR --format parquet --out sofr.parquet
    """
    from dollarliq.catalog import get_spec
    from dollarliq.errors import UsageError
    from dollarliq.frame import check_query
    from dollarliq.store import open_store

    if last < 1:
        raise UsageError(f"--last {last}: the number of rows shown, at least 1")
    if fmt is Fmt.parquet and out is None:
        raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
    if out is not None and fmt is Fmt.table:
        raise UsageError("--out writes csv, json or parquet: add --format csv|json|parquet")
    check_out(out)
    d = parse_dates(start=start, end=end, as_of=as_of)
    from dollarliq.indicator_catalog import INDICATORS

    if series_id.lower() in INDICATORS:
        from dollarliq import api

        ind = INDICATORS[series_id.lower()]
        x = api.series(ind.id, d["start"], d["end"], as_of=d["as_of"])
        rel = x.attrs["released"]
        rows = [(ind.id, i.date(), None if v != v else float(v), r.date())
                for (i, v), r in zip(x.items(), rel)]
        spec = _IndicatorView(ind.id, ind.name_en, ind.name_zh, ind.unit, "derived")
    else:
        spec = get_spec(series_id)
        with open_store() as store:
            check_query(store, [spec.id], **d)
            rows = store.query_records([spec.id], **d)
    if fmt is Fmt.parquet:  # the rows of the csv and json formats, as a typed table
        import pandas as pd

        df = pd.DataFrame({spec.id: [None if v is None else float(v) for _, _, v, _ in rows],
                           "released": pd.to_datetime([a for _, _, _, a in rows])},
                          index=pd.DatetimeIndex([o for _, o, _, _ in rows], name="date"))
        write_frame(df, "parquet", out, note=f"{spec.id}: {len(df)} rows written to {out}")
        return
    known = [r for r in rows if r[2] is not None]
    data_end = known[-1][1] if known else None
    end_txt = f"{data_end:%Y-%m-%d}" if data_end is not None else "no data"
    if fmt is Fmt.json:
        doc = {
            "series": spec.id, "name": spec.name_en, "name_zh": spec.name_zh,
            "unit": spec.unit, "source": spec.source,
            "as_of": f"{d['as_of']:%Y-%m-%d}" if d["as_of"] is not None else None,
            "data_end": None if data_end is None else end_txt,
            "observations": [{"date": f"{o:%Y-%m-%d}", "value": v, "released": f"{a:%Y-%m-%d}"}
                             for _, o, v, a in rows],
        }
        text = json_text(doc)
        sys.stdout.write(text) if out is None else write_out(out, text)
        return
    if fmt is Fmt.csv:
        col = spec.id if spec.id.endswith(spec.unit) else f"{spec.id}_{spec.unit}"
        lines = [f"date,{col},released\n"]
        from dollarliq.reports.style import csv_number

        lines += [f"{o:%Y-%m-%d},{csv_number(v)},{a:%Y-%m-%d}\n" for _, o, v, a in rows]
        sys.stdout.write("".join(lines)) if out is None else write_out(out, "".join(lines))
        err_console.print(f"{spec.id}: data end {end_txt}", markup=False)
        return
    shown = rows if d["start"] is not None else rows[-last:]
    title = f"{spec.id}: {spec.name_en} ({spec.unit_name})"
    t = Table(title=title)
    t.add_column("date")
    t.add_column(spec.unit, justify="right")
    t.add_column("released")
    for _, o, v, a in shown:
        t.add_row(f"{o:%Y-%m-%d}", fmt_value(v, spec.unit), f"{a:%Y-%m-%d}")
    console.print(t)
    as_of_txt = f", as known on {d['as_of']:%Y-%m-%d}" if d["as_of"] is not None else ""
    console.print(f"data end {end_txt}{as_of_txt}; source {spec.source}")
