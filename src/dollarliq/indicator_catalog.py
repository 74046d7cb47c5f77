"""The derived series (indicators): ids with units in their names, names in two languages.

Light on purpose (no pandas): ``dollarliq series list/show`` read it on their fast path.
The computations are in :mod:`dollarliq.indicators`.
"""

from __future__ import annotations

from dataclasses import dataclass

WEEKS = {"1w": 5, "4w": 20, "13w": 65}


@dataclass(frozen=True)
class IndicatorSpec:
    """A derived series: id (unit in the name), names, unit, and its level.

    level ``obs``: defined on observation dates (a spread on the day it applies to), with the
    release date of its latest input; ``daily``: known-daily on business days.
    """

    id: str
    name_en: str
    name_zh: str
    unit: str
    level: str = "daily"
    inputs: tuple[str, ...] = ()


_IND = [
    IndicatorSpec("net_liquidity_usd_bn", "Net liquidity (Fed assets − TGA − ON RRP)",
                  "净流动性(美联储资产−TGA−逆回购)", "usd_bn", inputs=("WALCL", "TGA_DTS", "WTREGEN", "RRPONTSYD")),
    *[IndicatorSpec(f"net_liquidity_chg_{w}_usd_bn", f"Net liquidity, {w} change",
                    f"净流动性{w}变化", "usd_bn", inputs=("WALCL", "TGA_DTS", "RRPONTSYD"))
      for w in WEEKS],
    IndicatorSpec("walcl_usd_bn", "Fed total assets", "美联储总资产", "usd_bn", inputs=("WALCL",)),
    IndicatorSpec("walcl_chg_1w_usd_bn", "Fed total assets, 1-week change", "美联储总资产周变化",
                  "usd_bn", inputs=("WALCL",)),
    IndicatorSpec("walcl_chg_4w_usd_bn", "Fed total assets, 4-week change", "美联储总资产4周变化",
                  "usd_bn", inputs=("WALCL",)),
    IndicatorSpec("qt_pace_usd_bn_per_month", "QT pace: change of Fed assets per month (13-week)",
                  "缩表速度(月均, 13周)", "usd_bn_per_month", inputs=("WALCL",)),
    IndicatorSpec("tga_usd_bn", "Treasury General Account (DTS daily, else H.4.1 weekly)",
                  "财政部一般账户", "usd_bn", inputs=("TGA_DTS", "WTREGEN")),
    *[IndicatorSpec(f"tga_chg_{w}_usd_bn", f"TGA, {w} change (a rise drains reserves)",
                    f"财政部账户{w}变化(上升即抽水)", "usd_bn", inputs=("TGA_DTS", "WTREGEN"))
      for w in WEEKS],
    IndicatorSpec("rrp_usd_bn", "ON RRP balance left (first line of defence)",
                  "隔夜逆回购余额(第一道防线)", "usd_bn", inputs=("RRPONTSYD",)),
    IndicatorSpec("rrp_chg_4w_usd_bn", "ON RRP, 4-week change", "逆回购4周变化", "usd_bn",
                  inputs=("RRPONTSYD",)),
    IndicatorSpec("rrp_chg_13w_usd_bn", "ON RRP, 13-week change", "逆回购13周变化", "usd_bn",
                  inputs=("RRPONTSYD",)),
    IndicatorSpec("reserves_usd_bn", "Reserve balances (week average)", "银行准备金(周均)",
                  "usd_bn", inputs=("WRESBAL",)),
    IndicatorSpec("reserves_pctile_5y", "Reserves against their last five years (percentile)",
                  "准备金在近五年中的分位", "percentile", inputs=("WRESBAL",)),
    IndicatorSpec("reserve_slope_bp_per_100bn",
                  "Reserve demand curve slope: EFFR − IORB per $100bn of reserves (2 years)",
                  "准备金需求曲线斜率(每千亿美元)", "bp_per_100bn", inputs=("WRESBAL", "EFFR")),
    IndicatorSpec("sofr_iorb_bp", "SOFR − IORB (IOER before 2021-07-29)", "SOFR−准备金利率",
                  "bp", level="obs", inputs=("SOFR", "IORB", "IOER")),
    IndicatorSpec("sofr_iorb_persistent_bp", "SOFR − IORB, persistent level (calendar days excluded)",
                  "SOFR−准备金利率(剔除日历效应的持续水平)", "bp", level="obs",
                  inputs=("SOFR", "IORB", "IOER")),
    IndicatorSpec("sofr_iorb_excess_bp", "SOFR − IORB above its persistent level",
                  "SOFR−准备金利率超出持续水平", "bp", inputs=("SOFR", "IORB", "IOER")),
    IndicatorSpec("effr_iorb_bp", "EFFR − IORB", "有效联邦基金利率−准备金利率", "bp",
                  level="obs", inputs=("EFFR", "DFF", "IORB", "IOER")),
    IndicatorSpec("effr_iorb_persistent_bp", "EFFR − IORB, persistent level",
                  "有效联邦基金利率−准备金利率(持续水平)", "bp", level="obs",
                  inputs=("EFFR", "DFF", "IORB", "IOER")),
    IndicatorSpec("effr_iorb_excess_bp", "EFFR − IORB above its persistent level",
                  "有效联邦基金利率−准备金利率超出持续水平", "bp", inputs=("EFFR", "IORB")),
    IndicatorSpec("sofr99_iorb_bp", "SOFR 99th percentile − IORB", "SOFR第99百分位−准备金利率",
                  "bp", level="obs", inputs=("SOFR99", "IORB")),
    IndicatorSpec("tgcr_rrp_bp", "TGCR − ON RRP offering rate", "三方回购利率−逆回购利率", "bp",
                  level="obs", inputs=("TGCR", "RRP_RATE")),
    IndicatorSpec("vix_idx", "VIX", "VIX波动率指数", "index", inputs=("VIXCLS",)),
    IndicatorSpec("hy_oas_bp", "High-yield option-adjusted spread", "高收益债利差", "bp",
                  inputs=("BAMLH0A0HYM2",)),
    IndicatorSpec("hy_oas_chg_20d_bp", "High-yield spread, 20-day change", "高收益债利差20日变化",
                  "bp", inputs=("BAMLH0A0HYM2",)),
    IndicatorSpec("stlfsi_idx", "St. Louis Fed Financial Stress Index", "圣路易斯联储金融压力指数",
                  "index", inputs=("STLFSI4",)),
    IndicatorSpec("srf_usd_bn", "Standing repo facility take-up", "常备回购便利使用量", "usd_bn",
                  inputs=("RPONTSYD",)),
]
INDICATORS: dict[str, IndicatorSpec] = {i.id: i for i in _IND}
