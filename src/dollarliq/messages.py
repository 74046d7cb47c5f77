"""User-facing text in English and Chinese, in one place.

``t(key, lang, **values)`` formats a message; indicator and series names come from the
catalog and the indicator registry (``name_en`` / ``name_zh``).
"""

from __future__ import annotations

import os

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "stage.0": {"en": "ample", "zh": "充裕"},
    "stage.1": {"en": "tight", "zh": "紧缺"},
    "stage.2": {"en": "drained", "zh": "枯竭"},
    "stage.3": {"en": "crisis", "zh": "危机"},
    "report.title": {"en": "US-dollar liquidity", "zh": "美元流动性"},
    "report.stage": {"en": "Stage", "zh": "阶段"},
    "report.stage_since": {"en": "since {since}", "zh": "自 {since} 起"},
    "report.score": {"en": "Stress score", "zh": "压力评分"},
    "report.as_of": {"en": "as of {as_of}; data end {data_end}, {ago}",
                     "zh": "截至 {as_of};数据截止 {data_end},{ago}"},
    "report.data_old": {"en": "The data end {data_end}, {ago}: `dollarliq update` fetches "
                              "today's.",
                        "zh": "数据截止 {data_end},{ago}:运行 `dollarliq update` 获取最新数据。"},
    "report.score_unavailable": {"en": "unavailable", "zh": "无法计算"},
    "age.today": {"en": "today", "zh": "今天"},
    "age.one": {"en": "1 day ago", "zh": "1 天前"},
    "age.days": {"en": "{n} days ago", "zh": "{n} 天前"},
    "age.ahead": {"en": "{n} days ahead of today", "zh": "比今天晚 {n} 天"},
    "freshness.ago": {"en": "{n}d ago", "zh": "{n} 天前"},
    "freshness.on_as_of": {"en": "+{n}d on {as_of}", "zh": "相对 {as_of} +{n} 天"},
    "report.evidence": {"en": "Evidence", "zh": "证据"},
    "report.indicators": {"en": "Indicators", "zh": "指标"},
    "report.records": {"en": "Records", "zh": "纪录"},
    "report.freshness": {"en": "Data freshness", "zh": "数据时效"},
    "report.unavailable": {"en": "Unavailable", "zh": "暂不可用"},
    "report.contributions": {"en": "Score contributions", "zh": "评分构成"},
    "rule.met": {"en": "met", "zh": "满足"},
    "rule.not_met": {"en": "not met", "zh": "未满足"},
    "rule.no_data": {"en": "no data", "zh": "无数据"},
    "rule.stale": {"en": "stale: not evidence", "zh": "数据过期:不作为证据"},
    "rule.stale_obs": {"en": "stale, observed {date}: not evidence",
                       "zh": "数据过期,观测日 {date}:不作为证据"},
    "report.held": {"en": "held by hysteresis since the evidence of {set_on} ({rules}); "
                           "today's own evidence reads {raw}",
                    "zh": "由滞后规则维持:依据 {set_on} 的证据({rules});今日证据仅为{raw}"},
    "report.held_stale": {"en": "held: {inputs}; the last fresh evidence ({set_on}: {rules}) "
                                "still stands, today's fresh evidence reads {raw}",
                          "zh": "维持:{inputs};最后的有效证据({set_on}:{rules})仍然成立,今日新证据仅为{raw}"},
    "report.not_seen_since": {"en": "{name} not seen since {date}",
                              "zh": "{name}自 {date} 起无新数据"},
    "rule.carried": {"en": "stale, observed {date}: last fresh verdict held",
                     "zh": "数据过期,观测日 {date}:沿用最后的有效判断"},
    "rule.ended": {"en": "program ended {date}: not evidence",
                   "zh": "该工具已于 {date} 结束:不作为证据"},
    "unavailable.not_seen": {
        "en": "{name}: no observation since {date}, over a year before this date",
        "zh": "{name}:自 {date} 起无观测值,已超过一年"},
    "unavailable.ended": {
        "en": "{name}: the program ended on {date}",
        "zh": "{name}:该工具已于 {date} 结束"},
    "report.set_by": {"en": "set by the evidence of {set_on}: {rules}",
                      "zh": "依据 {set_on} 的证据:{rules}"},
    "report.core_stale": {"en": "stale core inputs ({ids}): the stage rests on no fresh "
                                 "evidence from them; run `dollarliq update`",
                           "zh": "核心数据过期({ids}):阶段判断缺少这些数据的新证据;请运行 `dollarliq update`"},
    "report.stale": {"en": "Stale (shown, not evidence)", "zh": "过期数据(仅展示,不作为证据)"},
    "rule.needs_families": {"en": "{stage} needs {n} families met at once; this rule: {family}",
                           "zh": "{stage}需同时满足{n}类证据;本条:{family}"},
    "family.price": {"en": "the price of money", "zh": "资金价格"},
    "family.buffers": {"en": "buffers", "zh": "缓冲"},
    "family.drains": {"en": "drains", "zh": "流出"},
    "family.backstops": {"en": "backstops", "zh": "后备工具"},
    "family.markets": {"en": "markets", "zh": "市场"},
    "family.unsecured": {"en": "unsecured bank funding", "zh": "无担保银行融资"},
    "rule.line": {"en": "{name}: {value} {op} {threshold} ({status})",
                  "zh": "{name}:{value} {op} {threshold}({status})"},
    "record.high": {"en": "{name} at {value} on {date}: highest since {since} ({since_value})",
                    "zh": "{name} {date} 为 {value}:{since} ({since_value}) 以来最高"},
    "record.low": {"en": "{name} at {value} on {date}: lowest since {since} ({since_value})",
                   "zh": "{name} {date} 为 {value}:{since} ({since_value}) 以来最低"},
    "record.high_ever": {"en": "{name} at {value} on {date}: highest since the data begin ({start})",
                         "zh": "{name} {date} 为 {value}:数据起点 ({start}) 以来最高"},
    "record.low_ever": {"en": "{name} at {value} on {date}: lowest since the data begin ({start})",
                        "zh": "{name} {date} 为 {value}:数据起点 ({start}) 以来最低"},
    "record.crosses_regime": {"en": "{text}; {since} is in the {regime} regime, {date} in the {regime_now} regime",
                              "zh": "{text};{since} 属于{regime},{date} 属于{regime_now}"},
    "regime.corridor": {"en": "corridor (fed funds against its point target)",
                        "zh": "走廊体系(联邦基金利率对点目标)"},
    "regime.floor_ioer": {"en": "floor before SOFR (EFFR against IOER)",
                          "zh": "SOFR 之前的地板体系(EFFR 对 IOER)"},
    "regime.floor_sofr": {"en": "floor with SOFR (SOFR, TGCR, BGCR against IORB)",
                          "zh": "SOFR 时期的地板体系(SOFR、TGCR、BGCR 对 IORB)"},
    "unavailable.needs_update": {
        "en": "{name}: no data yet; `dollarliq update` fetches it from {source}",
        "zh": "{name}:暂无数据;运行 `dollarliq update` 从 {source} 获取"},
    "calendar.spike": {"en": "{date} is a {kind} day: {value} bp against a persistent {persistent} bp",
                       "zh": "{date} 为{kind}:{value} 基点,持续水平 {persistent} 基点"},
    "calendar.kind.year_end": {"en": "year-end", "zh": "年末"},
    "calendar.kind.quarter_end": {"en": "quarter-end", "zh": "季末"},
    "calendar.kind.month_end": {"en": "month-end", "zh": "月末"},
    "calendar.kind.month_start": {"en": "month-start", "zh": "月初"},
    "calendar.kind.tax_date": {"en": "tax date", "zh": "缴税日"},
    "calendar.kind.settlement": {"en": "Treasury settlement", "zh": "国债结算日"},
    "calendar.kind.gse_cash": {"en": "GSE cash day", "zh": "GSE现金流出日"},
    "calendar.kind.bill_settlement": {"en": "bill settlement", "zh": "短期国债结算日"},
    # --- rule names (every rule of the packaged rules files, both languages) ---
    "rule.name.sofr_above_iorb": {"en": "SOFR above IORB", "zh": "SOFR高于准备金利率"},
    "rule.name.tgcr_above_iorb": {"en": "TGCR above IORB", "zh": "三方回购利率高于准备金利率"},
    "rule.name.reserves_near_satiation": {"en": "reserves near satiation (share of bank assets)",
                                          "zh": "准备金接近饱和下限(占银行资产比例)"},
    "rule.name.rrp_buffer_spent": {"en": "ON RRP buffer spent", "zh": "逆回购缓冲耗尽"},
    "rule.name.sofr_above_target_range": {"en": "SOFR at the top of the target range",
                                          "zh": "SOFR触及目标区间上限"},
    "rule.name.acute_squeeze": {"en": "acute squeeze confirmed by EFFR",
                                "zh": "急性挤兑(有效联邦基金利率确认)"},
    "rule.name.discount_window_drawn": {"en": "discount window drawn", "zh": "贴现窗口被动用"},
    "rule.name.swap_lines_drawn": {"en": "swap lines drawn", "zh": "央行互换额度被动用"},
    "rule.name.btfp_drawn": {"en": "BTFP drawn", "zh": "BTFP被动用"},
    "rule.name.fima_repo_drawn": {"en": "FIMA repo drawn", "zh": "FIMA回购被动用"},
    "rule.name.fed_repo_drawn": {"en": "Fed repo drawn", "zh": "美联储回购被动用"},
    "rule.name.standing_repo_used": {"en": "standing repo facility used", "zh": "常备回购便利被动用"},
    "rule.name.standing_repo_used_calendar_day": {
        "en": "standing repo facility used in size on a calendar day",
        "zh": "日历日常备回购便利大额动用"},
    "rule.name.dash_for_cash": {"en": "dash for cash", "zh": "现金争夺潮"},
    "rule.name.fed_funds_off_target": {"en": "fed funds off its target",
                                       "zh": "联邦基金利率偏离目标"},
    "rule.name.fed_funds_far_off_target": {"en": "fed funds far off its target",
                                           "zh": "联邦基金利率大幅偏离目标"},
    "rule.name.unsecured_funding_strained": {"en": "unsecured bank funding strained (TED)",
                                             "zh": "无担保银行融资紧张(TED)"},
    "rule.name.unsecured_funding_squeeze": {"en": "unsecured bank funding squeeze (TED)",
                                            "zh": "无担保银行融资挤兑(TED)"},
    "rule.name.unsecured_funding_in_crisis": {"en": "unsecured bank funding in crisis (TED)",
                                              "zh": "无担保银行融资危机(TED)"},
    "rule.name.cp_spread_strained": {"en": "financial commercial paper strained",
                                     "zh": "金融商业票据紧张"},
    "rule.name.cp_funding_squeeze": {"en": "financial commercial paper squeeze",
                                     "zh": "金融商业票据挤兑"},
    "rule.name.funding_squeeze": {"en": "funding squeeze", "zh": "融资挤兑"},
    "rule.name.market_dash_for_cash": {"en": "market dash for cash", "zh": "市场现金争夺潮"},
    "rule.name.swap_lines_in_crisis_size": {"en": "swap lines drawn in crisis size",
                                            "zh": "央行互换额度危机级动用"},
    "rule.name.discount_window_in_crisis_size": {"en": "discount window drawn in crisis size",
                                                 "zh": "贴现窗口危机级动用"},
    "rule.name.effr_above_iorb": {"en": "EFFR above IORB", "zh": "有效联邦基金利率高于准备金利率"},
    "rule.name.rrp_buffer_low": {"en": "ON RRP buffer low", "zh": "逆回购缓冲偏低"},
    "rule.name.reserves_low_decile": {"en": "reserves in their lowest decile",
                                      "zh": "准备金处于近五年最低十分位"},
    "rule.name.reserves_on_steep_curve": {"en": "reserves on a steep demand curve",
                                          "zh": "准备金处于需求曲线陡峭段"},
    "rule.name.fed_emergency_expansion": {"en": "Fed emergency expansion (total assets)",
                                          "zh": "美联储紧急扩表(总资产)"},
    "rule.name.fed_emergency_response": {"en": "Fed emergency response (total assets)",
                                         "zh": "美联储紧急应对(总资产)"},
    "report.bubble": {"en": "Tech-bubble gauges", "zh": "科技泡沫指标"},
    "bubble.concentration": {"en": "Megacap basket", "zh": "巨头市值"},
    "bubble.not_covered": {"en": "left out of the basket (understates it): {names}",
                           "zh": "未计入巨头篮子(总值偏低): {names}"},
    "bubble.runups": {"en": "100% two-year run-ups", "zh": "两年涨幅超100%"},
    "bubble.fear_greed": {"en": "Fear & greed (open inputs)", "zh": "恐惧贪婪指数(公开数据)"},
    "bubble.dollar_hoarding": {"en": "Dollar hoarding (DXY up, stocks and Treasuries down)",
                               "zh": "美元囤积(美元涨、股债跌)"},
    # errors the command line reports (English wording is what scripts and tests match)
    "error.not_a_date": {"en": "{what}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2025-10-31",
                         "zh": "{what}:{text!r} 不是日期;请用 YYYY-MM-DD,例如 2025-10-31"},
    "error.unknown_series": {
        "en": "unknown series {sid!r}{hint} (`dollarliq series list` shows them all)",
        "zh": "未知序列 {sid!r}{hint}(`dollarliq series list` 列出全部序列)"},
    "error.did_you_mean": {"en": "; did you mean {ids}?", "zh": ";是否想找 {ids}?"},
    "error.end_before_start": {"en": "--end {end} is before --start {start}",
                               "zh": "--end {end} 早于 --start {start}"},
    # the terminal report
    "spark.net_liquidity_usd_bn": {"en": "Net liquidity", "zh": "净流动性"},
    "spark.sofr_iorb_bp": {"en": "SOFR − IORB", "zh": "SOFR − IORB"},
    "spark.rrp_usd_bn": {"en": "ON RRP", "zh": "隔夜逆回购"},
    "spark.reserves_usd_bn": {"en": "Reserves", "zh": "准备金"},
    "report.sparklines": {"en": "Last {n} business days", "zh": "最近 {n} 个交易日"},
    "bubble.per_sp500": {"en": "per S&P 500 point {value}", "zh": "每个标普 500 点位 {value}"},
    "bubble.a_record": {"en": "a record", "zh": "创纪录"},
    "bubble.highest_since": {"en": "highest since {since}", "zh": "{since} 以来最高"},
    "bubble.on": {"en": "ON", "zh": "是"},
    "bubble.off": {"en": "off", "zh": "否"},
    # the dashboard
    "dash.usd_bn": {"en": "USD bn", "zh": "十亿美元"},
    "dash.net_liquidity": {"en": "Net liquidity and its parts",
                           "zh": "净流动性及其构成"},
    "dash.net_liquidity_note": {
        "en": "Net liquidity = Fed total assets − Treasury General Account − ON RRP. "
              "Background: stage (yellow tight, orange drained, red crisis).",
        "zh": "净流动性 = 美联储总资产 − 财政部一般账户 − 隔夜逆回购。背景色为阶段"
              "(黄:紧缺,橙:枯竭,红:危机)。"},
    "dash.spreads": {"en": "Overnight rates against the floor (IORB)",
                     "zh": "隔夜利率与准备金利率(IORB)之差"},
    "dash.spreads_note": {
        "en": "Above zero: cash costs more in the market than the Fed pays on reserves. "
              "Triangles: calendar spikes (month-, quarter-, year-ends, tax and settlement "
              "days); the persistent line leaves them out.",
        "zh": "高于零:市场上的现金比美联储付给准备金的利率更贵。三角形为日历性尖峰"
              "(月末、季末、年末、缴税日与国债结算日);持续水平已剔除这些日子。"},
    "dash.sofr99_missing": {
        "en": "SOFR 99th percentile: no data yet; `dollarliq update --source nyfed` fetches it.",
        "zh": "SOFR 第 99 百分位:暂无数据;运行 `dollarliq update --source nyfed` 获取。"},
    "dash.clipped": {
        "en": "The axis stops at {hi} bp; the peak, {value} bp on {date}, is off the scale "
              "(the autoscale button shows it).",
        "zh": "纵轴上限为 {hi} 基点;{date} 的峰值 {value} 基点超出范围(点击自动缩放按钮可查看)。"},
    "dash.calendar_spikes": {"en": "calendar spike (SOFR − IORB)",
                             "zh": "日历性尖峰(SOFR − IORB)"},
    "dash.demand_curve": {"en": "Reserves on the reserve demand curve",
                          "zh": "准备金需求曲线上的准备金"},
    "dash.demand_curve_note": {
        "en": "Each point is a week since 2015, coloured by year; the star is the latest. "
              "The curve turns steep when reserves become scarce.",
        "zh": "每个点为 2015 年以来的一周,颜色表示年份;星号为最新一点。准备金稀缺时曲线变陡。"},
    "dash.slope_now": {"en": "Slope now: {value}.", "zh": "当前斜率:{value}。"},
    "dash.weekly_points": {"en": "weekly", "zh": "每周"},
    "dash.latest": {"en": "latest", "zh": "最新"},
    "dash.tga": {"en": "The TGA drain", "zh": "财政部一般账户(TGA)抽水"},
    "dash.tga_note": {
        "en": "A rising Treasury cash balance drains reserves; bars: 4-week change.",
        "zh": "财政部现金余额上升会抽走准备金;柱形为 4 周变化。"},
    "dash.chg_4w": {"en": "4-week change", "zh": "4 周变化"},
    "dash.rrp": {"en": "The ON RRP buffer", "zh": "隔夜逆回购缓冲"},
    "dash.rrp_note": {
        "en": "Money parked at the Fed's overnight reverse repo facility: the first line of "
              "defence, cash that can leave the Fed and fund the market.",
        "zh": "停放在美联储隔夜逆回购工具中的资金:第一道防线,可以离开美联储为市场提供资金。"},
    "dash.score_history": {"en": "Stress score and stage over time",
                           "zh": "压力评分与阶段走势"},
    "history.title": {"en": "Today against history ({as_of}, regime {regime})",
                      "zh": "今日与历史对照({as_of},体制 {regime})"},
    "history.short": {"en": "Against 2003-2026: {readings}.",
                      "zh": "对照 2003-2026 年:{readings}。"},
    "history.pct": {"en": "{name} percentile {pct}", "zh": "{name} 第 {pct} 百分位"},
    "history.reading": {"en": "{name}: {value}, percentile {pct} ({span})",
                        "zh": "{name}:{value},第 {pct} 百分位({span})"},
    "history.no_value": {"en": "{name}: no fresh value today ({span})",
                         "zh": "{name}:今日无新数值({span})"},
    "history.within": {"en": "{n} days from {start}, within {regimes}",
                       "zh": "自 {start} 起 {n} 天,限于 {regimes}"},
    "history.across": {"en": "{n} days from {start}, across regimes {regimes}",
                       "zh": "自 {start} 起 {n} 天,跨体制 {regimes}"},
    "history.analogues": {"en": "Closest past days (on {features}):",
                          "zh": "最相近的历史日期(依据 {features}):"},
    "history.analogue": {
        "en": "{date} ({regime}): {stage}, score {score}; to {until}: at most {max_stage} "
              "(first on {max_date}), score up to {max_score}",
        "zh": "{date}({regime}):{stage},评分 {score};至 {until}:最高 {max_stage}"
              "(首次于 {max_date}),评分最高 {max_score}"},
    "history.analogue_short": {"en": "{date}, then at most {max_stage} to {until}",
                               "zh": "{date},其后至 {until} 最高为{max_stage}"},
    "history.analogues_short": {"en": "Closest past days: {days} (report --history).",
                                "zh": "最相近的历史日期:{days}(report --history)。"},
    "history.note": {
        "en": "History, not a forecast: what followed the closest past days within {days} "
              "business days (about three months).",
        "zh": "这是历史,不是预测:最相近的历史日期之后 {days} 个工作日(约三个月)内的情形。"},
    "dash.history": {"en": "Today against 2003-2026", "zh": "今日与 2003-2026 年对照"},
    "dash.timeline": {"en": "Stage timeline 2003-2026, episodes shaded",
                      "zh": "2003-2026 年阶段时间线(阴影为事件期)"},
    "dash.timeline_note": {
        "en": "Each business day replayed with only what was public that day; grey bands are "
              "the dated episodes (funding darker, market-only lighter).",
        "zh": "每个工作日仅用当日已公开的数据重算;灰色带为已标定的事件期(融资事件较深,"
              "仅市场事件较浅)。"},
    "dash.no_records": {"en": "No records on this date.", "zh": "当日无纪录。"},
    "dash.no_data": {"en": "no data", "zh": "无数据"},
    "dash.per_sp500": {"en": "Per S&P 500 point: ${value}bn, {record}.",
                       "zh": "每个标普 500 点位:{value} 十亿美元,{record}。"},
    "dash.per_sp500_plain": {"en": "Per S&P 500 point: ${value}bn.",
                             "zh": "每个标普 500 点位:{value} 十亿美元。"},
    "dash.a_record": {"en": "a record", "zh": "创纪录"},
    "dash.highest_since": {"en": "highest since {since}", "zh": "{since} 以来最高"},
    "dash.market_cap": {"en": "market cap", "zh": "市值"},
    "dash.weight": {"en": "weight", "zh": "权重"},
    "dash.rsp_note": {
        "en": "Equal-weight minus cap-weight S&P 500 return: negative when a few giants "
              "carry the index.",
        "zh": "等权重减市值加权标普 500 收益:为负时说明少数巨头在撑起指数。"},
    "dash.return_2y": {"en": "2-year return", "zh": "两年收益"},
    "dash.drawdown": {"en": "from 2-year high", "zh": "距两年高点"},
    "dash.on": {"en": "on", "zh": "是"},
    "dash.off": {"en": "off", "zh": "否"},
    "dash.spells_since": {"en": "spells since {since} (business days)",
                          "zh": "{since} 以来的区间(交易日数)"},
    "dash.insider_selling": {"en": "Insider selling (SEC Form 4)",
                             "zh": "内部人抛售(SEC 表格 4)"},
    "dash.cash_hoarding": {"en": "Cash hoarding (Berkshire cash share)",
                           "zh": "现金囤积(伯克希尔现金占比)"},
    "dash.generated": {"en": "generated by dollarliq from official open data",
                       "zh": "由 dollarliq 基于官方公开数据生成"},
    "dash.rendering": {"en": "rendering the dashboard", "zh": "正在生成仪表盘"},
    "dash.written": {"en": "dashboard written to {path} ({size})",
                     "zh": "仪表盘已写入 {path}({size})"},
    "episode.repo_sep_2019": {"en": "Sept 2019 repo spike", "zh": "2019年9月回购利率飙升"},
    "episode.dash_for_cash_2020": {"en": "Mar 2020 dash for cash", "zh": "2020年3月现金荒"},
    "episode.year_end_2022": {"en": "Dec 2022 ON RRP peak", "zh": "2022年12月逆回购峰值"},
    "episode.bank_failures_2023": {"en": "Mar 2023 bank failures", "zh": "2023年3月银行倒闭"},
    "episode.month_end_oct_2025": {"en": "Oct 2025 month-end squeeze",
                               "zh": "2025年10月月末资金紧张"},
    # alerts (dollarliq watch)
    "watch.stage_title": {"en": "dollarliq: stage {level} ({name})",
                          "zh": "dollarliq:阶段 {level}({name})"},
    "watch.stage_first": {
        "en": "On {date} US-dollar liquidity is at stage {level} ({name}) since {since}; "
              "stress score {score}/100.",
        "zh": "{date} 美元流动性处于阶段 {level}({name}),自 {since} 起;压力评分 {score}/100。"},
    "watch.stage_changed": {
        "en": "On {date} the stage changed from {old} ({old_name}) to {level} ({name}); "
              "stress score {score}/100.",
        "zh": "{date} 阶段由 {old}({old_name})变为 {level}({name});压力评分 {score}/100。"},
    "watch.record_title": {"en": "dollarliq: a new record", "zh": "dollarliq:新纪录"},
    "watch.title_many": {"en": "dollarliq: {n} alerts", "zh": "dollarliq:{n} 条提醒"},
    "watch.bad_url": {"en": "--notify: apprise does not understand {urls}",
                      "zh": "--notify:apprise 无法识别 {urls}"},
    "watch.notify_failed": {
        "en": "notification failed for {n} of {total} URL(s); they get it next cycle, the "
              "others have it",
        "zh": "{total} 个通知地址中 {n} 个发送失败;下一轮补发,其余已送达"},
    "watch.update_failed": {"en": "update failed ({error}); going on with the data in the store",
                            "zh": "更新失败({error});继续使用本地数据"},
    "watch.cycle_failed": {"en": "cycle failed: {error}", "zh": "本轮失败:{error}"},
    "watch.cycle": {"en": "checking: update and report", "zh": "检查中:更新与报告"},
    "watch.summary": {"en": "{date}: stage {level} ({name}), score {score}; data end "
                            "{data_end}, {ago}; {n} alert(s) {sent}",
                      "zh": "{date}:阶段 {level}({name}),评分 {score};数据截止 {data_end},"
                            "{ago};{n} 条提醒{sent}"},
    "watch.sent": {"en": "sent", "zh": "已发送"},
    "watch.not_sent": {"en": "(no --notify URL: printed only)", "zh": "(未设 --notify:仅打印)"},
    "watch.next": {"en": "next check in {every}", "zh": "下次检查:{every} 后"},
    "report.bubble_tests": {"en": "Explosive-root tests (GSADF, 2 years of closes)",
                            "zh": "爆炸性泡沫检验(GSADF,两年收盘价)"},
    "bubble.explosive_now": {"en": "explosive now: {names}", "zh": "当前处于爆炸性区间:{names}"},
    "bubble.explosive_sample": {"en": "explosive episode in the window: {names}",
                                "zh": "窗口内出现过爆炸性区间:{names}"},
    "dash.track_record": {"en": "Track record", "zh": "历史表现"},
    # --- the outlook (dollarliq outlook)
    "outlook.title": {"en": "Outlook as of {as_of}: the next {n} business days",
                      "zh": "展望(截至 {as_of}):未来 {n} 个工作日"},
    "outlook.tga": {"en": "TGA: end-of-quarter target ${target}bn on {day} (release {release} "
                          "of {released}) against ${balance}bn on {date}: {gap}bn to go in "
                          "{left} business days, {pace}bn a day on a straight line",
                    "zh": "财政部一般账户(TGA):季末目标 {target} 十亿美元({day},公告 {release},"
                          "{released} 发布),{date} 余额 {balance} 十亿美元:距目标 {gap} 十亿美元,"
                          "剩 {left} 个工作日,直线推算每日 {pace} 十亿美元"},
    "outlook.tga_no_target": {"en": "TGA ${balance}bn on {date}; no end-of-quarter estimate "
                                    "published by then in the package's table",
                              "zh": "TGA {date} 余额 {balance} 十亿美元;当时尚无已发布的季末现金余额估计"},
    "outlook.table_head": {"en": "date           bills $bn            matur.  coupons $bn          "
                                 "matur.      net  notes",
                           "zh": "日期           短债(十亿美元)        到期     附息债(十亿美元)     "
                                 "到期        净额  说明"},
    "outlook.col.date": {"en": "date", "zh": "日期"},
    "outlook.col.weekday": {"en": "day", "zh": "星期"},
    "outlook.col.bills": {"en": "bills $bn", "zh": "短债(十亿美元)"},
    "outlook.col.coupons": {"en": "coupons $bn", "zh": "附息债(十亿美元)"},
    "outlook.col.status": {"en": "status", "zh": "状态"},
    "outlook.col.maturing": {"en": "matur.", "zh": "到期"},
    "outlook.col.net": {"en": "net", "zh": "净额"},
    "outlook.col.notes": {"en": "notes", "zh": "说明"},
    "outlook.partial": {"en": "* net of what was announced by then: settlements more than "
                              "{bills} (bills) or {coupons} (coupons) business days ahead may "
                              "not all be announced yet",
                        "zh": "* 仅计入截至当日已公告的发行:{bills}(短债)或 {coupons}(附息债)"
                              "个工作日之后的结算可能尚未全部公告"},
    "outlook.status.accepted": {"en": "accepted", "zh": "已中标"},
    "outlook.status.offered": {"en": "offered", "zh": "计划发行"},
    "outlook.status.mixed": {"en": "mixed", "zh": "部分中标"},
    "outlook.event.year_end": {"en": "year end", "zh": "年末"},
    "outlook.event.quarter_end": {"en": "quarter end", "zh": "季末"},
    "outlook.event.month_end": {"en": "month end", "zh": "月末"},
    "outlook.event.tax_corporate": {"en": "corporate tax date", "zh": "企业所得税缴税日"},
    "outlook.event.tax_individual": {"en": "individual tax date", "zh": "个人所得税缴税日"},
    "outlook.after_holiday": {"en": "after Fedwire holiday {days}",
                              "zh": "Fedwire 假日 {days} 之后"},
    "outlook.kind.net_settlement": {"en": "large net settlement", "zh": "大额净结算"},
    "outlook.kind.tax_date": {"en": "tax date", "zh": "缴税日"},
    "outlook.kind.month_end": {"en": "month end", "zh": "月末"},
    "outlook.kind.quarter_end": {"en": "quarter end", "zh": "季末"},
    "outlook.spread.sofr_iorb": {"en": "SOFR-IORB", "zh": "SOFR-IORB"},
    "outlook.spread.tgcr_iorb": {"en": "TGCR-IORB", "zh": "TGCR-IORB"},
    "outlook.tag": {"en": "{kind}: {spread} {effect}bp [{lo}, {hi}] vs other days",
                    "zh": "{kind}:{spread} {effect} 基点 [{lo}, {hi}](相对其他日)"},
    "outlook.runway_head": {"en": "Runway of the defence lines ($bn)",
                            "zh": "各道防线的剩余空间(十亿美元)"},
    "outlook.line.on_rrp": {"en": "ON RRP left", "zh": "隔夜逆回购余额"},
    "outlook.line.reserves": {"en": "Reserves above the level where their price rises",
                              "zh": "准备金(距价格上升的水平)"},
    "outlook.line.srf": {"en": "Standing repo take-up (from 2021-07-28; limit $500bn)",
                         "zh": "常设回购便利使用额(2021-07-28 起;上限 5000 亿美元)"},
    "outlook.line.discount_window": {"en": "Discount window (primary credit)",
                                     "zh": "贴现窗口(一级信贷)"},
    "outlook.threshold": {"en": "threshold", "zh": "阈值"},
    "outlook.distance": {"en": "distance", "zh": "距离"},
    "outlook.pace": {"en": "{w}w pace {pace}/wk, weeks left {left}",
                     "zh": "{w} 周速度 {pace}/周,剩余 {left} 周"},
    "outlook.no_data": {"en": "no data ({series})", "zh": "无数据({series})"},
    "outlook.episodes": {"en": "Reserve threshold by episode, share of bank assets where "
                                "SOFR-IORB turns positive (weeks above/weeks; the latest "
                                "episode is used): {list}",
                         "zh": "各轮准备金稀缺期的阈值(准备金占银行资产比例,SOFR-IORB 转正处;"
                               "转正周数/总周数;采用最近一轮):{list}"},
    "runway.note": {"en": "Arithmetic on the current pace, not a forecast.",
                    "zh": "按当前速度的算术推算,不是预测。"},
    "outlook.src.settlements": {
        "en": "auction records (FiscalData auctions_query and upcoming_auctions; the snapshot: "
              "TreasuryDirect amounts joined to FiscalData dates on CUSIP and issue date); "
              "offered before the auction, accepted after",
        "zh": "拍卖记录(FiscalData auctions_query 与 upcoming_auctions;快照:TreasuryDirect 金额按"
              " CUSIP 与发行日匹配 FiscalData 日期);拍卖前为计划发行额,拍卖后为中标额"},
    "outlook.src.maturing": {
        "en": "accepted amounts of earlier issues maturing that day (auction records; checked "
              "against DTS public-debt redemptions in docs/outlook.md)",
        "zh": "当日到期的早前发行的中标额(拍卖记录;与 DTS 公共债务赎回的核对见 docs/outlook.md)"},
    "outlook.src.tga": {
        "en": "TGA: Daily Treasury Statement; target: Treasury's quarterly-refunding "
              "end-of-quarter cash balance estimate public by the as-of date",
        "zh": "TGA:每日国库报表;目标:截至当日已发布的季度再融资季末现金余额估计"},
    "outlook.short_tga": {"en": "TGA ${balance}bn against the ${target}bn target for {day} ({release})",
                          "zh": "TGA {balance} 十亿美元,{day} 目标 {target} 十亿美元({release})"},
    "outlook.short_net": {"en": "Largest net settlements ($bn): {days}",
                          "zh": "最大净结算(十亿美元):{days}"},
    "outlook.short_line": {"en": "{name}: {weeks} weeks at the 4-week pace",
                           "zh": "{name}:按 4 周速度剩 {weeks} 周"},
    "outlook.section": {"en": "Outlook", "zh": "展望"},
    "notice": {"en": "Not investment advice: dollarliq measures and explains; it does not forecast.",
               "zh": "不构成投资建议:dollarliq 只做度量与解释,不做预测。"},
}


def lang_from_env(lang: str | None = None) -> str:
    """``lang`` if given, else DOLLARLIQ_LANG, else English."""
    v = (lang or os.environ.get("DOLLARLIQ_LANG") or "en").lower()[:2]
    return v if v in LANGS else "en"


def rule_name(rule_id: str, lang: str = "en") -> str:
    """A rule's name in ``lang``; the id itself for a rule from another rules file."""
    key = f"rule.name.{rule_id}"
    return t(key, lang) if key in MESSAGES else rule_id


def family_name(family: str, lang: str = "en") -> str:
    """A family of evidence in ``lang``; the name itself for a family of another rules file."""
    key = f"family.{family}"
    return t(key, lang) if key in MESSAGES else family


def days_ago(n: int | None, lang: str = "en") -> str:
    """How long ago ``n`` calendar days is: "today", "1 day ago", "58 days ago" (or the
    Chinese); "" when ``n`` is None."""
    if n is None:
        return ""
    if n < 0:
        return t("age.ahead", lang, n=-n)
    return t("age.today" if n == 0 else "age.one" if n == 1 else "age.days", lang, n=n)


def score_text(value: float | None, lang: str = "en") -> str:
    """The stress score as shown: "57", or "unavailable" when it cannot be computed."""
    return t("report.score_unavailable", lang) if value is None else f"{value:.0f}"


def t(key: str, lang: str = "en", **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**values)
