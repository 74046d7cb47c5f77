"""Bubble tests over one series or many: GSADF with critical values, LPPLS confidence.

``analyse_series`` runs both tests on one price series (pure). ``run_scan`` spreads the tests over
many names and window lengths on Dask: a local cluster by default, or an existing cluster at a
``tcp://`` address. Prices are read in the client and shipped to the workers as arrays; the
simulated critical values are computed once per sample size, in the client, and cached.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dollarliq.bubbles import DEFAULT_LPPLS_FILTER
from dollarliq.bubbles.critical_values import CACHE_NAMESPACE as CV_NAMESPACE
from dollarliq.bubbles.critical_values import CriticalValues, cache_key, critical_values
from dollarliq.bubbles.gsadf import episodes, gsadf
from dollarliq.errors import NotEnoughData

DEFAULT_WINDOW = 504  # two years of daily closes
DEFAULT_REPS = 999
#: Critical values for the default settings, simulated by scripts/build_bubble_cv.py.
PACKAGED_CV = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "cv"


def packaged_name(T: int, lag: int, reps: int) -> str:
    return f"gsadf_mc_T{T}_lag{lag}_reps{reps}.npz"


@dataclass(frozen=True)
class CvCache:
    """Critical values cached by (T, r0, lag, reps, seed, method)."""

    get: Callable[[str], bytes | None]
    put: Callable[[str, bytes], None]

    def critical_values(self, T: int, *, lag: int = 0, reps: int = DEFAULT_REPS) -> CriticalValues:
        key = cache_key(T, None, lag, reps)
        raw = self.get(key)
        if raw is None:
            shipped = PACKAGED_CV / packaged_name(T, lag, reps)
            raw = shipped.read_bytes() if shipped.exists() else None
        if raw is not None:
            try:
                return CriticalValues.from_bytes(raw)
            except Exception:  # noqa: BLE001 - a damaged entry is simulated again
                pass
        cv = critical_values(T, lag=lag, reps=reps)
        self.put(key, cv.to_bytes())
        return cv


def store_cache(store) -> CvCache:
    """A critical-value cache kept in a store's cache table (an in-memory store of a script;
    the commands use :func:`file_cache`)."""
    return CvCache(lambda k: store.cache_get(CV_NAMESPACE, k),
                   lambda k, v: store.cache_put(CV_NAMESPACE, k, v))


def file_cache(folder=None) -> CvCache:
    """A critical-value cache kept as files in the cache folder
    (:mod:`dollarliq.filecache`): simulating a new sample size never holds the store."""
    from dollarliq import filecache

    return CvCache(lambda k: filecache.get(CV_NAMESPACE, k, folder=folder, suffix=".npz"),
                   lambda k, v: filecache.put(CV_NAMESPACE, k, v, folder=folder,
                                              suffix=".npz"))


def memory_cache() -> CvCache:
    d: dict[str, bytes] = {}
    return CvCache(d.get, d.__setitem__)


def gsadf_summary(prices: pd.Series, cv: CriticalValues, *, lag: int = 0,
                  engine: str = "numba") -> dict:
    """GSADF on log prices with 95% critical values and date-stamped episodes.

    Returns a JSON-ready dict: statistic, critical values (90/95/99%), whether the
    unit-root null is rejected at 95%, the last BSADF against its 95% pointwise value
    (explosive now?), and the episodes (start, peak, end, duration in observations).
    """
    y = np.log(prices.astype(float))
    res = gsadf(y, lag=lag, critical_values=cv, engine=engine)
    i95 = list(cv.levels).index(0.95)
    crit = cv.bsadf[i95]
    eps = episodes(res.bsadf, crit, y=y, nobs=res.nobs)
    return {
        "T": res.nobs, "start": _day(prices.index[0]), "end": _day(prices.index[-1]),
        "min_window": res.min_window, "lag": lag,
        "gsadf": round(res.stat, 4), "sadf": round(res.sadf, 4),
        "gsadf_cv": {f"{int(q * 100)}%": round(float(v), 4) for q, v in zip(cv.levels, cv.gsadf)},
        "explosive_95": bool(res.stat > cv.gsadf[i95]),
        "bsadf_last": round(float(res.bsadf.iloc[-1]), 4),
        "bsadf_cv95_last": round(float(crit[-1]), 4),
        "explosive_now": bool(res.bsadf.iloc[-1] > crit[-1]),
        "episodes": [{"start": _day(e.start), "peak": _day(e.peak), "end": _day(e.end),
                      "duration_obs": int(e.duration), "ongoing": bool(e.ongoing)} for e in eps],
        "critical_values": f"Monte Carlo, {cv.reps} replications, seed {cv.seed}",
    }


def lppls_summary(prices: pd.Series, *, window: int = 252,
                  conditions: str = DEFAULT_LPPLS_FILTER) -> dict:
    """The LPPLS confidence indicator and one fit on the last closes.

    ``conditions`` names the filter set of the qualified fits (see
    ``dollarliq.bubbles.lppls.FILTERS``); the result says which one was used, where it
    comes from and how it departs from its source. The indicator runs the set's window
    layout on the last ``max(window, longest window)`` closes: ``lppls-0.6`` its 80-close
    windows over the last 252 closes, the published sets their nested windows (750 down
    to 125, 650 down to 30 closes) ending at the last close; the fit is on those closes.
    """
    from dollarliq.bubbles.lppls import confidence_indicator, filter_conditions
    from dollarliq.bubbles.lppls import fit as lppls_fit

    cond = filter_conditions(conditions)
    longest = cond.layout[0]
    p = prices.iloc[-max(window, longest):]
    if len(p) < 60:
        raise NotEnoughData(f"LPPLS needs at least 60 prices, got {len(p)}")
    if len(p) < longest:
        raise NotEnoughData(f"LPPLS filter {cond.name} fits windows of up to {longest} closes; "
                            f"{len(p)} available")
    y = np.log(p.astype(float))
    ci = confidence_indicator(y, conditions=cond)
    last = ci.frame.iloc[-1]
    f = lppls_fit(y, conditions=cond)
    return {
        "window_obs": len(p), "end": _day(p.index[-1]),
        "bubble_confidence": round(float(last["pos_conf"]), 4),
        "negative_bubble_confidence": round(float(last["neg_conf"]), 4),
        "qualified_share": round(float(ci.qualified_share), 4),
        "filter": f.conditions,
        "filter_source": cond.source,
        "filter_differences": list(cond.differences),
        "fit": {"tc_days_after_end": round(float(f.tc - f.t2), 1), "m": round(float(f.m), 4),
                "omega": round(float(f.omega), 4), "B": round(float(f.B), 6),
                "qualified": bool(f.qualified), "runs_agreeing": int(f.n_agree),
                "runs": int(f.n_runs)},
    }


def _day(x) -> str:
    return pd.Timestamp(x).strftime("%Y-%m-%d") if isinstance(x, (pd.Timestamp, np.datetime64)) \
        else str(x)


def analyse_series(prices: pd.Series, *, window: int = DEFAULT_WINDOW, lag: int = 0,
                   cache: CvCache | None = None, reps: int = DEFAULT_REPS,
                   methods: Sequence[str] = ("gsadf", "lppls"), engine: str = "numba",
                   conditions: str = DEFAULT_LPPLS_FILTER) -> dict:
    """Both bubble tests on the last ``window`` prices of one series; ``conditions`` names
    the LPPLS filter set (``dollarliq.bubbles.lppls.FILTERS``)."""
    clean = prices.dropna()
    clean = clean[clean > 0]
    p = clean.iloc[-window:]
    if len(p) < 60:
        raise NotEnoughData(f"{prices.name or 'series'}: {len(p)} prices; the tests need 60")
    out: dict = {"series": prices.name, "window_obs": len(p)}
    if "gsadf" in methods:
        cv = (cache or memory_cache()).critical_values(len(p), lag=lag, reps=reps)
        out["gsadf"] = gsadf_summary(p, cv, lag=lag, engine=engine)
    if "lppls" in methods:
        from dollarliq.bubbles.lppls import filter_conditions

        # the published sets' longest windows may reach before the GSADF window
        longest = filter_conditions(conditions).layout[0]
        out["lppls"] = lppls_summary(clean.iloc[-max(window, longest):], conditions=conditions)
    return out


def _report_tickers() -> tuple[str, ...]:
    from dollarliq.catalog import MEGACAPS

    return ("QQQ", *MEGACAPS)


def report_section(prices: dict[str, pd.Series], *, tickers: Sequence[str] | None = None,
                   window: int = DEFAULT_WINDOW, reps: int = DEFAULT_REPS,
                   cache: CvCache | None = None) -> dict:
    """GSADF on the Nasdaq-100 (QQQ) and the tech megacaps, for the report.

    Parameters
    ----------
    prices : dict[str, pandas.Series]
        Daily closes (USD) public on the report's date, by series id.
    tickers : sequence of str, optional
        The names tested (default: QQQ and :data:`dollarliq.catalog.MEGACAPS`).

    One line per name: statistic, 95% critical value, explosive now, the latest episode.
    A name without enough prices gets a status line instead.
    """
    from dollarliq.errors import DollarliqError

    cache = cache or memory_cache()
    tickers = tuple(tickers) if tickers is not None else _report_tickers()
    by_name = prices
    names = {}
    for t in tickers:
        try:
            p = by_name.get(t)
            if p is None:
                raise NotEnoughData(f"{t}: no prices public on that date")
            # NumPy sweep: nine short series do not repay loading the compiled kernels.
            g = analyse_series(p, window=window, reps=reps, methods=("gsadf",),
                               cache=cache, engine="numpy")["gsadf"]
            names[t] = {"status": "ok", "end": g["end"], "T": g["T"], "gsadf": g["gsadf"],
                        "gsadf_cv95": g["gsadf_cv"]["95%"], "explosive_95": g["explosive_95"],
                        "explosive_now": g["explosive_now"],
                        "last_episode": g["episodes"][-1] if g["episodes"] else None}
        except DollarliqError as exc:
            names[t] = {"status": f"unavailable: {exc}"}
    return {"method": f"GSADF on log daily closes, last {window} observations, lag 0, "
                      f"Monte Carlo critical values ({reps} replications)",
            "names": names}


# --- scans on Dask ----------------------------------------------------------------------------
def _scan_task(name: str, values: np.ndarray, dates: np.ndarray, window: int, method: str,
               cv_bytes: bytes | None, lag: int, conditions: str = DEFAULT_LPPLS_FILTER) -> dict:
    """One (name, window) cell of a scan; runs on a Dask worker."""
    prices = pd.Series(values, index=pd.DatetimeIndex(dates), name=name)
    if method == "lppls":
        from dollarliq.bubbles.lppls import filter_conditions

        # a published set's longest window may reach before the scan window
        prices = prices.iloc[-max(window, filter_conditions(conditions).layout[0]):]
    else:
        prices = prices.iloc[-window:]
    row: dict = {"series": name, "window_obs": len(prices), "method": method,
                 "start": _day(prices.index[0]), "end": _day(prices.index[-1])}
    try:
        if method == "gsadf":
            s = gsadf_summary(prices, CriticalValues.from_bytes(cv_bytes), lag=lag)
            row.update({k: s[k] for k in ("gsadf", "explosive_95", "bsadf_last",
                                          "bsadf_cv95_last", "explosive_now")})
            row["gsadf_cv95"] = s["gsadf_cv"]["95%"]
            row["episodes"] = len(s["episodes"])
            row["last_episode"] = s["episodes"][-1] if s["episodes"] else None
        else:
            s = lppls_summary(prices, window=window, conditions=conditions)
            row.update({k: s[k] for k in ("bubble_confidence", "negative_bubble_confidence",
                                          "qualified_share", "filter")})
        row["status"] = "ok"
    except NotEnoughData as exc:
        row["status"] = f"not enough data: {exc}"
    return row


def connect(scheduler: str, workers: int):
    """A Dask client: 'local' (a LocalCluster of ``workers`` processes), 'threads' (in-process
    workers, no sockets) or a ``tcp://host:port`` address of a running cluster.

    A local cluster has no dashboard: its scheduler's HTTP server listens on a free port of
    127.0.0.1 (never the dashboard's 8787, which another program may hold), and it logs only
    errors, so nothing but the command's own lines reaches stderr."""
    import logging

    from dask.distributed import Client, LocalCluster

    if scheduler.startswith(("tcp://", "tls://")):
        return Client(scheduler)
    processes = scheduler != "threads"
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None, silence_logs=logging.ERROR,
                           scheduler_kwargs={"dashboard": False,
                                             "dashboard_address": "127.0.0.1:0"})
    return Client(cluster)


def run_scan(prices: dict[str, pd.Series], *, windows: Sequence[int] = (DEFAULT_WINDOW,),
             method: str = "gsadf", client=None, cache: CvCache | None = None,
             reps: int = DEFAULT_REPS, lag: int = 0,
             progress: Callable[[int, int], None] | None = None,
             conditions: str = DEFAULT_LPPLS_FILTER) -> pd.DataFrame:
    """Bubble tests for every (series, window) on a Dask client; one row per cell.

    ``conditions`` names the LPPLS filter set of an ``lppls`` scan; each row says which.

    Critical values are simulated (or read from ``cache``) once per distinct sample size in
    the client, then shipped with the tasks.
    """
    from dask.distributed import as_completed

    cache = cache or memory_cache()
    cells = []
    for name, s in prices.items():
        s = s.dropna()
        s = s[s > 0]
        for w in windows:
            cells.append((name, s, min(int(w), len(s))))
    cvs: dict[int, bytes] = {}
    if method == "gsadf":
        for T in sorted({w for _, _, w in cells if w >= 60}):
            cvs[T] = cache.critical_values(T, lag=lag, reps=reps).to_bytes()
    own = client is None
    client = client or connect("local", 2)
    try:
        futures = [client.submit(_scan_task, name, s.to_numpy(float), s.index.to_numpy(), w,
                                 method, cvs.get(w), lag, conditions, pure=False)
                   for name, s, w in cells]
        rows = []
        for i, fut in enumerate(as_completed(futures), 1):
            rows.append(fut.result())
            if progress is not None:
                progress(i, len(futures))
    finally:
        if own:
            client.close()
    df = pd.DataFrame(rows)
    return df.sort_values(["series", "window_obs"]).reset_index(drop=True)


def read_universe(path) -> list[str]:
    """Series ids from a file: one per line or comma-separated; '#' starts a comment."""
    from pathlib import Path

    from dollarliq.errors import UsageError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--universe {path}: {exc.strerror or exc}") from exc
    ids = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        ids += [x.strip() for x in line.split(",") if x.strip()]
    if not ids:
        raise UsageError(f"--universe {path}: no series ids in the file")
    return ids


__all__ = ["CvCache", "connect", "gsadf_summary", "lppls_summary", "memory_cache",
           "read_universe", "run_scan", "store_cache", "file_cache", "analyse_series", "math"]
