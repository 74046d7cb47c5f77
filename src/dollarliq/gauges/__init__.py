"""Tech-bubble fragility gauges, point-in-time.

Each gauge is a pure function over pandas objects (see the submodules);
:func:`gauges_section` loads what was public on a date from the store, runs every gauge,
and returns one JSON-ready dict (the ``bubble`` section of the report), schema in
``dollarliq/data/gauges.schema.json``. A gauge that cannot be computed says why
(``"status": "unavailable: <reason>"``) and the others are still computed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from dollarliq.errors import DollarliqError, NotEnoughData
from dollarliq.store import Store

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "gauges.schema.json"
NOTICE = "Measurements, not forecasts. Not investment advice."
SHARES_OUTSTANDING = ("AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA",
                      "AVGO")  # catalog SHARES_<T>; the snapshot holds AAPL, NVDA, GOOGL, TSLA
WEIGHTED_SHARES = ("MSFT", "META", "AVGO")  # catalog WASHARES_<T>
FORM4_NAMESPACE = "edgar_form4"  # store cache: ticker -> JSON list of transactions
FACTS_NAMESPACE = "edgar_companyfacts"  # store cache: CIK -> companyfacts body
EDGAR_HINT = ("needs SEC EDGAR data that the embedded snapshot does not hold: run "
              "`dollarliq bubble edgar-update` (with DOLLARLIQ_SEC_CONTACT set)")




def _freshest(*named: tuple[str, pd.Series | None]) -> tuple[str, pd.Series] | None:
    """The series with the latest observation (the first one on ties)."""
    best = None
    for name, s in named:
        if s is None or s.empty:
            continue
        if best is None or s.index[-1] > best[1].index[-1]:
            best = (name, s)
    return best


def latest_as_of(store: Store) -> pd.Timestamp:
    """The latest release date in the store (the default ``as_of``)."""
    cov = store.coverage()
    if not cov:
        raise NotEnoughData("the store is empty; run `dollarliq update`")
    return pd.Timestamp(max(i.last_as_of for i in cov.values()))


def _run(fn: Callable[[], dict]) -> dict:
    try:
        return {"status": "ok", **fn()}
    except DollarliqError as exc:
        return {"status": f"unavailable: {exc}"}


#: Catalog series the gauges read (besides the SEC share counts).
_GAUGE_INPUTS = frozenset({"AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA", "AVGO",
                           "SPY", "QQQ", "RSP", "SP500", "VIX", "VIXCLS", "BAMLH0A0HYM2",
                           "DGS10", "DXY", "DTWEXBGS"})


def gauges_section(store: Store, as_of: pd.Timestamp | None) -> dict:
    """Every bubble gauge as known on ``as_of`` (default: the store's latest release date)."""
    from dollarliq.gauges.concentration import MEGACAPS, concentration, equal_vs_cap_weight
    from dollarliq.gauges.dollar_hoarding import dollar_hoarding
    from dollarliq.gauges.runups import runup
    from dollarliq.gauges.sentiment import fear_greed

    date = pd.Timestamp(as_of) if as_of is not None else latest_as_of(store)
    cache: dict[tuple[str, bool], pd.Series | None] = {}
    loaded: dict[bool, dict[str, pd.Series]] = {}

    def series(sid: str, *, full: bool = False) -> pd.Series | None:
        # One store query per view (as of the date / everything known) serves every gauge.
        if full not in loaded:
            from dollarliq.catalog import CATALOG

            wanted = [k for k in CATALOG
                      if k in _GAUGE_INPUTS or k.startswith(("SHARES_", "WASHARES_"))]
            if full:  # the full history is read for the share counts only (split detection)
                wanted = [k for k in wanted if k.startswith(("SHARES_", "WASHARES_"))]
            long = store.query(wanted, as_of=None if full else date)
            long = long[long["value"].notna()]
            loaded[full] = {k: g.set_index("obs_date")["value"].rename(k)
                            for k, g in long.groupby("series_id", sort=False)}
        key = (sid, full)
        if key not in cache:
            s = loaded[full].get(sid)
            cache[key] = None if s is None or s.empty else s
        return cache[key]

    def need(sid: str) -> pd.Series:
        s = series(sid)
        if s is None:
            raise NotEnoughData(f"{sid} has no value public on {date:%Y-%m-%d}")
        return s

    prices = {t: series(t) for t in MEGACAPS}
    so = {t: series(f"SHARES_{t}") for t in SHARES_OUTSTANDING}
    wa = {t: series(f"WASHARES_{t}") for t in WEIGHTED_SHARES}
    hist = {("shares_outstanding", t): series(f"SHARES_{t}", full=True)
            for t in SHARES_OUTSTANDING}
    hist.update({("weighted_average", t): series(f"WASHARES_{t}", full=True)
                 for t in WEIGHTED_SHARES})

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
            raw = store.cache_get(FORM4_NAMESPACE, t)
            if raw is not None:
                txs.extend(json.loads(raw))
                have.append(t)
        if not have:
            raise NotEnoughData(f"insider selling {EDGAR_HINT}")
        from dollarliq.gauges.insiders import net_insider_sales  # imports the EDGAR parser

        r = net_insider_sales(txs, as_of=date)
        r["tickers_fetched"] = have
        r["tickers_missing"] = [t for t in MEGACAPS if t not in have]
        return r

    def cash() -> dict:
        from dollarliq.gauges.cash_hoarding import BERKSHIRE_CIK, cash_hoarding

        raw = store.cache_get(FACTS_NAMESPACE, str(BERKSHIRE_CIK))
        if raw is None:
            raise NotEnoughData(f"the Berkshire Hathaway cash gauge {EDGAR_HINT}")
        from dollarliq.sources.edgar import parse_companyfacts

        return cash_hoarding(parse_companyfacts(raw), as_of=date)

    gauges = {
        "concentration": _run(conc),
        "equal_vs_cap_weight": _run(lambda: equal_vs_cap_weight(need("RSP"), need("SPY"),
                                                                date=date)),
        "runups": _run(runups),
        "fear_greed": _run(sentiment),
        "dollar_hoarding": _run(dollar),
        "insider_selling": _run(insiders),
        "cash_hoarding": _run(cash),
    }
    return {"as_of": f"{date:%Y-%m-%d}", "notice": NOTICE, "gauges": gauges}


__all__ = ["gauges_section", "latest_as_of", "SCHEMA_PATH"]
