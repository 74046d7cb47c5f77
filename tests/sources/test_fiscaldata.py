"""FiscalData DTS operating cash balance, replayed from a recorded body through the real client."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve, then

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError, SourceError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.fiscaldata import FiscalDataFetcher

DTS = "treasury/fiscaldata_dts_operating_cash_balance_2025-10-27_2025-11-07.csv"
T = pd.Timestamp
WINDOW = dict(start=T("2025-10-27"), end=T("2025-11-07"))
# The API's field names for the same columns (FiscalData's format=csv uses field names).
FIELDS = ("record_date,account_type,open_today_bal,open_month_bal,open_fiscal_year_bal,"
          "table_nbr,table_nm,sub_table_name,src_line_nbr,record_fiscal_year,"
          "record_fiscal_quarter,record_calendar_year,record_calendar_quarter,"
          "record_calendar_month,record_calendar_day")


def _run(body: bytes, seen: list | None = None, **kw):
    return run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), serve(body, seen=seen),
                     **(kw or WINDOW))


def _recorded_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(fixture_bytes(DTS).decode("utf-8-sig"))))


def test_recorded_csv_tga_closing_balance():
    seen: list[httpx.Request] = []
    obs = _run(fixture_bytes(DTS), seen)
    url = seen[0].url
    assert url.path == "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"
    assert url.params["format"] == "json" and url.params["page[number]"] == "1"
    assert url.params["filter"] == "record_date:gte:2025-10-27,record_date:lte:2025-11-07"
    assert "fields" not in url.params
    by_date = {o.obs_date: o for o in obs}
    assert len(obs) == 10 and obs[0].obs_date == T("2025-10-27")
    assert by_date[T("2025-10-31")].value == pytest.approx(926.328)  # USD mn -> bn
    assert by_date[T("2025-10-31")].as_of == T("2025-11-03")  # Friday -> Monday
    # the closing-balance row, not the first (opening-balance) row of the day
    assert by_date[T("2025-11-07")].value == pytest.approx(949.804)
    assert by_date[T("2025-10-30")].value == pytest.approx(1000.632)


def test_field_name_header_same_values():
    # Derived from the recording: its label header replaced by the API field names.
    text = fixture_bytes(DTS).decode("utf-8-sig")
    body = (FIELDS + "\n" + text.split("\n", 1)[1]).encode()
    a = [(o.obs_date, o.value) for o in _run(body)]
    b = [(o.obs_date, o.value) for o in _run(fixture_bytes(DTS))]
    assert a == b


def test_json_body_same_values():
    # Derived from the recording: its rows as the API's JSON shape, with close_today_bal "null".
    names = FIELDS.split(",")
    data = []
    for row in csv.reader(io.StringIO(fixture_bytes(DTS).decode("utf-8-sig").split("\n", 1)[1])):
        if row:
            data.append(dict(zip(names, row), close_today_bal="null"))
    obs = _run(json.dumps({"data": data, "meta": {"count": len(data)}}).encode())
    assert {o.obs_date: o.value for o in obs}[T("2025-10-31")] == pytest.approx(926.328)


def test_older_eras_by_label():
    # Derived from the recorded 2013-02-05 statement (Table I, parsed): "Federal Reserve
    # Account" close 50724, open 60139. The 2021-10 era row reuses those numbers under that
    # era's label "Treasury General Account (TGA)"; both take close_today_bal.
    t1 = list(csv.DictReader(io.StringIO(
        fixture_bytes("treasury/dts_parsed_t1_2013-02-05.csv").decode())))
    fra = next(r for r in t1 if r["account"] == "Federal Reserve Account")
    rows = [{"record_date": fra["date"], "account_type": r["account"],
             "close_today_bal": r["close_today"], "open_today_bal": r["open_today"]} for r in t1]
    rows.append({"record_date": "2021-10-01", "account_type": "Treasury General Account (TGA)",
                 "close_today_bal": fra["close_today"], "open_today_bal": fra["open_today"]})
    obs = _run(json.dumps({"data": rows}).encode(), start=T("2013-01-01"), end=T("2021-12-31"))
    assert [(o.obs_date, o.value) for o in obs] == [(T("2013-02-05"), pytest.approx(50.724)),
                                                    (T("2021-10-01"), pytest.approx(50.724))]


def test_null_is_missing():
    # Derived from the recording: the 2025-10-31 closing balance as "null".
    text = fixture_bytes(DTS).decode("utf-8-sig").replace(
        "2025-10-31,Treasury General Account (TGA) Closing Balance,926328,",
        "2025-10-31,Treasury General Account (TGA) Closing Balance,null,")
    obs = {o.obs_date: o.value for o in _run(text.encode())}
    assert obs[T("2025-10-31")] is None and obs[T("2025-11-03")] == pytest.approx(924.957)


def test_paging_joins_pages():
    rows = fixture_bytes(DTS).decode("utf-8-sig").split("\n")
    header, body = rows[0], [r for r in rows[1:] if r]

    def handler(request: httpx.Request) -> httpx.Response:
        n, size = int(request.url.params["page[number]"]), int(request.url.params["page[size]"])
        page = body[(n - 1) * size: n * size]
        return httpx.Response(200, content="\n".join([header, *page, ""]).encode())

    from replay import fetch_with
    fetcher = FiscalDataFetcher()
    q = fetcher.build_query(get_spec("TGA_DTS"), **WINDOW)
    q = replace(q, params={**q.params, "page[size]": 16})
    obs = fetcher.transform(q, fetcher.extract(q, fetch_with(handler)))
    assert len(obs) == 10 and obs[4].value == pytest.approx(926.328)


# --- faults -----------------------------------------------------------------------------------

def test_timeout():
    with pytest.raises(SourceError, match=r"^treasury: TGA_DTS: timed out .* after 4 attempts"):
        run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), then(httpx.ReadTimeout("slow")),
                  **WINDOW)


def test_persistent_500():
    with pytest.raises(SourceError, match=r"treasury: TGA_DTS: HTTP 500 after 4 attempts"):
        run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), then(httpx.Response(500)), **WINDOW)


def test_500_then_200():
    f = then(httpx.Response(500), httpx.Response(200, content=fixture_bytes(DTS)))
    assert len(run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), f, **WINDOW)) == 10


def test_truncated():
    raw = fixture_bytes(DTS)
    with pytest.raises(PayloadError, match="treasury: TGA_DTS: .*truncated"):
        _run(raw[: len(raw) // 2])


def test_changed_schema():
    # Derived from the recording: the account column renamed.
    with pytest.raises(PayloadError, match="record_date/account_type"):
        _run(fixture_bytes(DTS).replace(b"Type of Account", b"Account Name"))
    # Derived from the recording: the closing-balance label renamed; no fallback to a row.
    with pytest.raises(PayloadError, match="no TGA balance row"):
        _run(fixture_bytes(DTS).replace(b"(TGA) Closing Balance", b"(TGA) End of Day")
             .replace(b"(TGA) Opening Balance", b"(TGA) Start of Day"))


def test_html_instead_of_csv():
    html = b"<!DOCTYPE html>\n<html><body>Service unavailable</body></html>\n"
    with pytest.raises(PayloadError, match="treasury: TGA_DTS: got an HTML page"):
        _run(html)
