"""The dashboard use case: one self-contained HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import Report, _read, check_lang, open_store, resolve_as_of
from dollarliq.api.reporting import _report_from_rows, _report_ids
from dollarliq.api.track_record import _evaluate

if TYPE_CHECKING:
    from dollarliq.store import Store


# ----------------------------------------------------------------------------- dashboard

def dashboard(as_of: Any = None, *, lang: str = "en", track_record: bool = False,
              progress=None, extra_sections: Sequence[tuple[str, str]] = (),
              store: Store | None = None,
              home: str | Path | None = None) -> tuple[str, Report]:
    """The dashboard: one self-contained HTML page (charts, evidence, records, gauges).

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: as :func:`report`).
    lang : {"en", "zh"}
    track_record : bool
        Add the backtest's track record section.
    progress : callable, optional
        ``progress(step)`` is called before the steps "engine", "gauges", "history" and
        "render".
    extra_sections : sequence of (title, HTML fragment)
        Appended after the built-in sections (the title is escaped, the fragment not).

    Returns
    -------
    (str, Report)
        The HTML page and the report it shows.
    """
    language = check_lang(lang)
    step = progress or (lambda name: None)
    ids = _report_ids()
    if track_record:
        from dollarliq.backtest import ASSETS, YARDSTICKS

        ids = list(dict.fromkeys([*ids, *YARDSTICKS, *ASSETS]))
    with open_store(store, home) as st:
        rows = _read(st, ids)
        d = resolve_as_of(rows, as_of)
        step("engine")
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=None,
                              bubble_tests=False, progress=step, records=st.auctions(),
                              requested=as_of is not None)
    from dollarliq.messages import t as _t
    from dollarliq.reports.outlook import html_section as outlook_html

    sections = [(_t("outlook.section", language), outlook_html(r.doc["outlook"], language)),
                *extra_sections]
    if track_record:
        from dollarliq.backtest import load_episodes
        from dollarliq.messages import t
        from dollarliq.reports.track_record import html_section

        sections.append((t("dash.track_record", language),
                         html_section(_evaluate(rows, r.engine, None, load_episodes()))))
    step("render")
    from dollarliq.reports.html import render_dashboard

    page = render_dashboard(r.engine, r.doc, r.doc["bubble"], language,
                            extra_sections=sections, history=r.history)
    return page, r
