"""The Python API is the use-case layer: the CLI prints what it returns, one store read per
command, one as-of rule, and a report cache keyed by the store's revision."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner

import dollarliq as dl
from dollarliq import api
from dollarliq.cli import app
from dollarliq.store import SNAPSHOT_PATH, Store, default_store_path

SCHEMA = json.loads((SNAPSHOT_PATH.parent / "report.schema.json").read_text())
runner = CliRunner()


def cli_json(*args: str):
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_report_is_the_cli_document_and_valid(home):
    r = dl.report(as_of="2025-11-03")
    doc = r.to_dict()
    jsonschema.validate(doc, SCHEMA)
    assert doc == cli_json("report", "--as-of", "2025-11-03", "--format", "json")
    assert json.loads(r.to_json()) == doc
    assert r.stage == doc["stage"]["name"] and r.score == doc["score"]["value"]
    assert r.evidence == doc["evidence"] and r.records == doc["records"]
    df = r.to_frame()
    assert list(df.index) == [i["id"] for i in doc["indicators"]]
    assert {"name", "unit", "value", "obs_date"} <= set(df.columns)
    assert df.attrs["stage"] == r.stage


def test_one_as_of_rule_for_report_gauges_stages_and_backtest(store):
    r = dl.report(store=store, bubble_tests=False)
    assert r.doc["as_of"] == "2026-10-09"
    assert dl.gauges(store=store)["as_of"] == r.doc["as_of"]
    assert dl.stages(store=store).attrs["as_of"] == r.doc["as_of"]
    assert dl.health(store=store)["as_of"] == r.doc["as_of"]


def test_the_cli_gauges_default_to_the_report_date(home):
    g = cli_json("bubble", "gauges", "--format", "json")
    rep = cli_json("report", "--format", "json")
    assert g["as_of"] == rep["as_of"] == "2026-10-09"


def test_a_report_reads_the_store_once(store, monkeypatch):
    calls = []
    for name in ("rows", "query", "first_release", "query_records", "coverage"):
        orig = getattr(store, name)

        def spy(*a, _orig=orig, _name=name, **k):
            calls.append(_name)
            return _orig(*a, **k)

        monkeypatch.setattr(store, name, spy)
    dl.report(as_of="2025-11-03", store=store)
    assert calls == ["rows"]


def test_stages_cli_and_api_agree(home):
    st = dl.stages("2020-03-02", "2020-03-31")
    doc = cli_json("stages", "--start", "2020-03-02", "--end", "2020-03-31", "--format", "json")
    assert [d["date"] for d in doc["days"]] == [f"{i:%Y-%m-%d}" for i in st.index]
    assert [d["level"] for d in doc["days"]] == st["level"].tolist()
    assert [d["score"] for d in doc["days"]] == st["score"].tolist()


def test_series_list_cli_and_api_agree(home):
    assert cli_json("series", "list", "--format", "json") == dl.series_list()


def test_series_carries_its_unit_and_release_dates(home):
    s = dl.series("WRESBAL", start="2025-10-01", end="2025-10-31")
    assert s.attrs["unit"] == "usd_bn" and s.attrs["source"] == "fedboard"
    rel = s.attrs["released"]
    assert (rel.index == s.index).all() and (rel >= s.index.to_series()).all()


def test_panel_is_point_in_time(store):
    p = dl.panel(["SOFR", "IORB"], as_of="2025-11-03", store=store)
    # SOFR for 2025-11-03 is published the next business day: not yet known
    assert pd.isna(p.loc["2025-11-03", "SOFR"]) and p.loc["2025-10-31", "SOFR"] == 4.22


@pytest.mark.parametrize("cmd", [["series", "show", "SOFR", "--start", "2025-10-01"],
                                 ["stages", "--start", "2025-10-01"],
                                 ["backtest", "--start", "2025-01-01"]])
def test_parquet_and_csv_exports(home, tmp_path, cmd):
    pq, csv = tmp_path / "x.parquet", tmp_path / "x.csv"
    res = runner.invoke(app, [*cmd, "--format", "parquet", "--out", str(pq)])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(pq)
    assert len(df) > 10 and df.index.min() >= pd.Timestamp("2025-01-01")
    res = runner.invoke(app, [*cmd, "--format", "csv", "--out", str(csv)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(csv)) == len(df)


def test_backtest_is_the_cli_document(home):
    tr = dl.backtest(start="2025-01-01")
    assert tr.to_dict() == cli_json("backtest", "--start", "2025-01-01", "--format", "json")
    assert tr.to_markdown().startswith("#")


def test_the_report_cache_follows_the_store_revision(home, monkeypatch):
    first = dl.report(as_of="2025-11-03")
    assert first.engine is not None  # computed
    again = dl.report(as_of="2025-11-03")
    assert again.engine is None and again.doc == first.doc  # from the cache
    monkeypatch.setenv("DOLLARLIQ_NO_CACHE", "1")
    assert dl.report(as_of="2025-11-03").engine is not None
    monkeypatch.delenv("DOLLARLIQ_NO_CACHE")
    # a write to the store is a new revision: computed again, and it sees the new row
    with Store(default_store_path()) as s:
        s.write([pd.DataFrame({"series_id": ["SOFR"], "obs_date": ["2025-10-31"],
                               "value": [4.22], "as_of": ["2025-11-03"]})])
    assert dl.report(as_of="2025-11-03").engine is not None


def test_gsadf_is_the_function(home):
    import importlib

    import numpy as np

    importlib.import_module("dollarliq.bubbles.gsadf")  # the submodules load first...
    importlib.import_module("dollarliq.bubbles.critical_values")
    from dollarliq.bubbles import critical_values, gsadf  # ...and the names stay functions

    y = np.log(dl.series("QQQ", end="2020-12-31").iloc[-200:].to_numpy())
    assert callable(gsadf) and callable(critical_values)
    assert gsadf(y).nobs == 200


def test_api_names_are_functions_even_after_the_submodules_load():
    import dollarliq.backtest  # noqa: F401
    import dollarliq.gauges  # noqa: F401
    import dollarliq.stages  # noqa: F401
    import dollarliq.update  # noqa: F401

    for name in ("stages", "gauges", "backtest", "update", "report", "series"):
        assert callable(getattr(dl, name)) and getattr(dl, name) is getattr(api, name)


def test_a_damaged_cache_entry_is_recomputed(home):
    first = dl.report(as_of="2025-11-03")
    for f in (home / "cache").glob("report-*.json"):
        f.write_text('{"doc": 1}')
    again = dl.report(as_of="2025-11-03")
    assert again.engine is not None and again.doc == first.doc


def test_health_says_where_each_source_ends_and_what_is_stale(store):
    import datetime as dt

    h = dl.health(today=dt.date(2026, 10, 12), store=store)
    assert h["last_update"] is None  # the snapshot alone: nothing fetched
    fred = h["sources"]["fred"]
    assert fred["data_end"] == "2026-10-08" and fred["age_days"] == 4 and not fred["stale"]
    assert h["sources"]["shiller"]["stale"]  # the long-run series ends in 2011
    assert h["as_of"] == "2026-10-09"


def test_the_api_package_is_one_face_whatever_loads_first():
    import importlib

    for mod in ("_core", "reporting", "timeseries", "track_record", "bubbles",
                "dashboard_page", "updates"):
        importlib.import_module(f"dollarliq.api.{mod}")
    for name in api.__all__:
        assert not isinstance(getattr(api, name), type(api)), name
    for name in dl._API:
        assert getattr(dl, name) is getattr(api, name), name
    for name in ("open_store", "home_path", "parse_as_of", "parse_windows", "check_scan_args",
                 "check_watch_args", "check_bubble_args", "CORE_IDS", "MIN_WINDOW"):
        assert hasattr(api, name), name


def test_the_report_cache_stamp_covers_the_whole_package():
    import os
    from pathlib import Path

    from dollarliq.api._core import _code_stamp

    root = Path(dl.__file__).parent
    n = sum(f.endswith((".py", ".toml", ".csv", ".parquet", ".json"))
            for d, dirs, files in os.walk(root) if "__pycache__" not in d for f in files)
    assert int(_code_stamp().split(":")[1]) == n
