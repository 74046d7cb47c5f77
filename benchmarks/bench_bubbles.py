"""Benchmarks for dollarliq.bubbles: GSADF/BSADF, critical values, LPPLS.

Run: python benchmarks/bench_bubbles.py [--json PATH] [--quick]

Every row checks agreement first, then times both versions in this process
(minimum of 5 repeats unless the row says otherwise) and prints
``kernel | n | python_ms | jit_ms | ratio``. Compile time is measured apart, in
child processes with an empty and then a warm numba cache directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "bubbles"))

from dollarliq.bubbles import kernels  # noqa: E402
from dollarliq.bubbles import lppls as L  # noqa: E402
from dollarliq.bubbles._numba import get_num_threads, set_num_threads  # noqa: E402
from dollarliq.bubbles.critical_values import critical_values  # noqa: E402
from dollarliq.bubbles.gsadf import min_window  # noqa: E402
from reference import bsadf_reference  # noqa: E402

PRICES = ROOT / "tests" / "fixtures" / "prices" / "NVDA.csv"
ROWS: list[dict] = []


def timeit(fn, repeat=5):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def row(kernel, n, python_ms, jit_ms, note=""):
    ratio = python_ms / jit_ms if python_ms and jit_ms else None
    ROWS.append(dict(kernel=kernel, n=n, python_ms=python_ms, jit_ms=jit_ms, ratio=ratio, note=note))
    p = f"{python_ms:12.1f}" if python_ms else f"{'-':>12s}"
    r = f"{ratio:10.1f}x" if ratio else f"{'-':>11s}"
    print(f"{kernel:42s} | {n:>6} | {p} | {jit_ms:10.2f} | {r} {note}", flush=True)


def bench_gsadf(quick):
    rng = np.random.default_rng(12345)
    # plain lstsq reference vs fast kernel, T = 800 (reference timed once: ~8 s)
    T = 400 if quick else 800
    y = np.cumsum(rng.standard_normal(T))
    w0 = min_window(T)
    t0 = time.perf_counter()
    ref_b, ref_f = bsadf_reference(y, w0)
    ref_ms = (time.perf_counter() - t0) * 1e3
    b, f = kernels.bsadf_lag0(y, w0)
    np.testing.assert_allclose(b, ref_b, rtol=1e-8)
    np.testing.assert_allclose(f, ref_f, rtol=1e-8)
    jit_ms = timeit(lambda: kernels.bsadf_lag0(y, w0))
    row("gsadf+bsadf lag0 vs lstsq reference", T, ref_ms, jit_ms, "(reference: 1 run)")
    py_ms = timeit(lambda: kernels.bsadf_lag0_python(y, w0), repeat=1)
    row("gsadf+bsadf lag0 vs *_python kernel", T, py_ms, jit_ms, "(python: 1 run)")
    # T = 2000, lag 0 and lag 2, one thread
    T = 2000
    y = np.cumsum(rng.standard_normal(T))
    w0 = min_window(T)
    lag0 = timeit(lambda: kernels.bsadf_lag0(y, w0))
    row("gsadf+bsadf lag0", T, None, lag0)
    b2, _ = kernels.bsadf_fixed(y, w0, 2)
    yr = y[:300]
    rb, _ = bsadf_reference(yr, min_window(300), 2)
    np.testing.assert_allclose(kernels.bsadf_fixed(yr, min_window(300), 2)[0], rb, rtol=1e-8)
    lag2 = timeit(lambda: kernels.bsadf_fixed(y, w0, 2))
    row("gsadf+bsadf lag2", T, None, lag2, f"lag2/lag0 = {lag2 / lag0:.2f}")
    bic = timeit(lambda: kernels.bsadf_lagk(y, w0, 4, kernels.IC_BIC), repeat=3)
    row("gsadf+bsadf BIC lag<=4", T, None, bic, "(3 runs)")


def bench_cv(quick):
    """Monte Carlo critical values, T = 1680: one thread and all threads side by side.

    The replications run in parallel (numba prange over rows); the draws come from one
    seeded generator before the sweep, so both runs must give identical values.
    """
    reps = 200 if quick else 2000
    n = get_num_threads()
    critical_values(100, reps=20)
    out = {}
    for th in (1, n):
        set_num_threads(th)
        t0 = time.perf_counter()
        out[th] = critical_values(1680, reps=reps, seed=1)
        ms = (time.perf_counter() - t0) * 1e3
        out[th, "ms"] = ms
    set_num_threads(n)
    np.testing.assert_array_equal(out[1].gsadf, out[n].gsadf)
    np.testing.assert_array_equal(out[1].bsadf, out[n].bsadf)
    row(f"critical values mc, reps={reps}: 1 thread | {n} threads", 1680, out[1, "ms"], out[n, "ms"],
        "(1 run each; python_ms column = 1 thread; identical values)")


def load_prices():
    df = pd.read_csv(PRICES, parse_dates=["date"], index_col="date")
    return np.log(df["adj_close"])


NASDAQ = ROOT / "tests" / "fixtures" / "lppls" / "nasdaq_dotcom.csv"


def load_nasdaq():
    df = pd.read_csv(NASDAQ, parse_dates=["Date"], index_col="Date")
    return np.log(df["Close"])


def bench_lppls_optimum(quick):
    """Every seed vs the bounded optimum (many L-BFGS-B starts) on windows ending 2000-03-10."""
    from reference import lppls_box_optimum

    lp = load_nasdaq()
    lo, hi = L._box_arrays(None)
    sizes = (252, 126) if quick else (1562, 500, 252, 126)
    L.fit(lp.iloc[-126:])
    for n in sizes:
        x = lp.iloc[-n:]
        t, y = L.time_axis(x)
        ref = lppls_box_optimum(t, y, lo, hi, n_starts=30 if quick else 100)[0]
        gaps, times, agree = [], [], []
        for seed in range(10):
            t0 = time.perf_counter()
            f = L.fit(x, seed=seed)
            times.append(time.perf_counter() - t0)
            gaps.append(f.sse / ref - 1.0)
            agree.append(f"{f.n_agree}/{f.n_runs}")
        ok = sum(g <= 1e-6 for g in gaps)
        row(f"lppls fit, Nasdaq to 2000-03-10: seeds at optimum {ok}/10", n, None,
            float(np.median(times)) * 1e3,
            f"(worst SSE gap vs reference {max(gaps):+.1e}; runs agreeing {', '.join(sorted(set(agree)))})")


def bench_lppls_fit(quick):
    # 500 daily prices, 10 windows ending 0, 30, ..., 270 sessions before the fixture's end
    lp = load_prices()
    n = min(500, len(lp))
    windows = [lp.iloc[len(lp) - n - k : len(lp) - k] for k in range(0, 10 * 30, 30) if len(lp) - n - k >= 0]
    L.fit(windows[0])
    times, fits = [], []
    for x in windows:
        t = []
        for _ in range(3):
            t0 = time.perf_counter()
            fx = L.fit(x)
            t.append(time.perf_counter() - t0)
        times.append(np.median(t))
        fits.append(fx)
    jit_ms = float(np.median(times)) * 1e3
    x = windows[0]
    tt, yy = L.time_axis(x)
    span = tt[-1] - tt[0]
    ts = (tt - tt[-1]) / span
    lo, hi = L._box_arrays(None)
    st, ck = L._starts_and_checks(6, 4, 0, lo, hi)
    args = (ts, yy - yy.mean(), st, 600, 1e-5, 1e-9, 100, 6, lo, hi, ck, L._opts(L.GRID))
    a = L.fit_window(*args)
    t0 = time.perf_counter()
    b = L.fit_window_python(*args)
    py_ms = (time.perf_counter() - t0) * 1e3
    assert abs(a[3] - b[3]) <= 1e-4 * b[3]
    row("lppls single fit (median of windows)", n, py_ms, jit_ms, f"(python: 1 run; {len(windows)} windows)")
    try:
        from lppls import lppls as lp_pkg
    except ImportError:
        print("lppls not installed: skipping the lppls comparison")
        return None
    random.seed(0)
    np.random.seed(0)
    obs = np.array([tt, yy])
    model = lp_pkg.LPPLS(observations=obs)
    model.fit(25, obs=obs)  # compile its numba functions
    ts_, inbox, better = [], 0, 0
    for x, ours in zip(windows, fits):
        tt2, yy2 = L.time_axis(x)
        o = np.array([tt2, yy2])
        t0 = time.perf_counter()
        tc, m, w, *_ = model.fit(25, obs=o)
        ts_.append(time.perf_counter() - t0)
        span2 = tt2[-1] - tt2[0]
        if (tt2[-1] + L.TC_LO * span2 <= tc <= tt2[-1] + L.TC_HI * span2
                and L.M_LO <= m <= L.M_HI and L.W_LO <= w <= L.W_HI):
            inbox += 1
            theirs = L.lppls_linear(tt2, yy2, tc, m, w)[0]
            better += ours.sse <= theirs * (1 + 1e-6)
    row("lppls single fit: lppls pkg vs ours", n, float(np.median(ts_)) * 1e3, jit_ms,
        f"(lppls fit inside our search box on {inbox}/{len(windows)} windows; "
        f"ours SSE <= lppls SSE (1e-6 rel) on {better}/{inbox} of those)")
    return lp_pkg


def bench_indicator(quick, lp_pkg, x=None, label=""):
    if x is None:
        lp = load_prices()
        x = lp.iloc[-252:]
    n = get_num_threads()
    set_num_threads(1)
    L.confidence_indicator(x.iloc[:100])
    ours = None
    jit_ms = timeit(lambda: L.confidence_indicator(x), repeat=1 if quick else 2)
    ours = L.confidence_indicator(x)
    set_num_threads(n)
    jit2 = timeit(lambda: L.confidence_indicator(x), repeat=1 if quick else 2)
    share = ours.qualified_share
    if lp_pkg is None:
        row("lppls confidence indicator, 1 thread", 252, None, jit_ms, f"(qualified share {share:.3f})")
        return
    t = np.array([d.toordinal() for d in x.index], dtype=float)
    obs = np.array([t, x.to_numpy()])
    random.seed(0)
    np.random.seed(0)
    model = lp_pkg.LPPLS(observations=obs)
    model.fit(25, obs=obs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        devnull = open(os.devnull, "w")
        old = sys.stderr
        sys.stderr = devnull  # tqdm progress bar
        try:
            t0 = time.perf_counter()
            res = model.mp_compute_nested_fits(workers=1)
            lp_ms = (time.perf_counter() - t0) * 1e3
        finally:
            sys.stderr = old
            devnull.close()
        ind = model.compute_indicators(res)
    # fit quality: our SSE against lppls's on every nested window where its fit is in our box
    theirs_fits = [f for r in res for f in r["res"]]
    inbox = worse = 0
    worst = -np.inf
    yv = x.to_numpy()
    for f, (_, o) in zip(theirs_fits, ours.fits.iterrows()):
        span = o["t2"] - o["t1"]
        if not (o["t2"] + L.TC_LO * span <= f["tc"] <= o["t2"] + L.TC_HI * span
                and L.M_LO <= f["m"] <= L.M_HI and L.W_LO <= f["w"] <= L.W_HI):
            continue
        sel = (t >= o["t1"]) & (t <= o["t2"])
        sse = L.lppls_linear(t[sel], yv[sel], f["tc"], f["m"], f["w"])[0]
        gap = o["sse"] / sse - 1.0
        inbox += 1
        worse += gap > 1e-6
        worst = max(worst, gap)
    print(f"    fit quality: lppls fit in our box on {inbox}/{len(theirs_fits)} nested windows; ours above "
          f"its SSE by more than 1e-6 on {worse}; worst relative gap {worst:+.1e}")
    q = [f["is_qualified"] for r in ind["_fits"] for f in r]
    their_share = float(np.mean(q))
    nfit = len(q)
    assert nfit == len(ours.fits), (nfit, len(ours.fits))
    row(f"lppls confidence indicator{label}, 1 thread", 252, lp_ms, jit_ms,
        f"(lppls workers=1, 1 run; qualified share lppls {their_share:.3f} vs ours {share:.3f}; {nfit} fits)")
    row(f"lppls confidence indicator{label}, {get_num_threads()} threads", 252, lp_ms, jit2, "(vs lppls workers=1)")
    pos_l = np.array(ind["pos_conf"], dtype=float)
    pos_o = ours.frame["pos_conf"].to_numpy()
    print(f"    mean pos_conf lppls {pos_l.mean():.3f} ours {pos_o.mean():.3f}; "
          f"mean neg_conf lppls {np.mean(np.array(ind['neg_conf'], dtype=float)):.3f} "
          f"ours {ours.frame['neg_conf'].mean():.3f}")


CHILD = r"""
import sys, time, numpy as np
sys.path.insert(0, {src!r})
t0 = time.perf_counter()
from dollarliq.bubbles import kernels, lppls as L
imp = time.perf_counter() - t0
y = np.cumsum(np.random.default_rng(1).standard_normal(300))
out = {{}}
for name, fn in [("bsadf_lag0", lambda: kernels.bsadf_lag0(y, 40)),
                 ("bsadf_fixed", lambda: kernels.bsadf_fixed(y, 40, 2)),
                 ("lppls fit", lambda: L.fit(y * 0.01 + 5.0))]:
    t0 = time.perf_counter(); fn(); a = time.perf_counter() - t0
    t0 = time.perf_counter(); fn(); b = time.perf_counter() - t0
    out[name] = (a - b) * 1e3
print(repr(out))
"""


def bench_compile():
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NUMBA_CACHE_DIR=d)
        code = CHILD.format(src=str(ROOT / "src"))
        res = []
        for label in ("cold cache", "warm cache"):
            p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            res.append((label, eval(p.stdout.strip().splitlines()[-1])))
    for label, out in res:
        for k, v in out.items():
            ROWS.append(dict(kernel=f"compile {k} ({label})", n=None, python_ms=None, jit_ms=v, ratio=None,
                             note="first call minus second call, fresh process"))
            print(f"{'compile ' + k + ' (' + label + ')':42s} | {'':>6} | {'':>12} | {v:10.1f} | "
                  f"{'':>11s} first call - second call, fresh process")


def main() -> None:
    ap = argparse.ArgumentParser(description="dollarliq.bubbles benchmarks")
    ap.add_argument("--json", default=None, help="write the rows to this JSON file")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cpus, "
          f"numba threads {get_num_threads()}")
    print(f"{'kernel':42s} | {'n':>6} | {'python_ms':>12} | {'jit_ms':>10} | {'ratio':>11}")
    print("-" * 96)
    n = get_num_threads()
    set_num_threads(1)
    bench_gsadf(args.quick)
    set_num_threads(n)
    bench_cv(args.quick)
    set_num_threads(1)
    bench_lppls_optimum(args.quick)
    lp_pkg = bench_lppls_fit(args.quick)
    set_num_threads(n)
    bench_indicator(args.quick, lp_pkg)
    if not args.quick:
        # a stretch with a strong run-up: the 252 sessions to 2024-06-20
        lp = load_prices()
        bench_indicator(args.quick, lp_pkg, lp.loc[:"2024-06-20"].iloc[-252:], " (NVDA to 2024-06-20)")
    bench_compile()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(ROWS, fh, indent=1, default=float)


if __name__ == "__main__":
    main()
