"""The command line on the embedded snapshot: acceptance values and clear errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dollarliq.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def show_json(*args: str) -> dict:
    res = run("series", "show", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def values(doc: dict) -> dict[str, float]:
    return {o["date"]: o["value"] for o in doc["observations"]}


def test_sofr_late_october_2025(home):
    doc = show_json("SOFR", "--start", "2025-10-29", "--end", "2025-11-04")
    v = values(doc)
    assert v["2025-10-31"] == pytest.approx(4.22)
    assert v["2025-11-03"] == pytest.approx(4.13)
    assert doc["data_end"] == "2025-11-04"
    assert doc["unit"] == "pct"


def test_sofr_table_shows_the_values_and_the_data_end(home):
    res = run("series", "show", "SOFR", "--start", "2025-10-29", "--end", "2025-11-04")
    assert res.exit_code == 0
    assert "2025-10-31 │ 4.22" in res.stdout
    assert "2025-11-03 │ 4.13" in res.stdout
    assert "data end 2025-11-04" in res.stdout


def test_iorb_on_2025_10_31(home):
    assert values(show_json("IORB", "--start", "2025-10-31", "--end", "2025-10-31")) == {
        "2025-10-31": pytest.approx(3.90)}


def test_wresbal_end_of_october_2025_in_billions(home):
    doc = show_json("WRESBAL", "--start", "2025-10-01", "--end", "2025-10-31")
    last = doc["observations"][-1]
    assert last["date"] == "2025-10-29"
    assert last["value"] == pytest.approx(2850, abs=5)
    assert doc["unit"] == "usd_bn"


def test_as_of_hides_what_was_not_yet_public(home):
    doc = show_json("WALCL", "--start", "2025-10-01", "--as-of", "2025-10-29")
    assert doc["observations"][-1]["date"] == "2025-10-22"
    assert doc["data_end"] == "2025-10-22"


def test_csv_output(home):
    res = run("series", "show", "SOFR", "--start", "2025-10-31", "--end", "2025-11-03",
              "--format", "csv")
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "date,SOFR_pct,released"
    assert lines[1] == "2025-10-31,4.22,2025-11-03"


@pytest.mark.parametrize("args, needle", [
    (["series", "show", "NOPE"], "unknown series 'NOPE'"),
    (["series", "show", "SOFR", "--start", "2025-13-01"], "is not a date"),
    (["series", "show", "SOFR", "--start", "yesterday-ish"], "is not a date"),
    (["series", "show", "SOFR", "--start", "2025-11-04", "--end", "2025-10-29"],
     "is before start date"),
    (["series", "show", "SOFR", "--as-of", "2001-01-01"], "before the data begin"),
    (["report", "--as-of", "1990-01-01"], "before the data begin"),
])
def test_bad_input_is_one_line_and_exit_2(home, args, needle):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert needle in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_series_list_names_units_and_chinese_names(home):
    res = run("series", "list", "--format", "json")
    assert res.exit_code == 0
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert rows["WALCL"]["unit"] == "usd_bn" and rows["WALCL"]["native_unit"] == "usd_mn"
    # ON RRP now comes from the NY Fed, which publishes dollars; stored in billions.
    assert rows["RRPONTSYD"]["native_unit"] == "usd" and rows["RRPONTSYD"]["unit"] == "usd_bn"
    assert rows["RRPONTSYD"]["source"] == "nyfed"
    assert rows["SOFR"]["name_zh"]
    # The SOFR percentiles are in the snapshot since the 2026-11-28 data bundle.
    assert rows["SOFR99"]["last"] == "2026-10-01" and rows["SOFR99"]["unit"] == "pct"


def test_store_info_without_a_store(home):
    res = run("store", "info", "--json")
    assert res.exit_code == 0
    info = json.loads(res.stdout)
    assert info["store_exists"] is False
    assert info["data_end"] >= "2026-01-01"
    # the snapshot's auction records (src/dollarliq/data/auctions.parquet)
    assert info["auction_records"] == 4725
    assert info["auction_issue_dates"] == "1985-02-15..2026-06-30"
    assert not home.exists()  # reading never creates the store


def test_report_runs_on_the_snapshot_and_says_where_data_end(home):
    res = run("report", "--as-of", "2025-10-31", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["as_of"] == "2025-10-31"
    assert doc["data_end"] <= "2025-10-31"
    assert "investment advice" in doc["notice"]


def test_module_entry_point_and_help():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "dollarliq", "--help"], capture_output=True,
                         text=True, check=True)
    assert "series" in out.stdout and "update" in out.stdout


def test_series_show_stays_light(home):
    """The fast path of `series show` does not load pandas (cold start and memory goals)."""
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from dollarliq.cli import app; "
            "r = CliRunner().invoke(app, ['series', 'show', 'SOFR']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'numba', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
