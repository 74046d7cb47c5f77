"""``dollarliq series list|show``."""

from __future__ import annotations

import enum
import json
import sys

import typer
from rich.table import Table

from dollarliq.cli._common import (console, err_console, fmt_value, handle_errors,
                                   parse_dates, series_app)


class Fmt(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


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
    from dollarliq.catalog import all_specs
    from dollarliq.store import open_store

    with open_store() as store:
        cov = store.coverage()
    rows = []
    for s in all_specs():
        if source and s.source != source:
            continue
        c = cov.get(s.id)
        rows.append({
            "id": s.id, "source": s.source, "name": s.name_en, "name_zh": s.name_zh,
            "unit": s.unit, "native_unit": s.native_unit, "freq": s.freq,
            "observation": s.obs_convention, "release": s.release.describe(),
            "first": c.first_obs.strftime("%Y-%m-%d") if c else None,
            "last": c.last_obs.strftime("%Y-%m-%d") if c else None,
        })
    if source in (None, "derived"):
        from dollarliq.indicator_catalog import INDICATORS

        for ind in INDICATORS.values():
            rows.append({
                "id": ind.id, "source": "derived", "name": ind.name_en, "name_zh": ind.name_zh,
                "unit": ind.unit, "native_unit": ind.unit,
                "freq": "D" if ind.level == "daily" else "obs",
                "observation": "business day (as known that day)" if ind.level == "daily"
                else "observation date of its inputs",
                "release": "when its latest input is released",
                "first": None, "last": None, "inputs": list(ind.inputs)})
    if fmt is Fmt.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is Fmt.csv:
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"],
                           extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        return
    t = Table(title="dollarliq series (more columns: --format json)", show_lines=False)
    for col in ("id", "source", "unit", "last"):
        t.add_column(col, no_wrap=True)
    t.add_column("name", min_width=20, overflow="fold")
    for r in rows:
        last = r["last"] or ("(computed)" if r["source"] == "derived" else "(update)")
        t.add_row(r["id"], r["source"], r["unit"], last, r["name"])
    console.print(t)


class _IndicatorView:
    """The few attributes of a SeriesSpec that ``series show`` prints, for an indicator."""

    def __init__(self, id: str, name_en: str, name_zh: str, unit: str, source: str) -> None:
        self.id, self.name_en, self.name_zh, self.unit, self.source = (
            id, name_en, name_zh, unit, source)

    @property
    def unit_name(self) -> str:
        from dollarliq.catalog import UNIT_NAMES

        return UNIT_NAMES.get(self.unit, (self.unit,))[0]


def _indicator_rows(store, ind_id: str, d: dict) -> list[tuple]:
    """(id, date, value, released) rows of a derived series as known on ``d['as_of']``."""
    import math

    import pandas as pd

    from dollarliq.engine import run_engine
    from dollarliq.errors import UsageError
    from dollarliq.indicator_catalog import INDICATORS

    if d["start"] is not None and d["end"] is not None and d["end"] < d["start"]:
        from dollarliq.messages import lang_from_env, t

        raise UsageError(t("error.end_before_start", lang_from_env(), end=d["end"],
                           start=d["start"]))
    res = run_engine(store, as_of=d["as_of"])
    lo = pd.Timestamp(d["start"]) if d["start"] is not None else res.data_start
    hi = pd.Timestamp(d["end"]) if d["end"] is not None else res.as_of
    if INDICATORS[ind_id].level == "obs":
        o = res.panel.obs[ind_id]
        o = o[(o.index >= lo) & (o.index <= hi)]
        return [(ind_id, i.date(), float(v), pd.Timestamp(r).date())
                for i, v, r in zip(o.index, o["value"], o["release"])]
    x = res.panel.daily[ind_id]
    x = x[(x.index >= lo) & (x.index <= hi)]
    return [(ind_id, i.date(), None if math.isnan(v) else float(v), i.date())
            for i, v in x.items()]


@series_app.command("show")
@handle_errors
def series_show(
    series_id: str = typer.Argument(..., help="Series or indicator id, e.g. SOFR, WALCL, "
                                    "net_liquidity_usd_bn."),
    start: str = typer.Option(None, "--start", help="First observation date, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last observation date, YYYY-MM-DD."),
    as_of: str = typer.Option(None, "--as-of",
                              help="Show only what was public on this date, YYYY-MM-DD."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", help="table, csv or json."),
    last: int = typer.Option(30, "--last", help="Rows shown in a table without --start."),
) -> None:
    """Show one series as it was known on a date (point-in-time), in stored units.

    Example:
        dollarliq series show SOFR --start 2025-10-29 --end 2025-11-04
        dollarliq series show WALCL --as-of 2025-10-29 --format csv
    """
    from dollarliq.catalog import get_spec
    from dollarliq.frame import check_query
    from dollarliq.store import open_store

    d = parse_dates(start=start, end=end, as_of=as_of)
    from dollarliq.indicator_catalog import INDICATORS

    if series_id.lower() in INDICATORS:
        ind = INDICATORS[series_id.lower()]
        with open_store() as store:
            rows = _indicator_rows(store, ind.id, d)
        spec = _IndicatorView(ind.id, ind.name_en, ind.name_zh, ind.unit, "derived")
    else:
        spec = get_spec(series_id)
        with open_store() as store:
            check_query(store, [spec.id], **d)
            rows = store.query_records([spec.id], **d)
    known = [r for r in rows if r[2] is not None]
    data_end = known[-1][1] if known else None
    end_txt = f"{data_end:%Y-%m-%d}" if data_end is not None else "no data"
    if fmt is Fmt.json:
        out = {
            "series": spec.id, "name": spec.name_en, "name_zh": spec.name_zh,
            "unit": spec.unit, "source": spec.source,
            "as_of": f"{d['as_of']:%Y-%m-%d}" if d["as_of"] is not None else None,
            "data_end": None if data_end is None else end_txt,
            "observations": [{"date": f"{o:%Y-%m-%d}", "value": v, "released": f"{a:%Y-%m-%d}"}
                             for _, o, v, a in rows],
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is Fmt.csv:
        col = spec.id if spec.id.endswith(spec.unit) else f"{spec.id}_{spec.unit}"
        sys.stdout.write(f"date,{col},released\n")
        for _, o, v, a in rows:
            sys.stdout.write(f"{o:%Y-%m-%d},{'' if v is None else repr(float(v))},{a:%Y-%m-%d}\n")
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
