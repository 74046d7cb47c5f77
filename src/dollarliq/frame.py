"""The one reader: what the store knew on a date, shaped for the computations.

:func:`read_rows` reads every vintage a command needs in one query; :class:`Rows` derives
the point-in-time views from it (first release, latest vintage as of a date, one series,
a wide frame). :func:`check_query`, :func:`load_long`, :func:`load_frame` and
:func:`load_series` serve the light ``series show`` path and single-series reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dollarliq.catalog import get_spec
from dollarliq.dates import as_date, today
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
        raise UsageError(f"end date {end:%Y-%m-%d} is before start date {start:%Y-%m-%d}")
    if as_of is not None:
        first = store.first_as_of(canon)
        if first is None:
            raise NotEnoughData(f"no data for {', '.join(canon)}; run `dollarliq update`")
        if as_of < first:
            raise UsageError(
                f"as-of date {as_of:%Y-%m-%d} is before the data begin: the first value of "
                f"{', '.join(canon)} became public on {first:%Y-%m-%d}")
        if as_of > today():
            end_ = store.data_end(canon)
            raise UsageError(f"as-of date {as_of:%Y-%m-%d} is in the future (the data end on "
                             f"{end_:%Y-%m-%d})")
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


class Rows:
    """Every vintage of some series, read from the store in one query.

    The point-in-time views a command needs (the first release of each observation, the
    latest vintage public on a date, a wide frame, one series) are derived from these rows
    in memory, so a command reads the store once whatever it computes.

    Parameters
    ----------
    rows : pandas.DataFrame
        Long frame (series_id, obs_date, value, as_of), sorted, as returned by
        :meth:`dollarliq.store.Store.rows`, values in stored units.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows
        known = rows[rows["value"].notna()]
        g = known.groupby("series_id", sort=False, observed=True)
        #: first public date, last observation date, last release date per series
        self.first_public = {str(k): v for k, v in g["as_of"].min().items()}
        self.last_obs = {str(k): v for k, v in g["obs_date"].max().items()}
        self.last_release = {str(k): v for k, v in g["as_of"].max().items()}

    def _pick(self, ids: Sequence[str] | None, as_of, *, first: bool) -> pd.DataFrame:
        import pandas as pd

        r = self.rows
        if ids is not None:
            r = r[r["series_id"].isin(list(ids))]
        if as_of is not None:
            r = r[r["as_of"] <= pd.Timestamp(as_of)]
        # rows are sorted by (series, obs_date, as_of, fetched_at): the first row of a group
        # is the first release, the last row the latest vintage
        keep = "first" if first else "last"
        r = r.drop_duplicates(["series_id", "obs_date"], keep=keep)
        r = r[["series_id", "obs_date", "value", "as_of"]].reset_index(drop=True)
        # plain strings for the computations, whatever the reader's storage
        return r.assign(series_id=r["series_id"].astype(str))

    def first_release(self, ids: Sequence[str] | None = None, *, as_of=None) -> pd.DataFrame:
        """Each observation as first published, public on ``as_of`` (like
        :meth:`Store.first_release`)."""
        return self._pick(ids, as_of, first=True)

    def latest(self, ids: Sequence[str] | None = None, *, as_of=None) -> pd.DataFrame:
        """The latest vintage of each observation public on ``as_of`` (like
        :meth:`Store.query`); ``as_of=None`` means everything known."""
        return self._pick(ids, as_of, first=False)

    def series_map(self, ids: Sequence[str] | None = None, *, as_of=None) -> dict[str, pd.Series]:
        """{series id: Series of the values public on ``as_of``}, missing values dropped;
        a series without any value is left out."""
        long = self.latest(ids, as_of=as_of)
        long = long[long["value"].notna()]
        return {str(k): g.set_index("obs_date")["value"].rename(str(k))
                for k, g in long.groupby("series_id", sort=False, observed=True)}


def read_rows(store: Store, ids: Sequence[str]) -> Rows:
    """The one read of the store: every vintage of ``ids`` (see :class:`Rows`)."""
    return Rows(store.rows(ids))
