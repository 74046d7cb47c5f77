"""Cboe: the exchange's own daily history of its volatility indexes (VIX), keyless.

``GET https://cdn.cboe.com/api/global/us_indices/daily_prices/{INDEX}_History.csv``
(``spec.source_id`` = ``VIX``) returns the whole daily history from 1990-01-02 in one CSV:
``DATE,OPEN,HIGH,LOW,CLOSE`` with dates as ``MM/DD/YYYY`` and index points. The close is
stored (index points, no scaling). Cboe updates the file after the close; the catalog
dates a close as public the next business day, like FRED's VIXCLS copy of it.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.http import Fetch
from dollarliq.sources._csvfile import observations, read_columns, window
from dollarliq.sources.base import Observation, Query

HISTORY_URL = "https://cdn.cboe.com/api/global/us_indices/daily_prices/{index}_History.csv"
DATE_COLUMN = "DATE"
DATE_FORMAT = "%m/%d/%Y"
VALUE_COLUMN = "CLOSE"


def _what(spec: SeriesSpec) -> str:
    return f"cboe: {spec.id}"


def parse_history(spec: SeriesSpec, raw: bytes) -> dict[pd.Timestamp, float | None]:
    """``{date: close}`` from a ``*_History.csv`` body (index points)."""
    return read_columns(raw, _what(spec), DATE_COLUMN, VALUE_COLUMN, "Cboe", DATE_FORMAT)


class CboeFetcher:
    """Daily closes of a Cboe index from the exchange's history file."""

    source: ClassVar[str] = "cboe"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """The whole-history file of ``spec.source_id``; ``[start, end]`` filters rows."""
        lo, hi = window(start, end)
        return Query(spec=spec, start=lo, end=hi,
                     url=HISTORY_URL.format(index=spec.source_id), params={})

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """The raw CSV."""
        return fetch.get(query.url, what=_what(query.spec))

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Closes in ``[start, end]``, oldest first."""
        return observations(query.spec, query, parse_history(query.spec, raw))
