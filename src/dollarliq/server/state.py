"""What a long-running server keeps between requests.

- :class:`Answers`: each answer is computed once per *store revision* (the store file's size
  and modification time, with its write-ahead log) and kept; the same question on the same
  data is answered from memory. Concurrent requests for the same missing answer wait for one
  computation instead of repeating it.
- When the store cannot be read (an update holds it) the last good answer to the same
  question is served and flagged stale, instead of an error.
- :class:`Updater`: the ``watch`` cycle in a background thread (same alerts, same state in
  the store, so no notification is sent twice), marking the store busy while it writes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dollarliq.errors import StoreError

Revision = tuple[tuple[int, int] | None, tuple[int, int] | None]


def store_revision(path: Path | None = None) -> Revision:
    """(size, mtime_ns) of the store file and of its write-ahead log; None where absent."""
    from dollarliq.store import default_store_path

    p = path or default_store_path()

    def stamp(f: Path) -> tuple[int, int] | None:
        try:
            st = f.stat()
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    return (stamp(p), stamp(p.with_name(p.name + ".wal")))


@dataclass(frozen=True)
class Answer:
    """One computed answer: the value, the store revision it was computed on, and when."""

    value: Any
    revision: Revision
    computed_at: float  # time.time(), seconds
    stale: bool = False  # served from an older revision because the store was busy


class Answers:
    """Answers keyed by question, recomputed only when the store revision changes.

    Parameters
    ----------
    revision : callable
        Returns the current store revision (cheap: two ``stat`` calls).
    max_entries : int
        Questions kept (least recently used dropped first).
    """

    def __init__(self, revision: Callable[[], Revision] = store_revision,
                 max_entries: int = 512) -> None:
        self._revision = revision
        self._max = max_entries
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.busy = threading.Event()  # set while an in-process update writes the store
        self._inflight = 0  # computations reading the store now
        self._idle = threading.Condition(self._lock)

    def _remember(self, key: Hashable, ans: Answer) -> None:
        with self._lock:
            self._entries[key] = ans
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                old, _ = self._entries.popitem(last=False)
                self._key_locks.pop(old, None)

    def peek(self, key: Hashable) -> Answer | None:
        with self._lock:
            return self._entries.get(key)

    def quiesce(self, timeout: float = 120.0) -> bool:
        """Mark the store busy and wait until no computation reads it (True), or until
        ``timeout`` seconds (False). A writer calls this before opening the store."""
        self.busy.set()
        with self._lock:
            return self._idle.wait_for(lambda: self._inflight == 0, timeout)

    def read(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, counted as a read of the store; StoreError at once while a writer holds
        it (the store is not opened under the writer)."""
        with self._lock:
            if self.busy.is_set():
                raise StoreError("the store is being updated: ask again in a moment")
            self._inflight += 1
        try:
            return fn()
        finally:
            with self._lock:
                self._inflight -= 1
                self._idle.notify_all()

    def fresh(self, key: Hashable) -> Answer | None:
        """The kept answer if it is still good (same revision, or stale while an update
        writes); None when it must be computed. Never blocks: for the event loop."""
        hit = self.peek(key)
        if hit is None:
            return None
        if hit.revision == self._revision():
            return hit
        return _stale(hit) if self.busy.is_set() else None

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Answer:
        """The answer to ``key`` on the current data, computing it at most once per revision.

        A :class:`~dollarliq.errors.StoreError` (the store is locked or unreadable) falls back
        to the last good answer to the same question, marked stale; with none, it is raised.
        """
        hit = self.fresh(key)
        if hit is not None:
            return hit
        with self._lock:
            klock = self._key_locks.setdefault(key, threading.Lock())
        try:
            with klock:
                hit = self.peek(key)
                rev = self._revision()
                if hit is not None and hit.revision == rev:
                    return hit
                try:
                    value = self.read(compute)
                except StoreError:
                    if hit is not None:
                        return _stale(hit)
                    raise
                ans = Answer(value, rev, time.time())
                self._remember(key, ans)
                return ans
        finally:
            with self._lock:  # a question that failed (bad input) keeps no lock behind
                if key not in self._entries:
                    self._key_locks.pop(key, None)


def _stale(ans: Answer) -> Answer:
    return Answer(ans.value, ans.revision, ans.computed_at, stale=True)


class Updater:
    """The ``watch`` cycle every ``seconds`` in a daemon thread.

    ``cycle()`` runs one update-report-alert cycle (the one ``dollarliq watch`` runs). Before
    it, the updater waits for the reads in flight and sets ``answers.busy`` so no read starts
    (readers get the last good answers). ``after()`` runs before the first cycle and after
    each one, once the store is released (the server builds its dashboard and latest report
    there). A failing cycle is logged in one line and the loop goes on.
    """

    def __init__(self, seconds: float, cycle: Callable[[], None], answers: Answers, *,
                 log: Callable[[str], None], after: Callable[[], None] | None = None) -> None:
        self.seconds = seconds
        self._cycle = cycle
        self._answers = answers
        self._log = log
        self._after = after
        self._stop = threading.Event()
        self.cycles = 0
        self.last_error: str | None = None
        self.last_run: float | None = None
        self._thread = threading.Thread(target=self._loop, name="dollarliq-update", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> None:
        if not self._answers.quiesce():
            self._log("update cycle waits: requests still reading the store after 120 s")
        try:
            self._cycle()
            self.last_error = None
        except Exception as exc:  # the server goes on with the data it has
            self.last_error = " ".join(str(exc).split()) or type(exc).__name__
            self._log(f"update cycle failed: {self.last_error}")
        finally:
            self._answers.busy.clear()
            self.cycles += 1
            self.last_run = time.time()
        if self._after is not None:
            try:
                self._after()
            except Exception as exc:
                self._log(f"after the update: {' '.join(str(exc).split())}")

    def _loop(self) -> None:
        if self._after is not None:  # the likely first questions, before the first cycle
            try:
                self._after()
            except Exception as exc:
                self._log(f"before the first update: {' '.join(str(exc).split())}")
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.seconds)
