"""FRED API and fredgraph.csv, replayed from recorded bodies through the real client."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve, then

from dollarliq.catalog import get_spec
from dollarliq.errors import CredentialsMissing, PayloadError, SourceError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.fred import API_URL, GRAPH_URL, FredFetcher, realtime_chunks

KEY = "0123456789abcdef0123456789abcdef"  # a made-up key of the real shape
SOFR_JSON = "fred/fred_api_observations_SOFR_2024-06-01_2024-06-06.json"
T = pd.Timestamp


@pytest.fixture
def fred_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    return KEY


def _api(spec_id: str, body: bytes, seen: list | None = None, **kw):
    fetcher = FredFetcher()
    return fetcher, run_fetch(fetcher, get_spec(spec_id), serve(body, seen=seen), **kw)


# --- API JSON -------------------------------------------------------------------------------

def test_api_sofr_values_and_release_rule(fred_key):
    seen: list[httpx.Request] = []
    _, obs = _api("SOFR", fixture_bytes(SOFR_JSON), seen,
                  start=T("2024-06-01"), end=T("2024-06-06"))
    assert [o.obs_date for o in obs] == [T("2024-06-03"), T("2024-06-04"), T("2024-06-05"),
                                         T("2024-06-06")]
    assert [o.value for o in obs] == pytest.approx([5.35, 5.33, 5.33, 5.33])
    # SOFR for a business day is published the next business day
    assert [o.as_of for o in obs] == [T("2024-06-04"), T("2024-06-05"), T("2024-06-06"),
                                      T("2024-06-07")]
    url = seen[0].url
    assert str(url).startswith(API_URL)
    assert url.params["series_id"] == "SOFR" and url.params["file_type"] == "json"
    assert url.params["observation_start"] == "2024-06-01"


@pytest.mark.parametrize("spec_id,fixture,expected", [
    ("SOFR1", "SOFR1", [5.29, 5.29, 5.30, 5.29]),
    ("SOFR25", "SOFR25", [5.32, 5.32, 5.32, 5.32]),
    ("SOFR75", "SOFR75", [5.40, 5.40, 5.39, 5.40]),
    ("SOFR99", "SOFR99", [5.44, 5.44, 5.43, 5.44]),
    ("SOFRVOL", "SOFRVOL", [1912.0, 2092.0, 1989.0, 2008.0]),
])
def test_api_sofr_family(fred_key, spec_id, fixture, expected):
    body = fixture_bytes(f"fred/fred_api_observations_{fixture}_2024-06-01_2024-06-06.json")
    _, obs = _api(spec_id, body)
    assert [o.value for o in obs] == pytest.approx(expected)
    assert all(o.series_id == spec_id for o in obs)


def test_api_scale_applied_once(fred_key):
    # the recorded SOFRVOL body (USD bn) read as if it were a millions series scaled to bn
    spec = replace(get_spec("SOFRVOL"), scale=1e-3)
    fetcher = FredFetcher()
    raw = fixture_bytes("fred/fred_api_observations_SOFRVOL_2024-06-01_2024-06-06.json")
    obs = fetcher.transform(fetcher.build_query(spec, None, None), raw)
    assert obs[0].value == pytest.approx(1.912)


def test_api_dot_is_missing_not_zero(fred_key):
    # Derived from the recording: the 2024-06-05 value "5.33" replaced by FRED's "." marker.
    doc = json.loads(fixture_bytes(SOFR_JSON))
    doc["observations"][2]["value"] = "."
    _, obs = _api("SOFR", json.dumps(doc).encode())
    assert obs[2].obs_date == T("2024-06-05") and obs[2].value is None
    assert [o.value for o in obs if o.value is not None] == pytest.approx([5.35, 5.33, 5.33])


def test_api_vintages_two_windows_one_date(fred_key):
    # Derived from the recording: the 2024-06-03 row split into two real-time windows, an
    # earlier print 5.34 (2024-06-04..2024-06-26) and the recorded 5.35 from 2024-06-27.
    doc = json.loads(fixture_bytes(SOFR_JSON))
    first = dict(doc["observations"][0], realtime_start="2024-06-04",
                 realtime_end="2024-06-26", value="5.34")
    doc["observations"].insert(0, first)
    fetcher = FredFetcher()
    spec = get_spec("SOFR")
    q = fetcher.build_query(spec, T("2024-06-01"), T("2024-06-06"), vintages=True,
                            realtime_start=T("2024-06-01"), realtime_end=T("2024-06-30"))
    obs = fetcher.transform(q, json.dumps(doc).encode())
    june3 = [o for o in obs if o.obs_date == T("2024-06-03")]
    assert [(o.value, o.as_of) for o in june3] == [(5.34, T("2024-06-04")),
                                                   (5.35, T("2024-06-27"))]


def test_api_vintage_clipped_by_window_not_before_release(fred_key):
    # The recorded rows all start at realtime_start 2024-06-27; asking for a window that
    # starts on 2024-06-27 clips them, so as_of = max(window start, release rule).
    doc = json.loads(fixture_bytes(SOFR_JSON))
    fetcher = FredFetcher()
    q = fetcher.build_query(get_spec("SOFR"), None, None, vintages=True,
                            realtime_start=T("2024-06-05"), realtime_end=T("2024-06-30"))
    for row in doc["observations"]:  # derived: the window start as FRED reports it
        row["realtime_start"] = "2024-06-05"
    obs = fetcher.transform(q, json.dumps(doc).encode())
    assert [o.as_of for o in obs] == [T("2024-06-05"), T("2024-06-05"), T("2024-06-06"),
                                      T("2024-06-07")]


def test_vintage_requests_are_chunked_under_the_cap(fred_key):
    seen: list[httpx.Request] = []
    fetcher = FredFetcher()
    q = fetcher.build_query(get_spec("SOFR"), T("2024-06-01"), T("2024-06-06"), vintages=True,
                            realtime_start=T("2010-01-01"), realtime_end=T("2024-12-31"))
    raw = fetcher.extract(q, serve(fixture_bytes(SOFR_JSON), seen=seen))
    windows = [(r.url.params["realtime_start"], r.url.params["realtime_end"]) for r in seen]
    assert len(windows) == len(realtime_chunks(T("2010-01-01"), T("2024-12-31"))) > 1
    assert windows[0][0] == "2010-01-01" and windows[-1][1] == "2024-12-31"
    for a, b in windows:
        assert (T(b) - T(a)).days + 1 <= 2000
    # the same recorded vintage came back in every window; it is stored once
    assert len(fetcher.transform(q, raw)) == 4


def test_api_key_sent_but_never_shown(fred_key):
    seen: list[httpx.Request] = []
    fetcher, obs = _api("SOFR", fixture_bytes(SOFR_JSON), seen)
    assert seen[0].url.params["api_key"] == KEY
    q = fetcher.build_query(get_spec("SOFR"), None, None)
    assert KEY not in repr(q) and KEY not in repr(obs)
    with pytest.raises(SourceError) as err:
        run_fetch(fetcher, get_spec("SOFR"), serve(b"", status=500))
    assert KEY not in str(err.value)
    with pytest.raises(SourceError) as err:
        run_fetch(fetcher, get_spec("SOFR"), then(httpx.ConnectError(f"refused ?api_key={KEY}")))
    assert KEY not in str(err.value)


def test_api_error_message_body(fred_key):
    body = json.dumps({"error_code": 400, "error_message":
                       f"Bad Request.  The value for variable api_key {KEY} is not registered."})
    with pytest.raises(SourceError) as err:
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(body.encode(), status=400))
    assert str(err.value).startswith("fred: SOFR: HTTP 400") and KEY not in str(err.value)
    with pytest.raises(SourceError, match="fred: SOFR: FRED error"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(body.encode(), status=200))


def test_api_unknown_series(fred_key):
    body = b'{"error_code":400,"error_message":"Bad Request.  The series does not exist."}'
    spec = replace(get_spec("WALCL"), id="NOSUCHSERIES", source_id="NOSUCHSERIES",
                   fred_id="NOSUCHSERIES")
    with pytest.raises(SourceError, match="fred: NOSUCHSERIES: .*series does not exist"):
        run_fetch(FredFetcher(), spec, serve(body, status=400))


# --- faults through the real Fetch -----------------------------------------------------------

def test_timeout(fred_key):
    with pytest.raises(SourceError, match=r"^fred: SOFR: timed out") as err:
        run_fetch(FredFetcher(), get_spec("SOFR"), then(httpx.ReadTimeout("read timed out")))
    assert "4 attempts" in str(err.value)


def test_persistent_500(fred_key):
    seen: list = []
    with pytest.raises(SourceError, match=r"fred: SOFR: HTTP 500 after 4 attempts"):
        run_fetch(FredFetcher(), get_spec("SOFR"), then(httpx.Response(500), seen=seen))
    assert len(seen) == 4


def test_500_then_200(fred_key):
    f = then(httpx.Response(500), httpx.Response(200, content=fixture_bytes(SOFR_JSON)))
    obs = run_fetch(FredFetcher(), get_spec("SOFR"), f)
    assert len(obs) == 4


def test_truncated_json(fred_key):
    raw = fixture_bytes(SOFR_JSON)
    with pytest.raises(PayloadError, match="fred: SOFR: .*truncated"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw[: len(raw) // 2]))


def test_changed_json_schema(fred_key):
    # Derived from the recording: "observations" renamed.
    raw = fixture_bytes(SOFR_JSON).replace(b'"observations"', b'"observation_list"')
    with pytest.raises(PayloadError, match="fred: SOFR: no 'observations'"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw))
    # Derived from the recording: "value" renamed in the rows.
    raw = fixture_bytes(SOFR_JSON).replace(b'"value"', b'"val"')
    with pytest.raises(PayloadError):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw))


# --- fredgraph.csv (no key) ------------------------------------------------------------------

def _graph(spec_id: str, fixture: str, seen: list | None = None):
    return run_fetch(FredFetcher(), get_spec(spec_id),
                     serve(fixture_bytes(f"fred/{fixture}"), seen=seen),
                     start=T("2025-10-01"), end=T("2025-11-30"))


def test_no_key_uses_fredgraph(no_fred_key):
    seen: list[httpx.Request] = []
    obs = _graph("SOFR", "fredgraph_SOFR_2025-10_2025-11.csv", seen)
    url = seen[0].url
    assert str(url).startswith(GRAPH_URL) and "api_key" not in str(url)
    assert url.params["id"] == "SOFR" and url.params["cosd"] == "2025-10-01"
    assert url.params["coed"] == "2025-11-30"
    by_date = {o.obs_date: o for o in obs}
    assert by_date[T("2025-10-31")].value == pytest.approx(4.22)
    assert by_date[T("2025-11-03")].value == pytest.approx(4.13)
    # Friday 2025-10-31 is published Monday 2025-11-03
    assert by_date[T("2025-10-31")].as_of == T("2025-11-03")
    # holidays are empty cells in the recording: missing, not zero
    assert by_date[T("2025-10-13")].value is None and by_date[T("2025-11-11")].value is None


def test_fredgraph_iorb(no_fred_key):
    obs = {o.obs_date: o for o in _graph("IORB", "fredgraph_IORB_2025-10_2025-11.csv")}
    assert obs[T("2025-10-29")].value == pytest.approx(4.15)
    assert obs[T("2025-10-30")].value == pytest.approx(3.90)
    assert obs[T("2025-11-03")].as_of == T("2025-11-03")  # same day


def test_fredgraph_wresbal_millions_to_billions(no_fred_key):
    obs = {o.obs_date: o for o in _graph("WRESBAL", "fredgraph_WRESBAL_2025-10_2025-11.csv")}
    assert obs[T("2025-10-29")].value == pytest.approx(2848.021)
    assert obs[T("2025-10-29")].as_of == T("2025-10-30")  # Wednesday -> Thursday (H.4.1)


def test_fredgraph_rrp_billions_unchanged(no_fred_key):
    obs = {o.obs_date: o for o in _graph("RRPONTSYD", "fredgraph_RRPONTSYD_2025-10_2025-11.csv")}
    assert obs[T("2025-10-31")].value == pytest.approx(51.802)
    assert obs[T("2025-10-31")].as_of == T("2025-10-31")


def test_fredgraph_dot_and_old_header(no_fred_key):
    # Derived from the recording: pre-2024 header "DATE" and a "." for 2025-10-02.
    raw = fixture_bytes("fred/fredgraph_SOFR_2025-10_2025-11.csv")
    raw = raw.replace(b"observation_date,", b"DATE,").replace(b"2025-10-02,4.20", b"2025-10-02,.")
    obs = {o.obs_date: o for o in run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw))}
    assert obs[T("2025-10-02")].value is None
    assert obs[T("2025-10-01")].value == pytest.approx(4.20)


def test_fredgraph_html_instead_of_csv(no_fred_key):
    html = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Oops</body></html>"
    with pytest.raises(PayloadError, match="fred: SOFR: got an HTML page"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(html))


def test_fredgraph_truncated(no_fred_key):
    raw = fixture_bytes("fred/fredgraph_SOFR_2025-10_2025-11.csv")
    with pytest.raises(PayloadError, match="fred: SOFR"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw[: len(raw) // 2]))


def test_fredgraph_changed_header(no_fred_key):
    # Derived from the recording: the value column renamed.
    raw = fixture_bytes("fred/fredgraph_SOFR_2025-10_2025-11.csv").replace(b",SOFR", b",VALUE")
    with pytest.raises(PayloadError, match="unexpected fredgraph.csv header"):
        run_fetch(FredFetcher(), get_spec("SOFR"), serve(raw))


def test_vintages_without_key(no_fred_key):
    with pytest.raises(CredentialsMissing, match="FRED_API_KEY"):
        FredFetcher().build_query(get_spec("WALCL"), None, None, vintages=True)


def test_keyless_fredgraph_403_says_set_the_key(no_fred_key):
    """FRED's 403 to keyless fredgraph.csv downloads (since about 2026-05-30; the body here
    is a plain hand-written 403, not a recording) becomes one line naming the fix."""
    with pytest.raises(CredentialsMissing, match="^fred: STLFSI4: .*HTTP 403.*set FRED_API_KEY"):
        run_fetch(FredFetcher(), get_spec("STLFSI4"),
                  then(httpx.Response(403, content=b"Forbidden")))
