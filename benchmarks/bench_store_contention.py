"""Readers and writers of one store, as real processes: bounded, stops by itself.

    python benchmarks/bench_store_contention.py [--reads 200] [--clients 3] [--latency 0.1]
                                                [--only readers|serve|scan] [--json PATH]
                                                [--src OTHER_CHECKOUT/src]

Run from the repository root with the package importable (``PYTHONPATH=src`` or installed).
Every ``update`` is served by the local mirror of recorded provider answers
(``tests/mirror.py``, ``DOLLARLIQ_MIRROR``), ``--latency`` seconds per request; nothing
leaves the machine. Each scenario uses its own temporary ``DOLLARLIQ_HOME`` and sets
``DOLLARLIQ_NO_CACHE=1``, so every read opens the store (no report cache).

``readers``
    Full updates (``update --since 2000-01-01``, every source, into a store reset to empty
    before each one) run back to back while ``--clients`` threads run ``report``,
    ``series show SOFR`` and ``dashboard`` in turn. It stops after ``--reads`` reads that
    started and ended within one update. Prints failed reads (exit code not 0), the
    read times and the updates' exit codes (3 is expected: the mirror has recordings for
    only some series) and ``not written`` counts.
``serve``
    The same full update into an empty store: alone (the reference), then while
    ``dollarliq serve`` on that store is asked a new question every 100 ms (a series from a
    new start date; every tenth, the report on a new as-of date). Prints both update times,
    their ratio, the update's exit code and ``not written`` count, and the server's answers
    by HTTP status.
``scan``
    ``report`` (the reference: alone), then ``report`` again and again and one
    ``update`` while a long ``bubble scan`` runs (GSADF over seven names, in-process
    threads; see ``SCAN``). Prints the exit codes, report times with and without the scan and their
    ratio (the scan competes for the CPU; a report never waits for the store).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mirror import Mirror  # noqa: E402

STORE = "dollarliq.duckdb"
FULL_UPDATE = ["update", "--since", "2000-01-01"]
#: GSADF over seven names and six windows; the critical values of five of the windows are
#: simulated first (999 replications each), which is what makes the scan long.
SCAN = ["bubble", "scan", "--method", "gsadf", "--tickers", "NVDA,MSFT,AAPL,QQQ,SPY,AVGO,META",
        "--windows", "504,700,800,900,1000,1200", "--scheduler", "threads", "--workers", "1"]


SRC = ROOT / "src"  # the package the processes run (``--src``: another checkout's, to compare)


def env_for(home: Path, mirror_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DOLLARLIQ_HOME=str(home), DOLLARLIQ_MIRROR=mirror_url, NO_COLOR="1",
               DOLLARLIQ_NO_CACHE="1", COLUMNS="120",
               FRED_API_KEY="abcdefabcdefabcdefabcdefabcdefab")  # the mirror ignores it
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SRC)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 900) -> tuple[int, float, str]:
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "dollarliq", *args], env=env,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, time.monotonic() - t0, p.stdout + p.stderr


def empty_store(path: Path) -> None:
    """A valid store file with no rows (the tables only)."""
    subprocess.run([sys.executable, "-c",
                    "import sys; from dollarliq.store import Store; s = Store(sys.argv[1]); "
                    "s.con.execute('CHECKPOINT'); s.close()", str(path)],
                   env=env_for(path.parent, "http://127.0.0.1:9"), check=True)


def not_written(out: str) -> int:
    return len(re.findall(r"not written", out))


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))] if s else float("nan")


# --------------------------------------------------------------------------------- readers
def readers_during_update(tmp: Path, reads: int, clients: int, latency: float) -> dict:
    home = tmp / "readers"
    home.mkdir()
    seed = tmp / "empty.duckdb"
    empty_store(seed)
    store = home / STORE
    lock = threading.Lock()
    state = {"cycle": 0, "running": False, "counted": 0}
    done = threading.Event()
    updates: list[dict] = []
    results: list[dict] = []
    commands = [["report"], ["series", "show", "SOFR", "--last", "5"],
                ["dashboard", "--out", "{out}", "--quiet"]]

    with Mirror(latency=latency) as m:
        env = env_for(home, m.url)

        def updater() -> None:
            while not done.is_set():
                # No writer is running here: reset the store to empty, atomically, so the
                # next update is a full one that writes every series again.
                shutil.copyfile(seed, tmp / "seed.tmp")
                os.replace(tmp / "seed.tmp", store)
                with lock:
                    state["cycle"] += 1
                    state["running"] = True
                rc, secs, out = cli(env, *FULL_UPDATE)
                with lock:
                    state["running"] = False
                updates.append({"rc": rc, "seconds": round(secs, 1),
                                "not_written": not_written(out),
                                "summary": out.strip().splitlines()[-1][:160]})

        def reader(i: int) -> None:
            k = i
            while not done.is_set():
                with lock:
                    running, cycle = state["running"], state["cycle"]
                if not running:
                    time.sleep(0.05)
                    continue
                cmd = [a.replace("{out}", str(tmp / f"dash-{i}.html"))
                       for a in commands[k % len(commands)]]
                k += 1
                rc, secs, out = cli(env, *cmd)
                with lock:
                    during = state["running"] and state["cycle"] == cycle
                    if during:
                        state["counted"] += 1
                        if state["counted"] >= reads:
                            done.set()
                results.append({"cmd": cmd[0] if cmd[0] != "series" else "series show",
                                "rc": rc, "seconds": secs, "during": during,
                                "error": "" if rc == 0 else out.strip().splitlines()[-1][:200]})

        up = threading.Thread(target=updater)
        up.start()
        threads = [threading.Thread(target=reader, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        up.join()
    during = [r for r in results if r["during"]]
    by_cmd = {}
    for r in during:
        c = by_cmd.setdefault(r["cmd"], {"reads": 0, "failed": 0, "seconds": []})
        c["reads"] += 1
        c["failed"] += r["rc"] != 0
        c["seconds"].append(r["seconds"])
    return {
        "reads_during_update": len(during),
        "failed_during_update": sum(r["rc"] != 0 for r in during),
        "reads_total": len(results), "failed_total": sum(r["rc"] != 0 for r in results),
        "errors": sorted({r["error"] for r in results if r["rc"] != 0})[:5],
        "by_command": {k: {"reads": v["reads"], "failed": v["failed"],
                           "p50_s": round(statistics.median(v["seconds"]), 2),
                           "max_s": round(max(v["seconds"]), 2)} for k, v in by_cmd.items()},
        "updates": updates,
    }


# --------------------------------------------------------------------------------- serve
def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "dollarliq", "serve", "--host", "127.0.0.1",
                             "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    base = f"http://127.0.0.1:{found.group(1)}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/v1/health", timeout=30).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not answer /v1/health within 120 s")


def update_while_serving(tmp: Path, latency: float) -> dict:
    import datetime as dt

    import httpx

    seed = tmp / "empty.duckdb"
    if not seed.exists():
        empty_store(seed)
    out: dict = {}
    with Mirror(latency=latency) as m:
        alone = tmp / "serve-ref"
        alone.mkdir()
        shutil.copyfile(seed, alone / STORE)
        rc, secs, text = cli(env_for(alone, m.url), *FULL_UPDATE)
        out["reference"] = {"rc": rc, "seconds": round(secs, 1),
                            "not_written": not_written(text)}

        home = tmp / "serve"
        home.mkdir()
        shutil.copyfile(seed, home / STORE)
        env = env_for(home, m.url)
        proc, base = start_server(env)
        stop = threading.Event()
        lock = threading.Lock()
        codes: dict[int, int] = {}
        latencies: list[float] = []

        def ask() -> None:
            """A new question every 100 ms, whether the last one is answered or not."""
            from concurrent.futures import ThreadPoolExecutor

            day = dt.date(2019, 1, 2)
            n = 0
            nxt = time.monotonic()
            c = httpx.Client(base_url=base, timeout=120)

            def one(path: str) -> None:
                t0 = time.monotonic()
                try:
                    status = c.get(path).status_code
                except httpx.TransportError:
                    status = 0
                with lock:
                    latencies.append(time.monotonic() - t0)
                    codes[status] = codes.get(status, 0) + 1

            with ThreadPoolExecutor(max_workers=16) as pool:
                while not stop.is_set():
                    n += 1
                    day += dt.timedelta(days=1)
                    pool.submit(one, f"/v1/report?as_of={day + dt.timedelta(days=900)}"
                                if n % 10 == 0 else f"/v1/series/SOFR?start={day}")
                    nxt += 0.1
                    time.sleep(max(0.0, nxt - time.monotonic()))
            c.close()

        t = threading.Thread(target=ask)
        try:
            t.start()
            time.sleep(2.0)  # questions already coming in when the update starts
            rc, secs, text = cli(env, *FULL_UPDATE)
            stop.set()
            t.join()
        finally:
            stop.set()
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        out["with_server"] = {"rc": rc, "seconds": round(secs, 1),
                              "not_written": not_written(text),
                              "summary": text.strip().splitlines()[-1][:160]}
        out["ratio_with_server_to_alone"] = round(secs / out["reference"]["seconds"], 2)
        out["server_answers_by_status"] = {str(k): v for k, v in sorted(codes.items())}
        out["server_p50_s"] = round(pct(latencies, 0.5), 3)
        out["server_max_s"] = round(max(latencies), 3) if latencies else None
    return out


# --------------------------------------------------------------------------------- scan
def report_during_scan(tmp: Path, latency: float) -> dict:
    home = tmp / "scan"
    home.mkdir()
    seed = tmp / "empty.duckdb"
    if not seed.exists():
        empty_store(seed)
    shutil.copyfile(seed, home / STORE)
    with Mirror(latency=latency) as m:
        env = env_for(home, m.url)
        ref = [cli(env, "report")[:2] for _ in range(2)]
        # one thread of numerical work for the scan: the reports get the other core(s)
        scan = subprocess.Popen([sys.executable, "-m", "dollarliq", *SCAN],
                                env={**env, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t0 = time.monotonic()
        time.sleep(3.0)  # the scan has read its prices and is computing
        during: list[tuple[int, float]] = []
        upd: dict = {}

        def update() -> None:  # a writer too, meanwhile
            rc, secs, text = cli(env, "update", "--source", "nyfed", "--since", "2020-08-01")
            upd.update(rc=rc, seconds=round(secs, 1), not_written=not_written(text),
                       during_scan=scan.poll() is None)

        ut = threading.Thread(target=update)
        ut.start()
        while scan.poll() is None:
            rc, secs, _ = cli(env, "report")
            if scan.poll() is None:
                during.append((rc, secs))
        ut.join()
        scan_secs = time.monotonic() - t0 + 3.0
        scan_err = scan.stderr.read()
    ref_s = statistics.median(s for _, s in ref)
    dur_s = statistics.median(s for _, s in during) if during else float("nan")
    return {
        "scan_rc": scan.returncode, "scan_seconds": round(scan_secs, 1),
        "scan_error": scan_err.strip().splitlines()[-1][:160] if scan.returncode else "",
        "report_alone": {"runs": len(ref), "failed": sum(rc != 0 for rc, _ in ref),
                         "p50_s": round(ref_s, 2)},
        "report_during_scan": {"runs": len(during), "failed": sum(rc != 0 for rc, _ in during),
                               "p50_s": round(dur_s, 2)},
        "ratio_during_to_alone": round(dur_s / ref_s, 2),
        "update_during_scan": upd,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reads", type=int, default=200)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--only", choices=["readers", "serve", "scan"])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--src", type=Path, default=SRC,
                    help="the src folder of the package to run (default: this checkout's)")
    a = ap.parse_args()
    globals()["SRC"] = a.src.resolve()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="dollarliq-contention-") as d:
        tmp = Path(d)
        if a.only in (None, "readers"):
            res["readers"] = readers_during_update(tmp, a.reads, a.clients, a.latency)
            r = res["readers"]
            print(f"readers during full updates: {r['failed_during_update']} failed of "
                  f"{r['reads_during_update']} ({r['failed_total']} of {r['reads_total']} "
                  f"in all); {len(r['updates'])} updates, exit codes "
                  f"{[u['rc'] for u in r['updates']]}, not written "
                  f"{sum(u['not_written'] for u in r['updates'])}", flush=True)
            for k, v in r["by_command"].items():
                print(f"  {k:12s} {v['reads']:4d} reads, {v['failed']} failed, "
                      f"p50 {v['p50_s']:.2f} s, max {v['max_s']:.2f} s", flush=True)
            for e in r["errors"]:
                print(f"  error: {e}", flush=True)
        if a.only in (None, "serve"):
            res["serve"] = s = update_while_serving(tmp, a.latency)
            print(f"update alone {s['reference']['seconds']} s (exit {s['reference']['rc']}); "
                  f"while serve answers every 100 ms {s['with_server']['seconds']} s "
                  f"(exit {s['with_server']['rc']}, not written "
                  f"{s['with_server']['not_written']}); ratio "
                  f"{s['ratio_with_server_to_alone']}; server answers "
                  f"{s['server_answers_by_status']}, p50 {s['server_p50_s']} s", flush=True)
        if a.only in (None, "scan"):
            res["scan"] = c = report_during_scan(tmp, a.latency)
            print(f"bubble scan {c['scan_seconds']} s (exit {c['scan_rc']}); report alone "
                  f"p50 {c['report_alone']['p50_s']} s; during the scan "
                  f"{c['report_during_scan']['runs']} reports, "
                  f"{c['report_during_scan']['failed']} failed, p50 "
                  f"{c['report_during_scan']['p50_s']} s (ratio {c['ratio_during_to_alone']}); "
                  f"update during the scan: {c['update_during_scan']}", flush=True)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
