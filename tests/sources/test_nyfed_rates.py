"""NY Fed reference rates, replayed from recorded bodies through the real client."""

from __future__ import annotations

import json

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve, then

from dollarliq.catalog import get_spec, specs_for_source
from dollarliq.errors import PayloadError, SourceError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.fred import FredFetcher
from dollarliq.sources.nyfed import (NyFedFetcher, fetch_group, group_by_source_id,
                                     transform_rates)

SOFR = "nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json"
EFFR = "nyfed/nyfed_api_effr_search_2023-01-01_2023-06-06.json"
OBFR = "nyfed/nyfed_api_obfr_search_2024-06-01_2024-06-06.json"
T = pd.Timestamp
JUNE = dict(start=T("2024-06-01"), end=T("2024-06-06"))


def _run(spec_id: str, body: bytes, seen: list | None = None, **kw):
    return run_fetch(NyFedFetcher(), get_spec(spec_id), serve(body, seen=seen), **kw)


def test_sofr_request_and_values():
    seen: list[httpx.Request] = []
    obs = _run("SOFR", fixture_bytes(SOFR), seen, **JUNE)
    url = seen[0].url
    assert url.path == "/api/rates/secured/sofr/search.json"
    assert url.params["startDate"] == "2024-06-01" and url.params["endDate"] == "2024-06-06"
    assert [o.obs_date for o in obs] == [T("2024-06-03"), T("2024-06-04"), T("2024-06-05"),
                                         T("2024-06-06")]  # oldest first (the body is newest first)
    assert [o.value for o in obs] == pytest.approx([5.35, 5.33, 5.33, 5.33])
    assert [o.as_of for o in obs] == [T("2024-06-04"), T("2024-06-05"), T("2024-06-06"),
                                      T("2024-06-07")]


@pytest.mark.parametrize("spec_id", ["SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL"])
def test_sofr_family_equals_fred_on_the_same_days(spec_id, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "0123456789abcdef0123456789abcdef")
    ny = _run(spec_id, fixture_bytes(SOFR), **JUNE)
    fred_body = fixture_bytes(f"fred/fred_api_observations_{spec_id}_2024-06-01_2024-06-06.json")
    fred = run_fetch(FredFetcher(), get_spec(spec_id), serve(fred_body), **JUNE)
    assert [(o.obs_date, o.as_of) for o in ny] == [(o.obs_date, o.as_of) for o in fred]
    assert [o.value for o in ny] == pytest.approx([o.value for o in fred])


def test_one_request_serves_every_sofr_spec():
    seen: list[httpx.Request] = []
    sofr_specs = group_by_source_id(specs_for_source("nyfed"))["sofr"]
    assert {s.id for s in sofr_specs} == {"SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL"}
    out = fetch_group(sofr_specs, serve(fixture_bytes(SOFR), seen=seen), **JUNE)
    assert len(seen) == 1
    assert out["SOFR99"][0].value == pytest.approx(5.44)
    assert out["SOFRVOL"][-1].value == pytest.approx(2008.0)  # USD bn, unchanged
    assert out["SOFR1"][2].value == pytest.approx(5.30)


def test_effr_and_obfr():
    seen: list[httpx.Request] = []
    effr = _run("EFFR", fixture_bytes(EFFR), seen, start=T("2023-01-01"), end=T("2023-06-06"))
    assert seen[0].url.path == "/api/rates/unsecured/effr/search.json"
    assert len(effr) == 108
    d = {o.obs_date: o.value for o in effr}
    assert d[T("2023-06-06")] == pytest.approx(5.08)
    assert d[T("2023-02-01")] == pytest.approx(4.33) and d[T("2023-02-02")] == pytest.approx(4.58)
    p99 = transform_rates([get_spec("EFFR99")], fixture_bytes(EFFR))["EFFR99"]
    assert {o.obs_date: o.value for o in p99}[T("2023-06-01")] == pytest.approx(5.35)
    obfr = _run("OBFR", fixture_bytes(OBFR), **JUNE)
    assert [o.value for o in obfr] == pytest.approx([5.32] * 4)


def test_window_filters_rows():
    obs = _run("SOFR", fixture_bytes(SOFR), start=T("2024-06-04"), end=T("2024-06-05"))
    assert [o.obs_date for o in obs] == [T("2024-06-04"), T("2024-06-05")]


def test_missing_percentiles_na_or_absent():
    # Derived from the recording: 2024-06-05 percentile 99 as "NA", 2024-06-04 without it.
    doc = json.loads(fixture_bytes(SOFR))
    doc["refRates"][1]["percentPercentile99"] = "NA"
    del doc["refRates"][2]["percentPercentile99"]
    out = transform_rates([get_spec("SOFR99"), get_spec("SOFR")], json.dumps(doc).encode())
    p99 = {o.obs_date: o.value for o in out["SOFR99"]}
    assert p99[T("2024-06-05")] is None and p99[T("2024-06-04")] is None
    assert p99[T("2024-06-06")] == pytest.approx(5.44)
    assert [o.value for o in out["SOFR"]] == pytest.approx([5.35, 5.33, 5.33, 5.33])


# --- faults -----------------------------------------------------------------------------------

def test_timeout():
    with pytest.raises(SourceError, match=r"^nyfed: SOFR: timed out .* after 4 attempts"):
        run_fetch(NyFedFetcher(), get_spec("SOFR"), then(httpx.ReadTimeout("slow")), **JUNE)


def test_persistent_500():
    with pytest.raises(SourceError, match=r"nyfed: SOFR: HTTP 500 after 4 attempts"):
        run_fetch(NyFedFetcher(), get_spec("SOFR"), then(httpx.Response(500)), **JUNE)


def test_500_then_200():
    f = then(httpx.Response(503), httpx.Response(200, content=fixture_bytes(SOFR)))
    assert len(run_fetch(NyFedFetcher(), get_spec("SOFR"), f, **JUNE)) == 4


def test_truncated():
    raw = fixture_bytes(SOFR)
    with pytest.raises(PayloadError, match="nyfed: SOFR: .*truncated"):
        _run("SOFR", raw[: len(raw) // 2], **JUNE)


def test_changed_schema():
    # Derived from the recording: top-level key renamed.
    with pytest.raises(PayloadError, match="no 'refRates'"):
        _run("SOFR", fixture_bytes(SOFR).replace(b'"refRates"', b'"referenceRates"'), **JUNE)
    # Derived from the recording: a field renamed in every row.
    raw = fixture_bytes(SOFR).replace(b'"percentPercentile99"', b'"percentile99"')
    with pytest.raises(PayloadError, match="nyfed: SOFR99: no row has the field"):
        _run("SOFR99", raw, **JUNE)


def test_html_instead_of_json():
    html = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    with pytest.raises(PayloadError, match="nyfed: SOFR: got an HTML page"):
        _run("SOFR", html, **JUNE)
