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


_SPREAD_NAMES = {
    "sofr_iorb": ("SOFR − IORB", "SOFR−准备金利率", ("SOFR", "IORB", "IOER")),
    "effr_iorb": ("EFFR − IORB", "有效联邦基金利率−准备金利率",
                  ("EFFR", "DFF", "IORB", "IOER")),
    "tgcr_iorb": ("TGCR − IORB", "三方一般抵押回购利率−准备金利率",
                  ("TGCR", "IORB", "IOER")),
    "bgcr_iorb": ("BGCR − IORB", "广义一般抵押回购利率−准备金利率",
                  ("BGCR", "IORB", "IOER")),
    "sofr99_iorb": ("SOFR 99th percentile − IORB", "SOFR第99百分位−准备金利率",
                    ("SOFR99", "IORB", "IOER")),
}
_BACKSTOP_NAMES = {
    "primary_credit": ("Discount window: primary credit", "贴现窗口一级信贷", "WLCFLPCL"),
    "swap_lines": ("Central bank liquidity swaps", "央行流动性互换", "SWPT"),
    "btfp": ("Bank Term Funding Program", "银行定期融资计划(BTFP)", "H41RESPPALDKNWW"),
    "fima_repo": ("FIMA repo (foreign official)", "外国官方回购(FIMA)", "H41RESPPALGTRFNWW"),
    "fed_repo": ("Fed repurchase agreements (H.4.1)", "美联储回购协议(H.4.1)", "WORAL"),
}


def _spread_family() -> list[IndicatorSpec]:
    out = []
    for stem, (en, zh, inputs) in _SPREAD_NAMES.items():
        if stem not in ("sofr_iorb", "effr_iorb"):  # those two are listed by hand below
            out += [IndicatorSpec(f"{stem}_bp", en, zh, "bp", level="obs", inputs=inputs),
                    IndicatorSpec(f"{stem}_persistent_bp", f"{en}, persistent level",
                                  f"{zh}(持续水平)", "bp", level="obs", inputs=inputs),
                    IndicatorSpec(f"{stem}_excess_bp", f"{en} above its own baseline",
                                  f"{zh}超出自身基线", "bp", inputs=inputs)]
        out += [IndicatorSpec(f"{stem}_plain_excess_bp",
                              f"{en} above its own baseline, on a day without a calendar event",
                              f"{zh}超出自身基线(非日历日)", "bp", inputs=inputs),
                IndicatorSpec(f"{stem}_excess_max5d_bp",
                              f"{en} above its own baseline, highest of the last 5 days",
                              f"{zh}超出自身基线(近5日最高)", "bp", inputs=inputs)]
    return out


def _backstop_family() -> list[IndicatorSpec]:
    out = []
    for stem, (en, zh, sid) in _BACKSTOP_NAMES.items():
        out += [IndicatorSpec(f"{stem}_usd_bn", en, zh, "usd_bn", inputs=(sid,)),
                IndicatorSpec(f"{stem}_chg_1w_usd_bn", f"{en}, change in the latest H.4.1 week "
                              "(a fresh draw)", f"{zh}最新一周变化(新增提取)", "usd_bn",
                              inputs=(sid,)),
                IndicatorSpec(f"{stem}_chg_4w_usd_bn", f"{en}, 4-week change (new use)",
                              f"{zh}4周变化(新增使用)", "usd_bn", inputs=(sid,))]
    return out


_IND = [
    *_spread_family(),
    *_backstop_family(),
    IndicatorSpec("iorb_pct", "Policy floor: IORB (IOER before 2021-07-29)", "准备金利率(地板利率)",
                  "pct", level="obs", inputs=("IORB", "IOER")),
    IndicatorSpec("sofr_top_bp", "SOFR − top of the fed funds target range",
                  "SOFR−联邦基金目标区间上限", "bp", level="obs", inputs=("SOFR", "DFEDTARU")),
    IndicatorSpec("sofr_iorb_max5d_bp", "SOFR − IORB, highest of the last 5 days",
                  "SOFR−准备金利率(近5日最高)", "bp", inputs=("SOFR", "IORB", "IOER")),
    IndicatorSpec("sofr_above_iorb_share_pct",
                  "Share of SOFR volume above IORB (from the published percentiles)",
                  "SOFR成交量中高于准备金利率的占比(据百分位估算)", "pct", level="obs",
                  inputs=("SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "IORB")),
    IndicatorSpec("bank_assets_usd_bn", "Commercial bank total assets (H.8)",
                  "商业银行总资产(H.8)", "usd_bn", inputs=("TLAACBW027SBOG",)),
    IndicatorSpec("reserves_share_bank_assets_pct",
                  "Reserves as a share of commercial bank assets",
                  "准备金占商业银行总资产比例", "pct", inputs=("WRESBAL", "TLAACBW027SBOG")),
    IndicatorSpec("reserve_elasticity_bp_per_pp",
                  "Reserve demand elasticity: EFFR − IORB per point of reserves/bank assets "
                  "(1 year, OLS)", "准备金需求弹性(每1个百分点准备金占比,1年,OLS)",
                  "bp_per_pp", inputs=("EFFR", "IORB", "WRESBAL", "TLAACBW027SBOG")),
    IndicatorSpec("reserve_elasticity_lo_bp_per_pp", "Reserve demand elasticity, lower 95% band",
                  "准备金需求弹性95%区间下限", "bp_per_pp",
                  inputs=("EFFR", "IORB", "WRESBAL", "TLAACBW027SBOG")),
    IndicatorSpec("reserve_elasticity_hi_bp_per_pp", "Reserve demand elasticity, upper 95% band",
                  "准备金需求弹性95%区间上限", "bp_per_pp",
                  inputs=("EFFR", "IORB", "WRESBAL", "TLAACBW027SBOG")),
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
    IndicatorSpec("qt_pace_usd_bn_per_month",
                  "Change of securities held outright per month (13-week; negative = QT)",
                  "美联储持有证券月均变化(13周,负值即缩表)", "usd_bn_per_month",
                  inputs=("TREAST", "WSHOMCB")),
    IndicatorSpec("securities_held_usd_bn", "Fed securities held outright (Treasuries + MBS)",
                  "美联储持有证券(国债+MBS)", "usd_bn", inputs=("TREAST", "WSHOMCB")),
    IndicatorSpec("tga_usd_bn", "Treasury General Account (DTS daily, else H.4.1 Wednesday)",
                  "财政部一般账户", "usd_bn", inputs=("TGA_DTS", "WDTGAL")),
    *[IndicatorSpec(f"tga_chg_{w}_usd_bn", f"TGA, {w} change (a rise drains reserves)",
                    f"财政部账户{w}变化(上升即抽水)", "usd_bn", inputs=("TGA_DTS", "WDTGAL"))
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
    IndicatorSpec("dff_target_bp", "Fed funds (DFF) − its target (to 2008-12-15)",
                  "联邦基金利率−目标利率(至2008-12-15)", "bp", level="obs",
                  inputs=("DFF", "DFEDTAR")),
    IndicatorSpec("dff_target_abs_med5d_bp", "Fed funds off its target: 5-day median of the "
                  "absolute gap", "联邦基金利率偏离目标(5日绝对偏离中位数)", "bp",
                  inputs=("DFF", "DFEDTAR")),
    IndicatorSpec("ted_bp", "TED spread: 3-month LIBOR − 3-month T-bill", "TED利差", "bp",
                  level="obs", inputs=("TEDRATE",)),
    IndicatorSpec("cp_tbill_bp", "90-day AA financial commercial paper − 3-month T-bill",
                  "90天AA级金融商业票据−3个月国库券", "bp", level="obs",
                  inputs=("RIFSPPFAAD90NB", "DTB3")),
    IndicatorSpec("vix_idx", "VIX", "VIX波动率指数", "index", inputs=("VIXCLS",)),
    IndicatorSpec("hy_oas_bp", "High-yield option-adjusted spread", "高收益债利差", "bp",
                  inputs=("BAMLH0A0HYM2",)),
    IndicatorSpec("hy_oas_chg_20d_bp", "High-yield spread, 20-day change", "高收益债利差20日变化",
                  "bp", inputs=("BAMLH0A0HYM2",)),
    IndicatorSpec("stlfsi_idx", "St. Louis Fed Financial Stress Index", "圣路易斯联储金融压力指数",
                  "index", inputs=("STLFSI4",)),
    IndicatorSpec("srf_usd_bn", "Fed overnight repo take-up (standing repo facility; Desk "
                  "operations 2019-2020)", "美联储隔夜回购操作使用量(常备回购便利;2019-2020年公开市场回购)",
                  "usd_bn", inputs=("RPONTTLD",)),
    IndicatorSpec("srf_take_up_usd_bn", "Standing repo facility take-up (from 2021-07-28)",
                  "常备回购便利使用量(2021-07-28起)", "usd_bn", inputs=("RPONTTLD",)),
    IndicatorSpec("srf_take_up_plain_usd_bn",
                  "Standing repo facility take-up on a day without a calendar label (0 on calendar days)",
                  "常备回购便利使用量(非日历日;日历日记为0)", "usd_bn", inputs=("RPONTTLD",)),
]
INDICATORS: dict[str, IndicatorSpec] = {i.id: i for i in _IND}
