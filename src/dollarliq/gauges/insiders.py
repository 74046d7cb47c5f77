"""Insider selling: net open-market sales by officers, directors and 10% owners (Form 4).

Open-market sales are transaction code S, purchases code P, in the non-derivative table;
value = shares x reported price (weighted-average price where the filer reports one). Grants
(A), option exercises (M), tax withholding (F), gifts (G) and other codes are not trades in
the market and are left out. A row whose price is given only in a footnote has no USD value:
it is counted in shares and listed as unpriced. Sales under a Rule 10b5-1 plan are included
and also reported separately (pre-scheduled sales say less about an insider's view).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite
from dollarliq.sources.edgar import InsiderTransaction

WINDOWS_DAYS = {"3m": 91, "12m": 365}


def transactions_frame(txs: Iterable[InsiderTransaction | dict]) -> pd.DataFrame:
    """Transactions -> a frame with parsed dates (one row per Form 4 row)."""
    rows = [t.as_dict() if isinstance(t, InsiderTransaction) else dict(t) for t in txs]
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["filing_date"] = pd.to_datetime(df.get("filing_date"), errors="coerce")
    return df


def net_insider_sales(txs: Iterable[InsiderTransaction | dict], *, as_of: pd.Timestamp,
                      top: int = 5) -> dict:
    """Net insider sales over the last 3 and 12 months to ``as_of``, USD, per ticker.

    Only filings public on ``as_of`` count (filing date <= as_of; the transaction date when
    a filing date is missing). For each window: sales_usd, purchases_usd, net_sales_usd
    (sales - purchases), sales under 10b5-1 plans, unpriced sale shares, and the largest
    sellers by USD.
    """
    df = transactions_frame(txs)
    if df.empty:
        raise NotEnoughData("no Form 4 transactions")
    public = df["filing_date"].fillna(df["date"])
    df = df[(public <= as_of) & (df["table"] == "non_derivative")]
    out: dict = {"as_of": f"{as_of:%Y-%m-%d}", "windows": {}}
    for label, days in WINDOWS_DAYS.items():
        w = df[(df["date"] > as_of - pd.Timedelta(days=days)) & (df["date"] <= as_of)]
        sales = w[w["code"] == "S"]
        buys = w[w["code"] == "P"]
        per_ticker = {}
        for t in sorted(set(w["ticker"])):
            s, b = sales[sales["ticker"] == t], buys[buys["ticker"] == t]
            per_ticker[t] = {
                "sales_usd": finite(s["value_usd"].sum(), 2),
                "purchases_usd": finite(b["value_usd"].sum(), 2),
                "net_sales_usd": finite(s["value_usd"].sum() - b["value_usd"].sum(), 2),
                "sales_10b5_1_usd": finite(s.loc[s["plan_10b5_1"], "value_usd"].sum(), 2),
                "sale_shares": finite(s["shares"].sum(), 0),
                "unpriced_sale_shares": finite(s.loc[s["value_usd"].isna(), "shares"].sum(), 0),
            }
        sellers = (sales.groupby(["ticker", "owner_name"])["value_usd"].sum()
                   .sort_values(ascending=False).head(top))
        out["windows"][label] = {
            "sales_usd": finite(sales["value_usd"].sum(), 2),
            "purchases_usd": finite(buys["value_usd"].sum(), 2),
            "net_sales_usd": finite(sales["value_usd"].sum() - buys["value_usd"].sum(), 2),
            "by_ticker": per_ticker,
            "largest_sellers": [{"ticker": t, "owner": o, "sales_usd": finite(v, 2)}
                                for (t, o), v in sellers.items()],
        }
    return out
