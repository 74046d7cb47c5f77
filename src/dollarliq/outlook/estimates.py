"""The Treasury's announced end-of-quarter cash balance (quarterly refunding), point-in-time.

Package data ``data/financing_estimates.csv``: one row per quoted sentence of the
"Treasury Announces Marketable Borrowing Estimates" releases (``release_date``,
``press_release`` id, ``quarter`` such as ``2026Q1``, ``kind`` ``estimate`` or ``actual``,
``privately_held_net_marketable_borrowing_bn``, ``end_of_quarter_cash_balance_bn`` in USD
billions, the ``quote`` and its ``source``). An estimate is public from its release date.
docs/sources.md says how to add a quarter's statement.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

PATH = Path(__file__).resolve().parent.parent / "data" / "financing_estimates.csv"


@lru_cache(maxsize=1)
def load(path: Path = PATH) -> pd.DataFrame:
    """The curated table, release dates parsed; quarter ends as ``quarter_end``."""
    df = pd.read_csv(path, dtype={"press_release": str, "quarter": str, "kind": str})
    df["release_date"] = pd.to_datetime(df["release_date"])
    df["quarter_end"] = pd.PeriodIndex(df["quarter"], freq="Q").end_time.normalize()
    return df


def quarter_end(day: pd.Timestamp) -> pd.Timestamp:
    """The calendar end of the quarter holding ``day``."""
    return pd.Period(pd.Timestamp(day), freq="Q").end_time.normalize()


def target(as_of: pd.Timestamp, table: pd.DataFrame | None = None) -> dict | None:
    """The end-of-quarter cash balance estimate for the quarter holding ``as_of``, as the
    latest release public on ``as_of`` states it; None when no release public by then
    gives one. Keys: quarter, quarter_end, balance_bn, release, release_date, quote."""
    t = pd.Timestamp(as_of)
    df = load() if table is None else table
    q = f"{t.year}Q{(t.month - 1) // 3 + 1}"
    rows = df[(df["kind"] == "estimate") & (df["quarter"] == q) & (df["release_date"] <= t)]
    if rows.empty:
        return None
    row = rows.sort_values("release_date").iloc[-1]
    return {"quarter": q, "quarter_end": row["quarter_end"],
            "balance_bn": float(row["end_of_quarter_cash_balance_bn"]),
            "release": str(row["press_release"]), "release_date": row["release_date"],
            "quote": str(row["quote"])}
