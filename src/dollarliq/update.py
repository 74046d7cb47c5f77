"""``dollarliq update``: fetch newer data from the real sources into the user store.

Everything is fetched first, then written in one transaction: a timeout, an HTTP error or a
body that does not parse leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dollarliq.catalog import SeriesSpec, specs_for_source
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


def plan(store: Store, sources: Sequence[str] | None,
         since: pd.Timestamp | None) -> list[tuple[SeriesSpec, pd.Timestamp]]:
    """The series to fetch and the first observation date to ask for, per series."""
    chosen = list(sources) if sources else list(UPDATABLE_SOURCES)
    for s in chosen:
        if s not in UPDATABLE_SOURCES:
            raise UsageError(f"--source {s!r}: choose from {', '.join(UPDATABLE_SOURCES)}")
    cov = store.coverage()
    out = []
    for src in chosen:
        for spec in specs_for_source(src):
            if since is not None:
                start = since
            elif spec.id in cov:
                start = pd.Timestamp(cov[spec.id].last_obs) - pd.Timedelta(days=OVERLAP_DAYS)
            else:
                start = max(DEFAULT_HISTORY_START, pd.Timestamp(spec.start or "1900-01-01"))
            out.append((spec, start))
    return out


def fetch_all(todo: Sequence[tuple[SeriesSpec, pd.Timestamp]], fetch: Fetch, *,
              end: pd.Timestamp,
              progress: Callable[[SeriesSpec], None] | None = None) -> list[pd.DataFrame]:
    """Fetch every planned series; raise on the first failure (nothing is written)."""
    frames = []
    for spec, start in todo:
        fetcher = get_fetcher(spec.source)
        query = fetcher.build_query(spec, start, end)
        raw = fetcher.extract(query, fetch)
        frames.append(observations_frame(fetcher.transform(query, raw)))
        if progress is not None:
            progress(spec)
    return frames


def run_update(store: Store, fetch: Fetch, *, sources: Sequence[str] | None = None,
               since: pd.Timestamp | None = None, today: pd.Timestamp | None = None,
               progress: Callable[[SeriesSpec], None] | None = None,
               on_plan: Callable[[int], None] | None = None) -> UpdateResult:
    """Fetch, then write atomically. Returns counts and the new data end."""
    end = pd.Timestamp(today or pd.Timestamp.today()).normalize()
    todo = plan(store, sources, since)
    if on_plan is not None:
        on_plan(len(todo))
    frames = fetch_all(todo, fetch, end=end, progress=progress)
    fetched = sum(len(f) for f in frames)
    added = store.write(frames)
    return UpdateResult(series=len(todo), fetched=fetched, added=added,
                        data_end=store.data_end([s.id for s, _ in todo]))
