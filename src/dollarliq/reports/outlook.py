"""The outlook document (``dollarliq outlook --format json``, ``data/outlook.schema.json``)
and its text and CSV forms. Pure: builds and renders, prints nothing."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pandas as pd

from dollarliq.messages import t

NOT_A_FORECAST = "runway.note"


def _day(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
        return None
    return pd.Timestamp(x).strftime("%Y-%m-%d")


def _num(x: Any, nd: int | None = None) -> float | None:
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, nd) if nd is not None else x


def _usd(x: Any) -> int | None:
    """Whole US dollars (the records' amounts are whole dollars)."""
    v = _num(x)
    return None if v is None else int(round(v))


def _cat(c: dict) -> dict:
    return {"issued_usd": _usd(c["issued_usd"]), "status": c["status"],
            "maturing_usd": _usd(c["maturing_usd"]), "net_usd": _usd(c["net_usd"]),
            "complete": bool(c["complete"])}


def _tag(tg: dict, lang: str) -> dict:
    return {"spread": tg["spread"], "kind": tg["kind"], "effect_bp": _num(tg["effect_bp"], 2),
            "lo_bp": _num(tg["lo_bp"], 2), "hi_bp": _num(tg["hi_bp"], 2), "days": tg["days"],
            "label": t("outlook.tag", lang, kind=t(f"outlook.kind.{tg['kind']}", lang),
                       spread=t(f"outlook.spread.{tg['spread']}", lang),
                       effect=f"{tg['effect_bp']:+.1f}", lo=f"{tg['lo_bp']:+.1f}",
                       hi=f"{tg['hi_bp']:+.1f}")}


def _line(ln: dict, lang: str) -> dict:
    out = {"line": ln["line"], "name": t(f"outlook.line.{ln['line']}", lang),
           "series": ln["series"], "date": _day(ln["date"]),
           "level_bn": _num(ln["level_bn"], 3), "threshold_bn": _num(ln["threshold_bn"], 3),
           "threshold_lo_bn": _num(ln["threshold_lo_bn"], 3),
           "threshold_hi_bn": _num(ln["threshold_hi_bn"], 3),
           "distance_bn": _num(ln["distance_bn"], 3)}
    for w in (4, 13):
        out[f"pace_{w}w_bn"] = _num(ln[f"pace_{w}w_bn"], 3)
        out[f"weeks_left_{w}w"] = _num(ln[f"weeks_left_{w}w"], 1)
    return out


def _threshold(th: dict) -> dict:
    return {"share_pct": _num(th["share_pct"], 3), "lo_pct": _num(th["lo_pct"], 3),
            "hi_pct": _num(th["hi_pct"], 3), "weeks": th["weeks"],
            "positive_weeks": th["positive_weeks"], "first": _day(th["first"]),
            "last": _day(th["last"]), "episode_start": _day(th.get("episode_start")),
            "episode_end": _day(th.get("episode_end"))}


def outlook_document(as_of: pd.Timestamp, n: int, cal: dict, run: dict, effects: dict,
                     *, lang: str = "en", data_end: Any = None) -> dict[str, Any]:
    """The JSON-ready outlook document.

    Parameters
    ----------
    as_of : Timestamp
        Only data public on this date were used.
    n : int
        Business days in the calendar.
    cal : dict
        :func:`dollarliq.outlook.drain.calendar`.
    run : dict
        :func:`dollarliq.outlook.runway.runway`.
    effects : dict
        ``{"table": measure(...), "start": Timestamp, "end": Timestamp, "threshold_bn":
        float}``.
    """
    days = []
    for d in cal["days"]:
        days.append({
            "date": _day(d["date"]), "weekday": pd.Timestamp(d["date"]).strftime("%a"),
            "settlement": d["settlement"], "bills": _cat(d["bills"]),
            "coupons": _cat(d["coupons"]), "net_usd": _usd(d["net_usd"]),
            "events": d["events"],
            "event_names": [t(f"outlook.event.{e}", lang) for e in d["events"]],
            "holidays_before": [_day(h) for h in d["holidays_before"]],
            "tags": [_tag(tg, lang) for tg in d["tags"]],
            "tga_path_bn": _num(d["tga_path_bn"], 3),
            "auctions": [{"cusip": a["cusip"], "type": a["type"], "term": a["term"],
                          "category": a["category"], "announced": _day(a["announced"]),
                          "auction_date": _day(a["auction_date"]), "status": a["status"],
                          "amount_usd": _usd(a["amount_usd"])} for a in d["auctions"]],
            "maturing": [{"cusip": m["cusip"], "type": m["type"], "term": m["term"],
                          "category": m["category"], "issue_date": _day(m["issue_date"]),
                          "amount_usd": _usd(m["amount_usd"])} for m in d["maturing"]],
        })
    tga = cal.get("tga")
    tga_doc = None
    if tga is not None:
        tg = tga.get("target") or {}
        tga_doc = {"balance_bn": _num(tga["balance_bn"], 3),
                   "balance_date": _day(tga["balance_date"]),
                   "target_bn": _num(tg.get("balance_bn")), "quarter": tg.get("quarter"),
                   "target_day": _day(tga["target_day"]), "release": tg.get("release"),
                   "release_date": _day(tg.get("release_date")), "quote": tg.get("quote"),
                   "gap_bn": _num(tga["gap_bn"], 3),
                   "business_days_left": tga["business_days_left"],
                   "pace_bn_per_day": _num(tga["pace_bn_per_day"], 3)}
    th = run.get("reserve_threshold")
    table = [{**{k: r[k] for k in ("spread", "kind", "days", "other_days", "significant")},
              **{k: _num(r[k], 3) for k in ("mean_bp", "other_mean_bp", "effect_bp", "lo_bp",
                                             "hi_bp")}}
             for r in effects["table"]]
    return {
        "as_of": _day(as_of), "data_end": _day(data_end), "lang": lang, "days": n,
        "calendar": days, "settlement_days": cal["settlement_days"], "tga": tga_doc,
        "announcement_lead_bdays": dict(cal["announcement_lead"]),
        "effects": {"start": _day(effects.get("start")), "end": _day(effects.get("end")),
                    "net_threshold_bn": effects["threshold_bn"], "table": table},
        "runway": {"lines": [_line(ln, lang) for ln in run["lines"]],
                   "reserve_threshold": None if th is None else _threshold(th),
                   "reserve_episodes": [_threshold(e) for e in run.get("reserve_episodes", [])],
                   "note": t(NOT_A_FORECAST, lang)},
        "sources": {"settlements": t("outlook.src.settlements", lang),
                    "maturing": t("outlook.src.maturing", lang),
                    "tga": t("outlook.src.tga", lang)},
    }


def _bn(usd: int | None) -> str:
    return "—" if usd is None else f"{usd / 1e9:,.1f}"


def _st(status: str | None, lang: str) -> str:
    return "" if status is None else t(f"outlook.status.{status}", lang)


def _head_lines(doc: dict[str, Any]) -> list[str]:
    """The title and the TGA line."""
    lang = doc["lang"]
    out = [t("outlook.title", lang, as_of=doc["as_of"], n=doc["days"])]
    tga = doc["tga"]
    if tga is not None:
        if tga["target_bn"] is not None and tga["balance_bn"] is not None:
            out.append(t("outlook.tga", lang, target=f"{tga['target_bn']:,.0f}",
                         day=tga["target_day"], release=tga["release"],
                         released=tga["release_date"], balance=f"{tga['balance_bn']:,.1f}",
                         date=tga["balance_date"], gap=f"{tga['gap_bn']:+,.1f}",
                         left=tga["business_days_left"],
                         pace=f"{tga['pace_bn_per_day']:+,.2f}"))
        elif tga["balance_bn"] is not None:
            out.append(t("outlook.tga_no_target", lang, balance=f"{tga['balance_bn']:,.1f}",
                         date=tga["balance_date"]))
    return out


def _calendar_rows(doc: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """The calendar's printed rows (date, weekday, bills issued, status, maturing, coupons
    issued, status, maturing, net ending in ``*`` when partial, notes) and whether any is
    partial. Days with neither a settlement nor a note are left out."""
    lang = doc["lang"]
    rows, any_partial = [], False
    for d in doc["calendar"]:
        b, c = d["bills"], d["coupons"]
        notes = list(d["event_names"])
        if d["holidays_before"]:
            notes.append(t("outlook.after_holiday", lang, days=", ".join(d["holidays_before"])))
        notes += [tg["label"] for tg in d["tags"]]
        if not (d["settlement"] or notes):
            continue
        partial = bool(d["net_usd"] is not None and (
            (not b["complete"] and b["maturing_usd"]) or (not c["complete"] and c["maturing_usd"])))
        any_partial = any_partial or partial
        wd = d["weekday"] if lang != "zh" else "周" + "一二三四五六日"[
            pd.Timestamp(d["date"]).day_of_week]
        rows.append([d["date"], wd, _bn(b["issued_usd"]), _st(b["status"], lang),
                     _bn(b["maturing_usd"]), _bn(c["issued_usd"]), _st(c["status"], lang),
                     _bn(c["maturing_usd"]), _bn(d["net_usd"]) + ("*" if partial else ""),
                     "; ".join(notes)])
    return rows, any_partial


def _runway_lines(doc: dict[str, Any]) -> list[str]:
    """One line per defence line, then the reserve episodes (unindented)."""
    lang = doc["lang"]
    out = []
    for ln in doc["runway"]["lines"]:
        if ln["level_bn"] is None:
            out.append(f"{ln['name']}: {t('outlook.no_data', lang, series=ln['series'])}")
            continue
        th = "—" if ln["threshold_bn"] is None else f"{ln['threshold_bn']:,.0f}"
        if ln["threshold_lo_bn"] is not None:
            th += f" [{ln['threshold_lo_bn']:,.0f}–{ln['threshold_hi_bn']:,.0f}]"
        weeks = []
        for w in (4, 13):
            p, k = ln[f"pace_{w}w_bn"], ln[f"weeks_left_{w}w"]
            pace = "—" if p is None else f"{p:+,.1f}"
            left = "—" if k is None else f"{k:,.1f}"
            weeks.append(t("outlook.pace", lang, w=w, pace=pace, left=left))
        dist = "—" if ln["distance_bn"] is None else f"{ln['distance_bn']:,.1f}"
        out.append(f"{ln['name']} ({ln['series']}, {ln['date']}): "
                   f"{ln['level_bn']:,.1f}; {t('outlook.threshold', lang)} {th}; "
                   f"{t('outlook.distance', lang)} {dist}; " + "; ".join(weeks))
    eps = doc["runway"]["reserve_episodes"]
    if eps:
        out.append(t("outlook.episodes", lang, list="; ".join(
            f"{e['episode_start'][:7]}..{(e['episode_end'] or '')[:7]} "
            f"{e['share_pct']:.2f}% [{e['lo_pct']:.2f}–{e['hi_pct']:.2f}] "
            f"({e['positive_weeks']}/{e['weeks']})" for e in eps)))
    return out


def render_text(doc: dict[str, Any]) -> str:
    """The outlook as plain text lines (amounts in USD billions)."""
    lang = doc["lang"]
    head = _head_lines(doc)
    out = head[:1] + [""] + head[1:] + ([""] if len(head) > 1 else [])
    out.append(t("outlook.table_head", lang))
    rows, any_partial = _calendar_rows(doc)
    for r in rows:
        out.append(f"{r[0]} {r[1]:<3} {r[2]:>8} {r[3]:<9}{r[4]:>8} {r[5]:>8} {r[6]:<9}"
                   f"{r[7]:>8} {r[8].rstrip('*'):>8}{r[8][-1] if r[8].endswith('*') else ' '} "
                   + r[9])
    if any_partial:
        out.append(t("outlook.partial", lang, bills=doc["announcement_lead_bdays"]["bills"],
                     coupons=doc["announcement_lead_bdays"]["coupons"]))
    out.append("")
    out.append(t("outlook.runway_head", lang))
    out += ["  " + x for x in _runway_lines(doc)]
    out.append("  " + doc["runway"]["note"])
    return "\n".join(out)


def renderables(doc: dict[str, Any]) -> list[Any]:
    """The outlook for a terminal: the same content as :func:`render_text`, with the
    calendar a :class:`~dollarliq.reports.layout.FitTable` and the runway a list that
    wraps under its own text, so that it fits any width without losing a character."""
    from rich.text import Text

    from dollarliq.reports.layout import Col, FitTable, bullets

    lang = doc["lang"]
    head = _head_lines(doc)
    out: list[Any] = [Text(head[0], style="bold"), Text("")]
    for x in head[1:]:
        out += [Text(x), Text("")]
    rows, any_partial = _calendar_rows(doc)
    cols = [Col(t(f"outlook.col.{k}", lang), justify=j, no_wrap=k != "notes")
            for k, j in (("date", "left"), ("weekday", "left"), ("bills", "right"),
                         ("status", "left"), ("maturing", "right"), ("coupons", "right"),
                         ("status", "left"), ("maturing", "right"), ("net", "right"),
                         ("notes", "left"))]
    out.append(FitTable(cols, rows))
    if any_partial:
        out.append(Text(t("outlook.partial", lang,
                          bills=doc["announcement_lead_bdays"]["bills"],
                          coupons=doc["announcement_lead_bdays"]["coupons"])))
    out += [Text(""), Text(t("outlook.runway_head", lang), style="bold"),
            bullets(_runway_lines(doc) + [doc["runway"]["note"]], mark="-")]
    return out


CSV_COLUMNS = ("date", "weekday", "bills_issued_usd", "bills_status", "bills_maturing_usd",
               "coupons_issued_usd", "coupons_status", "coupons_maturing_usd", "net_usd",
               "events", "holidays_before", "tags", "tga_path_bn")


def to_csv(doc: dict[str, Any]) -> str:
    """The calendar, one row per business day (amounts in whole USD, the TGA path in USD
    billions)."""
    from dollarliq.reports.style import csv_number

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in doc["calendar"]:
        b, c = d["bills"], d["coupons"]
        w.writerow([d["date"], d["weekday"], b["issued_usd"], b["status"], b["maturing_usd"],
                    c["issued_usd"], c["status"], c["maturing_usd"], d["net_usd"],
                    "|".join(d["events"]), "|".join(d["holidays_before"]),
                    "|".join(f"{tg['spread']}:{tg['kind']}:{tg['effect_bp']}" for tg in d["tags"]),
                    csv_number(d["tga_path_bn"])])
    return buf.getvalue()


def short_lines(doc: dict[str, Any]) -> list[str]:
    """The report's short Outlook section: the TGA against its target, the next settlement
    days with their net, and each line's weeks left at the 4-week pace."""
    lang = doc["lang"]
    out = []
    tga = doc["tga"]
    if tga and tga["target_bn"] is not None and tga["balance_bn"] is not None:
        out.append(t("outlook.short_tga", lang, balance=f"{tga['balance_bn']:,.0f}",
                     target=f"{tga['target_bn']:,.0f}", day=tga["target_day"],
                     release=tga["release"]))
    big = [d for d in doc["calendar"] if d["settlement"] and d["net_usd"] is not None]
    big = sorted(big, key=lambda d: -(d["net_usd"] or 0))[:3]
    if big:
        out.append(t("outlook.short_net", lang, days=", ".join(
            f"{d['date']} {_bn(d['net_usd'])}" for d in sorted(big, key=lambda d: d["date"]))))
    for ln in doc["runway"]["lines"]:
        if ln["weeks_left_4w"] is not None:
            out.append(t("outlook.short_line", lang, name=ln["name"],
                         weeks=f"{ln['weeks_left_4w']:,.1f}"))
    return out


def short_section(doc: dict[str, Any]) -> dict[str, Any]:
    """The report's short Outlook section: the TGA against its target, the settlement days
    of the next 20 business days with their net, each line's weeks left, and the lines of
    text (:func:`short_lines`)."""
    return {
        "as_of": doc["as_of"], "days": doc["days"], "tga": doc["tga"],
        "settlements": [{"date": d["date"], "net_usd": d["net_usd"],
                         "bills_issued_usd": d["bills"]["issued_usd"],
                         "coupons_issued_usd": d["coupons"]["issued_usd"],
                         "events": d["events"], "tags": [tg["kind"] for tg in d["tags"]]}
                        for d in doc["calendar"] if d["settlement"] or d["events"]],
        "runway": [{k: ln[k] for k in ("line", "name", "series", "date", "level_bn",
                                       "threshold_bn", "threshold_lo_bn", "threshold_hi_bn",
                                       "distance_bn", "weeks_left_4w", "weeks_left_13w")}
                   for ln in doc["runway"]["lines"]],
        "note": doc["runway"]["note"],
        "lines": short_lines(doc),
    }


def html_section(section: dict[str, Any], lang: str = "en") -> str:
    """The dashboard's Outlook section: a calendar strip (one cell per business day with a
    settlement or an event, coloured by net cash raised) and the runway as bars against
    their thresholds. Self-contained HTML (no script)."""
    from html import escape

    cells = []
    for d in section["settlements"]:
        net = d["net_usd"]
        if net is None:
            colour, label = "#ccc", "?"
        else:
            colour = "#c0392b" if net >= 50e9 else ("#e67e22" if net > 0 else "#27ae60")
            label = f"{net / 1e9:+,.0f}"
        ev = ", ".join(t(f"outlook.event.{e}", lang) for e in d["events"])
        tip = escape(f"{d['date']}: net {label}bn {ev}")
        mark = "★" if d["tags"] else ""
        cells.append(f'<div title="{tip}" style="display:inline-block;width:64px;margin:2px;'
                     f'padding:4px;border-radius:4px;background:{colour};color:#fff;'
                     f'font:12px sans-serif;text-align:center">{escape(d["date"][5:])}<br>'
                     f'{escape(label)}{mark}<br><small>{escape(ev)}</small></div>')
    bars = []
    for ln in section["runway"]:
        level, th = ln["level_bn"], ln["threshold_bn"]
        if level is None:
            bars.append(f"<div>{escape(ln['name'])}: {escape(t('outlook.no_data', lang, series=ln['series']))}</div>")
            continue
        top = max(v for v in (level, th or 0, ln["threshold_hi_bn"] or 0, 1e-9))
        w = 100 * level / top
        mark = "" if th is None else (f'<div style="position:absolute;left:{100 * th / top:.1f}%;'
                                      'top:0;bottom:0;width:2px;background:#000"></div>')
        left = ln["weeks_left_4w"]
        note = "" if left is None else " — " + t("outlook.short_line", lang, name="",
                                                   weeks=f"{left:,.1f}").lstrip(": ")
        bars.append(f'<div style="margin:4px 0;font:13px sans-serif">{escape(ln["name"])}: '
                    f'{level:,.1f}bn{escape(note)}<div style="position:relative;height:12px;'
                    f'background:#eee"><div style="width:{w:.1f}%;height:12px;'
                    f'background:#2c7fb8"></div>{mark}</div></div>')
    head = "".join(f"<p>{escape(x)}</p>" for x in section["lines"][:2])
    return (head + '<div style="margin:8px 0">' + "".join(cells) + "</div>"
            + "".join(bars) + f"<p><small>{escape(section['note'])}</small></p>")
