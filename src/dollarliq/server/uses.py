"""The use cases the server and the MCP tools answer, as JSON-ready documents.

This module is the one seam between ``serve``/``mcp`` and the use-case layer: each function
takes the request's plain arguments (ISO date strings, ids), calls the use case and returns
the same document the CLI prints with ``--format json`` (described by
``src/dollarliq/data/*.schema.json`` where a schema exists). Nothing here computes a stage,
a score or a gauge; bad input raises the library's own errors, with the CLI's messages.

Every function reads the user store (``$DOLLARLIQ_HOME``) read-only: no answer writes.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from dollarliq.cli._common import parse_dates  # the CLI's date parsing and its messages


def _store():
    from dollarliq.store import open_store

    return open_store()


def _lang(lang: str | None) -> str:
    from dollarliq.errors import UsageError
    from dollarliq.messages import LANGS, lang_from_env

    if lang is not None and lang not in LANGS:
        raise UsageError(f"--lang {lang!r}: choose {' or '.join(sorted(LANGS))}")
    return lang_from_env(lang)


def report(as_of: str | None = None, lang: str | None = None) -> dict[str, Any]:
    """The report document (``report.schema.json``) for ``as_of`` (the data's end if None)."""
    from dollarliq.bubbles.scan import report_section
    from dollarliq.engine import run_engine
    from dollarliq.gauges import gauges_section
    from dollarliq.reports.model import build_report

    d = parse_dates(as_of=as_of)
    language = _lang(lang)
    with _store() as store:
        res = run_engine(store, as_of=d["as_of"])
        doc = build_report(res, lang=language)
        doc["bubble"] = gauges_section(store, res.as_of)
        doc["bubble_tests"] = report_section(store, res.as_of)
    return doc


def stages(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """Stage and stress score per business day from ``start`` to ``end`` (point-in-time)."""
    import pandas as pd

    from dollarliq.engine import run_engine
    from dollarliq.errors import UsageError
    from dollarliq.messages import lang_from_env, t

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        raise UsageError(t("error.end_before_start", lang_from_env(), end=d["end"],
                           start=d["start"]))
    with _store() as store:
        res = run_engine(store, as_of=d["end"])
    tab = res.stages.table
    if d["start"] is not None:
        if pd.Timestamp(d["start"]) < res.data_start:
            raise UsageError(f"--start {d['start']} is before the data begin "
                             f"({res.data_start:%Y-%m-%d})")
        tab = tab[tab.index >= pd.Timestamp(d["start"])]
    rows = [{"date": f"{i:%Y-%m-%d}", "level": int(r.level), "name": r.name,
             "name_zh": r.name_zh, "score": round(float(r.score), 1),
             "raw_level": int(r.raw_level)} for i, r in zip(tab.index, tab.itertuples())]
    return {"as_of": f"{res.as_of:%Y-%m-%d}", "rules": res.rules.source, "days": rows}


def series(series_id: str, start: str | None = None, end: str | None = None,
           as_of: str | None = None) -> dict[str, Any]:
    """One series or derived indicator as known on ``as_of``, in stored units."""
    from dollarliq.catalog import get_spec
    from dollarliq.cli.series import _IndicatorView, _indicator_rows
    from dollarliq.frame import check_query
    from dollarliq.indicator_catalog import INDICATORS

    d = parse_dates(start=start, end=end, as_of=as_of)
    if series_id.lower() in INDICATORS:
        ind = INDICATORS[series_id.lower()]
        with _store() as store:
            rows = _indicator_rows(store, ind.id, d)
        spec = _IndicatorView(ind.id, ind.name_en, ind.name_zh, ind.unit, "derived")
    else:
        spec = get_spec(series_id)
        with _store() as store:
            check_query(store, [spec.id], **d)
            rows = store.query_records([spec.id], **d)
    known = [r for r in rows if r[2] is not None]
    return {
        "series": spec.id, "name": spec.name_en, "name_zh": spec.name_zh,
        "unit": spec.unit, "source": spec.source,
        "as_of": f"{d['as_of']:%Y-%m-%d}" if d["as_of"] is not None else None,
        "data_end": f"{known[-1][1]:%Y-%m-%d}" if known else None,
        "observations": [{"date": f"{o:%Y-%m-%d}", "value": v, "released": f"{a:%Y-%m-%d}"}
                         for _, o, v, a in rows],
    }


def series_csv(doc: dict[str, Any]) -> str:
    """The ``series show --format csv`` text of a :func:`series` document."""
    sid, unit = doc["series"], doc["unit"]
    col = sid if sid.endswith(unit) else f"{sid}_{unit}"
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", col, "released"])
    for o in doc["observations"]:
        v = o["value"]
        w.writerow([o["date"], "" if v is None else repr(float(v)), o["released"]])
    return out.getvalue()


def series_list(source: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
    """The catalog: every series and derived indicator with unit, release rule and coverage
    (first and last observation public on ``as_of``)."""
    from dollarliq.catalog import all_specs
    from dollarliq.indicator_catalog import INDICATORS

    d = parse_dates(as_of=as_of)
    with _store() as store:
        cov = store.coverage(as_of=d["as_of"])
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
        for ind in INDICATORS.values():
            rows.append({
                "id": ind.id, "source": "derived", "name": ind.name_en, "name_zh": ind.name_zh,
                "unit": ind.unit, "native_unit": ind.unit,
                "freq": "D" if ind.level == "daily" else "obs",
                "observation": "business day (as known that day)" if ind.level == "daily"
                else "observation date of its inputs",
                "release": "when its latest input is released",
                "first": None, "last": None, "inputs": list(ind.inputs)})
    return rows


def backtest(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """The track record (``backtest --format json``), replayed point-in-time up to ``end``."""
    from dollarliq.backtest import run_backtest, to_dict
    from dollarliq.errors import UsageError

    d = parse_dates(start=start, end=end)
    if d["start"] and d["end"] and d["end"] < d["start"]:
        raise UsageError(f"--end {d['end']} is before --start {d['start']}")
    with _store() as store:
        res = run_backtest(store, start=d["start"], end=d["end"])
    return to_dict(res)


def bubble_test(ticker: str, as_of: str | None = None) -> dict[str, Any]:
    """GSADF and the LPPLS confidence indicator for one price series, as known on ``as_of``."""
    from dollarliq.bubbles.scan import analyse_series, memory_cache
    from dollarliq.frame import load_series

    d = parse_dates(as_of=as_of)
    with _store() as store:
        prices = load_series(store, ticker, as_of=d["as_of"])
    res = analyse_series(prices, cache=memory_cache())
    res["as_of"] = None if d["as_of"] is None else f"{d['as_of']:%Y-%m-%d}"
    return res


def gauges(as_of: str | None = None) -> dict[str, Any]:
    """The tech-bubble gauges section (``gauges.schema.json``) as known on ``as_of``."""
    from dollarliq.gauges import gauges_section

    d = parse_dates(as_of=as_of)
    with _store() as store:
        return gauges_section(store, d["as_of"])


def dashboard(lang: str | None = None) -> str:
    """The dashboard page (the file ``dollarliq dashboard`` writes) on the latest data."""
    from dollarliq.cli.dashboard_cmd import build_dashboard

    language = _lang(lang)
    with _store() as store:
        page, _ = build_dashboard(store, None, language)
    return page


def health() -> dict[str, Any]:
    """Data end per source, the last update and each source's staleness (days, today UTC)."""
    import datetime as dt

    from dollarliq.catalog import all_specs
    from dollarliq.store import default_store_path

    today = dt.datetime.now(dt.timezone.utc).date()
    with _store() as store:
        cov = store.coverage()
        last = store.last_fetch()
    by_source: dict[str, dict[str, Any]] = {}
    for s in all_specs():
        c = cov.get(s.id)
        if c is None:
            continue
        e = by_source.setdefault(s.source, {"data_end": c.last_obs, "last_release": c.last_as_of,
                                            "series": 0})
        e["data_end"] = max(e["data_end"], c.last_obs)
        e["last_release"] = max(e["last_release"], c.last_as_of)
        e["series"] += 1
    sources = {k: {"data_end": f"{v['data_end']:%Y-%m-%d}",
                   "last_release": f"{v['last_release']:%Y-%m-%d}",
                   "staleness_days": (today - v["last_release"]).days,
                   "series": v["series"]} for k, v in sorted(by_source.items())}
    return {"status": "ok", "today": f"{today:%Y-%m-%d}",
            "store": "file" if default_store_path().exists() else "snapshot only",
            "last_update": None if last is None else last.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sources": sources}
