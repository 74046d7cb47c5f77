"""Yahoo Finance v8 chart API: daily closes and dividend/split-adjusted closes.

``GET https://query1.finance.yahoo.com/v8/finance/chart/{symbol}?interval=1d&period1=&period2=
&events=div,splits&includeAdjustedClose=true`` with the symbol URL-encoded (``^VIX`` ->
``%5EVIX``) and a current browser User-Agent (Yahoo answers 429 to others).

``spec.field`` is ``close`` (``indicators.quote[0].close``) or ``adjclose``
(``indicators.adjclose[0].adjclose``), in the instrument's currency or index points.
A ``null`` inside the arrays is a missing bar (value None). Observation dates are the
exchange-local trading dates (``meta.exchangeTimezoneName``, else ``meta.gmtoffset``); with
intraday bars the last bar of each local date gives that date's value. The API is unofficial:
treat it as best effort.

Yahoo rewrites history after every split (``close`` is split-adjusted to the latest split,
``adjclose`` also to the latest dividend): ``events.splits`` holds ``{date, numerator,
denominator, splitRatio}`` and ``events.dividends`` ``{date, amount}``, keyed by epoch
seconds. :func:`history_rewritten` tells from a body and the stored values whether the
stored history is on an older basis; the update then asks for the whole history
(:meth:`YahooFetcher.history_query`, ``range=max``) and stores it as a new vintage
(:func:`as_new_vintage`), so a series never mixes two price bases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.dates import today as current_date
from dollarliq.errors import PayloadError, SourceError
from dollarliq.http import Fetch
from dollarliq.sources.base import Observation, Query, release_dates, scaled

CHART_URL = "https://query1.finance.yahoo.com/v8/finance/chart/"
#: Yahoo rejects non-browser agents on this host.
BROWSER_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
FIELDS = ("close", "adjclose")
FIRST_DATE = "1990-01-01"
#: Relative gap between a stored and a fetched value on the same date above which the stored
#: history is taken to be on another basis. Stored prices carry 4 decimals (relative error
#: under 5e-5 above $1); a quarterly dividend moves ``adjclose`` by 0.1-2%, a split by 33%+.
REWRITE_TOLERANCE = 5e-4


def _what(spec: SeriesSpec) -> str:
    return f"yahoo: {spec.id}"


def _epoch(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).tz_localize(None).normalize().timestamp())


def chart_url(symbol: str) -> str:
    """The chart URL of ``symbol``, URL-encoded (``^VIX`` -> ``.../chart/%5EVIX``)."""
    return CHART_URL + quote(symbol, safe="")


def _load(raw: bytes, what: str) -> dict:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; Yahoo format changed?") from None
    head = text.lstrip()[:200].lower()
    if head.startswith("<") or "<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of JSON (blocked?); try again later")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        first = text.strip().splitlines()[0][:80] if text.strip() else "empty body"
        if not text.lstrip().startswith(("{", "[")):
            raise PayloadError(f"{what}: not JSON ({first!r}); rate limited?") from None
        raise PayloadError(f"{what}: body is not valid JSON (truncated?)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("chart"), dict):
        raise PayloadError(f"{what}: no 'chart' object in the body; Yahoo format changed?")
    return doc["chart"]


def _local_dates(stamps: list[Any], meta: dict, what: str) -> pd.DatetimeIndex:
    try:
        utc = pd.to_datetime(pd.Series(stamps, dtype="int64"), unit="s", utc=True)
    except (ValueError, TypeError, OverflowError):
        raise PayloadError(f"{what}: timestamps are not epoch seconds; Yahoo format changed?") \
            from None
    tz_name = meta.get("exchangeTimezoneName")
    try:
        local = utc.dt.tz_convert(ZoneInfo(tz_name)) if tz_name else None
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        local = None
    if local is None:
        offset = meta.get("gmtoffset")
        if not isinstance(offset, (int, float)):
            raise PayloadError(f"{what}: meta has neither exchangeTimezoneName nor gmtoffset")
        local = utc + pd.Timedelta(seconds=offset)
    return pd.DatetimeIndex(local.dt.tz_localize(None) if local.dt.tz is not None else local
                            ).normalize()


def _series(result: dict, field: str, what: str) -> list[Any]:
    ind = result.get("indicators")
    if not isinstance(ind, dict):
        raise PayloadError(f"{what}: no 'indicators' in the chart result; Yahoo format changed?")
    try:
        if field == "adjclose":
            values = ind["adjclose"][0]["adjclose"]
        else:
            values = ind["quote"][0][field]
    except (KeyError, IndexError, TypeError):
        raise PayloadError(f"{what}: no {field!r} array in the chart result; "
                           "Yahoo format changed?") from None
    if not isinstance(values, list):
        raise PayloadError(f"{what}: {field!r} is not an array; Yahoo format changed?")
    return values


def _result(raw: bytes, what: str, symbol: str) -> dict | None:
    """The chart result of a body; None when the body has no bars (no ``timestamp``)."""
    chart = _load(raw, what)
    err = chart.get("error")
    if err:
        desc = err.get("description") if isinstance(err, dict) else str(err)
        code = err.get("code") if isinstance(err, dict) else ""
        raise SourceError(f"{what}: Yahoo has no data for symbol {symbol!r}: "
                          f"{code}: {desc}"[:300])
    results = chart.get("result")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise PayloadError(f"{what}: no chart result for {symbol!r}; Yahoo format changed?")
    result = results[0]
    if not isinstance(result.get("meta"), dict):
        raise PayloadError(f"{what}: chart result without meta; Yahoo format changed?")
    return result


def _pairs(result: dict, field: str, what: str) -> list[tuple[pd.Timestamp, float | None]]:
    stamps = result.get("timestamp")
    if stamps is None:  # no bars in the requested period
        return []
    if not isinstance(stamps, list):
        raise PayloadError(f"{what}: 'timestamp' is not an array; Yahoo format changed?")
    if field not in FIELDS:
        raise PayloadError(f"{what}: unknown Yahoo field {field!r}")
    values = _series(result, field, what)
    if len(values) != len(stamps):
        raise PayloadError(f"{what}: {len(values)} {field} values for {len(stamps)} "
                           "timestamps; Yahoo format changed?")
    dates = _local_dates(stamps, result["meta"], what)
    out: dict[pd.Timestamp, float | None] = {}
    for d, v in zip(dates, values):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise PayloadError(f"{what}: {field} value {str(v)[:20]!r} is not a number")
        if v is None and d in out:
            continue  # a missing intraday bar does not erase an earlier one of that day
        out[pd.Timestamp(d)] = None if v is None else float(v)
    return sorted(out.items())


def parse_chart(spec: SeriesSpec, raw: bytes) -> list[tuple[pd.Timestamp, float | None]]:
    """(exchange-local date, native value) pairs from a chart body, one per date, oldest first.

    SourceError naming the symbol when Yahoo answers ``chart.error``; PayloadError when the
    body is not a chart body.
    """
    what = _what(spec)
    return _pairs(_result(raw, what, spec.source_id), spec.field, what)


@dataclass(frozen=True)
class CorporateAction:
    """A split or dividend from ``events``: exchange-local date, kind, and the split ratio
    (numerator / denominator, e.g. 4.0 for 4:1) or the dividend (currency per share)."""

    date: pd.Timestamp
    kind: str  # "split" or "dividend"
    value: float


def corporate_actions(raw: bytes, what: str = "yahoo") -> list[CorporateAction]:
    """Splits and dividends reported in a chart body, oldest first."""
    result = _result(raw, what, "?")
    events = result.get("events") or {}
    if not isinstance(events, dict):
        raise PayloadError(f"{what}: 'events' is not an object; Yahoo format changed?")
    out: list[CorporateAction] = []
    for key, kind in (("splits", "split"), ("dividends", "dividend")):
        table = events.get(key) or {}
        if not isinstance(table, dict):
            raise PayloadError(f"{what}: events.{key} is not an object; Yahoo format changed?")
        for ev in table.values():
            try:
                stamp = int(ev["date"])
                value = (float(ev["numerator"]) / float(ev["denominator"]) if kind == "split"
                         else float(ev["amount"]))
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                raise PayloadError(f"{what}: a {kind} event without its date or amount; "
                                   "Yahoo format changed?") from None
            day = _local_dates([stamp], result["meta"], what)[0]
            out.append(CorporateAction(pd.Timestamp(day), kind, value))
    return sorted(out, key=lambda a: (a.date, a.kind))


def history_rewritten(raw: bytes, stored_close: pd.Series, *, field: str = "close",
                      tolerance: float = REWRITE_TOLERANCE, what: str = "yahoo") -> bool:
    """Whether Yahoo's body puts ``stored_close`` (values by observation date, the stored
    ``field`` series) on an older price basis, so the whole history must be fetched again.

    True when a value of the body differs from the stored one on the same date by more than
    ``tolerance`` (relative), or when the body reports a split or dividend dated after the
    last stored date (it rewrites the history the next fetch will overlap). False when
    nothing is stored yet. ``what`` names source and series in a PayloadError (``"yahoo:
    NVDA"``). Pure: no I/O, no clock.
    """
    stored = pd.Series(stored_close, dtype="float64").dropna()
    if stored.empty:
        return False
    stored.index = pd.DatetimeIndex(stored.index).normalize()
    result = _result(raw, what, "?")
    fetched = pd.Series(dict(_pairs(result, field, what)), dtype="float64").dropna()
    common = fetched.index.intersection(stored.index)
    if len(common):
        a, b = fetched.loc[common].to_numpy(), stored.loc[common].to_numpy()
        gap = abs(a - b) / abs(b).clip(min=1e-12)
        if (gap > tolerance).any():
            return True
    last = stored.index.max()
    return any(act.date > last for act in corporate_actions(raw, what))


def as_new_vintage(obs: list[Observation], today: pd.Timestamp) -> list[Observation]:
    """The observations of a whole-history refetch, each as a revision dated ``today``
    (point in time: the old basis stays what was known before ``today``)."""
    day = pd.Timestamp(today).normalize()
    return [replace(o, as_of=day, vintage=True) for o in obs]


class YahooFetcher:
    """Daily closes from the Yahoo chart API, in stored units."""

    source: ClassVar[str] = "yahoo"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """Daily bars of ``spec.source_id`` from ``start`` to ``end`` inclusive."""
        lo = pd.Timestamp(start) if start is not None else pd.Timestamp(spec.start or FIRST_DATE)
        hi = pd.Timestamp(end) if end is not None else pd.Timestamp(current_date())
        params = {"interval": "1d", "period1": _epoch(lo),
                  "period2": _epoch(hi + pd.Timedelta(days=1)),
                  "events": "div,splits", "includeAdjustedClose": "true"}
        return Query(spec=spec, start=lo.normalize(), end=hi.normalize(),
                     url=chart_url(spec.source_id), params=params)

    def history_query(self, spec: SeriesSpec, end: pd.Timestamp | None = None) -> Query:
        """The whole daily history of ``spec.source_id`` (``range=max``) up to ``end``."""
        hi = pd.Timestamp(end) if end is not None else pd.Timestamp(current_date())
        params = {"interval": "1d", "range": "max", "events": "div,splits",
                  "includeAdjustedClose": "true"}
        return Query(spec=spec, start=None, end=hi.normalize(), url=chart_url(spec.source_id),
                     params=params)

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """The raw chart JSON (browser User-Agent)."""
        return fetch.get(query.url, params=query.params,
                         headers={"User-Agent": BROWSER_USER_AGENT}, what=_what(query.spec))

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Observations in ``[start, end]`` by exchange-local trading date, oldest first."""
        spec = query.spec
        pairs = [(d, v) for d, v in parse_chart(spec, raw)
                 if (query.start is None or d >= query.start)
                 and (query.end is None or d <= query.end)]
        released = release_dates(spec, [d for d, _ in pairs])
        return [Observation(spec.id, d, scaled(spec, v), a)
                for (d, v), a in zip(pairs, released)]

    def needs_full_history(self, query: Query, raw: bytes, observations: list[Observation],
                           stored: pd.DataFrame | None) -> bool:
        """Whether this answer rewrote the stored history (see :func:`history_rewritten`).

        ``stored`` holds the stored rows of the window re-read (columns ``obs_date`` and
        ``value``), as the update passes them.
        """
        if stored is None or len(stored) == 0:
            return False
        close = pd.Series(stored["value"].to_numpy(float),
                          index=pd.to_datetime(stored["obs_date"]))
        return history_rewritten(raw, close, field=query.spec.field, what=_what(query.spec))

    def full_history(self, spec: SeriesSpec, today: pd.Timestamp,
                     fetch: Fetch) -> list[Observation]:
        """The whole history again, every row a revision dated ``today`` (one price basis)."""
        query = self.history_query(spec, today)
        return as_new_vintage(self.transform(query, self.extract(query, fetch)), today)
