"""Yahoo chart API, replayed from a recorded body through the real client."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve, then

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError, SourceError
from dollarliq.http import USER_AGENT
from dollarliq.sources.base import run_fetch
from dollarliq.sources.yahoo import YahooFetcher

TNX = "yahoo/yahoo_chart_TNX_5m_1d_2026-02-02.json"
T = pd.Timestamp
# ^TNX is not in the catalog; the VIX spec (an index, field close) stands in for it.
TNX_SPEC = replace(get_spec("VIX"), id="TNX", source_id="^TNX")
DAY = dict(start=T("2026-02-02"), end=T("2026-02-02"))


def _run(body: bytes, spec=TNX_SPEC, seen: list | None = None, **kw):
    return run_fetch(YahooFetcher(), spec, serve(body, seen=seen), **(kw or DAY))


def test_request_shape():
    seen: list[httpx.Request] = []
    _run(fixture_bytes(TNX), seen=seen)
    req = seen[0]
    assert req.url.raw_path.startswith(b"/v8/finance/chart/%5ETNX?")
    p = req.url.params
    assert p["interval"] == "1d" and p["events"] == "div,splits"
    assert p["includeAdjustedClose"] == "true"
    assert int(p["period1"]) == int(T("2026-02-02").timestamp())
    assert int(p["period2"]) == int(T("2026-02-03").timestamp())
    ua = req.headers["User-Agent"]
    assert ua.startswith("Mozilla/5.0") and ua != USER_AGENT


def test_recorded_5m_bars_give_the_local_day_close():
    obs = _run(fixture_bytes(TNX))
    # 15 five-minute bars, 12:45..13:55 America/Chicago on 2026-02-02: one daily value, the last
    assert len(obs) == 1
    assert obs[0].obs_date == T("2026-02-02")
    assert obs[0].value == pytest.approx(4.275000095367432)
    assert obs[0].as_of == T("2026-02-02")


def test_exchange_local_date_not_utc():
    # Derived from the recording: the last bar moved to 23:30 America/Chicago, which is
    # already 2026-02-03 in UTC; it still belongs to the 2026-02-02 trading date.
    doc = json.loads(fixture_bytes(TNX))
    r = doc["chart"]["result"][0]
    r["timestamp"][-1] = int(T("2026-02-03 05:30", tz="UTC").timestamp())
    obs = _run(json.dumps(doc).encode(), start=T("2026-02-01"), end=T("2026-02-04"))
    assert [o.obs_date for o in obs] == [T("2026-02-02")]


def test_gmtoffset_when_no_timezone_name():
    doc = json.loads(fixture_bytes(TNX))  # derived: exchangeTimezoneName removed
    del doc["chart"]["result"][0]["meta"]["exchangeTimezoneName"]
    assert _run(json.dumps(doc).encode())[0].obs_date == T("2026-02-02")


def test_null_bars_are_missing():
    # Derived from the recording: every close of the day set to null.
    doc = json.loads(fixture_bytes(TNX))
    q = doc["chart"]["result"][0]["indicators"]["quote"][0]
    q["close"] = [None] * len(q["close"])
    obs = _run(json.dumps(doc).encode())
    assert len(obs) == 1 and obs[0].value is None
    # and a trailing null bar does not erase the day's earlier close
    doc = json.loads(fixture_bytes(TNX))
    doc["chart"]["result"][0]["indicators"]["quote"][0]["close"][-1] = None
    assert _run(json.dumps(doc).encode())[0].value == pytest.approx(4.2729997634887695)


def test_adjclose_field():
    # Derived from the recording: an adjclose array as the daily endpoint sends it.
    doc = json.loads(fixture_bytes(TNX))
    r = doc["chart"]["result"][0]
    closes = r["indicators"]["quote"][0]["close"]
    r["indicators"]["adjclose"] = [{"adjclose": [c - 0.1 for c in closes]}]
    spec = replace(TNX_SPEC, field="adjclose")
    assert _run(json.dumps(doc).encode(), spec=spec)[0].value == pytest.approx(4.175000095367432)
    with pytest.raises(PayloadError, match="no 'adjclose' array"):
        _run(fixture_bytes(TNX), spec=spec)


def test_chart_error_names_the_symbol():
    body = (b'{"chart":{"result":null,"error":{"code":"Not Found",'
            b'"description":"No data found, symbol may be delisted"}}}')
    with pytest.raises(SourceError, match=r"yahoo: TNX: .*'\^TNX'.*symbol may be delisted"):
        _run(body)
    with pytest.raises(SourceError, match=r"yahoo: TNX: HTTP 404 .*symbol may be delisted"):
        run_fetch(YahooFetcher(), TNX_SPEC, serve(body, status=404), **DAY)


# --- faults -----------------------------------------------------------------------------------

def test_timeout():
    with pytest.raises(SourceError, match=r"^yahoo: TNX: timed out .* after 4 attempts"):
        run_fetch(YahooFetcher(), TNX_SPEC, then(httpx.ReadTimeout("slow")), **DAY)


def test_persistent_500():
    with pytest.raises(SourceError, match=r"yahoo: TNX: HTTP 500 after 4 attempts"):
        run_fetch(YahooFetcher(), TNX_SPEC, then(httpx.Response(500)), **DAY)


def test_429_then_200():
    f = then(httpx.Response(429, text="Too Many Requests"),
             httpx.Response(200, content=fixture_bytes(TNX)))
    assert len(run_fetch(YahooFetcher(), TNX_SPEC, f, **DAY)) == 1


def test_truncated():
    raw = fixture_bytes(TNX)
    with pytest.raises(PayloadError, match="yahoo: TNX: .*truncated"):
        _run(raw[: len(raw) // 2])


def test_changed_schema():
    # Derived from the recording: "indicators" renamed.
    with pytest.raises(PayloadError, match="no 'indicators'"):
        _run(fixture_bytes(TNX).replace(b'"indicators"', b'"series"'))
    # Derived from the recording: one close dropped, so arrays no longer align.
    doc = json.loads(fixture_bytes(TNX))
    doc["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(PayloadError, match="14 close values for 15 timestamps"):
        _run(json.dumps(doc).encode())


def test_html_instead_of_json():
    with pytest.raises(PayloadError, match="yahoo: TNX: got an HTML page"):
        _run(b"<!DOCTYPE html><html><body>Will be right back</body></html>")
