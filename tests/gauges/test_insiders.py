"""Net insider sales from parsed Form 4 rows."""

from __future__ import annotations

import pandas as pd
import pytest

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.insiders import net_insider_sales
from dollarliq.sources.edgar import parse_form4


def _row(**kw):
    base = dict(accession="a", issuer_cik="1", ticker="NVDA", owner_cik="9", owner_name="X",
                owner_role="officer", table="non_derivative", date="2023-12-01", code="S",
                shares=100.0, price_usd=10.0, acquired_disposed="D", value_usd=1000.0,
                plan_10b5_1=False, filing_date="2023-12-04")
    base.update(kw)
    return base


def test_net_sales_by_hand():
    rows = [
        _row(),  # sale 1,000
        _row(owner_name="Y", shares=50, value_usd=500.0, plan_10b5_1=True),  # sale 500
        _row(code="P", acquired_disposed="A", shares=20, value_usd=200.0),  # purchase 200
        _row(code="M", acquired_disposed="A", value_usd=1000.0),  # exercise: not a trade
        _row(code="S", price_usd=None, value_usd=None, shares=7),  # footnote-only price
        _row(date="2023-03-01", filing_date="2023-03-02", value_usd=4000.0),  # 12m only
        _row(date="2023-12-20", filing_date="2024-01-05", value_usd=9e9),  # filed later
        _row(table="derivative", value_usd=5e5),  # derivative table: left out
    ]
    r = net_insider_sales(rows, as_of=pd.Timestamp("2023-12-29"))
    w3 = r["windows"]["3m"]
    assert w3["sales_usd"] == pytest.approx(1500.0)
    assert w3["purchases_usd"] == pytest.approx(200.0)
    assert w3["net_sales_usd"] == pytest.approx(1300.0)
    assert w3["by_ticker"]["NVDA"]["sales_10b5_1_usd"] == pytest.approx(500.0)
    assert w3["by_ticker"]["NVDA"]["unpriced_sale_shares"] == 7
    assert w3["largest_sellers"][0] == {"ticker": "NVDA", "owner": "X", "sales_usd": 1000.0}
    assert r["windows"]["12m"]["sales_usd"] == pytest.approx(5500.0)


def test_recorded_aapl_form4(fixture_bytes):
    txs = parse_form4(fixture_bytes("sec/form4_AAPL_0000320193-22-000061.xml"),
                      accession="0000320193-22-000061", filing_date="2022-05-06")
    before = net_insider_sales(txs, as_of=pd.Timestamp("2022-05-05"))  # not yet filed
    assert before["windows"]["3m"]["sales_usd"] == 0
    r = net_insider_sales(txs, as_of=pd.Timestamp("2022-06-30"))
    assert r["windows"]["3m"]["net_sales_usd"] == pytest.approx(4_042_887.94)
    assert r["windows"]["3m"]["by_ticker"]["AAPL"]["sale_shares"] == 25000
    after = net_insider_sales(txs, as_of=pd.Timestamp("2022-09-30"))
    assert after["windows"]["3m"]["sales_usd"] == 0  # more than 91 days later
    assert after["windows"]["12m"]["sales_usd"] == pytest.approx(4_042_887.94)


def test_no_transactions():
    with pytest.raises(NotEnoughData):
        net_insider_sales([], as_of=pd.Timestamp("2024-01-01"))
