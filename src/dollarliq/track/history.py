"""The 2003-2026 scorecard: the history replay judged on the episodes fixed in advance.

Pure functions of aligned daily series (the replay's stage table and indicator panel from
2003, the OFR FSI as first released); nothing here reads the store.

- **Spans.** In sample 2003-01-02..2014-12-31 (the only span on which a cut is fitted) and
  out of sample 2015-01-01..the data end; the same figures by monetary regime (the regimes of
  ``stages.toml``) and, for the rolling origin, year by year.
- **Labels.** A business day is positive inside a major episode window of the kind scored
  (funding or market), grey within ``grey_bd`` business days of any major window of that
  kind (left out), negative otherwise.
- **AUC, episodes weighted equally.** For each episode in a span: positives are its days,
  negatives the span's negative days (other episodes' days are left out); the mean over the
  span's episodes. Its interval resamples the episodes (with replacement, seeded): the unit
  of evidence is the episode, not the day.
- **Flags.** The stage flags on >= drained (fixed by the rules). A continuous signal flags
  on ``x >= cut``, the cut with the best day F1 on the in-sample funding labels
  (:func:`dollarliq.track.oos.best_cut`), never refitted on later days.
- **Detection delay.** Business days from an episode's start to the first flagged day from
  ``near_bd`` before the start to the window's end (< 0: before the start); missed if none.
- **Spells.** Runs of flagged days over the whole replay, each counted in the span where
  it begins (a span does not cut a spell in two). A spell is a false alarm when no major episode of any
  kind lies within ``alarm_bd`` business days of it; false-alarm spells are counted per year
  of the span. Precision by episode: the share of spells within ``alarm_bd`` business days
  of a major episode of the kind scored.
- **Rolling origin.** The stage rules are not refitted (their thresholds are fixed in
  ``stages.toml``); the one quantity fitted here, the stress score's cut, is refitted each
  year on every earlier day and judged on that year (:data:`ROLLING`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dollarliq.track.episodes import Episode
from dollarliq.track.oos import auc, best_cut

IN_SAMPLE = ("in sample 2003-01..2014-12", pd.Timestamp("2003-01-02"), pd.Timestamp("2014-12-31"))
OUT_OF_SAMPLE = ("out of sample 2015-01..", pd.Timestamp("2015-01-01"), pd.Timestamp("2262-01-01"))
#: The price of money of each regime (the regimes of ``stages.toml``), in bp. In the
#: corridor it is the absolute distance of fed funds from its target, as the corridor rule
#: measures it (fed funds fell below the target in 2007-2008 as the Desk added reserves).
PRICE_OF_MONEY = {"corridor": "dff_target_bp", "floor_ioer": "effr_iorb_bp",
                  "floor_sofr": "sofr_iorb_bp"}
ABSOLUTE = ("corridor",)
KINDS = ("funding", "market")
#: The stress score flagged at a cut refitted each year on the years before it.
ROLLING = "stress score, cut refitted on the years before"


@dataclass(frozen=True)
class HistoryParams:
    """Choices of the 2003-2026 scorecard (business days; bootstrap draws and seed)."""

    grey_bd: int = 10
    near_bd: int = 10
    alarm_bd: int = 20
    n_boot: int = 2000
    seed: int = 12345


@dataclass(frozen=True)
class HistoryRow:
    signal: str
    span: str
    kind: str
    cut: float | None
    episodes: tuple[str, ...]
    auc_by_episode: tuple[float, ...]
    auc: float
    auc_ci: tuple[float, float] | None
    delay_bd: tuple[int | None, ...]
    spells: int
    false_alarm_spells: int
    years: float
    precision: float

    @property
    def false_alarms_per_year(self) -> float:
        return self.false_alarm_spells / self.years if self.years > 0 else float("nan")

    @property
    def caught(self) -> int:
        return sum(d is not None for d in self.delay_bd)


@dataclass(frozen=True)
class HistoryScorecard:
    params: HistoryParams
    start: pd.Timestamp
    end: pd.Timestamp
    rows: tuple[HistoryRow, ...]
    #: The goals, measured: name -> (value text, met or not).
    goals: tuple[tuple[str, str, bool], ...]
    stage_days_by_regime: dict[str, dict[int, int]]
    #: Spells of stage >= drained: (first day, last day, highest level, regime of the first
    #: day, major episodes within ``alarm_bd`` business days).
    drained_spells: tuple[tuple[pd.Timestamp, pd.Timestamp, int, str, tuple[str, ...]], ...] = ()


def history_signals(table: pd.DataFrame, daily: pd.DataFrame,
                    ofr_fsi: pd.Series | None = None) -> dict[str, tuple[pd.Series, pd.Series | None]]:
    """The stress score, the stage and the baselines on the replay's days.

    Returns name -> (values, fixed flag or None when the cut is fitted in sample). Each
    baseline comes with its 5-day maximum. The price of money is each regime's own measure
    (:data:`PRICE_OF_MONEY`): abs(fed funds - target), EFFR - IOER, SOFR - IORB.
    """
    idx = table.index
    d = daily.reindex(idx)
    reg = table["regime"].reindex(idx)
    price = pd.Series(np.nan, index=idx)
    for r, col in PRICE_OF_MONEY.items():
        if col in d:
            m = (reg == r).to_numpy()
            v = d[col].to_numpy(float)[m]
            price[m] = np.abs(v) if r in ABSOLUTE else v
    base = {"stress score": table["score"].astype(float),
            "STLFSI4 (revised)": d.get("stlfsi_idx", pd.Series(np.nan, index=idx)),
            "OFR FSI": (ofr_fsi.reindex(idx) if ofr_fsi is not None
                        else pd.Series(np.nan, index=idx)),
            "VIX": d.get("vix_idx", pd.Series(np.nan, index=idx)),
            "TED spread": d.get("ted_bp", pd.Series(np.nan, index=idx)),
            "CP - T-bill": d.get("cp_tbill_bp", pd.Series(np.nan, index=idx)),
            "price of money (regime's measure)": price}
    lv = table["level"].astype(float)
    out: dict[str, tuple[pd.Series, pd.Series | None]] = {
        "stage, flag >= drained": (lv, lv >= 2)}
    for name, x in base.items():
        x = x.astype(float)
        out[name] = (x, None)
        out[f"{name}, 5-day max"] = (x.rolling(5, min_periods=1).max(), None)
    return out


def _windows(index: pd.DatetimeIndex, episodes, kind: str | None):
    for ep in episodes:
        if not ep.major or (kind is not None and ep.kind != kind):
            continue
        s = int(index.searchsorted(ep.start))
        e = int(index.searchsorted(ep.end, side="right")) - 1
        if e >= s and s < len(index):
            yield ep, s, e


def _labels(index: pd.DatetimeIndex, episodes, kind: str, grey_bd: int) -> np.ndarray:
    lab = np.zeros(len(index))
    grey = np.zeros(len(index), dtype=bool)
    pos = np.zeros(len(index), dtype=bool)
    for _, s, e in _windows(index, episodes, kind):
        pos[s:e + 1] = True
        grey[max(0, s - grey_bd):e + grey_bd + 1] = True
    lab[grey] = np.nan
    lab[pos] = 1.0
    return lab


def _spells(flag: np.ndarray) -> list[tuple[int, int]]:
    f = np.concatenate([[False], flag.astype(bool), [False]])
    d = np.diff(f.astype(int))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1))


def episode_bootstrap(values: np.ndarray, n_boot: int, seed: int) -> tuple[float, float] | None:
    """95% percentile interval of the mean of per-episode values, resampling episodes."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return None
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(n_boot, len(v)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def score_span(name: str, span: str, mask: np.ndarray, x: np.ndarray, flag: np.ndarray,
               cut: float | None, index: pd.DatetimeIndex, episodes, kind: str,
               p: HistoryParams, label: np.ndarray) -> HistoryRow:
    """One signal on the days of ``mask``: the figures of the module docstring."""
    neg = mask & (label == 0)
    ids, aucs, delays = [], [], []
    for ep, s, e in _windows(index, episodes, kind):
        if not mask[s]:
            continue
        y = np.full(len(index), np.nan)
        y[neg] = 0.0
        y[s:e + 1] = 1.0
        ids.append(ep.id)
        aucs.append(auc(x, y))
        hits = np.flatnonzero(flag[max(0, s - p.near_bd):e + 1])
        delays.append(None if not len(hits) else int(max(0, s - p.near_bd) + hits[0] - s))
    a = np.asarray(aucs, float)
    mean = float(np.nanmean(a)) if np.isfinite(a).any() else float("nan")
    ci = episode_bootstrap(a, p.n_boot, p.seed)
    near_any = np.zeros(len(index), dtype=bool)
    near_kind = np.zeros(len(index), dtype=bool)
    for ep, s, e in _windows(index, episodes, None):
        sl = slice(max(0, s - p.alarm_bd), e + p.alarm_bd + 1)
        near_any[sl] = True
        if ep.kind == kind:
            near_kind[sl] = True
    spl = [(a0, b0) for a0, b0 in _spells(flag) if mask[a0]]  # a spell counts where it begins
    fa = sum(not near_any[a0:b0 + 1].any() for a0, b0 in spl)
    good = sum(bool(near_kind[a0:b0 + 1].any()) for a0, b0 in spl)
    years = mask.sum() / 261.0
    prec = good / len(spl) if spl else float("nan")
    return HistoryRow(name, span, kind, cut, tuple(ids), tuple(float(v) for v in a), mean, ci,
                      tuple(delays), len(spl), fa, years, prec)


def spans(table: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """In and out of sample, then each regime (name, day mask)."""
    idx = table.index
    out = [(n, np.asarray((idx >= lo) & (idx <= hi))) for n, lo, hi in (IN_SAMPLE, OUT_OF_SAMPLE)]
    for r in pd.unique(table["regime"].dropna()):
        out.append((f"regime {r}", (table["regime"] == r).to_numpy()))
    return out


def year_spans(table: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """Each calendar year of the replay (the rolling origin: each year judged in turn)."""
    y = table.index.year
    return [(f"year {v}", np.asarray(y == v)) for v in sorted(set(y))]


def history_scorecard(table: pd.DataFrame, daily: pd.DataFrame, episodes: tuple[Episode, ...],
                      *, ofr_fsi: pd.Series | None = None,
                      params: HistoryParams = HistoryParams()) -> HistoryScorecard:
    """Score the 2003-2026 replay and the baselines (see the module docstring)."""
    p = params
    idx = table.index
    sig = history_signals(table, daily, ofr_fsi)
    labels = {k: _labels(idx, episodes, k, p.grey_bd) for k in KINDS}
    fit = np.asarray((idx >= IN_SAMPLE[1]) & (idx <= IN_SAMPLE[2]))
    sp = spans(table)
    yrs = year_spans(table)
    rows: list[HistoryRow] = []
    for name, (x, flag) in sig.items():
        xv = x.to_numpy(float)
        cut = None
        if flag is None:
            cut = best_cut(xv[fit], labels["funding"][fit])
            fv = (xv >= cut) if cut is not None else np.zeros(len(idx), dtype=bool)
        else:
            fv = flag.to_numpy(bool)
        for kind in KINDS:
            for span, m in sp:
                rows.append(score_span(name, span, m, xv, fv, cut, idx, episodes, kind, p,
                                       labels[kind]))
        if name in ("stress score", "stage, flag >= drained", "STLFSI4 (revised)"):
            for span, m in yrs:
                rows.append(score_span(name, span, m, xv, fv, cut, idx, episodes, "funding", p,
                                       labels["funding"]))
    # Rolling origin for the one fitted quantity of the score: its cut, refitted each year on
    # every day before it (expanding window), judged on that year.
    xs = sig["stress score"][0].to_numpy(float)
    for span, m in yrs:
        train = np.asarray(idx < pd.Timestamp(f"{span[5:]}-01-01"))
        cut = best_cut(xs[train], labels["funding"][train]) if train.any() else None
        if cut is None:
            continue
        rows.append(score_span(ROLLING, span, m, xs, xs >= cut, cut, idx, episodes, "funding",
                               p, labels["funding"]))
    by_reg = {str(r): {int(k): int(v) for k, v in g.value_counts().items()}
              for r, g in table.groupby("regime")["level"]}
    return HistoryScorecard(p, idx[0], idx[-1], tuple(rows), goals(table, rows), by_reg,
                            drained_spell_list(table, episodes, p.alarm_bd))


def drained_spell_list(table: pd.DataFrame, episodes, alarm_bd: int):
    """Each spell of stage >= drained with the major episodes within ``alarm_bd`` days."""
    idx = table.index
    lv = table["level"].to_numpy()
    wins = list(_windows(idx, episodes, None))
    out = []
    for a, b in _spells(lv >= 2):
        near = tuple(ep.id for ep, s, e in wins if s - alarm_bd <= b and e + alarm_bd >= a)
        out.append((idx[a], idx[b], int(lv[a:b + 1].max()), str(table["regime"].iloc[a]), near))
    return tuple(out)


def find(rows, signal: str, span: str, kind: str = "funding") -> HistoryRow | None:
    return next((r for r in rows if r.signal == signal and r.span == span and r.kind == kind),
                None)


def goals(table: pd.DataFrame, rows) -> tuple[tuple[str, str, bool], ...]:
    """The four goals, measured on the replay (text of the value, met or not)."""
    out = []
    s = find(rows, "stress score", OUT_OF_SAMPLE[0])
    b = find(rows, "STLFSI4 (revised)", OUT_OF_SAMPLE[0])
    if s is not None and b is not None:
        out.append(("Out of sample, the stress score's episode-weighted AUC on funding episodes "
                    "is at least STLFSI4's", f"score {s.auc:.2f}, STLFSI4 {b.auc:.2f}",
                    bool(s.auc >= b.auc)))
    lv = table["level"]
    allr = [find(rows, "stage, flag >= drained", sp, "funding") for sp in
            (IN_SAMPLE[0], OUT_OF_SAMPLE[0])]
    allr = [r for r in allr if r is not None]
    if allr:
        good = sum(r.precision * r.spells for r in allr if r.spells)
        tot = sum(r.spells for r in allr)
        fa = sum(r.false_alarm_spells for r in allr)
        yrs = sum(r.years for r in allr)
        prec = good / tot if tot else float("nan")
        out.append(("Drained is precise by episode (>= 0.5) with at most one false-alarm spell "
                    "per three years",
                    f"precision {prec:.2f} ({good:.0f} of {tot} drained spells within the alarm "
                    "window of a major funding episode), "
                    f"{fa} false-alarm spells in {yrs:.1f} years ({fa / yrs:.2f} a year)",
                    bool(prec >= 0.5 and fa / yrs <= 1 / 3)))
    crisis = lv >= 3
    ok_win = (((lv.index >= "2008-09-01") & (lv.index <= "2009-03-31"))
              | ((lv.index >= "2020-03-01") & (lv.index <= "2020-03-31")))
    bad = crisis & ~ok_win
    outside = int(bad.sum())
    months = sorted({f"{d:%Y-%m}" for d in lv.index[bad.to_numpy()]})
    held = (int((bad & table["held"].astype(bool)).sum()) if "held" in table
            else "unknown")
    out.append(("Crisis appears only around 2008-09..2009-03 and 2020-03",
                f"{int(crisis.sum())} crisis days, {outside} outside those months"
                + (f" (in {', '.join(months)}; {held} of them held by the hysteresis after "
                   "the raw stage had fallen)" if months else ""),
                outside == 0))
    leh = lv[(lv.index >= "2008-09-15") & (lv.index <= "2008-10-31")]
    sh = float((leh >= 2).mean()) if len(leh) else float("nan")
    calm = {y: float((lv[lv.index.year == y] == 0).mean()) for y in (2013, 2017)
            if (lv.index.year == y).any()}
    out.append(("2008-09-15..2008-10-31 reads drained or crisis on most days; 2013 and 2017 "
                "read ample on most days",
                f"Lehman window {sh:.0%} drained or crisis; ample "
                + ", ".join(f"{y} {v:.0%}" for y, v in calm.items()),
                bool(sh > 0.5 and all(v > 0.5 for v in calm.values()))))
    return tuple(out)
