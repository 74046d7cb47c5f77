"""Independent stress indices (STLFSI4, NFCI, ANFCI) against the score and the stages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dollarliq.track.constants import DRAINED, TIGHT


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
