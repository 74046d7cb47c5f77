"""The use cases the server and the MCP tools answer, as JSON-ready documents.

The one seam between ``serve``/``mcp`` and the use-case layer (:mod:`dollarliq.api`): each
function parses the request's arguments as the CLI does (same messages), calls one
:mod:`dollarliq.api` function and lays its result out as the document the CLI prints with
``--format json`` (described by ``src/dollarliq/data/*.schema.json`` where a schema exists).
Nothing here computes a stage, a score, a gauge or a test statistic.

Reads only: the user store (``$DOLLARLIQ_HOME``) is opened read-only; no answer writes.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from dollarliq import api
from dollarliq.bubbles import DEFAULT_LPPLS_FILTER
from dollarliq.dates import parse_date


def parse_dates(**named: str | None) -> dict[str, Any]:
    """Parse ``name=YYYY-MM-DD`` arguments as the CLI parses ``--name`` (same messages)."""
    return {k: parse_date(v, what=f"--{k.replace('_', '-')}") for k, v in named.items()}


def _lang(lang: str | None) -> str:
    from dollarliq.errors import UsageError
    from dollarliq.messages import LANGS, lang_from_env

    if lang is not None and lang not in LANGS:
        raise UsageError(f"--lang {lang!r}: choose {' or '.join(LANGS)}")
    return lang_from_env(lang)


def _day(x: Any) -> str:
    return f"{x:%Y-%m-%d}"


def report(as_of: str | None = None, lang: str | None = None) -> dict[str, Any]:
    """The report document (``report.schema.json``) for ``as_of`` (the data's end if None)."""
    d = parse_dates(as_of=as_of)
    return api.report(as_of=d["as_of"], lang=_lang(lang)).doc


def _in_order(d: dict[str, Any]) -> None:
    """The CLI's check and message for an end before the start."""
    if d["start"] and d["end"] and d["end"] < d["start"]:
        from dollarliq.errors import UsageError
        from dollarliq.messages import lang_from_env, t

        raise UsageError(t("error.end_before_start", lang_from_env(), end=d["end"],
                           start=d["start"]))


def stages(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """Stage and stress score per business day (``stages --format json``)."""
    from dollarliq.reports.documents import stages_document

    d = parse_dates(start=start, end=end)
    _in_order(d)
    return stages_document(api.stages(d["start"], d["end"]))


def series(series_id: str, start: str | None = None, end: str | None = None,
           as_of: str | None = None) -> dict[str, Any]:
    """One series or derived indicator as known on ``as_of`` (``series show --format json``),
    in its stored unit, each value with its release date."""
    from dollarliq.reports.documents import series_document

    d = parse_dates(start=start, end=end, as_of=as_of)
    return series_document(api.series(series_id, d["start"], d["end"], as_of=d["as_of"]),
                           as_of=d["as_of"])


def series_csv(doc: dict[str, Any]) -> str:
    """The ``series show --format csv`` text of a :func:`series` document."""
    from dollarliq.reports.style import csv_number

    sid, unit = doc["series"], doc["unit"]
    col = sid if sid.endswith(unit) else f"{sid}_{unit}"
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", col, "released"])
    for o in doc["observations"]:
        v = o["value"]
        w.writerow([o["date"], csv_number(v), o["released"]])
    return out.getvalue()


def series_list(source: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
    """The catalog (``series list --format json``). With ``as_of``, ``first`` and ``last``
    are the first and last observations public on that date."""
    d = parse_dates(as_of=as_of)
    rows = api.series_list(source)
    if d["as_of"] is not None:
        with api.open_store() as st:
            cov = st.coverage(as_of=d["as_of"])
        for r in rows:
            if r["source"] != "derived":
                c = cov.get(r["id"])
                r["first"], r["last"] = (_day(c.first_obs), _day(c.last_obs)) if c else (None,
                                                                                          None)
    return rows


def backtest(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """The track record (``backtest --format json``), replayed point-in-time up to ``end``."""
    d = parse_dates(start=start, end=end)
    _in_order(d)
    return api.backtest(d["start"], d["end"]).to_dict()


def bubble_test(ticker: str, as_of: str | None = None,
                lppls_filter: str = DEFAULT_LPPLS_FILTER) -> dict[str, Any]:
    """GSADF and LPPLS for one price series (``bubble test --format json``), default
    settings (the last 504 closes; critical values shipped with the package) and the named
    LPPLS filter set."""
    d = parse_dates(as_of=as_of)
    with api.open_store() as st:  # read-only: nothing simulated is written back
        return api.bubble_test(ticker, as_of=d["as_of"], lppls_filter=lppls_filter,
                               store=st).to_dict()


def gauges(as_of: str | None = None) -> dict[str, Any]:
    """The tech-bubble gauges section (``gauges.schema.json``) as known on ``as_of``."""
    d = parse_dates(as_of=as_of)
    return api.gauges(as_of=d["as_of"])


def outlook(as_of: str | None = None, days: int | str = 20,
            lang: str | None = None) -> dict[str, Any]:
    """The drain calendar and the defence lines' runway (``outlook --format json``,
    ``outlook.schema.json``)."""
    d = parse_dates(as_of=as_of)
    return api.outlook(as_of=d["as_of"], days=api.outlook_days(days), lang=_lang(lang)).doc


def dashboard(lang: str | None = None) -> str:
    """The dashboard page (the file ``dollarliq dashboard`` writes) on the latest data."""
    page, _ = api.dashboard(lang=_lang(lang))
    return page


def health() -> dict[str, Any]:
    """Data end per source, last update and the data's age against today
    (:func:`dollarliq.api.health`: ``status`` is ``"stale"`` when a core input is past its
    publication lag, else ``"ok"``), and whether a store file exists or the embedded snapshot
    is the data."""
    from dollarliq.paths import default_store_path

    doc = api.health()
    return {"status": doc.pop("status"),
            "store": "file" if default_store_path().exists() else "snapshot only", **doc}
