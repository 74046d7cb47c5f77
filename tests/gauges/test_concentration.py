"""Market caps on one split basis, the covered basket, equal- vs cap-weight."""

from __future__ import annotations

import pandas as pd
import pytest

from dollarliq.catalog import MEGACAPS
from dollarliq.errors import NotEnoughData
from dollarliq.frame import load_series
from dollarliq.gauges.concentration import (concentration, equal_vs_cap_weight,
                                            market_cap_usd_bn, split_factors)


def test_split_factors_are_read_from_jumps_in_the_counts():
    counts = pd.Series([100e6, 98e6, 400e6, 396e6],
                       index=pd.to_datetime(["2020-03-31", "2020-06-30", "2020-09-30",
                                             "2020-12-31"]))
    # 400/98 = 4.08: a 4:1 split between June and September; 98/100 is a buyback
    assert split_factors(counts).tolist() == [4.0, 4.0, 1.0, 1.0]


def test_market_cap_puts_counts_on_the_price_basis():
    counts = pd.Series([100e6, 400e6], index=pd.to_datetime(["2020-06-30", "2020-09-30"]))
    # prices already adjusted for the 4:1 split: 25 USD before is 100 USD on the old basis
    price = pd.Series([25.0, 26.0, 30.0],
                      index=pd.to_datetime(["2020-07-01", "2020-08-31", "2020-10-01"]))
    mc = market_cap_usd_bn(price, counts)
    # 100e6 shares x 4 x 25 USD = 10 USD bn; the split date itself needs no special case
    assert mc.tolist() == pytest.approx([10.0, 10.4, 12.0])


def test_split_history_can_come_from_later_counts():
    known = pd.Series([100e6], index=pd.to_datetime(["2020-06-30"]))
    later = pd.Series([100e6, 400e6], index=pd.to_datetime(["2020-06-30", "2020-09-30"]))
    price = pd.Series([25.0], index=pd.to_datetime(["2020-07-01"]))
    assert market_cap_usd_bn(price, known).iloc[0] == pytest.approx(2.5)  # wrong basis
    assert market_cap_usd_bn(price, known, split_history=later).iloc[0] == pytest.approx(10.0)


def test_stale_counts_do_not_cover_a_name():
    counts = pd.Series([1e9], index=pd.to_datetime(["2020-01-01"]))
    price = pd.Series([10.0, 10.0], index=pd.to_datetime(["2020-02-01", "2021-01-01"]))
    mc = market_cap_usd_bn(price, counts, max_age_days=200)
    assert mc.iloc[0] == pytest.approx(10.0) and pd.isna(mc.iloc[1])


def test_basket_weights_by_hand():
    d = pd.to_datetime(["2024-01-02", "2024-01-03"])
    prices = {"AAPL": pd.Series([10.0, 20.0], index=d), "NVDA": pd.Series([30.0, 30.0], index=d)}
    so = {"AAPL": pd.Series([1e9], index=pd.to_datetime(["2023-12-31"]))}
    wa = {"NVDA": pd.Series([1e9], index=pd.to_datetime(["2023-12-31"]))}
    spx = pd.Series([5.0, 10.0], index=d)
    r = concentration(prices, so, wa, spx, date=d[-1])
    assert r["market_cap_usd_bn"] == {"AAPL": 20.0, "NVDA": 30.0}
    assert r["weight_in_basket_pct"] == {"AAPL": 40.0, "NVDA": 60.0}
    assert r["basket_usd_bn_per_sp500_point"] == pytest.approx(5.0)  # 50 / 10
    assert r["basket_weighted_average_shares"] == ["NVDA"]
    assert r["not_covered"]["AMZN"] == "no price on or before this date"


def test_no_share_counts_at_all_says_why():
    d = pd.to_datetime(["2024-01-02"])
    with pytest.raises(NotEnoughData, match="AAPL: no SEC share count"):
        concentration({"AAPL": pd.Series([1.0], index=d)}, {}, {}, None, date=d[0])


def test_equal_vs_cap_weight_by_hand():
    d = pd.date_range("2023-01-01", "2024-01-01", freq="D")
    spy = pd.Series(100.0, index=d)
    rsp = pd.Series(100.0, index=d)
    spy.iloc[-1] = 110.0  # cap-weight +10% on the last day
    r = equal_vs_cap_weight(rsp, spy, date=d[-1])
    assert r["rsp_minus_spy_1m_pct"] == pytest.approx(100 * (1 / 1.1 - 1), abs=0.01)
    assert r["rsp_spy_ratio_record"]["is_record"]  # lowest ratio in the history


def test_real_market_caps_on_2023_12_29(store):
    """AAPL: cover-page count x close; NVDA: the 2024 10:1 split applied to the count."""
    from dollarliq.api import gauges

    d = pd.Timestamp("2023-12-29")
    g = gauges(d, store=store)["gauges"]["concentration"]
    assert g["status"] == "ok"
    aapl_sh = load_series(store, "SHARES_AAPL", as_of=d).iloc[-1]
    aapl_px = load_series(store, "AAPL", as_of=d).loc["2023-12-29"]
    assert g["market_cap_usd_bn"]["AAPL"] == pytest.approx(aapl_sh * aapl_px / 1e9, abs=0.1)
    nvda_sh = load_series(store, "SHARES_NVDA", as_of=d).iloc[-1]
    nvda_px = load_series(store, "NVDA", as_of=d).loc["2023-12-29"]
    assert g["market_cap_usd_bn"]["NVDA"] == pytest.approx(nvda_sh * 10 * nvda_px / 1e9, abs=0.1)
    amzn_sh = load_series(store, "SHARES_AMZN", as_of=d)  # 10,334,030,586
    assert amzn_sh.index[-1] == pd.Timestamp("2023-10-18")  # 10-Q filed 2023-10-27
    amzn_px = load_series(store, "AMZN", as_of=d).loc["2023-12-29"]
    assert g["market_cap_usd_bn"]["AMZN"] == pytest.approx(amzn_sh.iloc[-1] * amzn_px / 1e9,
                                                          abs=0.1)
    # Every megacap is in: META (no cover count before 2024-10) by its weighted shares.
    assert set(g["basket"]) == set(MEGACAPS) and g["not_covered"] == {}
    assert g["basket_weighted_average_shares"] == ["META"]


def test_missing_megacaps_are_named_in_every_output(store):
    """On the snapshot's last prices (2026-10-01) AAPL's latest count is of 2026-01-16 and
    AVGO's price ends 2026-05-15: JSON, gauge text and report name both, and why."""
    from dollarliq import api
    from dollarliq.cli.bubble_gauges import render_text
    from dollarliq.reports.html import _bubble, _Charts
    from dollarliq.reports.terminal import render_bubble

    sec = api.gauges("2026-10-02", store=store)
    g = sec["gauges"]["concentration"]
    assert g["date"] == "2026-10-01"
    assert {"MSFT", "NVDA", "GOOGL", "AMZN", "TSLA"} <= set(g["basket"])
    assert set(g["missing_megacaps"]) == set(g["not_covered"]) == {"AAPL", "AVGO", "META"}
    assert "2026-01-16" in g["not_covered"]["AAPL"]
    assert g["not_covered"]["AVGO"] == "price stale, last seen 2026-05-15"
    assert g["stale_inputs"] == {"AVGO": "2026-05-15"}
    # Equal vs cap weight reads RSP, which ends 2026-05-21: labelled stale, as liquidity
    # inputs are, and valid against the schema.
    assert sec["gauges"]["equal_vs_cap_weight"]["stale_inputs"] == {"RSP": "2026-05-21"}
    import json

    import jsonschema

    from dollarliq.gauges import SCHEMA_PATH
    jsonschema.validate(sec, json.loads(SCHEMA_PATH.read_text()))
    assert "RSP 2026-05-21" in render_text(sec)
    assert "AAPL" in g["coverage_note"] and "AVGO" in g["coverage_note"]
    for out in (render_text(sec), render_bubble(sec).plain, _bubble(sec, "en", _Charts()),
                render_bubble(sec, "zh").plain):
        assert "AAPL" in out and "AVGO" in out


def test_a_stale_price_leaves_its_name_out_instead_of_dating_the_basket():
    """Hand-made: B's price stops 20 business days before A's; the basket is A alone, dated
    A's last day, and B is named stale (not carried forward, not dating the basket back)."""
    d = pd.bdate_range("2024-01-02", periods=40)
    prices = {"AAPL": pd.Series(10.0, index=d), "MSFT": pd.Series(20.0, index=d[:20])}
    so = {t: pd.Series([1e9], index=pd.to_datetime(["2023-12-31"])) for t in prices}
    r = concentration(prices, so, {}, None, date=d[-1])
    assert r["date"] == f"{d[-1]:%Y-%m-%d}" and r["basket"] == ["AAPL"]
    assert r["not_covered"]["MSFT"] == f"price stale, last seen {d[19]:%Y-%m-%d}"
    # Five business days behind is within the daily allowance: still in the basket.
    prices["MSFT"] = pd.Series(20.0, index=d[:-5])
    assert concentration(prices, so, {}, None, date=d[-1])["basket"] == ["AAPL", "MSFT"]


def test_all_covered_leaves_no_note():
    from dollarliq.gauges.concentration import MEGACAPS, coverage_note

    d = pd.to_datetime(["2024-01-02"])
    prices = {t: pd.Series([10.0], index=d) for t in MEGACAPS}
    so = {t: pd.Series([1e9], index=pd.to_datetime(["2023-12-31"])) for t in MEGACAPS}
    r = concentration(prices, so, {}, None, date=d[0])
    assert r["missing_megacaps"] == [] and r["coverage_note"] == "" == coverage_note({})


def test_edgar_update_asks_for_amzn_and_tsla_share_counts(fixture_bytes):
    """`bubble edgar-update` requests AMZN's and TSLA's company facts (CIKs from SEC's real
    company_tickers.json); with no recorded body for them (404 here) it names each one."""
    import httpx

    from dollarliq.catalog import CATALOG
    from dollarliq.edgar_update import run_edgar_update
    from dollarliq.http import Fetch, make_client
    from dollarliq.sources.edgar import EdgarClient, RateLimiter
    from dollarliq.store import Store

    seen: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req.url.path)
        if req.url.path.endswith("company_tickers.json"):
            return httpx.Response(200, content=fixture_bytes("sec/company_tickers.json"))
        return httpx.Response(404)

    now = [0.0]
    client = EdgarClient(Fetch(make_client(httpx.MockTransport(handler)), retries=0,
                               sleep=lambda s: None),
                         contact="tests tests@example.com",
                         limiter=RateLimiter(clock=lambda: now[0],
                                             sleep=lambda dt: now.__setitem__(0, now[0] + dt)))
    res = run_edgar_update(Store(":memory:", snapshot=None), client, ["AMZN", "TSLA"],
                           since=pd.Timestamp("2024-01-01"))
    for t, cik in (("AMZN", "0001018724"), ("TSLA", "0001318605")):
        assert CATALOG[f"SHARES_{t}"].source_id.startswith(cik)
        assert any(p.endswith(f"companyfacts/CIK{cik}.json") for p in seen), seen
        assert any(p.startswith(f"{t} shares outstanding") and "404" in p for p in res.problems)
