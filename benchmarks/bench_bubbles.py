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
    """Every seed vs the bounded optimum on windows ending 2000-03-10.

    Reference: a dense grid over the box, then L-BFGS-B from its 40 best local minima
    (``reference.lppls_grid_optimum``); "below" counts seeds whose SSE is lower than the
    reference's by more than 1e-6, which would mean the reference missed the optimum.
    """
    from reference import lppls_grid_optimum

    lp = load_nasdaq()
    lo, hi = L._box_arrays(None)
    sizes = (252, 126) if quick else (500, 252, 126)
    L.fit(lp.iloc[-126:])
    for n in sizes:
        x = lp.iloc[-n:]
        t, y = L.time_axis(x)
        ref = lppls_grid_optimum(t, y, lo, hi)[0]
        gaps, times, agree = [], [], []
        for seed in range(10):
            t0 = time.perf_counter()
            f = L.fit(x, seed=seed)
            times.append(time.perf_counter() - t0)
            gaps.append(f.sse / ref - 1.0)
            agree.append(f"{f.n_agree}/{f.n_runs}")
        ok = sum(abs(g) <= 1e-6 for g in gaps)
        below = sum(g < -1e-6 for g in gaps)
        row(f"lppls fit, Nasdaq to 2000-03-10: seeds at optimum {ok}/10", n, None,
            float(np.median(times)) * 1e3,
            f"(grid reference SSE {ref:.6f}; worst gap {max(gaps):+.1e}, below it {below}; "
            f"runs agreeing {', '.join(sorted(set(agree)))})")


def bench_lppls_optimum_published():
    """Seeds 0..4 against a dense-grid reference in the published sets' search boxes
    (48 x 48 x 200 grid, L-BFGS-B from its 60 best minima), Nasdaq windows to 2000-03-10."""
    from reference import lppls_grid_optimum

    lp = load_nasdaq()
    for name in ("sornette-2015", "shu-zhu-2020"):
        cond = L.filter_conditions(name)
        lo, hi = L._box_arrays(None, cond)
        for n in (252, 126):
            x = lp.iloc[-n:]
            t, y = L.time_axis(x)
            ref, tc, m, w = lppls_grid_optimum(t, y, lo, hi, grid=(48, 48, 200), n_best=60)
            times, gaps = [], []
            for seed in range(5):
                t0 = time.perf_counter()
                f = L.fit(x, seed=seed, conditions=cond)
                times.append(time.perf_counter() - t0)
                gaps.append(f.sse / ref - 1.0)
            ok = sum(abs(g) <= 1e-6 for g in gaps)
            below = sum(g < -1e-6 for g in gaps)
            row(f"lppls fit, {name} box: seeds at reference {ok}/5", n, None,
                float(np.median(times)) * 1e3,
                f"(reference SSE {ref:.6f}, tc - t2 {tc - t[-1]:+.2f} days; gaps "
                f"{min(gaps):+.1e}..{max(gaps):+.1e}, below it {below})")


def in_box(tc, m, w, t1, t2, lo, hi):
    """Whether an lppls fit lies inside our search box (``lo``/``hi`` from ``_box_arrays``)."""
    span = t2 - t1
    return (t2 + lo[0] * span <= tc <= t2 + hi[0] * span and lo[1] <= m <= hi[1]
            and lo[2] <= w <= hi[2])


def fit_quality(pairs, lo, hi):
    """Our SSE against lppls's, counted inside and outside our search box.

    ``pairs``: (our SSE, lppls (tc, m, w), t, y of the window). Inside the box ours should
    never be above (it searches the same space); outside it lppls may be lower, as it
    searches without bounds. Returns a printable line.
    """
    ins = out = ins_worse = out_lower = none = 0
    worst_in = -np.inf
    gaps_out = []
    for ours, (tc, m, w), t, y in pairs:
        theirs = L.lppls_linear(t, y, tc, m, w)[0] if np.isfinite([tc, m, w]).all() else np.nan
        if not np.isfinite(theirs):
            none += 1  # lppls returned no usable fit
            continue
        gap = ours / theirs - 1.0
        if in_box(tc, m, w, t[0], t[-1], lo, hi):
            ins += 1
            ins_worse += gap > 1e-6
            worst_in = max(worst_in, gap)
        else:
            out += 1
            out_lower += gap > 1e-6
            gaps_out.append(gap)
    med = f"{np.median(gaps_out):+.1e}" if gaps_out else "-"
    return (f"inside our box {ins}: ours above lppls by more than 1e-6 on {ins_worse} (worst "
            f"{worst_in:+.1e}); outside {out}: lppls lower on {out_lower} (median gap {med}), "
            f"ours lower or equal on {out - out_lower}; no lppls fit on {none}")


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
    ts_, pairs = [], []
    for x, ours in zip(windows, fits):
        tt2, yy2 = L.time_axis(x)
        o = np.array([tt2, yy2])
        t0 = time.perf_counter()
        tc, m, w, *_ = model.fit(25, obs=o)
        ts_.append(time.perf_counter() - t0)
        pairs.append((ours.sse, (tc, m, w), tt2, yy2))
    row("lppls single fit: lppls pkg vs ours", n, float(np.median(ts_)) * 1e3, jit_ms,
        f"({len(windows)} windows)")
    print("    fit quality: " + fit_quality(pairs, lo, hi))
    return lp_pkg


def bench_indicator(quick, lp_pkg, x=None, label="", conditions="lppls-0.6"):
    """Our indicator against ``lppls``'s ``mp_compute_nested_fits`` with the same layout
    (the filter set's: ``lppls-0.6`` 80/20/5/2 over 252 sessions; a published set's nested
    windows at one window end), timed, with fit quality inside and outside our box."""
    cond = L.filter_conditions(conditions)
    ws, sws, oi, ii = cond.layout
    if x is None:
        lp = load_prices()
        x = lp.iloc[-max(252, ws):]
    lay = dict(window_size=ws, smallest_window_size=sws, outer_increment=oi, inner_increment=ii)
    n = get_num_threads()
    set_num_threads(1)
    L.confidence_indicator(x.iloc[:max(100, ws)], conditions=cond)
    reps = 1 if (quick or ws > 100) else 2
    jit_ms = timeit(lambda: L.confidence_indicator(x, conditions=cond), repeat=reps)
    ours = L.confidence_indicator(x, conditions=cond)
    set_num_threads(n)
    jit2 = timeit(lambda: L.confidence_indicator(x, conditions=cond), repeat=reps)
    share = ours.qualified_share
    name = f"lppls confidence indicator{label}"
    if lp_pkg is None:
        row(f"{name}, 1 thread", len(x), None, jit_ms, f"(qualified share {share:.3f})")
        return
    t = np.array([d.toordinal() for d in x.index], dtype=float)
    yv = x.to_numpy()
    obs = np.array([t, yv])
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
            res = model.mp_compute_nested_fits(workers=1, **lay)
            lp_ms = (time.perf_counter() - t0) * 1e3
        finally:
            sys.stderr = old
            devnull.close()
        ind = model.compute_indicators(res)
    theirs_fits = [f for r in res for f in r["res"]]
    assert len(theirs_fits) == len(ours.fits), (len(theirs_fits), len(ours.fits))
    lo, hi = L._box_arrays(None, cond)
    pairs = []
    for f, (_, o) in zip(theirs_fits, ours.fits.iterrows()):
        sel = (t >= o["t1"]) & (t <= o["t2"])
        pairs.append((o["sse"], (f["tc"], f["m"], f["w"]), t[sel], yv[sel]))
    print(f"    fit quality ({conditions} box): " + fit_quality(pairs, lo, hi))
    q = [f["is_qualified"] for r in ind["_fits"] for f in r]
    their_share = float(np.mean(q))
    row(f"{name}, 1 thread", len(x), lp_ms, jit_ms,
        f"(lppls workers=1, 1 run; layout {ws}/{sws}/{oi}/{ii}; {len(q)} fits; qualified share "
        f"lppls {their_share:.3f} (its filter) vs ours {share:.3f} ({conditions}))")
    row(f"{name}, {get_num_threads()} threads", len(x), lp_ms, jit2, "(vs lppls workers=1)")
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
    ap.add_argument("--lppls-only", action="store_true", help="only the LPPLS rows")
    ap.add_argument("--published-optimum", action="store_true",
                    help="only the seeds against the reference in the published sets' boxes")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cpus, "
          f"numba threads {get_num_threads()}")
    print(f"{'kernel':42s} | {'n':>6} | {'python_ms':>12} | {'jit_ms':>10} | {'ratio':>11}")
    print("-" * 96)
    n = get_num_threads()
    if args.published_optimum:
        set_num_threads(1)
        bench_lppls_optimum_published()
        return
    if not args.lppls_only:
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
        # the published layouts at one window end (the last close), against lppls with the
        # same nested windows
        for name in ("shu-zhu-2020", "sornette-2015"):
            bench_indicator(args.quick, lp_pkg, label=f" {name} layout", conditions=name)
    if not args.lppls_only:
        bench_compile()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(ROWS, fh, indent=1, default=float)


if __name__ == "__main__":
    main()
