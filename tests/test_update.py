"""``dollarliq update`` end to end: recorded bodies through the real client into the store.

The transport seam (``dollarliq.http.default_transport``) replaces only the network; the
fetchers, the retry loop, the store and the CLI are the real ones. Bodies are the recordings
in ``tests/fixtures/`` served by host and path (``mirror.RECORDINGS``); every fault body is
built in the test and says so.
"""

from __future__ import annotations

import gzip
import json

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq import http
from dollarliq.cli import app
from dollarliq.http import Fetch, make_client
from dollarliq.sources.yahoo import YahooFetcher
from dollarliq.store import Store, default_store_path
from dollarliq.update import run_update
from mirror import FIXTURES, RECORDINGS, _longest, recorded_body

SERIES = ["--series", "SOFR", "--series", "RRP_ACCEPTED", "--series", "RRP_RATE",
          "--series", "TGA_DTS"]
SOURCES = ["--source", "nyfed", "--source", "treasury"]
RP = ("markets.newyorkfed.org", "/api/rp/")


def recorded(request: httpx.Request) -> httpx.Response:
    """The recording for the request's host and path (with its query), or 404."""
    rel = _longest(RECORDINGS, request.url.host, request.url.raw_path.decode())
    if rel is None:
        return httpx.Response(404, content=b"not recorded")
    return httpx.Response(200, content=recorded_body(rel))


@pytest.fixture
def replay(monkeypatch, home):
    """Route every client the CLI makes to ``handler``; retries without waiting."""
    monkeypatch.setattr(http, "DEFAULT_BACKOFF", 0.0)

    def use(handler):
        monkeypatch.setattr(http, "default_transport", httpx.MockTransport(handler))

    use(recorded)
    return use


def stored_rows(series_id: str | None = None) -> pd.DataFrame:
    with Store(default_store_path(), read_only=True) as s:
        where = f"WHERE series_id = '{series_id}'" if series_id else ""
        return s.con.execute(f"SELECT * FROM observations {where} ORDER BY ALL").df()


def cli(*args: str):
    # Wide enough for the one-row-per-series table (a narrow terminal gets blocks instead).
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})


def update(*extra: str):
    return cli("update", *SOURCES, *SERIES, "--since", "2022-04-01", "--verbose", *extra)


# -- the happy path ------------------------------------------------------------------------------
def test_update_from_recorded_bodies_into_an_empty_store(tmp_path, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    fetch = Fetch(make_client(transport=httpx.MockTransport(recorded)), sleep=lambda s: None)
    with Store(tmp_path / "s.duckdb", snapshot=None) as store:
        res = run_update(store, fetch, sources=["fred", "fedboard", "treasury", "nyfed"],
                         series=["DGS10", "WRESBAL", "TGA_DTS", "SOFR", "SOFR99",
                                 "RRP_ACCEPTED"],
                         since=pd.Timestamp("2022-04-01"), today=pd.Timestamp("2026-11-28"))
        by_id = {o.series_id: o for o in res.outcomes}
        assert [o.series_id for o in res.outcomes] == ["DGS10", "WRESBAL", "TGA_DTS", "SOFR",
                                                       "SOFR99", "RRP_ACCEPTED"]  # plan order
        assert by_id["DGS10"].status == "needs key"
        assert "FRED_API_KEY" in by_id["DGS10"].reason
        for sid in ("WRESBAL", "TGA_DTS", "SOFR", "SOFR99", "RRP_ACCEPTED"):
            o = by_id[sid]
            assert o.status == "ok" and o.fetched > 0 and o.added == o.fetched, o
        assert res.exit_code == 0
        # The recorded values, in stored units (USD mn -> bn; USD -> bn).
        tga = store.query(["TGA_DTS"]).set_index("obs_date")["value"]
        assert tga.loc[pd.Timestamp("2025-07-07")] == pytest.approx(332.482)
        rrp = store.query(["RRP_ACCEPTED"]).set_index("obs_date")["value"]
        assert rrp.loc[pd.Timestamp("2023-04-21")] == pytest.approx(2290.023)
        assert by_id["RRP_ACCEPTED"].data_end == pd.Timestamp("2023-04-21").date()
        # Reserve balances from the recorded H.4.1 (week average, USD mn -> bn), published
        # the next day.
        wres = store.query(["WRESBAL"]).set_index("obs_date")
        assert wres.loc[pd.Timestamp("2023-03-22"), "value"] == pytest.approx(3425.075)
        assert wres.loc[pd.Timestamp("2023-03-22"), "as_of"] == pd.Timestamp("2023-03-23")
        assert wres.index.min() == pd.Timestamp("2022-04-06")  # the first Wednesday asked for
        assert by_id["WRESBAL"].data_end == pd.Timestamp("2023-03-22").date()
        assert len(store.query(["SOFR99"])) == 4


def test_with_a_key_fred_series_come_from_the_api(tmp_path, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "abcdefghij0123456789abcdefghij01")
    fetch = Fetch(make_client(transport=httpx.MockTransport(recorded)), sleep=lambda s: None)
    with Store(tmp_path / "s.duckdb", snapshot=None) as store:
        res = run_update(store, fetch, sources=["fred"], series=["SOFR30DAYAVG"],
                         since=pd.Timestamp("2024-06-01"), today=pd.Timestamp("2024-06-27"))
        assert res.outcomes[0].status == "ok" and res.outcomes[0].added == 4
        s = store.query(["SOFR30DAYAVG"]).set_index("obs_date")["value"]
        assert s.loc[pd.Timestamp("2024-06-06")] == pytest.approx(5.32968)


def test_cli_update_reads_and_stores_only_what_is_new(replay):
    res = update()
    assert res.exit_code == 0, res.output
    # SOFR and the TGA equal the snapshot: read, nothing stored. The ON RRP operation results
    # are not in the snapshot: every operation day of the recording is new.
    assert stored_rows("SOFR").empty and stored_rows("TGA_DTS").empty
    assert len(stored_rows("RRP_ACCEPTED")) > 200
    assert "data end" in res.stdout
    for sid in ("SOFR", "RRP_ACCEPTED", "RRP_RATE", "TGA_DTS"):
        assert sid in res.stdout
    # A second run reads the same and stores nothing.
    before = stored_rows()
    again = update()
    assert again.exit_code == 0
    pd.testing.assert_frame_equal(stored_rows(), before)
    assert "0 new or revised stored" in again.stdout


def test_cli_update_nyfed_percentiles_equal_the_snapshot(replay):
    res = cli("update", "--source", "nyfed", "--series", "SOFR99", "--series", "SOFR1",
              "--since", "2024-06-01", "--quiet")
    assert res.exit_code == 0, res.output
    assert not default_store_path().exists()  # nothing new: no store file is created
    show = cli("series", "show", "SOFR99", "--start", "2024-06-03", "--end", "2024-06-06",
               "--format", "json")
    doc = json.loads(show.stdout)
    assert [o["value"] for o in doc["observations"]] == [5.44, 5.44, 5.43, 5.44]


def test_without_a_key_fred_series_say_so_and_the_rest_goes_on(replay):
    # WRESBAL comes from the Fed Board's H.4.1 release, without a key; DGS10 and T10Y2Y only
    # from FRED.
    res = cli("update", "--source", "fred", "--source", "fedboard", "--source", "nyfed",
              "--series", "DGS10", "--series", "T10Y2Y", "--series", "WRESBAL",
              "--series", "RRP_ACCEPTED", "--since", "2022-04-01", "--verbose")
    assert res.exit_code == 0, res.output
    # one line for the source and its reason, naming the series
    lines = [ln for ln in res.stderr.splitlines() if "FRED_API_KEY" in ln]
    assert len(lines) == 1
    assert lines[0].startswith("note: fred: DGS10, T10Y2Y: needs FRED_API_KEY")
    assert not any(ln.startswith("error: ") for ln in res.stderr.splitlines()), res.stderr
    assert len(stored_rows("RRP_ACCEPTED")) > 200
    # The 51 Wednesdays of the recording from 2022-04-06 to 2023-03-22 were read.
    wres = [ln.split() for ln in res.stdout.splitlines() if ln.split()[:1] == ["WRESBAL"]]
    assert wres and wres[0][1:3] == ["fedboard", "ok"] and int(wres[0][3]) == 51, wres


# -- one source fails, the others are written ---------------------------------------------------
def _fault(kind: str):
    """A handler that answers the NY Fed operations request with a fault built here, and
    everything else with its recording."""
    calls = {"n": 0}
    body = recorded_body(RECORDINGS[RP])

    class Chunks(httpx.SyncByteStream):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def __iter__(self):
            yield self.data

    def handler(request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith(RP[1]):
            return recorded(request)
        calls["n"] += 1
        if kind == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        if kind == "500":
            return httpx.Response(500, content=b"Internal Server Error")
        if kind == "429":
            return httpx.Response(429, content=b"Too Many Requests")
        if kind == "500-then-200":
            return httpx.Response(500) if calls["n"] == 1 else httpx.Response(200, content=body)
        if kind == "truncated":
            return httpx.Response(200, content=body[: len(body) // 2])
        if kind == "html":
            return httpx.Response(200, content=b"<!DOCTYPE html><html><body>Error</body></html>",
                                  headers={"Content-Type": "text/html"})
        if kind == "gzip":
            return httpx.Response(200, stream=Chunks(b"\x1f\x8b\x08\x00garbage" * 8),
                                  headers={"Content-Encoding": "gzip"})
        if kind == "redirect":
            return httpx.Response(302, headers={"Location": str(request.url)})
        if kind == "schema":
            return httpx.Response(200, content=body.replace(b'"operations"', b'"results"'))
        raise AssertionError(kind)

    return handler, calls


@pytest.mark.parametrize("kind, needle", [
    ("timeout", "timed out"),
    ("500", "HTTP 500"),
    ("429", "HTTP 429"),
    ("truncated", "truncated"),
    ("html", "HTML"),
    ("gzip", "corrupt gzip"),
    ("redirect", "too many redirects"),
    ("schema", "format changed"),
])
def test_a_failing_source_leaves_its_series_and_updates_the_rest(replay, kind, needle):
    assert update().exit_code == 0
    before = stored_rows()
    handler, _ = _fault(kind)
    replay(handler)
    res = update()
    assert res.exit_code == 3, res.output
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    # One line for the series the failed request served, naming the source and the series.
    assert [ln.split(":")[1:3] for ln in errors] == [[" nyfed", " RRP_ACCEPTED, RRP_RATE"]]
    assert all(needle.lower() in ln.lower() for ln in errors), errors
    assert "Traceback" not in res.output
    pd.testing.assert_frame_equal(stored_rows(), before)  # the failed series are untouched
    # ... and the table shows the others fetched.
    table = {ln.split()[0]: ln.split()[2] for ln in res.stdout.splitlines()
             if ln.split() and ln.split()[0] in ("SOFR", "TGA_DTS", "RRP_ACCEPTED")}
    assert table == {"SOFR": "ok", "TGA_DTS": "ok", "RRP_ACCEPTED": "failed"}


def test_a_failing_source_does_not_stop_a_first_update(replay):
    handler, _ = _fault("500")
    replay(handler)
    res = cli("update", "--source", "nyfed", "--source", "treasury", "--series", "RRP_ACCEPTED",
              "--series", "TGA_DTS", "--since", "2022-04-01", "--quiet")
    assert res.exit_code == 3
    assert not default_store_path().exists()  # nothing new came: no file was created


def test_a_500_followed_by_a_200_succeeds_through_the_retry(replay):
    handler, calls = _fault("500-then-200")
    replay(handler)
    res = update("--quiet")
    assert res.exit_code == 0, res.output
    assert calls["n"] == 2
    assert len(stored_rows("RRP_ACCEPTED")) > 200


def test_every_source_failing_creates_no_store_file(replay):
    replay(lambda r: httpx.Response(503))
    res = update()
    assert res.exit_code == 3
    # one line per source, naming its series
    assert [ln.split(":")[:3] for ln in res.stderr.splitlines() if "HTTP 503" in ln] == [
        ["error", " nyfed", " SOFR, RRP_ACCEPTED, RRP_RATE"], ["error", " treasury", " TGA_DTS"]]
    assert not default_store_path().exists()
    assert not list(default_store_path().parent.glob("*")) if \
        default_store_path().parent.exists() else True


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
        if request.url.host != "api.stlouisfed.org":
            return recorded(request)
        # Built here: FRED's error body, which echoes the key.
        return httpx.Response(400, json={
            "error_code": 400,
            "error_message": f"Bad Request.  The value for variable api_key={key} is not registered."})

    replay(handler)
    res = cli("update", "--source", "fred", "--source", "nyfed", "--series", "DGS10",
              "--series", "RRP_ACCEPTED", "--since", "2022-04-01")
    assert res.exit_code == 3
    assert "fred: DGS10: HTTP 400" in res.stderr and "not registered" in res.stderr
    assert key not in res.output
    assert any(key in u for u in seen)  # the request did carry it
    raw = default_store_path().read_bytes()  # RRP_ACCEPTED was written
    assert key.encode() not in raw


# -- missing is not a revision ------------------------------------------------------------------
def test_a_dot_from_fred_never_erases_a_known_value(replay, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "abcdefghij0123456789abcdefghij01")
    rel = "fred/fred_api_observations_SOFR30DAYAVG_2024-06-01_2024-06-06.json"
    # Built here from the recording: the 2024-06-05 and 2024-06-06 values replaced by ".",
    # FRED's mark for a missing value.
    doc = json.loads((FIXTURES / rel).read_bytes())
    for row in doc["observations"][2:]:
        row["value"] = "."
    body = json.dumps(doc).encode()
    replay(lambda r: httpx.Response(200, content=body))
    res = cli("update", "--source", "fred", "--series", "SOFR30DAYAVG", "--since",
              "2024-06-01", "--quiet")
    assert res.exit_code == 0, res.output
    # The snapshot knows all four days: nothing is written, the values stay.
    assert not default_store_path().exists()
    show = cli("series", "show", "SOFR30DAYAVG", "--start", "2024-06-03", "--end",
               "2024-06-06", "--format", "json")
    values = [o["value"] for o in json.loads(show.stdout)["observations"]]
    assert values == pytest.approx([5.32698, 5.32834, 5.32901, 5.32968])


def test_gzip_encoded_recordings_update_normally(replay):
    def handler(request):
        resp = recorded(request)
        if resp.status_code != 200:
            return resp
        return httpx.Response(200, content=gzip.compress(resp.content),
                              headers={"Content-Encoding": "gzip"})

    replay(handler)
    assert update("--quiet").exit_code == 0
    assert len(stored_rows("RRP_ACCEPTED")) > 200


# -- concurrency and per-host limits ------------------------------------------------------------
def test_requests_to_different_hosts_run_at_the_same_time(tmp_path, monkeypatch):
    import threading

    monkeypatch.delenv("FRED_API_KEY", raising=False)
    barrier = threading.Barrier(3, timeout=10)

    def handler(request):
        # Each of the three hosts answers only once all three requests are in flight.
        barrier.wait()
        return recorded(request)

    fetch = Fetch(make_client(transport=httpx.MockTransport(handler)), sleep=lambda s: None)
    res = run_update(tmp_path / "s.duckdb", fetch, sources=["nyfed", "treasury", "yahoo"],
                     series=["RRP_ACCEPTED", "TGA_DTS", "AAPL"],
                     since=pd.Timestamp("2020-08-01"), today=pd.Timestamp("2026-11-28"))
    assert [o.status for o in res.outcomes] == ["ok", "ok", "ok"], res.outcomes


def test_fred_requests_go_one_at_a_time_two_a_second(tmp_path, monkeypatch):
    import threading
    import time

    monkeypatch.setenv("FRED_API_KEY", "abcdefghij0123456789abcdefghij01")
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "starts": []}

    def handler(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["starts"].append(time.monotonic())
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return httpx.Response(404, content=b"not recorded")  # built here: no data needed

    fetch = Fetch(make_client(transport=httpx.MockTransport(handler)), sleep=lambda s: None)
    ids = ["DGS10", "DGS2", "T10Y2Y", "BAMLH0A0HYM2"]
    res = run_update(tmp_path / "s.duckdb", fetch, sources=["fred"], series=ids,
                     since=pd.Timestamp("2025-10-01"), today=pd.Timestamp("2026-11-28"))
    assert [o.status for o in res.outcomes] == ["failed"] * 4
    assert all(": HTTP 404" in o.reason for o in res.outcomes)
    starts = sorted(state["starts"])
    assert state["max"] == 1 and len(starts) == 4
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.45


class SplitAwareYahoo(YahooFetcher):
    """The real Yahoo fetcher plus a rule written for this test: a split reported inside the
    re-read window asks for the whole history."""

    def needs_full_history(self, query, raw, observations, stored):
        result = json.loads(raw)["chart"]["result"][0]
        return bool(result.get("events", {}).get("splits")) and not stored.empty


def test_a_fetcher_can_ask_for_the_whole_history_again(monkeypatch):
    from dollarliq import sources

    monkeypatch.setitem(sources._FETCHERS, "yahoo", ("test_update", "SplitAwareYahoo"))
    seen = []

    def handler(request):
        seen.append(dict(request.url.params))
        return recorded(request)

    fetch = Fetch(make_client(transport=httpx.MockTransport(handler)), sleep=lambda s: None)
    with Store(":memory:") as store:  # the snapshot holds NVDA: the window has stored rows
        res = run_update(store, fetch, sources=["yahoo"], series=["NVDA"],
                         since=pd.Timestamp("2021-02-01"), today=pd.Timestamp("2026-11-28"))
    assert res.outcomes[0].status == "ok"
    assert len(seen) == 2  # the recording reports the 2021-07-20 split: read again, all of it
    assert int(seen[0]["period1"]) == int(pd.Timestamp("2021-02-01").timestamp())
    assert seen[1].get("range") == "max" and "period1" not in seen[1]


def test_the_summary_as_json(replay):
    res = cli("update", "--source", "fred", "--source", "nyfed", "--series", "DGS10",
              "--series", "RRP_ACCEPTED", "--since", "2022-04-01", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["exit_code"] == 0
    rows = {r["series_id"]: r for r in doc["series"]}
    assert rows["DGS10"]["status"] == "needs key" and "FRED_API_KEY" in rows["DGS10"]["reason"]
    rrp = rows["RRP_ACCEPTED"]
    assert rrp["status"] == "ok" and rrp["added"] == rrp["read"] > 200
    assert rrp["data_end"] == "2023-04-21" and rrp["reason"] is None
