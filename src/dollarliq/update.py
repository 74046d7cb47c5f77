"""``dollarliq update``: fetch newer data from the real sources into the user store.

Everything is fetched first, then written in one transaction: a timeout, an HTTP error or a
body that does not parse leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dollarliq.catalog import SeriesSpec, get_spec, specs_for_source
from dollarliq.errors import UsageError
from dollarliq.http import Fetch
from dollarliq.sources import UPDATABLE_SOURCES, get_fetcher
from dollarliq.store import Store, observations_frame

OVERLAP_DAYS = 45  # re-read this many days before the last stored date, to catch revisions
DEFAULT_HISTORY_START = pd.Timestamp("2015-01-01")


@dataclass(frozen=True)
class UpdateResult:
    series: int
    fetched: int
    added: int
    data_end: object  # datetime.date | None


def plan(store: Store, sources: Sequence[str] | None, since: pd.Timestamp | None,
         series: Sequence[str] | None = None) -> list[tuple[SeriesSpec, pd.Timestamp]]:
    """The series to fetch and the first observation date to ask for, per series."""
    chosen = list(sources) if sources else list(UPDATABLE_SOURCES)
    for s in chosen:
        if s not in UPDATABLE_SOURCES:
            raise UsageError(f"--source {s!r}: choose from {', '.join(UPDATABLE_SOURCES)}")
    only = {get_spec(s).id for s in series} if series else None
    if only:
        for sid in only:
            if get_spec(sid).source not in chosen:
                raise UsageError(f"--series {sid}: it comes from {get_spec(sid).source}, "
                                 f"which is not among --source {', '.join(chosen)}")
    cov = store.coverage()
    out = []
    for src in chosen:
        for spec in specs_for_source(src):
            if only is not None and spec.id not in only:
                continue
            if since is not None:
                start = pd.Timestamp(since)
            elif spec.id in cov:
                start = pd.Timestamp(cov[spec.id].last_obs) - pd.Timedelta(days=OVERLAP_DAYS)
            else:
                start = max(DEFAULT_HISTORY_START, pd.Timestamp(spec.start or "1900-01-01"))
            out.append((spec, start))
    return out


def _vintages_wanted(spec: SeriesSpec) -> bool:
    """Weekly H.4.1 series and the broad dollar get revised: ask ALFRED when a key is set."""
    import os

    return (spec.source == "fred" and bool(os.environ.get("FRED_API_KEY"))
            and (spec.freq.startswith("W") or spec.id == "DTWEXBGS"))


def _yahoo_rows(spec: SeriesSpec, fetcher, query, raw: bytes, fetch: Fetch, store: Store,
                end: pd.Timestamp) -> pd.DataFrame:
    """Yahoo rows; after a split or dividend that rewrote history, the whole history again,
    every row a revision dated ``end`` (never two price bases in one series)."""
    from dollarliq.sources import yahoo

    known = store.query([spec.id], as_of=None)
    stored = pd.Series(known["value"].to_numpy(float), index=pd.to_datetime(known["obs_date"]))
    if not yahoo.history_rewritten(raw, stored, field=spec.field, what=f"yahoo: {spec.id}"):
        return observations_frame(fetcher.transform(query, raw))
    query = fetcher.history_query(spec, end)
    whole = fetcher.transform(query, fetcher.extract(query, fetch))
    return observations_frame(yahoo.as_new_vintage(whole, end))


def fetch_all(todo: Sequence[tuple[SeriesSpec, pd.Timestamp]], fetch: Fetch, *,
              end: pd.Timestamp,
              progress: Callable[[SeriesSpec], None] | None = None,
              store: Store | None = None) -> list[pd.DataFrame]:
    """Fetch every planned series; raise on the first failure (nothing is written).

    NY Fed series that share one request (SOFR and its percentiles and volume) are fetched
    once per group, from the earliest start the group needs.
    """
    from dollarliq.sources import nyfed

    frames = []
    nyfed_todo = [(s, st) for s, st in todo if s.source == "nyfed"]
    for group in nyfed.group_by_source_id([s for s, _ in nyfed_todo]).values():
        start = min(st for s, st in nyfed_todo if s in group)
        by_id = nyfed.fetch_group(group, fetch, start, end)
        for spec in group:
            frames.append(observations_frame(by_id.get(spec.id, [])))
            if progress is not None:
                progress(spec)
    for spec, start in todo:
        if spec.source == "nyfed":
            continue
        fetcher = get_fetcher(spec.source)
        if _vintages_wanted(spec):
            query = fetcher.build_query(spec, start, end, vintages=True,
                                        realtime_start=start)
        else:
            query = fetcher.build_query(spec, start, end)
        raw = fetcher.extract(query, fetch)
        if spec.source == "yahoo" and store is not None:
            frames.append(_yahoo_rows(spec, fetcher, query, raw, fetch, store, end))
        else:
            frames.append(observations_frame(fetcher.transform(query, raw)))
        if progress is not None:
            progress(spec)
    return frames


def run_update(store: Store, fetch: Fetch, *, sources: Sequence[str] | None = None,
               series: Sequence[str] | None = None,
               since: pd.Timestamp | None = None, today: pd.Timestamp | None = None,
               progress: Callable[[SeriesSpec], None] | None = None,
               on_plan: Callable[[int], None] | None = None) -> UpdateResult:
    """Fetch, then write atomically. Returns counts and the new data end."""
    end = pd.Timestamp(today or pd.Timestamp.today()).normalize()
    todo = plan(store, sources, since, series)
    if on_plan is not None:
        on_plan(len(todo))
    frames = fetch_all(todo, fetch, end=end, progress=progress, store=store)
    fetched = sum(len(f) for f in frames)
    added = store.write(frames)
    return UpdateResult(series=len(todo), fetched=fetched, added=added,
                        data_end=store.data_end([s.id for s, _ in todo]))
