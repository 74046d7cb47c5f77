"""NY Fed Markets API: reference rates and repo / reverse repo operation results.

Reference rates (SOFR, TGCR, BGCR, EFFR, OBFR): ``spec.source_id`` is the rate type and
``spec.field`` the column of a ``refRates`` row (``percentRate``,
``percentPercentile1/25/75/99`` in percent, ``volumeInBillions`` in USD billions). A rate for
business day D is published the next business day (the catalog's release rule).

Operations (``source_id`` ``reverserepo`` or ``repo``): ``/api/rp/results/search.json``.
``totalAmtAccepted`` (USD, stored in USD billions) is summed over the overnight operations of
each operation date; ``amtAccepted:<securityType>`` sums the ``details`` rows of one
collateral type over every overnight operation, small-value exercises included
(``amtAccepted:Treasury``: FRED's RRPONTSYD / RPONTSYD definition);
``percentOfferingRate`` (percent) comes from the operation's ``details``.
``totalAmtAccepted:all`` sums ``totalAmtAccepted`` over every overnight operation (FRED's
RPONTTLD). Outside these two kinds of field, small-value exercises (test operations) are
dropped. Term operations are never counted. Results are published the same day.

One body serves every spec of a ``source_id``: use :func:`transform_group` (or
:func:`fetch_group`) to turn one body into the observations of all of them, instead of one
request per spec.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.dates import today
from dollarliq.errors import PayloadError, UsageError
from dollarliq.http import Fetch
from dollarliq.sources.base import Observation, Query, parse_number, release_dates, scaled

BASE_URL = "https://markets.newyorkfed.org/api"

#: rate type -> (URL group, first date published)
RATE_TYPES: dict[str, tuple[str, str]] = {
    "sofr": ("secured", "2018-04-02"),
    "tgcr": ("secured", "2018-04-02"),
    "bgcr": ("secured", "2018-04-02"),
    "effr": ("unsecured", "2016-03-01"),
    "obfr": ("unsecured", "2016-03-01"),
}
RATE_FIELDS = ("percentRate", "percentPercentile1", "percentPercentile25",
               "percentPercentile75", "percentPercentile99", "volumeInBillions")
_MISSING = ("", "NA", "N/A", "null")

#: operations source_id -> operationType in the API
OPERATION_TYPES = {"reverserepo": "Reverse Repo", "repo": "Repo"}
OPERATION_FIELDS = ("totalAmtAccepted", "totalAmtAccepted:all", "percentOfferingRate",
                    "amtAccepted:<securityType>")
#: ``totalAmtAccepted`` summed over every overnight operation, small-value exercises
#: included (FRED's RPONTTLD: 2022-09-08 reads the $61mn of that day's exercise).
_ALL_OPERATIONS = "totalAmtAccepted:all"
_BY_COLLATERAL = "amtAccepted:"
FIRST_OPERATION_DATE = "2013-09-23"


def _what(spec: SeriesSpec) -> str:
    return f"nyfed: {spec.id}"


def _day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _window(spec: SeriesSpec, start: pd.Timestamp | None, end: pd.Timestamp | None,
            first: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    lo = pd.Timestamp(start) if start is not None else pd.Timestamp(spec.start or first)
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp(today())
    return lo.normalize(), hi.normalize()


def rate_query(spec: SeriesSpec, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> Query:
    """``/api/rates/{secured|unsecured}/{type}/search.json?startDate=&endDate=`` for ``spec``."""
    rate = spec.source_id.lower()
    if rate not in RATE_TYPES:
        raise UsageError(f"nyfed: {spec.id}: unknown rate type {spec.source_id!r}; "
                         f"expected one of {', '.join(RATE_TYPES)}")
    group, first = RATE_TYPES[rate]
    lo, hi = _window(spec, start, end, first)
    return Query(spec=spec, start=lo, end=hi,
                 url=f"{BASE_URL}/rates/{group}/{rate}/search.json",
                 params={"startDate": _day(lo), "endDate": _day(hi)})


def _load(raw: bytes, what: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; NY Fed format changed?") from None
    head = text.lstrip()[:200].lower()
    if head.startswith("<") or "<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of JSON; try again later")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise PayloadError(f"{what}: body is not valid JSON (truncated?)") from None


def _number(value: Any, what: str, date: str) -> float | None:
    return parse_number(value, what, date, _MISSING)


def _date(text: Any, what: str) -> pd.Timestamp:
    s = str(text).strip()
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT or len(s) != 10:
        raise PayloadError(f"{what}: {s[:20]!r} is not a date; NY Fed format changed?")
    return ts


def _in_window(d: pd.Timestamp, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    return (start is None or d >= start) and (end is None or d <= end)


def _finish(spec: SeriesSpec, points: dict[pd.Timestamp, float | None]) -> list[Observation]:
    dates = sorted(points)
    released = release_dates(spec, dates)
    return [Observation(spec.id, d, scaled(spec, points[d]), a) for d, a in zip(dates, released)]


def transform_rates(specs: Sequence[SeriesSpec], raw: bytes,
                    start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """Observations for every spec in ``specs`` from one ``refRates`` body.

    All specs must share one ``source_id`` (rate type). Values in stored units (percent, USD
    billions for volumes); a percentile that is absent or ``"NA"`` is a missing value. Rows
    outside ``[start, end]`` and rows of another rate type are dropped. Returns
    ``{spec.id: observations, oldest first}``; PayloadError if the body is not a refRates body.
    """
    if not specs:
        return {}
    rate = specs[0].source_id.lower()
    if any(s.source_id.lower() != rate for s in specs):
        raise UsageError("nyfed: transform_rates needs specs of one rate type")
    what = _what(specs[0]) if len(specs) == 1 else f"nyfed: {rate.upper()}"
    doc = _load(raw, what)
    rows = doc.get("refRates") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise PayloadError(f"{what}: no 'refRates' list in the body; NY Fed format changed?")
    points: dict[str, dict[pd.Timestamp, float | None]] = {s.id: {} for s in specs}
    seen_field = {s.id: False for s in specs}
    start = pd.Timestamp(start) if start is not None else None
    end = pd.Timestamp(end) if end is not None else None
    for row in rows:
        if not isinstance(row, dict) or "effectiveDate" not in row or "percentRate" not in row:
            raise PayloadError(f"{what}: refRates row without effectiveDate/percentRate; "
                               "NY Fed format changed?")
        kind = str(row.get("type", rate)).strip().lower()
        if kind != rate:
            continue
        d = _date(row["effectiveDate"], what)
        if not _in_window(d, start, end):
            continue
        for s in specs:
            if s.field in row:
                seen_field[s.id] = True
            points[s.id][d] = _number(row.get(s.field), _what(s), row["effectiveDate"])
    out: dict[str, list[Observation]] = {}
    for s in specs:
        if points[s.id] and not seen_field[s.id]:
            raise PayloadError(f"{_what(s)}: no row has the field {s.field!r}; "
                               "NY Fed format changed?")
        out[s.id] = _finish(s, points[s.id])
    return out


def operations_query(spec: SeriesSpec, start: pd.Timestamp | None = None,
                     end: pd.Timestamp | None = None) -> Query:
    """``/api/rp/results/search.json?startDate=&endDate=&operationTypes=`` for ``spec``."""
    kind = spec.source_id.lower()
    if kind not in OPERATION_TYPES:
        raise UsageError(f"nyfed: {spec.id}: unknown operation type {spec.source_id!r}; "
                         f"expected one of {', '.join(OPERATION_TYPES)}")
    lo, hi = _window(spec, start, end, FIRST_OPERATION_DATE)
    return Query(spec=spec, start=lo, end=hi, url=f"{BASE_URL}/rp/results/search.json",
                 params={"startDate": _day(lo), "endDate": _day(hi),
                         "operationTypes": OPERATION_TYPES[kind]})


def _offering_rate(op: dict, what: str, date: str) -> float | None:
    details = op.get("details")
    if details is None:
        return None
    if not isinstance(details, list):
        raise PayloadError(f"{what}: operation 'details' is not a list; NY Fed format changed?")
    for d in details:
        if isinstance(d, dict):
            v = _number(d.get("percentOfferingRate"), what, date)
            if v is not None:
                return v
    return None


def _collateral_amount(op: dict, kind: str, what: str, date: str) -> float:
    """USD accepted against collateral ``kind`` (``treasury``, ``agency``, ...) in one
    operation: the sum of its ``details`` rows of that ``securityType``; 0 if none."""
    details = op.get("details")
    if details is None:
        return 0.0
    if not isinstance(details, list):
        raise PayloadError(f"{what}: operation 'details' is not a list; NY Fed format changed?")
    total = 0.0
    for d in details:
        if not isinstance(d, dict) or str(d.get("securityType", "")).strip().lower() != kind:
            continue
        if "amtAccepted" not in d:
            raise PayloadError(f"{what}: operation detail without amtAccepted on {date}; "
                               "NY Fed format changed?")
        total += _number(d["amtAccepted"], what, date) or 0.0
    return total


def transform_operations(specs: Sequence[SeriesSpec], raw: bytes,
                         start: pd.Timestamp | None = None,
                         end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """Observations for every spec in ``specs`` (one operation type) from one results body.

    Per operation date, over the overnight operations with results that are not
    small-value exercises: ``totalAmtAccepted`` summed (USD, scaled by ``spec.scale``) and
    the ``percentOfferingRate`` of the largest one (percent). PayloadError if the body is
    not an operations body.
    """
    if not specs:
        return {}
    kind = specs[0].source_id.lower()
    if any(s.source_id.lower() != kind for s in specs) or kind not in OPERATION_TYPES:
        raise UsageError("nyfed: transform_operations needs specs of one operation type")
    op_type = OPERATION_TYPES[kind].lower()
    what = _what(specs[0]) if len(specs) == 1 else f"nyfed: {kind}"
    doc = _load(raw, what)
    repo = doc.get("repo") if isinstance(doc, dict) else None
    ops = repo.get("operations") if isinstance(repo, dict) else None
    if not isinstance(ops, list):
        raise PayloadError(f"{what}: no 'repo.operations' list in the body; "
                           "NY Fed format changed?")
    start = pd.Timestamp(start) if start is not None else None
    end = pd.Timestamp(end) if end is not None else None
    accepted: dict[pd.Timestamp, float | None] = {}
    accepted_all: dict[pd.Timestamp, float | None] = {}
    by_collateral: dict[str, dict[pd.Timestamp, float | None]] = {
        s.field[len(_BY_COLLATERAL):].lower(): {} for s in specs
        if s.field.startswith(_BY_COLLATERAL)}
    rate: dict[pd.Timestamp, tuple[float, float | None]] = {}
    for op in ops:
        if not isinstance(op, dict) or not {"operationDate", "operationType",
                                            "totalAmtAccepted"} <= op.keys():
            raise PayloadError(f"{what}: operation without operationDate/operationType/"
                               "totalAmtAccepted; NY Fed format changed?")
        if str(op.get("auctionStatus", "Results")).strip().lower() != "results":
            continue
        if str(op["operationType"]).strip().lower() != op_type:
            continue
        if str(op.get("term") or "overnight").strip().lower() != "overnight":
            continue
        date = str(op["operationDate"])
        d = _date(date, what)
        if not _in_window(d, start, end):
            continue
        # FRED's RRPONTSYD counts the securities of small-value exercises too (2022-11-17:
        # 2,114.345 + 0.094 = 2,114.439 bn); the totals below leave them out.
        for kind_, points in by_collateral.items():
            points[d] = (points.get(d) or 0.0) + _collateral_amount(op, kind_, what, date)
        amt = _number(op["totalAmtAccepted"], what, date)
        if amt is not None:
            accepted_all[d] = (accepted_all.get(d) or 0.0) + amt
        else:
            accepted_all.setdefault(d, None)
        if "small value exercise" in str(op.get("note") or "").lower():
            continue
        if amt is not None:
            accepted[d] = (accepted.get(d) or 0.0) + amt
        else:
            accepted.setdefault(d, None)
        offered = _offering_rate(op, what, date)
        size = amt or 0.0
        if d not in rate or (offered is not None and (rate[d][1] is None or size > rate[d][0])):
            rate[d] = (size, offered)
    out: dict[str, list[Observation]] = {}
    for s in specs:
        if s.field == "totalAmtAccepted":
            out[s.id] = _finish(s, accepted)
        elif s.field == _ALL_OPERATIONS:
            out[s.id] = _finish(s, accepted_all)
        elif s.field.startswith(_BY_COLLATERAL):
            out[s.id] = _finish(s, by_collateral[s.field[len(_BY_COLLATERAL):].lower()])
        elif s.field == "percentOfferingRate":
            out[s.id] = _finish(s, {d: v for d, (_, v) in rate.items()})
        else:
            raise UsageError(f"nyfed: {s.id}: unknown operations field {s.field!r}; "
                             f"expected one of {', '.join(OPERATION_FIELDS)}")
    return out


def _is_operations(spec: SeriesSpec) -> bool:
    return spec.source_id.lower() in OPERATION_TYPES


def group_query(spec: SeriesSpec, start: pd.Timestamp | None = None,
                end: pd.Timestamp | None = None) -> Query:
    """The request for ``spec``: a rate search or an operations search."""
    return operations_query(spec, start, end) if _is_operations(spec) else rate_query(
        spec, start, end)


def transform_group(specs: Sequence[SeriesSpec], raw: bytes,
                    start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """``{spec.id: observations}`` for specs sharing one ``source_id``, from one body."""
    if specs and _is_operations(specs[0]):
        return transform_operations(specs, raw, start, end)
    return transform_rates(specs, raw, start, end)


def fetch_group(specs: Sequence[SeriesSpec], fetch: Fetch,
                start: pd.Timestamp | None = None,
                end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """One request for all ``specs`` of one ``source_id``; ``{spec.id: observations}``."""
    if not specs:
        return {}
    query = group_query(specs[0], start, end)
    what = f"nyfed: {specs[0].id}" if len(specs) == 1 else f"nyfed: {specs[0].source_id}"
    raw = fetch.get(query.url, params=query.params, what=what)
    return transform_group(specs, raw, query.start, query.end)


def group_by_source_id(specs: Sequence[SeriesSpec]) -> dict[str, list[SeriesSpec]]:
    """Specs grouped by ``source_id`` (one request per group), in first-seen order."""
    groups: dict[str, list[SeriesSpec]] = {}
    for s in specs:
        groups.setdefault(s.source_id.lower(), []).append(s)
    return groups


class NyFedFetcher:
    """NY Fed reference rates and repo / reverse repo operation results, in stored units."""

    source: ClassVar[str] = "nyfed"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """The search query for ``spec`` over ``[start, end]``."""
        return group_query(spec, start, end)

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """The raw JSON body."""
        return fetch.get(query.url, params=query.params, what=_what(query.spec))

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Observations of ``query.spec`` (see :func:`transform_group`)."""
        return transform_group([query.spec], raw, query.start, query.end)[query.spec.id]
