"""Readers and writers of one store file, as real processes; and a store cut short.

A writer copies the store to a private working file, writes there and renames it into place
(see :mod:`dollarliq.store`), so readers never wait for it and it never waits for readers.
These tests run writers and readers at the same time in separate processes and count what
failed; they assert no time. A store file cut short at its end answers every command with
one line and exit code 5, and ``/v1/health`` with a one-line 503.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.errors import StoreError
from dollarliq.store import Store, StoreWriter, open_store

SRC = str(Path(__file__).resolve().parents[1] / "src")

#: Writes ``n`` short write sessions, one new WALCL row each (dates after the data).
WRITER = """
import sys
import pandas as pd
from dollarliq.store import StoreWriter
path, n, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
w = StoreWriter(path, wait=wait)
for i in range(n):
    d = pd.Timestamp("2030-01-07") + pd.Timedelta(days=7 * i)
    w.write([pd.DataFrame({"series_id": ["WALCL"], "obs_date": [d], "value": [7000.0 + i],
                           "as_of": [d + pd.Timedelta(days=1)]})])
print("wrote", n, flush=True)
"""

#: Reads the store again and again until the stop file appears (at most 2000 reads); prints
#: the reads, the failures and the distinct row counts it saw.
READER = """
import json, os, sys
from dollarliq.errors import StoreError
from dollarliq.store import open_store
path, stop = sys.argv[1], sys.argv[2]
reads = failed = 0
seen, errors = set(), []
print("reading", flush=True)
while not os.path.exists(stop) and reads < 2000:
    reads += 1
    try:
        with open_store(path) as s:
            s.coverage()
            seen.add(len(s.rows(["WALCL", "SOFR"])))
    except StoreError as exc:
        failed += 1
        errors.append(str(exc)[:200])
print(json.dumps({"reads": reads, "failed": failed, "seen": sorted(seen),
                  "errors": errors[:3]}), flush=True)
"""

#: Opens a write session, writes one row, says so, and holds the session until the stop
#: file appears (or 60 s).
HOLDER = """
import os, sys, time
import pandas as pd
from dollarliq.store import open_store
path, stop = sys.argv[1], sys.argv[2]
s = open_store(path, for_write=True)
s.write([pd.DataFrame({"series_id": ["WALCL"], "obs_date": [pd.Timestamp("2031-01-01")],
                       "value": [1.0], "as_of": [pd.Timestamp("2031-01-02")]})])
print("holding", flush=True)
t0 = time.monotonic()
while not os.path.exists(stop) and time.monotonic() - t0 < 60:
    time.sleep(0.05)
s.close()
print("published", flush=True)
"""


def env_for(home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    if home is not None:
        env["DOLLARLIQ_HOME"] = str(home)
    env.update(NO_COLOR="1", **extra)
    return env


def py(code: str, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def user_rows(path: Path, series_id: str = "WALCL") -> int:
    with Store(path, read_only=True) as s:
        return int(s.con.execute("SELECT count(*) FROM observations WHERE series_id = ?",
                                 [series_id]).fetchone()[0])


def seeded(path: Path) -> Path:
    """A store file with one row of its own."""
    StoreWriter(path).write([pd.DataFrame({
        "series_id": ["WALCL"], "obs_date": [pd.Timestamp("2029-12-31")], "value": [6900.0],
        "as_of": [pd.Timestamp("2030-01-01")]})])
    return path


def leftovers(folder: Path) -> list[str]:
    """Working copies and lock files a writer left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- readers and writers at once ------------------------------------------------------------
def test_readers_never_fail_and_the_writer_is_not_starved(tmp_path):
    """Two processes read without pause (and without waiting at all for a lock) while a
    third writes 15 times. No read fails, every write lands, and a reader sees the writes
    arrive while it reads."""
    path = seeded(tmp_path / "dollarliq.duckdb")
    stop = tmp_path / "stop"
    env = env_for(DOLLARLIQ_LOCK_WAIT="0")  # a reader that met a lock would fail at once
    readers = [py(READER, path, stop, env=env) for _ in range(2)]
    try:
        for r in readers:
            assert r.stdout.readline().strip() == "reading", r.stderr.read()
        # The writer waits at most 2 s for the writer lock; readers never hold it.
        writer = py(WRITER, path, 15, 2.0, env=env)
        out, err = writer.communicate(timeout=300)
    finally:
        stop.touch()
        got = [json.loads(r.communicate(timeout=120)[0].strip().splitlines()[-1])
               for r in readers]
    assert writer.returncode == 0 and out.strip() == "wrote 15", err
    assert all(g["failed"] == 0 for g in got), got
    assert all(g["reads"] > 0 for g in got), got
    assert any(len(g["seen"]) > 1 for g in got), got  # the writes landed during the reads
    assert user_rows(path) == 16
    assert leftovers(tmp_path) == ["stop"] or leftovers(tmp_path) == []


def test_a_long_write_session_blocks_no_reader_and_one_other_writer_for_its_wait(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = seeded(home / "dollarliq.duckdb")
    stop = tmp_path / "stop"
    holder = py(HOLDER, path, stop, env=env_for())
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        # A report opens the store (no report cache) and does not wait for the writer.
        rep = subprocess.run([sys.executable, "-m", "dollarliq", "report", "--format", "json"],
                             env=env_for(home, DOLLARLIQ_LOCK_WAIT="0", DOLLARLIQ_NO_CACHE="1"),
                             capture_output=True, text=True, timeout=300)
        with open_store(path) as s:  # the writer's row is not visible before it publishes
            before = s.user_rows()
        # A second writer waits for the writer lock, then gives up with one line.
        with pytest.raises(StoreError, match="busy") as err:
            StoreWriter(path, wait=0.5).write([pd.DataFrame({
                "series_id": ["SOFR"], "obs_date": [pd.Timestamp("2031-01-02")],
                "value": [4.0], "as_of": [pd.Timestamp("2031-01-02")]})])
        assert err.value.exit_code == 5 and "\n" not in str(err.value)
    finally:
        stop.touch()
        out, errs = holder.communicate(timeout=120)
    assert rep.returncode == 0, rep.stderr
    assert json.loads(rep.stdout)["stage"]
    assert before == 1
    assert holder.returncode == 0 and out.strip() == "published", errs
    assert user_rows(path) == 2
    assert leftovers(home) == []  # no working copy, no lock file


def test_a_writer_killed_midway_leaves_the_store_as_it_was(tmp_path):
    path = seeded(tmp_path / "dollarliq.duckdb")
    stop = tmp_path / "stop"
    holder = py(HOLDER, path, stop, env=env_for())
    assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
    assert any(n.endswith(".work") for n in leftovers(tmp_path))
    holder.send_signal(signal.SIGKILL)
    holder.wait(30)
    assert user_rows(path) == 1  # its row never reached the store file
    # The next writer takes over: the dead writer's lock is gone with it, its working
    # copy is removed.
    StoreWriter(path, wait=5.0).write([pd.DataFrame({
        "series_id": ["WALCL"], "obs_date": [pd.Timestamp("2031-02-03")], "value": [2.0],
        "as_of": [pd.Timestamp("2031-02-04")]})])
    assert user_rows(path) == 2
    assert leftovers(tmp_path) == []


def test_a_reader_keeps_reading_the_file_it_opened_while_a_writer_replaces_it(tmp_path):
    """In one process: a read that is under way goes on on the old file; the next one
    opens the new file (not a copy DuckDB kept open in this process)."""
    path = seeded(tmp_path / "dollarliq.duckdb")
    with open_store(path) as old:
        StoreWriter(path).write([pd.DataFrame({
            "series_id": ["WALCL"], "obs_date": [pd.Timestamp("2031-03-03")], "value": [3.0],
            "as_of": [pd.Timestamp("2031-03-04")]})])
        with open_store(path) as new:
            assert new.user_rows() == 2
        assert old.user_rows() == 1


# --- a store cut short at its end -----------------------------------------------------------
@pytest.fixture
def damaged_home(tmp_path, monkeypatch):
    """DOLLARLIQ_HOME with a store file of about 800 kB, then cut 100,000 bytes short (what
    ``truncate -s -100000`` does)."""
    home = tmp_path / "home"
    home.mkdir()
    path = home / "dollarliq.duckdb"
    snap = pd.read_parquet(Store(None).snapshot)
    ids = ["SOFR", "IORB", "WALCL", "WRESBAL", "RRPONTSYD", "NVDA", "QQQ", "AAPL", "MSFT", "SPY"]
    rows = snap[snap["series_id"].isin(ids)].assign(vintage=True)
    rows["as_of"] = pd.to_datetime(rows["as_of"]) + pd.Timedelta(days=1)  # later vintages
    StoreWriter(path).write([rows])
    assert path.stat().st_size > 300_000
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size - 100_000)
    monkeypatch.setenv("DOLLARLIQ_HOME", str(home))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("DOLLARLIQ_NO_CACHE", "1")
    return home


@pytest.mark.parametrize("args", [
    ["store", "info"], ["update", "--source", "fred"], ["report"], ["stages"], ["backtest"],
    ["dashboard", "--out", "{tmp}/d.html"], ["watch", "--once"], ["outlook"],
    ["series", "list"], ["series", "show", "SOFR"],
    ["bubble", "gauges"], ["bubble", "test", "NVDA"],
    ["bubble", "scan", "--tickers", "NVDA", "--scheduler", "threads"],
], ids=lambda a: " ".join(a[:2]))
def test_every_command_on_a_store_cut_short_is_one_line_and_exit_5(damaged_home, tmp_path,
                                                                    args):
    res = CliRunner().invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.exit_code == 5, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    # One error line. ``update`` says what it will fetch before it reads anything, and
    # ``watch`` that its update failed before its report fails the same way.
    lines = res.stderr.strip().splitlines()
    err = [ln for ln in lines if ln.startswith("error: ")]
    assert len(err) == 1, lines
    assert all(ln in err or ln.startswith(("update: ", "watch: update failed"))
               for ln in lines), lines
    assert "cannot be read (damaged?)" in err[0] and str(damaged_home) in err[0]
    assert not (tmp_path / "d.html").exists()


def test_health_on_a_store_cut_short_is_a_one_line_503(damaged_home, caplog):
    from fastapi.testclient import TestClient

    from dollarliq.server.app import create_app

    with TestClient(create_app(), raise_server_exceptions=False,
                    base_url="http://localhost") as client:
        r = client.get("/v1/health")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["exit_code"] == 5 and "\n" not in body["error"]
    assert "cannot be read (damaged?)" in body["error"]
    assert "Traceback" not in caplog.text


def test_a_store_cut_short_is_not_overwritten_by_an_update(damaged_home):
    """The update stops before writing: the damaged file is kept for the user to look at."""
    path = damaged_home / "dollarliq.duckdb"
    size = path.stat().st_size
    res = CliRunner().invoke(app, ["update", "--source", "fred"])
    assert res.exit_code == 5
    assert path.stat().st_size == size and leftovers(damaged_home) == []


def test_the_store_file_is_never_written_in_place(tmp_path):
    """A write session renames a new file over the store: the file a reader opened (its
    inode) is never modified."""
    path = seeded(tmp_path / "dollarliq.duckdb")
    before = path.stat()
    time.sleep(0.01)
    StoreWriter(path).write([pd.DataFrame({
        "series_id": ["WALCL"], "obs_date": [pd.Timestamp("2031-04-07")], "value": [4.0],
        "as_of": [pd.Timestamp("2031-04-08")]})])
    after = path.stat()
    assert after.st_ino != before.st_ino and user_rows(path) == 2
