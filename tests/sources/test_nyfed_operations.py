"""NY Fed repo / reverse repo operation results.

No recorded ``/api/rp/results/search.json`` body exists in public code that could be used, so
these bodies are CONSTRUCTED in the test from the documented shape (NY Fed Markets API docs;
field names as the API spells them, including ``termCalenderDays``; amounts in dollars). They
are not recordings. Replace them with a recorded body once one is available.
"""

from __future__ import annotations

import json

import httpx
import pandas as pd
import pytest
from replay import serve, then

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError, SourceError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.nyfed import NyFedFetcher, fetch_group

T = pd.Timestamp
WINDOW = dict(start=T("2025-12-29"), end=T("2025-12-31"))


def _op(op_id: str, date: str, accepted: float, *, op_type: str = "Reverse Repo",
        term: str = "Overnight", days: int = 1, note: str = "", rate: float | str = 3.5,
        method: str = "Fixed Rate") -> dict:
    """One operation in the documented shape (constructed, not recorded)."""
    return {
        "operationId": op_id, "auctionStatus": "Results", "operationDate": date,
        "settlementDate": date, "maturityDate": date, "operationType": op_type,
        "operationMethod": method, "settlementType": "Same Day", "termCalenderDays": days,
        "term": term, "releaseTime": "12:45", "closeTime": "13:15", "note": note,
        "lastUpdated": f"{date} 13:16:02", "participatingCpty": 10, "acceptedCpty": 10,
        "totalAmtSubmitted": accepted, "totalAmtAccepted": accepted,
        "details": [{"securityType": "Treasury", "amtSubmitted": accepted,
                     "amtAccepted": accepted, "percentOfferingRate": rate,
                     "percentAwardRate": rate}],
    }


def _body(*ops: dict) -> bytes:
    return json.dumps({"repo": {"operations": list(ops)}}).encode()


RRP = _body(
    _op("RP 123125 1", "2025-12-31", 106_000_000_000, rate=3.5),
    _op("RP 123125 2", "2025-12-31", 30_000, note="Small Value Exercise", rate=3.5),
    _op("RP 123025 1", "2025-12-30", 16_500_000_000, rate=3.5),
    _op("RP 122925 1", "2025-12-29", 8_000_000_000, rate=3.5),
    _op("RP 122925 2", "2025-12-29", 2_000_000_000, rate=3.5),
    _op("RP 122925 9", "2025-12-29", 5_000_000_000, term="Term", days=7, rate=3.6),
)


def test_rrp_accepted_summed_per_date_in_billions():
    seen: list[httpx.Request] = []
    obs = run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), serve(RRP, seen=seen), **WINDOW)
    url = seen[0].url
    assert url.path == "/api/rp/results/search.json"
    assert url.params["operationTypes"] == "Reverse Repo"
    assert url.params["startDate"] == "2025-12-29" and url.params["endDate"] == "2025-12-31"
    assert [(o.obs_date, o.value) for o in obs] == [
        (T("2025-12-29"), pytest.approx(10.0)),  # two overnight ops; the term op is left out
        (T("2025-12-30"), pytest.approx(16.5)),
        (T("2025-12-31"), pytest.approx(106.0)),  # small-value exercise dropped
    ]
    assert [o.as_of for o in obs] == [o.obs_date for o in obs]  # same day


def test_one_request_serves_amount_and_rate():
    seen: list = []
    specs = [get_spec("RRP_ACCEPTED"), get_spec("RRP_RATE")]
    out = fetch_group(specs, serve(RRP, seen=seen), **WINDOW)
    assert len(seen) == 1
    assert [o.value for o in out["RRP_RATE"]] == pytest.approx([3.5, 3.5, 3.5])
    assert out["RRP_ACCEPTED"][-1].value == pytest.approx(106.0)


def test_small_value_exercise_only_day_has_no_value():
    body = _body(_op("RP 1", "2025-12-30", 50_000, note="Small Value Exercise"))
    assert run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), serve(body), **WINDOW) == []


def test_repo_operations_and_missing_rate():
    body = _body(
        _op("RP 1", "2025-12-31", 25_950_000_000, op_type="Repo", method="Full Allotment"),
        _op("RP 2", "2025-12-31", 1_000_000_000, op_type="Repo", method="Full Allotment"),
        _op("RP 3", "2025-12-31", 9_000_000_000),  # a reverse repo: not counted as repo
    )
    seen: list[httpx.Request] = []
    obs = run_fetch(NyFedFetcher(), get_spec("RPONTTLD"), serve(body, seen=seen), **WINDOW)
    assert seen[0].url.params["operationTypes"] == "Repo"
    assert [o.value for o in obs] == pytest.approx([26.95])
    body = _body(_op("RP 1", "2025-12-31", 1e9, rate=""))
    assert run_fetch(NyFedFetcher(), get_spec("RRP_RATE"), serve(body), **WINDOW)[0].value is None


# --- faults -----------------------------------------------------------------------------------

def test_timeout():
    with pytest.raises(SourceError, match=r"^nyfed: RRP_ACCEPTED: timed out .* after 4 attempts"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), then(httpx.ReadTimeout("slow")),
                  **WINDOW)


def test_persistent_500():
    with pytest.raises(SourceError, match=r"nyfed: RRP_ACCEPTED: HTTP 500 after 4 attempts"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), then(httpx.Response(500)), **WINDOW)


def test_500_then_200():
    f = then(httpx.Response(502), httpx.Response(200, content=RRP))
    assert len(run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), f, **WINDOW)) == 3


def test_truncated():
    with pytest.raises(PayloadError, match="nyfed: RRP_ACCEPTED: .*truncated"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"), serve(RRP[: len(RRP) // 2]), **WINDOW)


def test_changed_schema():
    with pytest.raises(PayloadError, match="no 'repo.operations'"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"),
                  serve(RRP.replace(b'"operations"', b'"results"')), **WINDOW)
    with pytest.raises(PayloadError, match="without operationDate/operationType/totalAmtAccepted"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"),
                  serve(RRP.replace(b'"totalAmtAccepted"', b'"totalAccepted"')), **WINDOW)


def test_html_instead_of_json():
    with pytest.raises(PayloadError, match="nyfed: RRP_ACCEPTED: got an HTML page"):
        run_fetch(NyFedFetcher(), get_spec("RRP_ACCEPTED"),
                  serve(b"<html><body>Maintenance</body></html>"), **WINDOW)
