"""NY Fed repo and reverse repo operations from the real 500-operation body.

``nyfed_rp_all_all_results_last500_2023-04-24.json`` is a real answer of
``/api/rp/all/all/results/last/500.json`` (2022-04-22..2023-04-21): 250 reverse repo and
250 repo operations, four small-value exercises and one term repo. The ``search.json``
endpoint the fetcher asks returns the same ``repo.operations`` shape.
"""

from __future__ import annotations

import json

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError
from dollarliq.sources.nyfed import fetch_group, transform_operations

BODY = "nyfed/nyfed_rp_all_all_results_last500_2023-04-24.json"
T = pd.Timestamp


def _ops(*ids: str) -> dict[str, dict[pd.Timestamp, float | None]]:
    out = transform_operations([get_spec(i) for i in ids], fixture_bytes(BODY))
    return {k: {o.obs_date: o.value for o in v} for k, v in out.items()}


def test_on_rrp_take_up_in_billions():
    got = _ops("RRPONTSYD", "RRP_ACCEPTED", "RRP_RATE")
    rrp = got["RRPONTSYD"]
    assert len(rrp) == 249 and min(rrp) == T("2022-04-22") and max(rrp) == T("2023-04-21")
    assert rrp[T("2023-04-21")] == pytest.approx(2290.023)
    assert got["RRP_RATE"][T("2023-04-21")] == pytest.approx(4.80)
    # 2022-11-17 had a small-value exercise of $94mn besides the $2,114.345bn operation:
    # FRED's RRPONTSYD (2,114.439) counts its securities, the operation total does not.
    assert rrp[T("2022-11-17")] == 2114.439  # the same double as FRED's printed value
    assert got["RRP_ACCEPTED"][T("2022-11-17")] == pytest.approx(2114.345)


def test_standing_repo_take_up_is_the_treasury_collateral_of_overnight_repos():
    got = _ops("RPONTSYD", "RPONTTLD")
    srf, total = got["RPONTSYD"], got["RPONTTLD"]
    # 2022-10-19: $5mn against Treasuries and $5mn against MBS.
    assert srf[T("2022-10-19")] == pytest.approx(0.005)
    assert total[T("2022-10-19")] == pytest.approx(0.010)
    assert srf[T("2023-02-01")] == pytest.approx(0.011)
    assert srf[T("2023-04-21")] == 0.0
    # The one term repo (2023-03-08, $56mn) is not overnight take-up.
    assert srf[T("2023-03-08")] == 0.0 and total[T("2023-03-08")] == 0.0


def test_operations_request_and_window():
    seen: list[httpx.Request] = []
    out = fetch_group([get_spec("RRPONTSYD"), get_spec("RRP_RATE")],
                      serve(fixture_bytes(BODY), seen=seen), T("2023-04-01"), T("2023-04-30"))
    assert len(seen) == 1
    url = seen[0].url
    assert url.path == "/api/rp/results/search.json"
    assert url.params["operationTypes"] == "Reverse Repo"
    assert (url.params["startDate"], url.params["endDate"]) == ("2023-04-01", "2023-04-30")
    # Business days, less Good Friday 2023-04-07 (no operation: bond markets closed).
    days = pd.bdate_range("2023-04-03", "2023-04-21").drop(T("2023-04-07"))
    assert [o.obs_date for o in out["RRPONTSYD"]] == list(days)
    assert out["RRPONTSYD"][0].as_of == T("2023-04-03")  # results published the same day


def test_a_detail_without_its_amount_is_a_format_change():
    # Derived from the recording: every amtAccepted of the details renamed.
    body = fixture_bytes(BODY).replace(b'"amtAccepted"', b'"amountAccepted"')
    with pytest.raises(PayloadError, match="^nyfed: RRPONTSYD: .*without amtAccepted"):
        transform_operations([get_spec("RRPONTSYD")], body)


def test_the_body_is_the_documented_shape():
    doc = json.loads(fixture_bytes(BODY))
    ops = doc["repo"]["operations"]
    assert len(ops) == 500
    assert {o["operationType"] for o in ops} == {"Repo", "Reverse Repo"}


def test_overnight_repo_take_up_is_fred_rpontld_where_they_overlap():
    """RPONTTLD from the NY Fed's operation results equals FRED's RPONTTLD (the embedded
    snapshot, from FRED) on every day both have: all collateral, overnight only."""
    from dollarliq.store import SNAPSHOT_PATH

    got = _ops("RPONTTLD")["RPONTTLD"]
    snap = pd.read_parquet(SNAPSHOT_PATH)
    fred = snap[snap["series_id"].astype(str) == "RPONTTLD"]
    fred = pd.Series(fred["value"].to_numpy(), index=pd.DatetimeIndex(fred["obs_date"]))
    common = sorted(set(got) & set(fred.index))
    assert len(common) == 248
    assert max(abs(got[d] - fred[d]) for d in common) < 5e-4
    # 2023-03-08: the only take-up was a $56mn term repo; an overnight series reads 0.
    assert got[T("2023-03-08")] == 0.0 == fred[T("2023-03-08")]
    assert got[T("2022-10-19")] == pytest.approx(0.010) == fred[T("2022-10-19")]
    # 2022-09-08: a $61mn small-value exercise, which FRED's RPONTTLD counts.
    assert got[T("2022-09-08")] == pytest.approx(0.061) == fred[T("2022-09-08")]
