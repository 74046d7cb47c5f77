"""The drain calendar: the next N Fedwire business days after an as-of date.

For each day: the auction settlements (gross issuance per category, ``accepted`` or
``offered``), the securities maturing, the net cash raised (issued - maturing; unknown when
issuance that day has not been announced yet while securities mature), the calendar events
(corporate and individual tax dates, month, quarter and year ends, Fedwire holidays in the
gap before the day), the tags of :mod:`dollarliq.outlook.effects`, and the TGA on the straight
line from its latest balance to the announced end-of-quarter target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dollarliq.dates import _holidays, add_business_days, business_days, funding_calendar
from dollarliq.outlook import auctions as au
from dollarliq.outlook import effects as fx

#: Share of recent auctions announced at least the lead (business days before settlement)
#: taken as the announcement horizon, and the years looked back for it.
LEAD_QUANTILE = 0.01
LEAD_YEARS = 3
CORPORATE_TAX_MONTHS = (4, 6, 9, 12)
INDIVIDUAL_TAX_MONTHS = (1, 4, 6, 9)
DEFAULT_DAYS = 20
MAX_DAYS = 130


def horizon(as_of: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    """The ``n`` Fedwire business days after ``as_of``."""
    first = pd.Timestamp(add_business_days([pd.Timestamp(as_of) + pd.Timedelta(days=1)], 0)[0])
    last = pd.Timestamp(add_business_days([first], n - 1)[0])
    return business_days(first, last)


def tax_days(days: pd.DatetimeIndex) -> dict[pd.Timestamp, list[str]]:
    """Tax dates among ``days``: the first bond-market day on or after the 15th of the
    month, ``corporate`` (estimated tax: April, June, September, December) and
    ``individual`` (estimated tax: January, April, June, September; April's annual return)."""
    hol = _holidays("bond")
    out: dict[pd.Timestamp, list[str]] = {}
    for y, m in sorted({(d.year, d.month) for d in days}):
        mid = pd.Timestamp(np.busday_offset(np.datetime64(f"{y}-{m:02d}-15"), 0,
                                            roll="forward", holidays=hol))
        if mid not in days:
            continue
        kinds = [k for k, months in (("corporate", CORPORATE_TAX_MONTHS),
                                     ("individual", INDIVIDUAL_TAX_MONTHS)) if m in months]
        if kinds:
            out[mid] = kinds
    return out


def holidays_before(days: pd.DatetimeIndex, as_of: pd.Timestamp) -> dict[pd.Timestamp, list]:
    """Fedwire holidays (weekdays the Fed is closed) between the previous business day and
    each day, keyed by the day after them."""
    hol = pd.DatetimeIndex(_holidays("fedwire").astype("datetime64[ns]"))
    out: dict[pd.Timestamp, list] = {}
    prev = pd.Timestamp(as_of)
    for d in days:
        gap = hol[(hol > prev) & (hol < d)]
        if len(gap):
            out[d] = [g for g in gap]
        prev = d
    return out


def announcement_lead(records: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, int]:
    """Per category, the business days between announcement and settlement that 99% of
    the auctions announced in the :data:`LEAD_YEARS` years before ``as_of`` had at least.
    A settlement day at most that far after ``as_of`` has, as a rule, all its auctions
    announced by ``as_of``; a later one may not (default 1 without history)."""
    t = pd.Timestamp(as_of)
    r = records[(records["announced"] <= t)
                & (records["announced"] > t - pd.DateOffset(years=LEAD_YEARS))
                & records["announced"].notna()]
    out = {}
    for cat in ("bills", "coupons"):
        x = r[au.category(r["security_type"]) == cat]
        if len(x) < 20:
            out[cat] = 1
            continue
        lead = np.busday_count(x["announced"].values.astype("datetime64[D]"),
                               x["issue_date"].values.astype("datetime64[D]"),
                               holidays=_holidays("fedwire"))
        out[cat] = max(1, int(np.floor(np.quantile(lead, LEAD_QUANTILE))))
    return out


def _category(rows: list[dict], mat: list[dict], cat: str, complete: bool) -> dict:
    r = [x for x in rows if x["category"] == cat]
    matured = float(sum(x["amount_usd"] for x in mat if x["category"] == cat))
    if not r:
        issued, status = None, None
    else:
        issued = float(sum(x["amount_usd"] for x in r))
        st = {x["status"] for x in r}
        status = st.pop() if len(st) == 1 else "mixed"
    if issued is None:
        net = None if matured > 0 else 0.0
    else:
        net = issued - matured
    return {"issued_usd": issued, "status": status, "maturing_usd": matured, "net_usd": net,
            "complete": complete}


def _by_day(df: pd.DataFrame, day: str, cols: dict[str, str], order: list[str]
            ) -> dict[pd.Timestamp, list[dict]]:
    """Rows of ``df`` as plain dicts (``cols``: output name <- column), grouped by ``day``."""
    out: dict[pd.Timestamp, list[dict]] = {}
    if df.empty:
        return out
    df = df.sort_values(order)
    data = {k: df[c].tolist() for k, c in cols.items()}
    for i, d in enumerate(df[day].tolist()):
        out.setdefault(pd.Timestamp(d), []).append({k: v[i] for k, v in data.items()})
    return out


def calendar(records: pd.DataFrame, as_of: pd.Timestamp, n: int = DEFAULT_DAYS, *,
             tga: pd.Series | None = None, target: dict | None = None,
             effects: list[dict] | None = None) -> dict:
    """The drain calendar (a JSON-ready dict but for Timestamps).

    Parameters
    ----------
    records : DataFrame
        Every auction record in the store (:meth:`dollarliq.store.Store.auctions`).
    as_of : Timestamp
        The as-of date; only what was public then is used.
    n : int
        Business days after ``as_of``.
    tga : Series, optional
        TGA balance, USD billions, public on ``as_of`` (the latest is today's TGA).
    target : dict, optional
        :func:`dollarliq.outlook.estimates.target` for the quarter.
    effects : list of dict, optional
        :func:`dollarliq.outlook.effects.measure`'s table (tags).

    Returns
    -------
    dict
        ``days`` (list), ``tga`` (dict or None), ``settlement_days`` (count),
        ``announcement_lead`` (:func:`announcement_lead`). Each category of a day carries
        ``complete``: the day is within the announcement lead, so its issuance is, as a
        rule, all announced.
    """
    t = pd.Timestamp(as_of)
    days = horizon(t, n)
    pub = au.known(records[records["issue_date"].isin(days)], t)
    near = records[(records["maturity_date"] > t - pd.Timedelta(days=10))
                   & (records["maturity_date"] <= days[-1])]
    mat = au.maturing(near, t)
    mat = mat[mat["pay_day"].isin(days)]
    cal = funding_calendar(days)
    taxes = tax_days(days)
    hols = holidays_before(days, t)
    net_guess = {}
    tga_path = tga_line(tga, target, t, days)
    lead = announcement_lead(records, t)
    out_days = []
    common = {"cusip": "cusip", "type": "security_type", "term": "security_term",
              "category": "category", "amount_usd": "amount"}
    pub_by_day = _by_day(pub, "issue_date",
                         {**common, "auction_date": "auction_date", "announced": "announced",
                          "status": "status"}, ["category", "auction_date", "cusip"])
    mat_by_day = _by_day(mat, "pay_day", {**common, "issue_date": "issue_date"},
                         ["category", "issue_date", "cusip"])
    for i, d in enumerate(days, start=1):
        rows_out = pub_by_day.get(d, [])
        mat_out = mat_by_day.get(d, [])
        bills = _category(rows_out, mat_out, "bills", i <= lead["bills"])
        coupons = _category(rows_out, mat_out, "coupons", i <= lead["coupons"])
        nets = [bills["net_usd"], coupons["net_usd"]]
        net = None if any(x is None for x in nets) else float(sum(nets))
        net_guess[d] = (net or 0.0) / 1e9
        events = []
        c = cal.loc[d]
        for k in ("year_end", "quarter_end", "month_end"):
            if bool(c[k]):
                events.append(k)
        for k in taxes.get(d, []):
            events.append(f"tax_{k}")
        out_days.append({
            "date": d, "bills": bills, "coupons": coupons, "net_usd": net,
            "settlement": bool(rows_out or mat_out), "events": events,
            "holidays_before": hols.get(d, []), "auctions": rows_out, "maturing": mat_out,
            "tga_path_bn": tga_path.get(d)})
    kinds = fx.day_kinds(days, pd.Series(net_guess))
    tags = fx.tags_for(kinds, effects or [])
    for day, tg in zip(out_days, tags):
        day["tags"] = tg
    return {"days": out_days, "tga": tga_summary(tga, target, t), "announcement_lead": lead,
            "settlement_days": sum(1 for d in out_days if d["settlement"])}


def last_business_day(day: pd.Timestamp) -> pd.Timestamp:
    """The last Fedwire business day on or before ``day``."""
    return pd.Timestamp(np.busday_offset(np.datetime64(pd.Timestamp(day).date(), "D"), 0,
                                         roll="backward", holidays=_holidays("fedwire")))


def tga_summary(tga: pd.Series | None, target: dict | None, as_of: pd.Timestamp) -> dict | None:
    """Today's TGA against the end-of-quarter target: balance and its date, target, release,
    gap (target - balance), business days left and the straight-line pace per day."""
    if tga is None or tga.dropna().empty:
        latest = None
    else:
        s = tga.dropna()
        s = s[s.index <= as_of]
        latest = (s.index[-1], float(s.iloc[-1])) if len(s) else None
    if latest is None and target is None:
        return None
    out = {"balance_bn": None, "balance_date": None, "target": target, "gap_bn": None,
           "target_day": None, "business_days_left": None, "pace_bn_per_day": None}
    if latest is not None:
        out["balance_date"], out["balance_bn"] = latest
    if target is not None:
        end = last_business_day(target["quarter_end"])
        out["target_day"] = end
        if latest is not None:
            left = len(business_days(latest[0] + pd.Timedelta(days=1), end))
            out["gap_bn"] = target["balance_bn"] - latest[1]
            out["business_days_left"] = left
            out["pace_bn_per_day"] = out["gap_bn"] / left if left else None
    return out


def tga_line(tga: pd.Series | None, target: dict | None, as_of: pd.Timestamp,
             days: pd.DatetimeIndex) -> dict:
    """The TGA on the straight line from its latest balance to the target, for the days up
    to the quarter's last business day (USD billions); {} without both ends."""
    s = tga_summary(tga, target, as_of)
    if not s or s["pace_bn_per_day"] is None:
        return {}
    start = s["balance_date"]
    path = {}
    for d in days:
        if d > s["target_day"]:
            break
        k = len(business_days(start + pd.Timedelta(days=1), d))
        path[d] = s["balance_bn"] + s["pace_bn_per_day"] * k
    return path
