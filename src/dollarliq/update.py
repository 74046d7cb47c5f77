"""``dollarliq update``: fetch newer data from the real sources into the user store.

Each series is fetched, parsed and written on its own: it is written in its own transaction
as soon as it has been fetched and parsed, so a source that fails (a 429 storm, a timeout, an
HTML error page, a body that does not parse) leaves that series' stored rows as they were and
stops nothing else. The result lists every series: fetched, rows added, revisions, or the
one-line reason it failed.

Requests to different providers run at the same time (a pool of threads; the per-host rate
limits and in-flight caps live in :mod:`dollarliq.http`), so an update takes about as long as
its slowest provider. The store file is opened only to write what has arrived
(:class:`dollarliq.store.StoreWriter`), never while waiting on the network.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.dates import today as current_date
from dollarliq.errors import CredentialsMissing, DollarliqError, StoreError, UsageError
from dollarliq.http import Fetch, redact
from dollarliq.sources import get_fetcher, planned_specs
from dollarliq.store import SNAPSHOT_PATH, Store, StoreWriter, observations_frame, open_store

OVERLAP_DAYS = 45  # re-read this many days before the last stored date, to catch revisions
DEFAULT_HISTORY_START = pd.Timestamp("2015-01-01")
#: Threads fetching at once. Each provider is further capped by its own in-flight limit.
DEFAULT_WORKERS = 8
FRED_KEY_ENV = "FRED_API_KEY"

OK, FAILED, NEEDS_KEY, NOT_WRITTEN = "ok", "failed", "needs key", "not written"


@dataclass(frozen=True)
class SeriesOutcome:
    """What the update did for one series.

    ``status`` is ``ok``, ``failed`` (``reason`` says why, in one line), ``needs key`` (the
    series needs a credential that is not set) or ``not written`` (fetched, but the store
    could not be written). ``added`` counts rows for dates the store did not have,
    ``revised`` rows that change a known value.
    """

    series_id: str
    source: str
    status: str
    fetched: int = 0
    added: int = 0
    revised: int = 0
    reason: str = ""
    data_end: dt.date | None = None


@dataclass(frozen=True)
class FailureGroup:
    """Series of one source that did not come for the same reason (one line for them all).

    ``status`` is ``failed``, ``needs key`` or ``not written``; ``reason`` is the line without
    its ``source: SERIES:`` prefix.
    """

    status: str
    source: str
    series: tuple[str, ...]
    reason: str

    def line(self) -> str:
        """``nyfed: 13 series: could not connect to ...``; up to three series are named."""
        who = ", ".join(self.series) if len(self.series) <= 3 else f"{len(self.series)} series"
        return f"{self.source}: {who}: {self.reason}"


def group_failures(outcomes: Sequence[SeriesOutcome]) -> list[FailureGroup]:
    """The series that did not come, one group per source, status and reason, in plan order.

    An update without a network fails every request to a publisher the same way: this makes
    that one line per publisher, not one per series.
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    for o in outcomes:
        if o.status == OK or not o.reason:
            continue
        prefix = f"{o.source}: {o.series_id}: "
        reason = o.reason[len(prefix):] if o.reason.startswith(prefix) else o.reason
        groups.setdefault((o.status, o.source, reason), []).append(o.series_id)
    return [FailureGroup(st, src, tuple(ids), why) for (st, src, why), ids in groups.items()]


@dataclass(frozen=True)
class UpdateResult:
    """Every series of one update, in plan order."""

    outcomes: list[SeriesOutcome] = field(default_factory=list)

    @property
    def series(self) -> int:
        return len(self.outcomes)

    @property
    def fetched(self) -> int:
        return sum(o.fetched for o in self.outcomes)

    @property
    def added(self) -> int:
        return sum(o.added + o.revised for o in self.outcomes)

    @property
    def failed(self) -> list[SeriesOutcome]:
        return [o for o in self.outcomes if o.status in (FAILED, NOT_WRITTEN)]

    @property
    def data_end(self) -> dt.date | None:
        ends = [o.data_end for o in self.outcomes if o.data_end is not None]
        return max(ends) if ends else None

    def failure_groups(self) -> list[FailureGroup]:
        """:func:`group_failures` of this update's series."""
        return group_failures(self.outcomes)

    def failure_line(self) -> str | None:
        """The failures in one line (``watch`` logs it), or None when nothing failed."""
        failed = self.failed
        if not failed:
            return None
        groups = [g for g in self.failure_groups() if g.status != NEEDS_KEY]
        more = f"; +{len(groups) - 3} more" if len(groups) > 3 else ""
        return (f"{len(failed)} of {self.series} series did not come: "
                + "; ".join(g.line() for g in groups[:3]) + more)

    @property
    def nothing_for_a_setting(self) -> bool:
        """True when nothing was fetched only because a key or setting is missing (every
        series "needs key")."""
        return bool(self.outcomes) and all(o.status == NEEDS_KEY for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when everything came (series that need a missing key are skipped and listed),
        5 when the store could not be written, 3 when a series failed (a partial update),
        2 when nothing was fetched because a key or setting is missing."""
        if any(o.status == NOT_WRITTEN for o in self.outcomes):
            return StoreError.exit_code
        if self.failed:
            return 3
        return CredentialsMissing.exit_code if self.nothing_for_a_setting else 0


def plan(store: Store, sources: Sequence[str] | None, since: pd.Timestamp | None,
         series: Sequence[str] | None = None) -> list[tuple[SeriesSpec, pd.Timestamp]]:
    """The series to fetch and the first observation date to ask for, per series."""
    specs = planned_specs(sources, series)
    cov = store.coverage()
    out = []
    for spec in specs:
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
    return (spec.source == "fred" and bool(os.environ.get(FRED_KEY_ENV))
            and (spec.freq.startswith("W") or spec.id == "DTWEXBGS"))


def missing_credential(spec: SeriesSpec) -> str | None:
    """The one line that says why ``spec`` cannot be fetched without a credential, or None.

    FRED answers downloads without an API key with HTTP 403 since 2026-05, so a FRED series
    needs ``FRED_API_KEY``.
    """
    if spec.source == "fred" and not os.environ.get(FRED_KEY_ENV):
        return (f"fred: {spec.id}: needs FRED_API_KEY (free at "
                "fred.stlouisfed.org/docs/api/api_key.html); skipped")
    return None


# -- jobs: one request group each ------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """Series fetched together (one request serves them all, or one series alone)."""

    source: str
    specs: tuple[SeriesSpec, ...]
    run: Callable[[Fetch], dict[str, list]]


def _single(spec: SeriesSpec, start: pd.Timestamp, end: pd.Timestamp,
            stored: pd.DataFrame | None = None) -> Job:
    def run(fetch: Fetch) -> dict[str, list]:
        fetcher = get_fetcher(spec.source)
        if _vintages_wanted(spec):
            query = fetcher.build_query(spec, start, end, vintages=True, realtime_start=start)
        else:
            query = fetcher.build_query(spec, start, end)
        raw = fetcher.extract(query, fetch)
        obs = fetcher.transform(query, raw)
        check = getattr(fetcher, "needs_full_history", None)
        if check is not None and stored is not None and check(query, raw, obs, stored):
            # The provider rewrote history (a split, a dividend): read all of it again, so
            # the series is stored on one basis (each row a revision dated ``end``).
            full = getattr(fetcher, "full_history", None)
            if full is not None:
                obs = full(spec, end, fetch)
            else:
                query = fetcher.build_query(spec, None, end)
                obs = fetcher.transform(query, fetcher.extract(query, fetch))
        return {spec.id: obs}

    return Job(spec.source, (spec,), run)


def _grouped(source: str, group: list[SeriesSpec], start: pd.Timestamp, end: pd.Timestamp,
             fetch_group: Callable) -> Job:
    def run(fetch: Fetch) -> dict[str, list]:
        return fetch_group(group, fetch, start, end)

    return Job(source, tuple(group), run)


def jobs_for(todo: Sequence[tuple[SeriesSpec, pd.Timestamp]],
             end: pd.Timestamp,
             stored: dict[str, pd.DataFrame] | None = None) -> list[Job]:
    """The requests an update makes. A fetcher that serves several series with one request
    (NY Fed reference rates and their percentiles, operations) offers ``group_key(spec)`` and
    ``fetch_group(specs, fetch, start, end)``; its series are fetched once per group, from
    the earliest start the group needs. A fetcher that offers
    ``needs_full_history(query, raw, observations, stored)`` gets the stored rows of the window it
    re-reads (``stored[spec.id]``) and may ask for the whole history instead."""
    from dollarliq.sources import nyfed

    jobs: list[Job] = []
    groups: dict[tuple[str, str], list[tuple[SeriesSpec, pd.Timestamp]]] = {}
    group_fns: dict[tuple[str, str], Callable] = {}
    for spec, start in todo:
        fetcher = get_fetcher(spec.source)
        if spec.source == "nyfed":
            key, fetch_group = spec.source_id.lower(), nyfed.fetch_group
        elif hasattr(fetcher, "fetch_group") and hasattr(fetcher, "group_key"):
            key, fetch_group = str(fetcher.group_key(spec)), fetcher.fetch_group
        else:
            jobs.append(_single(spec, start, end, (stored or {}).get(spec.id)))
            continue
        groups.setdefault((spec.source, key), []).append((spec, start))
        group_fns[(spec.source, key)] = fetch_group
    for gk, members in groups.items():
        start = min(st for _, st in members)
        jobs.append(_grouped(gk[0], [s for s, _ in members], start, end, group_fns[gk]))
    return jobs


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DollarliqError):
        return redact(" ".join(str(exc).split()))
    return redact(f"unexpected error ({type(exc).__name__}: {' '.join(str(exc).split())})"
                  )[:300]


def _in_job(spec: SeriesSpec, reason: str) -> str:
    """A job-level reason, made to name this series: ``nyfed: sofr: HTTP 500`` becomes
    ``nyfed: SOFR99: HTTP 500`` for each series the request served."""
    prefix = f"{spec.source}: {spec.id}"
    if reason.startswith(prefix + ":"):
        return reason
    head = f"{spec.source}: "
    if reason.startswith(head) and ": " in reason[len(head):]:
        reason = reason[len(head):].split(": ", 1)[1]
    return f"{prefix}: {reason}"


# -- the update ---------------------------------------------------------------------------------
def run_update(target: Store | Path | str, fetch: Fetch, *,
               sources: Sequence[str] | None = None,
               series: Sequence[str] | None = None,
               since: pd.Timestamp | None = None, today: pd.Timestamp | None = None,
               progress: Callable[[SeriesSpec], None] | None = None,
               on_plan: Callable[[int], None] | None = None,
               workers: int = DEFAULT_WORKERS,
               snapshot: Path | None = SNAPSHOT_PATH) -> UpdateResult:
    """Fetch every planned series and write each one as it arrives.

    Parameters
    ----------
    target : Store | Path
        The store file (opened only to plan and to write), or an open :class:`Store`
        (tests, in-memory stores).
    fetch : Fetch
        The HTTP client wrapper; shared by the threads.
    workers : int
        Requests in flight at once over all providers; 1 fetches one series after another.
    on_plan : callable, optional
        Called with the number of series once the plan is made, before any request.

    Returns
    -------
    UpdateResult
        One :class:`SeriesOutcome` per planned series. Source failures do not raise; a store
        that cannot be written marks the unwritten series ``not written`` (exit code 5).
    """
    end = pd.Timestamp(today or current_date()).normalize()
    from dollarliq.sources import planned_parts

    parts, rest, asks_series = planned_parts(sources, series)
    series = rest if series else series
    if isinstance(target, Store):
        store_obj: Store | None = target
        todo = plan(target, sources, since, series) if asks_series else []
        stored = _stored_windows(target, todo)
        records = record_plan(target, parts, since)
        writer = None
    else:
        store_obj = None
        with open_store(target) as reader:
            todo = plan(reader, sources, since, series) if asks_series else []
            stored = _stored_windows(reader, todo)
            records = record_plan(reader, parts, since)
        writer = StoreWriter(target, snapshot=snapshot)
    todo = [*todo, *records]
    if on_plan is not None:
        on_plan(len(todo))

    outcomes: dict[str, SeriesOutcome] = {}
    runnable = []
    for spec, start in todo:
        why = missing_credential(spec)
        if why is not None:
            outcomes[spec.id] = SeriesOutcome(spec.id, spec.source, NEEDS_KEY, reason=why)
            if progress is not None:
                progress(spec)
        else:
            runnable.append((spec, start))

    jobs = jobs_for([(s, st) for s, st in runnable if not isinstance(s, RecordPart)], end,
                    stored)
    jobs += [_record_job(s, st, end) for s, st in runnable if isinstance(s, RecordPart)]
    store_failed: str | None = None

    def write(done: list[tuple[Job, dict[str, pd.DataFrame]]]) -> None:
        nonlocal store_failed
        specs = [s for job, _ in done for s in job.specs]
        frames = [f[s.id] for job, f in done for s in job.specs]
        counts: list[tuple[int, int]] = []
        if store_failed is None:
            try:
                if writer is not None:
                    writer.write(frames, done=counts)
                else:
                    for f in frames:
                        counts.append(store_obj.write_counts([f]))
            except StoreError as exc:
                store_failed = _reason(exc)
        for i, (spec, frame) in enumerate(zip(specs, frames)):
            if i < len(counts):
                a, r = counts[i]
                outcomes[spec.id] = SeriesOutcome(spec.id, spec.source, OK, len(frame), a, r)
            else:
                outcomes[spec.id] = SeriesOutcome(
                    spec.id, spec.source, NOT_WRITTEN, len(frame),
                    reason=_in_job(spec, f"not written: {store_failed}"))

    def finished(fut: Future, job: Job) -> tuple[Job, dict[str, pd.DataFrame]] | None:
        """The job's frames, or None after recording why each of its series failed."""
        try:
            obs = fut.result()
            return job, {s.id: (obs[s.id] if isinstance(obs.get(s.id), pd.DataFrame)
                                else observations_frame(obs.get(s.id, [])))
                         for s in job.specs}
        except Exception as exc:  # noqa: BLE001 - reported per series, never a traceback
            for spec in job.specs:
                status = NEEDS_KEY if isinstance(exc, CredentialsMissing) else FAILED
                outcomes[spec.id] = SeriesOutcome(spec.id, spec.source, status,
                                                  reason=_in_job(spec, _reason(exc)))
            return None

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="dollarliq-fetch")
    try:
        pending = {pool.submit(job.run, fetch): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            ready = []
            for fut in done:
                job = pending.pop(fut)
                got = finished(fut, job)
                if got is not None:
                    ready.append(got)
                if progress is not None:
                    for spec in job.specs:
                        progress(spec)
            if ready:
                write(ready)
    except BaseException:  # Ctrl-C: what was written stays; requests in flight are dropped
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    ends = _data_ends(store_obj if store_obj is not None else target,
                      [o.series_id for o in outcomes.values() if o.status == OK])
    ordered = []
    for spec, _ in todo:
        o = outcomes[spec.id]
        if o.status == OK:
            o = SeriesOutcome(o.series_id, o.source, o.status, o.fetched, o.added, o.revised,
                              o.reason, ends.get(spec.id))
        ordered.append(o)
    return UpdateResult(ordered)


@dataclass(frozen=True)
class RecordPart:
    """A table of records fetched beside the series (the auction records): it has an id and
    a source like a series, and is written to its own table."""

    id: str
    source: str = "treasury"


def record_plan(store: Store, parts: Sequence[str], since: pd.Timestamp | None
                ) -> list[tuple[RecordPart, pd.Timestamp]]:
    """The record parts to fetch (from :func:`sources.planned_parts`) and the first auction
    date to ask for: results are re-read from 45 days before the last stored auction date
    (a new store: from :data:`DEFAULT_HISTORY_START`)."""
    if not parts:
        return []
    if since is not None:
        start = pd.Timestamp(since)
    else:
        last = store.auctions()["auction_date"].max()
        start = (DEFAULT_HISTORY_START if pd.isna(last)
                 else pd.Timestamp(last) - pd.Timedelta(days=OVERLAP_DAYS))
    return [(RecordPart(p), start) for p in parts]


def _record_job(part: RecordPart, start: pd.Timestamp, end: pd.Timestamp) -> Job:
    def run(fetch: Fetch) -> dict[str, pd.DataFrame]:
        from dollarliq.sources.auctions import AuctionsFetcher

        return {part.id: AuctionsFetcher().fetch(part.id, fetch, start, None)}

    return Job(part.source, (part,), run)


def _stored_windows(store: Store, todo: Sequence[tuple[SeriesSpec, pd.Timestamp]]
                    ) -> dict[str, pd.DataFrame]:
    """The stored rows of the window each series re-reads, for fetchers that compare them
    with the new answer (``needs_full_history``). Read once, before any request."""
    want = [(s, st) for s, st in todo if not isinstance(s, RecordPart)
            and hasattr(get_fetcher(s.source), "needs_full_history")]
    if not want:
        return {}
    start = min(st for _, st in want)
    frame = store.query([s.id for s, _ in want], start=start)
    return {sid: g.reset_index(drop=True) for sid, g in frame.groupby("series_id")}


def _data_ends(target: Store | Path | str, ids: list[str]) -> dict[str, dt.date]:
    if not ids:
        return {}
    if isinstance(target, Store):
        cov = target.coverage()
    else:
        try:
            with open_store(target) as reader:
                cov = reader.coverage()
        except StoreError:  # busy: the table goes without data ends rather than fail
            return {}
    return {i: cov[i].last_obs for i in ids if i in cov}
