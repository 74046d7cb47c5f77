"""How values and stages look in every report (terminal, HTML, Markdown): a light module.

No pandas here, so a cached report can be printed without loading it.
"""

from __future__ import annotations

#: The colour of each stage (ample, tight, drained, crisis).
STAGE_COLORS = {0: "#2e7d32", 1: "#f9a825", 2: "#ef6c00", 3: "#c62828"}


def clean_float(value: float) -> float:
    """``value`` rounded to 12 significant digits: drops the binary noise that unit
    conversions and sums leave (4081.4300000000003 -> 4081.43) and keeps every digit a
    publisher prints."""
    return float(f"{value:.12g}")


def csv_number(value: float | None) -> str:
    """A number as a CSV cell: the shortest text of :func:`clean_float`; empty when missing."""
    if value is None or value != value:
        return ""
    return repr(clean_float(float(value)))


def fmt(value: float | None, unit: str) -> str:
    """A value as an analyst writes it, in its unit."""
    if value is None:
        return "n/a"
    if unit in ("bp", "bp_per_100bn"):
        return f"{value:+.1f}" if abs(value) < 10 and unit != "bp" else f"{value:+.0f}"
    if unit in ("usd_bn", "usd_bn_per_month"):
        # Under $100bn a second decimal is kept where it carries information ($50.35bn of
        # standing repo take-up is not $50.4bn against a $50bn threshold).
        if abs(value) < 100 and round(value, 2) != round(value, 1):
            return f"{value:,.2f}"
        return f"{value:,.1f}"
    if unit == "pct":
        return f"{value:.2f}"
    if unit == "percentile":
        return f"{value:.0f}"
    return f"{value:,.2f}"


def fmt_u(value: float | None, unit: str, lang: str = "en") -> str:
    """A value with its unit, e.g. '+32 bp', '$2,848.0bn', '3.90%' (Chinese: '第5百分位')."""
    if value is None:
        return "n/a" if lang == "en" else "无"
    if unit in ("usd_bn", "usd_bn_per_month"):
        sign, v = ("-" if value < 0 else ""), fmt(abs(value), unit)
        per = ("/month" if lang == "en" else "/月") if unit == "usd_bn_per_month" else ""
        return f"{sign}${v}bn{per}"
    v = fmt(value, unit)
    if unit == "percentile":
        n = int(round(value))
        if lang == "zh":
            return f"第{n}百分位"
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix} percentile"
    if unit == "bp_per_pp":
        v = f"{value:+.1f}"
    units = ({"bp": f"{v} bp", "pct": f"{v}%", "bp_per_100bn": f"{v} bp per $100bn",
              "bp_per_pp": f"{v} bp per point"} if lang == "en" else
             {"bp": f"{v} 基点", "pct": f"{v}%", "bp_per_100bn": f"每千亿美元 {v} 基点",
              "bp_per_pp": f"每百分点 {v} 基点"})
    return units.get(unit, v)
