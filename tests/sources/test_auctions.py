"""FiscalData auctions_query and upcoming_auctions: the recorded bodies replayed through the
real client, parsed into auction records, and stored point-in-time."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dollarliq.errors import PayloadError
from dollarliq.outlook import auctions as au
from dollarliq.sources.auctions import AuctionsFetcher, records_from_rows
from dollarliq.sources.fiscaldata import parse_rows
from dollarliq.store import Store

from replay import fixture_bytes, serve

RESULTS = "treasury_auctions/fiscaldata_auctions_query_bills_auction_2026-01-01_2026-01-31.json"
UPCOMING = "treasury_auctions/fiscaldata_upcoming_auctions_asof_2026-07-16.json"


def test_results_body_replayed_through_the_client():
    seen = []
    rec = AuctionsFetcher().fetch("AUCTIONS", serve(fixture_bytes(RESULTS), seen=seen),
                                  pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-31"))
    assert len(rec) == 25
    params = dict(seen[0].url.params)
    assert params["filter"] == "auction_date:gte:2026-01-01,auction_date:lte:2026-01-31"
    assert "total_accepted" in params["fields"]
    # the first row of the body: 13-week bill 912797SL2 announced 2025-12-31
    r = rec.iloc[0]
    assert (r.cusip, r.security_term) == ("912797SL2", "13-Week")
    assert r.announced == pd.Timestamp("2025-12-31")
    assert r.auction_date == pd.Timestamp("2026-01-05")
    assert r.issue_date == pd.Timestamp("2026-01-08")
    assert r.offering_amt == 86_000_000_000 and r.total_accepted == 90_430_132_400
    body = json.loads(fixture_bytes(RESULTS))
    assert rec["total_accepted"].sum() == sum(int(x["total_accepted"]) for x in body["data"])


def test_upcoming_body_keeps_offerings_and_null_amounts():
    rec = AuctionsFetcher().fetch("AUCTIONS_UPCOMING", serve(fixture_bytes(UPCOMING)))
    assert len(rec) == 90
    assert rec["total_accepted"].isna().all()
    # the two stale rows with offering_amt "null" (README of the recordings)
    assert set(rec.loc[rec["offering_amt"].isna(), "cusip"]) == {"91282CMQ1", "91282CPV7"}
    last = rec[rec["cusip"] == "912810UV8"].iloc[-1]
    assert last.announced == pd.Timestamp("2026-07-16")
    assert last.offering_amt == 13_000_000_000


def test_a_word_in_an_amount_is_a_payload_error():
    body = json.loads(fixture_bytes(RESULTS))
    body["data"][0]["total_accepted"] = "n/a"  # built here from the recording
    rows = parse_rows(json.dumps(body).encode(), "t")
    with pytest.raises(PayloadError, match="not a number"):
        records_from_rows(rows, "auctions_query", "treasury: AUCTIONS")


def test_point_in_time_offered_then_accepted():
    """912797SL2 (issue 2026-01-08): unknown before 2025-12-31, offered $86bn from its
    announcement, accepted $90,430,132,400 from its auction on 2026-01-05."""
    rec = AuctionsFetcher().fetch("AUCTIONS", serve(fixture_bytes(RESULTS)))
    one = rec[rec["cusip"] == "912797SL2"]
    assert au.known(one, pd.Timestamp("2025-12-30")).empty
    k = au.known(one, pd.Timestamp("2026-01-02"))
    assert (k["status"].item(), k["amount"].item()) == ("offered", 86e9)
    k = au.known(one, pd.Timestamp("2026-01-05"))
    assert (k["status"].item(), k["amount"].item()) == ("accepted", 90_430_132_400)


def test_store_merges_an_offering_with_its_later_result():
    rec = AuctionsFetcher().fetch("AUCTIONS", serve(fixture_bytes(RESULTS)))
    offered = rec.assign(total_accepted=float("nan"), source="upcoming_auctions")
    s = Store(":memory:", snapshot=None)
    assert s.write_counts([offered]) == (25, 0)
    assert s.write_counts([offered]) == (0, 0)  # nothing new
    assert s.write_counts([rec]) == (0, 25)
    got = s.auctions()
    assert len(got) == 25
    assert got["total_accepted"].sum() == rec["total_accepted"].sum()
    assert got["offering_amt"].sum() == rec["offering_amt"].sum()


def test_a_later_offering_row_never_hides_a_stored_result():
    """A stale offering fetched after the result (here the same rows renamed CMB, as the
    upcoming_auctions table names some bills; built in the test from the recording) adds
    its type, and the result's accepted amount stays."""
    rec = AuctionsFetcher().fetch("AUCTIONS", serve(fixture_bytes(RESULTS)))
    s = Store(":memory:", snapshot=None)
    s.write_counts([rec], fetched_at=pd.Timestamp("2026-07-16 18:00"))
    later = rec.assign(total_accepted=float("nan"), security_type="CMB",
                       source="upcoming_auctions")
    assert s.write_counts([later], fetched_at=pd.Timestamp("2026-07-17 18:00")) == (0, 25)
    got = s.auctions()
    assert (got["security_type"] == "CMB").all()
    assert got["total_accepted"].sum() == rec["total_accepted"].sum()
