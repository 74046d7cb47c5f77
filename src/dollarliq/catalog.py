"""The series catalog: every series dollarliq knows, where it comes from and in what units.

Units are converted once, at ingestion, with ``scale``: money is stored in billions of USD
(``usd_bn``), rates in percent (``pct``), spreads in basis points (``bp``), prices in USD per share.
The ``release`` rule turns an observation date into the date the value became public when a
source does not say so itself (FRED without vintages, fredgraph.csv, the embedded snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass

from dollarliq.dates import ReleaseRule
from dollarliq.errors import UnknownSeries, UsageError, shown

UNIT_NAMES = {
    "usd_bn": ("billions of USD", "十亿美元"),
    "pct": ("percent", "百分比"),
    "bp": ("basis points", "基点"),
    "index": ("index", "指数"),
    "usd": ("USD", "美元"),
    "usd_per_share": ("USD per share", "美元/股"),
    "ratio": ("ratio", "比率"),
    "percentile": ("percentile rank, 0-100", "百分位"),
    "bp_per_100bn": ("basis points per $100bn", "基点/千亿美元"),
    "usd_bn_per_month": ("billions of USD per month", "十亿美元/月"),
    "shares": ("shares", "股"),
}

SOURCES = ("fred", "nyfed", "treasury", "fedboard", "ofr", "ofr_stfm", "cboe", "yahoo",
           "shiller",
           "edgar")


@dataclass(frozen=True)
class SeriesSpec:
    """One series: identity, provenance, units and timing.

    id : str
        dollarliq's id (the provider's id where there is one, e.g. ``WALCL``).
    source : str
        The provider ``dollarliq update`` fetches it from: the publisher (fedboard, nyfed,
        treasury, cboe, ofr, yahoo, edgar) or fred for the series only FRED carries.
    source_id : str
        The provider's own key (FRED id, DDP ``REL/REL/CODE``, NY Fed rate type, Yahoo
        symbol, ...).
    native_unit, unit, scale :
        Unit on the source, unit stored, and the factor between them (stored = native * scale).
    freq : str
        ``D`` business daily, ``W-WED`` weekly dated Wednesday, ``W-FRI``, ``M`` monthly.
    obs_convention : str
        What the observation date means (a Wednesday level, a week average, a daily close, ...).
    release : ReleaseRule
        When a value becomes public, counted from its observation date.
    fred_id : str | None
        The FRED mirror of the series, when the primary source is not FRED.
    field : str
        The field of a multi-field payload (NY Fed ``percentRate``, Yahoo ``close``, ...).
    fred_scale : float | None
        Factor from the FRED mirror's unit to the stored unit when it differs from the
        publisher's (``scale``): FRED gives ON RRP in USD billions, the NY Fed in USD.
    """

    id: str
    source: str
    source_id: str
    name_en: str
    name_zh: str
    native_unit: str
    unit: str
    scale: float
    freq: str
    obs_convention: str
    release: ReleaseRule
    fred_id: str | None = None
    field: str = "value"
    fred_scale: float | None = None
    start: str | None = None
    #: The day a program stopped (its series then says nothing about stress), or None.
    ended: str | None = None
    notes: str = ""
    tags: tuple[str, ...] = ()

    @property
    def mirror_scale(self) -> float:
        """stored = FRED mirror value * mirror_scale."""
        return self.scale if self.fred_scale is None else self.fred_scale

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, (self.unit, self.unit))[0]


SAME_DAY = ReleaseRule("bdays", 0)
NEXT_BDAY = ReleaseRule("bdays", 1)
H41 = ReleaseRule("bdays", 1)  # H.4.1: Wednesday data, released Thursday 16:30 ET
CHICAGO_NFCI = ReleaseRule("days", 5)  # week ending Friday, released the next Wednesday
STLFSI = ReleaseRule("days", 6)  # week ending Friday, released the next Thursday
H10_WEEKLY = ReleaseRule("days", 7)  # H.10 broad dollar: released Mondays for the week before
MONTHLY = ReleaseRule("month_end_bdays", 1)
# H.8: weekly data for the week ending Wednesday, released on the Friday of the following week
H8 = ReleaseRule("days", 9)
# OFR Financial Stress Index: daily, published with the close of the next business day
OFR_DAILY = ReleaseRule("bdays", 1)


def _fred(id: str, en: str, zh: str, native: str, unit: str, scale: float, freq: str,
          conv: str, release: ReleaseRule, **kw) -> SeriesSpec:
    return SeriesSpec(id=id, source="fred", source_id=id, name_en=en, name_zh=zh,
                      native_unit=native, unit=unit, scale=scale, freq=freq,
                      obs_convention=conv, release=release, fred_id=id, **kw)


def _fedboard(id: str, ddp: str, en: str, zh: str, release: ReleaseRule = H41,
              conv: str = "Wednesday level", native: str = "usd_mn", scale: float = 1e-3,
              unit: str = "usd_bn", freq: str = "W-WED", **kw) -> SeriesSpec:
    """A Federal Reserve Board release series (Data Download Program id ``REL/REL/CODE``).

    ``id`` is the FRED id of the same series (FRED mirrors the Board's release).
    """
    return SeriesSpec(id=id, source="fedboard", source_id=ddp, name_en=en, name_zh=zh,
                      native_unit=native, unit=unit, scale=scale, freq=freq,
                      obs_convention=conv, release=release, fred_id=id, **kw)


def _nyfed(id: str, rate_type: str, fld: str, en: str, zh: str, native: str, unit: str,
           fred_id: str | None = None, **kw) -> SeriesSpec:
    return SeriesSpec(id=id, source="nyfed", source_id=rate_type, name_en=en, name_zh=zh,
                      native_unit=native, unit=unit, scale=1.0, freq="D",
                      obs_convention="business day the rate applies to", release=NEXT_BDAY,
                      fred_id=fred_id, field=fld, **kw)


def _yahoo(id: str, symbol: str, en: str, zh: str, fld: str = "close",
           unit: str = "usd_per_share",
           **kw) -> SeriesSpec:
    return SeriesSpec(id=id, source="yahoo", source_id=symbol, name_en=en, name_zh=zh,
                      native_unit=unit, unit=unit, scale=1.0, freq="D",
                      obs_convention="daily close, New York", release=SAME_DAY, field=fld, **kw)


_PCTL = {"1": "1st", "25": "25th", "75": "75th", "99": "99th"}

_SPECS: list[SeriesSpec] = [
    # --- Fed balance sheet (H.4.1, Federal Reserve Board DDP), millions -> billions
    _fedboard("WALCL", "H41/H41/RESPPA_N.WW", "Fed total assets", "美联储总资产",
              tags=("core", "balance_sheet"),
              notes="DDP code from public code (not in the recorded H.4.1 CSV)."),
    _fedboard("WRESBAL", "H41/H41/RESH4R_XAW_N.WW",
              "Reserve balances with Federal Reserve Banks", "银行准备金余额",
              conv="week average ending Wednesday", tags=("core", "buffer")),
    _fedboard("WTREGEN", "H41/H41/RESPPLLDT_XAW_N.WW", "Treasury General Account (week average)",
              "财政部一般账户(周均)", conv="week average ending Wednesday",
              tags=("core", "drain")),
    _fedboard("WDTGAL", "H41/H41/RESPPLLDT_N.WW", "Treasury General Account (Wednesday level)",
              "财政部一般账户(周三)", tags=("drain",)),
    # --- Fed backstops and holdings (H.4.1, Federal Reserve Board), millions -> billions
    _fedboard("WLCFLPCL", "H41/H41/RESPPALDP_N.WW", "Discount window: primary credit",
              "贴现窗口:一级信贷", tags=("backstop",)),
    _fedboard("H41RESPPALDKNWW", "H41/H41/RESPPALDK_N.WW", "Bank Term Funding Program loans",
              "银行定期融资计划(BTFP)贷款", tags=("backstop",), ended="2024-03-11",
              notes="Program open 2023-03-12 to 2024-03-11; zero before."),
    _fedboard("SWPT", "H41/H41/RESH4SCS_N.WW", "Central bank liquidity swaps",
              "央行流动性互换", tags=("backstop",)),
    _fedboard("H41RESPPALGTRFNWW", "H41/H41/RESPPALGTRF_N.WW",
              "Repurchase agreements with foreign official accounts (FIMA repo)",
              "外国官方回购(FIMA)", tags=("backstop",)),
    _fedboard("WORAL", "H41/H41/RESPPALGTR_N.WW", "Repurchase agreements (all, H.4.1)",
              "回购协议(H.4.1合计)", tags=("backstop",)),
    _fedboard("WLRRAL", "H41/H41/RESPPLLR_N.WW", "Reverse repurchase agreements (total, H.4.1)",
              "逆回购协议(H.4.1合计)", tags=("buffer",),
              notes="ON RRP plus the foreign official reverse repo pool."),
    _fedboard("TREAST", "H41/H41/RESPPALGUO_N.WW", "Fed Treasury securities held outright",
              "美联储持有美国国债", tags=("balance_sheet",)),
    _fedboard("WSHOMCB", "H41/H41/RESPPALGASMO_N.WW", "Fed mortgage-backed securities held",
              "美联储持有MBS", tags=("balance_sheet",)),
    _fedboard("TLAACBW027SBOG", "H8/H8/B1151NCBA", "Commercial bank total assets (H.8, SA)",
              "商业银行总资产(H.8,季调)", release=H8, conv="week ending Wednesday",
              native="usd_bn", scale=1.0, tags=("buffer",),
              notes="H.8 table 2, all commercial banks, seasonally adjusted, weekly. DDP code "
                    "from public code that reads it from the Board's H.8 package; no recording."),
    # --- Fed facilities (NY Fed operation results; dollars -> billions)
    SeriesSpec(id="RRPONTSYD", source="nyfed", source_id="reverserepo",
               name_en="Overnight reverse repo (ON RRP) take-up", name_zh="隔夜逆回购余额",
               native_unit="usd", unit="usd_bn", scale=1e-9, freq="D",
               obs_convention="operation date", release=SAME_DAY,
               field="amtAccepted:Treasury", fred_id="RRPONTSYD", fred_scale=1.0,
               tags=("core", "buffer"),
               notes="Treasury securities sold in the overnight reverse repo operations."),
    SeriesSpec(id="RPONTSYD", source="nyfed", source_id="repo",
               name_en="Fed overnight repo operations (standing repo facility)",
               name_zh="美联储隔夜回购操作(常备回购)", native_unit="usd", unit="usd_bn",
               scale=1e-9, freq="D", obs_convention="operation date", release=SAME_DAY,
               field="amtAccepted:Treasury", fred_id="RPONTSYD", fred_scale=1.0,
               tags=("backstop",),
               notes="Treasury collateral accepted in the overnight repo operations "
                     "(standing repo facility); agency and MBS collateral excluded."),
    # --- Policy rates: IORB from the Board's policy-rates release; the others from FRED
    _fedboard("IORB", "PRATES/PRATES/RESBM_N.D", "Interest on reserve balances",
              "准备金余额利率", release=SAME_DAY, conv="day the rate applies to",
              native="pct", scale=1.0, unit="pct", freq="D", start="2021-07-29",
              tags=("core", "policy"),
              notes="DDP code from public code that reads it from the Board's PRATES "
                    "package; no recording."),
    _fred("IOER", "Interest on excess reserves (before 2021-07-29)", "超额准备金利率", "pct",
          "pct", 1.0, "D", "day the rate applies to", SAME_DAY, tags=("policy",),
          notes="Discontinued 2021-07-28; IORB continues it."),
    _fred("DFEDTARU", "Fed funds target range, upper limit", "联邦基金目标区间上限", "pct",
          "pct", 1.0, "D", "day the range applies to", SAME_DAY, tags=("policy",)),
    _fred("DFEDTARL", "Fed funds target range, lower limit", "联邦基金目标区间下限", "pct",
          "pct", 1.0, "D", "day the range applies to", SAME_DAY, tags=("policy",)),
    _fred("DFF", "Effective federal funds rate (7-day)", "有效联邦基金利率(每日)", "pct",
          "pct", 1.0, "D", "day the rate applies to", NEXT_BDAY, tags=("rates",)),
    _fred("FEDFUNDS", "Effective federal funds rate, monthly average", "有效联邦基金利率(月均)",
          "pct", "pct", 1.0, "M", "month average", MONTHLY, tags=("rates",)),
    # --- Market rates and spreads, FRED
    _fred("DGS10", "10-year Treasury yield", "10年期美债收益率", "pct", "pct", 1.0, "D",
          "business day", NEXT_BDAY, tags=("rates",)),
    _fred("DGS2", "2-year Treasury yield", "2年期美债收益率", "pct", "pct", 1.0, "D",
          "business day", NEXT_BDAY, tags=("rates",)),
    _fred("T10Y2Y", "10-year minus 2-year Treasury spread", "10年-2年美债利差", "pct", "bp",
          100.0, "D", "business day", NEXT_BDAY, tags=("rates",)),
    _fred("BAMLH0A0HYM2", "US high-yield option-adjusted spread", "美国高收益债期权调整利差",
          "pct", "bp", 100.0, "D", "business day", NEXT_BDAY, tags=("credit",)),
    _fred("BAMLC0A0CM", "US investment-grade corporate option-adjusted spread",
          "美国投资级公司债期权调整利差", "pct", "bp", 100.0, "D", "business day", NEXT_BDAY,
          tags=("credit",)),
    _fred("SOFR30DAYAVG", "30-day average SOFR", "30日平均SOFR", "pct", "pct", 1.0, "D",
          "business day", NEXT_BDAY, tags=("rates",)),
    # --- Dollar, equity, volatility, stress, FRED
    _fred("DTWEXBGS", "Nominal broad US dollar index", "名义广义美元指数", "index", "index",
          1.0, "D", "business day", H10_WEEKLY, tags=("dollar",)),
    _fred("SP500", "S&P 500 index", "标普500指数", "index", "index", 1.0, "D", "daily close",
          NEXT_BDAY, tags=("equity",)),
    _fred("NASDAQ100", "Nasdaq-100 index", "纳斯达克100指数", "index", "index", 1.0, "D",
          "daily close", NEXT_BDAY, tags=("equity",)),
    _fred("WILL5000PR", "Wilshire 5000 price index", "威尔希尔5000价格指数", "index", "index",
          1.0, "D", "daily close", NEXT_BDAY, tags=("equity",)),
    SeriesSpec(id="VIXCLS", source="cboe", source_id="VIX",
               name_en="CBOE volatility index (VIX)", name_zh="VIX波动率指数",
               native_unit="index", unit="index", scale=1.0, freq="D",
               obs_convention="daily close", release=NEXT_BDAY, fred_id="VIXCLS",
               tags=("equity",)),
    _fred("STLFSI4", "St. Louis Fed Financial Stress Index", "圣路易斯联储金融压力指数",
          "index", "index", 1.0, "W-FRI", "week ending Friday", STLFSI, tags=("stress",)),
    _fred("NFCI", "Chicago Fed National Financial Conditions Index", "芝加哥联储全国金融状况指数",
          "index", "index", 1.0, "W-FRI", "week ending Friday", CHICAGO_NFCI, tags=("stress",)),
    _fred("ANFCI", "Chicago Fed Adjusted NFCI", "芝加哥联储调整后金融状况指数", "index",
          "index", 1.0, "W-FRI", "week ending Friday", CHICAGO_NFCI, tags=("stress",)),
    # --- OFR Financial Stress Index (daily; a yardstick, not a rule input)
    SeriesSpec(id="OFR_FSI", source="ofr", source_id="OFR FSI",
               name_en="OFR Financial Stress Index", name_zh="OFR金融压力指数",
               native_unit="index", unit="index", scale=1.0, freq="D",
               obs_convention="business day", release=OFR_DAILY, tags=("stress",)),
    SeriesSpec(id="OFR_FSI_FUNDING", source="ofr", source_id="Funding",
               name_en="OFR Financial Stress Index: funding contribution",
               name_zh="OFR金融压力指数:融资分项", native_unit="index", unit="index",
               scale=1.0, freq="D", obs_convention="business day", release=OFR_DAILY,
               tags=("stress",)),
    # --- Treasury cash, Daily Treasury Statement
    SeriesSpec(id="TGA_DTS", source="treasury", source_id="operating_cash_balance",
               name_en="Treasury General Account, daily closing balance (DTS)",
               name_zh="财政部一般账户每日收盘余额(DTS)", native_unit="usd_mn", unit="usd_bn",
               scale=1e-3, freq="D", obs_convention="end of business day", release=NEXT_BDAY,
               tags=("core", "drain")),
    # --- NY Fed reference rates (percent; volumes in billions)
    _nyfed("SOFR", "sofr", "percentRate", "Secured Overnight Financing Rate", "有担保隔夜融资利率",
           "pct", "pct", fred_id="SOFR", tags=("core", "rates")),
    *[_nyfed(f"SOFR{p}", "sofr", f"percentPercentile{p}", f"SOFR {_PCTL[p]} percentile",
             f"SOFR第{p}百分位", "pct", "pct", fred_id=f"SOFR{p}", tags=("rates",))
      for p in ("1", "25", "75", "99")],
    _nyfed("SOFRVOL", "sofr", "volumeInBillions", "SOFR volume", "SOFR成交量", "usd_bn",
           "usd_bn", fred_id="SOFRVOL", tags=("rates",)),
    _nyfed("EFFR", "effr", "percentRate", "Effective federal funds rate", "有效联邦基金利率",
           "pct", "pct", fred_id="EFFR", tags=("core", "rates")),
    *[_nyfed(f"EFFR{p}", "effr", f"percentPercentile{p}", f"EFFR {_PCTL[p]} percentile",
             f"EFFR第{p}百分位", "pct", "pct", fred_id=f"EFFR{p}", tags=("rates",))
      for p in ("1", "25", "75", "99")],
    _nyfed("EFFRVOL", "effr", "volumeInBillions", "EFFR volume", "EFFR成交量", "usd_bn",
           "usd_bn", fred_id="EFFRVOL", tags=("rates",)),
    _nyfed("OBFR", "obfr", "percentRate", "Overnight bank funding rate", "隔夜银行融资利率",
           "pct", "pct", fred_id="OBFR", tags=("rates",)),
    *[_nyfed(f"OBFR{p}", "obfr", f"percentPercentile{p}", f"OBFR {_PCTL[p]} percentile",
             f"OBFR第{p}百分位", "pct", "pct", tags=("rates",)) for p in ("1", "25", "75", "99")],
    _nyfed("OBFRVOL", "obfr", "volumeInBillions", "OBFR volume", "OBFR成交量", "usd_bn",
           "usd_bn", tags=("rates",)),
    *[spec for rate, en, zh in (
        ("TGCR", "Tri-party general collateral rate", "三方一般抵押品回购利率"),
        ("BGCR", "Broad general collateral rate", "广义一般抵押品回购利率"))
      for spec in (
          _nyfed(rate, rate.lower(), "percentRate", en, zh, "pct", "pct", tags=("rates",)),
          *[_nyfed(f"{rate}{p}", rate.lower(), f"percentPercentile{p}",
                   f"{rate} {_PCTL[p]} percentile", f"{rate}第{p}百分位", "pct", "pct",
                   tags=("rates",)) for p in ("1", "25", "75", "99")],
          _nyfed(f"{rate}VOL", rate.lower(), "volumeInBillions", f"{rate} volume",
                 f"{rate}成交量", "usd_bn", "usd_bn", tags=("rates",)),
      )],
    # --- NY Fed open market operations (dollars -> billions)
    SeriesSpec(id="RRP_ACCEPTED", source="nyfed", source_id="reverserepo",
               name_en="ON RRP accepted (NY Fed operation results)", name_zh="隔夜逆回购中标金额",
               native_unit="usd", unit="usd_bn", scale=1e-9, freq="D",
               obs_convention="operation date", release=SAME_DAY, field="totalAmtAccepted",
               tags=("buffer",)),
    SeriesSpec(id="RRP_RATE", source="nyfed", source_id="reverserepo",
               name_en="ON RRP offering rate", name_zh="隔夜逆回购利率", native_unit="pct",
               unit="pct", scale=1.0, freq="D", obs_convention="operation date",
               release=SAME_DAY, field="percentOfferingRate", tags=("policy",)),
    SeriesSpec(id="RPONTTLD", source="nyfed", source_id="repo",
               name_en="Fed overnight repo take-up (standing repo facility; Desk repo "
                       "operations 2019-2020)",
               name_zh="美联储隔夜回购操作中标金额(常备回购便利;2019-2020年公开市场回购)",
               native_unit="usd", unit="usd_bn", scale=1e-9, freq="D",
               obs_convention="operation date", release=SAME_DAY,
               field="totalAmtAccepted:all", fred_id="RPONTTLD", fred_scale=1.0,
               start="2018-05-16", tags=("backstop",),
               notes="All collateral accepted in the overnight repo operations (FRED "
                     "RPONTTLD), small-value exercises included; term repos excluded. Standing repo facility from 2021-07-28; "
                     "before it, the Desk's 2019-09..2020-07 operations, offered to all its "
                     "counterparties."),
    # --- Daily prices (Yahoo chart API); stocks: split-adjusted close; ETFs: total-return close
    *[_yahoo(t, t, n, z, tags=("megacap", "price")) for t, n, z in [
        ("AAPL", "Apple", "苹果"), ("MSFT", "Microsoft", "微软"), ("NVDA", "NVIDIA", "英伟达"),
        ("GOOGL", "Alphabet (class A)", "谷歌A"), ("AMZN", "Amazon", "亚马逊"),
        ("META", "Meta Platforms", "Meta"), ("TSLA", "Tesla", "特斯拉"),
        ("AVGO", "Broadcom", "博通"),
    ]],
    _yahoo("SPY", "SPY", "SPDR S&P 500 ETF (dividend-adjusted)", "标普500ETF(含息调整)",
           fld="adjclose", tags=("price", "etf")),
    _yahoo("QQQ", "QQQ", "Invesco QQQ (Nasdaq-100) ETF (dividend-adjusted)",
           "纳指100ETF(含息调整)", fld="adjclose", tags=("price", "etf")),
    _yahoo("RSP", "RSP", "Invesco S&P 500 Equal Weight ETF (dividend-adjusted)",
           "标普500等权ETF(含息调整)", fld="adjclose", tags=("price", "etf")),
    _yahoo("VIX", "^VIX", "CBOE VIX (Yahoo)", "VIX指数(雅虎)", unit="index", tags=("price",)),
    _yahoo("DXY", "DX-Y.NYB", "ICE US dollar index (DXY)", "美元指数(DXY)", unit="index",
           tags=("dollar", "price")),
    # --- SEC EDGAR share counts (as reported, not split-adjusted); as_of = the filing date
    *[SeriesSpec(id=f"SHARES_{t}", source="edgar", source_id=f"{cik}:{concept}",
                 name_en=f"{n} shares outstanding (SEC XBRL {concept.split(':')[1]})",
                 name_zh=f"{z}流通股数(SEC XBRL)", native_unit="shares", unit="shares",
                 scale=1.0, freq="Q", obs_convention="count at the stated date (as reported, "
                 "not split-adjusted); as_of is the filing date", release=SAME_DAY,
                 tags=("megacap", "shares"))
      for t, cik, concept, n, z in [
          ("AAPL", "0000320193", "dei:EntityCommonStockSharesOutstanding", "Apple", "苹果"),
          ("NVDA", "0001045810", "dei:EntityCommonStockSharesOutstanding", "NVIDIA", "英伟达"),
          ("GOOGL", "0001652044", "us-gaap:CommonStockSharesOutstanding",
           "Alphabet (all classes)", "谷歌(全部股类)"),
          ("TSLA", "0001318605", "dei:EntityCommonStockSharesOutstanding", "Tesla", "特斯拉"),
          ("MSFT", "0000789019", "dei:EntityCommonStockSharesOutstanding", "Microsoft", "微软"),
          ("AMZN", "0001018724", "dei:EntityCommonStockSharesOutstanding", "Amazon", "亚马逊"),
          ("META", "0001326801", "dei:EntityCommonStockSharesOutstanding", "Meta Platforms",
           "Meta"),
          ("AVGO", "0001730168", "dei:EntityCommonStockSharesOutstanding", "Broadcom", "博通"),
      ]],
    *[SeriesSpec(id=f"WASHARES_{t}", source="edgar", source_id=f"{t}:8-K EX-99.1",
                 name_en=f"{n} weighted-average basic shares (earnings release)",
                 name_zh=f"{z}加权平均基本股数(财报新闻稿)", native_unit="shares_mn",
                 unit="shares", scale=1e6, freq="Q",
                 obs_convention="fiscal-quarter weighted average, dated by the release date "
                 "(as printed, not split-adjusted)", release=SAME_DAY,
                 tags=("megacap", "shares"))
      for t, n, z in [("MSFT", "Microsoft", "微软"), ("META", "Meta Platforms", "Meta"),
                      ("AVGO", "Broadcom", "博通")]],
    # --- Funding history before SOFR (FRED; the embedded snapshot carries them from 2000)
    _fred("DFEDTAR", "Fed funds target rate (before 2008-12-16)", "联邦基金目标利率(2008-12-16前)",
          "pct", "pct", 1.0, "D", "day the target applies to", SAME_DAY, tags=("policy", "history"),
          notes="Discontinued 2008-12-15; the target range (DFEDTARL/DFEDTARU) continues it."),
    _fred("TEDRATE", "TED spread: 3-month LIBOR minus 3-month T-bill", "TED利差", "pct", "bp",
          100.0, "D", "London business day", NEXT_BDAY, tags=("funding", "history"),
          notes="Discontinued 2022-01 with USD LIBOR."),
    _fred("USD3MTD156N", "3-month USD LIBOR (ICE)", "3个月美元LIBOR", "pct", "pct", 1.0, "D",
          "London business day", NEXT_BDAY, tags=("funding", "history"),
          notes="Ends 2021-08-31 in the embedded data (FRED kept it to 2022-01)."),
    _fred("DTB3", "3-month Treasury bill, secondary market (discount basis)",
          "3个月国库券二级市场利率(贴现基础)", "pct", "pct", 1.0, "D", "business day",
          NEXT_BDAY, tags=("rates", "history")),
    _fred("DGS3MO", "3-month Treasury constant-maturity yield", "3个月美债恒定期限收益率", "pct",
          "pct", 1.0, "D", "business day", NEXT_BDAY, tags=("rates", "history")),
    _fred("RIFSPPFAAD90NB", "90-day AA financial commercial paper rate",
          "90天AA级金融商业票据利率", "pct", "pct", 1.0, "D", "business day", NEXT_BDAY,
          tags=("funding", "history"), notes="The same rate as FRED DCPF3M; many days unpublished "
          "from 2020 on."),
    _fred("DCPN3M", "3-month AA nonfinancial commercial paper rate",
          "3个月AA级非金融商业票据利率", "pct", "pct", 1.0, "D", "business day", NEXT_BDAY,
          tags=("funding", "history"), notes="Ends 2017-01-12 in the embedded data."),
    _fred("DPSACBW027SBOG", "Commercial bank deposits (H.8, SA)", "商业银行存款(H.8,季调)",
          "usd_bn", "usd_bn", 1.0, "W-WED", "week ending Wednesday", H8,
          tags=("buffer", "history")),
    _fred("TERMAUC", "Term Auction Facility credit, monthly average (H.3)",
          "定期拍卖工具(TAF)信贷,月均", "usd_bn", "usd_bn", 1.0, "M", "month average", MONTHLY,
          tags=("backstop", "history"), notes="Program 2007-12..2010-03; monthly, not the "
          "weekly H.4.1 line."),
    SeriesSpec(id="OFR_REPO_TRI", source="ofr_stfm", source_id="REPO-TRI_AR_OO-P",
               name_en="Tri-party repo rate, overnight/open average (OFR short-term funding "
                       "monitor)", name_zh="三方回购隔夜平均利率(OFR短期融资监测)",
               native_unit="pct", unit="pct", scale=1.0, freq="D",
               obs_convention="business day", release=NEXT_BDAY, start="2014-08-22",
               tags=("rates", "history"),
               notes="Snapshot only (2014-08-22..2025-01-21): the OFR short-term funding "
                     "monitor API is not fetched by update. A volume-weighted mean, close to "
                     "but not the NY Fed's TGCR median."),
    # --- Long-run S&P composite (Shiller), monthly; snapshot only
    SeriesSpec(id="SHILLER_PD", source="shiller", source_id="SP_DV_1871_2010",
               name_en="S&P composite price/dividend ratio (Shiller, 1871-2010)",
               name_zh="标普综合指数市息率(席勒)", native_unit="ratio", unit="ratio",
               scale=1.0, freq="M", obs_convention="monthly average price / dividend",
               release=MONTHLY, tags=("history",)),
]

CATALOG: dict[str, SeriesSpec] = {s.id: s for s in _SPECS}
if len(CATALOG) != len(_SPECS):  # pragma: no cover - guards against a typo in the table
    raise RuntimeError("duplicate series id in the catalog")


#: The tech megacaps the bubble gauges and tests follow (the price series tagged "megacap").
#: The core liquidity inputs (Fed assets, reserves, ON RRP, SOFR): no stage without them; the
#: default as-of date is their latest release and "the data end" their latest observation.
CORE_IDS: tuple[str, ...] = ("WALCL", "WRESBAL", "RRPONTSYD", "SOFR")
MEGACAPS: tuple[str, ...] = tuple(s.id for s in _SPECS
                                  if s.source == "yahoo" and "megacap" in s.tags)
#: Megacaps whose share count comes from SEC XBRL (``SHARES_<T>``) and from earnings
#: releases (``WASHARES_<T>``).
SHARES_TICKERS: tuple[str, ...] = tuple(s.id.removeprefix("SHARES_") for s in _SPECS
                                        if s.id.startswith("SHARES_"))
WEIGHTED_SHARES_TICKERS: tuple[str, ...] = tuple(s.id.removeprefix("WASHARES_") for s in _SPECS
                                                 if s.id.startswith("WASHARES_"))


def get_spec(series_id: str) -> SeriesSpec:
    """The spec of ``series_id`` (case-insensitive); UnknownSeries if not in the catalog."""
    if not isinstance(series_id, str):
        raise UsageError(f"series id {shown(series_id)}: a text id such as 'SOFR', not "
                         f"{type(series_id).__name__}")
    spec = CATALOG.get(series_id) or CATALOG.get(series_id.upper())
    if spec is None:
        close = [k for k in CATALOG if k.lower().startswith(series_id.lower()[:3])][:5]
        from dollarliq.messages import lang_from_env, t

        lang = lang_from_env()
        hint = t("error.did_you_mean", lang, ids=", ".join(close)) if close else ""
        raise UnknownSeries(t("error.unknown_series", lang, sid=shown(series_id), hint=hint))
    return spec


def specs_for_source(source: str) -> list[SeriesSpec]:
    """Every spec whose primary source is ``source``."""
    return [s for s in _SPECS if s.source == source]


def all_specs() -> list[SeriesSpec]:
    return list(_SPECS)
