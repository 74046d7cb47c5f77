"""The real ``dollarliq update`` process against a mirror on 127.0.0.1 (``DOLLARLIQ_MIRROR``)
serving recorded real bodies by host and path, with no FRED key: the whole path from the
socket to the store file, faults served over real HTTP, readers during a writer, and a disk
that cannot take the write.

Fault bodies (bad gzip, a redirect loop, a gzip bomb, an HTML page) are built in
``tests/mirror.py`` and labelled there.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dollarliq.catalog import get_spec, specs_for_source
from dollarliq.indicators import INPUT_IDS
from dollarliq.sources import UPDATABLE_SOURCES
from dollarliq.store import Store
from mirror import (Mirror, fault_bad_gzip, fault_gzip_bomb, fault_html, fault_redirect_loop,
                    fault_status, gzip_bomb)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]),
              pytest.mark.slow]

RECORDED = ["SOFR", "SOFR99", "EFFR", "OBFR", "RRP_ACCEPTED", "RRP_RATE", "RPONTTLD",
            "TGA_DTS", "AAPL", "NVDA", "MSFT"]
#: Inputs of the stage rules and headline indicators from the Fed Board's H.4.1, served from
#: the recorded H.4.1 package (``mirror.RECORDINGS``), and from the NY Fed.
RECORDED_INPUTS = ["WRESBAL", "WTREGEN", "WDTGAL", "WLCFLPCL", "SWPT", "H41RESPPALDKNWW",
                   "H41RESPPALGTRFNWW", "WORAL", "TREAST", "WSHOMCB", "RRPONTSYD", "RPONTSYD",
                   "SOFR1", "SOFR25", "SOFR75"]
#: Keyless inputs with no recording to serve: the recorded H.4.1 package lacks total assets
#: (RESPPA_N.WW); nothing is recorded of the Board's PRATES (IORB) or H.8 releases, of Cboe,
#: or of the NY Fed's TGCR and BGCR.
UNRECORDED_INPUTS = ["WALCL", "IORB", "TLAACBW027SBOG", "VIXCLS", "TGCR", "BGCR"]
#: Inputs only FRED publishes: without a key each says so.
KEYED = [sid for sid in INPUT_IDS if get_spec(sid).source == "fred"]
RP = ("markets.newyorkfed.org", "/api/rp/")


def env_for(home: Path, mirror: Mirror, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env.update(DOLLARLIQ_HOME=str(home), DOLLARLIQ_MIRROR=mirror.url, NO_COLOR="1",
               COLUMNS="220", **extra)
    return env


def dollarliq(env: dict[str, str], *args: str, limit_file_bytes: int | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    def limit() -> None:  # a disk that takes no more than this many bytes per file
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run([sys.executable, "-m", "dollarliq", *args], env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit if limit_file_bytes is not None else None)


def series_args(ids: list[str]) -> list[str]:
    return [a for sid in ids for a in ("--series", sid)]


def table(stdout: str) -> dict[str, list[str]]:
    """Rows of the summary table by series id."""
    return {ln.split()[0]: ln.split() for ln in stdout.splitlines() if len(ln.split()) >= 7}


def user_rows(home: Path, series_id: str) -> int:
    with Store(home / "dollarliq.duckdb", read_only=True) as s:
        return int(s.con.execute("SELECT count(*) FROM observations WHERE series_id = ?",
                                 [series_id]).fetchone()[0])


# -- through the mirror, no key ----------------------------------------------------------------
def test_the_inputs_are_all_accounted_for():
    # Every input of the stage rules and headline indicators is recorded, keyed or named as
    # unrecorded above; a new input has to be placed in one of them.
    assert set(INPUT_IDS) == (set(RECORDED + RECORDED_INPUTS) & set(INPUT_IDS)) | set(
        UNRECORDED_INPUTS) | set(KEYED)
    assert {get_spec(s).source for s in RECORDED_INPUTS + UNRECORDED_INPUTS}.isdisjoint({"fred"})


def test_update_process_through_the_mirror_without_a_key(tmp_path):
    home = tmp_path / "home"
    with Mirror() as m:
        res = dollarliq(env_for(home, m), "update", "--since", "2020-08-01", "--verbose",
                        *series_args(RECORDED + RECORDED_INPUTS + KEYED))
    assert res.returncode == 0, res.stdout + res.stderr
    rows = table(res.stdout)
    for sid in RECORDED + RECORDED_INPUTS:
        assert rows[sid][2] == "ok" and int(rows[sid][3]) > 0, rows[sid]
    for sid in RECORDED_INPUTS[:10]:  # the H.4.1 lines, from the Fed Board
        assert rows[sid][1] == "fedboard", rows[sid]
    assert int(rows["WRESBAL"][3]) == 100  # the Wednesdays 2021-04-28 .. 2023-03-22 recorded
    # The FRED series without a key: one line for them all.
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("note: ")]
    assert notes == [f"note: fred: {len(KEYED)} series: needs FRED_API_KEY (free at "
                     "fred.stlouisfed.org/docs/api/api_key.html); skipped"]
    assert [rows[s.id][2] for s in specs_for_source("fred") if s.id in KEYED] == \
        ["needs"] * len(KEYED)
    assert not any(ln.startswith("error: ") for ln in res.stderr.splitlines()), res.stderr
    # Every request went to the mirror, by host and path, and none carried a key.
    hosts = {p.split("/")[1] for p in m.requests}
    assert hosts == {"markets.newyorkfed.org", "api.fiscaldata.treasury.gov",
                     "query1.finance.yahoo.com", "www.federalreserve.gov"}
    assert not any("api_key" in p for p in m.requests)
    # NY Fed requests are one per group: SOFR and SOFR99 share one; the H.4.1 release
    # package serves every H.4.1 line.
    assert sum("/rates/secured/sofr/" in p for p in m.requests) == 1
    assert [p for p in m.requests if "Output.aspx" in p] == [
        "/www.federalreserve.gov/datadownload/Output.aspx?rel=H41&filetype=zip"]
    # The recorded values in stored units (USD mn -> bn), dated as observed.
    with Store(home / "dollarliq.duckdb", read_only=True) as s:
        rrp = s.query(["RRP_ACCEPTED"]).set_index("obs_date")["value"]
        assert rrp.loc["2023-04-21"] == pytest.approx(2290.023)
        wres = s.query(["WRESBAL"]).set_index("obs_date")["value"]
        assert wres.loc["2023-03-22"] == pytest.approx(3425.075)
    assert user_rows(home, "RRP_ACCEPTED") > 200


def test_a_full_update_from_the_mirror_lists_every_series(tmp_path):
    home = tmp_path / "home"
    with Mirror() as m:
        res = dollarliq(env_for(home, m), "update", "--since", "2020-08-01", "--verbose")
    rows = table(res.stdout)
    every = [s.id for src in UPDATABLE_SOURCES for s in specs_for_source(src)]
    assert set(every) <= set(rows)
    failed = [sid for sid in every if rows[sid][2] == "failed"]
    # Series without a recording get the mirror's 404 (or, for a Fed Board series whose
    # release package is recorded without it, "not in the DDP body"): each has its one line,
    # and the update says so with exit code 3; the recorded ones are in.
    assert res.returncode == (3 if failed else 0)
    assert "Traceback" not in res.stderr
    for sid in failed:
        assert rows[sid][7:9] == ["HTTP", "404"] or (
            rows[sid][7] == "series" and "is not in the DDP body" in res.stdout), rows[sid]
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert 0 < len(errors) <= len(failed)  # one line per source and reason
    for sid in RECORDED:
        assert rows[sid][2] == "ok"
    assert {rows[s.id][2] for s in specs_for_source("fred")} == {"needs"}  # "needs key"


# -- faults over real HTTP ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(1.0)


@pytest.mark.parametrize("kind, needle", [
    ("gzip", "corrupt gzip"),
    ("redirect", "too many redirects"),
    ("bomb", "larger than 50 MB"),
    ("403", "HTTP 403"),
    ("html", "HTML page"),
])
def test_a_fault_on_one_source_leaves_the_others_updated(tmp_path, kind, needle, bomb):
    home = tmp_path / "home"
    faults = {"gzip": fault_bad_gzip(), "redirect": fault_redirect_loop(),
              "bomb": fault_gzip_bomb(bomb), "403": fault_status(403, b"Forbidden"),
              "html": fault_html()}
    with Mirror() as m:
        m.faults[RP] = faults[kind]
        env = env_for(home, m)
        # Peak memory of the update process alone, through a small parent.
        code = ("import resource, subprocess, sys; "
                "r = subprocess.run(sys.argv[1:]); "
                "print('maxrss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
                "file=sys.stderr); sys.exit(r.returncode)")
        res = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "dollarliq",
                              "update", "--since", "2020-08-01", "--verbose",
                              *series_args(["SOFR", "TGA_DTS", "AAPL", "RRP_ACCEPTED",
                                            "RPONTTLD"])],
                             env=env, capture_output=True, text=True, timeout=180)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1  # the one request serves both series: one line
    assert errors[0].startswith("error: nyfed: RRP_ACCEPTED, RPONTTLD: ") and \
        needle in errors[0]
    rows = table(res.stdout)
    assert [rows[s][2] for s in ("SOFR", "TGA_DTS", "AAPL")] == ["ok"] * 3
    # AAPL rows were written in their own transaction (the recording's closes differ from
    # the snapshot's in the last digits: revisions).
    assert int(rows["AAPL"][4]) + int(rows["AAPL"][5]) > 0
    maxrss_mb = int(res.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    assert maxrss_mb < 600, maxrss_mb  # a gibibyte body never reaches memory


# -- readers during a writer ----------------------------------------------------------------------
def test_reports_run_while_an_update_is_fetching_and_writing(tmp_path):
    home = tmp_path / "home"
    with Mirror(latency=0.4) as m:
        env = env_for(home, m)
        dollarliq(env, "update", "--since", "2020-08-01", "--series", "RRP_ACCEPTED")
        assert (home / "dollarliq.duckdb").exists()
        writer = subprocess.Popen([sys.executable, "-m", "dollarliq", "update", "--since",
                                   "2020-08-01", *series_args(RECORDED)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        codes = []
        try:
            while writer.poll() is None:
                codes.append(dollarliq(env, "report", "--format", "json").returncode)
        finally:
            out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, out + err
    assert codes and set(codes) == {0}, codes
    assert user_rows(home, "AAPL") > 0


def test_a_reader_waits_for_a_write_lock_then_gives_exit_5(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = home / "dollarliq.duckdb"
    with Store(path) as s:
        s.con.execute("CHECKPOINT")
    hold = ("import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(float(sys.argv[2]))")
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env.update(DOLLARLIQ_HOME=str(home), NO_COLOR="1")

    holder = subprocess.Popen([sys.executable, "-c", hold, str(path), "2.0"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    t0 = time.monotonic()
    waited = subprocess.run([sys.executable, "-m", "dollarliq", "report", "--format", "json"],
                            env={**env, "DOLLARLIQ_LOCK_WAIT": "30"}, capture_output=True,
                            text=True, timeout=60)
    holder.wait()
    assert waited.returncode == 0, waited.stderr
    assert time.monotonic() - t0 >= 1.0  # it did meet the lock and wait for it

    holder = subprocess.Popen([sys.executable, "-c", hold, str(path), "20"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    try:
        # The report of an unchanged store (same file, no write-ahead log) comes from the
        # report cache and needs no lock ...
        cached = subprocess.run([sys.executable, "-m", "dollarliq", "report", "--format",
                                 "json"], env={**env, "DOLLARLIQ_LOCK_WAIT": "1"},
                                capture_output=True, text=True, timeout=60)
        # ... one that reads the store meets the lock.
        busy = subprocess.run([sys.executable, "-m", "dollarliq", "report"],
                              env={**env, "DOLLARLIQ_LOCK_WAIT": "1",
                                   "DOLLARLIQ_NO_CACHE": "1"}, capture_output=True,
                              text=True, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert cached.returncode == 0 and cached.stdout == waited.stdout, cached.stderr
    assert busy.returncode == 5
    lines = busy.stderr.strip().splitlines()
    assert len(lines) == 1 and "busy" in lines[0] and "Traceback" not in busy.stderr


# -- a disk that is full --------------------------------------------------------------------------
def test_a_full_disk_on_the_first_update_leaves_no_store_file(tmp_path):
    home = tmp_path / "home"
    with Mirror() as m:
        res = dollarliq(env_for(home, m), "update", "--since", "2020-08-01", "--series",
                        "RRP_ACCEPTED", limit_file_bytes=16 * 1024)
    assert res.returncode == 5, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    err = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(err) == 1 and "disk full?" in err[0]
    assert not (home / "dollarliq.duckdb").exists()
    assert [p.name for p in home.iterdir()] == [] if home.exists() else True


def test_a_full_disk_later_keeps_the_old_store_usable(tmp_path):
    home = tmp_path / "home"
    store = home / "dollarliq.duckdb"
    with Mirror() as m:
        env = env_for(home, m)
        first = dollarliq(env, "update", "--since", "2020-08-01", "--series", "RRP_ACCEPTED")
        assert first.returncode == 0, first.stderr
        before = user_rows(home, "RRP_ACCEPTED")
        assert store.stat().st_size > 8192
        full = dollarliq(env, "update", "--since", "2020-08-01", "--series", "RPONTTLD",
                         "--series", "AAPL", "--series", "NVDA", limit_file_bytes=4096)
    assert full.returncode == 5, full.stdout + full.stderr
    assert "Traceback" not in full.stderr
    # The old store opens, holds what it held, and every command can read it.
    assert user_rows(home, "RRP_ACCEPTED") == before
    show = dollarliq(env, "series", "show", "RRP_ACCEPTED", "--start", "2023-04-17",
                     "--format", "json")
    assert show.returncode == 0 and "2023-04-21" in show.stdout
    assert dollarliq(env, "report", "--format", "json").returncode == 0


# -- a slow-loris source ---------------------------------------------------------------------------
@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_source_fails_at_its_deadline_while_the_others_land(tmp_path, part):
    from mirror import RECORDINGS, fault_trickle_body, fault_trickle_headers, recorded_body

    home = tmp_path / "home"
    body = recorded_body(RECORDINGS[RP])  # about 430 KB: hours at 0.02 s a byte
    with Mirror() as m:
        m.faults[RP] = (fault_trickle_headers(body, 0.02) if part == "headers"
                        else fault_trickle_body(body, 0.02))
        res = dollarliq(env_for(home, m, DOLLARLIQ_REQUEST_DEADLINE="2"), "update",
                        "--since", "2020-08-01", "--verbose",
                        *series_args(["SOFR", "TGA_DTS", "RRP_ACCEPTED"]))
    assert res.returncode == 3, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert errors == ["error: nyfed: RRP_ACCEPTED: no complete answer within 2 s (the server "
                      "sends too slowly; DOLLARLIQ_REQUEST_DEADLINE sets the limit); try "
                      "again later"]
    rows = table(res.stdout)
    assert [rows[s][2] for s in ("SOFR", "TGA_DTS", "RRP_ACCEPTED")] == ["ok", "ok", "failed"]


def test_auction_records_through_the_mirror_reach_the_outlook(tmp_path):
    """The real ``dollarliq update`` fetches FiscalData's auction results and announced
    offerings from the mirror (the recorded bodies), stores them as auction records, and
    ``dollarliq outlook`` then reads them: the five offerings still upcoming on 2026-07-16
    (record date 2026-07-10) settle 2026-07-23..07-31."""
    home = tmp_path / "home"
    with Mirror() as m:
        res = dollarliq(env_for(home, m), "update", "--series", "AUCTIONS", "--series",
                        "AUCTIONS_UPCOMING", "--verbose")
    assert res.returncode == 0, res.stdout + res.stderr
    rows = table(res.stdout)
    assert rows["AUCTIONS"][1:4] == ["treasury", "ok", "25"], rows["AUCTIONS"]
    assert rows["AUCTIONS_UPCOMING"][1:4] == ["treasury", "ok", "90"], rows["AUCTIONS_UPCOMING"]
    paths = [p for p in m.requests if "/od/" in p]
    assert len(paths) == 2 and any("auction_date%3Agte%3A" in p or "auction_date:gte:" in p
                                   for p in paths)
    with Store(home / "dollarliq.duckdb", read_only=True) as s:
        n = s.con.execute("SELECT count(*) FROM auctions").fetchone()[0]
        # The 25 results are all in the snapshot already. Of the 90 offerings, 83 are in the
        # snapshot: 69 add nothing, 14 name the type otherwise (CMB, TIPS Note, FRN Note for
        # the snapshot's Bill and Note) and are kept; 7 are new (the 5 still upcoming, and
        # the 2 stale rows whose CUSIP was never issued).
        assert n == 14 + 7
        # the two sources merge: 912797SL2 keeps its offering and gets its result
        rec = s.auctions().set_index(["cusip", "issue_date"])
    assert rec.loc[("912797SL2", "2026-01-08"), "total_accepted"] == 90_430_132_400
    out = dollarliq(env_for(home, m), "outlook", "--as-of", "2026-07-17", "--days", "12",
                    "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    got = {(a["cusip"], a["status"], a["amount_usd"])
           for d in doc["calendar"] for a in d["auctions"] if a["announced"] >= "2026-07-10"}
    assert ("912810UV8", "offered", 13_000_000_000) in got
    again = None
    with Mirror() as m2:
        again = dollarliq(env_for(home, m2), "update", "--series", "AUCTIONS_UPCOMING",
                          "--verbose")
    assert again.returncode == 0
    assert table(again.stdout)["AUCTIONS_UPCOMING"][4] == "0"  # nothing new the second time


# -- no network --------------------------------------------------------------------------------
def _closed_port() -> str:
    import socket

    with socket.socket() as s:  # a port nobody listens on: every connection is refused
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_an_update_without_a_network_says_so_in_one_line_per_publisher(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env.update(DOLLARLIQ_HOME=str(tmp_path / "home"), DOLLARLIQ_MIRROR=_closed_port(),
               NO_COLOR="1", COLUMNS="220")
    res = dollarliq(env, "update")
    assert res.returncode == 3, res.stdout + res.stderr
    from dollarliq.sources import RECORD_PARTS

    every = [s for src in UPDATABLE_SOURCES for s in specs_for_source(src)]
    per = {src: sum(s.source == src for s in every) for src in UPDATABLE_SOURCES}
    per["treasury"] += len(RECORD_PARTS)  # the auction records come beside the series
    total = len(every) + len(RECORD_PARTS)
    lines = res.stderr.splitlines()
    assert lines[0] == (f"update: {total} series from {len(per)} publishers ("
                        + ", ".join(f"{src} {n}" for src, n in per.items()) + ")")
    errors = [ln for ln in lines if ln.startswith("error: ")]
    # one line per publisher (the keyless ones), each saying what is wrong
    assert sorted(ln.split(":")[1].strip() for ln in errors) == sorted(
        src for src in UPDATABLE_SOURCES if src != "fred")
    assert all("could not connect to " in ln and "(connection refused)" in ln
               and ln.endswith("is the network up?") for ln in errors), errors
    nyfed = [ln for ln in errors if ln.startswith("error: nyfed: ")][0]
    assert nyfed.startswith(f"error: nyfed: {per['nyfed']} series: could not connect to "
                            "markets.newyorkfed.org (connection refused)")
    assert [ln for ln in lines if ln.startswith("note: ")] == [
        f"note: fred: {per['fred']} series: needs FRED_API_KEY (free at "
        "fred.stlouisfed.org/docs/api/api_key.html); skipped"]
    assert len(lines) == 2 + len(UPDATABLE_SOURCES) - 1  # no table, no line per series
    assert res.stdout.splitlines() == [
        f"{total} series: 0 fetched, {total - per['fred']} failed, {per['fred']} "
        "need a key; 0 observations read, 0 new or revised stored; data end -"]
    # --quiet: the summary line alone; --verbose: the table of every series as well
    quiet = dollarliq(env, "update", "--quiet")
    assert quiet.returncode == 3 and quiet.stderr == "" and quiet.stdout == res.stdout
    verbose = dollarliq(env, "update", "--verbose")
    rows = table(verbose.stdout)
    assert {rows[s.id][2] for s in every} == {"failed", "needs"}


def test_the_update_deadline_cuts_a_slow_source_and_a_bad_setting_is_exit_2(tmp_path):
    from mirror import RECORDINGS, fault_trickle_body, recorded_body

    home = tmp_path / "home"
    with Mirror() as m:
        m.faults[RP] = fault_trickle_body(recorded_body(RECORDINGS[RP]), 0.02)
        env = env_for(home, m, DOLLARLIQ_UPDATE_DEADLINE="3", DOLLARLIQ_REQUEST_DEADLINE="600")
        res = dollarliq(env, "update", "--since", "2020-08-01", "--verbose",
                        *series_args(["SOFR", "RRP_ACCEPTED"]))
        bad = dollarliq(env_for(home, m, DOLLARLIQ_UPDATE_DEADLINE="ten minutes"), "update")
    assert res.returncode == 3, res.stdout + res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert errors == ["error: nyfed: RRP_ACCEPTED: not fetched: the update's deadline of 3 s "
                      "passed (DOLLARLIQ_UPDATE_DEADLINE sets it)"]
    assert table(res.stdout)["SOFR"][2] == "ok"
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "error: DOLLARLIQ_UPDATE_DEADLINE='ten minutes' is not a number of seconds greater "
        "than 0"]
