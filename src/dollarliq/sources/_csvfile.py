"""Shared reading of a whole-history CSV file (one date column, value columns by name).

Used by the publishers that offer one file with the full history and no query parameters
(OFR's ``fsi.csv``, Cboe's ``VIX_History.csv``). Columns are found by header name, never by
position; an HTML page, an empty body, a missing column or a cut row is a PayloadError that
names the source and series.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.errors import PayloadError
from dollarliq.sources.base import Observation, Query, parse_number, release_dates, scaled

_MISSING = ("", ".", "NA", "N/A", "null", "NaN")


def read_columns(raw: bytes, what: str, date_column: str, column: str, publisher: str,
                 date_format: str | None = None) -> dict[pd.Timestamp, float | None]:
    """``{date: value}`` of ``column`` in a CSV whose dates are in ``date_column``.

    ``date_format`` is a strptime format (``%m/%d/%Y``); None reads ISO dates. Header names
    are matched case-insensitively after stripping spaces.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; {publisher} format changed?"
                           ) from None
    head = text.lstrip()[:200].lower()
    if not head:
        raise PayloadError(f"{what}: empty body from {publisher}")
    if head.startswith("<") or "<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of {publisher}'s CSV; "
                           "try again later")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    names = {h.lower(): i for i, h in enumerate(header)}
    for need in (date_column, column):
        if need.lower() not in names:
            raise PayloadError(f"{what}: no {need!r} column in {publisher}'s CSV "
                               f"(header: {','.join(header)[:80]}); format changed?")
    di, vi = names[date_column.lower()], names[column.lower()]
    out: dict[pd.Timestamp, float | None] = {}
    for row in reader:
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise PayloadError(f"{what}: CSV row {','.join(row)[:40]!r} has {len(row)} "
                               f"fields, expected {len(header)} (truncated?)")
        date = row[di].strip()
        try:
            d = (pd.to_datetime(date, format=date_format) if date_format
                 else pd.Timestamp(date) if len(date) == 10 else pd.NaT)
        except (ValueError, TypeError):
            d = pd.NaT
        if d is pd.NaT:
            raise PayloadError(f"{what}: {date[:20]!r} is not a date; {publisher} format "
                               "changed?")
        out[d] = parse_number(row[vi], what, date, _MISSING)
    return out


def observations(spec: SeriesSpec, query: Query,
                 points: dict[pd.Timestamp, float | None]) -> list[Observation]:
    """Observations in ``[query.start, query.end]``, stored units, oldest first."""
    dates = sorted(d for d in points
                   if (query.start is None or d >= query.start)
                   and (query.end is None or d <= query.end))
    released = release_dates(spec, dates)
    return [Observation(spec.id, d, scaled(spec, points[d]), a) for d, a in zip(dates, released)]


def window(start: pd.Timestamp | None, end: pd.Timestamp | None
           ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Normalised ``(start, end)``."""
    return (pd.Timestamp(start).normalize() if start is not None else None,
            pd.Timestamp(end).normalize() if end is not None else None)
