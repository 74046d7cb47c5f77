"""A first look at the 2003-2026 replay against the funding episodes (not the track record).

Usage:
    python scripts/history_scorecard.py

Prints, for 2003-2014 and 2015 on: the stress score's AUC on each major funding episode of
``data/episodes.csv`` (minor ones, the 2015 lift-off and the 2016 money-fund reform, have no
window in the scorecard's labels and print nan) (positives: the episode's business days; negatives: days outside every
funding window and its 10-day grey band), averaged over episodes (each weighs the same),
against STLFSI4 (the revised series carried from its weekly dates, not vintages) and each
one's 5-day maximum; then the spells of stage >= drained and those with no major episode
within 20 business days. The stage rules of 2018 on were written with 2018-2021 in sample
and some after later episodes (docs/stages.md), so 2015 on is not a clean out-of-sample test
for them; the corridor and early-floor rules were set before this replay was first scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import dollarliq as dl
from dollarliq.track.episodes import load_episodes
from dollarliq.track.oos import auc, day_labels

SPANS = (("2003-2014", "2003-01-02", "2014-12-31"), ("2015 on", "2015-01-01", "2099-12-31"))


def main() -> None:
    t = dl.stages("2003-01-02")
    idx = t.index
    eps = load_episodes()
    st = dl.series("STLFSI4")
    stl = st.set_axis(pd.DatetimeIndex(st.index)).reindex(idx, method="ffill")
    sigs = {"score": t["score"], "score 5-day max": t["score"].rolling(5, min_periods=1).max(),
            "STLFSI4 (revised)": stl, "STLFSI4 5-day max": stl.rolling(5, min_periods=1).max()}
    lab = day_labels(idx, eps, "funding", 10).to_numpy()
    for span, lo, hi in SPANS:
        m = (idx >= lo) & (idx <= hi)
        print(span)
        for name, x in sigs.items():
            per = []
            for e in eps:
                if e.kind != "funding" or not (pd.Timestamp(lo) <= pd.Timestamp(e.start)
                                               <= pd.Timestamp(hi)):
                    continue
                y = np.where(lab == 1, np.nan, lab)  # other episodes' days are left out
                y[day_labels(idx, (e,), "funding", 10).to_numpy() == 1] = 1.0
                per.append((e.id, auc(x.to_numpy()[m], y[m])))
            mean = np.nanmean([a for _, a in per])
            print(f"  {name:18s} AUC, episodes weighted equally: {mean:.2f}  ("
                  + ", ".join(f"{i} {a:.2f}" for i, a in per) + ")")
    lvl = t["level"] >= 2
    spell = (lvl & ~lvl.shift(fill_value=False)).cumsum()[lvl]
    near = pd.Series(False, index=idx)
    for e in eps:
        if e.severity == "major":
            s = idx.searchsorted(pd.Timestamp(e.start))
            en = idx.searchsorted(pd.Timestamp(e.end), side="right") - 1
            near.iloc[max(0, s - 20):en + 21] = True
    rows = [(g.index[0], g.index[-1], bool(near[g.index].any()))
            for _, g in t[lvl].groupby(spell)]
    print(f"spells of stage >= drained: {len(rows)}; without a major episode within 20 "
          f"business days: {sum(not r[2] for r in rows)}")
    for a, b, ok in rows:
        print(f"  {a:%Y-%m-%d}..{b:%Y-%m-%d}  {'episode' if ok else 'false alarm'}")


if __name__ == "__main__":
    main()
