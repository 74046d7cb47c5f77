"""``dollarliq bubble edgar-update``: SEC EDGAR data for the bubble gauges.

Fetches, for each megacap: company facts (shares outstanding -> ``SHARES_<T>`` observations,
stamped as of their filing dates) where the catalog has a series, and recent Form 4 insider
filings (parsed transactions cached in the store); and Berkshire Hathaway's company facts
for the cash-hoarding gauge. A ticker, filing or company that fails is reported and skipped;
the rest is still written. Each company's data is fetched first and written in one short
transaction, so readers of the store never wait for SEC's network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dollarliq.catalog import CATALOG
from dollarliq.errors import DollarliqError
from dollarliq.gauges import FACTS_NAMESPACE, FORM4_NAMESPACE
from dollarliq.gauges.cash_hoarding import BERKSHIRE_CIK
from dollarliq.sources.base import Query
from dollarliq.sources.edgar import (EdgarClient, EdgarFetcher, cik_for_ticker, form4_filings,
                                     parse_companyfacts, parse_form4)
from dollarliq.store import Store, observations_frame, open_store


@dataclass
class EdgarUpdateResult:
    shares_rows: int = 0
    form4_filings: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, int] = field(default_factory=dict)
    berkshire: bool = False
    problems: list[str] = field(default_factory=list)


def insider_transactions(client: EdgarClient, cik: int, *, since: pd.Timestamp,
                         max_filings: int, problems: list[str]) -> tuple[int, list[dict]]:
    """Form 4 filings of an issuer filed on or after ``since`` (newest first, at most
    ``max_filings``), parsed; a filing that fails is named in ``problems`` and skipped."""
    filings = [f for f in form4_filings(client.submissions(cik))
               if pd.Timestamp(f.filing_date) >= since][:max_filings]
    txs: list[dict] = []
    for f in filings:
        try:
            rows = parse_form4(client.form4(f), accession=f.accession,
                               filing_date=f.filing_date)
        except DollarliqError as exc:
            problems.append(f"Form 4 {f.accession}: {exc}")
            continue
        txs.extend(t.as_dict() for t in rows)
    return len(filings), txs


@contextmanager
def _writing(target: Store | Path) -> Iterator[Store]:
    """An open store as is, or the store file opened for writing just for this block."""
    if isinstance(target, Store):
        yield target
        return
    with open_store(target, for_write=True) as store:
        yield store


def run_edgar_update(target: Store | Path | str, client: EdgarClient, tickers: Sequence[str],
                     *, since: pd.Timestamp, max_filings: int = 50,
                     progress: Callable[[str], None] | None = None) -> EdgarUpdateResult:
    """Shares outstanding and Form 4 filings of ``tickers``, and Berkshire's company facts.

    Parameters
    ----------
    target : Store | Path
        An open store (written as is) or the store file, opened for writing only while one
        company's rows are written, after its requests are done.
    since : pandas.Timestamp
        Form 4 filings filed on or after this date.
    max_filings : int
        Form 4 filings per company, newest first.

    Returns
    -------
    EdgarUpdateResult
        Rows and filings stored, and one line per part that failed (the rest is written).
    """
    if not isinstance(target, Store):
        target = Path(target)
    res = EdgarUpdateResult()
    known = client.tickers()
    fetcher = EdgarFetcher()
    for t in tickers:
        try:
            cik = cik_for_ticker(known, t)
        except DollarliqError as exc:
            res.problems.append(str(exc))
            continue
        t = t.upper()
        spec = CATALOG.get(f"SHARES_{t}")
        shares = None
        if spec is not None:
            try:
                raw = client.companyfacts(cik)
                shares = observations_frame(fetcher.transform(Query(spec=spec, params={
                    "concept": spec.source_id.partition(":")[2]}), raw))
            except DollarliqError as exc:
                res.problems.append(f"{t} shares outstanding: {exc}")
        txs = None
        try:
            n, txs = insider_transactions(client, cik, since=since, max_filings=max_filings,
                                          problems=res.problems)
        except DollarliqError as exc:
            res.problems.append(f"{t} Form 4: {exc}")
        if shares is not None or txs is not None:  # a StoreError (exit 5) stops the update
            with _writing(target) as store:
                if shares is not None:
                    res.shares_rows += store.write([shares])
                if txs is not None:
                    store.cache_put(FORM4_NAMESPACE, t, json.dumps(txs).encode())
                    res.form4_filings[t], res.transactions[t] = n, len(txs)
        if progress is not None:
            progress(t)
    try:
        raw = client.companyfacts(BERKSHIRE_CIK)
        parse_companyfacts(raw)
    except DollarliqError as exc:
        res.problems.append(f"Berkshire Hathaway company facts: {exc}")
        return res
    with _writing(target) as store:
        store.cache_put(FACTS_NAMESPACE, str(BERKSHIRE_CIK), raw)
    res.berkshire = True
    return res
