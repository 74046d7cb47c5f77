"""SEC EDGAR: recorded bodies replayed through httpx.MockTransport; no network."""

from __future__ import annotations

import gzip

import httpx
import pandas as pd
import pytest

from dollarliq.catalog import get_spec
from dollarliq.errors import CredentialsMissing, PayloadError
from dollarliq.frame import load_series
from dollarliq.http import Fetch, make_client
from dollarliq.sources.base import run_fetch
from dollarliq.sources.edgar import (EdgarClient, EdgarFetcher, MissingConcept, RateLimiter,
                                     UnknownTicker, cik_for_ticker, concept_facts, form4_filings,
                                     parse_company_tickers, parse_companyfacts, parse_form4,
                                     sec_user_agent)

CONTACT = "dollarliq tests tests@example.com"


def facts_body(fixture_bytes, cik: str) -> bytes:
    return gzip.decompress(fixture_bytes(f"sec/companyfacts_CIK{cik}.json.gz"))


# -- identity and rate limit ------------------------------------------------------------------
def test_missing_contact_is_credentials_missing(monkeypatch):
    monkeypatch.delenv("DOLLARLIQ_SEC_CONTACT", raising=False)
    with pytest.raises(CredentialsMissing, match="DOLLARLIQ_SEC_CONTACT") as err:
        sec_user_agent()
    assert err.value.exit_code == 2  # a missing setting is bad input
    with pytest.raises(CredentialsMissing):
        sec_user_agent("no e-mail here")
    monkeypatch.setenv("DOLLARLIQ_SEC_CONTACT", "Jane Doe jane@example.com")
    assert sec_user_agent() == "dollarliq Jane Doe jane@example.com"


def test_rate_limiter_never_exceeds_ten_per_second():
    now = [0.0]
    times = []

    def sleep(dt):
        now[0] += dt

    lim = RateLimiter(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(35):
        lim.acquire()
        times.append(now[0])
    # any window of 11 consecutive requests spans at least one second
    assert all(times[i + 10] - times[i] >= 1.0 - 1e-9 for i in range(len(times) - 10))
    assert times[-1] == pytest.approx(3.4)  # evenly spaced, 0.1 s apart


# -- tickers, submissions ------------------------------------------------------------------------
def test_company_tickers(fixture_bytes):
    t = parse_company_tickers(fixture_bytes("sec/company_tickers.json"))
    assert len(t) > 9000
    assert cik_for_ticker(t, "AAPL") == 320193
    assert cik_for_ticker(t, "brk.b") == 1067983
    with pytest.raises(UnknownTicker, match="'ZZZZQX' is not in") as err:
        cik_for_ticker(t, "ZZZZQX")
    assert err.value.exit_code == 2


def test_submissions_column_arrays_to_form4_urls(fixture_bytes):
    filings = form4_filings(fixture_bytes("sec/submissions_CIK0000320193.json"))
    assert all(f.form in ("4", "4/A") for f in filings)
    f = next(f for f in filings if f.accession == "0000320193-22-000061")
    assert f.filing_date == "2022-05-06" and f.report_date == "2022-05-04"
    assert f.primary_document == "xslF345X03/wf-form4_165187623819106.xml"
    assert f.xml_url == ("https://www.sec.gov/Archives/edgar/data/320193/000032019322000061/"
                         "wf-form4_165187623819106.xml")
    owner = form4_filings(fixture_bytes("sec/submissions_CIK0001462356.json"))
    assert len([f for f in owner if f.form == "4"]) == 258


def test_submissions_that_are_not_json():
    with pytest.raises(PayloadError, match="not JSON"):
        form4_filings(b"<html>blocked</html>")


# -- Form 4 ----------------------------------------------------------------------------------------
def test_form4_aapl_seven_sales_by_hand(fixture_bytes):
    txs = parse_form4(fixture_bytes("sec/form4_AAPL_0000320193-22-000061.xml"),
                      accession="0000320193-22-000061", filing_date="2022-05-06")
    assert len(txs) == 7
    assert {t.code for t in txs} == {"S"} and {t.acquired_disposed for t in txs} == {"D"}
    assert {t.date for t in txs} == {"2022-05-04"}
    assert sum(t.shares for t in txs) == 25000
    # 9136*159.94 + 5316*160.82 + 4006*161.93 + 900*162.77 + 1550*163.94 + 1800*165.06
    # + 2292*165.95 = 1,461,211.84 + 854,919.12 + 648,691.58 + 146,493.00 + 254,107.00
    # + 297,108.00 + 380,357.40
    assert sum(t.value_usd for t in txs) == pytest.approx(4_042_887.94, abs=0.005)
    assert all(t.plan_10b5_1 for t in txs)  # footnote F1 on the security title
    t = txs[0]
    assert (t.ticker, t.owner_name, t.owner_cik) == ("AAPL", "Adams Katherine L.",
                                                      "0001462356")
    assert t.owner_role == "officer, SVP, GC and Secretary"


def test_form4_snow_exercise_and_sales(fixture_bytes):
    txs = parse_form4(fixture_bytes("sec/form4_SNOW_2022-12-13_scarpelli.xml"))
    codes = [(t.table, t.code) for t in txs]
    assert codes.count(("non_derivative", "S")) == 5
    assert ("non_derivative", "M") in codes and ("derivative", "M") in codes
    ex = next(t for t in txs if t.table == "non_derivative" and t.code == "M")
    assert ex.shares == 200000 and ex.price_usd == 8.88 and ex.acquired_disposed == "A"
    assert "officer" in ex.owner_role


def test_form4_scwo_true_false_booleans(fixture_bytes):
    txs = parse_form4(fixture_bytes("sec/form4_SCWO_2025-04-30_melkote.xml"))
    assert {t.code for t in txs} == {"A"}
    assert all(not t.plan_10b5_1 for t in txs)  # aff10b5One = false
    assert txs[0].owner_role == "officer, Chief Technology Officer"
    assert txs[0].ticker == "SCWO"


def test_footnote_only_price_has_no_usd_value(fixture_bytes):
    body = fixture_bytes("sec/form4_AAPL_0000320193-22-000061.xml").replace(
        b"<value>159.94</value>", b"", 1)
    txs = parse_form4(body)
    assert txs[0].price_usd is None and txs[0].value_usd is None
    assert txs[1].value_usd == pytest.approx(5316 * 160.82)


def test_filing_that_does_not_parse():
    with pytest.raises(PayloadError, match="not XML"):
        parse_form4(b"<ownershipDocument><issuer>", accession="X")
    with pytest.raises(PayloadError, match="not <ownershipDocument>"):
        parse_form4(b"<html><body>Request Rate Threshold Exceeded</body></html>")


# -- company facts -------------------------------------------------------------------------------
def test_missing_concept_is_a_clear_message(fixture_bytes):
    facts = parse_companyfacts(facts_body(fixture_bytes, "0000320193"))
    with pytest.raises(MissingConcept, match="Apple Inc. reports no XBRL concept "
                                             "us-gaap:NoSuchConcept"):
        concept_facts(facts, "us-gaap:NoSuchConcept", "USD")
    with pytest.raises(PayloadError, match="no 'facts'"):
        parse_companyfacts(b'{"cik": 1}')


def _transport(routes: dict[str, bytes], seen: list[httpx.Request]):
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        for key, body in routes.items():
            if request.url.path.endswith(key):
                return httpx.Response(200, content=body)
        return httpx.Response(404, content=b"Not Found")

    return httpx.MockTransport(handler)


def test_fetcher_replays_companyfacts_to_the_snapshot_series(fixture_bytes, store):
    seen: list[httpx.Request] = []
    routes = {"CIK0000320193.json": facts_body(fixture_bytes, "0000320193")}
    fetch = Fetch(make_client(_transport(routes, seen)), sleep=lambda s: None)
    obs = run_fetch(EdgarFetcher(contact=CONTACT), get_spec("SHARES_AAPL"), fetch)
    assert seen[0].headers["User-Agent"] == f"dollarliq {CONTACT}"
    assert str(seen[0].url) == ("https://data.sec.gov/api/xbrl/companyfacts/"
                                "CIK0000320193.json")
    got = pd.Series({o.obs_date: o.value for o in obs})
    snap = load_series(store, "SHARES_AAPL", as_of=None)
    pd.testing.assert_series_equal(got.sort_index(), snap, check_names=False,
                                   check_freq=False, check_index_type=False)
    # as_of is the filing date: the 2023-10-20 cover count became public on 2023-11-03
    o = next(o for o in obs if o.obs_date == pd.Timestamp("2023-10-20"))
    assert o.as_of == pd.Timestamp("2023-11-03") and o.vintage


def test_client_sends_user_agent_and_strips_xsl_prefix(fixture_bytes):
    seen: list[httpx.Request] = []
    routes = {"company_tickers.json": fixture_bytes("sec/company_tickers.json"),
              "CIK0000320193.json": fixture_bytes("sec/submissions_CIK0000320193.json"),
              "wf-form4_165187623819106.xml":
                  fixture_bytes("sec/form4_AAPL_0000320193-22-000061.xml")}
    client = EdgarClient(Fetch(make_client(_transport(routes, seen)), sleep=lambda s: None),
                         contact=CONTACT)
    cik = cik_for_ticker(client.tickers(), "AAPL")
    f = next(f for f in form4_filings(client.submissions(cik))
             if f.accession == "0000320193-22-000061")
    txs = parse_form4(client.form4(f))
    assert len(txs) == 7
    assert all(r.headers["User-Agent"] == f"dollarliq {CONTACT}" for r in seen)
    assert "xslF345X03" not in seen[-1].url.path
