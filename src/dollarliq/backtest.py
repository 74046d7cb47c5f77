"""The track record: the stage engine replayed point-in-time and scored against the record.

Every number is computed here from the replay (``run_engine(...).stages.table``, the same
code path as ``report --as-of``), the episodes file and the store; nothing is stored.

- Episodes (``data/episodes.csv``, each with a public source): the highest stage inside the
  episode window widened by ``tolerance_bd`` business days on each side, the first day of
  stage >= drained (the start of its spell, if the spell began earlier) and its lead (< 0)
  or lag (> 0) in business days against the episode start.
- False alarms: spells of stage >= drained with no major episode within ``alarm_window_bd``
  business days either side.
- Yardsticks: weekly Pearson and Spearman correlation of the score with STLFSI4, NFCI and
  ANFCI, and 2x2 agreement of the stages with their above-average-stress readings (> 0).
- Event study: forward returns and maximum drawdowns of SPY and QQQ (dividend-adjusted;
  QQQ stands in for the Nasdaq-100) by stage, with stationary-bootstrap confidence
  intervals, seeded.

Pure functions of the stage table and the series; :func:`run_backtest` reads the store.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dollarliq.errors import NotEnoughData, UsageError
from dollarliq.stages import STAGE_NAMES

DEFAULT_EPISODES = Path(__file__).parent / "data" / "episodes.csv"
DRAINED = 2
TIGHT = 1
#: Forward horizons of the event study, in trading days of the price series (1, 3, 6 months).
HORIZONS = {"1m": 21, "3m": 63, "6m": 126}
#: Below these, a sample is flagged as too small to mean anything.
MIN_INDEPENDENT = 30
MIN_SPELLS = 3
YARDSTICKS = ("STLFSI4", "NFCI", "ANFCI")
ASSETS = {"SPY": "S&P 500 (SPY, dividend-adjusted)",
          "QQQ": "Nasdaq-100 (QQQ, dividend-adjusted, as proxy)"}
NOTICE = ("Not investment advice. A record of what the rules said on each day, using only data "
          "public on that day; past readings do not forecast returns.")


# ----------------------------------------------------------------------------- episodes

@dataclass(frozen=True)
class Episode:
    id: str
    name: str
    kind: str  # funding, market, calendar
    severity: str  # major or minor (calendar)
    start: pd.Timestamp
    end: pd.Timestamp
    source: str
    url: str = ""

    @property
    def major(self) -> bool:
        return self.severity == "major"


def load_episodes(path: Path | str | None = None) -> tuple[Episode, ...]:
    """Read an episodes file (the packaged one when ``path`` is None); every row needs a source."""
    p = Path(path) if path is not None else DEFAULT_EPISODES
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UsageError(f"episodes file {p.name}: {exc}") from exc
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            ep = Episode(r["id"], r["name"], r["kind"], r["severity"],
                         pd.Timestamp(r["start"]), pd.Timestamp(r["end"]),
                         (r.get("source") or "").strip(), (r.get("url") or "").strip())
        except (KeyError, ValueError) as exc:
            raise UsageError(f"episodes file {p.name}, line {i}: {exc}") from exc
        if not ep.source:
            raise UsageError(f"episodes file {p.name}, line {i}: episode {ep.id} has no source")
        if ep.end < ep.start:
            raise UsageError(f"episodes file {p.name}, line {i}: end before start")
        if ep.severity not in ("major", "minor"):
            raise UsageError(f"episodes file {p.name}, line {i}: severity must be major or minor")
        out.append(ep)
    return tuple(out)


@dataclass(frozen=True)
class EpisodeScore:
    episode: Episode
    in_range: bool
    max_level: int | None
    max_score: float | None
    first_drained: pd.Timestamp | None
    lead_lag_bd: int | None  # business days from the episode start; < 0 = lead
    first_tight: pd.Timestamp | None
    tight_lead_lag_bd: int | None
    #: True when the spell was already under way on the first replay day: the lead is
    #: then a lower bound, not a measurement.
    drained_censored: bool = False
    tight_censored: bool = False

    @property
    def hit(self) -> bool:
        return self.max_level is not None and self.max_level >= DRAINED


def _spell_start(level_ge: np.ndarray, i: int) -> int:
    while i > 0 and level_ge[i - 1]:
        i -= 1
    return i


def score_episode(table: pd.DataFrame, ep: Episode, tolerance_bd: int) -> EpisodeScore:
    """Highest stage in the episode window +- ``tolerance_bd`` business days, and lead/lag."""
    idx = table.index
    if len(idx) == 0 or ep.end < idx[0] or ep.start > idx[-1]:
        return EpisodeScore(ep, False, None, None, None, None, None, None)
    s0 = int(idx.searchsorted(ep.start))  # first replay day on or after the start
    e0 = int(idx.searchsorted(ep.end, side="right")) - 1
    lo, hi = max(0, s0 - tolerance_bd), min(len(idx) - 1, max(e0, s0) + tolerance_bd)
    lv = table["level"].to_numpy()
    win = lv[lo:hi + 1]
    sc = table["score"].to_numpy()[lo:hi + 1]

    def first(threshold: int) -> tuple[pd.Timestamp | None, int | None]:
        ge = lv >= threshold
        hits = np.flatnonzero(ge[lo:hi + 1])
        if not len(hits):
            return None, None
        i = _spell_start(ge, lo + int(hits[0]))
        return idx[i], i - s0

    fd, fd_bd = first(DRAINED)
    ft, ft_bd = first(TIGHT)
    msc = float(np.nanmax(sc)) if np.isfinite(sc).any() else None
    return EpisodeScore(ep, True, int(win.max()), msc, fd, fd_bd, ft, ft_bd,
                        fd is not None and fd == idx[0], ft is not None and ft == idx[0])


@dataclass(frozen=True)
class Spell:
    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    max_level: int
    near: tuple[str, ...]  # ids of the major episodes within the alarm window

    @property
    def false_alarm(self) -> bool:
        return not self.near


def spells(level: pd.Series, min_level: int = DRAINED) -> list[tuple[int, int]]:
    """(first, last) positions of each run of consecutive days with level >= ``min_level``."""
    ge = (level.to_numpy() >= min_level).astype(np.int8)
    d = np.diff(np.concatenate([[0], ge, [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1))


def drained_spells(table: pd.DataFrame, episodes: tuple[Episode, ...],
                   alarm_window_bd: int) -> tuple[Spell, ...]:
    """Every spell of stage >= drained, with the major episodes within the alarm window."""
    idx = table.index
    out = []
    for a, b in spells(table["level"], DRAINED):
        near = []
        for ep in episodes:
            if not ep.major:
                continue
            s0 = int(idx.searchsorted(ep.start))
            e0 = int(idx.searchsorted(ep.end, side="right")) - 1
            if ep.end < idx[0] or ep.start > idx[-1]:
                continue
            if a <= max(e0, s0) + alarm_window_bd and b >= s0 - alarm_window_bd:
                near.append(ep.id)
        out.append(Spell(idx[a], idx[b], int(b - a + 1),
                         int(table["level"].iloc[a:b + 1].max()), tuple(near)))
    return tuple(out)


@dataclass(frozen=True)
class Rates:
    major_in_range: int
    hits_drained: int
    hits_tight: int
    spells: int
    false_alarms: int
    false_alarm_days: int
    drained_days: int
    calendar_in_range: int
    calendar_drained: int

    @property
    def hit_rate(self) -> float | None:
        return self.hits_drained / self.major_in_range if self.major_in_range else None

    @property
    def hit_rate_tight(self) -> float | None:
        return self.hits_tight / self.major_in_range if self.major_in_range else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_alarms / self.spells if self.spells else None


def rates(scores: tuple[EpisodeScore, ...], spl: tuple[Spell, ...]) -> Rates:
    """Hit rate over the major episodes and false-alarm rate over the drained spells."""
    major = [s for s in scores if s.in_range and s.episode.major]
    cal = [s for s in scores if s.in_range and not s.episode.major]
    return Rates(
        major_in_range=len(major),
        hits_drained=sum(s.hit for s in major),
        hits_tight=sum(s.max_level is not None and s.max_level >= TIGHT for s in major),
        spells=len(spl),
        false_alarms=sum(s.false_alarm for s in spl),
        false_alarm_days=sum(s.days for s in spl if s.false_alarm),
        drained_days=sum(s.days for s in spl),
        calendar_in_range=len(cal),
        calendar_drained=sum(s.hit for s in cal),
    )


# ----------------------------------------------------------------------------- yardsticks

@dataclass(frozen=True)
class Yardstick:
    id: str
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    weeks: int
    pearson: float | None
    spearman: float | None
    #: rows: stage >= drained, stage >= tight; cols: both, stage only, index only, neither
    agreement: dict[str, dict[str, int]] = field(default_factory=dict)


def weekly_pairs(table: pd.DataFrame, index: pd.Series) -> pd.DataFrame:
    """The yardstick on its own (weekly) dates with the stage and score on the last replay
    day on or before each date, inside the replay span."""
    idx = table.index
    ix = index.dropna().sort_index()
    ix = ix[(ix.index >= idx[0]) & (ix.index <= idx[-1])]
    if ix.empty:
        return pd.DataFrame(columns=["index", "score", "level"])
    pos = idx.searchsorted(ix.index, side="right") - 1
    return pd.DataFrame({"index": ix.to_numpy(),
                         "score": table["score"].to_numpy()[pos],
                         "level": table["level"].to_numpy()[pos]}, index=ix.index)


def agreement(stage_on: np.ndarray, index_on: np.ndarray) -> dict[str, int]:
    """2x2 counts of a stage reading against an index reading."""
    s, x = np.asarray(stage_on, bool), np.asarray(index_on, bool)
    return {"both": int((s & x).sum()), "stage_only": int((s & ~x).sum()),
            "index_only": int((~s & x).sum()), "neither": int((~s & ~x).sum())}


def yardstick(sid: str, table: pd.DataFrame, index: pd.Series) -> Yardstick:
    from scipy import stats

    w = weekly_pairs(table, index).dropna()
    if len(w) < 3:
        return Yardstick(sid, None, None, len(w), None, None, {})
    pr = float(stats.pearsonr(w["score"], w["index"])[0])
    sr = float(stats.spearmanr(w["score"], w["index"])[0])
    hi = (w["index"] > 0).to_numpy()
    agr = {"drained": agreement(w["level"].to_numpy() >= DRAINED, hi),
           "tight": agreement(w["level"].to_numpy() >= TIGHT, hi)}
    return Yardstick(sid, w.index[0], w.index[-1], len(w), pr, sr, agr)


# ----------------------------------------------------------------------------- event study

def forward_returns(prices: pd.Series, h: int) -> np.ndarray:
    """Return from each close to the close ``h`` trading days later (NaN past the end)."""
    p = prices.to_numpy(dtype=float)
    out = np.full(len(p), np.nan)
    if len(p) > h:
        out[:-h] = p[h:] / p[:-h] - 1.0
    return out


def forward_max_drawdown(prices: pd.Series, h: int) -> np.ndarray:
    """Deepest fall from a running peak over the next ``h`` trading days, from each close
    (<= 0; NaN where the window runs past the end)."""
    from numpy.lib.stride_tricks import sliding_window_view

    p = prices.to_numpy(dtype=float)
    out = np.full(len(p), np.nan)
    if len(p) > h:
        win = sliding_window_view(p, h + 1)  # row i = closes i .. i+h
        peak = np.maximum.accumulate(win, axis=1)
        out[: len(win)] = (win / peak - 1.0).min(axis=1)
    return out


def stationary_bootstrap_ci(x: np.ndarray, block: float, *, n_boot: int = 2000,
                            level: float = 0.95, seed: int = 12345) -> tuple[float, float]:
    """Percentile CI of the mean under the stationary bootstrap (Politis and Romano, 1994).

    Blocks of consecutive observations with geometric lengths of mean ``block`` (wrapping
    around), so the overlap of daily forward returns is kept within blocks. Seeded.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    p = 1.0 / max(1.0, min(float(block), float(n)))
    new = rng.random((n_boot, n)) < p
    new[:, 0] = True
    starts = rng.integers(0, n, size=(n_boot, n))
    t = np.arange(n)
    last = np.maximum.accumulate(np.where(new, t, 0), axis=1)
    idx = (np.take_along_axis(starts, last, axis=1) + (t - last)) % n
    means = x[idx].mean(axis=1)
    a = (1.0 - level) / 2.0
    return float(np.quantile(means, a)), float(np.quantile(means, 1.0 - a))


def independent_count(positions: np.ndarray, h: int) -> int:
    """How many of the (sorted) positions can be kept with no two windows of ``h`` overlapping."""
    n, last = 0, None
    for p in positions:
        if last is None or p >= last + h:
            n, last = n + 1, p
    return n


@dataclass(frozen=True)
class EventRow:
    asset: str
    horizon: str
    group: str  # "0".."3" or "all"
    days: int
    independent: int
    spells: int
    mean_return: float | None
    ci_return: tuple[float, float] | None
    mean_drawdown: float | None
    ci_drawdown: tuple[float, float] | None

    @property
    def too_small(self) -> bool:
        return self.independent < MIN_INDEPENDENT or (self.group != "all"
                                                      and self.spells < MIN_SPELLS)


def event_study(table: pd.DataFrame, prices: pd.Series, asset: str, *, n_boot: int,
                seed: int) -> list[EventRow]:
    """Forward returns and drawdowns after each replay day, grouped by the day's stage."""
    px = prices.dropna().sort_index()
    px = px[~px.index.duplicated()]
    px = px[(px.index >= table.index[0]) & (px.index <= table.index[-1])]
    # A trading day that is not a federal business day (Columbus Day, Veterans Day) carries
    # the stage of the business day before: nothing new was published.
    lvl_all = table["level"].reindex(px.index, method="ffill")
    rows = []
    for hname, h in HORIZONS.items():
        fr = forward_returns(px, h)
        dd = forward_max_drawdown(px, h)
        ok = lvl_all.notna().to_numpy() & np.isfinite(fr)
        lv = lvl_all.to_numpy()
        for group in ("0", "1", "2", "3", "all"):
            sel = ok if group == "all" else ok & (lv == int(group))
            pos = np.flatnonzero(sel)
            if not len(pos):
                rows.append(EventRow(asset, hname, group, 0, 0, 0, None, None, None, None))
                continue
            n_sp = int(1 + (np.diff(pos) > 1).sum())
            r, d = fr[pos], dd[pos]
            rows.append(EventRow(
                asset, hname, group, len(pos), independent_count(pos, h), n_sp,
                float(r.mean()), stationary_bootstrap_ci(r, h, n_boot=n_boot, seed=seed),
                float(d.mean()), stationary_bootstrap_ci(d, h, n_boot=n_boot, seed=seed + 1)))
    return rows


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


def evaluate(table: pd.DataFrame, episodes: tuple[Episode, ...], *,
             yardstick_series: dict[str, pd.Series] | None = None,
             prices: dict[str, pd.Series] | None = None,
             params: BacktestParams = BacktestParams(),
             as_of: pd.Timestamp | None = None, data_start: pd.Timestamp | None = None,
             rules: str = "") -> BacktestResult:
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
        {k: int(counts.get(k, 0)) for k in STAGE_NAMES})


def run_backtest(store, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None,
                 episodes: tuple[Episode, ...] | None = None, rules=None,
                 params: BacktestParams = BacktestParams()) -> BacktestResult:
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
    return evaluate(table, episodes if episodes is not None else load_episodes(),
                    yardstick_series=ys, prices=px, params=params, as_of=res.as_of,
                    data_start=res.data_start, rules=res.rules.source)


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
        "notice": NOTICE,
    }


def backtest_html_section(result: BacktestResult) -> str:
    """The "Track record" HTML fragment (charts and tables, without the Plotly library)."""
    from dollarliq.reports.track_record import html_section

    return html_section(result)
