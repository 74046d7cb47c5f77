"""Office of Financial Research: the OFR Financial Stress Index, keyless.

``GET https://www.financialresearch.gov/financial-stress-index/data/fsi.csv`` returns the
whole daily history (from 2000-01-03) in one CSV, no parameters:
``Date,OFR FSI,Credit,Equity valuation,Safe assets,Funding,Volatility,United States,
Other advanced economies,Emerging markets``. The index and its contributions are unitless
(0 = average stress; the five category contributions sum to the index, to rounding).
``spec.source_id`` names the column (``OFR FSI``, ``Funding``). A day's value is published
with the next business day's update (the catalog's release rule).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.http import Fetch
from dollarliq.sources._csvfile import observations, read_columns, window
from dollarliq.sources.base import Observation, Query

FSI_URL = "https://www.financialresearch.gov/financial-stress-index/data/fsi.csv"
DATE_COLUMN = "Date"


def _what(spec: SeriesSpec) -> str:
    return f"ofr: {spec.id}"


def parse_fsi(spec: SeriesSpec, raw: bytes) -> dict[pd.Timestamp, float | None]:
    """``{date: value}`` of the column ``spec.source_id`` of an ``fsi.csv`` body."""
    return read_columns(raw, _what(spec), DATE_COLUMN, spec.source_id, "OFR")


class OfrFetcher:
    """OFR Financial Stress Index columns, index units."""

    source: ClassVar[str] = "ofr"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """The whole-history file; ``[start, end]`` filters the rows kept."""
        lo, hi = window(start, end)
        return Query(spec=spec, start=lo, end=hi, url=FSI_URL, params={})

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """The raw CSV."""
        return fetch.get(query.url, what=_what(query.spec))

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Observations in ``[start, end]``, oldest first."""
        return observations(query.spec, query, parse_fsi(query.spec, raw))
