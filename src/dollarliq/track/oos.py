"""Out-of-sample scorecard: the stress score and the stages against their own inputs.

Day-by-day classification of the funding (or market) episodes, judged as a forecaster would:

- **Labels.** A business day is *positive* inside a sourced episode window (start..end),
  *grey* within ``grey_bd`` business days of one (left out: neither calm nor the episode),
  *negative* otherwise.
- **Spans.** Cuts are fixed on the fitting span (2018-04-02..2021-12-31) and reported on the
  evaluation span (2022-01-03 on), and again leaving one episode out (its window ± 65
  business days is the test block; the cut is fitted on every other day).
- **Signals.** The stress score and the stage level, and, in the same tables, the baselines:
  SOFR − IORB, its 5-day maximum, the VIX, STLFSI4, the OFR Financial Stress Index and the
  previous rules' score and stages. A continuous signal's cut is the one with the best F1
  on the fitting days; a stage cut (>= drained) needs no fitting.
- **Metrics.** ROC AUC (ties counted half), day precision (flagged days inside a window
  widened by ``near_bd`` / flagged days), day recall (positive days flagged / positive
  days), episodes caught (flagged on a day from ``near_bd`` before the start to
  ``catch_bd`` after it) with the lead (< 0) or lag in business days; 95% intervals from a
  circular moving-block bootstrap of days (block ``block_bd``, seeded).

Pure functions of aligned daily series; nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dollarliq.track.episodes import Episode

FIT_SPAN = (pd.Timestamp("2018-04-02"), pd.Timestamp("2021-12-31"))
EVAL_START = pd.Timestamp("2022-01-03")


@dataclass(frozen=True)
class OosParams:
    grey_bd: int = 10
    near_bd: int = 10
    catch_bd: int = 5
    block_bd: int = 20
    n_boot: int = 500
    seed: int = 12345
    loeo_pad_bd: int = 65


def day_labels(index: pd.DatetimeIndex, episodes: tuple[Episode, ...], kind: str,
               grey_bd: int) -> pd.Series:
    """1 inside an episode window of ``kind``, NaN within ``grey_bd`` days of one, else 0."""
    lab = np.zeros(len(index))
    pos = np.zeros(len(index), dtype=bool)
    grey = np.zeros(len(index), dtype=bool)
    for s, e in _windows(index, episodes, kind):
        pos[s:e + 1] = True
        grey[max(0, s - grey_bd):min(len(index), e + grey_bd + 1)] = True
    lab[grey & ~pos] = np.nan
    lab[pos] = 1.0
    return pd.Series(lab, index=index)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) statistic, ties counted half; NaN if one class."""
    ok = np.isfinite(score) & np.isfinite(label)
    s, y = score[ok], label[ok] > 0.5
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = pd.Series(s).rank(method="average").to_numpy()
    return float((r[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _block_indices(n: int, block: int, n_boot: int, rng) -> np.ndarray:
    nb = int(np.ceil(n / block))
    starts = rng.integers(0, n, size=(n_boot, nb))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]) % n
    return idx.reshape(n_boot, -1)[:, :n]


def boot_ci(fn, arrays: tuple[np.ndarray, ...], block: int, n_boot: int,
            seed: int) -> tuple[float, float] | None:
    """95% percentile interval of ``fn`` under a circular moving-block bootstrap of days.

    ``fn`` takes 2-D arrays (one resample per row) and returns one value per row; rows where
    it is undefined (NaN, e.g. no positive day drawn) are dropped, and fewer than a quarter of
    defined rows gives None.
    """
    n = len(arrays[0])
    if n == 0:
        return None
    rng = np.random.default_rng(seed)
    idx = _block_indices(n, max(1, min(block, n)), n_boot, rng)
    vals = np.asarray(fn(*(a[idx] for a in arrays)), dtype=float)
    vals = vals[np.isfinite(vals)]
    if len(vals) < n_boot // 4:
        return None
    return float(np.quantile(vals, 0.025)), float(np.quantile(vals, 0.975))


def _auc_rows(score: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Row-wise AUC of 2-D arrays with finite values (ties counted half).

    ``score`` may hold integer codes that keep the order of the values (as
    ``np.unique(..., return_inverse=True)`` gives): each row is then counted in one pass,
    without sorting it.
    """
    if not np.issubdtype(score.dtype, np.integer):
        score = np.unique(score, return_inverse=True)[1].reshape(score.shape)
    rows, n = score.shape
    m = int(score.max()) + 1 if score.size else 1
    y = label > 0.5
    flat = score + (np.arange(rows) * m)[:, None]
    neg = np.bincount(flat[~y], minlength=rows * m).reshape(rows, m)
    below = np.cumsum(neg, axis=1) - neg
    wins = below + 0.5 * neg  # per value: negatives under it, ties half
    pos_w = np.bincount(np.broadcast_to(np.arange(rows)[:, None], y.shape)[y],
                        weights=wins.reshape(-1)[flat[y]], minlength=rows)
    n1 = y.sum(axis=1).astype(float)
    n0 = n - n1
    with np.errstate(invalid="ignore", divide="ignore"):
        return pos_w / (n1 * n0)


def _precision(flag: np.ndarray, near: np.ndarray) -> np.ndarray:
    n = flag.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (flag & near).sum(axis=-1) / np.where(n > 0, n, 1), np.nan)


def _recall(flag: np.ndarray, label: np.ndarray) -> np.ndarray:
    p = label > 0.5
    n = p.sum(axis=-1)
    return np.where(n > 0, (flag & p).sum(axis=-1) / np.where(n > 0, n, 1), np.nan)


def best_cut(x: np.ndarray, label: np.ndarray) -> float | None:
    """The cut (flag x >= cut) with the best day F1 on labelled days (ties: the higher cut)."""
    ok = np.isfinite(x) & np.isfinite(label)
    xs, y = x[ok], label[ok] > 0.5
    if y.sum() == 0:
        return None
    best, best_f1 = None, -1.0
    for c in np.unique(np.quantile(xs, np.linspace(0.5, 0.999, 200))):
        f = xs >= c
        tp = (f & y).sum()
        if tp == 0:
            continue
        f1 = 2 * tp / (f.sum() + y.sum())
        if f1 >= best_f1:
            best, best_f1 = float(c), f1
    return best


@dataclass(frozen=True)
class Catch:
    episode: str
    caught: bool
    first_flag: pd.Timestamp | None
    lead_bd: int | None


def catches(flag: pd.Series, episodes: tuple[Episode, ...], kind: str, near_bd: int,
            catch_bd: int) -> list[Catch]:
    """Per episode of ``kind`` in range: flagged between ``near_bd`` before its start and
    ``catch_bd`` after? The lead is counted from the start of the flag's spell."""
    idx = flag.index
    f = flag.to_numpy(dtype=bool)
    out: list[Catch] = []
    if len(idx) == 0:
        return out
    for ep in episodes:
        if ep.kind != kind or not ep.major or ep.start > idx[-1] or ep.end < idx[0]:
            continue
        s = int(idx.searchsorted(ep.start))
        lo, hi = max(0, s - near_bd), min(len(idx) - 1, s + catch_bd)
        hits = np.flatnonzero(f[lo:hi + 1])
        if not len(hits):
            out.append(Catch(ep.id, False, None, None))
            continue
        i = lo + int(hits[0])
        while i > 0 and f[i - 1]:
            i -= 1
        out.append(Catch(ep.id, True, idx[i], i - s))
    return out


@dataclass(frozen=True)
class SignalScore:
    signal: str
    span: str
    cut: float | None
    days: int
    positives: int
    auc: float
    auc_ci: tuple[float, float] | None
    flagged: int
    precision: float
    precision_ci: tuple[float, float] | None
    recall: float
    recall_ci: tuple[float, float] | None
    catches: tuple[Catch, ...] = ()

    @property
    def caught(self) -> int:
        return sum(c.caught for c in self.catches)


def score_signal(name: str, span: str, x: pd.Series, flag: pd.Series, label: pd.Series,
                 near: pd.Series, episodes: tuple[Episode, ...], kind: str, cut: float | None,
                 p: OosParams) -> SignalScore:
    """AUC of ``x`` and precision/recall of ``flag`` on the days of ``label`` (one span)."""
    xv, fv = x.to_numpy(dtype=float), flag.to_numpy(dtype=bool)
    lv, nv = label.to_numpy(dtype=float), near.to_numpy(dtype=bool)
    lab_ok = np.isfinite(lv)
    a = auc(xv, lv)
    ok = lab_ok & np.isfinite(xv)  # AUC: blocks drawn over the labelled days with a value
    codes = np.unique(xv[ok], return_inverse=True)[1].reshape(-1)
    a_ci = boot_ci(_auc_rows, (codes, lv[ok]), p.block_bd, p.n_boot, p.seed)
    pr = float(_precision(fv, nv))
    pr_ci = boot_ci(_precision, (fv, nv), p.block_bd, p.n_boot, p.seed + 1)
    lab0 = np.where(lab_ok, lv, 0.0)
    rc = float(_recall(fv, lab0))
    rc_ci = boot_ci(_recall, (fv, lab0), p.block_bd, p.n_boot, p.seed + 2)
    cat = tuple(catches(flag, episodes, kind, p.near_bd, p.catch_bd))
    return SignalScore(name, span, cut, int(np.isfinite(xv).sum()), int((lv > 0.5).sum()), a,
                       a_ci, int(fv.sum()), pr, pr_ci, rc, rc_ci, cat)


@dataclass(frozen=True)
class Signal:
    """A signal to score: continuous values, and either a fixed flag or a cut to fit."""

    name: str
    values: pd.Series
    flag: pd.Series | None = None  # fixed rule (a stage cut); None: fit a cut on x


@dataclass(frozen=True)
class Scorecard:
    kind: str
    params: OosParams
    rows: tuple[SignalScore, ...]
    loeo: tuple[SignalScore, ...]
    tight_to_drained: dict[str, tuple[int, int]] = field(default_factory=dict)


def _windows(index: pd.DatetimeIndex, episodes: tuple[Episode, ...], kind: str):
    """(first, last) positions in ``index`` of each major episode window of ``kind``."""
    for ep in episodes:
        if ep.kind != kind or not ep.major:
            continue
        s = int(index.searchsorted(ep.start))
        e = int(index.searchsorted(ep.end, side="right")) - 1
        if e < 0 or s >= len(index):
            continue
        yield s, e


def near_mask(index: pd.DatetimeIndex, episodes: tuple[Episode, ...], kind: str,
              near_bd: int) -> pd.Series:
    m = np.zeros(len(index), dtype=bool)
    for s, e in _windows(index, episodes, kind):
        m[max(0, s - near_bd):min(len(index), e + near_bd + 1)] = True
    return pd.Series(m, index=index)


def tight_to_drained(level: pd.Series, horizon_bd: int = 63) -> tuple[int, int]:
    """(entries into tight from ample, of which reached drained within ``horizon_bd`` days)."""
    lv = level.to_numpy()
    entries = [i for i in range(1, len(lv)) if lv[i] >= 1 and lv[i - 1] == 0]
    reached = sum(bool((lv[i:i + horizon_bd + 1] >= 2).any()) for i in entries)
    return len(entries), reached


def scorecard(signals: list[Signal], episodes: tuple[Episode, ...], *, kind: str = "funding",
              params: OosParams = OosParams(), stage: pd.Series | None = None) -> Scorecard:
    """Fit cuts on the fitting span; score each signal in and out of sample and leaving one
    episode out."""
    p = params
    idx = signals[0].values.index
    label = day_labels(idx, episodes, kind, p.grey_bd)
    near = near_mask(idx, episodes, kind, p.near_bd)
    fit = (idx >= FIT_SPAN[0]) & (idx <= FIT_SPAN[1])
    ev = idx >= EVAL_START
    rows, loeo = [], []
    for sg in signals:
        x = sg.values.reindex(idx)
        cut = None
        if sg.flag is None:
            cut = best_cut(x[fit].to_numpy(float), label[fit].to_numpy(float))
            flag = (x >= cut) if cut is not None else pd.Series(False, index=idx)
        else:
            flag = sg.flag.reindex(idx).fillna(False).astype(bool)
        for span, m in (("in sample 2018-04..2021-12", fit), ("out of sample 2022-01..", ev)):
            if not m.any():
                continue
            rows.append(score_signal(sg.name, span, x[m], flag[m], label[m], near[m], episodes,
                                     kind, cut, p))
        for ep in episodes:
            if ep.kind != kind or not ep.major or ep.end < idx[0] or ep.start > idx[-1]:
                continue
            s = int(idx.searchsorted(ep.start))
            e = int(idx.searchsorted(ep.end, side="right")) - 1
            blk = np.zeros(len(idx), dtype=bool)
            blk[max(0, s - p.loeo_pad_bd):min(len(idx), e + p.loeo_pad_bd + 1)] = True
            c2 = None
            if sg.flag is None:
                train = ~blk & (idx >= FIT_SPAN[0])
                c2 = best_cut(x[train].to_numpy(float), label[train].to_numpy(float))
                f2 = (x >= c2) if c2 is not None else pd.Series(False, index=idx)
            else:
                f2 = flag
            loeo.append(score_signal(sg.name, f"held out: {ep.id}", x[blk], f2[blk],
                                     label[blk], near[blk], episodes, kind, c2, p))
    t2d = {}
    if stage is not None:
        for span, m in (("in sample", fit), ("out of sample", ev)):
            if m.any():
                t2d[span] = tight_to_drained(stage[m])
    return Scorecard(kind, p, tuple(rows), tuple(loeo), t2d)
