"""Every bad input gives one line on stderr and its documented exit code, before any work.

Exit codes: 2 bad input, 3 unreachable source or scheduler, 5 unwritable output or damaged
store, 130 interrupted. Nothing is computed or stored when the input is refused.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.store import Store, default_store_path

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def one_line(res, code: int, needle: str) -> None:
    assert res.exit_code == code, (res.exit_code, res.output)
    err = res.stderr.strip()
    assert "Traceback" not in res.output
    assert len(err.splitlines()) == 1, err
    assert needle in err, err


FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()


@pytest.mark.parametrize("args, needle", [
    (["series", "show", "SOFR", "--last", "-5"], "--last -5"),
    (["series", "show", "SOFR", "--format", "parquet"], "give --out"),
    (["series", "list", "--source", "bogus"], "unknown source 'bogus'"),
    (["watch", "--once", "--source", "bogus"], "unknown source 'bogus'"),
    (["watch", "--once", "--record-years", "-1"], "record years -1"),
    (["bubble", "gauges", "--as-of", "1900-01-01"], "1900-01-01 is before the data begin"),
    (["bubble", "test", "NVDA", "--window", "-1"], "window -1"),
    (["bubble", "test", "NVDA", "--window", "1000000000"], "longer than the"),
    (["bubble", "test", "NVDA", "--reps", "0"], "reps 0"),
    (["bubble", "scan", "--tickers", "NVDA", "--windows", "-5"], "window -5"),
    (["bubble", "scan", "--tickers", "NVDA", "--windows", ""], "at least one window"),
    (["bubble", "scan", "--tickers", "NVDA", "--windows", "a,b"], "whole numbers"),
    (["bubble", "scan", "--tickers", ",,,"], "no series ids"),
    # beyond the history: refused as by bubble test, before the scan runs
    (["bubble", "scan", "--tickers", "NVDA", "--windows", "99999999", "--scheduler",
      "threads"], "window 99999999 is longer than the"),
    (["watch", "--every", "soon"], "'soon' is not a duration"),
    (["bubble", "scan", "--tickers", "NVDA", "--workers", "0"], "workers 0"),
    (["bubble", "scan", "--tickers", "NVDA", "--scheduler", "bogus"], "scheduler 'bogus'"),
    (["stages", "--format", "parquet"], "give --out"),
    (["backtest", "--format", "parquet"], "give --out"),
    (["report", "--as-of", FUTURE], "is in the future"),
    (["bubble", "gauges", "--as-of", FUTURE], "is in the future"),
    (["series", "show", "SOFR", "--as-of", FUTURE], "is in the future"),
    (["stages", "--end", FUTURE], "is in the future"),
])
def test_bad_input_is_exit_2(home, args, needle):
    one_line(run(*args), 2, needle)
    assert not (home / "dollarliq.duckdb").exists()  # nothing was stored


def test_a_future_as_of_names_the_data_end(home):
    import dollarliq as dl

    res = run("report", "--as-of", FUTURE)
    # The data end named is the embedded store's, read independently through the API.
    one_line(res, 2, f"the data end on {dl.health()['data_end']}")


def test_backtest_into_a_missing_folder_is_exit_5(home, tmp_path):
    one_line(run("backtest", "--format", "html", "--out",
                 str(tmp_path / "no-such-dir" / "x" / "t.html")), 5, "does not exist")


def test_backtest_onto_a_folder_is_exit_5(home, tmp_path):
    (tmp_path / "adir").mkdir()
    one_line(run("backtest", "--out", str(tmp_path / "adir")), 5, "it is a folder")


def test_scan_into_a_missing_folder_stores_nothing(home, tmp_path):
    res = run("bubble", "scan", "--tickers", "NVDA", "--windows", "252", "--scheduler",
              "threads", "--out", str(tmp_path / "missing" / "scan.csv"))
    one_line(res, 5, "does not exist")
    assert not (home / "dollarliq.duckdb").exists()  # refused before the scan ran


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_an_unreachable_scheduler_is_exit_3(home):
    res = run("bubble", "scan", "--tickers", "NVDA", "--windows", "252", "--scheduler",
              "tcp://127.0.0.1:1")
    one_line(res, 3, "cannot reach the Dask scheduler at tcp://127.0.0.1:1")


def test_home_that_is_a_file_is_exit_5(tmp_path, monkeypatch):
    f = tmp_path / "home-file"
    f.write_text("not a folder")
    monkeypatch.setenv("DOLLARLIQ_HOME", str(f))
    one_line(run("update", "--source", "fred"), 5, "is a file, not a folder")
    one_line(run("bubble", "test", "NVDA", "--method", "gsadf"), 5, "is a file, not a folder")


def test_a_store_damaged_at_its_end_is_exit_5(home):
    snap = pd.read_parquet(Store(None).snapshot)
    rows = snap[snap["series_id"].isin(["SOFR", "IORB", "WALCL"])].assign(vintage=True)
    with Store(default_store_path()) as s:
        s.write([rows])
    p = default_store_path()
    with open(p, "r+b") as fh:  # what `truncate -s -100000` does
        fh.truncate(max(0, p.stat().st_size - 100_000))
    for args in (["report"], ["store", "info"], ["series", "list"], ["series", "show", "SOFR"],
                 ["bubble", "gauges"]):
        res = run(*args)
        one_line(res, 5, "store")


def test_ctrl_c_says_interrupted_and_exits_130(home, monkeypatch):
    import dollarliq.api

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(dollarliq.api, "report", boom)
    res = run("report")
    assert res.exit_code == 130
    assert res.stderr.strip() == "interrupted"


def test_debug_shows_the_traceback_and_keeps_the_exit_code(home, monkeypatch):
    import dollarliq.api
    from dollarliq.errors import SourceError

    def fail(*a, **k):
        raise SourceError("fred: HTTP 503")

    monkeypatch.setattr(dollarliq.api, "report", fail)
    res = run("--debug", "report")
    assert res.exit_code == 3
    assert "Traceback" in res.stderr and "error: fred: HTTP 503" in res.stderr
    plain = run("report")
    one_line(plain, 3, "fred: HTTP 503")


def test_weighted_share_specs_are_refused_with_a_clear_error():
    from dollarliq.catalog import CATALOG
    from dollarliq.errors import UsageError
    from dollarliq.sources.edgar import EdgarFetcher

    for sid in ("WASHARES_MSFT", "WASHARES_META", "WASHARES_AVGO"):
        with pytest.raises(UsageError, match=f"{sid} comes from earnings releases"):
            EdgarFetcher().build_query(CATALOG[sid], None, None)
    q = EdgarFetcher().build_query(CATALOG["SHARES_AAPL"], None, None)
    assert q.url.endswith("CIK0000320193.json")
