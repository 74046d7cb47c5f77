"""The track record: the replay scored against episodes, yardsticks and markets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dollarliq.errors import NotEnoughData, UsageError
from dollarliq.stages import STAGE_NAMES
from dollarliq.track.constants import (ASSETS, HORIZONS, MIN_INDEPENDENT, MIN_SPELLS, NOTICE,
                                      YARDSTICKS)
from dollarliq.track.episodes import (Episode, EpisodeScore, Rates, Spell, drained_spells,
                                     load_episodes, rates, score_episode)
from dollarliq.track.event_study import EventRow, event_study
from dollarliq.track.yardsticks import Yardstick, yardstick


# ----------------------------------------------------------------------------- the result

@dataclass(frozen=True)
class BacktestParams:
    tolerance_bd: int = 10
    alarm_window_bd: int = 20
    n_boot: int = 2000
    seed: int = 12345


@dataclass(frozen=True)
class BacktestResult:
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    data_start: pd.Timestamp
    rules: str
    params: BacktestParams
    table: pd.DataFrame  # level, raw_level, score, name per business day (the replay)
    episodes: tuple[EpisodeScore, ...]
    spells: tuple[Spell, ...]
    rates: Rates
    yardsticks: tuple[Yardstick, ...]
    yardstick_series: dict[str, pd.Series]
    events: tuple[EventRow, ...]
    stage_days: dict[int, int]
    #: Out-of-sample scorecards (funding and market episodes) with the baselines.
    scorecards: tuple = ()
    #: The 2003-2026 scorecard (:mod:`dollarliq.track.history`), None when not computed.
    history: Any = None
    #: Rules written after seeing episodes: rule id -> episode ids (the rules file's
    #: ``written_after``).
    written_after: dict = field(default_factory=dict)


def evaluate(table: pd.DataFrame, episodes: tuple[Episode, ...], *,
             yardstick_series: dict[str, pd.Series] | None = None,
             prices: dict[str, pd.Series] | None = None,
             params: BacktestParams = BacktestParams(),
             as_of: pd.Timestamp | None = None, data_start: pd.Timestamp | None = None,
             rules: str = "", scorecards: tuple = (), history: Any = None,
             written_after: dict | None = None) -> BacktestResult:
    """Score a stage table (level, score per business day) against episodes and yardsticks."""
    if table.empty:
        raise NotEnoughData("no replay days in the requested span")
    scores = tuple(score_episode(table, ep, params.tolerance_bd) for ep in episodes)
    spl = drained_spells(table, episodes, params.alarm_window_bd)
    ys = yardstick_series or {}
    yard = tuple(yardstick(sid, table, s) for sid, s in ys.items())
    events: list[EventRow] = []
    for asset, px in (prices or {}).items():
        events += event_study(table, px, asset, n_boot=params.n_boot, seed=params.seed)
    counts = table["level"].value_counts()
    return BacktestResult(
        table.index[0], table.index[-1], as_of if as_of is not None else table.index[-1],
        data_start if data_start is not None else table.index[0], rules, params, table,
        scores, spl, rates(scores, spl), yard, ys, tuple(events),
        {k: int(counts.get(k, 0)) for k in STAGE_NAMES}, scorecards, history,
        dict(written_after or {}))


def run_backtest(store, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None,
                 episodes: tuple[Episode, ...] | None = None, rules=None,
                 params: BacktestParams = BacktestParams(),
                 with_scorecards: bool = True) -> BacktestResult:
    """Replay the engine point-in-time up to ``end`` and score it (see the module docstring).

    The stage of each day comes from ``run_engine(store, as_of=end).stages.table``: one pass
    in which each row uses only the data public on its own date. Yardsticks and prices are
    read as known on ``end``.
    """
    from dollarliq.engine import run_engine
    from dollarliq.frame import load_series

    res = run_engine(store, as_of=end, rules=rules)
    table = res.stages.table
    if start is not None:
        start = pd.Timestamp(start)
        if start < res.data_start:
            raise UsageError(f"--start {start:%Y-%m-%d} is before the data begin "
                             f"({res.data_start:%Y-%m-%d})")
        table = table[table.index >= start]

    def series(sid: str) -> pd.Series | None:
        try:
            return load_series(store, sid, as_of=res.as_of)
        except (NotEnoughData, UsageError):
            return None

    ys = {sid: s for sid in YARDSTICKS if (s := series(sid)) is not None}
    px = {sid: s for sid in ASSETS if (s := series(sid)) is not None}
    eps = episodes if episodes is not None else load_episodes()
    cards = ()
    if with_scorecards:
        from dollarliq.stages import PREVIOUS_RULES, load_rules

        prev = run_engine(store, as_of=res.as_of, rules=load_rules(PREVIOUS_RULES)).stages.table
        ofr_long = store.first_release(list(OFR_IDS), as_of=res.as_of)
        variants = {name: run_engine(store, as_of=res.as_of, rules=rs).stages.table
                    for name, rs in hindsight_variants(res.rules).items()}
        cards = scorecards_for(res, prev, ofr_long, eps, table.index, variants)
        from dollarliq.engine import HISTORY_CORE_IDS, HISTORY_START, compute
        from dollarliq.indicators import INPUT_IDS

        firsts = [store.first_as_of([sid]) for sid in HISTORY_CORE_IDS]
        h0 = max([HISTORY_START, *(pd.Timestamp(f) for f in firsts if f is not None)])
        hist = compute(store.first_release(INPUT_IDS, as_of=res.as_of), as_of=res.as_of,
                       start=h0, rules=res.rules)
        history = history_for(hist, ofr_long, eps)
    else:
        history = None
    return evaluate(table, eps, yardstick_series=ys, prices=px, params=params, as_of=res.as_of,
                    data_start=res.data_start, rules=res.rules.source, scorecards=cards,
                    history=history, written_after=written_after_map(res.rules))


def history_for(hist, ofr_long: pd.DataFrame, episodes: tuple[Episode, ...]):
    """The 2003-2026 scorecard of the history replay ``hist`` (an engine result from
    2003) with the OFR FSI as first released (pure)."""
    from dollarliq.indicators import known_on, obs_series
    from dollarliq.track.history import history_scorecard

    table = hist.stages.table
    o = obs_series(ofr_long, "OFR_FSI")
    ofr = known_on(o, table.index)["value"] if len(o) else None
    return history_scorecard(table, hist.panel.daily, episodes, ofr_fsi=ofr)


OFR_IDS = ("OFR_FSI", "OFR_FSI_FUNDING")


def written_after_map(rs) -> dict[str, tuple[str, ...]]:
    """Rule id -> the episodes seen before it was written (rules with ``written_after``)."""
    return {r.id: r.written_after for r in rs.rules if r.written_after}


def hindsight_variants(rs) -> dict[str, Any]:
    """The rules without those written after seeing an episode, one variant per group of
    rules written after the same episodes, and one without all of them (when several).

    Returns ``{name: RuleSet}``; names read ``without <rule ids>``.
    """
    from dollarliq.stages import without_rules

    groups: dict[tuple[str, ...], set[str]] = {}
    for r in rs.rules:
        if r.written_after:
            groups.setdefault(r.written_after, set()).add(r.id)
    sets = sorted(groups.values(), key=lambda g: sorted(g))
    if len(sets) > 1:
        sets.append(set().union(*sets))
    return {"without " + ", ".join(sorted(g)): without_rules(rs, g) for g in sets}


def baseline_signals(res, prev_table: pd.DataFrame, ofr_long: pd.DataFrame,
                     index: pd.DatetimeIndex, variants: dict | None = None) -> list:
    """The stress score, the stages and the baselines as :class:`~dollarliq.track.oos.Signal`.

    Pure: ``res`` is the replay, ``prev_table`` the replay of the previous rules and
    ``ofr_long`` the first-release rows of the OFR FSI (long layout), all as of one date.
    """
    from dollarliq.indicators import known_on, obs_series
    from dollarliq.track.oos import Signal

    t = res.stages.table.reindex(index)
    d = res.panel.daily.reindex(index)
    prev = prev_table.reindex(index)

    def ofr(sid: str) -> pd.Series:
        o = obs_series(ofr_long, sid)
        return known_on(o, index)["value"] if len(o) else pd.Series(np.nan, index)

    return [
        Signal("stress score", t["score"]),
        Signal("stage level, flag >= drained", t["level"].astype(float), t["level"] >= 2),
        Signal("stage level, flag >= tight", t["level"].astype(float), t["level"] >= 1),
        Signal("SOFR - IORB", d["sofr_iorb_bp"]),
        Signal("SOFR - IORB, 5-day max", d["sofr_iorb_max5d_bp"]),
        Signal("SOFR - IORB >= 30 bp within 5 days (fixed rule)", d["sofr_iorb_max5d_bp"],
               d["sofr_iorb_max5d_bp"] >= 30.0),
        Signal("VIX", d["vix_idx"]),
        Signal("STLFSI4", d["stlfsi_idx"]),
        Signal("OFR FSI", ofr("OFR_FSI")),
        Signal("OFR FSI: funding", ofr("OFR_FSI_FUNDING")),
        Signal("previous rules: score", prev["score"]),
        Signal("previous rules: stage level, flag >= drained", prev["level"].astype(float),
               prev["level"] >= 2),
        *[sig for name, tab in (variants or {}).items()
          for lv in [tab["level"].reindex(index)]
          for sig in (Signal(f"{name}: stage level, flag >= drained", lv.astype(float), lv >= 2),
                      Signal(f"{name}: stage level, flag >= tight", lv.astype(float), lv >= 1))],
    ]


def scorecards_for(res, prev_table: pd.DataFrame, ofr_long: pd.DataFrame,
                   episodes: tuple[Episode, ...], index: pd.DatetimeIndex,
                   variants: dict | None = None) -> tuple:
    """Funding and market scorecards of the replay and the baselines (pure); ``variants``
    (name -> stage table) adds the replay without the rules written after an episode."""
    from dollarliq.track.oos import scorecard

    sig = baseline_signals(res, prev_table, ofr_long, index, variants)
    stage = res.stages.table["level"].reindex(index)
    return tuple(scorecard(sig, episodes, kind=k, stage=stage) for k in ("funding", "market"))


# ----------------------------------------------------------------------------- output

def _d(x: pd.Timestamp | None) -> str | None:
    return None if x is None else f"{x:%Y-%m-%d}"


def _f(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def to_dict(r: BacktestResult) -> dict[str, Any]:
    """The result as plain JSON-ready data (no per-day table beyond level and score)."""
    rt = r.rates
    return {
        "start": _d(r.start), "end": _d(r.end), "as_of": _d(r.as_of),
        "data_start": _d(r.data_start), "rules": r.rules,
        "params": {"tolerance_bd": r.params.tolerance_bd,
                   "alarm_window_bd": r.params.alarm_window_bd,
                   "n_boot": r.params.n_boot, "seed": r.params.seed,
                   "horizons_trading_days": HORIZONS, "min_independent": MIN_INDEPENDENT,
                   "min_spells": MIN_SPELLS},
        "stage_days": {STAGE_NAMES[k][0]: v for k, v in r.stage_days.items()},
        "summary": {
            "major_episodes_in_range": rt.major_in_range, "hits_drained": rt.hits_drained,
            "hit_rate": _f(rt.hit_rate), "hits_tight": rt.hits_tight,
            "hit_rate_tight": _f(rt.hit_rate_tight), "drained_spells": rt.spells,
            "false_alarms": rt.false_alarms, "false_alarm_rate": _f(rt.false_alarm_rate),
            "false_alarm_days": rt.false_alarm_days, "drained_days": rt.drained_days,
            "calendar_episodes_in_range": rt.calendar_in_range,
            "calendar_episodes_drained": rt.calendar_drained},
        "episodes": [{
            "id": s.episode.id, "name": s.episode.name, "kind": s.episode.kind,
            "severity": s.episode.severity, "start": _d(s.episode.start),
            "end": _d(s.episode.end), "source": s.episode.source, "url": s.episode.url,
            "in_range": s.in_range, "max_level": s.max_level,
            "max_stage": None if s.max_level is None else STAGE_NAMES[s.max_level][0],
            "max_score": _f(s.max_score, 1), "first_drained": _d(s.first_drained),
            "lead_lag_bd": s.lead_lag_bd, "first_tight": _d(s.first_tight),
            "tight_lead_lag_bd": s.tight_lead_lag_bd,
            "lead_censored_at_start": {"drained": s.drained_censored, "tight": s.tight_censored},
            "hit": s.hit} for s in r.episodes],
        "spells": [{"start": _d(s.start), "end": _d(s.end), "days": s.days,
                    "max_stage": STAGE_NAMES[s.max_level][0], "near_episodes": list(s.near),
                    "false_alarm": s.false_alarm} for s in r.spells],
        "yardsticks": [{"id": y.id, "first": _d(y.first), "last": _d(y.last), "weeks": y.weeks,
                        "pearson": _f(y.pearson, 3), "spearman": _f(y.spearman, 3),
                        "agreement": y.agreement} for y in r.yardsticks],
        "event_study": [{
            "asset": e.asset, "horizon": e.horizon,
            "stage": e.group if e.group == "all" else STAGE_NAMES[int(e.group)][0],
            "days": e.days, "independent": e.independent, "spells": e.spells,
            "mean_return": _f(e.mean_return),
            "ci_return": None if e.ci_return is None else [_f(v) for v in e.ci_return],
            "mean_max_drawdown": _f(e.mean_drawdown),
            "ci_max_drawdown": None if e.ci_drawdown is None else [_f(v) for v in e.ci_drawdown],
            "too_small": e.too_small} for e in r.events],
        "scorecards": [{
            "kind": sc.kind, "tight_to_drained_63bd": {k: {"entries": v[0], "reached": v[1]}
                                                     for k, v in sc.tight_to_drained.items()},
            "rows": [_score_row(x) for x in sc.rows],
            "leave_one_episode_out": [_score_row(x) for x in sc.loeo]}
            for sc in r.scorecards],
        "history": None if r.history is None else _history_dict(r.history),
        "notice": NOTICE,
    }


def _history_dict(h) -> dict[str, Any]:
    p = h.params
    return {
        "start": _d(h.start), "end": _d(h.end),
        "params": {"grey_bd": p.grey_bd, "near_bd": p.near_bd, "alarm_bd": p.alarm_bd,
                   "n_boot": p.n_boot, "seed": p.seed},
        "goals": [{"goal": g, "measured": v, "met": ok} for g, v, ok in h.goals],
        "stage_days_by_regime": {r: {STAGE_NAMES[k][0]: v for k, v in sorted(c.items())}
                                 for r, c in h.stage_days_by_regime.items()},
        "rows": [{"signal": x.signal, "span": x.span, "kind": x.kind, "cut": _f(x.cut),
                  "auc": _f(x.auc, 3),
                  "auc_ci": None if x.auc_ci is None else [_f(v, 3) for v in x.auc_ci],
                  "episodes": [{"id": e, "auc": _f(a, 3), "delay_bd": d}
                               for e, a, d in zip(x.episodes, x.auc_by_episode, x.delay_bd)],
                  "spells": x.spells, "false_alarm_spells": x.false_alarm_spells,
                  "years": _f(x.years, 2),
                  "false_alarm_spells_per_year": _f(x.false_alarms_per_year, 3),
                  "precision_by_episode": _f(x.precision, 3)} for x in h.rows],
        "drained_spells": [{"start": _d(a), "end": _d(b), "max_stage": STAGE_NAMES[m][0],
                            "regime": reg, "near_episodes": list(near)}
                           for a, b, m, reg, near in h.drained_spells]}


def _score_row(x) -> dict[str, Any]:
    def ci(c):
        return None if c is None else [_f(c[0], 3), _f(c[1], 3)]

    return {"signal": x.signal, "span": x.span, "cut": _f(x.cut), "days": x.days,
            "positives": x.positives, "auc": _f(x.auc, 3), "auc_ci": ci(x.auc_ci),
            "flagged": x.flagged, "precision": _f(x.precision, 3),
            "precision_ci": ci(x.precision_ci), "recall": _f(x.recall, 3),
            "recall_ci": ci(x.recall_ci), "caught": x.caught,
            "catches": [{"episode": c.episode, "caught": c.caught,
                         "first_flag": _d(c.first_flag), "lead_bd": c.lead_bd}
                        for c in x.catches]}


