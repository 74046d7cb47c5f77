"""TGCR and BGCR with their percentiles and volumes.

NO recording of a TGCR or BGCR ``search.json`` body exists in the project's data. The NY Fed
serves the three repo reference rates in the same ``refRates`` shape (``type`` names the
rate), so the body here is DERIVED from the recorded SOFR body by relabelling its ``type``
and is not a TGCR/BGCR recording; it checks the field mapping and the request, not values.
"""

from __future__ import annotations

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve

from dollarliq.catalog import CATALOG, get_spec
from dollarliq.sources.nyfed import fetch_group

SOFR = "nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json"
T = pd.Timestamp
FIELDS = {"": "percentRate", "1": "percentPercentile1", "25": "percentPercentile25",
          "75": "percentPercentile75", "99": "percentPercentile99", "VOL": "volumeInBillions"}


@pytest.mark.parametrize("rate", ["TGCR", "BGCR"])
def test_catalog_has_percentiles_and_volume(rate):
    for suffix, field in FIELDS.items():
        spec = get_spec(rate + suffix)
        assert spec.source == "nyfed" and spec.source_id == rate.lower()
        assert spec.field == field
        assert spec.unit == ("usd_bn" if suffix == "VOL" else "pct")


@pytest.mark.parametrize("rate", ["TGCR", "BGCR"])
def test_one_request_for_the_rate_family(rate):
    body = fixture_bytes(SOFR).replace(b'"type": "SOFR"', f'"type": "{rate}"'.encode())
    assert body != fixture_bytes(SOFR)
    seen: list[httpx.Request] = []
    specs = [CATALOG[rate + s] for s in FIELDS]
    out = fetch_group(specs, serve(body, seen=seen), T("2024-06-01"), T("2024-06-06"))
    assert len(seen) == 1
    assert seen[0].url.path == f"/api/rates/secured/{rate.lower()}/search.json"
    # The values are the SOFR recording's (relabelled): the mapping, not TGCR's levels.
    assert out[rate + "99"][-1].value == pytest.approx(5.44)
    assert out[rate + "VOL"][-1].value == pytest.approx(2008.0)
    assert all(len(v) == 4 for v in out.values())


@pytest.mark.parametrize("rate, name, newest", [
    ("EFFR", "nyfed/nyfed_api_effr_search_2023-01-01_2023-06-06.json",
     {"1": 5.05, "25": 5.06, "75": 5.08, "99": 5.3, "VOL": 144.0}),
    ("OBFR", "nyfed/nyfed_api_obfr_search_2024-06-01_2024-06-06.json",
     {"1": 5.25, "25": 5.31, "75": 5.33, "99": 5.39, "VOL": 285.0}),
])
def test_unsecured_percentiles_and_volume_from_the_recordings(rate, name, newest):
    specs = [CATALOG[rate + s] for s in FIELDS]
    out = fetch_group(specs, serve(fixture_bytes(name)), T("2023-01-01"), T("2024-06-30"))
    for suffix, value in newest.items():
        assert out[rate + suffix][-1].value == pytest.approx(value), suffix
