"""The gauges section: real output against its JSON Schema, per-gauge status, the CLI."""

from __future__ import annotations

import gzip
import json

import httpx
import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.edgar_update import run_edgar_update
from dollarliq.api import gauges
from dollarliq.errors import UsageError
from dollarliq.gauges import (FACTS_NAMESPACE, FORM4_NAMESPACE, SCHEMA_PATH, GaugeInputs,
                             gauges_section)
from dollarliq.gauges.cash_hoarding import BERKSHIRE_CIK
from dollarliq.http import Fetch, make_client
from dollarliq.sources.edgar import EdgarClient, RateLimiter, parse_form4
from dollarliq.store import Store

SCHEMA = json.loads(SCHEMA_PATH.read_text())
GAUGES = ["concentration", "equal_vs_cap_weight", "runups", "fear_greed", "dollar_hoarding",
          "insider_selling", "cash_hoarding"]


def validate(section: dict) -> None:
    jsonschema.validate(section, SCHEMA)


def test_schema_itself_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_december_2023_against_the_schema(store):
    sec = gauges(pd.Timestamp("2023-12-29"), store=store)
    validate(sec)
    g = sec["gauges"]
    assert list(g) == GAUGES
    for k in ("concentration", "equal_vs_cap_weight", "runups", "fear_greed",
              "dollar_hoarding"):
        assert g[k]["status"] == "ok", (k, g[k]["status"])
    # no EDGAR fetch yet: said plainly, the rest still computed
    assert g["cash_hoarding"]["status"].startswith("unavailable: the Berkshire Hathaway")
    assert "dollarliq bubble edgar-update" in g["cash_hoarding"]["status"]
    assert g["insider_selling"]["status"].startswith("unavailable:")


def test_latest_against_the_schema(store):
    sec = gauges(None, store=store)
    validate(sec)
    assert sec["as_of"] >= "2026-08-01"


def test_without_inputs_every_gauge_says_why():
    sec = gauges_section(GaugeInputs(series={}), pd.Timestamp("1960-01-04"))
    validate(sec)
    assert all(v["status"].startswith("unavailable: ") for v in sec["gauges"].values())


def test_a_date_before_any_gauge_input_is_bad_input(store):
    with pytest.raises(UsageError, match="1900-01-01 is before the data begin"):
        gauges("1900-01-01", store=store)


def test_gauges_and_report_default_to_the_same_date(store):
    from dollarliq.api import report

    assert gauges(store=store)["as_of"] == report(store=store, bubble_tests=False).doc["as_of"]


def test_edgar_data_in_the_store_feed_the_gauges(store, fixture_bytes):
    txs = parse_form4(fixture_bytes("sec/form4_AAPL_0000320193-22-000061.xml"),
                      accession="0000320193-22-000061", filing_date="2022-05-06")
    store.cache_put(FORM4_NAMESPACE, "AAPL", json.dumps([t.as_dict() for t in txs]).encode())
    # Apple's companyfacts stands in for Berkshire's (no Berkshire recording exists): the
    # path from the store to the gauge is what is checked here
    store.cache_put(FACTS_NAMESPACE, str(BERKSHIRE_CIK),
                    gzip.decompress(fixture_bytes("sec/companyfacts_CIK0000320193.json.gz")))
    sec = gauges(pd.Timestamp("2022-06-30"), store=store)
    validate(sec)
    ins = sec["gauges"]["insider_selling"]
    assert ins["status"] == "ok"
    assert ins["windows"]["3m"]["net_sales_usd"] == pytest.approx(4_042_887.94)
    assert ins["tickers_fetched"] == ["AAPL"] and "NVDA" in ins["tickers_missing"]
    cash = sec["gauges"]["cash_hoarding"]
    assert cash["status"] == "ok" and cash["quarter_end"] == "2022-03-26"


def test_a_broken_cache_entry_only_breaks_its_gauge(store):
    store.cache_put(FACTS_NAMESPACE, str(BERKSHIRE_CIK), b"<html>not json</html>")
    sec = gauges(pd.Timestamp("2023-12-29"), store=store)
    validate(sec)
    assert sec["gauges"]["cash_hoarding"]["status"].startswith("unavailable: edgar:")
    assert sec["gauges"]["fear_greed"]["status"] == "ok"


def apple_handler(fixture_bytes, on_request=None):
    """Apple's recordings for every EDGAR path Apple needs; 404 for the rest (Berkshire)."""
    facts = gzip.decompress(fixture_bytes("sec/companyfacts_CIK0000320193.json.gz"))

    def handler(req: httpx.Request) -> httpx.Response:
        if on_request is not None:
            on_request(req)
        p = req.url.path
        if p.endswith("company_tickers.json"):
            return httpx.Response(200, content=fixture_bytes("sec/company_tickers.json"))
        if p.endswith("companyfacts/CIK0000320193.json"):
            return httpx.Response(200, content=facts)
        if p.endswith("submissions/CIK0000320193.json"):
            return httpx.Response(200, content=fixture_bytes("sec/submissions_CIK0000320193.json"))
        if p.endswith("/wf-form4_165187623819106.xml"):
            return httpx.Response(200, content=fixture_bytes(
                "sec/form4_AAPL_0000320193-22-000061.xml"))
        if "/Archives/" in p:
            return httpx.Response(200, content=b"<html>not a filing</html>")
        return httpx.Response(404)

    return handler


def test_edgar_update_with_recorded_bodies(fixture_bytes):
    """Apple's recordings served for every EDGAR path; a bad ticker and a 404 for Berkshire
    are reported and the rest is still written."""
    handler = apple_handler(fixture_bytes)
    now = [0.0]
    client = EdgarClient(Fetch(make_client(httpx.MockTransport(handler)), retries=0,
                               sleep=lambda s: None),
                         contact="tests tests@example.com",
                         limiter=RateLimiter(clock=lambda: now[0],
                                             sleep=lambda d: now.__setitem__(0, now[0] + d)))
    store = Store(":memory:", snapshot=None)
    res = run_edgar_update(store, client, ["AAPL", "NOPEX"], since=pd.Timestamp("2022-05-01"),
                           max_filings=10_000)
    assert any("'NOPEX' is not in" in p for p in res.problems)
    assert any("Berkshire" in p and "HTTP 404" in p for p in res.problems)
    assert any("not <ownershipDocument>" in p for p in res.problems)
    assert res.shares_rows > 60 and res.transactions["AAPL"] == 7
    cached = json.loads(store.cache_get(FORM4_NAMESPACE, "AAPL"))
    assert sum(r["value_usd"] for r in cached) == pytest.approx(4_042_887.94)
    assert not res.berkshire


def test_cli_gauges_json(home):
    r = CliRunner().invoke(app, ["bubble", "gauges", "--as-of", "2023-12-29",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    sec = json.loads(r.stdout)
    validate(sec)
    assert sec["as_of"] == "2023-12-29"


def test_cli_gauges_text_and_bad_format(home):
    r = CliRunner().invoke(app, ["bubble", "gauges", "--as-of", "2023-12-29"])
    assert r.exit_code == 0
    assert "Fear & greed:" in r.stdout and "Not investment advice." in r.stdout
    bad = CliRunner().invoke(app, ["bubble", "gauges", "--format", "xml"])
    assert bad.exit_code == 2
    bad = CliRunner().invoke(app, ["bubble", "gauges", "--as-of", "2023-13-45"])
    assert bad.exit_code == 2


def test_cli_edgar_update_needs_a_contact(home, monkeypatch):
    monkeypatch.delenv("DOLLARLIQ_SEC_CONTACT", raising=False)
    r = CliRunner().invoke(app, ["bubble", "edgar-update"])
    assert r.exit_code == 2  # a missing setting is bad input
    assert "DOLLARLIQ_SEC_CONTACT" in r.stderr


def test_edgar_update_holds_no_lock_while_it_fetches(fixture_bytes, home, monkeypatch):
    """Through the API into the user's store file: while SEC's answers are awaited, another
    reader opens the store (DuckDB allows no reader beside a writer), and the rows land."""
    import dollarliq as dl
    from dollarliq.store import open_store

    monkeypatch.setenv("DOLLARLIQ_SEC_CONTACT", "tests tests@example.com")
    path = home / "dollarliq.duckdb"
    home.mkdir(parents=True)
    Store(path).close()  # an existing store file
    opened = []

    def read_during_fetch(req):
        with open_store(path, wait=0.0) as s:  # StoreError if a writer held the file
            opened.append(s.cache_get(FORM4_NAMESPACE, "AAPL") is not None)

    client = make_client(httpx.MockTransport(apple_handler(fixture_bytes, read_during_fetch)))
    res = dl.edgar_update(["AAPL"], since="2022-05-01", max_filings=5, client=client)
    # Every request found the store readable; Apple's filings were written before
    # Berkshire's request (the last one).
    assert len(opened) >= 4 and not opened[0] and opened[-1]
    assert res.form4_filings["AAPL"] == 5 and not res.berkshire
    with pytest.raises(UsageError, match="max filings 0"):
        dl.edgar_update(["AAPL"], max_filings=0, client=client)
