"""The report use case: stage, score, evidence, records and gauges on one date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import (Report, _cache_read, _cache_write, _engine, _engine_ids,
                                 _read, _report_key, check_lang, check_store, open_store,
                                 resolve_as_of)
from dollarliq.api.bubbles import _gauges_from_rows

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store


def _report_ids() -> list[str]:
    from dollarliq.api.outlook import OUTLOOK_IDS
    from dollarliq.gauges import INPUT_IDS as GAUGE_IDS

    return list(dict.fromkeys([*_engine_ids(), *GAUGE_IDS, *OUTLOOK_IDS]))


def report(as_of: Any = None, *, lang: str = "en", rules: Any = None,
           bubble_tests: bool = True, store: Store | None = None,
           home: str | Path | None = None) -> Report:
    """The liquidity report on a date: stage, stress score, indicators, evidence, records,
    tech-bubble gauges and bubble tests.

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: the latest release of the core inputs).
    lang : {"en", "zh"}
        Language of names and sentences.
    rules : str | Path | RuleSet, optional
        Another stage rules file (TOML) or a loaded rule set.
    bubble_tests : bool
        Add the GSADF tests of QQQ and the megacaps (``bubble_tests`` section).
    store, home : optional
        An open store, or the folder of the user store (see the module docstring).

    Returns
    -------
    Report
        ``.stage`` (name), ``.level`` (0-3), ``.score`` (0-100), ``.as_of``, ``.evidence``,
        ``.records``, ``.to_dict()`` / ``.to_json()`` (the CLI's JSON), ``.to_frame()``.

    Examples
    --------
    >>> import dollarliq as dl
    >>> r = dl.report(as_of="2025-11-03")
    >>> r.stage, r.score
    ('tight', 57.0)
    """
    from dollarliq.dates import today as current_date

    language = check_lang(lang)
    check_store(store)
    today = current_date()
    key = None if store is not None else _report_key(as_of, language, rules, bubble_tests, home,
                                                     today)
    if key is not None:
        hit = _cache_read(key)
        if hit is not None:
            return Report(hit["doc"], hit["sparks"])
    with open_store(store, home) as st:
        rows = _read(st, _report_ids())
        d = resolve_as_of(rows, as_of, today=today)
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=rules,
                              bubble_tests=bubble_tests, records=st.auctions(), today=today,
                              requested=as_of is not None)
    if key is not None:
        _cache_write(key, {"doc": r.doc, "sparks": r.sparks})
    return r


def _report_from_rows(rows: Rows, as_of: pd.Timestamp, cache_get, *, lang: str, rules: Any,
                      bubble_tests: bool, progress=None,
                      records: pd.DataFrame | None = None, today: dt.date | None = None,
                      requested: bool = True, history: bool = True) -> Report:
    """The report on ``as_of``, with its data's age against ``today`` (default: the one
    seam, :func:`dollarliq.dates.today`); ``requested``: the as-of date was asked for, not
    the default; ``history``: add today against 2003-2026 (the ``history`` section, from one
    replay of the engine since 2003, kept as ``Report.history``). The document is strict
    JSON (:func:`dollarliq.strict_json.clean`)."""
    from dollarliq.dates import today as current_date
    from dollarliq.freshness import stamp_report
    from dollarliq.reports.model import build_report
    from dollarliq.reports.terminal import spark_rows
    from dollarliq.strict_json import clean

    res = _engine(rows, as_of, rules)
    doc = build_report(res, lang=lang)
    if progress is not None:
        progress("gauges")
    doc["bubble"] = _gauges_from_rows(rows, res.as_of, cache_get)
    if bubble_tests:
        from dollarliq.bubbles.scan import _report_tickers, report_section

        tickers = _report_tickers()
        doc["bubble_tests"] = report_section(rows.series_map(tickers, as_of=res.as_of),
                                             tickers=tickers)
    if records is not None:  # the short Outlook section, from the same rows
        from dollarliq.api.outlook import outlook_from_rows
        from dollarliq.reports.outlook import short_section

        doc["outlook"] = short_section(outlook_from_rows(rows, records, as_of, 20, lang))
    hres = None
    if history:  # the 2003-2026 replay, once per report (the report itself is cached)
        from dollarliq.api.history_context import context_from_engine, localise

        if progress is not None:
            progress("history")
        hres = _engine(rows, as_of, rules, history=True)
        doc["history"] = localise(context_from_engine(hres), lang)
    doc = clean(stamp_report(doc, today or current_date(), requested=requested))
    return Report(doc, clean(spark_rows(res, lang)), res, hres)
