"""The tech-bubble use cases: the gauges, a bubble test of one series, a scan of many
(on Dask), and the SEC EDGAR update the gauges read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import (CORE_IDS, DEFAULT_WINDOW, MIN_WINDOW, _read,
                                 check_bubble_args, check_scan_args, check_store, check_text,
                                 check_texts, home_path, open_store,
                                 parse_as_of, parse_windows, resolve_as_of)
from dollarliq.api.timeseries import series
from dollarliq.bubbles import DEFAULT_LPPLS_FILTER
from dollarliq.errors import NotEnoughData, UsageError

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store


# ----------------------------------------------------------------------------- gauges

def _gauges_from_rows(rows: Rows, as_of: pd.Timestamp, cache_get) -> dict:
    from dollarliq.gauges import INPUT_IDS, SHARE_IDS, GaugeInputs, gauges_section, read_cached

    form4, facts = read_cached(cache_get)
    inputs = GaugeInputs(series=rows.series_map(INPUT_IDS, as_of=as_of),
                         share_history=rows.series_map(SHARE_IDS), form4=form4,
                         berkshire_facts=facts)
    return gauges_section(inputs, as_of)


def gauges(as_of: Any = None, *, store: Store | None = None,
           home: str | Path | None = None) -> dict[str, Any]:
    """The tech-bubble fragility gauges on a date (``bubble gauges --format json``).

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: the latest release of the core
        liquidity inputs, the same date ``report`` uses).
    store, home : optional
        An open store, or the folder of the user store.

    Returns
    -------
    dict
        ``{"as_of", "notice", "gauges": {...}}``, valid against ``gauges.schema.json``;
        concentration in USD bn, returns in percent, the fear & greed composite 0-100.
    """
    from dollarliq.gauges import INPUT_IDS

    with open_store(store, home) as st:
        rows = _read(st, list(dict.fromkeys([*CORE_IDS, *INPUT_IDS])))
        d = resolve_as_of(rows, as_of, floor=INPUT_IDS)
        return _gauges_from_rows(rows, d, st.cache_get)

# ----------------------------------------------------------------------------- bubble tests

@dataclass(frozen=True)
class BubbleTest:
    """GSADF and/or LPPLS on one price series (``bubble test --format json``)."""

    doc: dict[str, Any]

    @property
    def explosive(self) -> bool | None:
        """GSADF rejects the random walk at 95% (None when GSADF was not run)."""
        g = self.doc.get("gsadf")
        return None if g is None else bool(g["explosive_95"])

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.to_json(None))

    def to_json(self, indent: int | None = 1) -> str:
        from dollarliq.strict_json import dumps

        return dumps(self.doc, indent=indent)


def bubble_test(ticker: str, *, as_of: Any = None, window: int | None = None, lag: int = 0,
                reps: int = 999, method: str = "both",
                lppls_filter: str = DEFAULT_LPPLS_FILTER, store: Store | None = None,
                home: str | Path | None = None) -> BubbleTest:
    """GSADF (with date-stamped episodes) and the LPPLS confidence indicator for one series.

    Parameters
    ----------
    ticker : str
        A price series id (``NVDA``, ``QQQ``, ``SPY``...).
    as_of : str | date | Timestamp, optional
        Use only prices public on this date (default: everything known).
    window : int, optional
        The last ``window`` daily closes are tested; at least 60 and no more than the
        closes available (default: 504, two years, or all closes when fewer).
    lag : int
        ADF lag (0-24).
    reps : int
        Monte Carlo replications of the critical values (cached per sample size).
    method : {"both", "gsadf", "lppls"}
    lppls_filter : str
        The published filter set that qualifies LPPLS fits, one of
        :data:`dollarliq.bubbles.LPPLS_FILTERS` (``lppls-0.6``, ``sornette-2015``,
        ``shu-zhu-2020``); the result names it.

    Returns
    -------
    BubbleTest
        ``.to_dict()``: ``series``, ``window_obs``, ``gsadf`` (statistic, critical values,
        episodes), ``lppls`` (confidence 0-1), ``as_of``.
    """
    from dollarliq.bubbles.scan import analyse_series, file_cache

    ticker = check_text(ticker, "ticker", "NVDA")
    check_store(store)
    methods = check_bubble_args(DEFAULT_WINDOW if window is None else window, lag, reps, method,
                                lppls_filter)
    p = series(ticker, as_of=as_of, store=store, home=home)  # read-only: nothing written yet
    n = int((p > 0).sum())
    if window is None:
        window = max(min(DEFAULT_WINDOW, n), MIN_WINDOW)
    if window > n:
        raise UsageError(f"window {window} is longer than the {n} closes of {p.name} "
                         "public on that date")
    # critical values simulated for a new sample size are kept in the cache folder: the
    # store is not held while they are simulated
    res = analyse_series(p, window=window, lag=lag, reps=reps, methods=methods,
                         cache=file_cache(), conditions=lppls_filter)
    d = parse_as_of(as_of)
    res["as_of"] = None if d is None else f"{d:%Y-%m-%d}"
    return BubbleTest(res)


def bubble_scan(ids: Sequence[str], *, windows: Sequence[int] | str = (252, 504),
                method: str = "gsadf", scheduler: str = "local", workers: int = 2,
                as_of: Any = None, reps: int = 999, lppls_filter: str = DEFAULT_LPPLS_FILTER,
                progress=None, connect_timeout_s: float = 5.0, store: Store | None = None,
                home: str | Path | None = None) -> pd.DataFrame:
    """Bubble tests over many names and windows on Dask; the results are kept in the cache
    folder (:mod:`dollarliq.filecache`, namespace ``bubble_scan``).

    Parameters
    ----------
    ids : sequence of str
        Price series ids.
    windows : sequence of int or str
        Window lengths in daily closes (each at least 60, and no more than the closes of
        every series scanned: UsageError, exit code 2, before the scan starts).
    method : {"gsadf", "lppls"}
    scheduler : str
        ``local`` (a Dask LocalCluster of ``workers`` processes), ``threads`` or the
        ``tcp://host:port`` address of a running scheduler (SourceError, exit code 3,
        when it cannot be reached within ``connect_timeout_s`` seconds).
    lppls_filter : str
        The LPPLS filter set of an ``lppls`` scan (see :func:`bubble_test`).
    progress : callable, optional
        ``progress(done, total)`` after each cell.

    Returns
    -------
    pandas.DataFrame
        One row per (series, window): statistic, critical value, explosive flags, status;
        ``attrs["key"]`` is the key the results are kept under and ``attrs["path"]`` their
        file (None when it could not be written).
    """
    import pandas as pd

    from dollarliq import filecache
    from dollarliq.bubbles.scan import connect, file_cache, run_scan

    check_store(store)
    wins = parse_windows(windows)
    canon = check_scan_args(ids, wins, method, scheduler, workers, reps, lppls_filter)
    d = parse_as_of(as_of)
    with open_store(store, home) as st:  # read, then let go: the scan holds no store
        rows = _read(st, canon)
    missing = [c for c in canon if c not in rows.first_public]
    if missing:
        raise NotEnoughData(f"no data for {', '.join(missing)}: run `dollarliq update`")
    prices = rows.series_map(canon, as_of=d)
    empty = [c for c in canon if c not in prices]
    if empty:
        raise UsageError(f"as-of date {d}: no value of {', '.join(empty)} was public yet")
    # a window beyond a series' history is refused as by bubble_test, before the scan starts
    closes = {c: int((prices[c] > 0).sum()) for c in canon}
    short = [(w, c) for w in wins for c in canon if w > closes[c]]
    if short:
        w, c = max(short)
        raise UsageError(f"window {w} is longer than the {closes[c]} closes of {c} public on "
                         "that date" + (f" (and {len(short) - 1} more window/series pairs)"
                                        if len(short) > 1 else ""))
    import dask
    import dask.distributed  # noqa: F401  loads its config defaults before they are overridden

    try:
        with dask.config.set({"distributed.comm.timeouts.connect":
                              f"{connect_timeout_s}s"}):
            client = connect(scheduler, workers)
    except (OSError, TimeoutError) as exc:
        from dollarliq.errors import SourceError

        raise SourceError(f"cannot reach the Dask scheduler at {scheduler} "
                          f"({' '.join(str(exc).split())[:120]})") from None
    try:
        df = run_scan(prices, windows=wins, method=method, client=client,
                      cache=file_cache(), reps=reps, progress=progress,
                      conditions=lppls_filter)
    finally:
        client.close()
    stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    kind = method if method == "gsadf" else f"{method}[{lppls_filter}]"
    key = f"{kind}:{d or 'latest'}:{stamp}"
    saved = filecache.put("bubble_scan", key, df.to_json(orient="records").encode(),
                          suffix=".json")
    df.attrs["key"] = key
    df.attrs["path"] = None if saved is None else str(saved)
    return df


# ----------------------------------------------------------------------------- SEC EDGAR

def edgar_update(tickers: Sequence[str] | None = None, *, since: Any = None,
                 max_filings: int = 50, progress=None, client=None,
                 store: Store | None = None, home: str | Path | None = None):
    """SEC EDGAR data for the bubble gauges: shares outstanding, Form 4 filings, Berkshire.

    Needs ``DOLLARLIQ_SEC_CONTACT`` ("Name e-mail", SEC's fair-access rule);
    CredentialsMissing (exit code 2, naming the setting) before any request when it is not
    set.

    Parameters
    ----------
    tickers : sequence of str, optional
        Companies (default: :data:`dollarliq.catalog.MEGACAPS`).
    since : str | date, optional
        Form 4 filings filed on or after this date (default: 400 days ago).
    max_filings : int
        Form 4 filings per company, newest first (1-1000).
    progress : callable, optional
        ``progress(ticker)`` after each company.

    Returns
    -------
    dollarliq.edgar_update.EdgarUpdateResult
        Rows and filings stored, and one line per part that failed.
    """
    import pandas as pd

    from dollarliq.catalog import MEGACAPS
    from dollarliq.dates import today as current_date
    from dollarliq.edgar_update import run_edgar_update
    from dollarliq.http import Fetch, make_client
    from dollarliq.paths import STORE_FILENAME
    from dollarliq.sources.edgar import EdgarClient

    check_store(store)
    names = check_texts(MEGACAPS if tickers is None else tickers, "tickers", "AAPL",
                        skip_blank=True)
    if not isinstance(max_filings, int) or not 1 <= max_filings <= 1000:
        raise UsageError(f"max filings {max_filings}: from 1 to 1000")
    d = parse_as_of(since, "since date")
    start = pd.Timestamp(d) if d is not None else \
        pd.Timestamp(current_date()) - pd.Timedelta(days=400)
    own = client is None
    http = client or make_client()
    try:
        edgar = EdgarClient(Fetch(http))  # CredentialsMissing before any request
        # The store file: each company is written in a short transaction after its requests.
        target = store if store is not None else home_path(home) / STORE_FILENAME
        return run_edgar_update(target, edgar, names, since=start, max_filings=max_filings,
                                progress=progress)
    finally:
        if own:
            http.close()
