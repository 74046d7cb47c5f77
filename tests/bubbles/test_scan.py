"""Bubble tests for one series and scans over many on Dask (a LocalCluster of two workers)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.bubbles.gsadf import gsadf
from dollarliq.bubbles.scan import memory_cache, run_scan, store_cache, analyse_series
from dollarliq.cli import app
from dollarliq.frame import load_series
from dollarliq.store import Store

REPS = 99  # few replications: the tests check wiring, not the critical values themselves


@pytest.fixture(scope="module")
def prices():
    with Store(None) as s:
        return {t: load_series(s, t, as_of=pd.Timestamp("2024-06-28")) for t in
                ("NVDA", "AVGO", "QQQ")}


def test_one_series_gsadf_equals_the_kernel_on_log_prices(prices):
    res = analyse_series(prices["NVDA"], window=300, reps=REPS, methods=("gsadf",))
    direct = gsadf(np.log(prices["NVDA"].iloc[-300:]))
    assert res["gsadf"]["gsadf"] == pytest.approx(direct.stat, abs=1e-4)
    assert res["gsadf"]["end"] == "2024-06-28" and res["gsadf"]["T"] == 300
    assert res["gsadf"]["explosive_95"] == (direct.stat > res["gsadf"]["gsadf_cv"]["95%"])
    for e in res["gsadf"]["episodes"]:
        assert e["start"] <= e["peak"] <= e["end"]


def test_critical_values_are_cached_in_the_store(prices, monkeypatch):
    import dollarliq.bubbles.scan as scan_mod

    simulated = []
    real = scan_mod.critical_values

    def counting(*args, **kwargs):
        simulated.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_mod, "critical_values", counting)
    s = Store(":memory:", snapshot=None)
    a = analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                       cache=store_cache(s))
    assert len(simulated) == 1  # nothing cached or shipped for T=200, 99 replications
    # a second cache on the same store (as the next command would open) finds the values
    # there: no second simulation, and the same critical values
    b = analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                       cache=store_cache(s))
    assert len(simulated) == 1
    assert a == b
    # another store has no entry: that one simulates again
    analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                   cache=store_cache(Store(":memory:", snapshot=None)))
    assert len(simulated) == 2


def test_critical_values_are_cached_as_files_in_the_cache_folder(prices, tmp_path,
                                                                 monkeypatch):
    import dollarliq.bubbles.scan as scan

    a = analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                       cache=scan.file_cache(tmp_path))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".npz"  # one entry, no temporary left
    simulate = scan.critical_values
    calls = []
    monkeypatch.setattr(scan, "critical_values",
                        lambda *a, **k: calls.append(1) or simulate(*a, **k))
    b = analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                       cache=scan.file_cache(tmp_path))
    assert a == b and calls == []  # read from the file, not simulated again
    files[0].write_bytes(b"not an npz")  # a damaged entry is simulated again and replaced
    c = analyse_series(prices["QQQ"], window=200, reps=REPS, methods=("gsadf",),
                       cache=scan.file_cache(tmp_path))
    assert c == a and calls == [1] and files[0].read_bytes()[:2] == b"PK"


@pytest.mark.enable_socket  # Dask resolves the local host name even for in-process workers
def test_scan_on_a_local_cluster_with_two_workers(prices):
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        seen = []
        df = run_scan(prices, windows=(150, 300), client=client, reps=REPS,
                      cache=memory_cache(), progress=lambda i, n: seen.append((i, n)))
    assert len(df) == 6 and (df["status"] == "ok").all()
    assert seen[-1] == (6, 6)
    for r in df.itertuples():
        direct = gsadf(np.log(prices[r.series].iloc[-r.window_obs:])).stat
        assert r.gsadf == pytest.approx(direct, abs=1e-4)


def test_cli_bubble_test_json_and_bad_input(home):
    res = CliRunner().invoke(app, ["bubble", "test", "QQQ", "--as-of", "2024-06-28",
                                   "--method", "gsadf", "--reps", str(REPS), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["series"] == "QQQ" and doc["gsadf"]["end"] == "2024-06-28"
    res = CliRunner().invoke(app, ["bubble", "test", "NOPE"])
    assert res.exit_code == 2 and "unknown series" in res.stderr
    res = CliRunner().invoke(app, ["bubble", "scan", "--tickers", "NVDA", "--method", "both"])
    assert res.exit_code == 2


def test_packaged_critical_values_are_what_the_simulation_gives():
    from dollarliq.bubbles.critical_values import CriticalValues, critical_values
    from dollarliq.bubbles.scan import PACKAGED_CV, packaged_name

    shipped = CriticalValues.from_bytes((PACKAGED_CV / packaged_name(252, 0, 999)).read_bytes())
    fresh = critical_values(252, lag=0, reps=999)
    np.testing.assert_allclose(shipped.gsadf, fresh.gsadf)
    np.testing.assert_allclose(shipped.bsadf, fresh.bsadf)


def test_report_carries_the_explosive_root_section(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2024-06-28", "--format", "json"])
    doc = json.loads(res.stdout)
    names = doc["bubble_tests"]["names"]
    assert set(names) >= {"QQQ", "NVDA", "MSFT"}
    assert names["NVDA"]["status"] == "ok" and names["NVDA"]["end"] == "2024-06-28"


def test_numpy_sweep_matches_the_plain_reference():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from reference import bsadf_reference

    from dollarliq.bubbles.gsadf import min_window
    from dollarliq.bubbles.vectorized import bsadf_lag0_numpy

    rng = np.random.default_rng(12345)
    for T in (30, 90, 150):
        y = np.cumsum(rng.standard_normal(T)) + 100.0
        w0 = min_window(T)
        b, f = bsadf_reference(y, w0)
        bn, fn = bsadf_lag0_numpy(y, w0)
        np.testing.assert_allclose(bn, b, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(fn, f, rtol=1e-8, atol=1e-8)


def test_gsadf_engines_agree_on_real_prices(prices):
    y = np.log(prices["NVDA"].iloc[-400:])
    a, b = gsadf(y, engine="numba"), gsadf(y, engine="numpy")
    assert a.stat == pytest.approx(b.stat, rel=1e-9)
    np.testing.assert_allclose(a.bsadf.to_numpy(), b.bsadf.to_numpy(), rtol=1e-8, atol=1e-10)


def test_cli_bubble_test_lppls_names_its_filter(home):
    res = CliRunner().invoke(app, ["bubble", "test", "NVDA", "--as-of", "2024-06-28",
                                   "--method", "lppls", "--format", "json"])
    assert res.exit_code == 0, res.output
    lp = json.loads(res.stdout)["lppls"]
    assert lp["filter"] == "lppls-0.6"
    assert 1 <= lp["fit"]["runs_agreeing"] <= lp["fit"]["runs"]
    txt = CliRunner().invoke(app, ["bubble", "test", "NVDA", "--as-of", "2024-06-28",
                                   "--method", "lppls"])
    assert txt.exit_code == 0 and "(filter lppls-0.6)" in txt.stdout


def test_cli_bubble_test_takes_a_published_filter_set(home):
    from dollarliq.bubbles.lppls import FILTERS

    res = CliRunner().invoke(app, ["bubble", "test", "NVDA", "--as-of", "2024-06-28",
                                   "--method", "lppls", "--filter", "sornette-2015",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    lp = json.loads(res.stdout)["lppls"]
    s15 = FILTERS["sornette-2015"]
    assert lp["filter"] == "sornette-2015" == s15.name
    # its own nested windows (750 down to 125 closes), longer than the 504-close GSADF window
    assert lp["window_obs"] == 750 and lp["end"] == "2024-06-28"
    assert lp["filter_source"] == s15.source and "Shanghai 2015" in lp["filter_source"]
    assert lp["filter_differences"] == list(s15.differences) and len(s15.differences) == 2
    # An unknown set is refused in one line, before any data is read or any fit is run.
    bad = CliRunner().invoke(app, ["bubble", "test", "NVDA", "--filter", "sornette"])
    assert bad.exit_code == 2
    assert "unknown LPPLS filter 'sornette'" in bad.output and "shu-zhu-2020" in bad.output
    assert "Traceback" not in bad.output
    scan = CliRunner().invoke(app, ["bubble", "scan", "--tickers", "NVDA", "--method", "lppls",
                                    "--filter", "bogus", "--scheduler", "threads"])
    assert scan.exit_code == 2 and "unknown LPPLS filter" in scan.output


def _simulated_bubble(n=700, tc=710.0, m=0.45, w=8.0, B=-0.05, C1=0.002, C2=-0.0015, sd=0.0005):
    """Daily closes of a clean LPPLS bubble (D = 1.125, tc 10 days after the last close)."""
    t = np.arange(n, dtype=float)
    dt = tc - t
    y = 5.0 + dt**m * (B + C1 * np.cos(w * np.log(dt)) + C2 * np.sin(w * np.log(dt)))
    y += np.random.default_rng(12345).standard_normal(n) * sd
    return pd.Series(np.exp(y), index=pd.date_range("2020-01-01", periods=n, freq="D"), name="SIM")


@pytest.mark.enable_socket  # Dask resolves the local host name even for in-process workers
def test_an_lppls_scan_names_its_filter_in_each_row():
    from dask.distributed import Client, LocalCluster

    from dollarliq.bubbles.scan import lppls_summary

    sim = _simulated_bubble()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        df = run_scan({"SIM": sim}, windows=(120,), method="lppls", client=client,
                      conditions="shu-zhu-2020")
    assert df["filter"].tolist() == ["shu-zhu-2020"] and df["status"].tolist() == ["ok"]
    # the set's own layout (windows of 650 down to 30 closes) reaches before the 120-close window
    assert df["window_obs"].tolist() == [650]
    direct = lppls_summary(sim, conditions="shu-zhu-2020")
    row = df.iloc[0]
    for k in ("bubble_confidence", "negative_bubble_confidence", "qualified_share"):
        assert row[k] == direct[k], k
    # on a clean bubble most windows qualify as a positive bubble (those too short to hold 2.5
    # oscillations do not), none as a negative one
    assert 0.7 < row["bubble_confidence"] < 1.0 and row["negative_bubble_confidence"] == 0.0
