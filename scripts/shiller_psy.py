"""GSADF/BSADF on the S&P 500 price/dividend ratio, 1871-01..2010-12 (PSY 2015, Section 6).

Checks the fast kernel against the plain lstsq reference on the full sample
(T = 1680; the reference takes a minute or more), simulates critical values,
and prints the date-stamped episodes for two minimum windows: the default
r0 = 0.01 + 1.8/sqrt(T) (90 months) and 36 months.

Usage: python scripts/shiller_psy.py [--reps 2000] [--skip-reference]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "bubbles"))

from dollarliq.bubbles.critical_values import critical_values  # noqa: E402
from dollarliq.bubbles.gsadf import episodes, episodes_frame, gsadf, min_duration  # noqa: E402
from dollarliq.bubbles.shiller import read_shiller_csv  # noqa: E402

DATA = ROOT / "tests" / "fixtures" / "shiller" / "SP_DV_1871_2010.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1680)
    ap.add_argument("--skip-reference", action="store_true")
    args = ap.parse_args()
    y = read_shiller_csv(DATA)["pd_ratio"]
    T = len(y)
    print(f"S&P 500 price/dividend ratio {y.index[0]}..{y.index[-1]}, T={T}; "
          f"minimum episode length ceil(ln T) = {min_duration(T)} months (delta = 1)")
    if not args.skip_reference:
        from reference import bsadf_reference

        res = gsadf(y)
        t0 = time.perf_counter()
        ref_b, ref_f = bsadf_reference(y.to_numpy(), res.min_window)
        dt = time.perf_counter() - t0
        err = np.max(np.abs(res.bsadf.to_numpy() - ref_b) / np.maximum(np.abs(ref_b), 1.0))
        err_f = np.max(np.abs(res.adf_forward.to_numpy() - ref_f) / np.maximum(np.abs(ref_f), 1.0))
        print(f"full sample, lag 0, min window {res.min_window}: max relative difference "
              f"kernel vs lstsq reference: BSADF {err:.2e}, forward ADF {err_f:.2e} "
              f"(reference took {dt:.0f} s)")
    for label, r0 in (("default r0", None), ("36-month window", 36 / T)):
        for lag in (0,):
            res = gsadf(y, r0=r0, lag=lag)
            cv = critical_values(T, r0=r0, lag=lag, reps=args.reps, seed=args.seed)
            print()
            print(f"== {label}, lag {lag}")
            print(res.summary())
            print(cv.summary())
            i95 = cv.level_index(0.95)
            for name, c in (("pointwise 95% BSADF quantile per date", cv.bsadf[i95]),
                            ("family-wise 95% (max BSADF over the sample)", cv.bsadf_fwer[i95])):
                eps = episodes(res.bsadf, c, y=y, nobs=T)
                print(f"-- episodes, {name}")
                print(episodes_frame(eps).to_string(index=False))


if __name__ == "__main__":
    main()
