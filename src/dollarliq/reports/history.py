"""Pure: the text of today against history (the document of ``api.history_context``, the
report's ``history`` section)."""

from __future__ import annotations

from typing import Any

from dollarliq.messages import t

_LEVEL = {"ample": 0, "tight": 1, "drained": 2, "crisis": 3}


def reading_name(rid: str, lang: str = "en") -> str:
    """The name of a compared reading: the stress score or an indicator."""
    if rid == "score":
        return t("report.score", lang)
    from dollarliq.reports.model import indicator_name

    try:
        return indicator_name(rid, lang)[0]
    except KeyError:
        return rid


def stage_name(name: str, lang: str = "en") -> str:
    """A stage name (as the engine writes it) in ``lang``."""
    return t(f"stage.{_LEVEL[name]}", lang) if name in _LEVEL else name


def _span(r: dict[str, Any], lang: str) -> str:
    key = "history.across" if r["crosses_regime"] else "history.within"
    return t(key, lang, n=r["compared_days"], start=r["compared_from"],
             regimes=", ".join(r["regimes"]))


def _num(x: Any) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def history_lines(ctx: dict[str, Any], lang: str = "en") -> list[str]:
    """Plain lines: each reading's percentile within its compared regimes, then the closest
    past days and what followed them (labelled history, not a forecast)."""
    out = [t("history.title", lang, as_of=ctx["as_of"], regime=ctx["regime"])]
    for r in ctx["readings"]:
        name = reading_name(r["id"], lang)
        if r["value"] is None:
            out.append("  " + t("history.no_value", lang, name=name, span=_span(r, lang)))
        else:
            out.append("  " + t("history.reading", lang, name=name, value=f"{r['value']:.1f}",
                                pct=f"{r['percentile']:.0f}", span=_span(r, lang)))
    feats = ", ".join(reading_name(f, lang) for f in ctx["analogue_features"])
    out.append(t("history.analogues", lang, features=feats))
    for a in ctx["analogues"]:
        f = a["followed"]
        out.append("  " + t("history.analogue", lang, date=a["date"], regime=a["regime"],
                            stage=stage_name(a["stage"], lang), score=_num(a["score"]),
                            until=f["until"], max_stage=stage_name(f["max_stage"], lang),
                            max_date=f["max_stage_date"], max_score=_num(f["max_score"])))
    out.append(ctx["note"])
    return out


def short_lines(ctx: dict[str, Any], lang: str = "en") -> list[str]:
    """The report's default form: the percentiles on one line, the closest past days on
    another, and the note (history, not a forecast)."""
    pcts = [t("history.pct", lang, name=reading_name(r["id"], lang),
              pct=f"{r['percentile']:.0f}")
            for r in ctx["readings"] if r["percentile"] is not None]
    out = [t("history.short", lang, readings="; ".join(pcts) or "n/a")]
    if ctx["analogues"]:
        days = "; ".join(t("history.analogue_short", lang, date=a["date"],
                           max_stage=stage_name(a["followed"]["max_stage"], lang),
                           until=a["followed"]["until"]) for a in ctx["analogues"])
        out.append(t("history.analogues_short", lang, days=days))
    out.append(ctx["note"])
    return out
