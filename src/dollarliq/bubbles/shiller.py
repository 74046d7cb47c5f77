"""Reader for the Shiller S&P 500 price/dividend file used by PSY (2015).

Format: ``;``-separated, columns ``Date;Price;Dividend;price dividend ratio;PV ratio``,
monthly; ``Date`` is ``YYYY.MM`` written as a decimal number, so October is
``YYYY.1`` (one digit) and January ``YYYY.01``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import NotEnoughData


def _period(code: str) -> pd.Period:
    year, _, frac = code.strip().partition(".")
    month = int(frac) * 10 if len(frac) == 1 else int(frac)
    return pd.Period(year=int(year), month=month, freq="M")


def read_shiller_csv(path: str | Path, end: str | None = "2010-12") -> pd.DataFrame:
    """Read the file into a DataFrame indexed by monthly ``Period``.

    Columns: ``price`` (S&P composite, index points, monthly average),
    ``dividend`` (index points, annualised), ``pd_ratio`` (price/dividend).
    ``end`` cuts the sample (PSY 2015 use 1871-01 .. 2010-12, T = 1680).
    """
    raw = pd.read_csv(path, sep=";", dtype={"Date": str})
    idx = pd.PeriodIndex([_period(d) for d in raw["Date"]], freq="M")
    out = pd.DataFrame(
        {
            "price": raw["Price"].to_numpy(dtype=float),
            "dividend": raw["Dividend"].to_numpy(dtype=float),
            "pd_ratio": raw["price dividend ratio"].to_numpy(dtype=float),
        },
        index=idx,
    )
    if not out.index.is_monotonic_increasing or out.index.has_duplicates:
        raise ValueError("Shiller file dates are not strictly increasing")
    if end is not None:
        out = out.loc[: pd.Period(end, freq="M")]
    if out.empty:
        raise NotEnoughData("no rows in the Shiller file up to the requested end")
    return out
