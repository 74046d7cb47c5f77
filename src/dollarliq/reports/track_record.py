"""Renderers of the track record (:mod:`dollarliq.backtest`): terminal, Markdown and HTML.

Pure functions of a :class:`~dollarliq.backtest.BacktestResult`; they print nothing.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from dollarliq.track.constants import (ASSETS, DRAINED, HORIZONS, MIN_INDEPENDENT, MIN_SPELLS,
                                      NOTICE)
from dollarliq.track.episodes import EpisodeScore, web_link
from dollarliq.track.event_study import EventRow
from dollarliq.track.scoring import BacktestResult
from dollarliq.reports.style import STAGE_COLORS  # noqa: F401  (re-exported)
from dollarliq.indicators import SRF_START
from dollarliq.stages import STAGE_NAMES

YARD_NOTES = {"STLFSI4": "St. Louis Fed Financial Stress Index (0 = average stress)",
              "NFCI": "Chicago Fed NFCI (> 0 = tighter than average); data from 2021-05 only",
              "ANFCI": "Chicago Fed adjusted NFCI (> 0 = tighter than average, net of the cycle)"}


def _pct(x: float | None, nd: int = 1) -> str:
    return "." if x is None or not np.isfinite(x) else f"{100 * x:.{nd}f}%"


def _ci(ci: tuple[float, float] | None) -> str:
    return "." if ci is None else f"[{_pct(ci[0])}, {_pct(ci[1])}]"


def _num(x: float | None, nd: int = 2) -> str:
    return "." if x is None or not np.isfinite(x) else f"{x:+.{nd}f}"


def _date(x: pd.Timestamp | None) -> str:
    return "." if x is None else f"{x:%Y-%m-%d}"


def _lead(s: EpisodeScore, which: str) -> str:
    bd = s.lead_lag_bd if which == "drained" else s.tight_lead_lag_bd
    cens = s.drained_censored if which == "drained" else s.tight_censored
    if bd is None:
        return "."
    return f"<= {bd:+d} (since data start)" if cens else f"{bd:+d}"


def _stage(level: int | None) -> str:
    return "." if level is None else STAGE_NAMES[level][0]


def _group(g: str) -> str:
    return "all days" if g == "all" else STAGE_NAMES[int(g)][0]


def _event_note(e: EventRow) -> str:
    if e.days == 0:
        return "no days"
    return "too small" if e.too_small else ""


def summary_lines(r: BacktestResult) -> list[str]:
    """The headline, in plain sentences."""
    rt, p = r.rates, r.params
    out = [*history_summary(r.history)] if r.history is not None else []
    out += [
        f"Replay {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d} ({len(r.table)} business days, rules "
        f"{r.rules or 'default'}), every day point-in-time: "
        + ", ".join(f"{STAGE_NAMES[k][0]} {v}" for k, v in r.stage_days.items()) + " days.",
    ]
    if rt.major_in_range:
        out.append(
            f"Hit rate: {rt.hits_drained} of {rt.major_in_range} major episodes reached stage >= "
            f"drained within +-{p.tolerance_bd} business days of the episode window "
            f"({_pct(rt.hit_rate, 0)}); {rt.hits_tight} of {rt.major_in_range} reached >= tight "
            f"({_pct(rt.hit_rate_tight, 0)}).")
    if rt.spells:
        out.append(
            f"False alarms: {rt.false_alarms} of {rt.spells} spells of stage >= drained had no "
            f"major episode within {p.alarm_window_bd} business days either side "
            f"({_pct(rt.false_alarm_rate, 0)} of spells; {rt.false_alarm_days} of "
            f"{rt.drained_days} drained days).")
    else:
        out.append("No spell of stage >= drained in the span.")
    for y in r.yardsticks:
        if y.pearson is None:
            continue
        a = y.agreement["drained"]
        hi, dr = a["both"] + a["index_only"], a["both"] + a["stage_only"]
        out.append(
            f"Score vs {y.id} ({_date(y.first)}..{_date(y.last)}, {y.weeks} weeks): Pearson "
            f"{_num(y.pearson)}, Spearman {_num(y.spearman)}; {y.id} > 0 in {hi} weeks, of which "
            f"{a['both']} read >= drained; {a['both']} of {dr} drained weeks had {y.id} > 0.")
    for sc in r.scorecards[:1]:
        oos = {x.signal: x for x in sc.rows if x.span.startswith("out of sample")}
        sco = oos.get("stress score")
        base = [x for k, x in oos.items() if k in INPUT_BASELINES and np.isfinite(x.auc)]
        if sco is not None and base:
            best = max(base, key=lambda x: x.auc)
            stl = oos.get("STLFSI4")
            out.append(
                f"Out of sample (2022-01 on, {sco.positives} funding-episode days): stress score "
                f"AUC {_r(sco.auc)} {_rci(sco.auc_ci)}; the best of its own inputs alone, "
                f"{best.signal}, {_r(best.auc)} {_rci(best.auc_ci)}"
                + (f"; STLFSI4 {_r(stl.auc)} {_rci(stl.auc_ci)}" if stl else "") + ".")
        for key, lead in [("stage level, flag >= drained", "Out of sample, drained"),
                          *[(k, f"Out of sample, {k.split(':')[0]} (rules written after "
                                "seeing their episode left out), drained")
                            for k in oos if k.startswith("without ") and k.endswith(">= drained")]]:
            dr = oos.get(key)
            if dr is None:
                continue
            out.append(
                f"{lead} flags {dr.flagged} days with precision "
                f"{_r(dr.precision)} {_rci(dr.precision_ci)} and catches {dr.caught} of "
                f"{len(dr.catches)} funding episodes within {sc.params.catch_bd} business days "
                "of their start (" + ", ".join(
                    f"{c.episode} {'missed' if c.lead_bd is None else f'{c.lead_bd:+d} bd'}"
                    for c in dr.catches) + ").")
    if rt.calendar_in_range:
        out.append(
            f"Year-ends (minor calendar episodes, not in the hit rate): {rt.calendar_drained} of "
            f"{rt.calendar_in_range} read >= drained. The rules are built to look through "
            "calendar spikes, so a drained year-end would count against them.")
    return out


def hindsight_lines(r: BacktestResult) -> list[str]:
    """Which rules were written after seeing which episodes (from the rules file)."""
    if not r.written_after:
        return ["Every rule was written before the out-of-sample span (2022-01 on)."]
    names = {s.episode.id: s.episode for s in r.episodes}
    out = []
    for rule, eps in r.written_after.items():
        seen = "; ".join(f"{e} ({names[e].start:%Y-%m-%d}..{names[e].end:%Y-%m-%d})"
                         if e in names else e for e in eps)
        out.append(f"`{rule}` was written after seeing {seen}: those episodes are in sample "
                   "for it, whatever their date.")
    out.append("The scorecard rows `without ...` replay the same rules less those written "
               "after their episode; their out-of-sample numbers are the ones not fitted to "
               "the episodes they score. The thresholds were not changed after these numbers "
               "were seen.")
    return out


def episode_rows(r: BacktestResult, short: bool = False) -> list[list[str]]:
    rows = []
    for s in r.episodes:
        ep = s.episode
        rows.append([ep.id if short else ep.name, ep.severity, f"{ep.start:%Y-%m-%d}..{ep.end:%Y-%m-%d}",
                     "out of range" if not s.in_range else _stage(s.max_level),
                     "." if s.max_score is None else f"{s.max_score:.0f}",
                     _date(s.first_drained), _lead(s, "drained"), _date(s.first_tight),
                     _lead(s, "tight")])
    return rows


EPISODE_HEAD = ["episode", "class", "window", "max stage", "max score", "first >= drained",
                "lead(-)/lag(+) bd", "first >= tight", "lead/lag bd (tight)"]
SPELL_HEAD = ["start", "end", "business days", "max stage", "near episode", "verdict"]
YARD_HEAD = ["index", "weeks", "span", "Pearson", "Spearman",
             ">= drained vs index > 0 (both/stage only/index only/neither)",
             ">= tight vs index > 0 (both/stage only/index only/neither)"]
EVENT_HEAD = ["asset", "horizon", "stage", "days", "independent", "spells",
              "mean return", "95% CI", "mean max drawdown", "95% CI (drawdown)", "note"]


def spell_rows(r: BacktestResult) -> list[list[str]]:
    return [[_date(s.start), _date(s.end), str(s.days), _stage(s.max_level),
             ", ".join(s.near) or "none", "false alarm" if s.false_alarm else "near an episode"]
            for s in r.spells]


def _agr(a: dict[str, int] | None) -> str:
    if not a:
        return "."
    return f"{a['both']}/{a['stage_only']}/{a['index_only']}/{a['neither']}"


def yard_rows(r: BacktestResult) -> list[list[str]]:
    return [[y.id, str(y.weeks), f"{_date(y.first)}..{_date(y.last)}", _num(y.pearson),
             _num(y.spearman), _agr(y.agreement.get("drained")), _agr(y.agreement.get("tight"))]
            for y in r.yardsticks]


def event_rows(r: BacktestResult) -> list[list[str]]:
    return [[e.asset, e.horizon, _group(e.group), str(e.days), str(e.independent), str(e.spells),
             _pct(e.mean_return), _ci(e.ci_return), _pct(e.mean_drawdown), _ci(e.ci_drawdown),
             _event_note(e)] for e in r.events]


#: Baselines that are inputs of the stress score (the yardsticks STLFSI4 and OFR FSI are not).
INPUT_BASELINES = ("SOFR - IORB", "SOFR - IORB, 5-day max", "VIX")
SCORE_HEAD = ["signal", "span", "cut (fixed in sample)", "AUC", "AUC 95% CI", "days flagged",
              "precision", "precision 95% CI", "recall", "recall 95% CI", "episodes caught",
              "lead(-)/lag(+) bd per episode"]


def _r(x: float | None) -> str:
    return "." if x is None or not np.isfinite(x) else f"{x:.2f}"


def _rci(ci: tuple[float, float] | None) -> str:
    return "." if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def scorecard_rows(rows) -> list[list[str]]:
    out = []
    for x in rows:
        leads = ", ".join(f"{c.episode}: {'missed' if c.lead_bd is None else f'{c.lead_bd:+d}'}"
                          for c in x.catches)
        out.append([x.signal, x.span, "." if x.cut is None else f"{x.cut:.2f}", _r(x.auc),
                    _rci(x.auc_ci), str(x.flagged), _r(x.precision), _rci(x.precision_ci),
                    _r(x.recall), _rci(x.recall_ci), f"{x.caught} of {len(x.catches)}", leads])
    return out


def scorecard_lines(r: BacktestResult) -> list[str]:
    """How the scorecard is built, and the tight -> drained odds."""
    if not r.scorecards:
        return []
    p = r.scorecards[0].params
    out = [
        "Labels: a business day is positive inside a sourced episode window, left out within "
        f"{p.grey_bd} business days of one, negative otherwise. Funding and market episodes are "
        "scored apart.",
        "Cuts of continuous signals (the stress score and every baseline) are the best day-F1 "
        "cut on 2018-04-02..2021-12-31 and are kept fixed out of sample (2022-01-03 on); the "
        "stage cuts need no fitting. Leave-one-episode-out refits the cut without the held-out "
        f"episode's window +-{p.loeo_pad_bd} business days and scores that block.",
        f"Precision: flagged days within {p.near_bd} business days of a window / flagged days. "
        f"Recall: window days flagged / window days. Caught: flagged from {p.near_bd} business "
        f"days before an episode's start to {p.catch_bd} after it; the lead is counted from the "
        "start of the flag's spell.",
        f"95% intervals: circular moving-block bootstrap of days (blocks of {p.block_bd} "
        f"business days, {p.n_boot} draws, seed {p.seed}); with two episodes per span they are "
        "wide, and an interval that reaches 1.0 says little.",
    ]
    for sc in r.scorecards:
        for span, (n, k) in sc.tight_to_drained.items():
            if sc.kind == "funding":
                out.append(f"Once tight ({span}): {n} entries into tight from ample, {k} of them "
                           "reached drained within 63 business days"
                           + (f" ({k / n:.0%})." if n else "."))
    return out


def method_lines(r: BacktestResult) -> list[str]:
    p = r.params
    hz = ", ".join(f"{k} = {v}" for k, v in HORIZONS.items())
    return [
        "Replay: `run_engine(store, as_of=end).stages.table`, the code path of `report --as-of`; "
        "each day uses only data public on that day (tested by deleting later releases).",
        f"Episode window: the sourced start..end, widened by {p.tolerance_bd} business days each "
        "side. Lead/lag: business days from the episode start to the first day of the stage's "
        "spell (negative = the stage was there first).",
        f"False alarm: a spell of stage >= drained with no major episode within "
        f"{p.alarm_window_bd} business days either side. Year-ends are minor calendar episodes: "
        "scored, listed, but neither in the hit rate nor an excuse for a drained spell.",
        "Yardsticks (final published values, on their weekly dates; the stage and score of the "
        "last replay day on or before each date). Levels of persistent weekly series: "
        "correlations are descriptive, not tests.",
        f"Event study: forward returns and maximum drawdowns over {hz} trading days, from the "
        "close of each replay day, grouped by that day's stage. SPY and QQQ are dividend-adjusted "
        "ETF prices; QQQ stands in for the Nasdaq-100. Daily windows overlap: 'independent' "
        "counts non-overlapping windows; confidence intervals are 95% stationary-bootstrap "
        f"(mean block = the horizon, {p.n_boot} draws, seed {p.seed}). 'too small' = fewer than "
        f"{MIN_INDEPENDENT} independent windows or fewer than {MIN_SPELLS} distinct spells.",
        "Data before the replay: the snapshot carries the funding history from 2000 (fed funds "
        "and its target, the target range from 2008-12-16, TED, LIBOR, bills, commercial paper, "
        "H.8 assets, TAF, the Desk's overnight repo operations, tri-party repo). The Desk's "
        "operations (RPONTSYD) feed the standing repo facility's indicator only from its first "
        f"day ({SRF_START:%Y-%m-%d}): before it they were open-market operations, routine before "
        "2008 and offered to all counterparties in 2019-09..2020-07, not take-up of a backstop. "
        "Without that cut the replay reads drained on 91 more days, from 2019-10 to 2020-07. "
        "From 2021-07-28 to 2025-01-23 the facility's take-up now has data (never $25bn or more), "
        "which moves the previous rules' score, where it is a part, by at most 0.01 in AUC.",
    ]


# ----------------------------------------------------------------------------- terminal

def render_terminal(r: BacktestResult) -> list[Any]:
    """Rich renderables: headline, episodes, spells, yardsticks, event study, notice."""
    from rich.text import Text

    from dollarliq.reports.layout import FitTable

    def table(title: str, head: list[str], rows: list[list[str]]) -> FitTable:
        return FitTable(head, rows, title=title)

    out: list[Any] = [Text("Track record", style="bold")]
    out += [Text(s) for s in summary_lines(r)]
    out.append(table("Episodes", EPISODE_HEAD, episode_rows(r, short=True)))
    if r.scorecards:
        out.append(table("Scorecard: funding episodes (cuts fixed on 2018-04..2021-12)",
                         SCORE_HEAD, scorecard_rows(r.scorecards[0].rows)))
        out += [Text(f"- {x}") for x in scorecard_lines(r)]
    out.append(table("Spells of stage >= drained", SPELL_HEAD, spell_rows(r)))
    out.append(table("Independent yardsticks (weekly)", YARD_HEAD, yard_rows(r)))
    out.append(table("Event study: forward returns by stage", EVENT_HEAD, event_rows(r)))
    out.append(Text("Sources of the episodes", style="bold"))
    out += [Text(f"- {s.episode.name}: {s.episode.source}"
                 + (f" <{s.episode.url}>" if s.episode.url else "")) for s in r.episodes]
    out.append(Text("Method", style="bold"))
    out += [Text(f"- {m}") for m in method_lines(r)]
    out.append(Text(NOTICE, style="dim"))
    return out


# ----------------------------------------------------------------------------- markdown

def _md_table(head: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in row] for row in rows]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in esc]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- 2003-2026

HIST_HEAD = ["signal", "span", "cut", "AUC (episodes equal)", "95% episode bootstrap",
             "per episode: AUC, delay bd", "caught", "flag spells", "false-alarm spells / yr",
             "precision by episode"]
YEAR_HEAD = ["year", "funding episodes", "score AUC", "STLFSI4 AUC", "drained: caught",
             "drained: delay bd", "drained spells", "false-alarm spells",
             "score cut refitted on earlier years", "score at that cut: caught, delay bd",
             "score at that cut: spells, false alarms"]


def _h(x: float | None) -> str:
    return "." if x is None or not np.isfinite(x) else f"{x:.2f}"


def _delay(d: int | None, near_bd: int) -> str:
    """A detection delay in business days; the earliest day looked at reads "<= -near"."""
    if d is None:
        return "missed"
    return f"<= {d:+d}" if d <= -near_bd else f"{d:+d}"


def history_summary(h) -> list[str]:
    """The 2003-2026 headline: the score against STLFSI4, in and out of sample."""
    from dollarliq.track.history import IN_SAMPLE, OUT_OF_SAMPLE, find

    out = []
    for span in (IN_SAMPLE[0], OUT_OF_SAMPLE[0]):
        sc, st = find(h.rows, "stress score", span), find(h.rows, "STLFSI4 (revised)", span)
        dr = find(h.rows, "stage, flag >= drained", span)
        if sc is None or st is None or dr is None:
            continue
        ci = ("" if sc.auc_ci is None
              else f" [{sc.auc_ci[0]:.2f}, {sc.auc_ci[1]:.2f}]")
        out.append(
            f"2003-2026 replay, {span}, {len(sc.episodes)} major funding episodes weighted "
            f"equally: stress score AUC {_h(sc.auc)}{ci}, STLFSI4 (revised) {_h(st.auc)}; "
            f"drained caught {dr.caught} of {len(dr.episodes)}, {dr.spells} drained spells, "
            f"{dr.false_alarm_spells} false alarms ({dr.false_alarms_per_year:.2f} a year), "
            f"precision by episode {_h(dr.precision)}.")
    return out


def history_rows(h, kind: str, span_prefix: tuple[str, ...]) -> list[list[str]]:
    """Rows of the 2003-2026 scorecard for one kind of episode and the spans named."""
    out = []
    for x in h.rows:
        if x.kind != kind or not x.span.startswith(span_prefix):
            continue
        per = "; ".join(f"{e} {_h(a)}, {_delay(d, h.params.near_bd)}"
                        for e, a, d in zip(x.episodes, x.auc_by_episode, x.delay_bd))
        out.append([x.signal, x.span, "." if x.cut is None else f"{x.cut:.2f}", _h(x.auc),
                    "." if x.auc_ci is None else f"[{x.auc_ci[0]:.2f}, {x.auc_ci[1]:.2f}]",
                    per or ".", f"{x.caught} of {len(x.delay_bd)}", str(x.spells),
                    f"{x.false_alarms_per_year:.2f} ({x.false_alarm_spells})", _h(x.precision)])
    return out


def year_rows(h) -> list[list[str]]:
    """The rolling origin: each year judged in turn (nothing refitted)."""
    by: dict[str, dict[str, Any]] = {}
    for x in h.rows:
        if x.span.startswith("year ") and x.kind == "funding":
            by.setdefault(x.span, {})[x.signal] = x
    out = []
    for span, d in by.items():
        sc, st, stl = (d.get("stress score"), d.get("stage, flag >= drained"),
                       d.get("STLFSI4 (revised)"))
        ro = d.get("stress score, cut refitted on the years before")
        if st is None:
            continue
        roll = (["."] * 3 if ro is None else
                [f"{ro.cut:.2f}",
                 (f"{ro.caught} of {len(ro.episodes)}, "
                  + ", ".join(_delay(v, h.params.near_bd) for v in ro.delay_bd)
                  if ro.episodes else "."),
                 f"{ro.spells}, {ro.false_alarm_spells}"])
        out.append([span[5:], ", ".join(st.episodes) or "none",
                    _h(sc.auc) if sc else ".", _h(stl.auc) if stl else ".",
                    f"{st.caught} of {len(st.episodes)}" if st.episodes else ".",
                    ", ".join(_delay(v, h.params.near_bd) for v in st.delay_bd) or ".",
                    str(st.spells), str(st.false_alarm_spells), *roll])
    return out


def history_lines(h) -> list[str]:
    """Every choice of the 2003-2026 scorecard, and what was written after seeing what."""
    p = h.params
    return [
        f"Replay {h.start:%Y-%m-%d}..{h.end:%Y-%m-%d}, one engine pass from 2003 (`dollarliq "
        "stages --start 2003-01-02`), each day decided on its own regime's measures "
        "(stages.toml) with only the data public on that day.",
        "Spans: in sample 2003-01-02..2014-12-31, out of sample 2015-01-01..the data end. The "
        "only thing fitted here is the cut of each continuous signal (the stress score and "
        "every baseline): the cut with the best day F1 on the in-sample funding labels, kept "
        "fixed out of sample. The stage flag (>= drained) is not fitted here.",
        "Episodes: the major funding and market episodes of `src/dollarliq/data/episodes.csv`, "
        "committed before any rule change of the history replay; minor and calendar episodes "
        "(2015 lift-off, 2016 money-fund reform, year-ends) are not scored. Funding and market "
        "episodes are scored apart (episode type).",
        f"Labels: positive inside a major window of the kind scored, left out within "
        f"{p.grey_bd} business days of one, negative otherwise.",
        "AUC, episodes weighted equally: for each episode of the span, its days against the "
        "span's negative days (other episodes' days left out); the mean over episodes. The "
        f"interval resamples episodes with replacement ({p.n_boot} draws, seed {p.seed}); with "
        "4 to 6 episodes per span it is wide.",
        f"Detection delay: business days from the episode's start to the first flagged day "
        f"from {p.near_bd} business days before it to the window's end (negative: before the "
        f"start; <= -{p.near_bd}: already flagged on the first day looked at); missed when none.",
        f"Spells: runs of flagged days over the whole replay, each counted in the span (or "
        f"year) where it begins. False alarm: a spell with no major episode of any kind "
        f"within {p.alarm_bd} business days; counted per year of the span (261 business days). "
        f"Precision by episode: the share of spells within {p.alarm_bd} business days of a "
        "major episode of the kind scored.",
        "Baselines, each with its 5-day maximum: STLFSI4 is the revised series (the data carry "
        "no vintages), carried from its weekly dates, so it knows more than it did at the time; "
        "the OFR FSI as first released; the VIX; the TED spread; AA financial CP - 3-month "
        "bill; the price of money in each regime's own measure: |fed funds - target| in the "
        "corridor (the rule's measure; the signed deviation reads lower because fed funds fell "
        "below the target in 2007-2008), EFFR - IOER in 2008-12..2018-03, SOFR - IORB from "
        "2018-04. TED and LIBOR end in 2021-2022, so their later spans are partial.",
        "Rolling origin: nothing in the stage engine is refitted year by year. The stage "
        "thresholds are fixed from the literature and 2018-2021, and the pre-2018 ones were "
        "set before the history replay was first scored. So the yearly table judges each year "
        "in turn with the same rules, and its AUC needs no cut. The one quantity fitted here, "
        "the stress score's cut, is refitted each year on every earlier day (best day F1 on "
        "the funding labels; none before the first funding episode, 2007-08) and judged on "
        "that year: the last three columns.",
        "Which rules were written after seeing which episodes: the rules of 2018 on (the SOFR "
        "floor) were written with 2018-2021 in sample (September 2019, March 2020); the "
        "discount-window rule was revised after March 2023 had been seen; the repo take-up "
        "rule after the 2025 month-end squeeze. So the out-of-sample span 2015 on is a clean "
        "test of the corridor and early-floor rules only in 2015-2018 (fed funds off target, "
        "TED, CP - bill; they do not apply after 2018-04-01) and of nothing in the SOFR era. "
        "Those pre-2018 rules were committed (with the regimes of stages.toml) before the "
        "pre-2018 replay was first run. Nothing was retuned after reading these figures.",
    ]


def _history_markdown(h) -> list[str]:
    days = "; ".join(f"{reg}: " + ", ".join(f"{STAGE_NAMES[k][0]} {v}"
                                            for k, v in sorted(c.items()))
                     for reg, c in h.stage_days_by_regime.items())
    return [
        "## 2003-2026: in sample 2003-2014, out of sample 2015 on",
        "",
        "### Goals, measured",
        "",
        *[f"- {g}: {v}. **{'Met' if ok else 'Not met'}.**" for g, v, ok in h.goals],
        "",
        f"Stage days by regime: {days}.",
        "",
        "### Choices",
        "",
        *[f"- {x}" for x in history_lines(h)],
        "",
        "### Funding episodes, in and out of sample, with the baselines",
        "",
        _md_table(HIST_HEAD, history_rows(h, "funding", ("in sample", "out of sample"))),
        "",
        "### Funding episodes by regime",
        "",
        _md_table(HIST_HEAD, history_rows(h, "funding", ("regime",))),
        "",
        "### Market episodes (kept apart), in and out of sample",
        "",
        _md_table(HIST_HEAD, history_rows(h, "market", ("in sample", "out of sample"))),
        "",
        "### Market episodes by regime",
        "",
        _md_table(HIST_HEAD, history_rows(h, "market", ("regime",))),
        "",
        "### Each year in turn (funding episodes; the stage rules fixed, the score's cut refitted on the years before)",
        "",
        _md_table(YEAR_HEAD, year_rows(h)),
        "",
        "### Spells of stage >= drained, 2003-2026",
        "",
        _md_table(["first day", "last day", "highest stage", "regime",
                   f"major episodes within {h.params.alarm_bd} business days"],
                  [[f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}", STAGE_NAMES[m][0], reg,
                    ", ".join(near) or "none: false alarm"]
                   for a, b, m, reg, near in h.drained_spells]),
        "",
    ]


def render_markdown(r: BacktestResult, *, command: str = "dollarliq backtest --format markdown"
                    ) -> str:
    parts = [
        "# Track record",
        "",
        f"<!-- Generated by `{command}`; do not edit by hand. -->",
        "",
        f"Generated from the data as of {r.as_of:%Y-%m-%d}. {NOTICE}",
        "",
        "## Headline (the 2003-2026 replay first, then the SOFR-era replay from 2018-04)",
        "",
        *[f"- {s}" for s in summary_lines(r)],
        "",
        *(_history_markdown(r.history) if r.history is not None else []),
        "## Rules written after seeing their episodes",
        "",
        *[f"- {s}" for s in hindsight_lines(r)],
        "",
        "## Episodes (2018-04 on)",
        "",
        _md_table(EPISODE_HEAD, episode_rows(r)),
        "",
        "## SOFR-era scorecard (cuts fitted 2018-04..2021-12, judged 2022 on): funding episodes, with the baselines",
        "",
        *[f"- {x}" for x in scorecard_lines(r)],
        "",
        *([_md_table(SCORE_HEAD, scorecard_rows(r.scorecards[0].rows)), "",
           "### Leave one funding episode out", "",
           _md_table(SCORE_HEAD, scorecard_rows(r.scorecards[0].loeo)), "",
           "## SOFR-era scorecard: market episodes", "",
           _md_table(SCORE_HEAD, scorecard_rows(r.scorecards[1].rows)), ""]
          if len(r.scorecards) >= 2 else []),
        "## Spells of stage >= drained (2018-04 on)",
        "",
        _md_table(SPELL_HEAD, spell_rows(r)) if r.spells else "None.",
        "",
        "## Independent yardsticks",
        "",
        *[f"- {k}: {v}" for k, v in YARD_NOTES.items()],
        "",
        _md_table(YARD_HEAD, yard_rows(r)),
        "",
        "## Event study",
        "",
        *[f"- {k}: {v}" for k, v in ASSETS.items()],
        "",
        _md_table(EVENT_HEAD, event_rows(r)),
        "",
        "## Sources of the episodes",
        "",
        *[f"- **{s.episode.name}** ({s.episode.start:%Y-%m-%d}..{s.episode.end:%Y-%m-%d}): "
          f"{s.episode.source}" + (f" <{s.episode.url}>" if s.episode.url else "")
          for s in r.episodes],
        "",
        "## Method",
        "",
        *[f"- {m}" for m in method_lines(r)],
        "",
    ]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- HTML

def _html_table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def _timeline_figure(r: BacktestResult):
    import plotly.graph_objects as go

    t = r.table
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t.index, y=t["level"], mode="lines", line_shape="hv",
                             name="stage", line={"color": "#37474f"},
                             hovertemplate="%{x|%Y-%m-%d}: stage %{y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=t.index, y=t["score"], mode="lines", name="score (right)",
                             yaxis="y2", line={"color": "#1565c0", "width": 1}, opacity=0.6))
    for s in r.episodes:
        if not s.in_range:
            continue
        ep = s.episode
        color = "rgba(198,40,40,0.18)" if ep.major else "rgba(120,120,120,0.12)"
        fig.add_vrect(x0=ep.start - pd.Timedelta(days=1), x1=ep.end + pd.Timedelta(days=1),
                      fillcolor=color, line_width=0, layer="below")
        if ep.major:
            fig.add_annotation(x=ep.start, y=3.3, text=ep.name[:28], showarrow=False,
                               textangle=-60, font={"size": 9}, xanchor="left")
    fig.update_layout(
        height=380, margin={"l": 40, "r": 40, "t": 30, "b": 30},
        yaxis={"title": "stage", "range": [-0.2, 4.2], "tickvals": [0, 1, 2, 3],
               "ticktext": [STAGE_NAMES[k][0] for k in range(4)]},
        yaxis2={"title": "score", "overlaying": "y", "side": "right", "range": [0, 100]},
        legend={"orientation": "h"})
    return fig


def _yard_figure(r: BacktestResult):
    import plotly.graph_objects as go

    t = r.table
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t.index, y=t["score"], name="stress score", mode="lines",
                             line={"color": "#1565c0", "width": 1}))
    for sid, color in (("STLFSI4", "#c62828"), ("NFCI", "#6a1b9a"), ("ANFCI", "#2e7d32")):
        s = r.yardstick_series.get(sid)
        if s is None:
            continue
        s = s[(s.index >= t.index[0]) & (s.index <= t.index[-1])]
        fig.add_trace(go.Scatter(x=s.index, y=s.values, name=sid, yaxis="y2", mode="lines",
                                 line={"color": color, "width": 1.5}))
    fig.update_layout(height=340, margin={"l": 40, "r": 40, "t": 30, "b": 30},
                      yaxis={"title": "score", "range": [0, 100]},
                      yaxis2={"title": "index", "overlaying": "y", "side": "right"},
                      legend={"orientation": "h"})
    return fig


def _history_html(h) -> str:
    """The 2003-2026 scorecard as HTML: goals, choices and the tables of the Markdown page."""
    goals = "".join(f"<li>{html.escape(g)}: {html.escape(v)}. <b>{'Met' if ok else 'Not met'}"
                    "</b></li>" for g, v, ok in h.goals)
    choices = "".join(f"<li>{html.escape(x)}</li>" for x in history_lines(h))
    return (
        "<h3>2003-2026: in sample 2003-2014, out of sample 2015 on</h3>"
        f"<ul>{goals}</ul>"
        "<h4>Funding episodes, with the baselines</h4>"
        + _html_table(HIST_HEAD, history_rows(h, "funding", ("in sample", "out of sample")))
        + "<h4>Funding episodes by regime</h4>"
        + _html_table(HIST_HEAD, history_rows(h, "funding", ("regime",)))
        + "<h4>Market episodes (kept apart)</h4>"
        + _html_table(HIST_HEAD, history_rows(h, "market", ("in sample", "out of sample")))
        + "<h4>Each year in turn (the stage rules fixed; the score's cut refitted on the years before)</h4>"
        + _html_table(YEAR_HEAD, year_rows(h))
        + f'<details><summary>Choices</summary><ul class="note">{choices}</ul></details>')


def html_section(r: BacktestResult) -> str:
    """The track record as an HTML fragment (Plotly charts as divs + scripts; no library)."""
    figs = [_timeline_figure(r), _yard_figure(r)]
    charts = [f.to_html(full_html=False, include_plotlyjs=False,
                        config={"responsive": True, "displaylogo": False}) for f in figs]
    p = "".join(f"<p>{html.escape(s)}</p>" for s in summary_lines(r))
    src = "".join(
        f"<li><b>{html.escape(s.episode.name)}</b>: {html.escape(s.episode.source)}"
        + (f' <a href="{html.escape(web_link(s.episode.url))}">'
           f'{html.escape(s.episode.url)}</a>' if web_link(s.episode.url) else "")
        + "</li>" for s in r.episodes)
    meth = "".join(f"<li>{html.escape(m)}</li>" for m in method_lines(r))
    return (
        '<div class="track-record">'
        f"{p}"
        "<h3>Rules written after seeing their episodes</h3><ul>"
        + "".join(f"<li>{html.escape(x)}</li>" for x in hindsight_lines(r)) + "</ul>"
        "<h3>Stage timeline and episodes</h3>"
        '<p class="note">Shaded: major episodes (red) and year-ends (grey).</p>'
        f"{charts[0]}"
        + (_history_html(r.history) if r.history is not None else "")
        + "<h3>Episodes (2018-04 on)</h3>" + _html_table(EPISODE_HEAD, episode_rows(r))
        + ("<h3>Scorecard: funding episodes, in and out of sample</h3>"
           + _html_table(SCORE_HEAD, scorecard_rows(r.scorecards[0].rows))
           + "".join(f"<p class=\"note\">{html.escape(x)}</p>" for x in scorecard_lines(r))
           if r.scorecards else "") +
        "<h3>Spells of stage &gt;= drained</h3>" + _html_table(SPELL_HEAD, spell_rows(r)) +
        "<h3>Stress score against independent indices</h3>"
        f"{charts[1]}" + _html_table(YARD_HEAD, yard_rows(r)) +
        "<h3>Event study: forward returns by stage</h3>"
        + _html_table(EVENT_HEAD, event_rows(r), "events") +
        f"<h3>Sources</h3><ul>{src}</ul><h3>Method</h3><ul>{meth}</ul>"
        f'<p class="note">{html.escape(NOTICE)}</p>'
        "</div>")


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1d232a;
       max-width: 1200px; margin: 0 auto; padding: 16px; line-height: 1.45; }
table { border-collapse: collapse; font-size: .85rem; margin: 6px 0 14px 0; }
th, td { border: 1px solid #dde2e8; padding: 3px 6px; text-align: left; }
th { background: #f3f5f8; }
.note { color: #5f6b7a; font-size: .85rem; }
"""


def html_page(r: BacktestResult, plotly_js: str | None = None) -> str:
    """A self-contained page: the section with the Plotly library inlined once."""
    if plotly_js is None:
        from plotly.offline import get_plotlyjs

        plotly_js = get_plotlyjs()
    title = f"dollarliq · track record · {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
            f'<script type="text/javascript">{plotly_js}</script></head><body>'
            f"<h1>{html.escape(title)}</h1>{html_section(r)}</body></html>\n")


__all__ = ["html_page", "html_section", "render_markdown", "render_terminal", "summary_lines",
           "DRAINED"]
