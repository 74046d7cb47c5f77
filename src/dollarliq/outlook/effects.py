"""What history says a kind of day does to the price of overnight money.

Measured on business days of the sample (2018-2026 where the inputs exist): the spread of
SOFR and of TGCR over the interest rate on reserves (IORB; IOER before 2021-07-29), in
basis points, less its own median over the 21 business days centred on the day (the
local level: the regime of the day, with spikes left out). For each kind of day (net
settlement of at least :data:`NET_THRESHOLD_BN`, tax dates, month ends, quarter ends) the
effect is the mean of that excess on those days less its mean on *other days* (days of none
of these kinds), with a 95% interval (normal approximation with the two samples'
variances) and the day counts. A kind of day gets a tag only where the interval excludes
zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dollarliq.dates import funding_calendar

NET_THRESHOLD_BN = 50.0
KINDS = ("net_settlement", "tax_date", "month_end", "quarter_end")
SPREADS = {"sofr": "SOFR", "tgcr": "TGCR"}
WINDOW = 21
Z95 = 1.959963984540054


def policy_rate(iorb: pd.Series | None, ioer: pd.Series | None) -> pd.Series:
    """IORB, extended back with IOER (the same administered rate before 2021-07-29), pct."""
    parts = [s for s in (ioer, iorb) if s is not None and not s.empty]
    if not parts:
        return pd.Series(dtype=float)
    out = pd.concat(parts)
    return out[~out.index.duplicated(keep="last")].sort_index()


def day_kinds(days: pd.DatetimeIndex, net_bn: pd.Series) -> pd.DataFrame:
    """Boolean columns :data:`KINDS` and ``other`` for ``days``; ``net_bn`` is the net
    settlement per day in USD billions (days absent: 0)."""
    cal = funding_calendar(days)
    out = pd.DataFrame(index=days)
    out["net_settlement"] = net_bn.reindex(days).fillna(0.0).to_numpy() >= NET_THRESHOLD_BN
    out["tax_date"] = cal["tax_date"].to_numpy()
    out["month_end"] = cal["month_end"].to_numpy()
    out["quarter_end"] = cal["quarter_end"].to_numpy()
    out["other"] = ~out[list(KINDS)].any(axis=1)
    return out


def excess_bp(rate: pd.Series, policy: pd.Series) -> pd.Series:
    """(rate - policy) in bp, less its centred 21-business-day median."""
    both = pd.concat([rate.rename("r"), policy.rename("p")], axis=1, sort=True)
    both["p"] = both["p"].ffill()
    spread = ((both["r"] - both["p"]) * 100).dropna()
    base = spread.rolling(WINDOW, center=True, min_periods=WINDOW // 2).median()
    return (spread - base).dropna()


def measure(rates: dict[str, pd.Series], policy: pd.Series, net_bn: pd.Series,
            start: pd.Timestamp, end: pd.Timestamp) -> list[dict]:
    """The effects table: one row per (spread, kind of day).

    Parameters
    ----------
    rates : dict of str to Series
        ``{"sofr": SOFR, "tgcr": TGCR}`` daily, pct.
    policy : Series
        IORB/IOER, pct (forward-filled onto the rate days).
    net_bn : Series
        Net settlement per day (issued - maturing), USD billions.
    start, end : Timestamp
        The sample (days with both the rate and complete settlement data).

    Returns
    -------
    list of dict
        spread, kind, days, other_days, mean_bp, other_mean_bp, effect_bp, lo_bp, hi_bp,
        significant (the 95% interval excludes zero); numbers None where a kind has fewer
        than 5 days.
    """
    out = []
    for name, rate in rates.items():
        if rate is None or rate.empty or policy.empty:
            continue
        ex = excess_bp(rate, policy)
        ex = ex[(ex.index >= start) & (ex.index <= end)]
        kinds = day_kinds(pd.DatetimeIndex(ex.index), net_bn)
        other = ex[kinds["other"].to_numpy()]
        for kind in KINDS:
            x = ex[kinds[kind].to_numpy()]
            row = {"spread": f"{name}_iorb", "kind": kind, "days": int(len(x)),
                   "other_days": int(len(other)), "mean_bp": None, "other_mean_bp": None,
                   "effect_bp": None, "lo_bp": None, "hi_bp": None, "significant": False}
            if len(x) >= 5 and len(other) >= 5:
                diff = float(x.mean() - other.mean())
                se = float(np.sqrt(x.var(ddof=1) / len(x) + other.var(ddof=1) / len(other)))
                lo, hi = diff - Z95 * se, diff + Z95 * se
                row.update(mean_bp=float(x.mean()), other_mean_bp=float(other.mean()),
                           effect_bp=diff, lo_bp=lo, hi_bp=hi,
                           significant=bool(lo > 0 or hi < 0))
            out.append(row)
    return out


def tags_for(kinds: pd.DataFrame, table: list[dict]) -> list[list[dict]]:
    """Per row of ``kinds`` (from :func:`day_kinds`), the measured effects that apply and
    are significant: dicts with spread, kind, effect_bp, lo_bp, hi_bp, days."""
    sig = [r for r in table if r["significant"]]
    out = []
    for _, row in kinds.iterrows():
        out.append([{k: r[k] for k in ("spread", "kind", "effect_bp", "lo_bp", "hi_bp",
                                        "days")}
                    for r in sig if bool(row.get(r["kind"], False))])
    return out
