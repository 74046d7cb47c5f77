"""GSADF on the S&P 500 price/dividend ratio, 1871-01..2010-12 (PSY 2015, Section 6)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from dollarliq.bubbles.critical_values import critical_values
from dollarliq.bubbles.gsadf import episodes, gsadf, min_window
from dollarliq.bubbles.kernels import bsadf_lag0
from dollarliq.bubbles.shiller import read_shiller_csv
from reference import bsadf_reference

FIXTURE = Path(__file__).parents[1] / "fixtures" / "shiller" / "SP_DV_1871_2010.csv"
R0_36 = 36 / 1680  # a 36-month minimum window


@pytest.fixture(scope="module")
def pd_ratio() -> pd.Series:
    return read_shiller_csv(FIXTURE)["pd_ratio"]


def test_sample(pd_ratio):
    assert len(pd_ratio) == 1680
    assert str(pd_ratio.index[0]) == "1871-01" and str(pd_ratio.index[-1]) == "2010-12"
    assert pd_ratio.loc["1871-10"] == pytest.approx(17.65384615)  # the file writes October as 1871.1


def test_fast_kernel_equals_reference_on_subsample(pd_ratio):
    y = pd_ratio.to_numpy()[:200]
    w0 = min_window(200)
    ref_b, ref_f = bsadf_reference(y, w0)
    b, f = bsadf_lag0(y, w0)
    assert_allclose(b, ref_b, rtol=1e-8)
    assert_allclose(f, ref_f, rtol=1e-8)


def _overlaps(eps, lo, hi):
    lo, hi = pd.Period(lo, "M"), pd.Period(hi, "M")
    return any(e.start <= hi and e.end >= lo for e in eps)


def test_psy_episodes(pd_ratio):
    res = gsadf(pd_ratio, r0=R0_36, lag=0)
    cv = critical_values(1680, r0=R0_36, lag=0, reps=400, seed=1680)
    assert res.stat > cv.gsadf[-1]  # GSADF rejects at 1%
    assert res.sadf > cv.sadf[-1]
    eps = episodes(res.bsadf, cv.bsadf[cv.level_index(0.95)], y=pd_ratio, nobs=1680)
    # episodes PSY (2015) report, by the period each falls in
    for lo, hi in [("1878-01", "1880-12"), ("1917-01", "1918-12"), ("1928-01", "1929-12"),
                   ("1954-01", "1956-12"), ("1986-06", "1987-10"), ("1996-01", "2000-12")]:
        assert _overlaps(eps, lo, hi), (lo, hi)
    assert len(eps) <= 14
