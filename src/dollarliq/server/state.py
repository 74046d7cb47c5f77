"""What a long-running server keeps between requests.

- :class:`Answers`: each answer is computed once per *store revision* (the store file's size
  and modification time, with its write-ahead log) and kept; the same question on the same
  data is answered from memory. Concurrent requests for the same missing answer wait for one
  computation instead of repeating it.
- Reads never wait for an update: a writer renames a new store file into place (see
  :mod:`dollarliq.store`), and the next question sees the new revision. When the store
  cannot be read at all (another kind of process holds the file) the last good answer to the
  same question is served and flagged stale, instead of an error.
- :class:`Updater`: the ``watch`` cycle in a background thread (same alerts, same state in
  the store, so no notification is sent twice); questions go on being answered meanwhile.
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

Revision = tuple[tuple[int, int] | None, tuple[int, int] | None, str]


def store_revision(path: Path | None = None) -> Revision:
    """(size, mtime_ns) of the store file and of its write-ahead log (None where absent), and
    today's date: an answer holds the data's age against today, so a new day is a new
    revision."""
    from dollarliq.dates import today
    from dollarliq.store import default_store_path

    p = path or default_store_path()

    def stamp(f: Path) -> tuple[int, int] | None:
        try:
            st = f.stat()
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    return (stamp(p), stamp(p.with_name(p.name + ".wal")), today().isoformat())


@dataclass(frozen=True)
class Answer:
    """One computed answer: the value, the store revision it was computed on, and when."""

    value: Any
    revision: Revision
    computed_at: float  # time.time(), seconds
    stale: bool = False  # served from an older revision because the store was unreadable


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

    def fresh(self, key: Hashable) -> Answer | None:
        """The kept answer if it is still good (same revision); None when it must be
        computed. Never blocks: for the event loop."""
        hit = self.peek(key)
        if hit is not None and hit.revision == self._revision():
            return hit
        return None

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
                    value = compute()
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

    ``cycle()`` runs one update-report-alert cycle (the one ``dollarliq watch`` runs); the
    server answers questions meanwhile, from the store file as it was before each write
    (``running`` is True during the cycle). ``after()`` runs before the first cycle and after
    each one (the server builds its dashboard and latest report there). A failing cycle is
    logged in one line and the loop goes on.
    """

    def __init__(self, seconds: float, cycle: Callable[[], None], *,
                 log: Callable[[str], None], after: Callable[[], None] | None = None) -> None:
        self.seconds = seconds
        self._cycle = cycle
        self.running = False
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
        self.running = True
        try:
            self._cycle()
            self.last_error = None
        except Exception as exc:  # the server goes on with the data it has
            self.last_error = " ".join(str(exc).split()) or type(exc).__name__
            self._log(f"update cycle failed: {self.last_error}")
        finally:
            self.running = False
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
