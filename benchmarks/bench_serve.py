"""Load test of ``dollarliq serve`` on loopback: bounded, stops by itself.

    python benchmarks/bench_serve.py [--requests 2000] [--clients 20] [--past 2019-09-17]
                                     [--home DIR] [--json PATH]

Starts the real server process on 127.0.0.1 (a free port, a temporary DOLLARLIQ_HOME unless
``--home`` is given: the embedded snapshot is the data), waits for it, then sends
``--requests`` GET /v1/report requests from ``--clients`` concurrent keep-alive clients,
half for the latest date (no ``as_of``) and half for a past date, interleaved. It prints

* the first (uncached) answer for each date, computed by the server;
* p50 / p99 / max latency per date under load, requests per second, errors (any status other
  than 200, or a transport error);
* the reference in the same run: a cold ``dollarliq report --format json`` process for the
  same dates (median of 3), and the ratio reference / server p50;
* the server's memory after the run (VmRSS, and the peak VmHWM, from /proc).

Nothing leaves the machine: the server binds 127.0.0.1 and has no background update. The
run stops after ``--requests`` requests or ``--max-seconds``, whichever comes first, and the
server process is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import socket

import httpx

HOST = "127.0.0.1"
# httpx writes a request in two packets; without TCP_NODELAY the second waits for the
# server's delayed ACK (about 40 ms on Linux), which would be measured as server latency.
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "dollarliq", "serve", "--host", HOST,
                             "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)
    line = proc.stdout.readline()
    m = re.search(rf"http://{re.escape(HOST)}:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    base = f"http://{HOST}:{m.group(1)}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/v1/health", timeout=30).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not answer /v1/health within 120 s")


def memory_kb(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0])
    return out


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def load(base: str, paths: list[str], clients: int, max_seconds: float
         ) -> tuple[dict[str, list[float]], int, float]:
    """Send every path once from ``clients`` threads; latencies (s) per path, errors, wall."""
    work: queue.SimpleQueue[str] = queue.SimpleQueue()
    for p in paths:
        work.put(p)
    lat: dict[str, list[float]] = {p: [] for p in set(paths)}
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + max_seconds

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60,
                          transport=httpx.HTTPTransport(socket_options=NODELAY)) as c:
            while time.monotonic() < stop:
                try:
                    p = work.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.get(p)
                    ok = r.status_code == 200 and r.content[:1] == b"{"
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    lat[p].append(dt)
                    errors[0] += not ok

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors[0], time.perf_counter() - t0


def cli_seconds(env: dict, as_of: str | None, repeat: int = 3) -> float:
    args = [sys.executable, "-m", "dollarliq", "report", "--format", "json"]
    if as_of:
        args += ["--as-of", as_of]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--past", default="2019-09-17", help="The past as-of date.")
    ap.add_argument("--home", default=None, help="DOLLARLIQ_HOME (default: a temporary one).")
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--json", default=None, help="Write the results to this file.")
    a = ap.parse_args()
    if a.requests < 2 or a.clients < 1:
        raise SystemExit("--requests >= 2 and --clients >= 1")

    tmp = tempfile.TemporaryDirectory(prefix="dollarliq-bench-serve-")
    env = {**os.environ, "DOLLARLIQ_HOME": a.home or str(Path(tmp.name) / "home"),
           "NO_COLOR": "1"}
    env.pop("FRED_API_KEY", None)
    latest, past = "/v1/report", f"/v1/report?as_of={a.past}"
    proc, base = start_server(env)
    try:
        first = {}
        for p in (latest, past):
            t0 = time.perf_counter()
            r = httpx.get(base + p, timeout=300)
            r.raise_for_status()
            first[p] = time.perf_counter() - t0
        latest_date = httpx.get(base + latest, timeout=60).json()["as_of"]
        paths = [latest if i % 2 == 0 else past for i in range(a.requests)]
        lat, errors, wall = load(base, paths, a.clients, a.max_seconds)
        mem = memory_kb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    ref = {latest: cli_seconds(env, None), past: cli_seconds(env, a.past)}
    tmp.cleanup()

    done = sum(len(v) for v in lat.values())
    rows = []
    print(f"dollarliq serve load test: {done} of {a.requests} requests, {a.clients} clients, "
          f"loopback, {wall:.1f} s ({done / wall:.0f} req/s), errors {errors}")
    print(f"{'endpoint':<34} {'n':>5} {'first_ms':>9} {'p50_ms':>8} {'p99_ms':>8} "
          f"{'max_ms':>8} {'cli_ms':>8} {'cli/p50':>8}")
    for p, label in ((latest, f"/v1/report (latest, {latest_date})"),
                     (past, f"/v1/report?as_of={a.past}")):
        xs = lat[p]
        p50, p99 = pct(xs, 0.50), pct(xs, 0.99)
        rows.append({"path": p, "n": len(xs), "first_ms": first[p] * 1e3, "p50_ms": p50 * 1e3,
                     "p99_ms": p99 * 1e3, "max_ms": max(xs) * 1e3, "cli_ms": ref[p] * 1e3,
                     "ratio_cli_to_p50": ref[p] / p50})
        print(f"{label:<34} {len(xs):>5} {first[p] * 1e3:>9.0f} {p50 * 1e3:>8.1f} "
              f"{p99 * 1e3:>8.1f} {max(xs) * 1e3:>8.1f} {ref[p] * 1e3:>8.0f} "
              f"{ref[p] / p50:>7.0f}x")
    print(f"server memory after the run: RSS {mem.get('VmRSS', 0) / 1024:.0f} MB, "
          f"peak {mem.get('VmHWM', 0) / 1024:.0f} MB")
    if a.json:
        Path(a.json).write_text(json.dumps({"requests": done, "clients": a.clients,
                                            "errors": errors, "wall_s": wall, "rows": rows,
                                            "memory_kb": mem}, indent=1))
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
