"""``dollarliq bubble edgar-update``: SEC EDGAR data for the bubble gauges.

Fetches, for each megacap: company facts (shares outstanding -> ``SHARES_<T>`` observations,
stamped as of their filing dates) where the catalog has a series, and recent Form 4 insider
filings (parsed transactions cached in the store); and Berkshire Hathaway's company facts
for the cash-hoarding gauge. A ticker, filing or company that fails is reported and skipped;
the rest is still written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from dollarliq.catalog import CATALOG
from dollarliq.errors import DollarliqError
from dollarliq.gauges import FACTS_NAMESPACE, FORM4_NAMESPACE
from dollarliq.gauges.cash_hoarding import BERKSHIRE_CIK
from dollarliq.sources.base import Query
from dollarliq.sources.edgar import (EdgarClient, EdgarFetcher, cik_for_ticker, form4_filings,
                                     parse_companyfacts, parse_form4)
from dollarliq.store import Store, observations_frame


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


def run_edgar_update(store: Store, client: EdgarClient, tickers: Sequence[str], *,
                     since: pd.Timestamp, max_filings: int = 50,
                     progress: Callable[[str], None] | None = None) -> EdgarUpdateResult:
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
        if spec is not None:
            try:
                raw = client.companyfacts(cik)
                obs = fetcher.transform(Query(spec=spec, params={
                    "concept": spec.source_id.partition(":")[2]}), raw)
                res.shares_rows += store.write([observations_frame(obs)])
            except DollarliqError as exc:
                res.problems.append(f"{t} shares outstanding: {exc}")
        try:
            n, txs = insider_transactions(client, cik, since=since, max_filings=max_filings,
                                          problems=res.problems)
            store.cache_put(FORM4_NAMESPACE, t, json.dumps(txs).encode())
            res.form4_filings[t], res.transactions[t] = n, len(txs)
        except DollarliqError as exc:
            res.problems.append(f"{t} Form 4: {exc}")
        if progress is not None:
            progress(t)
    try:
        raw = client.companyfacts(BERKSHIRE_CIK)
        parse_companyfacts(raw)
        store.cache_put(FACTS_NAMESPACE, str(BERKSHIRE_CIK), raw)
        res.berkshire = True
    except DollarliqError as exc:
        res.problems.append(f"Berkshire Hathaway company facts: {exc}")
    return res
