"""``dollarliq update`` end to end: recorded bodies through the real client into the store.

The transport seam (``dollarliq.http.default_transport``) replaces only the network; the
fetchers, the retry loop, the store and the CLI are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq import http
from dollarliq.cli import app
from dollarliq.http import Fetch, make_client
from dollarliq.store import Store, default_store_path
from dollarliq.update import run_update

FIX = Path(__file__).parent / "fixtures"
RECORDED = {
    ("www.federalreserve.gov", "Output.aspx"):
        FIX / "fedboard/fed_board_ddp_H41_2021-04-28_2023-03-22.csv",
    ("markets.newyorkfed.org", "/rp/"):
        FIX / "nyfed/nyfed_rp_all_all_results_last500_2023-04-24.json",
    ("markets.newyorkfed.org", "sofr"):
        FIX / "nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json",
    ("api.fiscaldata.treasury.gov", "operating_cash_balance"):
        FIX / "treasury/fiscaldata_dts_operating_cash_balance_2025-10-27_2025-11-07.csv",
}
# WRESBAL (Fed Board H.4.1), RRPONTSYD (NY Fed operations) and TGA_DTS (FiscalData): three
# keyless publishers. The DDP request asks for the release zip; the recorded H.4.1 CSV is
# served instead (the parser reads both formats of the Data Download Program).
SOURCES = ["--source", "fedboard", "--source", "nyfed", "--source", "treasury"]
SERIES = ["--series", "WRESBAL", "--series", "RRPONTSYD", "--series", "TGA_DTS"]
SINCE = ["--since", "2023-03-01"]


def recorded(request: httpx.Request) -> httpx.Response:
    host = request.url.host
    for (h, key), path in RECORDED.items():
        if h == host and key in request.url.path:
            body = path.read_bytes()
            if host == "api.fiscaldata.treasury.gov" and request.url.params.get(
                    "page[number]", "1") != "1":
                body = body.splitlines(keepends=True)[0]  # past the last page: header only
            return httpx.Response(200, content=body)
    return httpx.Response(404, content=b"not recorded")


@pytest.fixture
def replay(monkeypatch, home):
    """Route every client the CLI makes to ``handler``; retries without waiting."""
    monkeypatch.setattr(http, "DEFAULT_BACKOFF", 0.0)

    def use(handler):
        monkeypatch.setattr(http, "default_transport", httpx.MockTransport(handler))

    use(recorded)
    return use


def stored_rows() -> pd.DataFrame:
    with Store(default_store_path(), read_only=True) as s:
        return s.con.execute("SELECT * FROM observations ORDER BY ALL").df()


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def seed_store() -> pd.DataFrame:
    """A store that already holds something, so 'unchanged' means something."""
    with Store(default_store_path()) as s:
        s.write([pd.DataFrame({"series_id": ["IORB"], "obs_date": ["2027-01-04"],
                               "value": [3.4], "as_of": ["2027-01-04"]})])
    return stored_rows()


def test_update_from_recorded_bodies_into_an_empty_store(tmp_path, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    fetch = Fetch(make_client(transport=httpx.MockTransport(recorded)), sleep=lambda s: None)
    with Store(tmp_path / "s.duckdb", snapshot=None) as store:
        res = run_update(store, fetch, sources=["fedboard", "treasury", "nyfed"],
                         series=["WRESBAL", "RRPONTSYD", "TGA_DTS", "SOFR", "SOFR99"],
                         since=pd.Timestamp("2023-03-01"), today=pd.Timestamp("2025-11-20"))
        assert res.series == 5 and res.added == res.fetched > 0
        wres = store.query(["WRESBAL"], as_of=pd.Timestamp("2023-03-23")).set_index("obs_date")
        assert wres.loc[pd.Timestamp("2023-03-22"), "value"] == pytest.approx(3425.075)
        rrp = store.query(["RRPONTSYD"], as_of=None).set_index("obs_date")
        assert rrp.loc[pd.Timestamp("2023-04-21"), "value"] == pytest.approx(2290.023)
        tga = store.query(["TGA_DTS"], as_of=None).set_index("obs_date")
        assert tga.loc[pd.Timestamp("2025-10-31"), "value"] == pytest.approx(926.328)
        assert tga.loc[pd.Timestamp("2025-10-31"), "as_of"] == pd.Timestamp("2025-11-03")
        sofr99 = store.query(["SOFR99"], as_of=None)
        assert len(sofr99) == 4 and sofr99["value"].notna().all()


def test_cli_update_reads_and_stores_nothing_new_over_the_snapshot(replay):
    res = cli("update", *SOURCES, *SERIES, *SINCE, "--quiet")
    assert res.exit_code == 0, res.output
    # The recorded values equal the snapshot's, so nothing is new: the store stays empty.
    assert "0 new or revised stored" in res.stdout
    assert "data end" in res.stdout
    assert stored_rows().empty


def test_cli_update_nyfed_percentiles_equal_the_snapshot(replay):
    # The recorded NY Fed percentile bodies (2024-06-03..06) hold the same values as the
    # snapshot, so the update reads them and stores nothing new.
    res = cli("update", "--source", "nyfed", "--series", "SOFR99", "--series", "SOFR1",
              "--since", "2024-06-01", "--quiet")
    assert res.exit_code == 0, res.output
    assert stored_rows().empty
    show = cli("series", "show", "SOFR99", "--start", "2024-06-03", "--end", "2024-06-06",
               "--format", "json")
    doc = json.loads(show.stdout)
    assert [o["value"] for o in doc["observations"]] == [5.44, 5.44, 5.43, 5.44]


def _fault(kind: str):
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if "/rp/" not in request.url.path:
            return recorded(request)
        calls["n"] += 1
        body = RECORDED[("markets.newyorkfed.org", "/rp/")].read_bytes()
        if kind == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        if kind == "500":
            return httpx.Response(500, content=b"Internal Server Error")
        if kind == "500-then-200":
            return httpx.Response(500) if calls["n"] == 1 else httpx.Response(200, content=body)
        if kind == "truncated":
            return httpx.Response(200, content=body[: len(body) // 2])
        if kind == "html":
            return httpx.Response(200, content=b"<!DOCTYPE html><html><body>Error</body></html>",
                                  headers={"Content-Type": "text/html"})
        if kind == "schema":
            return httpx.Response(200, content=body.replace(b'"operations"', b'"ops"'))
        raise AssertionError(kind)

    return handler, calls


@pytest.mark.parametrize("kind, needle", [
    ("timeout", "timed out"),
    ("500", "HTTP 500"),
    ("truncated", "truncated"),
    ("html", "HTML"),
    ("schema", "format changed"),
])
def test_a_failing_source_exits_3_names_it_and_leaves_the_store_unchanged(replay, kind, needle):
    before = seed_store()
    handler, _ = _fault(kind)
    replay(handler)
    res = cli("update", *SOURCES, *SERIES, *SINCE, "--quiet")
    assert res.exit_code == 3, res.output
    assert "nyfed" in res.stderr and "RRPONTSYD" in res.stderr
    assert needle.lower() in res.stderr.lower()
    assert "Traceback" not in res.output
    pd.testing.assert_frame_equal(stored_rows(), before)


def test_a_500_followed_by_a_200_succeeds_through_the_retry(replay):
    handler, calls = _fault("500-then-200")
    replay(handler)
    res = cli("update", "--source", "nyfed", "--series", "RRPONTSYD", *SINCE, "--quiet")
    assert res.exit_code == 0, res.output
    assert calls["n"] == 2


def test_an_unknown_series_or_source_is_a_usage_error(replay):
    res = cli("update", "--series", "NOPE")
    assert res.exit_code == 2 and "unknown series" in res.stderr
    res = cli("update", "--source", "bloomberg")
    assert res.exit_code == 2 and "bloomberg" in res.stderr


def test_the_fred_key_never_reaches_output_or_store(replay, monkeypatch):
    key = "abcdefghij0123456789abcdefghij01"
    monkeypatch.setenv("FRED_API_KEY", key)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(400, json={
            "error_code": 400,
            "error_message": f"Bad Request.  The value for variable api_key={key} is not registered."})

    replay(handler)
    res = cli("update", "--source", "fred", "--series", "STLFSI4", "--quiet")
    assert res.exit_code == 3
    assert key not in res.output
    assert any(key in u for u in seen)  # the request did carry it
    if default_store_path().exists():
        raw = default_store_path().read_bytes()
        assert key.encode() not in raw
