"""SEC EDGAR: ticker -> CIK, XBRL company facts, submissions, Form 4 insider filings.

EDGAR needs no key, but SEC's fair-access policy requires a User-Agent that names the
requester with a contact e-mail ("Company Name admin@domain"), and at most 10 requests per
second. The contact comes from ``DOLLARLIQ_SEC_CONTACT``; :class:`RateLimiter` is a token
bucket with an injectable clock, so tests run instantly.

Parsers (``parse_*``, :func:`concept_facts`, :func:`form4_filings`) are pure functions of the
body; :class:`EdgarClient` does the I/O through :class:`dollarliq.http.Fetch`.
"""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.errors import CredentialsMissing, PayloadError, UsageError
from dollarliq.http import Fetch
from dollarliq.sources.base import Observation, Query

CONTACT_ENV = "DOLLARLIQ_SEC_CONTACT"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
COMPANYFACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik10}.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik10}.json"
ARCHIVES_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{acc}/{doc}"
MAX_REQUESTS_PER_SECOND = 10.0
PERIODIC_FORMS = ("10-Q", "10-K", "10-Q/A", "10-K/A")
_XSL_PREFIX = re.compile(r"^xslF345X\d+/")


class UnknownTicker(UsageError):
    """A ticker that SEC's company_tickers.json does not list."""


# -- identity and rate limit -----------------------------------------------------------------
def sec_user_agent(contact: str | None = None) -> str:
    """The User-Agent SEC requires: ``dollarliq <contact>``; CredentialsMissing if unset."""
    contact = (contact if contact is not None else os.environ.get(CONTACT_ENV, "")).strip()
    if not contact or "@" not in contact:
        raise CredentialsMissing(
            f"SEC EDGAR requires a contact in the User-Agent: set {CONTACT_ENV} to your name "
            f"or company and an e-mail, e.g. {CONTACT_ENV}='Jane Doe jane@example.com' "
            "(SEC blocks requests without one)")
    return f"dollarliq {contact}"


class RateLimiter:
    """Token bucket: tokens refill at ``rate`` per second up to ``capacity``.

    With the default capacity of one token, requests are spaced at least ``1/rate`` seconds
    apart, so no one-second window ever holds more than ``rate`` of them (a larger bucket
    would let a burst plus the refill exceed SEC's 10 per second). ``clock`` (seconds,
    monotonic) and ``sleep`` are injectable for tests.
    """

    def __init__(self, rate: float = MAX_REQUESTS_PER_SECOND, capacity: float = 1.0,
                 *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.capacity
        self.last = clock()

    def acquire(self) -> None:
        """Take one token, sleeping until one is available."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1.0:
            wait = (1.0 - self.tokens) / self.rate
            self.sleep(wait)
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            self.tokens = max(self.tokens, 1.0)
        self.tokens -= 1.0


# -- pure parsers ------------------------------------------------------------------------------
def _json(raw: bytes, what: str) -> object:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"edgar: {what} is not JSON ({exc.__class__.__name__})") from exc


def parse_company_tickers(raw: bytes) -> dict[str, tuple[int, str]]:
    """company_tickers.json -> {ticker: (cik, title)} (tickers upper-case)."""
    data = _json(raw, "company_tickers.json")
    if not isinstance(data, dict):
        raise PayloadError("edgar: company_tickers.json is not an object")
    out = {}
    try:
        for row in data.values():
            out[str(row["ticker"]).upper()] = (int(row["cik_str"]), str(row["title"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise PayloadError(f"edgar: company_tickers.json row without {exc}") from exc
    return out


def cik_for_ticker(tickers: dict[str, tuple[int, str]], ticker: str) -> int:
    """The CIK of ``ticker``; UnknownTicker (exit 2) with suggestions if it is not listed."""
    t = ticker.strip().upper().replace(".", "-")
    if t in tickers:
        return tickers[t][0]
    close = sorted(k for k in tickers if k.startswith(t[:2]))[:5]
    hint = f"; similar: {', '.join(close)}" if close else ""
    raise UnknownTicker(f"ticker {ticker!r} is not in SEC's company_tickers.json{hint}")


def parse_companyfacts(raw: bytes) -> dict:
    """companyfacts JSON -> the dict, checked for the ``facts`` object."""
    data = _json(raw, "companyfacts")
    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        raise PayloadError("edgar: companyfacts body has no 'facts' object")
    return data


class MissingConcept(PayloadError):
    """A company's XBRL facts do not carry a concept a gauge needs."""


def concept_facts(facts: dict, concept: str, unit: str, *,
                  forms: tuple[str, ...] | None = PERIODIC_FORMS) -> pd.DataFrame:
    """One concept's facts as a frame: end, start, val, accn, fy, fp, form, filed.

    ``concept`` is ``taxonomy:Name`` (``us-gaap:Assets``, ``dei:EntityCommon...``).
    Duplicates across filings are kept (each filing restates earlier periods); use
    :func:`first_filed` for the value as first reported. MissingConcept when absent.
    """
    tax, _, name = concept.partition(":")
    entity = facts.get("entityName", f"CIK {facts.get('cik')}")
    node = facts.get("facts", {}).get(tax, {}).get(name)
    if node is None:
        raise MissingConcept(f"edgar: {entity} reports no XBRL concept {concept}")
    rows = node.get("units", {}).get(unit)
    if rows is None:
        raise MissingConcept(f"edgar: {entity} reports {concept} but not in unit {unit}")
    df = pd.DataFrame(rows)
    for col in ("start", "fy", "fp", "form", "frame"):
        if col not in df:
            df[col] = None
    if forms is not None:
        df = df[df["form"].isin(forms)]
    df = df.assign(end=pd.to_datetime(df["end"]), filed=pd.to_datetime(df["filed"]),
                   val=pd.to_numeric(df["val"]))
    return df.reset_index(drop=True)


def first_filed(df: pd.DataFrame, *, instant: bool = True) -> pd.DataFrame:
    """One row per period end (instants only by default): the earliest-filed value."""
    if instant:
        df = df[df["start"].isna()]
    return (df.sort_values(["end", "filed"]).drop_duplicates("end", keep="first")
            .set_index("end").sort_index())


@dataclass(frozen=True)
class Filing:
    """One entry of a submissions listing."""

    accession: str
    form: str
    filing_date: str
    report_date: str
    primary_document: str
    xml_url: str


def form4_filings(raw: bytes, *, forms: tuple[str, ...] = ("4", "4/A")) -> list[Filing]:
    """Submissions JSON (column arrays under filings.recent) -> its Form 4 filings.

    The raw ownership XML lives at the primary document's path without the XSL rendering
    prefix (``xslF345X05/``).
    """
    data = _json(raw, "submissions")
    try:
        cik = int(data["cik"])
        recent = data["filings"]["recent"]
        cols = [recent[k] for k in ("accessionNumber", "form", "filingDate", "reportDate",
                                    "primaryDocument")]
    except (KeyError, TypeError, ValueError) as exc:
        raise PayloadError(f"edgar: submissions body lacks {exc}") from exc
    if len({len(c) for c in cols}) != 1:
        raise PayloadError("edgar: submissions column arrays differ in length")
    out = []
    for acc, form, fdate, rdate, doc in zip(*cols):
        if form not in forms:
            continue
        raw_doc = _XSL_PREFIX.sub("", doc)
        url = ARCHIVES_URL.format(cik=cik, acc=acc.replace("-", ""), doc=raw_doc)
        out.append(Filing(acc, form, fdate, rdate, doc, url))
    return out


@dataclass(frozen=True)
class InsiderTransaction:
    """One Form 4 transaction row, in shares and USD.

    price_usd is None when the filing gives the price only in a footnote (value_usd is then
    None too). plan_10b5_1 is True when the filing ticks the Rule 10b5-1 box (aff10b5One)
    or a footnote on the row mentions Rule 10b5-1.
    """

    accession: str
    issuer_cik: str
    ticker: str
    owner_cik: str
    owner_name: str
    owner_role: str
    table: str  # "non_derivative" or "derivative"
    date: str
    code: str
    shares: float
    price_usd: float | None
    acquired_disposed: str
    value_usd: float | None
    plan_10b5_1: bool
    filing_date: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


_TRUE = {"1", "true"}


def _text(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    node = el.find(path)
    if node is None or node.text is None:
        return None
    t = node.text.strip()
    return t or None


def _num(s: str | None) -> float | None:
    if s is None:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def parse_form4(raw: bytes, *, accession: str = "", filing_date: str | None = None
                ) -> list[InsiderTransaction]:
    """A Form 4 ownershipDocument (XML) -> its transactions (both tables, all owners).

    PayloadError when the body is not an ownership document. Booleans may be 1/0 or
    true/false. A filing with several reporting owners attributes each row to all of
    them jointly (names joined by "; "), as EDGAR does not split rows by owner.
    """
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise PayloadError(f"edgar: Form 4 {accession or ''} is not XML ({exc})") from exc
    if root.tag != "ownershipDocument":
        raise PayloadError(f"edgar: Form 4 {accession or ''} root is <{root.tag}>, "
                           "not <ownershipDocument>")
    issuer = root.find("issuer")
    owners = root.findall("reportingOwner")
    names = "; ".join(filter(None, (_text(o, "reportingOwnerId/rptOwnerName") for o in owners)))
    ciks = "; ".join(filter(None, (_text(o, "reportingOwnerId/rptOwnerCik") for o in owners)))
    roles = []
    for o in owners:
        rel = o.find("reportingOwnerRelationship")
        r = []
        for tag, lab in (("isDirector", "director"), ("isOfficer", "officer"),
                         ("isTenPercentOwner", "10% owner"), ("isOther", "other")):
            if (_text(rel, tag) or "").lower() in _TRUE:
                r.append(lab)
        title = _text(rel, "officerTitle")
        if title:
            r.append(title)
        roles.append(", ".join(r))
    plan_box = (_text(root, "aff10b5One") or "").lower() in _TRUE
    notes = {fn.get("id"): "".join(fn.itertext()) for fn in root.iter("footnote")}
    out = []
    for table, tag in (("non_derivative", "nonDerivativeTable/nonDerivativeTransaction"),
                       ("derivative", "derivativeTable/derivativeTransaction")):
        for tx in root.findall(tag):
            ids = {f.get("id") for f in tx.iter("footnoteId")}
            plan = plan_box or any("10b5-1" in notes.get(i, "") for i in ids)
            shares = _num(_text(tx, "transactionAmounts/transactionShares/value")) or 0.0
            price = _num(_text(tx, "transactionAmounts/transactionPricePerShare/value"))
            out.append(InsiderTransaction(
                accession=accession, issuer_cik=_text(issuer, "issuerCik") or "",
                ticker=(_text(issuer, "issuerTradingSymbol") or "").upper(),
                owner_cik=ciks, owner_name=names, owner_role="; ".join(filter(None, roles)),
                table=table, date=_text(tx, "transactionDate/value") or "",
                code=_text(tx, "transactionCoding/transactionCode") or "",
                shares=shares, price_usd=price,
                acquired_disposed=_text(
                    tx, "transactionAmounts/transactionAcquiredDisposedCode/value") or "",
                value_usd=None if price is None else shares * price,
                plan_10b5_1=plan, filing_date=filing_date))
    return out


# -- I/O -----------------------------------------------------------------------------------------
class EdgarClient:
    """EDGAR requests with SEC's User-Agent and rate limit, through a :class:`Fetch`."""

    def __init__(self, fetch: Fetch, *, contact: str | None = None,
                 limiter: RateLimiter | None = None) -> None:
        self.fetch = fetch
        self.headers = {"User-Agent": sec_user_agent(contact)}
        self.limiter = limiter or RateLimiter()

    def get(self, url: str, what: str) -> bytes:
        self.limiter.acquire()
        return self.fetch.get(url, headers=self.headers, what=f"edgar: {what}")

    def tickers(self) -> dict[str, tuple[int, str]]:
        return parse_company_tickers(self.get(TICKERS_URL, "company_tickers.json"))

    def companyfacts(self, cik: int) -> bytes:
        return self.get(COMPANYFACTS_URL.format(cik10=f"{int(cik):010d}"),
                        f"companyfacts CIK {cik}")

    def submissions(self, cik: int) -> bytes:
        return self.get(SUBMISSIONS_URL.format(cik10=f"{int(cik):010d}"),
                        f"submissions CIK {cik}")

    def form4(self, filing: Filing) -> bytes:
        return self.get(filing.xml_url, f"Form 4 {filing.accession}")


class EdgarFetcher:
    """Fetcher for share-count series (``SHARES_*``): companyfacts -> observations.

    ``spec.source_id`` is ``"<CIK>:<taxonomy>:<Concept>"``. Each count is stamped as of its
    filing date (a real publication record, so ``vintage=True``); forms 10-Q/10-K only,
    the earliest filing per date.
    """

    source: ClassVar[str] = "edgar"

    def __init__(self, contact: str | None = None) -> None:
        self.contact = contact

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None,
                    end: pd.Timestamp | None) -> Query:
        cik, _, concept = spec.source_id.partition(":")
        if not cik.isdigit():  # WASHARES_<T>: counts printed in earnings releases
            raise UsageError(f"{spec.id} comes from earnings releases ({spec.source_id}), "
                             "not from SEC companyfacts: it is in the snapshot only and "
                             "cannot be fetched")
        return Query(spec=spec, start=start, end=end,
                     url=COMPANYFACTS_URL.format(cik10=f"{int(cik):010d}"),
                     params={"concept": concept})

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        client = EdgarClient(fetch, contact=self.contact)
        return client.get(query.url, f"companyfacts {query.spec.id}")

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        facts = parse_companyfacts(raw)
        df = first_filed(concept_facts(facts, query.params["concept"], "shares"))
        if query.start is not None:
            df = df[df.index >= query.start]
        if query.end is not None:
            df = df[df.index <= query.end]
        return [Observation(query.spec.id, pd.Timestamp(end), float(r.val) * query.spec.scale,
                            max(pd.Timestamp(r.filed), pd.Timestamp(end)), vintage=True)
                for end, r in df.iterrows()]
