"""FRED: the ``series/observations`` API (with ALFRED vintages) and the keyless fredgraph.csv.

With ``FRED_API_KEY`` set, observations come from the API as JSON. The key is read from the
environment at request time only: it is never part of a :class:`Query`, a message or a
returned value. Without a key, the public ``fredgraph.csv`` download is tried as a last
resort (latest vintage only); since about 2026-05-30 FRED answers it with HTTP 403, which is
reported as "set FRED_API_KEY". The series of the stage rules do not depend on it: they come
from their publishers (NY Fed, Treasury, Federal Reserve Board, Cboe), FRED is their mirror.

Point in time:

- latest vintage (API without vintages, fredgraph.csv): ``as_of`` is the catalog release rule
  applied to the observation date;
- vintages (API with ``realtime_start``/``realtime_end``): ``as_of`` is the row's
  ``realtime_start``; where the query's real-time window clips a row (its ``realtime_start``
  equals the window start), ``as_of`` is ``max(realtime_start, release rule)`` so that
  nothing is visible before it was public.

FRED's ``.`` (and an empty fredgraph cell) is a missing value: ``Observation.value`` is None.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any, ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.dates import today
from dollarliq.errors import CredentialsMissing, PayloadError, SourceError
from dollarliq.http import Fetch, redact
from dollarliq.sources.base import Observation, Query, parse_number, release_dates

API_URL = "https://api.stlouisfed.org/fred/series/observations"
GRAPH_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
KEY_ENV = "FRED_API_KEY"

#: FRED answers 400 when a real-time window holds more than 2000 vintage dates. A vintage
#: date is a calendar day, so windows of at most this many days are always under the cap.
MAX_REALTIME_DAYS = 1800
#: FRED's maximum ``limit`` per request.
PAGE_LIMIT = 100_000
EARLIEST = pd.Timestamp("1776-07-04")
LATEST = pd.Timestamp("9999-12-31")


def mirror_scaled(spec: SeriesSpec, value: float | None) -> float | None:
    """FRED's units -> stored units (``spec.mirror_scale``: FRED's unit can differ from the
    publisher's, e.g. ON RRP in USD billions on FRED, in USD at the NY Fed)."""
    return None if value is None else float(value) * spec.mirror_scale


def fred_id(spec: SeriesSpec) -> str:
    """The FRED id of ``spec``: its own id for FRED series, else its FRED mirror."""
    return spec.fred_id or spec.source_id


def _what(spec: SeriesSpec) -> str:
    return f"fred: {spec.id}"


def _day(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else pd.Timestamp(ts).strftime("%Y-%m-%d")


def realtime_chunks(start: pd.Timestamp, end: pd.Timestamp,
                    max_days: int = MAX_REALTIME_DAYS) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split the real-time window ``[start, end]`` into windows of at most ``max_days`` days.

    Each window then holds at most ``max_days`` vintage dates, under FRED's 2000 cap.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    lo = start
    while lo <= end:
        hi = min(lo + pd.Timedelta(days=max_days - 1), end)
        out.append((lo, hi))
        lo = hi + pd.Timedelta(days=1)
    return out


class FredFetcher:
    """FRED observations in stored units (``spec.scale`` applied once)."""

    source: ClassVar[str] = "fred"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None, *, vintages: bool = False,
                    realtime_start: pd.Timestamp | None = None,
                    realtime_end: pd.Timestamp | None = None) -> Query:
        """The API query when ``FRED_API_KEY`` is set, else the fredgraph.csv query.

        ``vintages=True`` asks the API for every vintage in ``[realtime_start, realtime_end]``
        (default: the whole history up to ``end``, or today); it needs a key.
        """
        sid = fred_id(spec)
        if os.environ.get(KEY_ENV):
            params: dict[str, Any] = {"series_id": sid, "file_type": "json"}
            if start is not None:
                params["observation_start"] = _day(start)
            if end is not None:
                params["observation_end"] = _day(end)
            if vintages:
                rt_end = realtime_end if realtime_end is not None else pd.Timestamp(today())
                rt_start = realtime_start if realtime_start is not None else (
                    pd.Timestamp(start) if start is not None else EARLIEST)
                params["realtime_start"] = _day(rt_start)
                params["realtime_end"] = _day(min(pd.Timestamp(rt_end), LATEST))
            return Query(spec=spec, start=start, end=end, vintages=vintages, url=API_URL,
                         params=params)
        if vintages:
            raise CredentialsMissing(
                f"fred: {spec.id}: vintages need the FRED API; set FRED_API_KEY "
                "(free at fred.stlouisfed.org/docs/api/api_key.html)")
        params = {"id": sid}
        if start is not None:
            params["cosd"] = _day(start)
        if end is not None:
            params["coed"] = _day(end)
        return Query(spec=spec, start=start, end=end, url=GRAPH_URL, params=params)

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """Download the body. API answers over several real-time windows or pages are merged
        into one observations JSON body, in FRED's own shape."""
        what = _what(query.spec)
        if query.url != API_URL:
            try:
                return fetch.get(query.url, params=query.params, what=what)
            except SourceError as exc:
                if "HTTP 403" not in str(exc):
                    raise
                raise CredentialsMissing(
                    f"{what}: FRED refuses keyless fredgraph.csv downloads (HTTP 403); set "
                    "FRED_API_KEY (free at fred.stlouisfed.org/docs/api/api_key.html)") from exc
        key = os.environ.get(KEY_ENV)
        if not key:
            raise CredentialsMissing(f"{what}: FRED_API_KEY is not set")
        windows: list[dict[str, str]] = [{}]
        if query.vintages:
            windows = [{"realtime_start": _day(a), "realtime_end": _day(b)}
                       for a, b in realtime_chunks(pd.Timestamp(query.params["realtime_start"]),
                                                   pd.Timestamp(query.params["realtime_end"]))]
        pages: list[bytes] = []
        for window in windows:
            pages.extend(self._pages(query, fetch, key, window))
        if len(pages) == 1:
            return pages[0]
        rows: list[Any] = []
        for body in pages:
            rows.extend(_observation_rows(_load_json(body, what), what))
        return json.dumps({"observations": rows}).encode()

    def _pages(self, query: Query, fetch: Fetch, key: str,
               window: dict[str, str]) -> list[bytes]:
        what = _what(query.spec)
        out: list[bytes] = []
        offset = 0
        while True:
            params = {**query.params, **window, "api_key": key}
            if offset:
                params["offset"] = offset
            body = fetch.get(query.url, params=params, what=what)
            out.append(body)
            doc = _load_json(body, what)
            n = len(_observation_rows(doc, what))
            count = doc.get("count")
            offset += n
            if not isinstance(count, int) or n == 0 or offset >= count or n < PAGE_LIMIT:
                return out

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Observations in stored units, oldest first; PayloadError if the body is not FRED's."""
        spec = query.spec
        what = _what(spec)
        text = _text(raw, what)
        if text.lstrip().startswith("{"):
            return _from_json(query, _load_json(raw, what))
        return _from_csv(spec, text, fred_id(spec))


def _text(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; FRED format changed?") from None
    head = text.lstrip()[:200].lower()
    if head.startswith("<") or "<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of data (blocked or an error "
                           "page); try again later")
    if not head:
        raise PayloadError(f"{what}: empty body")
    return text


def _load_json(raw: bytes, what: str) -> dict:
    try:
        doc = json.loads(_text(raw, what))
    except json.JSONDecodeError:
        raise PayloadError(f"{what}: body is not valid JSON (truncated?)") from None
    if not isinstance(doc, dict):
        raise PayloadError(f"{what}: JSON body is not an object; FRED format changed?")
    if "error_message" in doc:
        msg = redact(str(doc["error_message"]).strip())[:200]
        raise SourceError(f"{what}: FRED error: {msg}")
    return doc


def _observation_rows(doc: dict, what: str) -> list[Any]:
    rows = doc.get("observations")
    if not isinstance(rows, list):
        raise PayloadError(f"{what}: no 'observations' list in the FRED body; format changed?")
    return rows


#: FRED writes a missing observation as "."
_MISSING = ("", ".")


def _value(text: Any, what: str, date: str) -> float | None:
    return parse_number(text, what, date, _MISSING)


def _date(text: Any, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(str(text).strip())
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT or len(str(text).strip()) != 10:
        raise PayloadError(f"{what}: {str(text)[:20]!r} is not a date; format changed?")
    return ts


def _from_json(query: Query, doc: dict) -> list[Observation]:
    spec = query.spec
    what = _what(spec)
    rows = _observation_rows(doc, what)
    parsed: list[tuple[pd.Timestamp, float | None, pd.Timestamp]] = []
    for row in rows:
        if not isinstance(row, dict) or not {"date", "value", "realtime_start"} <= row.keys():
            raise PayloadError(f"{what}: observation row without date/value/realtime_start; "
                               "FRED format changed?")
        d = _date(row["date"], what)
        value = _value(row["value"], what, row["date"])
        parsed.append((d, value, _date(row["realtime_start"], what)))
    if not parsed:
        return []
    rule = release_dates(spec, [d for d, _, _ in parsed])
    window_start = query.params.get("realtime_start") if query.vintages else None
    window_start = pd.Timestamp(window_start) if window_start else None
    out: list[Observation] = []
    for (d, v, rt_start), released in zip(parsed, rule):
        vintage = query.vintages
        if not query.vintages:
            as_of = released
        elif window_start is not None and rt_start <= window_start:
            as_of = max(rt_start, released)  # clipped by the window: not known before release
            vintage = False  # the true vintage start lies before the window
        else:
            as_of = rt_start
        out.append(Observation(spec.id, d, mirror_scaled(spec, v), as_of, vintage=vintage))
    return _dedupe(out)


def _dedupe(obs: list[Observation]) -> list[Observation]:
    """Sort by (obs_date, as_of) and drop a vintage that repeats the previous value.

    Chunked real-time windows return a vintage that spans a chunk boundary twice (the
    second copy clipped to the later window); only the first is kept.
    """
    obs = sorted(obs, key=lambda o: (o.obs_date, o.as_of))
    out: list[Observation] = []
    for o in obs:
        if out and out[-1].obs_date == o.obs_date and (
                out[-1].value == o.value or out[-1].as_of == o.as_of):
            if out[-1].as_of == o.as_of:
                out[-1] = o  # same day, later row wins
            continue
        out.append(o)
    return out


def _from_csv(spec: SeriesSpec, text: str, sid: str) -> list[Observation]:
    what = _what(spec)
    if not text.endswith("\n"):
        raise PayloadError(f"{what}: fredgraph.csv body does not end with a newline (truncated?)")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows[0]) < 2:
        raise PayloadError(f"{what}: fredgraph.csv has no header; format changed?")
    header = [h.strip() for h in rows[0]]
    # The date column is read by position: FRED renamed it (DATE -> observation_date) before.
    if header[1].upper() != sid.upper():
        raise PayloadError(f"{what}: unexpected fredgraph.csv header "
                           f"{','.join(header)[:80]!r}; format changed?")
    dates: list[pd.Timestamp] = []
    values: list[float | None] = []
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != len(header):
            raise PayloadError(f"{what}: fredgraph.csv row {','.join(row)[:40]!r} has "
                               f"{len(row)} fields, expected {len(header)} (truncated?)")
        dates.append(_date(row[0], what))
        values.append(_value(row[1], what, row[0]))
    released = release_dates(spec, dates)
    return [Observation(spec.id, d, mirror_scaled(spec, v), a)
            for d, v, a in zip(dates, values, released)]
