"""Cash hoarding: a company's cash and short-term Treasury holdings as a share of assets.

The yardstick is Berkshire Hathaway (CIK 1067983), whose cash pile is read as a value
investor finding little to buy. Computed from SEC XBRL company facts, quarterly, each
quarter as first filed (10-Q/10-K), public on its filing date.

cash        us-gaap:CashAndCashEquivalentsAtCarryingValue (the first of CASH_CONCEPTS found)
bills       the first of BILLS_CONCEPTS found (short-term investments / marketable securities;
            Berkshire's balance sheet line is "short-term investments in U.S. Treasury
            Bills"; which XBRL concept carries it must be read from its companyfacts)
assets      us-gaap:Assets
"""

from __future__ import annotations

import pandas as pd

from dollarliq.errors import NotEnoughData
from dollarliq.gauges.common import finite

# The SEC parsers (dollarliq.sources.edgar, which loads the HTTP client) are imported where
# they are used: a report without Berkshire's company facts never needs them.

BERKSHIRE_CIK = 1067983
CASH_CONCEPTS = ("us-gaap:CashAndCashEquivalentsAtCarryingValue",
                 "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents")
BILLS_CONCEPTS = ("us-gaap:ShortTermInvestments", "us-gaap:MarketableSecuritiesCurrent",
                  "us-gaap:AvailableForSaleSecuritiesDebtSecuritiesCurrent")
ASSETS_CONCEPT = "us-gaap:Assets"


def _first_available(facts: dict, concepts: tuple[str, ...]) -> tuple[str, pd.Series]:
    from dollarliq.sources.edgar import MissingConcept, concept_facts, first_filed

    errors = []
    for c in concepts:
        try:
            return c, first_filed(concept_facts(facts, c, "USD"))
        except MissingConcept as exc:
            errors.append(str(exc))
    raise MissingConcept(errors[0].rsplit(" ", 1)[0] + " " + " or ".join(concepts))


def cash_share_of_assets(facts: dict) -> pd.DataFrame:
    """Quarterly cash, bills and assets (USD bn) and (cash + bills) / assets (pct).

    Indexed by quarter end; ``filed`` is when the quarter became public. Raises
    MissingConcept (a PayloadError) when the company reports no cash or no assets concept;
    a missing bills concept counts as zero and is named in ``bills_concept`` (None).
    """
    from dollarliq.sources.edgar import MissingConcept

    cash_c, cash = _first_available(facts, CASH_CONCEPTS)
    assets_c, assets = _first_available(facts, (ASSETS_CONCEPT,))
    try:
        bills_c, bills = _first_available(facts, BILLS_CONCEPTS)
    except MissingConcept:
        bills_c, bills = None, None
    df = pd.DataFrame({"cash_usd_bn": cash["val"] / 1e9, "assets_usd_bn": assets["val"] / 1e9,
                       "filed": pd.concat([cash["filed"], assets["filed"]], axis=1).max(axis=1)})
    df["bills_usd_bn"] = 0.0 if bills is None else (bills["val"] / 1e9).reindex(df.index)
    df = df.dropna(subset=["cash_usd_bn", "assets_usd_bn"])
    df["bills_usd_bn"] = df["bills_usd_bn"].fillna(0.0)
    df["cash_and_bills_share_pct"] = 100 * (df["cash_usd_bn"] + df["bills_usd_bn"]) / df[
        "assets_usd_bn"]
    df.attrs.update(cash_concept=cash_c, bills_concept=bills_c, assets_concept=assets_c,
                    entity=facts.get("entityName"))
    return df


def cash_hoarding(facts: dict, *, as_of: pd.Timestamp) -> dict:
    """The latest quarter public on ``as_of`` and where its cash share stands in history."""
    df = cash_share_of_assets(facts)
    df = df[df["filed"] <= as_of]
    if df.empty:
        raise NotEnoughData(f"{facts.get('entityName')}: no quarter filed by {as_of:%Y-%m-%d}")
    last = df.iloc[-1]
    share = df["cash_and_bills_share_pct"]
    higher = share.iloc[:-1][share.iloc[:-1] >= share.iloc[-1]]
    return {
        "entity": facts.get("entityName"), "quarter_end": f"{df.index[-1]:%Y-%m-%d}",
        "filed": f"{last['filed']:%Y-%m-%d}",
        "cash_usd_bn": finite(last["cash_usd_bn"], 2),
        "bills_usd_bn": finite(last["bills_usd_bn"], 2),
        "assets_usd_bn": finite(last["assets_usd_bn"], 2),
        "cash_and_bills_share_pct": finite(last["cash_and_bills_share_pct"], 2),
        "highest_since": None if higher.empty else f"{higher.index[-1]:%Y-%m-%d}",
        "concepts": {"cash": df.attrs.get("cash_concept"), "bills": df.attrs.get("bills_concept"),
                     "assets": df.attrs.get("assets_concept")},
        "quarters": len(df),
    }
