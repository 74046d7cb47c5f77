"""The report in the terminal (Rich)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dollarliq.messages import days_ago, score_text, t
from dollarliq.reports.layout import Col, FitTable, bullets
from dollarliq.reports.style import STAGE_COLORS, fmt, fmt_u

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
#: Series with a sparkline in the report, from the indicator panel (business days).
SPARK_SERIES = ["net_liquidity_usd_bn", "sofr_iorb_bp", "rrp_usd_bn", "reserves_usd_bn"]
SPARK_DAYS = 60
KEY_INDICATORS = ["sofr_iorb_bp", "sofr_iorb_persistent_bp", "tgcr_iorb_persistent_bp",
                  "effr_iorb_persistent_bp", "sofr_above_iorb_share_pct",
                  "net_liquidity_usd_bn", "net_liquidity_chg_4w_usd_bn", "tga_usd_bn",
                  "tga_chg_4w_usd_bn", "rrp_usd_bn", "reserves_usd_bn",
                  "reserves_share_bank_assets_pct", "reserve_elasticity_bp_per_pp",
                  "qt_pace_usd_bn_per_month", "primary_credit_usd_bn", "swap_lines_usd_bn",
                  "vix_idx", "hy_oas_chg_20d_bp"]


def _stage_style(level: int) -> str:
    """Bold in the stage's colour (the palette of :mod:`dollarliq.reports.style`)."""
    return f"bold {STAGE_COLORS[level]}" if level in STAGE_COLORS else "bold"


def sparkline(values: Sequence[float | None]) -> str:
    """Unicode block sparkline; a missing value is a space, a flat series the lowest block."""
    xs = [v for v in values if v is not None and not math.isnan(v)]
    if not xs:
        return ""
    lo, hi = min(xs), max(xs)
    span = hi - lo
    out = []
    for v in values:
        if v is None or math.isnan(v):
            out.append(" ")
        elif span == 0:
            out.append(SPARK_BLOCKS[0])
        else:
            out.append(SPARK_BLOCKS[min(7, int((v - lo) / span * 8))])
    return "".join(out)


def spark_rows(res: Any, lang: str = "en", days: int = SPARK_DAYS) -> list[dict[str, Any]]:
    """The last ``days`` business days of each :data:`SPARK_SERIES` from an EngineResult."""
    from dollarliq.reports.model import indicator_name

    tail = res.panel.daily.iloc[-days:]
    rows = []
    for ind in SPARK_SERIES:
        if ind not in tail:
            continue
        s = tail[ind]
        vals = [None if math.isnan(float(v)) else float(v) for v in s]
        known = [v for v in vals if v is not None]
        unit = indicator_name(ind, lang)[1]
        rows.append({"id": ind, "name": t(f"spark.{ind}", lang), "unit": unit, "values": vals,
                     "spark": sparkline(vals),
                     "first": known[0] if known else None, "last": known[-1] if known else None,
                     "min": min(known) if known else None, "max": max(known) if known else None,
                     "start": f"{s.index[0]:%Y-%m-%d}", "end": f"{s.index[-1]:%Y-%m-%d}"})
    return rows


def render_sparks(rows: list[dict[str, Any]], lang: str = "en",
                  width: int | None = None) -> Table:
    """Sparklines: name, line, last value, range; the line keeps the latest days that fit
    in ``width`` columns (all of them when None)."""
    n = len(rows[0]["spark"]) if rows else SPARK_DAYS
    if width is not None:
        n = max(10, min(n, width - 44))
    tab = Table.grid(padding=(0, 1))
    tab.title = t("report.sparklines", lang, n=n)
    tab.title_justify = "left"
    tab.title_style = "bold"
    tab.add_column("name", no_wrap=True)
    tab.add_column("spark", no_wrap=True)
    tab.add_column("last", justify="right", no_wrap=True)
    tab.add_column("range", no_wrap=True, style="dim")
    for r in rows:
        shown = r["values"][-n:]
        known = [v for v in shown if v is not None]
        lo, hi = (min(known), max(known)) if known else (None, None)
        tab.add_row(r["name"], Text(sparkline(shown), style="cyan"),
                    fmt_u(r["last"], r["unit"], lang), f"[{fmt(lo, r['unit'])}, {fmt(hi, r['unit'])}]")
    return tab


def render(doc: dict[str, Any], sparks: list[dict[str, Any]] | None = None,
           width: int | None = None) -> Group:
    """A Rich renderable of the report document (``sparks``: :func:`spark_rows`)."""
    lang = doc.get("lang", "en")
    st = doc["stage"]
    name = st["name_zh"] if lang == "zh" else st["name"]
    other = st["name"] if lang == "zh" else st["name_zh"]
    banner = Text()
    banner.append(f"{t('report.stage', lang)} {st['level']}: {name} ({other})",
                  style=_stage_style(st["level"]))
    banner.append(f"   {t('report.stage_since', lang, since=st['since'])}")
    score = doc["score"]["value"]
    banner.append(f"   {t('report.score', lang)} {score_text(score, lang)}"
                  + ("/100" if score is not None else ""))
    if st.get("held_text"):
        banner.append("\n" + st["held_text"], style="yellow")
    elif st.get("set_on") and st.get("set_by"):
        rules = ", ".join(st.get("set_by_names") or st["set_by"])
        if st.get("held"):
            raw = t(f"stage.{st['raw_level']}", lang)
            banner.append("\n" + t("report.held", lang, set_on=st["set_on"], rules=rules, raw=raw),
                          style="yellow")
    if st.get("core_stale"):
        banner.append("\n" + t("report.core_stale", lang, ids=", ".join(st["core_stale"])),
                      style="red")
    ago = days_ago(doc.get("data_age_days"), lang)
    if doc.get("update_advised"):  # the data are older than their publication lags allow
        banner.append("\n" + t("report.data_old", lang, data_end=doc["data_end"], ago=ago),
                      style="bold red")
    head = Panel(banner, title=t("report.title", lang),
                 subtitle=t("report.as_of", lang, as_of=doc["as_of"], data_end=doc["data_end"],
                            ago=ago))

    ev_rows = []
    for e in sorted(doc["evidence"], key=lambda e: (not e["met"], e["met"] is None,
                                                     -e["stage"])):
        mark = "✔" if e["met"] else ("·" if e["met"] is False else "?")
        style = _stage_style(e["stage"]) if e["met"] else "dim"
        label = e["stage_name_zh"] if lang == "zh" else e["stage_name"]
        rule = "; ".join(c["text"] for c in e["conditions"])
        if e.get("needs"):
            rule += f" [{e['needs']}]"
        ev_rows.append((Text(f"{mark} {label}", style=style),
                        Text(rule, style="" if e["met"] else "dim")))
    ev = FitTable([Col("stage", no_wrap=True), "rule"], ev_rows,
                  title=t("report.evidence", lang), show_header=False)

    by_id = {i["id"]: i for i in doc["indicators"]}
    ind_rows = []
    for k in KEY_INDICATORS:
        i = by_id.get(k)
        if i is None or not i["available"]:
            continue
        when = (i["obs_date"] or "") + (" " + t("rule.stale", lang) if i.get("stale") else "")
        dim = "dim" if i.get("stale") else ""
        ind_rows.append((Text(i["name"], style=dim),
                         Text(fmt_u(i["value"], i["unit"], lang), style=dim),
                         Text(when, style=dim)))
    ind = FitTable([Col("indicator"), Col("value", justify="right", no_wrap=True),
                    Col("date")], ind_rows, title=t("report.indicators", lang),
                   show_header=False)

    parts: list[Any] = [head]
    if doc["records"]:  # the notable records lead (each looks back at least a year)
        parts.append(Text(t("report.records", lang), style="bold"))
        parts.append(bullets(r["text"] for r in doc["records"]))
    if sparks:
        parts.append(render_sparks(sparks, lang, width))
    parts += [ev, ind]
    cal = doc.get("calendar", {}).get("sofr_iorb_bp")
    if cal and cal.get("calendar"):
        parts.append(Text(t("calendar.spike", lang, date=cal["date"],
                            kind=cal["calendar_label"], value=f"{cal['value_bp']:+.0f}",
                            persistent=f"{cal['persistent_bp']:+.0f}")))
    if doc["unavailable"]:
        parts.append(Text(t("report.unavailable", lang), style="bold"))
        parts.append(bullets((u["reason"] for u in doc["unavailable"]), style="dim"))
    if doc.get("bubble"):
        text = render_bubble(doc["bubble"], lang)  # title, then "  • item" lines
        head, *items = text.split("\n")
        parts.append(head)
        parts.append(bullets(x[4:] for x in items
                             if x.plain.startswith("  • ")))
    if doc.get("bubble_tests"):
        parts.append(render_bubble_tests(doc["bubble_tests"], lang))
    if doc.get("outlook"):
        ol = doc["outlook"]
        parts.append(Text(t("outlook.section", lang) + " (dollarliq outlook)", style="bold"))
        parts.append(bullets([*ol["lines"], ol["note"]]))
    fr = Text(t("report.freshness", lang) + ": ", style="bold")
    fr.append(", ".join(_freshness_item(f, doc, lang) for f in doc["freshness"]
                        if f["last_obs"]), style="dim")
    parts.append(fr)
    parts.append(Text(doc["notice"], style="italic"))
    return Group(*parts)


def _freshness_item(f: dict[str, Any], doc: dict[str, Any], lang: str) -> str:
    """"WALCL 2026-08-19 (108d ago)": the age against today; with an as-of date asked for,
    also against it ("+2d on 2025-11-03"); "stale: not evidence" when stale on the as-of
    date."""
    parts = []
    if f.get("age_today_days") is not None:
        parts.append(t("freshness.ago", lang, n=f["age_today_days"]))
    if doc.get("as_of_requested") or f.get("age_today_days") is None:
        parts.append(t("freshness.on_as_of", lang, n=f["age_days"], as_of=doc["as_of"]))
    text = "; ".join(parts)
    if f.get("stale"):
        text += ", " + t("rule.stale", lang)
    return f"{f['series']} {f['last_obs']} ({text})"


def render_bubble(section: dict[str, Any], lang: str = "en") -> Text:
    """A few lines on the tech-bubble gauges (``dollarliq bubble gauges`` has them all)."""
    g = section.get("gauges", {})
    out = Text(t("report.bubble", lang) + "\n", style="bold")

    def line(s: str, style: str = "") -> None:
        out.append(f"  • {s}\n", style=style)

    c = g.get("concentration", {})
    if c.get("status") == "ok":
        rec = c.get("basket_per_sp500_record") or {}
        extra = ""
        if c.get("basket_usd_bn_per_sp500_point") is not None:
            per = t("bubble.per_sp500", lang, value=f"{c['basket_usd_bn_per_sp500_point']:.3f}")
            extra = f"; {per}" + (", " + t("bubble.a_record", lang) if rec.get("is_record") else
                                  ", " + t("bubble.highest_since", lang, since=rec.get("since"))
                                  if rec.get("notable", True) else "")
        line(f"{t('bubble.concentration', lang)}: {', '.join(c['basket'])} "
             f"${c['basket_market_cap_usd_bn']:,.0f}bn ({c['date']}){extra}")
        if c.get("missing_megacaps"):
            line(t("bubble.not_covered", lang, names=", ".join(c["missing_megacaps"])), style="dim")
    e = g.get("equal_vs_cap_weight", {})
    if e.get("status") == "ok":
        line(f"RSP − SPY: 1m {e['rsp_minus_spy_1m_pct']:+.1f} pp, 12m "
             f"{e['rsp_minus_spy_12m_pct']:+.1f} pp ({e['date']})")
    r = g.get("runups", {})
    if r.get("status") == "ok":
        flagged = [k for k, v in r["names"].items() if v.get("runup_100pct")]
        line(f"{t('bubble.runups', lang)}: " + (", ".join(flagged) if flagged else "-"))
    f = g.get("fear_greed", {})
    if f.get("status") == "ok":
        line(f"{t('bubble.fear_greed', lang)}: {f['composite']:.0f} ({f['label']})")
    h = g.get("dollar_hoarding", {})
    if h.get("status") == "ok":
        onoff = t("bubble.on" if h["hoarding_now"] else "bubble.off", lang)
        line(f"{t('bubble.dollar_hoarding', lang)}: {onoff} "
             f"({h['date']})")
    for key in ("insider_selling", "cash_hoarding", "concentration", "fear_greed"):
        st = g.get(key, {}).get("status", "ok")
        if st != "ok":
            line(f"{key}: {st}", style="dim")
    return out


def render_bubble_tests(section: dict[str, Any], lang: str = "en") -> Text:
    """One line: which names have an explosive root now (GSADF/BSADF at 95%)."""
    names = section.get("names", {})
    ok = {k: v for k, v in names.items() if v.get("status") == "ok"}
    now = [k for k, v in ok.items() if v["explosive_now"]]
    sample = [k for k, v in ok.items() if v["explosive_95"] and not v["explosive_now"]]
    out = Text(t("report.bubble_tests", lang) + ": ", style="bold")
    out.append(t("bubble.explosive_now", lang, names=", ".join(now) or "-") + "; ")
    out.append(t("bubble.explosive_sample", lang, names=", ".join(sample) or "-"))
    return out
