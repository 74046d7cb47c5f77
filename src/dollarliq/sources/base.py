"""The fetcher protocol: query -> raw bytes (I/O) -> observations (pure).

Every provider module implements :class:`Fetcher`. ``extract`` is the only method that does
I/O; ``transform`` is a pure function of the raw body, so a recorded body replays exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.errors import PayloadError
from dollarliq.http import Fetch


@dataclass(frozen=True)
class Query:
    """What to ask a provider for: one series over ``[start, end]`` (observation dates)."""

    spec: SeriesSpec
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    vintages: bool = False
    url: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """One value in stored units, with the date it describes and the date it became public.

    value is ``None`` for a missing observation (FRED's ``.``). ``vintage`` is True when
    ``as_of`` comes from the provider's own real-time record (ALFRED ``realtime_start``),
    False when it comes from the catalog's release rule.
    """

    series_id: str
    obs_date: pd.Timestamp
    value: float | None
    as_of: pd.Timestamp
    vintage: bool = False


class Fetcher(Protocol):
    """A provider. Two optional methods change how ``dollarliq update`` uses it:

    - ``group_key(spec) -> str`` and ``fetch_group(specs, fetch, start, end) ->
      {spec.id: [Observation]}``: series with the same key are served by one request.
    - ``needs_full_history(query, raw, observations, stored) -> bool``: called with the
      stored rows of the re-read window (a frame: series_id, obs_date, value, as_of); True
      makes the update read the whole history again (``build_query(spec, None, end)``), for
      a provider that rewrites history (Yahoo after a split or a dividend).
    """

    source: ClassVar[str]

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None,
                    end: pd.Timestamp | None) -> Query: ...

    def extract(self, query: Query, fetch: Fetch) -> bytes: ...

    def transform(self, query: Query, raw: bytes) -> list[Observation]: ...


def run_fetch(fetcher: Fetcher, spec: SeriesSpec, fetch: Fetch,
              start: pd.Timestamp | None = None,
              end: pd.Timestamp | None = None) -> list[Observation]:
    """build_query -> extract -> transform for one series."""
    query = fetcher.build_query(spec, start, end)
    raw = fetcher.extract(query, fetch)
    return fetcher.transform(query, raw)


def release_dates(spec: SeriesSpec, obs_dates: list[pd.Timestamp]) -> list[pd.Timestamp]:
    """The catalog's release rule applied to observation dates (when the source gives none)."""
    if not obs_dates:
        return []
    return [pd.Timestamp(d) for d in spec.release.apply(pd.DatetimeIndex(obs_dates))]


def scaled(spec: SeriesSpec, value: float | None) -> float | None:
    """Native units -> stored units, once, at ingestion.

    Where the FRED mirror prints the stored unit itself (``spec.fred_scale`` set, e.g. ON RRP:
    USD at the NY Fed, USD billions on FRED), a downscale is an exact division, so that
    2,114,439,000,000 USD becomes the same double as FRED's ``2114.439`` and an update does
    not see a revision in the last bit.
    """
    if value is None:
        return None
    if spec.fred_scale is not None and 0 < spec.scale < 1:
        return float(value) / round(1 / spec.scale)
    return float(value) * spec.scale


def parse_number(value: object, what: str, date: str, missing: tuple[str, ...], *,
                 noun: str = "value", hint: str = "") -> float | None:
    """A number from a body's cell: JSON numbers as they are, text without thousands
    separators; a publisher's missing-value marker (``missing``) is None.

    PayloadError naming the series (``what``), the cell and its date otherwise (a boolean, a
    word where a number belongs); ``hint`` is appended, e.g. "; DDP format changed?".
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise PayloadError(f"{what}: {noun} {value!r} on {date} is not a number{hint}")
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip().replace(",", "")
    if s in missing:
        return None
    try:
        return float(s)
    except ValueError:
        raise PayloadError(f"{what}: {noun} {s[:20]!r} on {date} is not a number{hint}") \
            from None
