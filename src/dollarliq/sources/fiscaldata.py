"""Treasury FiscalData: the Daily Treasury Statement operating cash balance (the TGA).

Endpoint ``/v1/accounting/dts/operating_cash_balance``, requested as JSON (FiscalData's
default format) in pages of ``page[size]`` rows: ``{"data": [...], "meta": {"count",
"total-count", "total-pages", "labels", ...}, "links": {"self", "first", "prev", "next",
"last"}}``. Pages are followed until ``links.next`` is null or ``meta.total-pages`` is
reached, and the rows of all pages must add up to ``meta.total-count``. The parser also
reads FiscalData's CSV (the API's field-name header ``record_date,account_type,...`` or the
website download's labels ``Record Date,Type of Account,...``), with or without a final
newline (FiscalData's own downloads have none), for mirrors that serve it.

The TGA closing balance sits in a different row and column in each era of the statement:

=======================  ================================================  ===================
era                      account_type                                      value
=======================  ================================================  ===================
to 2021-09-30            ``Federal Reserve Account``                       ``close_today_bal``
2021-10-01..2022-04-15   ``Treasury General Account (TGA)``                ``close_today_bal``
from 2022-04-18          ``Treasury General Account (TGA) Closing Balance``  ``open_today_bal``
=======================  ================================================  ===================

Rows are chosen by label, never by position (the new era also has ``Total TGA Deposits
(Table II)`` rows). Amounts are strings in USD millions (``"null"`` is missing), stored in
USD billions (``spec.scale``). A statement for day D is published the next business day at
about 16:00 ET (the catalog's release rule).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.dates import today
from dollarliq.errors import PayloadError
from dollarliq.http import Fetch
from dollarliq.sources.base import Observation, Query, parse_number, release_dates, scaled

BASE_URL = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
ENDPOINTS = {"operating_cash_balance": "/v1/accounting/dts/operating_cash_balance"}
PAGE_SIZE = 10_000
MAX_PAGES = 100
FIRST_DATE = "2005-10-03"

#: account_type -> column holding that day's closing balance, in order of preference
TGA_ROWS: tuple[tuple[str, str], ...] = (
    ("Treasury General Account (TGA) Closing Balance", "open_today_bal"),
    ("Treasury General Account (TGA)", "close_today_bal"),
    ("Federal Reserve Account", "close_today_bal"),
)

#: website download labels -> API field names
LABELS = {
    "record date": "record_date",
    "type of account": "account_type",
    "opening balance today": "open_today_bal",
    "closing balance today": "close_today_bal",
    "opening balance this month": "open_month_bal",
    "opening balance this fiscal year": "open_fiscal_year_bal",
}
_MISSING = ("", "null", "NULL", "None")


def _what(spec: SeriesSpec) -> str:
    return f"treasury: {spec.id}"


def _day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _text(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; FiscalData format changed?") from None
    head = text.lstrip()[:200].lower()
    if head.startswith("<") or "<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of data; try again later")
    if not head:
        raise PayloadError(f"{what}: empty body")
    return text


def parse_rows(raw: bytes, what: str) -> list[dict[str, str]]:
    """Rows of a FiscalData body (CSV with field-name or label headers, or JSON), keyed by
    API field name. PayloadError on a truncated or unrecognised body."""
    text = _text(raw, what)
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            raise PayloadError(f"{what}: body is not valid JSON (truncated?)") from None
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise PayloadError(f"{what}: no 'data' list in the body; FiscalData format changed?")
        return [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in data]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise PayloadError(f"{what}: CSV body has no header")
    names = [LABELS.get(h.strip().lower(), h.strip()) for h in header]
    rows = []
    for row in reader:
        if not row:
            continue
        if len(row) != len(names):
            raise PayloadError(f"{what}: CSV row {','.join(row)[:40]!r} has {len(row)} fields, "
                               f"expected {len(names)} (truncated?)")
        rows.append(dict(zip(names, row)))
    return rows


def _meta(raw: bytes, what: str) -> dict:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadError(f"{what}: body is not valid JSON (truncated?)") from None
    meta = doc.get("meta") if isinstance(doc, dict) else None
    return meta if isinstance(meta, dict) else {}


def last_json_page(raw: bytes, number: int, size: int, what: str) -> bool:
    """True when the JSON page ``number`` is the last: ``links.next`` is null,
    ``meta.total-pages`` is reached, or (a body without either) it holds fewer than
    ``size`` rows."""
    rows = parse_rows(raw, what)  # validates the body and its data list
    doc = json.loads(raw.decode("utf-8-sig"))
    links, meta = doc.get("links"), doc.get("meta")
    pages = meta.get("total-pages") if isinstance(meta, dict) else None
    if pages is not None and str(pages).isdigit() and number >= int(pages):
        return True
    if isinstance(links, dict) and "next" in links:
        return links["next"] is None
    return pages is None and len(rows) < size


def _amount(text: str | None, what: str, date: str) -> float | None:
    return parse_number(text, what, date, _MISSING, noun="amount")


def tga_closing_balances(rows: list[dict[str, str]], what: str) -> dict[pd.Timestamp, float | None]:
    """The TGA closing balance per record date, USD millions, chosen by account label."""
    if rows and not {"record_date", "account_type"} <= rows[0].keys():
        raise PayloadError(f"{what}: rows without record_date/account_type; "
                           "FiscalData format changed?")
    rank = {label: i for i, (label, _) in enumerate(TGA_ROWS)}
    column = dict(TGA_ROWS)
    best: dict[pd.Timestamp, tuple[int, float | None]] = {}
    for row in rows:
        label = row.get("account_type", "").strip()
        if label not in rank:
            continue
        col = column[label]
        if col not in row:
            raise PayloadError(f"{what}: {label!r} row without {col}; FiscalData format changed?")
        date = row.get("record_date", "").strip()
        try:
            d = pd.Timestamp(date)
        except (ValueError, TypeError):
            d = pd.NaT
        if d is pd.NaT or len(date) != 10:
            raise PayloadError(f"{what}: record_date {date[:20]!r} is not a date")
        value = _amount(row[col], what, date)
        if d not in best or rank[label] < best[d][0]:
            best[d] = (rank[label], value)
    if rows and not best:
        raise PayloadError(f"{what}: no TGA balance row (account labels changed?)")
    return {d: v for d, (_, v) in best.items()}


class FiscalDataFetcher:
    """Daily Treasury Statement TGA closing balance, USD billions."""

    source: ClassVar[str] = "treasury"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """JSON pages of the operating cash balance table filtered on record_date."""
        lo = pd.Timestamp(start) if start is not None else pd.Timestamp(spec.start or FIRST_DATE)
        hi = pd.Timestamp(end) if end is not None else pd.Timestamp(today())
        path = ENDPOINTS.get(spec.source_id, f"/v1/accounting/dts/{spec.source_id}")
        params: dict[str, Any] = {
            "filter": f"record_date:gte:{_day(lo)},record_date:lte:{_day(hi)}",
            "sort": "record_date",
            "format": "json",
            "page[size]": PAGE_SIZE,
        }
        return Query(spec=spec, start=lo, end=hi, url=BASE_URL + path, params=params)

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """All pages, joined into one body. JSON pages are followed by ``links.next`` and
        ``meta.total-pages``; a CSV page (from a mirror) shorter than ``page[size]`` is the
        last."""
        what = _what(query.spec)
        size = int(query.params.get("page[size]", PAGE_SIZE))
        bodies: list[bytes] = []
        for number in range(1, MAX_PAGES + 1):
            body = fetch.get(query.url, params={**query.params, "page[number]": number},
                             what=what)
            bodies.append(body)
            if body.lstrip().startswith(b"{"):
                if last_json_page(body, number, size, what):
                    break
            elif len(parse_rows(body, what)) < size:
                break
        else:
            raise PayloadError(f"{what}: more than {MAX_PAGES} pages; narrow the date range")
        if len(bodies) == 1:
            return bodies[0]
        if bodies[0].lstrip().startswith(b"{"):
            data = [row for body in bodies for row in parse_rows(body, what)]
            total = _meta(bodies[0], what).get("total-count")
            if total is not None and str(total).isdigit() and int(total) != len(data):
                raise PayloadError(f"{what}: {len(data)} rows over {len(bodies)} pages, but "
                                   f"meta.total-count says {total} (table changed while "
                                   "paging?); try again")
            return json.dumps({"data": data, "meta": {"total-count": len(data)},
                               "links": {"next": None}}).encode()
        first = bodies[0].decode("utf-8-sig")
        parts = [first if first.endswith("\n") else first + "\n"]
        for body in bodies[1:]:
            text = body.decode("utf-8-sig")
            rest = text.split("\n", 1)[1] if "\n" in text else ""
            parts.append(rest if not rest or rest.endswith("\n") else rest + "\n")
        return "".join(parts).encode()

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """TGA closing balance per record date in ``[start, end]``, USD billions, oldest first."""
        spec = query.spec
        what = _what(spec)
        balances = tga_closing_balances(parse_rows(raw, what), what)
        dates = sorted(d for d in balances
                       if (query.start is None or d >= query.start)
                       and (query.end is None or d <= query.end))
        released = release_dates(spec, dates)
        return [Observation(spec.id, d, scaled(spec, balances[d]), a)
                for d, a in zip(dates, released)]
