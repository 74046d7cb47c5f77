"""The update and watch use cases: fetch into the store, one watch cycle, the store's health.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import (CORE_IDS, Report, _read, check_lang, check_store,
                                 check_update_args, check_watch_args, default_as_of, home_path,
                                 open_store, parse_as_of, resolve_as_of)
from dollarliq.api.reporting import _report_from_rows, _report_ids

if TYPE_CHECKING:
    from dollarliq.store import Store


# ----------------------------------------------------------------------------- watch

@dataclass(frozen=True)
class WatchCycle:
    """One watch cycle: the report, the events it raised and an update failure, if any."""

    report: Report
    events: list[Any]
    update_error: str | None = None


def watch_cycle(*, urls: Sequence[str] = (), sources: Sequence[str] | None = None,
                series: Sequence[str] | None = None, lang: str = "en",
                record_years: float = 5.0, progress=None, on_plan=None,
                on_update_error=None, home: str | Path | None = None) -> WatchCycle:
    """One watch cycle: update (a failure is kept, not raised), report, alert, save the state.

    Parameters
    ----------
    urls : sequence of str
        apprise URLs to notify (none: the events are only returned).
    sources, series : optional
        What to update (default: every source).
    record_years : float
        A record alerts when it is the most extreme value in more than this many years.
    on_update_error : callable, optional
        Called with the update's failure line as soon as it is known, before the report and
        the notification (so a failed notification cannot hide it).

    Returns
    -------
    WatchCycle
        ``report``, ``events`` (stage changes and notable records not notified before),
        ``update_error`` (one line) when the update failed and the check used the data in
        the store. Each receiver gets an event once: one that fails keeps it in the
        saved state and gets it next cycle; then SourceError (exit code 3) says how many
        receivers failed.
    """
    from dollarliq.errors import SourceError
    from dollarliq.messages import t
    from dollarliq.watch import deliver, evaluate, load_state, save_state

    check_watch_args(sources, series, record_years)
    language = check_lang(lang)
    error = None
    # The update holds the store file only while it writes each series; the report reads it;
    # the state is saved in a short write of its own, so a report elsewhere can run any time.
    try:
        res = update(sources, series=series, progress=progress, on_plan=on_plan, home=home)
        error = res.failure_line()  # the loop goes on with the data it has
    except Exception as exc:  # noqa: BLE001 - the loop goes on with the data it has
        error = " ".join(str(exc).split()) or type(exc).__name__
    if error is not None and on_update_error is not None:
        on_update_error(error)
    with open_store(None, home) as st:
        rows = _read(st, _report_ids())
        d = resolve_as_of(rows, None)
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=None,
                              bubble_tests=False, requested=False, history=False)
        state = load_state(st)
    ev = evaluate(r.doc, state, record_years=record_years, lang=language)
    # Each receiver gets what it is owed once; one that fails keeps it for the next cycle.
    new_state, failed = deliver(ev.events, list(urls), ev.state, lang=language)
    with open_store(None, home, for_write=True) as st:
        save_state(st, new_state)
    if failed:
        raise SourceError(t("watch.notify_failed", language, n=failed, total=len(set(urls))))
    return WatchCycle(r, ev.events, error)

# ----------------------------------------------------------------------------- update, health

def update(sources: Sequence[str] | None = None, *, series: Sequence[str] | None = None,
           since: Any = None, progress=None, on_plan=None, on_start=None, client=None,
           store: Store | None = None, home: str | Path | None = None):
    """Fetch newer data from the real sources into the store, on top of the snapshot.

    Parameters
    ----------
    sources : sequence of str, optional
        Only these sources (``fred``, ``nyfed``, ``treasury``, ``fedboard``, ``ofr``,
        ``yahoo``); default all.
    series : sequence of str, optional
        Only these series ids.
    since : str | date, optional
        Re-fetch observations from this date.
    client : httpx.Client, optional
        The HTTP client (default: :func:`dollarliq.http.make_client`).
    progress, on_plan, on_start : callable, optional
        Called with each series' spec once it is done; with the number of series planned;
        with the (source, id) pairs planned, before the store is read or a request made.

    Returns
    -------
    UpdateResult
        ``series`` planned, ``fetched`` observations read, ``added`` rows stored,
        ``data_end``, ``outcomes`` (one per series: status, rows added, revisions, or the
        one-line reason it failed) and ``exit_code`` (0 when everything came, 3 when any
        series failed, 5 on a store failure). A failed series leaves its stored rows as
        they were and does not stop the others.

    Notes
    -----
    Each request must end within ``DOLLARLIQ_REQUEST_DEADLINE`` seconds (default 60) and the
    whole update within ``DOLLARLIQ_UPDATE_DEADLINE`` (default 900); a series past either
    fails with its one line.
    """
    check_store(store)
    sources, series = check_update_args(sources, series)
    d = parse_as_of(since, "since date")
    if store is None:
        home_path(home)  # a home that is not a folder is refused before anything is said
    from dollarliq.http import (DEFAULT_REQUEST_DEADLINE, DEFAULT_UPDATE_DEADLINE,
                                REQUEST_DEADLINE_ENV, UPDATE_DEADLINE_ENV, deadline_seconds)

    total = deadline_seconds(UPDATE_DEADLINE_ENV, DEFAULT_UPDATE_DEADLINE)  # bad: exit 2 now
    deadline_seconds(REQUEST_DEADLINE_ENV, DEFAULT_REQUEST_DEADLINE)
    if on_start is not None:  # before the heavy imports: the first line comes at once
        from dollarliq.sources import planned

        on_start(planned(sources, series))

    import pandas as pd

    from dollarliq.http import Fetch, make_client
    from dollarliq.update import run_update
    own = client is None
    http = client or make_client()
    from dollarliq.paths import STORE_FILENAME

    # The store file, not an open store: each series is written in its own short transaction
    # once it has been fetched, so readers are never locked out during the network fetches.
    target = store if store is not None else home_path(home) / STORE_FILENAME
    try:
        fetch = Fetch(http, total=total)
        return run_update(target, fetch, sources=list(sources) if sources else None,
                          series=list(series) if series else None,
                          since=None if d is None else pd.Timestamp(d),
                          progress=progress, on_plan=on_plan)
    finally:
        if own:
            http.close()


def health(*, today: dt.date | None = None, store: Store | None = None,
           home: str | Path | None = None) -> dict[str, Any]:
    """Data end per source, the last update, and how old the data are against today.

    Parameters
    ----------
    today : date, optional
        The date ages are counted to (default: :func:`dollarliq.dates.today`).
    store, home : optional
        An open store, or the folder of the user store.

    Returns
    -------
    dict
        ``{"status", "today", "last_update" (UTC ISO time or None: snapshot only), "as_of"
        (the default as-of date), "data_end" (the latest core observation), "data_age_days",
        "core": {series: {"data_end", "age_days", "stale"}}, "sources": {source: {"series",
        "data_end", "last_release", "age_days", "stale"}}}``. Ages are calendar days from a
        data end to ``today``; a series is stale when it is past its normal publication lag
        (:mod:`dollarliq.freshness`), a source when even its newest series is. ``status`` is
        ``"stale"`` when a core input (Fed assets, reserves, ON RRP, SOFR) is stale or
        missing, else ``"ok"``.
    """
    from dollarliq.catalog import CATALOG
    from dollarliq.dates import today as current_date
    from dollarliq.freshness import age_days, data_age, past_lag

    today = today or current_date()
    with open_store(store, home) as st:
        cov = st.coverage()
        last = st.last_fetch() if st.path is not None else None
    by: dict[str, dict[str, Any]] = {}
    for sid, info in cov.items():
        spec = CATALOG.get(sid)
        src = spec.source if spec is not None else "other"
        b = by.setdefault(src, {"series": 0, "data_end": None, "last_release": None,
                                "newest": sid})
        b["series"] += 1
        if b["data_end"] is None or info.last_obs > b["data_end"]:
            b["data_end"], b["newest"] = info.last_obs, sid
        if b["last_release"] is None or info.last_as_of > b["last_release"]:
            b["last_release"] = info.last_as_of
    out = {}
    for src, b in sorted(by.items()):
        out[src] = {"series": b["series"], "data_end": f"{b['data_end']:%Y-%m-%d}",
                    "last_release": f"{b['last_release']:%Y-%m-%d}",
                    "age_days": age_days(b["data_end"], today),
                    "stale": past_lag(b["newest"], b["data_end"], today)}
    age = data_age({s: cov[s].last_obs for s in CORE_IDS if s in cov}, today, CORE_IDS)
    core = {s: {"data_end": f"{cov[s].last_obs:%Y-%m-%d}",
                "age_days": age_days(cov[s].last_obs, today),
                "stale": s in age["stale_core"]} for s in CORE_IDS if s in cov}
    lasts = [cov[s].last_as_of for s in CORE_IDS if s in cov]
    as_of = default_as_of(max(lasts), today) if lasts else None
    return {"status": "stale" if age["data_stale"] else "ok", "today": age["today"],
            "last_update": None if last is None else last.isoformat(timespec="seconds"),
            "as_of": None if as_of is None else f"{as_of:%Y-%m-%d}",
            "data_end": age["data_end"], "data_age_days": age["data_age_days"],
            "core": core, "sources": out}
