"""FiscalData JSON: the real recorded API body, its meta/links paging, and the CSV download
without a final newline.

The JSON body is a real recording (API ``format`` default, 2025-07-07..11, 20 rows, one
page, ``links.next`` null). Paged variants are derived from it in the tests: its rows cut
into pages, with ``meta``/``links`` set as the API sets them; each says so.
"""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pandas as pd
import pytest
from replay import fetch_with, fixture_bytes, serve

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.fiscaldata import FiscalDataFetcher

JSON = "treasury/fiscaldata_dts_operating_cash_balance_2025-07-07_2025-07-11.json"
CSV = "treasury/fiscaldata_dts_operating_cash_balance_2025-10-27_2025-11-07.csv"
T = pd.Timestamp
WINDOW = dict(start=T("2025-07-07"), end=T("2025-07-11"))


def test_recorded_json_body_one_page():
    seen: list[httpx.Request] = []
    obs = run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"),
                    serve(fixture_bytes(JSON), seen=seen), **WINDOW)
    assert len(seen) == 1  # links.next is null: no second request
    assert seen[0].url.params["format"] == "json"
    assert [o.obs_date for o in obs] == list(pd.bdate_range("2025-07-07", "2025-07-11"))
    first = obs[0]
    # The day's close sits in open_today_bal of the "Closing Balance" row (close_today_bal
    # is "null" there); USD millions -> billions.
    assert first.value == pytest.approx(332.482)
    assert first.as_of == T("2025-07-08")
    doc = json.loads(fixture_bytes(JSON))
    opening = [r for r in doc["data"] if r["record_date"] == "2025-07-07"
               and r["account_type"].endswith("Opening Balance")][0]
    assert float(opening["open_today_bal"]) / 1e3 != pytest.approx(first.value)


def _paged_handler(page_size: int, total_count: int | None = None, seen: list | None = None):
    """Pages cut from the recording's rows, with meta and links as the API sets them
    (derived from the recording, not recorded)."""
    doc = json.loads(fixture_bytes(JSON))
    rows = doc["data"]
    pages = -(-len(rows) // page_size)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        n = int(request.url.params["page[number]"])
        meta = {**doc["meta"], "count": len(rows[(n - 1) * page_size: n * page_size]),
                "total-count": total_count if total_count is not None else len(rows),
                "total-pages": pages}
        nxt = f"&page%5Bnumber%5D={n + 1}&page%5Bsize%5D={page_size}" if n < pages else None
        body = {"data": rows[(n - 1) * page_size: n * page_size], "meta": meta,
                "links": {**doc["links"], "next": nxt}}
        return httpx.Response(200, json=body)
    return handler


def _run_paged(handler, page_size: int):
    fetcher = FiscalDataFetcher()
    q = fetcher.build_query(get_spec("TGA_DTS"), **WINDOW)
    q = replace(q, params={**q.params, "page[size]": page_size})
    return fetcher.transform(q, fetcher.extract(q, fetch_with(handler)))


def test_pages_followed_through_links_next():
    seen: list[httpx.Request] = []
    obs = _run_paged(_paged_handler(8, seen=seen), 8)
    assert [r.url.params["page[number]"] for r in seen] == ["1", "2", "3"]
    whole = run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), serve(fixture_bytes(JSON)),
                      **WINDOW)
    assert [(o.obs_date, o.value) for o in obs] == [(o.obs_date, o.value) for o in whole]


def test_rows_that_do_not_add_up_to_total_count_are_refused():
    with pytest.raises(PayloadError, match="treasury: TGA_DTS: .*total-count says 21"):
        _run_paged(_paged_handler(8, total_count=21), 8)


def test_csv_download_without_a_final_newline():
    # Derived from the recorded download: its final newline removed, as FiscalData's own
    # full downloads come.
    raw = fixture_bytes(CSV)
    body = raw.rstrip(b"\r\n")
    assert body != raw
    a = run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), serve(body),
                  start=T("2025-10-27"), end=T("2025-11-07"))
    b = run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), serve(raw),
                  start=T("2025-10-27"), end=T("2025-11-07"))
    assert len(a) == 10 and [o.value for o in a] == [o.value for o in b]


def test_json_body_without_its_data_list_names_the_series():
    doc = json.loads(fixture_bytes(JSON))
    del doc["data"]
    with pytest.raises(PayloadError, match="^treasury: TGA_DTS: no 'data' list"):
        run_fetch(FiscalDataFetcher(), get_spec("TGA_DTS"), serve(json.dumps(doc).encode()),
                  **WINDOW)
