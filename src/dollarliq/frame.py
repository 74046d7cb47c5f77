"""Point-in-time frames: what the store knew on a date, shaped for indicators.

From here on everything is a pure function of ``(store, as_of)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dollarliq.catalog import get_spec
from dollarliq.dates import as_date
from dollarliq.errors import NotEnoughData, UsageError
from dollarliq.store import Store

if TYPE_CHECKING:
    import pandas as pd


def check_query(store: Store, ids: Sequence[str], *, as_of=None, start=None,
                end=None) -> list[str]:
    """Validate a point-in-time request; return the canonical ids.

    UnknownSeries for an id not in the catalog; UsageError for an end before the start or an
    ``as_of`` before the first public value; NotEnoughData when the store has no such data.
    """
    canon = [get_spec(i).id for i in ids]
    start, end, as_of = as_date(start), as_date(end), as_date(as_of)
    if start is not None and end is not None and end < start:
        raise UsageError(f"--end {end:%Y-%m-%d} is before --start {start:%Y-%m-%d}")
    if as_of is not None:
        first = store.first_as_of(canon)
        if first is None:
            raise NotEnoughData(f"no data for {', '.join(canon)}; run `dollarliq update`")
        if as_of < first:
            raise UsageError(
                f"--as-of {as_of:%Y-%m-%d} is before the data begin: the first value of "
                f"{', '.join(canon)} became public on {first:%Y-%m-%d}")
    return canon


def load_long(store: Store, ids: Sequence[str], *, as_of: pd.Timestamp | dt.date | None,
              start: pd.Timestamp | dt.date | None = None,
              end: pd.Timestamp | dt.date | None = None) -> pd.DataFrame:
    """Long frame (series_id, obs_date, value, as_of) as known on ``as_of``.

    Raises UnknownSeries for an id not in the catalog, and NotEnoughData for an ``as_of``
    before any of the series had a public value.
    """
    canon = check_query(store, ids, as_of=as_of, start=start, end=end)
    return store.query(canon, as_of=as_of, start=start, end=end)


def load_frame(store: Store, ids: Sequence[str], *, as_of: pd.Timestamp | None,
               start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Wide frame, one column per series id, indexed by observation date, in stored units."""
    long = load_long(store, ids, as_of=as_of, start=start, end=end)
    wide = long.pivot(index="obs_date", columns="series_id", values="value")
    cols = [get_spec(i).id for i in ids]
    return wide.reindex(columns=cols).sort_index()


def load_series(store: Store, series_id: str, *, as_of: pd.Timestamp | None,
                start: pd.Timestamp | None = None,
                end: pd.Timestamp | None = None) -> pd.Series:
    """One series as known on ``as_of`` (missing observations dropped), stored units."""
    sid = get_spec(series_id).id
    long = load_long(store, [sid], as_of=as_of, start=start, end=end)
    s = long.set_index("obs_date")["value"].dropna()
    s.name = sid
    return s
