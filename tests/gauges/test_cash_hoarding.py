"""Cash + short-term investments over assets from XBRL company facts.

No Berkshire Hathaway recording exists; the parser runs on Apple's and NVIDIA's companyfacts
bodies (same endpoint, same shape).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.cash_hoarding import cash_hoarding, cash_share_of_assets
from dollarliq.sources.edgar import MissingConcept

SEC = Path(__file__).resolve().parents[1] / "fixtures" / "sec"


@pytest.fixture(scope="module")
def apple_facts():
    return json.load(gzip.open(SEC / "companyfacts_CIK0000320193.json.gz"))


def test_apple_fy2023_balance_sheet_by_hand(apple_facts):
    """Apple 10-K FY2023 (2023-09-30): cash 29,965; current marketable securities 31,590;
    total assets 352,583 (USD mn). (29,965 + 31,590) / 352,583 = 17.458%."""
    df = cash_share_of_assets(apple_facts)
    row = df.loc["2023-09-30"]
    assert row["cash_usd_bn"] == pytest.approx(29.965)
    assert row["bills_usd_bn"] == pytest.approx(31.590)
    assert row["assets_usd_bn"] == pytest.approx(352.583)
    assert row["cash_and_bills_share_pct"] == pytest.approx(17.458, abs=0.001)
    assert df.attrs["bills_concept"] == "us-gaap:MarketableSecuritiesCurrent"


def test_point_in_time_uses_the_filing_date(apple_facts):
    r = cash_hoarding(apple_facts, as_of=pd.Timestamp("2023-11-02"))
    assert r["quarter_end"] == "2023-07-01"  # the 10-K for 2023-09-30 was filed 2023-11-03
    r = cash_hoarding(apple_facts, as_of=pd.Timestamp("2023-11-03"))
    assert r["quarter_end"] == "2023-09-30" and r["filed"] == "2023-11-03"
    with pytest.raises(NotEnoughData):
        cash_hoarding(apple_facts, as_of=pd.Timestamp("2000-01-01"))


def test_nvidia_recording_parses():
    facts = json.load(gzip.open(SEC / "companyfacts_CIK0001045810.json.gz"))
    r = cash_hoarding(facts, as_of=pd.Timestamp("2024-12-31"))
    assert r["entity"] == "NVIDIA CORP" and 0 < r["cash_and_bills_share_pct"] < 100


def test_company_without_the_concept(apple_facts):
    facts = {**apple_facts, "facts": {"us-gaap": {
        k: v for k, v in apple_facts["facts"]["us-gaap"].items() if k != "Assets"}}}
    with pytest.raises(MissingConcept, match="reports no XBRL concept us-gaap:Assets"):
        cash_share_of_assets(facts)
