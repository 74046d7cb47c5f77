"""The dashboard: one self-contained HTML file (Plotly inlined once, no network needed).

:func:`render_dashboard` is pure: it takes the engine result, the report document and the
bubble section, and returns the page as a string. Other parts of the product append their
own sections through ``extra_sections`` (``(title, html fragment)`` pairs), e.g. the
backtest's track record.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dollarliq.engine import EngineResult
from dollarliq.messages import days_ago, score_text, t
from dollarliq.reports.model import fmt_u, indicator_name
from dollarliq.reports.style import STAGE_COLORS

#: Charts start here: SOFR and the stage engine begin in April 2018.
CHART_START = pd.Timestamp("2018-01-01")
#: Background shade of each stage (ample is left unshaded): the stage colours, translucent.
STAGE_SHADE = {1: "rgba(249,168,37,0.16)", 2: "rgba(239,108,0,0.22)", 3: "rgba(198,40,40,0.25)"}


def chart_episodes() -> list[tuple[str, str]]:
    """The episodes marked on the charts: (start date, message key), from the episodes file
    (``data/episodes.csv``, the one home of episode dates), for every episode that has a
    short chart label in :mod:`dollarliq.messages` (``episode.<id>``)."""
    from dollarliq.backtest import load_episodes
    from dollarliq.messages import MESSAGES

    return [(f"{ep.start:%Y-%m-%d}", f"episode.{ep.id}") for ep in load_episodes()
            if f"episode.{ep.id}" in MESSAGES]
PLOT_CONFIG = {"responsive": True, "displaylogo": False,
               "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

_CSS = """
:root { --fg:#1d232a; --muted:#5f6b7a; --card:#ffffff; --bg:#f3f5f8; --line:#dde2e8; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans SC",
       "PingFang SC", "Microsoft YaHei", sans-serif; color:var(--fg); background:var(--bg);
       line-height:1.45; }
header { padding:16px 20px; color:#fff; }
header h1 { margin:0 0 4px 0; font-size:1.35rem; }
header .stage { font-size:1.7rem; font-weight:700; }
header .meta { opacity:.9; font-size:.9rem; }
header .old { margin-top:.4rem; font-weight:600; background:#fff3; padding:.2rem .5rem;
  border-radius:4px; display:inline-block; }
main { display:grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap:14px;
       padding:14px; max-width:1500px; margin:0 auto; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px;
          padding:12px 14px; min-width:0; }
section.wide { grid-column: 1 / -1; }
section h2 { font-size:1.05rem; margin:0 0 6px 0; }
section p.note { color:var(--muted); font-size:.85rem; margin:4px 0; }
.chart { width:100%; height:430px; }
ul { margin:4px 0; padding-left:20px; }
ul.evidence { list-style:none; padding-left:0; }
li { margin:2px 0; }
li.met { font-weight:600; }
li.dim, .dim { color:var(--muted); }
table { border-collapse: collapse; font-size:.88rem; width:100%; }
td, th { border-bottom:1px solid var(--line); padding:3px 6px; text-align:left; }
td.num { text-align:right; font-variant-numeric: tabular-nums; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff;
         font-size:.8rem; }
footer { text-align:center; color:var(--muted); font-size:.8rem; padding:10px 10px 24px; }
@media (max-width: 700px) {
  main { grid-template-columns: 1fr; padding:8px; gap:10px; }
  .chart { height:380px; }
  header .stage { font-size:1.3rem; }
}
"""


# --- helpers -------------------------------------------------------------------------------
def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _since(s: pd.Series | pd.DataFrame, start: pd.Timestamp) -> Any:
    return s[s.index >= start]


def _xy(s: pd.Series) -> tuple[list[str], np.ndarray]:
    s = s.dropna()
    return [f"{d:%Y-%m-%d}" for d in s.index], s.to_numpy(dtype="float64").round(3)


def _stage_shapes(table: pd.DataFrame, start: pd.Timestamp) -> list[dict]:
    """Background rectangles, one per run of the same stage above ample."""
    lv = table["level"].astype(int)
    lv = lv[lv.index >= start]
    if lv.empty:
        return []
    run_id = lv.ne(lv.shift()).cumsum()
    shapes = []
    idx = lv.index
    for _, run in lv.groupby(run_id):
        level = int(run.iloc[0])
        if level == 0:
            continue
        pos = idx.get_loc(run.index[-1])
        end = idx[pos + 1] if pos + 1 < len(idx) else run.index[-1] + pd.Timedelta(days=1)
        shapes.append({"type": "rect", "xref": "x", "yref": "paper",
                       "x0": f"{run.index[0]:%Y-%m-%d}", "x1": f"{end:%Y-%m-%d}",
                       "y0": 0, "y1": 1, "fillcolor": STAGE_SHADE[level], "line": {"width": 0},
                       "layer": "below"})
    return shapes


def _episode_marks(lang: str, start: pd.Timestamp, end: pd.Timestamp,
                   ) -> tuple[list[dict], list[dict], pd.Timestamp]:
    shapes, notes = [], []
    for i, (day, key) in enumerate(chart_episodes()):
        d = pd.Timestamp(day)
        if not start <= d <= end:
            continue
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day,
                       "y0": 0, "y1": 1, "line": {"color": "#44505e", "width": 1, "dash": "dot"}})
        notes.append({"x": day, "xref": "x", "yref": "paper", "y": 1.0 - 0.09 * (i % 3),
                      "text": _e(t(key, lang)), "showarrow": False,
                      "xanchor": "right" if end - d < pd.Timedelta(days=400) else "left",
                      "font": {"size": 10, "color": "#44505e"},
                      "bgcolor": "rgba(255,255,255,0.75)"})
    return shapes, notes, end


def _layout(title_y: str, *, shapes: Sequence[dict] = (), notes: Sequence[dict] = (),
            time_axis: bool = True, x_end: pd.Timestamp | None = None) -> dict:
    lay: dict[str, Any] = {
        "autosize": True, "margin": {"l": 52, "r": 16, "t": 30, "b": 20},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0,
                   "font": {"size": 11}},
        "yaxis": {"title": {"text": title_y}, "zeroline": True, "zerolinecolor": "#9aa5b1"},
        "shapes": list(shapes), "annotations": list(notes), "hovermode": "x unified",
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "font": {"family": "system-ui, sans-serif", "size": 12},
    }
    if time_axis:
        lay["xaxis"] = {"type": "date", "rangeselector": {"buttons": [
            {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
            {"count": 3, "label": "3y", "step": "year", "stepmode": "backward"},
            {"step": "all", "label": "all"}], "font": {"size": 10}, "y": 1.02, "x": 0}}
        if x_end is not None:
            lay["xaxis"]["range"] = [f"{CHART_START:%Y-%m-%d}",
                                     f"{x_end + pd.Timedelta(days=45):%Y-%m-%d}"]
    return lay


def _line(name: str, s: pd.Series, color: str, **kw: Any) -> dict:
    x, y = _xy(s)
    tr = {"type": "scatter", "mode": "lines", "name": name, "x": x, "y": y.tolist(),
          "line": {"color": color, "width": kw.pop("width", 1.6)}}
    tr.update(kw)
    return tr


class _Charts:
    """Collects (div id, figure) pairs and writes each as a div plus one newPlot call."""

    def __init__(self) -> None:
        self.figs: list[tuple[str, dict]] = []

    def add(self, fig: dict) -> str:
        div = f"chart-{len(self.figs) + 1}"
        self.figs.append((div, fig))
        return f'<div class="chart" id="{div}"></div>'

    def script(self) -> str:
        calls = []
        for div, fig in self.figs:
            payload = json.dumps({"data": fig["data"], "layout": fig["layout"]},
                                 separators=(",", ":"), allow_nan=False,
                                 ensure_ascii=False)
            payload = payload.replace("</", "<\\/")
            calls.append(f"(function(){{var f={payload};"
                         f"Plotly.newPlot({json.dumps(div)},f.data,f.layout,CONFIG);}})();")
        return ("var CONFIG=" + json.dumps(PLOT_CONFIG) + ";\n" + "\n".join(calls))


# --- the sections --------------------------------------------------------------------------
def _banner(doc: dict, lang: str) -> str:
    st = doc["stage"]
    name = st["name_zh"] if lang == "zh" else st["name"]
    other = st["name"] if lang == "zh" else st["name_zh"]
    color = STAGE_COLORS.get(st["level"], "#333")
    score = doc["score"]["value"]
    ago = days_ago(doc.get("data_age_days"), lang)
    old = (f'<div class="old" id="data-age">'
           f"{_e(t('report.data_old', lang, data_end=doc['data_end'], ago=ago))}</div>"
           if doc.get("update_advised") else "")
    return (
        f'<header style="background:{color}">'
        f"<h1>{_e(t('report.title', lang))}</h1>"
        f'<div class="stage" id="stage">{_e(t("report.stage", lang))} {st["level"]}: '
        f"{_e(name)} ({_e(other)})</div>"
        f'<div class="meta"><span id="score">{_e(t("report.score", lang))} '
        + _e(score_text(score, lang)) + ("/100" if score is not None else "")
        + "</span> · "
        f"{_e(t('report.stage_since', lang, since=st['since']))} · "
        f"{_e(t('report.as_of', lang, as_of=doc['as_of'], data_end=doc['data_end'], ago=ago))}"
        f"</div>{old}</header>")


def _section(title: str, body: str, *, wide: bool = False, sid: str = "") -> str:
    cls = ' class="wide"' if wide else ""
    ident = f' id="{_e(sid)}"' if sid else ""
    return f"<section{cls}{ident}><h2>{_e(title)}</h2>{body}</section>"


def _net_liquidity(res: EngineResult, lang: str, charts: _Charts, marks: tuple) -> str:
    d = _since(res.panel.daily, CHART_START)
    traces = []
    for col, color, width in [("net_liquidity_usd_bn", "#1f4e9c", 2.4),
                              ("walcl_usd_bn", "#6c8ebf", 1.4), ("tga_usd_bn", "#b5651d", 1.4),
                              ("rrp_usd_bn", "#2a9d8f", 1.4)]:
        traces.append(_line(indicator_name(col, lang)[0], d[col], color, width=width))
    lay = _layout(t("dash.usd_bn", lang), shapes=[*_stage_shapes(res.stages.table, CHART_START),
                                                   *marks[0]], notes=marks[1], x_end=marks[2])
    return _section(t("dash.net_liquidity", lang),
                    charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(t("dash.net_liquidity_note", lang))}</p>', wide=True)


def _spreads(res: EngineResult, lang: str, charts: _Charts, marks: tuple) -> str:
    obs = res.panel.obs
    traces = []
    for key, color, width in [("sofr_iorb_bp", "#c0392b", 1.2), ("effr_iorb_bp", "#34495e", 1.2),
                              ("sofr99_iorb_bp", "#8e44ad", 1.0)]:
        s = obs.get(key)
        if s is None or s["value"].dropna().empty:
            continue
        traces.append(_line(indicator_name(key, lang)[0],
                            _since(s["value"], CHART_START), color, width=width))
    d = _since(res.panel.daily, CHART_START)
    traces.append(_line(indicator_name("sofr_iorb_persistent_bp", lang)[0],
                        d["sofr_iorb_persistent_bp"], "#e67e22", width=2.2))
    cs = res.panel.spreads.get("sofr_iorb_bp")
    if cs is not None and not cs.frame.empty:
        f = _since(cs.frame, CHART_START)
        spikes = f[f["spike"] == "calendar"]
        if not spikes.empty:
            labels = [t(f"calendar.kind.{k}", lang) if k else "" for k in spikes["calendar"]]
            x, _ = _xy(spikes["value"])
            traces.append({"type": "scatter", "mode": "markers",
                           "name": t("dash.calendar_spikes", lang), "x": x,
                           "y": spikes["value"].round(2).tolist(), "text": labels,
                           "marker": {"symbol": "triangle-up", "size": 7, "color": "#7f8c8d"},
                           "hovertemplate": "%{x}: %{y:+.0f} bp (%{text})<extra></extra>"})
    note = "" if obs.get("sofr99_iorb_bp") is not None and not obs["sofr99_iorb_bp"][
        "value"].dropna().empty else f'<p class="note">{_e(t("dash.sofr99_missing", lang))}</p>'
    lay = _layout("bp", shapes=[*_stage_shapes(res.stages.table, CHART_START), *marks[0]],
                  notes=marks[1], x_end=marks[2])
    main = _since(obs["sofr_iorb_bp"]["value"], CHART_START).dropna()
    if not main.empty:  # spikes such as Sept 2019 would flatten everything else
        lo, hi = float(main.quantile(0.002)), float(main.quantile(0.998))
        lo, hi = min(lo, -20.0) - 5, max(hi, 40.0) + 5
        lay["yaxis"]["range"] = [lo, hi]
        top = main.idxmax()
        if main.max() > hi:
            msg = t("dash.clipped", lang, hi=f"{hi:+.0f}", date=f"{top:%Y-%m-%d}",
                    value=f"{main.max():+.0f}")
            note += f'<p class="note">{_e(msg)}</p>'
    return _section(t("dash.spreads", lang), charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(t("dash.spreads_note", lang))}</p>' + note,
                    wide=True)


def _demand_curve(res: EngineResult, lang: str, charts: _Charts) -> str:
    d = res.panel.daily[["reserves_usd_bn", "effr_iorb_persistent_bp"]].dropna()
    d = d[d.index >= pd.Timestamp("2015-01-01")]
    if d.empty:
        return _section(t("dash.demand_curve", lang),
                        f'<p class="note">{_e(t("dash.no_data", lang))}</p>')
    weekly = d[d.index.day_of_week == 2]  # one point a week (reserves are a weekly series)
    last = d.iloc[[-1]]
    years = weekly.index.year
    traces = [{"type": "scatter", "mode": "markers", "name": t("dash.weekly_points", lang),
               "x": weekly["reserves_usd_bn"].round(1).tolist(),
               "y": weekly["effr_iorb_persistent_bp"].round(2).tolist(),
               "text": [f"{i:%Y-%m-%d}" for i in weekly.index],
               "marker": {"size": 5, "color": years.tolist(), "colorscale": "Viridis",
                          "showscale": True, "colorbar": {"title": {"text": ""}, "thickness": 10}},
               "hovertemplate": "%{text}: $%{x:,.0f}bn, %{y:+.1f} bp<extra></extra>"},
              {"type": "scatter", "mode": "markers+text", "name": t("dash.latest", lang),
               "x": last["reserves_usd_bn"].round(1).tolist(),
               "y": last["effr_iorb_persistent_bp"].round(2).tolist(),
               "text": [f"{last.index[0]:%Y-%m-%d}"], "textposition": "top center",
               "marker": {"size": 15, "color": "#c0392b", "symbol": "star",
                          "line": {"color": "#000", "width": 1}}}]
    lay = _layout(indicator_name("effr_iorb_persistent_bp", lang)[0], time_axis=False)
    lay["xaxis"] = {"title": {"text": indicator_name("reserves_usd_bn", lang)[0] + ", "
                              + t("dash.usd_bn", lang)}}
    lay["hovermode"] = "closest"
    lay["legend"]["y"] = -0.2
    lay["margin"]["b"] = 40
    slope = res.panel.daily["reserve_slope_bp_per_100bn"].dropna()
    note = t("dash.demand_curve_note", lang)
    if not slope.empty:
        note += " " + t("dash.slope_now", lang, value=fmt_u(float(slope.iloc[-1]),
                                                             "bp_per_100bn", lang))
    return _section(t("dash.demand_curve", lang), charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(note)}</p>')


def _tga(res: EngineResult, lang: str, charts: _Charts, marks: tuple) -> str:
    d = _since(res.panel.daily, CHART_START)
    chg = d["tga_chg_4w_usd_bn"].dropna()
    x, y = _xy(chg)
    traces = [_line(indicator_name("tga_usd_bn", lang)[0], d["tga_usd_bn"], "#b5651d", width=2),
              {"type": "bar", "name": indicator_name("tga_chg_4w_usd_bn", lang)[0], "x": x,
               "y": y.tolist(), "marker": {"color": "rgba(120,120,120,0.45)"}, "yaxis": "y2"}]
    lay = _layout(t("dash.usd_bn", lang), shapes=[*_stage_shapes(res.stages.table, CHART_START),
                                                   *marks[0]], notes=marks[1], x_end=marks[2])
    lay["yaxis2"] = {"overlaying": "y", "side": "right", "showgrid": False,
                     "title": {"text": t("dash.chg_4w", lang)}}
    lay["bargap"] = 0
    return _section(t("dash.tga", lang), charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(t("dash.tga_note", lang))}</p>')


def _rrp(res: EngineResult, lang: str, charts: _Charts, marks: tuple) -> str:
    d = _since(res.panel.daily, CHART_START)
    traces = [_line(indicator_name("rrp_usd_bn", lang)[0], d["rrp_usd_bn"], "#2a9d8f", width=2,
                    fill="tozeroy", fillcolor="rgba(42,157,143,0.18)")]
    if "srf_usd_bn" in d and d["srf_usd_bn"].fillna(0).abs().sum() > 0:
        traces.append(_line(indicator_name("srf_usd_bn", lang)[0], d["srf_usd_bn"], "#c0392b"))
    lay = _layout(t("dash.usd_bn", lang), shapes=[*_stage_shapes(res.stages.table, CHART_START),
                                                   *marks[0]], notes=marks[1], x_end=marks[2])
    return _section(t("dash.rrp", lang), charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(t("dash.rrp_note", lang))}</p>')


def _score(res: EngineResult, lang: str, charts: _Charts, marks: tuple) -> str:
    tab = _since(res.stages.table, CHART_START)
    traces = [_line(t("report.score", lang), tab["score"], "#1d232a", width=1.6),
              _line(t("report.stage", lang), tab["level"].astype(float), "#c0392b", width=1.2,
                    yaxis="y2", line_shape="hv")]
    lay = _layout(t("report.score", lang), shapes=[*_stage_shapes(res.stages.table, CHART_START),
                                                    *marks[0]], notes=marks[1], x_end=marks[2])
    lay["yaxis"]["range"] = [0, 100]
    lay["yaxis2"] = {"overlaying": "y", "side": "right", "range": [-0.2, 3.2], "dtick": 1,
                     "showgrid": False, "title": {"text": t("report.stage", lang)}}
    return _section(t("dash.score_history", lang), charts.add({"data": traces, "layout": lay}),
                    wide=True)


#: Shade of the dated episodes on the 2003-2026 timeline: funding darker, market-only lighter.
EPISODE_SHADE = {"funding": "rgba(68,80,94,0.22)", "market": "rgba(68,80,94,0.10)"}


def _episode_bands(start: pd.Timestamp, end: pd.Timestamp) -> list[dict]:
    """One grey band per dated episode (``data/episodes.csv``) between ``start`` and ``end``,
    the end day included."""
    from dollarliq.backtest import load_episodes

    out = []
    for ep in load_episodes():
        if ep.end < start or ep.start > end:
            continue
        out.append({"type": "rect", "xref": "x", "yref": "paper", "name": ep.id,
                    "x0": f"{ep.start:%Y-%m-%d}",
                    "x1": f"{ep.end + pd.Timedelta(days=1):%Y-%m-%d}", "y0": 0, "y1": 1,
                    "fillcolor": EPISODE_SHADE.get(ep.kind, EPISODE_SHADE["market"]),
                    "line": {"width": 0}, "layer": "below"})
    return out


def _timeline(hres: EngineResult, lang: str, charts: _Charts) -> str:
    """The stage and score of every business day of the 2003-2026 replay, the episodes
    shaded."""
    tab = hres.stages.table
    traces = [_line(t("report.score", lang), tab["score"], "#1d232a", width=1.2),
              _line(t("report.stage", lang), tab["level"].astype(float), "#c0392b", width=1.2,
                    yaxis="y2", line_shape="hv")]
    lay = _layout(t("report.score", lang),
                  shapes=_episode_bands(tab.index[0], tab.index[-1]))
    lay["xaxis"]["range"] = [f"{tab.index[0]:%Y-%m-%d}",
                             f"{tab.index[-1] + pd.Timedelta(days=45):%Y-%m-%d}"]
    lay["yaxis"]["range"] = [0, 100]
    lay["yaxis2"] = {"overlaying": "y", "side": "right", "range": [-0.2, 3.2], "dtick": 1,
                     "showgrid": False, "title": {"text": t("report.stage", lang)}}
    return _section(t("dash.timeline", lang), charts.add({"data": traces, "layout": lay})
                    + f'<p class="note">{_e(t("dash.timeline_note", lang))}</p>',
                    wide=True, sid="timeline")


def _history(ctx: dict, lang: str) -> str:
    """Today's readings as percentiles of 2003-2026 and the closest past days (the report's
    ``history`` section), labelled history, not a forecast."""
    from dollarliq.reports.history import history_lines, reading_name

    rows = []
    for r in ctx["readings"]:
        span = (t("history.across" if r["crosses_regime"] else "history.within", lang,
                  n=r["compared_days"], start=r["compared_from"],
                  regimes=", ".join(r["regimes"])))
        val = "–" if r["value"] is None else f"{r['value']:.1f}"
        pct = "–" if r["percentile"] is None else f"{r['percentile']:.0f}"
        rows.append(f"<tr><td>{_e(reading_name(r['id'], lang))}</td>"
                    f'<td class="num">{_e(val)}</td><td class="num">{_e(pct)}</td>'
                    f'<td class="dim">{_e(span)}</td></tr>')
    lines = history_lines(ctx, lang)
    first = len(ctx["readings"]) + 1  # the analogues' heading, its lines, then the note
    body = (f"<table><tbody>{''.join(rows)}</tbody></table>"
            f"<p>{_e(lines[first])}</p><ul class=\"analogues\">"
            + "".join(f"<li>{_e(x.strip())}</li>" for x in lines[first + 1:-1])
            + f'</ul><p class="note">{_e(ctx["note"])}</p>')
    return _section(t("dash.history", lang), body, wide=True, sid="history")


def _evidence(doc: dict, lang: str) -> str:
    items = []
    st = doc["stage"]
    if st.get("held_text"):
        items.append(f'<li class="held">{_e(st["held_text"])}</li>')
    elif st.get("held") and st.get("set_by"):
        rules = ", ".join(st.get("set_by_names") or st["set_by"])
        line = (t("report.held", lang, set_on=st["set_on"], rules=rules,
                  raw=t(f"stage.{st['raw_level']}", lang)) if st.get("held") else
                t("report.set_by", lang, set_on=st["set_on"], rules=rules))
        items.append(f'<li class="{"held" if st.get("held") else "dim"}">{_e(line)}</li>')
    if st.get("core_stale"):
        items.append(f'<li class="stale">{_e(t("report.core_stale", lang, ids=", ".join(st["core_stale"])))}</li>')
    for e in sorted(doc["evidence"], key=lambda e: (not e["met"], e["met"] is None,
                                                     -e["stage"])):
        label = e["stage_name_zh"] if lang == "zh" else e["stage_name"]
        mark = "✔" if e["met"] else ("·" if e["met"] is False else "?")
        text = "; ".join(c["text"] for c in e["conditions"])
        if e.get("needs"):
            text += f" [{e['needs']}]"
        items.append(f'<li class="{"met" if e["met"] else "dim"}">{mark} '
                     f'<span class="badge" style="background:{STAGE_COLORS[e["stage"]]}">'
                     f"{_e(label)}</span> {_e(text)}</li>")
    return _section(t("report.evidence", lang), '<ul class="evidence">' + "".join(items) + "</ul>")


def _records(doc: dict, lang: str) -> str:
    if not doc["records"]:
        body = f'<p class="note">{_e(t("dash.no_records", lang))}</p>'
    else:
        body = "<ul>" + "".join(f"<li>{_e(r['text'])}</li>" for r in doc["records"]) + "</ul>"
    cal = doc.get("calendar", {}).get("sofr_iorb_bp")
    if (cal and cal.get("calendar") and cal.get("value_bp") is not None
            and cal.get("persistent_bp") is not None):
        line = t("calendar.spike", lang, date=cal["date"], kind=cal["calendar_label"],
                 value=f"{cal['value_bp']:+.0f}", persistent=f"{cal['persistent_bp']:+.0f}")
        body += f'<p class="note">{_e(line)}</p>'
    if doc.get("unavailable"):
        body += "<ul>" + "".join(f'<li class="dim">{_e(u["reason"])}</li>'
                                 for u in doc["unavailable"]) + "</ul>"
    stale = [i for i in doc.get("indicators", []) if i.get("stale")]
    if stale:
        body += (f'<p class="note stale">{_e(t("report.stale", lang))}</p><ul>'
                 + "".join(f'<li class="dim stale">{_e(i["name"])} ({_e(i["obs_date"] or "")})'
                           "</li>" for i in stale) + "</ul>")
    return _section(t("report.records", lang), body, sid="records")


def _bubble(section: dict | None, lang: str, charts: _Charts) -> str:
    if not section:
        return _section(t("report.bubble", lang),
                        f'<p class="note">{_e(t("dash.no_data", lang))}</p>', wide=True)
    g = section.get("gauges", {})
    parts: list[str] = []
    status_lines: list[str] = []

    def unavailable(key: str, label: str) -> bool:
        st = g.get(key, {}).get("status", "unavailable: " + t("dash.no_data", lang))
        if st != "ok":
            status_lines.append(f"<li class=\"dim\">{_e(label)}: {_e(st)}</li>")
            return True
        return False

    c = g.get("concentration", {})
    if not unavailable("concentration", t("bubble.concentration", lang)):
        rows = "".join(f"<tr><td>{_e(k)}</td><td class=\"num\">${v:,.0f}bn</td>"
                       f"<td class=\"num\">{c.get('weight_in_basket_pct', {}).get(k, 0):.1f}%</td></tr>"
                       for k, v in sorted(c.get("market_cap_usd_bn", {}).items(),
                                          key=lambda kv: -kv[1]))
        per = c.get("basket_usd_bn_per_sp500_point")
        extra = ""
        if per is not None:
            rec = c.get("basket_per_sp500_record") or {}
            if rec.get("is_record") or rec.get("notable", True):
                extra = t("dash.per_sp500", lang, value=f"{per:.3f}",
                          record=(t("dash.a_record", lang) if rec.get("is_record")
                                  else t("dash.highest_since", lang, since=rec.get("since"))))
            else:  # a "highest since" of less than a year is no record
                extra = t("dash.per_sp500_plain", lang, value=f"{per:.3f}")
        miss = c.get("missing_megacaps") or []
        note = (f"<p class=\"note\">{_e(t('bubble.not_covered', lang, names=', '.join(miss)))}</p>"
                if miss else "")
        parts.append(f"<h3>{_e(t('bubble.concentration', lang))} ({_e(c.get('date'))})</h3>"
                     f"<p>${c['basket_market_cap_usd_bn']:,.0f}bn. {_e(extra)}</p>{note}"
                     f"<table><tr><th></th><th>{_e(t('dash.market_cap', lang))}</th>"
                     f"<th>{_e(t('dash.weight', lang))}</th></tr>{rows}</table>")
    e = g.get("equal_vs_cap_weight", {})
    if not unavailable("equal_vs_cap_weight", "RSP − SPY"):
        parts.append(f"<h3>RSP − SPY ({_e(e.get('date'))})</h3><p>"
                     + " · ".join(f"{lab} {e[k]:+.1f} pp" for lab, k in
                                  [("1m", "rsp_minus_spy_1m_pct"), ("3m", "rsp_minus_spy_3m_pct"),
                                   ("12m", "rsp_minus_spy_12m_pct")] if e.get(k) is not None)
                     + f"</p><p class=\"note\">{_e(t('dash.rsp_note', lang))}</p>")
    f = g.get("fear_greed", {})
    if not unavailable("fear_greed", t("bubble.fear_greed", lang)):
        names = [k for k, v in f.get("parts", {}).items() if v.get("status") == "ok"]
        scores = [f["parts"][k]["score"] for k in names]
        fig = {"data": [{"type": "bar", "orientation": "h", "y": names, "x": scores,
                         "marker": {"color": ["#c0392b" if s >= 75 else "#e67e22" if s >= 55
                                              else "#7f8c8d" if s > 45 else "#2980b9"
                                              for s in scores]},
                         "name": t("bubble.fear_greed", lang)}],
               "layout": {**_layout("", time_axis=False),
                          "xaxis": {"range": [0, 100], "title": {"text": "0 = fear, 100 = greed"}},
                          "yaxis": {"automargin": True}, "height": 260, "showlegend": False,
                          "hovermode": "closest"}}
        parts.append(f"<h3>{_e(t('bubble.fear_greed', lang))}: {f['composite']:.0f} "
                     f"({_e(f.get('label', ''))})</h3>" + charts.add(fig).replace(
                         'class="chart"', 'class="chart" style="height:260px"'))
    r = g.get("runups", {})
    if not unavailable("runups", t("bubble.runups", lang)):
        rows = "".join(
            f"<tr><td>{_e(k)}</td><td class=\"num\">{v.get('return_2y_pct', 0):+.0f}%</td>"
            f"<td>{'●' if v.get('runup_100pct') else ''}</td>"
            f"<td class=\"num\">{v.get('drawdown_from_2y_high_pct', 0):+.0f}%</td></tr>"
            for k, v in r.get("names", {}).items())
        parts.append(f"<h3>{_e(t('bubble.runups', lang))}</h3><table><tr><th></th>"
                     f"<th>{_e(t('dash.return_2y', lang))}</th><th>≥100%</th>"
                     f"<th>{_e(t('dash.drawdown', lang))}</th></tr>{rows}</table>")
    h = g.get("dollar_hoarding", {})
    if not unavailable("dollar_hoarding", t("bubble.dollar_hoarding", lang)):
        spells = h.get("spells", [])
        sp = ", ".join(f"{s['start']}–{s['end']} ({s['length_obs']})" for s in spells) or "-"
        now = t("dash.on", lang) if h.get("hoarding_now") else t("dash.off", lang)
        parts.append(f"<h3>{_e(t('bubble.dollar_hoarding', lang))}: {_e(now)} "
                     f"({_e(h.get('date'))})</h3><p>{_e(t('dash.spells_since', lang, since=h.get('spells_since')))}: {_e(sp)}</p>")
    for key, label in [("insider_selling", t("dash.insider_selling", lang)),
                       ("cash_hoarding", t("dash.cash_hoarding", lang))]:
        unavailable(key, label)
    if status_lines:
        parts.append("<ul>" + "".join(status_lines) + "</ul>")
    parts.append(f'<p class="note">{_e(section.get("notice", ""))}</p>')
    return _section(t("report.bubble", lang), "".join(parts), wide=True, sid="bubble")


# --- the page --------------------------------------------------------------------------------
def render_dashboard(res: EngineResult, report_doc: dict, bubble_section: dict | None,
                     lang: str = "en", *, extra_sections: Sequence[tuple[str, str]] = (),
                     plotly_js: str | None = None, history: EngineResult | None = None) -> str:
    """The dashboard page for ``res.as_of``, one self-contained HTML string.

    Parameters
    ----------
    res : EngineResult
        Indicators and stages up to the as-of date (``Report.engine`` of
        :func:`dollarliq.api.report`).
    report_doc : dict
        ``build_report(res, lang=lang)``: banner, evidence, records.
    bubble_section : dict | None
        The report's ``bubble`` section (:func:`dollarliq.api.gauges`); None leaves the
        bubble panel as a status line.
    lang : str
        ``en`` or ``zh``.
    extra_sections : sequence of (title, html fragment)
        Appended after the built-in sections, in order (e.g. the backtest's track record).
        The title is escaped; the fragment is inserted as given.
    plotly_js : str | None
        The Plotly library source to inline (default: the installed plotly's bundle).
    history : EngineResult | None
        The 2003-2026 replay (``Report.history``): adds the stage timeline since 2003 with
        the episodes shaded. The report's ``history`` section, when present, adds today
        against history.
    """
    if plotly_js is None:
        from plotly.offline import get_plotlyjs

        plotly_js = get_plotlyjs()
    start = CHART_START
    end = res.panel.daily.index[-1]
    marks = _episode_marks(lang, start, end)
    charts = _Charts()
    sections = [
        _net_liquidity(res, lang, charts, marks),
        _spreads(res, lang, charts, marks),
        _demand_curve(res, lang, charts),
        _evidence(report_doc, lang),
        _tga(res, lang, charts, marks),
        _rrp(res, lang, charts, marks),
        _records(report_doc, lang),
        _score(res, lang, charts, marks),
        _bubble(bubble_section, lang, charts),
    ]
    if report_doc.get("history"):
        sections.append(_history(report_doc["history"], lang))
    if history is not None:
        sections.append(_timeline(history, lang, charts))
    for title, fragment in extra_sections:
        sections.append(_section(title, fragment, wide=True))
    title = f"dollarliq · {t('report.title', lang)} · {report_doc['as_of']}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly_js}</script></head><body>'
        + _banner(report_doc, lang)
        + "<main>" + "".join(sections) + "</main>"
        + f"<footer>{_e(report_doc['notice'])} · {_e(t('dash.generated', lang))}</footer>"
        + f"<script>{charts.script()}</script></body></html>\n")
