"""Auction records, point-in-time: settlement (issue) and maturing amounts per day.

A record (one per CUSIP and issue date, see :mod:`dollarliq.sources.auctions`) is public from
its announcement date with its offering amount, and from its auction date with its accepted
amount. A settlement day's gross issuance is the sum over its records of the accepted amount
where the auction was held by the as-of date, else the offering amount (labelled
``offered``). Maturing amounts are the accepted amounts of earlier issues whose maturity date,
rolled forward to a Fedwire business day, is that day. Amounts are USD (face value, SOMA
add-ons included, as on the Daily Treasury Statement's public-debt issues and redemptions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dollarliq.dates import add_business_days

ACCEPTED, OFFERED = "accepted", "offered"


def category(security_type: pd.Series) -> pd.Series:
    """``bills`` for Treasury bills and cash management bills (FiscalData's ``Bill`` and
    ``CMB``), ``coupons`` for notes, bonds, TIPS and FRNs (``Note``, ``Bond``, ``TIPS Note``,
    ``FRN Note``, ...)."""
    t = security_type.astype(str).str.strip().str.lower()
    return np.where(t.isin(["bill", "cmb"]), "bills", "coupons")


def known(records: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The records public on ``as_of``, each with its ``status`` and ``amount`` (USD).

    A record is public from its announcement date (its auction date when that is missing).
    ``status`` is ``accepted`` once the auction was held (auction date <= as_of) and its
    result is known, else ``offered`` with the offering amount. An announced offering
    without an amount is left out, and so is an offering whose auction has passed when a
    result of the same type and term settles on the same day under another CUSIP (the
    offering was issued as a reopening of an older CUSIP).
    """
    t = pd.Timestamp(as_of)
    r = records.copy()
    public = r["announced"].fillna(r["auction_date"])
    r = r[public <= t].copy()
    held = (r["auction_date"] <= t) & r["total_accepted"].notna()
    r["status"] = np.where(held, ACCEPTED, OFFERED)
    r["amount"] = np.where(held, r["total_accepted"], r["offering_amt"])
    r = r[r["amount"].notna()]
    acc = r[r["status"] == ACCEPTED]
    keys = set(zip(acc["issue_date"], acc["security_type"], acc["security_term"]))
    stale = (r["status"] == OFFERED) & (r["auction_date"] < t) & pd.Series(
        [k in keys for k in zip(r["issue_date"], r["security_type"], r["security_term"])],
        index=r.index, dtype=bool)
    r = r[~stale].copy()
    r["category"] = category(r["security_type"])
    return r.reset_index(drop=True)


def payment_day(dates: pd.Series) -> pd.Series:
    """Maturity dates rolled forward to a Fedwire business day (the day cash is paid)."""
    d = pd.to_datetime(dates)
    out = pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    ok = d.notna()
    if ok.any():
        out[ok] = pd.to_datetime(add_business_days(d[ok], 0))
    return out


def maturing(records: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Records maturing after ``as_of`` whose accepted amount was public on ``as_of``, with
    ``pay_day`` (maturity rolled to a business day), ``amount`` and ``category``."""
    t = pd.Timestamp(as_of)
    r = records[(records["auction_date"] <= t) & records["total_accepted"].notna()].copy()
    r["pay_day"] = payment_day(r["maturity_date"])
    r = r[r["pay_day"] > t].copy()
    r["amount"] = r["total_accepted"]
    r["category"] = category(r["security_type"])
    return r.reset_index(drop=True)


def daily_flows(records: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Gross issuance, maturing and net amounts per business day, USD, for history.

    With ``as_of=None`` every record counts with its accepted amount (ex post: what was
    settled). Columns: bills_issued, coupons_issued, bills_maturing, coupons_maturing, net
    (issued - maturing), indexed by day.
    """
    r = records[records["total_accepted"].notna()].copy()
    if as_of is not None:
        r = r[r["auction_date"] <= pd.Timestamp(as_of)]
    r["category"] = category(r["security_type"])
    r["pay_day"] = payment_day(r["maturity_date"])
    iss = r.pivot_table(index="issue_date", columns="category", values="total_accepted",
                        aggfunc="sum")
    mat = r.pivot_table(index="pay_day", columns="category", values="total_accepted",
                        aggfunc="sum")
    out = pd.DataFrame({
        "bills_issued": iss.get("bills"), "coupons_issued": iss.get("coupons")}).join(
        pd.DataFrame({"bills_maturing": mat.get("bills"),
                      "coupons_maturing": mat.get("coupons")}), how="outer").fillna(0.0)
    out["net"] = (out["bills_issued"] + out["coupons_issued"]
                  - out["bills_maturing"] - out["coupons_maturing"])
    out.index.name = "date"
    return out.sort_index()
