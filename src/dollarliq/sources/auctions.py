"""Treasury FiscalData: marketable securities auctions (results and announced offerings).

Two keyless FiscalData tables, read as JSON pages like the operating cash balance
(:mod:`dollarliq.sources.fiscaldata` follows the pages):

* ``/v1/accounting/od/auctions_query`` (results): one row per auction with ``cusip``,
  ``security_type``, ``security_term``, ``announcemt_date``, ``auction_date``, ``issue_date``,
  ``maturity_date``, ``offering_amt`` and ``total_accepted`` (whole USD as strings; 113
  fields in all). ``total_accepted`` is ``"null"`` until the auction is held.
* ``/v1/accounting/od/upcoming_auctions`` (announced offerings): ``cusip``,
  ``security_type``, ``security_term``, ``offering_amt``, ``announcemt_date``,
  ``auction_date``, ``issue_date``. The table keeps returning stale rows after their
  auction; some stale rows have ``offering_amt`` ``"null"`` and a CUSIP that was never
  issued (the security was issued as a reopening of another CUSIP).

Both become *auction records*, one per (CUSIP, issue date): the key, the dates, the offering
amount and the accepted amount in USD (no scaling: whole dollars, kept exact in doubles up
to 2**53). The record is point-in-time by its own dates: the offering is public from the
announcement date, the result from the auction date (:func:`dollarliq.outlook.auctions.known`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from dollarliq.errors import PayloadError
from dollarliq.http import Fetch
from dollarliq.sources.base import parse_number
from dollarliq.sources.fiscaldata import BASE_URL, PAGE_SIZE, FiscalDataFetcher, parse_rows

ENDPOINTS = {
    "auctions_query": "/v1/accounting/od/auctions_query",
    "upcoming_auctions": "/v1/accounting/od/upcoming_auctions",
}
#: The record parts ``dollarliq update`` fetches, by the name shown in its table.
from dollarliq.sources import RECORD_PARTS as PARTS  # noqa: E402  (one home, light)
#: The fields requested from auctions_query (the table has 113).
RESULT_FIELDS = ("cusip", "security_type", "security_term", "announcemt_date", "auction_date",
                 "issue_date", "maturity_date", "offering_amt", "total_accepted")
#: Columns of an auction-record frame, in order.
RECORD_COLUMNS = ("cusip", "issue_date", "security_type", "security_term", "maturity_date",
                  "announced", "auction_date", "offering_amt", "total_accepted", "source")
_MISSING = ("", "null", "NULL", "None")
_DATES = ("issue_date", "maturity_date", "announced", "auction_date")


def _date(row: dict[str, str], key: str, what: str, required: bool) -> pd.Timestamp | None:
    text = (row.get(key) or "").strip()
    if text in _MISSING:
        if required:
            raise PayloadError(f"{what}: a row of CUSIP {row.get('cusip', '?')!r} has no {key}; "
                               "FiscalData format changed?")
        return None
    try:
        return pd.Timestamp(text[:10])
    except (ValueError, TypeError):
        raise PayloadError(f"{what}: {key} {text[:20]!r} is not a date") from None


def records_from_rows(rows: list[dict[str, str]], table: str, what: str) -> pd.DataFrame:
    """Auction records (:data:`RECORD_COLUMNS`) from the rows of an ``auctions_query`` or
    ``upcoming_auctions`` body. Amounts in USD; an absent amount is NaN.

    PayloadError when a row lacks its CUSIP, issue date or auction date, or an amount is
    not a number.
    """
    if rows and "cusip" not in rows[0]:
        raise PayloadError(f"{what}: rows without cusip; FiscalData format changed?")
    out = []
    for row in rows:
        cusip = (row.get("cusip") or "").strip()
        if not cusip:
            raise PayloadError(f"{what}: a row without a CUSIP")
        issue = _date(row, "issue_date", what, True)
        day = issue.strftime("%Y-%m-%d")
        offering = parse_number(row.get("offering_amt"), what, day, _MISSING, noun="offering")
        accepted = (parse_number(row.get("total_accepted"), what, day, _MISSING,
                                 noun="accepted amount")
                    if table == "auctions_query" else None)
        out.append({
            "cusip": cusip, "issue_date": issue,
            "security_type": (row.get("security_type") or "").strip(),
            "security_term": (row.get("security_term") or "").strip(),
            "maturity_date": _date(row, "maturity_date", what, False),
            "announced": _date(row, "announcemt_date", what, False),
            "auction_date": _date(row, "auction_date", what, True),
            "offering_amt": offering, "total_accepted": accepted, "source": table,
        })
    return records_frame(out)


def records_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A frame with :data:`RECORD_COLUMNS` and their types (dates as datetime64, amounts
    float64)."""
    df = pd.DataFrame(rows, columns=list(RECORD_COLUMNS))
    for c in _DATES:
        df[c] = pd.to_datetime(df[c])
    for c in ("offering_amt", "total_accepted"):
        df[c] = pd.to_numeric(df[c]).astype("float64")
    for c in ("cusip", "security_type", "security_term", "source"):
        df[c] = df[c].astype(object)
    return df


class AuctionsFetcher:
    """FiscalData auction results (``auctions_query``) and announced offerings
    (``upcoming_auctions``) as auction records."""

    source: ClassVar[str] = "treasury"

    def __init__(self) -> None:
        self._pages = FiscalDataFetcher()

    def params(self, table: str, start: pd.Timestamp | None,
               end: pd.Timestamp | None) -> dict[str, Any]:
        """Query parameters: results filtered on the auction date (``start``..``end``),
        only the fields the records need; offerings unfiltered (the table is short)."""
        params: dict[str, Any] = {"format": "json", "page[size]": PAGE_SIZE}
        if table == "auctions_query":
            cond = []
            if start is not None:
                cond.append(f"auction_date:gte:{pd.Timestamp(start):%Y-%m-%d}")
            if end is not None:
                cond.append(f"auction_date:lte:{pd.Timestamp(end):%Y-%m-%d}")
            if cond:
                params["filter"] = ",".join(cond)
            params["fields"] = ",".join(RESULT_FIELDS)
            params["sort"] = "auction_date"
        return params

    def fetch(self, part: str, fetch: Fetch, start: pd.Timestamp | None = None,
              end: pd.Timestamp | None = None) -> pd.DataFrame:
        """The records of one part (``AUCTIONS`` or ``AUCTIONS_UPCOMING``), all pages."""
        from dollarliq.sources.base import Query

        table = PARTS[part]
        what = f"treasury: {part}"
        query = Query(spec=_PartSpec(part), start=start, end=end,
                      url=BASE_URL + ENDPOINTS[table], params=self.params(table, start, end))
        raw = self._pages.extract(query, fetch)
        return records_from_rows(parse_rows(raw, what), table, what)


class _PartSpec:
    """The little of a SeriesSpec that the page walker reads (its id, for messages)."""

    def __init__(self, part: str) -> None:
        self.id = part
