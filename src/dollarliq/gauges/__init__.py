"""Tech-bubble fragility gauges, point-in-time.

Each gauge is a pure function over pandas objects (see the submodules);
:func:`gauges_section` runs every gauge on the inputs public on a date
(:class:`GaugeInputs`, read from the store by :mod:`dollarliq.api`) and returns one
JSON-ready dict (the ``bubble`` section of the report), schema in
``dollarliq/data/gauges.schema.json``. A gauge that cannot be computed says why
(``"status": "unavailable: <reason>"``) and the others are still computed. Nothing here
reads or writes the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dollarliq.catalog import MEGACAPS, SHARES_TICKERS, WEIGHTED_SHARES_TICKERS
from dollarliq.errors import DollarliqError, NotEnoughData

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "gauges.schema.json"
NOTICE = "Measurements, not forecasts. Not investment advice."
FORM4_NAMESPACE = "edgar_form4"  # store cache: ticker -> JSON list of transactions
FACTS_NAMESPACE = "edgar_companyfacts"  # store cache: CIK -> companyfacts body
EDGAR_HINT = ("needs SEC EDGAR data that the embedded snapshot does not hold: run "
              "`dollarliq bubble edgar-update` (with DOLLARLIQ_SEC_CONTACT set)")

#: Catalog price and market series the gauges read (besides the SEC share counts).
MARKET_INPUTS = ("SPY", "QQQ", "RSP", "SP500", "VIX", "VIXCLS", "BAMLH0A0HYM2", "DGS10",
                 "DXY", "DTWEXBGS")
SHARE_IDS = (tuple(f"SHARES_{t}" for t in SHARES_TICKERS)
             + tuple(f"WASHARES_{t}" for t in WEIGHTED_SHARES_TICKERS))
#: Every catalog series the gauges read.
INPUT_IDS = (*MEGACAPS, *MARKET_INPUTS, *SHARE_IDS)


@dataclass(frozen=True)
class GaugeInputs:
    """What the gauges read, as plain data.

    Parameters
    ----------
    series : Mapping[str, pandas.Series]
        Catalog series (:data:`INPUT_IDS`) as known on the date, indexed by observation
        date, in stored units (prices in USD, index levels, spreads in bp, yields in %,
        share counts in shares). A missing series is simply absent.
    share_history : Mapping[str, pandas.Series]
        Every known ``SHARES_<T>`` / ``WASHARES_<T>`` count (all releases), used only to
        detect stock splits from jumps in the counts.
    form4 : Mapping[str, list]
        Ticker -> SEC Form 4 transactions (as cached by ``bubble edgar-update``).
    berkshire_facts : bytes | None
        Berkshire Hathaway's SEC companyfacts body, or None when not fetched.
    """

    series: Mapping[str, pd.Series]
    share_history: Mapping[str, pd.Series] = field(default_factory=dict)
    form4: Mapping[str, list] = field(default_factory=dict)
    berkshire_facts: bytes | None = None


def _freshest(*named: tuple[str, pd.Series | None]) -> tuple[str, pd.Series] | None:
    """The series with the latest observation (the first one on ties)."""
    best = None
    for name, s in named:
        if s is None or s.empty:
            continue
        if best is None or s.index[-1] > best[1].index[-1]:
            best = (name, s)
    return best


def _run(fn: Callable[[], dict], stale: Callable[[], dict[str, str]] | None = None) -> dict:
    """Run one gauge; an ok gauge whose inputs include stale ones lists them.

    ``stale()`` gives ``{series id: last observation date}`` of the gauge's inputs that are
    stale on the date (the liquidity inputs' allowance); they appear as ``stale_inputs``.
    """
    try:
        out = {"status": "ok", **fn()}
    except DollarliqError as exc:
        return {"status": f"unavailable: {exc}"}
    st = stale() if stale is not None else {}
    if st:
        out["stale_inputs"] = st
    return out


def gauges_section(inputs: GaugeInputs, as_of: pd.Timestamp) -> dict:
    """Every bubble gauge on ``as_of`` from ``inputs`` (the data public on that date).

    Parameters
    ----------
    inputs : GaugeInputs
        The series and SEC data public on ``as_of``.
    as_of : pandas.Timestamp
        The date the gauges are computed for.

    Returns
    -------
    dict
        ``{"as_of", "notice", "gauges"}``, valid against ``gauges.schema.json``.
    """
    from dollarliq.gauges.concentration import concentration, equal_vs_cap_weight
    from dollarliq.gauges.dollar_hoarding import dollar_hoarding
    from dollarliq.gauges.runups import runup
    from dollarliq.gauges.sentiment import fear_greed

    date = pd.Timestamp(as_of)

    def series(sid: str, *, full: bool = False) -> pd.Series | None:
        s = (inputs.share_history if full else inputs.series).get(sid)
        return None if s is None or s.empty else s

    def need(sid: str) -> pd.Series:
        s = series(sid)
        if s is None:
            raise NotEnoughData(f"{sid} has no value public on {date:%Y-%m-%d}")
        return s

    def stale(*sids: str | None) -> Callable[[], dict[str, str]]:
        from dollarliq.indicators import last_seen_if_stale

        def check() -> dict[str, str]:
            out = {}
            for sid in sids:
                s = series(sid) if sid else None
                seen = None if s is None else last_seen_if_stale(sid, s.index[-1], date)
                if seen is not None:
                    out[sid] = f"{seen:%Y-%m-%d}"
            return out
        return check

    prices = {t: series(t) for t in MEGACAPS}
    so = {t: series(f"SHARES_{t}") for t in SHARES_TICKERS}
    wa = {t: series(f"WASHARES_{t}") for t in WEIGHTED_SHARES_TICKERS}
    hist = {("shares_outstanding", t): series(f"SHARES_{t}", full=True)
            for t in SHARES_TICKERS}
    hist.update({("weighted_average", t): series(f"WASHARES_{t}", full=True)
                 for t in WEIGHTED_SHARES_TICKERS})

    def conc() -> dict:
        r = concentration({k: v for k, v in prices.items() if v is not None},
                          {k: v for k, v in so.items() if v is not None},
                          {k: v for k, v in wa.items() if v is not None},
                          series("SP500"), date=date, split_histories=hist)
        if r["not_covered"]:
            r["to_include"] = ("names without a recent SEC share count are left out; to "
                               "include them, run `dollarliq bubble edgar-update` (with "
                               "DOLLARLIQ_SEC_CONTACT set)")
        return r

    def runups() -> dict:
        spy = series("SPY")
        names, errors = {}, {}
        for t in (*MEGACAPS, "QQQ"):
            p = series(t)
            if p is None:
                errors[t] = "no price"
                continue
            try:
                sh = so.get(t)
                names[t] = runup(p, spy, date=date, shares=sh,
                                 split_history=hist.get(("shares_outstanding", t)))
            except DollarliqError as exc:
                errors[t] = str(exc)
        if not names:
            raise NotEnoughData("no price series long enough for a two-year return")
        return {"names": names, "unavailable": errors,
                "runup_100pct": [t for t, r in names.items() if r["runup_100pct"]],
                "runup_100pct_net_of_market": [t for t, r in names.items()
                                               if r.get("runup_100pct_net_of_market")],
                "sector_proxy": "QQQ"}

    def sentiment() -> dict:
        idx = _freshest(("SP500", series("SP500")), ("SPY", series("SPY")))
        vix = _freshest(("VIXCLS", series("VIXCLS")), ("VIX", series("VIX")))
        r = fear_greed(index_level=None if idx is None else idx[1],
                       vix=None if vix is None else vix[1],
                       hy_oas_bp=series("BAMLH0A0HYM2"), spy=series("SPY"),
                       dgs10_pct=series("DGS10"), rsp=series("RSP"), date=date)
        r["inputs"] = {"momentum": None if idx is None else idx[0],
                       "volatility": None if vix is None else vix[0],
                       "junk_bond_spread": "BAMLH0A0HYM2", "safe_haven": "SPY, DGS10",
                       "breadth": "RSP, SPY"}
        return r

    def dollar() -> dict:
        # ICE DXY unless it stops before SPY does; then the Fed's broad dollar index
        dxy, spy = series("DXY"), need("SPY")
        d = (("DXY", dxy) if dxy is not None and dxy.index[-1] >= spy.index[-1]
             else _freshest(("DXY", dxy), ("DTWEXBGS", series("DTWEXBGS"))))
        if d is None:
            raise NotEnoughData("no dollar index public on this date")
        return dollar_hoarding(d[1], need("SPY"), need("DGS10"), date=date, dollar_name=d[0])

    def insiders() -> dict:
        txs, have = [], []
        for t in MEGACAPS:
            got = inputs.form4.get(t)
            if got is not None:
                txs.extend(got)
                have.append(t)
        if not have:
            raise NotEnoughData(f"insider selling {EDGAR_HINT}")
        from dollarliq.gauges.insiders import net_insider_sales  # imports the EDGAR parser

        r = net_insider_sales(txs, as_of=date)
        r["tickers_fetched"] = have
        r["tickers_missing"] = [t for t in MEGACAPS if t not in have]
        return r

    def cash() -> dict:
        raw = inputs.berkshire_facts
        if raw is None:
            raise NotEnoughData(f"the Berkshire Hathaway cash gauge {EDGAR_HINT}")
        from dollarliq.gauges.cash_hoarding import cash_hoarding
        from dollarliq.sources.edgar import parse_companyfacts

        return cash_hoarding(parse_companyfacts(raw), as_of=date)

    idx = _freshest(("SP500", series("SP500")), ("SPY", series("SPY")))
    vix = _freshest(("VIXCLS", series("VIXCLS")), ("VIX", series("VIX")))
    dxy = _freshest(("DXY", series("DXY")), ("DTWEXBGS", series("DTWEXBGS")))
    gauges = {
        "concentration": _run(conc, stale(*MEGACAPS)),
        "equal_vs_cap_weight": _run(lambda: equal_vs_cap_weight(need("RSP"), need("SPY"),
                                                                date=date),
                                    stale("RSP", "SPY")),
        "runups": _run(runups, stale(*MEGACAPS, "SPY", "QQQ")),
        "fear_greed": _run(sentiment, stale(idx and idx[0], vix and vix[0], "BAMLH0A0HYM2",
                                            "SPY", "DGS10", "RSP")),
        "dollar_hoarding": _run(dollar, stale(dxy and dxy[0], "SPY", "DGS10")),
        "insider_selling": _run(insiders),
        "cash_hoarding": _run(cash),
    }
    return {"as_of": f"{date:%Y-%m-%d}", "notice": NOTICE, "gauges": gauges}


def read_cached(cache_get: Callable[[str, str], bytes | None]) -> tuple[dict, bytes | None]:
    """(Form 4 transactions per ticker, Berkshire companyfacts body) from a store's cache.

    ``cache_get(namespace, key)`` is :meth:`dollarliq.store.Store.cache_get`.
    """
    from dollarliq.gauges.cash_hoarding import BERKSHIRE_CIK

    form4 = {}
    for t in MEGACAPS:
        raw = cache_get(FORM4_NAMESPACE, t)
        if raw is not None:
            form4[t] = json.loads(raw)
    return form4, cache_get(FACTS_NAMESPACE, str(BERKSHIRE_CIK))


__all__ = ["GaugeInputs", "INPUT_IDS", "SCHEMA_PATH", "gauges_section", "read_cached"]
