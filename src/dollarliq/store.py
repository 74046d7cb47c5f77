"""The point-in-time store (DuckDB).

Every observation keeps its value, its observation date (``obs_date``), the date it became
public (``as_of``: release date or vintage start) and when dollarliq downloaded it
(``fetched_at``, UTC). A query as of D sees only rows with ``as_of <= D`` and, for each
observation date, the latest of them: the vintage that was public on D.

The embedded snapshot (a Parquet file inside the package) is read-only and always present;
the user's store file holds what ``dollarliq update`` fetched on top of it. Only this module
touches DuckDB.

DuckDB lets one process open a file for writing, or several open it for reading, never both.
So nobody writes the store file in place:

* **Readers** attach the file read-only in a private in-memory database. They never wait for a
  writer: they read the file as it was when they opened it.
* **Writers** (:class:`StoreWriter`, ``open_store(for_write=True)``) take the writer lock
  (a lock file next to the store, one writer at a time; another writer waits up to
  :data:`WRITE_LOCK_WAIT` seconds), copy the store to a private working file, write there in
  short transactions, close it and rename it over the store file (atomic). A reader that has
  the old file open keeps reading it; the next reader opens the new one. A writer that is
  killed leaves the store file as it was (its working file is removed by the next writer).
  The store file is created only when there is something to write: a failed first update
  (network down, disk full) leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from dollarliq.dates import as_date
from dollarliq.dates import today as current_date
from dollarliq.errors import StoreError, UsageError
from dollarliq.paths import STORE_FILENAME, default_home, default_store_path  # noqa: F401

if TYPE_CHECKING:  # pandas is imported lazily: light CLI paths never load it
    import pandas as pd

SNAPSHOT_PATH = Path(__file__).parent / "data" / "snapshot.parquet"
#: Auction records beneath the store's (same folder as the snapshot, see :meth:`Store.auctions`).
AUCTIONS_FILENAME = "auctions.parquet"
LOCK_WAIT_ENV = "DOLLARLIQ_LOCK_WAIT"
#: Seconds a reader waits for a process that holds the file itself (not a dollarliq writer:
#: those write a copy) before exit code 5.
READ_LOCK_WAIT = 5.0
#: Seconds a writer waits for another writer (two updates at once) before exit code 5.
WRITE_LOCK_WAIT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    series_id  VARCHAR   NOT NULL,
    obs_date   DATE      NOT NULL,
    value      DOUBLE,
    as_of      DATE      NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS cache (
    namespace  VARCHAR   NOT NULL,
    key        VARCHAR   NOT NULL,
    payload    BLOB      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (namespace, key)
);
CREATE TABLE IF NOT EXISTS auctions (
    cusip          VARCHAR   NOT NULL,
    issue_date     DATE      NOT NULL,
    security_type  VARCHAR,
    security_term  VARCHAR,
    maturity_date  DATE,
    announced      DATE,
    auction_date   DATE,
    offering_amt   DOUBLE,
    total_accepted DOUBLE,
    source         VARCHAR,
    fetched_at     TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
"""

_OBS_COLUMNS = ["series_id", "obs_date", "value", "as_of", "fetched_at"]
_AUCTION_COLUMNS = ("cusip", "issue_date", "security_type", "security_term", "maturity_date",
                    "announced", "auction_date", "offering_amt", "total_accepted", "source")


def lock_wait(default: float = READ_LOCK_WAIT) -> float:
    """Seconds to wait for a busy store: ``$DOLLARLIQ_LOCK_WAIT`` or ``default``."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, default)))
    except ValueError:
        raise UsageError(f"{LOCK_WAIT_ENV} must be a number of seconds") from None


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("could not set" in text or "conflicting" in text)


def _is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("no space left", "file too large", "disk full",
                                   "disk quota"))


def _retry_locked(open_fn, path: Path, wait: float):
    """``open_fn()``, retried while another process holds the file's lock."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return open_fn()
        except duckdb.Error as exc:
            left = deadline - time.monotonic()
            if not _is_lock_error(exc):
                raise
            if left <= 0:
                raise StoreError(
                    f"store {path} is busy: another process holds the file "
                    f"(waited {wait:.0f} s); try again in a moment") from None
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.5)


def _connect(path: Path, *, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """A connection to ``path``.

    Read-only: the file is attached in a private in-memory database, never through
    ``duckdb.connect(path)``, which would hand back a database this process already has
    open, i.e. the file as it was before a writer renamed a new one into place.
    """
    if not read_only:
        return _retry_locked(lambda: duckdb.connect(str(path)), path, wait)

    def attach() -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        try:
            lit = str(path).replace("'", "''")
            con.execute(f"ATTACH '{lit}' AS store (READ_ONLY)")
            con.execute("USE store")
        except BaseException:
            con.close()
            raise
        return con

    return _retry_locked(attach, path, wait)


def _unreadable(path: Path | None, exc: BaseException) -> StoreError:
    """The one-line error of a store file that cannot be read (cut short, overwritten)."""
    return StoreError(f"the store {path} cannot be read (damaged?): {_one_line(exc)[:200]}; "
                      "move it aside to go on with the embedded data")


def _empty_file(path: Path) -> bool:
    """A 0-byte store file (what an interrupted older version could leave): it holds
    nothing and is treated as absent."""
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


@dataclass(frozen=True)
class SeriesInfo:
    """Coverage of one series in the store: first/last observation, last release, rows."""

    series_id: str
    first_obs: dt.date
    last_obs: dt.date
    last_as_of: dt.date
    rows: int


class Store:
    """Snapshot + user observations, queried point-in-time.

    Parameters
    ----------
    path : str | Path | None
        The DuckDB file; ``":memory:"`` for a throw-away store; ``None`` for the snapshot
        alone (nothing is written to disk until :meth:`write` on a file store).
    snapshot : Path | None
        The Parquet snapshot to read beneath the store; ``None`` for none.
    read_only : bool
        Open an existing file without the right to write.
    wait : float | None
        Seconds to wait while another process holds the file (default
        :data:`READ_LOCK_WAIT`, or ``$DOLLARLIQ_LOCK_WAIT``).
    """

    def __init__(self, path: str | Path | None = ":memory:", *,
                 snapshot: Path | None = SNAPSHOT_PATH, read_only: bool = False,
                 wait: float | None = None) -> None:
        self.path = None if path in (None, ":memory:") else Path(path)
        self._firsts: dict | None = None
        self.changed = False  # something was written (a write session publishes only then)
        self._failed = False  # a write failed (a write session then publishes nothing)
        self._session: _Session | None = None
        self.snapshot = snapshot if snapshot is not None and Path(snapshot).exists() else None
        try:
            if self.path is None:
                self.con = duckdb.connect(":memory:")
            else:
                if not read_only:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    if _empty_file(self.path):
                        self.path.unlink()
                self.con = _connect(self.path, read_only=read_only,
                                    wait=lock_wait() if wait is None else wait)
            if not read_only:
                self.con.execute(_SCHEMA)
            self._create_views(read_only)
        except duckdb.Error as exc:
            if read_only:
                raise _unreadable(self.path, exc) from None
            hint = " (disk full?)" if _is_disk_full(exc) else ""
            raise StoreError(f"store {self.path or ':memory:'}: cannot open{hint} "
                             f"({_one_line(exc)})") from None
        except OSError as exc:
            raise StoreError(f"store {self.path}: cannot create its folder "
                             f"({exc.strerror or exc})") from None

    # -- setup -----------------------------------------------------------------------
    def _create_views(self, read_only: bool) -> None:
        parts = []
        if self.snapshot is not None:
            snap = str(self.snapshot).replace("'", "''")
            parts.append(
                "SELECT series_id, obs_date, value, as_of, TIMESTAMP '1970-01-01' AS fetched_at "
                f"FROM read_parquet('{snap}')")
        parts.append("SELECT series_id, obs_date, value, as_of, fetched_at FROM observations")
        sql = " UNION ALL ".join(parts)
        if read_only:
            # A read-only database cannot hold views: keep the query text instead.
            self._all = f"({sql})"
        else:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW all_obs AS {sql}")
            self._all = "all_obs"
        cols = ", ".join(_AUCTION_COLUMNS)
        parts = []
        snap = (Path(self.snapshot).with_name(AUCTIONS_FILENAME)
                if self.snapshot is not None else None)
        if snap is not None and snap.exists():
            q = str(snap).replace("'", "''")
            parts.append(f"SELECT {cols}, TIMESTAMP '1970-01-01' AS fetched_at "
                         f"FROM read_parquet('{q}')")
        has_table = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'auctions'"
        ).fetchone()[0]
        if has_table:  # a store file written by an older version has no such table
            parts.append(f"SELECT {cols}, fetched_at FROM auctions")
        self._auctions = f"({' UNION ALL '.join(parts)})" if parts else None

    def close(self) -> None:
        """Close the connection; a write session (``open_store(for_write=True)``) then
        renames its working file over the store file, unless nothing changed or a write
        failed. StoreError when that fails (the store file is then as it was)."""
        session, self._session = self._session, None
        if session is None:
            self.con.close()
        else:
            session.finish(self, publish=self.changed and not self._failed)

    def _run(self, sql: str, params: Sequence[object] | None = None, fetch: str = "all"):
        """Run a read query; a file that cannot be read is a one-line StoreError."""
        try:
            cur = self.con.execute(sql, params or [])
            if fetch == "df":
                return cur.df()
            return cur.fetchone() if fetch == "one" else cur.fetchall()
        except duckdb.Error as exc:
            if self.path is not None:
                raise _unreadable(self.path, exc) from None
            raise StoreError(f"store query failed ({_one_line(exc)})") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads -----------------------------------------------------------------------
    def _as_of_sql(self, series_ids: Sequence[str], as_of, start, end, *,
                   first: bool = False) -> tuple[str, list]:
        """One row per (series, observation date) public on ``as_of``: the latest vintage,
        or with ``first=True`` the earliest (as first published)."""
        ids = list(dict.fromkeys(series_ids))
        where = ["series_id IN (SELECT unnest(?::VARCHAR[]))"]
        params: list[object] = [ids]
        for cond, val in (("as_of <= ?", as_of), ("obs_date >= ?", start),
                          ("obs_date <= ?", end)):
            if val is not None:
                where.append(cond)
                params.append(as_date(val))
        order = "as_of ASC, fetched_at ASC" if first else "as_of DESC, fetched_at DESC"
        sql = (
            f"SELECT series_id, obs_date, value, as_of FROM {self._all} "
            f"WHERE {' AND '.join(where)} "
            f"QUALIFY row_number() OVER (PARTITION BY series_id, obs_date ORDER BY {order}) = 1 "
            "ORDER BY series_id, obs_date"
        )
        return sql, params

    def _frame(self, sql: str, params: list) -> pd.DataFrame:
        import pandas as pd

        df = self._run(sql, params, "df")
        df["obs_date"] = pd.to_datetime(df["obs_date"])
        df["as_of"] = pd.to_datetime(df["as_of"])
        return df

    def first_release(self, series_ids: Sequence[str], *, as_of=None) -> pd.DataFrame:
        """Each observation as first published (its earliest vintage), public on ``as_of``.

        Long frame (series_id, obs_date, value, as_of). This is the real-time view that the
        stage engine uses: a later revision never changes a past reading.
        """
        return self._frame(*self._as_of_sql(series_ids, as_of, None, None, first=True))

    def query_records(self, series_ids: Sequence[str], *, as_of=None, start=None,
                      end=None) -> list[tuple[str, dt.date, float | None, dt.date]]:
        """Like :meth:`query`, as plain tuples (no pandas): (series_id, obs_date, value, as_of)."""
        sql, params = self._as_of_sql(series_ids, as_of, start, end)
        return self._run(sql, params)

    def query(self, series_ids: Sequence[str], *, as_of=None, start=None,
              end=None) -> pd.DataFrame:
        """Long frame (series_id, obs_date, value, as_of) of the values public on ``as_of``.

        For each (series, observation date) the row with the latest ``as_of <= as_of`` wins
        (ties: the later download). ``as_of=None`` means everything known.
        """
        if not list(series_ids):
            import pandas as pd

            return pd.DataFrame(columns=["series_id", "obs_date", "value", "as_of"])
        return self._frame(*self._as_of_sql(series_ids, as_of, start, end))

    def rows(self, series_ids: Sequence[str]) -> pd.DataFrame:
        """Every stored row (all vintages) of ``series_ids`` in one query.

        Long frame (series_id, obs_date, value, as_of), sorted by series, observation
        date, release date and download time. The point-in-time views
        (first release, latest vintage as of a date) are derived from it by
        :mod:`dollarliq.frame` without going back to the store.
        """
        import pandas as pd

        ids = list(dict.fromkeys(series_ids))
        sql = (f"SELECT series_id, obs_date, value, as_of FROM {self._all} "
               "WHERE series_id IN (SELECT unnest(?::VARCHAR[])) "
               "ORDER BY series_id, obs_date, as_of, fetched_at")
        df = self._run(sql, [ids], "df")
        df["obs_date"] = pd.to_datetime(df["obs_date"])
        df["as_of"] = pd.to_datetime(df["as_of"])
        return df

    def vintages(self, series_id: str) -> pd.DataFrame:
        """Every stored row of one series (all vintages), oldest first."""
        return self._run(
            f"SELECT series_id, obs_date, value, as_of, fetched_at FROM {self._all} "
            "WHERE series_id = ? ORDER BY obs_date, as_of, fetched_at", [series_id], "df")

    def coverage(self, *, as_of=None) -> dict[str, SeriesInfo]:
        """First/last observation, last release date and row count per series (of the rows
        public on ``as_of`` when given)."""
        cond, params = ("AND as_of <= ?", [as_date(as_of)]) if as_of is not None else ("", [])
        rows = self._run(
            f"SELECT series_id, min(obs_date), max(obs_date), max(as_of), count(*) "
            f"FROM {self._all} WHERE value IS NOT NULL {cond} GROUP BY series_id", params)
        return {r[0]: SeriesInfo(r[0], r[1], r[2], r[3], int(r[4])) for r in rows}

    def data_end(self, series_ids: Sequence[str] | None = None) -> dt.date | None:
        """The latest observation date among ``series_ids`` (all series if None)."""
        cov = self.coverage()
        ends = [cov[s].last_obs for s in (series_ids or cov) if s in cov]
        return max(ends) if ends else None

    def first_as_of(self, series_ids: Sequence[str]) -> dt.date | None:
        """The earliest date on which any of ``series_ids`` had a public value."""
        if self._firsts is None:  # one query for every series, kept until the next write
            self._firsts = dict(self._run(
                f"SELECT series_id, min(as_of) FROM {self._all} WHERE value IS NOT NULL "
                "GROUP BY series_id"))
        found = [self._firsts[s] for s in series_ids if s in self._firsts]
        return min(found) if found else None

    def auctions(self) -> pd.DataFrame:
        """Every auction record known to the store, one row per (CUSIP, issue date).

        The snapshot's records and those fetched by ``dollarliq update`` are merged per
        (CUSIP, issue date): each field takes its latest downloaded non-missing value, so a
        result (``total_accepted``) fills in an offering announced before. Columns: cusip,
        issue_date, security_type, security_term, maturity_date, announced, auction_date
        (datetime64), offering_amt, total_accepted (USD), source. Which of them was public
        on a date is decided by their own dates (:func:`dollarliq.outlook.auctions.known`).
        """
        import pandas as pd

        if self._auctions is None:
            return pd.DataFrame(columns=list(_AUCTION_COLUMNS))
        latest = ", ".join(
            f"arg_max({c}, fetched_at) FILTER (WHERE {c} IS NOT NULL) AS {c}"
            for c in _AUCTION_COLUMNS if c not in ("cusip", "issue_date"))
        sql = (f"SELECT cusip, issue_date, {latest} FROM {self._auctions} "
               "GROUP BY cusip, issue_date ORDER BY issue_date, cusip")
        df = self._run(sql, fetch="df")
        for c in ("issue_date", "maturity_date", "announced", "auction_date"):
            df[c] = pd.to_datetime(df[c])
        return df[list(_AUCTION_COLUMNS)]

    def user_rows(self) -> int:
        return int(self._run("SELECT count(*) FROM observations", fetch="one")[0])

    def last_fetch(self) -> dt.datetime | None:
        row = self._run("SELECT max(fetched_at) FROM observations", fetch="one")
        return row[0] if row and row[0] is not None else None

    # -- writes ----------------------------------------------------------------------
    def write(self, batches: Iterable[pd.DataFrame], *,
              fetched_at: pd.Timestamp | None = None) -> int:
        """Insert observations atomically; return the number of new rows.

        Each batch is a frame with columns series_id, obs_date, value, as_of and optionally
        ``vintage`` (bool). A row equal to what is already known for its date is skipped.
        A row whose value differs from the latest known one but whose ``as_of`` is not later
        (a revision discovered without a vintage record) is stamped with the download date,
        so the revision is never visible before dollarliq saw it. A missing value (None,
        NaN: FRED's ``.``) never replaces a known one; it is stored only for a date the store
        does not have. Everything or nothing is written: any error rolls the whole write
        back.
        """
        added, revised = self.write_counts(batches, fetched_at=fetched_at)
        return added + revised

    def write_counts(self, batches: Iterable[pd.DataFrame], *,
                     fetched_at: pd.Timestamp | None = None) -> tuple[int, int]:
        """Like :meth:`write` (one transaction); returns (rows for new dates, revisions)."""
        import pandas as pd

        self._firsts = None
        now = pd.Timestamp.now(tz="UTC").tz_localize(None) if fetched_at is None else fetched_at
        # a revision is dated the day it became known: today (the one seam) for a fetch now
        today = pd.Timestamp(current_date()) if fetched_at is None else now.normalize()
        added = revised = 0
        con = self.con
        try:
            con.execute("BEGIN TRANSACTION")
            for batch in batches:
                if batch is None or batch.empty:
                    continue
                if "cusip" in batch.columns:
                    a, r = self._insert_auctions(batch, now)
                else:
                    a, r = self._insert(batch, today, now)
                added += a
                revised += r
            con.execute("COMMIT")
        except BaseException as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if isinstance(exc, duckdb.Error):
                self._failed = True
                hint = " (disk full?)" if _is_disk_full(exc) else ""
                raise StoreError(f"store write failed and was rolled back{hint} "
                                 f"({_one_line(exc)})") from exc
            raise
        if added or revised:
            self.changed = True
        return added, revised

    def _insert(self, batch: pd.DataFrame, today: pd.Timestamp,
                now: pd.Timestamp) -> tuple[int, int]:
        import pandas as pd

        con = self.con
        df = batch.copy()
        if "vintage" not in df:
            df["vintage"] = False
        df = df[["series_id", "obs_date", "value", "as_of", "vintage"]]
        df["obs_date"] = pd.to_datetime(df["obs_date"]).dt.date
        df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
        df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
        df["vintage"] = df["vintage"].astype(bool)
        con.register("incoming_df", df)
        try:
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE incoming_rows AS
                SELECT i.series_id, i.obs_date,
                       CASE WHEN isnan(i.value) THEN NULL ELSE i.value END AS value,
                       CASE WHEN i.vintage OR c.as_of IS NULL OR i.as_of > c.as_of
                            THEN i.as_of ELSE greatest(?::DATE, c.as_of) END AS as_of,
                       ?::TIMESTAMP AS fetched_at,
                       (c.obs_date IS NULL OR c.value IS NULL) AS is_new
                FROM incoming_df i
                LEFT JOIN (
                    SELECT series_id, obs_date, value, as_of FROM {self._all}
                    WHERE series_id IN (SELECT DISTINCT series_id FROM incoming_df)
                    QUALIFY row_number() OVER (PARTITION BY series_id, obs_date
                                               ORDER BY as_of DESC, fetched_at DESC) = 1
                ) c USING (series_id, obs_date)
                WHERE (c.obs_date IS NULL
                       OR (i.vintage AND NOT EXISTS (
                              SELECT 1 FROM {self._all} o
                              WHERE o.series_id = i.series_id AND o.obs_date = i.obs_date
                                AND o.as_of = i.as_of
                                AND o.value IS NOT DISTINCT FROM i.value))
                       OR (NOT i.vintage AND i.value IS DISTINCT FROM c.value))
                  -- missing is not a revision: a missing value only fills an unknown date
                  AND (NOT (i.value IS NULL OR isnan(i.value)) OR c.obs_date IS NULL)
                """,
                [today.date(), now.to_pydatetime()],
            )
            con.execute("INSERT INTO observations SELECT series_id, obs_date, value, as_of, "
                        "fetched_at FROM incoming_rows")
            row = con.execute("SELECT count(*) FILTER (WHERE is_new), "
                              "count(*) FILTER (WHERE NOT is_new) FROM incoming_rows").fetchone()
            con.execute("DROP TABLE incoming_rows")
        finally:
            con.unregister("incoming_df")
        return int(row[0]), int(row[1])

    def _insert_auctions(self, batch: pd.DataFrame, now: pd.Timestamp) -> tuple[int, int]:
        """Auction records (``sources.auctions.RECORD_COLUMNS``): a row that a known row
        already covers (equal on every field the new row has) is skipped; (records for a new (CUSIP, issue date), records that change a
        known one)."""
        import pandas as pd

        con = self.con
        df = batch[list(_AUCTION_COLUMNS)].copy()
        for c in ("issue_date", "maturity_date", "announced", "auction_date"):
            df[c] = pd.to_datetime(df[c]).dt.date
        for c in ("offering_amt", "total_accepted"):
            df[c] = pd.to_numeric(df[c]).astype("float64")
        con.register("incoming_auctions", df)
        try:
            cols = ", ".join(_AUCTION_COLUMNS)
            known = self._auctions or "(SELECT * FROM auctions)"
            # known: an earlier row agrees on every field this row has (an offering
            # without its result repeats what a result row already holds)
            same = " AND ".join(f"(i.{c} IS NULL OR k.{c} IS NOT DISTINCT FROM i.{c})"
                                for c in _AUCTION_COLUMNS if c != "source")
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE incoming_auction_rows AS
                SELECT {', '.join('i.' + c for c in _AUCTION_COLUMNS)},
                       NOT EXISTS (SELECT 1 FROM {known} k WHERE k.cusip = i.cusip
                                   AND k.issue_date = i.issue_date) AS is_new
                FROM incoming_auctions i
                WHERE NOT EXISTS (SELECT 1 FROM {known} k WHERE {same})""")
            con.execute(f"INSERT INTO auctions SELECT {cols}, ?::TIMESTAMP "
                        "FROM incoming_auction_rows", [now.to_pydatetime()])
            row = con.execute("SELECT count(*) FILTER (WHERE is_new), "
                              "count(*) FILTER (WHERE NOT is_new) "
                              "FROM incoming_auction_rows").fetchone()
            con.execute("DROP TABLE incoming_auction_rows")
        finally:
            con.unregister("incoming_auctions")
        return int(row[0]), int(row[1])

    # -- cache and state ---------------------------------------------------------------
    def cache_get(self, namespace: str, key: str) -> bytes | None:
        """A cached payload (e.g. simulated critical values), or None."""
        row = self._run("SELECT payload FROM cache WHERE namespace = ? AND key = ?",
                        [namespace, key], "one")
        return bytes(row[0]) if row else None

    def cache_put(self, namespace: str, key: str, payload: bytes) -> None:
        """Store a payload under (namespace, key), replacing any older one."""
        self._change("INSERT OR REPLACE INTO cache VALUES (?, ?, ?, now()::TIMESTAMP)",
                     [namespace, key, payload])

    def meta_get(self, key: str) -> str | None:
        row = self._run("SELECT value FROM meta WHERE key = ?", [key], "one")
        return row[0] if row else None

    def meta_put(self, key: str, value: str) -> None:
        self._change("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def _change(self, sql: str, params: Sequence[object]) -> None:
        """One statement that writes (its own transaction)."""
        try:
            self.con.execute(sql, params)
        except duckdb.Error as exc:
            self._failed = True
            hint = " (disk full?)" if _is_disk_full(exc) else ""
            raise StoreError(f"store write failed{hint} ({_one_line(exc)})") from None
        self.changed = True


def open_store(path: Path | str | None = None, *, for_write: bool = False,
               wait: float | None = None) -> Store:
    """The user's store (snapshot + fetched data).

    Reading never creates a file and never waits for a dollarliq writer: with no store file
    yet (or a 0-byte one), the snapshot alone is the data. A file held by another kind of
    process is retried for ``wait`` seconds (default :data:`READ_LOCK_WAIT` or
    ``$DOLLARLIQ_LOCK_WAIT``), then StoreError.

    ``for_write=True`` opens a write session: the writer lock is taken (waiting up to
    ``wait``, default :data:`WRITE_LOCK_WAIT`, for another writer), the store is copied to a
    private working file and the returned :class:`Store` writes there; its ``close()``
    renames the working file over the store file when something changed and no write failed.
    Keep a session short: it holds the writer lock.
    """
    p = Path(path) if path is not None else default_store_path()
    from dollarliq.paths import check_home

    check_home(p.parent)  # a home that is a file: one line, exit code 5, on every command
    if for_write:
        return _Session(p, wait=lock_wait(WRITE_LOCK_WAIT) if wait is None else wait).open()
    if p.exists() and not _empty_file(p):
        return Store(p, read_only=True, wait=wait)
    return Store(None)


class _WriterLock:
    """One writer at a time per store file: an exclusive ``flock`` on a lock file beside it.

    The lock file is removed on release; a waiter that locked a file which was removed
    meanwhile starts again on the new one, so two writers never both hold it.
    """

    def __init__(self, store_path: Path, wait: float) -> None:
        self.path = store_path.with_name(f".{store_path.name}.lock")
        self.wait = wait
        self.fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        delay = 0.02
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if _try_lock(fd):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except OSError:
                    same = False
                if same:
                    self.fd = fd
                    return
            os.close(fd)
            left = deadline - time.monotonic()
            if left <= 0:
                store = self.path.with_name(self.path.name[1:-len(".lock")])
                raise StoreError(
                    f"store {store} is busy: another dollarliq process is writing it "
                    f"(waited {self.wait:.0f} s); try again in a moment")
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.25)

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        if _fcntl is not None:  # removed while still held (see the class docstring)
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(fd)


try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting; False when another holds it."""
    try:
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows: a byte-range lock, the file is kept
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


_WORK_SUFFIX = ".work"
_session_ids = itertools.count()


class _Session:
    """A write session: the writer lock, a private working copy, an atomic rename."""

    def __init__(self, path: Path, *, snapshot: Path | None = SNAPSHOT_PATH,
                 wait: float = WRITE_LOCK_WAIT) -> None:
        self.path = path
        self.snapshot = snapshot
        self.lock = _WriterLock(path, wait)
        self.work = path.with_name(
            f".{path.name}.{os.getpid()}-{next(_session_ids)}{_WORK_SUFFIX}")

    def open(self) -> Store:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store {self.path}: cannot create its folder "
                             f"({exc.strerror or exc})") from None
        self.lock.acquire()
        try:
            for old in self.path.parent.glob(f".{self.path.name}.*{_WORK_SUFFIX}*"):
                _remove(old)  # left by a writer that was killed: no live writer has one
            if self.path.exists() and not _empty_file(self.path):
                shutil.copyfile(self.path, self.work)
                shutil.copymode(self.path, self.work)  # the store keeps its permissions
                wal = _wal(self.path)  # left by an older dollarliq that wrote in place
                if wal.exists():
                    shutil.copyfile(wal, _wal(self.work))
            store = Store(self.work, snapshot=self.snapshot, wait=0.0)
        except BaseException as exc:
            _remove(self.work)
            self.lock.release()
            if isinstance(exc, OSError):
                hint = " (disk full?)" if _is_disk_full(exc) else ""
                raise StoreError(f"store {self.path}: cannot copy it to write{hint} "
                                 f"({exc.strerror or exc}); nothing was written") from None
            raise
        store._session = self
        return store

    def finish(self, store: Store, *, publish: bool) -> None:
        """Close the working copy; with ``publish``, rename it over the store file."""
        try:
            try:
                if publish:  # every commit into the file (close does not say if that fails)
                    store.con.execute("CHECKPOINT")
            finally:
                store.con.close()
            if publish:
                if _wal(self.work).exists():
                    raise OSError(f"{self.work.name}: its log was not written into it")
                _fsync(self.work)
                wal = _wal(self.path)
                if wal.exists():  # an older dollarliq's log, already in the working copy
                    wal.unlink()
                os.replace(self.work, self.path)
                _fsync(self.path.parent)
        except (duckdb.Error, OSError) as exc:
            text = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            hint = " (disk full?)" if _is_disk_full(exc) else ""
            raise StoreError(f"store write failed{hint} ({_one_line(text)}); the store is "
                             "as it was before this write") from None
        finally:
            _remove(self.work)
            self.lock.release()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk (where the platform allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StoreWriter:
    """Writes fetched series into the store file, one short write session per call.

    Each :meth:`write` call takes the writer lock, copies the store to a private working
    file, writes every frame there in its own transaction and renames the file over the
    store (see the module docstring): readers never wait for it, and it never waits for
    readers. While the file does not exist, nothing is created until there is a row to
    write.

    Parameters
    ----------
    path : Path
        The store file.
    snapshot : Path | None
        The snapshot beneath the store (a row equal to the snapshot's is not stored again).
    fetched_at : pd.Timestamp | None
        Download time stamped on every row (UTC, naive); default: now.
    wait : float | None
        Seconds to wait for another writer to finish (default :data:`WRITE_LOCK_WAIT`, or
        ``$DOLLARLIQ_LOCK_WAIT``).
    """

    def __init__(self, path: Path | str, *, snapshot: Path | None = SNAPSHOT_PATH,
                 fetched_at: pd.Timestamp | None = None,
                 wait: float | None = None) -> None:
        import pandas as pd

        self.path = Path(path)
        self.snapshot = snapshot
        self.fetched_at = (pd.Timestamp.now(tz="UTC").tz_localize(None)
                           if fetched_at is None else fetched_at)
        self.wait = lock_wait(WRITE_LOCK_WAIT) if wait is None else wait

    def write(self, frames: Sequence[pd.DataFrame],
              done: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """Write each frame in its own transaction; (new dates, revisions) per frame.

        All or nothing per call: StoreError (exit code 5) when the writer lock cannot be
        had, a frame cannot be written or the store cannot be replaced; the store file is
        then as it was and ``done`` (when given) gets no count for this call.
        """
        done = [] if done is None else done
        if not any(f is not None and not f.empty for f in frames):
            done.extend((0, 0) for _ in frames)
            return done
        counts = []
        store = _Session(self.path, snapshot=self.snapshot, wait=self.wait).open()
        try:
            for f in frames:
                counts.append(store.write_counts([f], fetched_at=self.fetched_at))
        except BaseException:
            store._failed = True
            raise
        finally:
            store.close()
        done.extend(counts)
        return done


def _remove(path: Path) -> None:
    for p in (path, _wal(path)):
        try:
            p.unlink()
        except OSError:
            pass


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def observations_frame(obs: Iterable[object]) -> pd.DataFrame:
    """Observations (dataclasses with series_id, obs_date, value, as_of, vintage) -> frame."""
    import pandas as pd

    rows = [(o.series_id, o.obs_date, o.value, o.as_of, getattr(o, "vintage", False))
            for o in obs]
    df = pd.DataFrame(rows, columns=["series_id", "obs_date", "value", "as_of", "vintage"])
    if df.empty:
        return df
    if (pd.to_datetime(df["as_of"]) < pd.to_datetime(df["obs_date"])).any():
        raise UsageError("an observation cannot become public before the date it describes")
    return df
