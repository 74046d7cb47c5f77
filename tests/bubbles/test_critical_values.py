import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from dollarliq.bubbles._numba import get_num_threads, set_num_threads
from dollarliq.bubbles.critical_values import (
    CACHE_NAMESPACE,
    CriticalValues,
    cache_key,
    critical_values,
    simulate_null,
    wild_bootstrap_paths,
)
from dollarliq.errors import UsageError

# PSY (2015) Table 1, 95% column (2000 replications, lag 0,
# r0 = 0.01 + 1.8/sqrt(T)), as quoted in deanfantazzini/bubble,
# man/size_SADF.Rd and man/size_GSADF.Rd (Table 2 size experiments).
PSY_95 = {100: (1.30, 2.00), 200: (1.40, 2.08)}
PAPER_SE = 0.04  # rough MC error of a 95% quantile from 2000 replications


def test_deterministic_and_thread_independent():
    n = get_num_threads()
    try:
        set_num_threads(1)
        a = critical_values(60, reps=64, seed=7)
        set_num_threads(max(n, 2))
        b = critical_values(60, reps=64, seed=7)
    finally:
        set_num_threads(n)
    assert_array_equal(a.gsadf, b.gsadf)
    assert_array_equal(a.bsadf, b.bsadf)
    c = critical_values(60, reps=64, seed=8)
    assert not np.array_equal(a.gsadf, c.gsadf)


def test_bytes_round_trip_and_cache_key():
    cv = critical_values(50, reps=40, seed=3, lag=1)
    back = CriticalValues.from_bytes(cv.to_bytes())
    assert back.summary() == cv.summary()
    assert_array_equal(back.bsadf, cv.bsadf)
    assert back.levels == cv.levels and back.lag == 1
    k = cache_key(50, lag=1, reps=40, seed=3)
    assert k == cache_key(50, lag=1, reps=40, seed=3)
    others = {cache_key(51, lag=1, reps=40, seed=3), cache_key(50, lag=0, reps=40, seed=3),
              cache_key(50, lag=1, reps=41, seed=3), cache_key(50, lag=1, reps=40, seed=4),
              cache_key(50, r0=0.3, lag=1, reps=40, seed=3),
              cache_key(50, lag=1, reps=40, seed=3, method="wild", data_hash="ab")}
    assert k not in others and len(others) == 6
    assert CACHE_NAMESPACE


def test_quantiles_are_ordered_and_fwer_matches_gsadf():
    cv = critical_values(80, reps=300, seed=11)
    assert np.all(np.diff(cv.sadf) > 0) and np.all(np.diff(cv.gsadf) > 0)
    assert np.all(cv.gsadf > cv.sadf)
    # over the whole sample the family-wise BSADF value is the GSADF quantile
    assert_allclose(cv.bsadf_fwer, cv.gsadf)
    assert cv.bsadf.shape == (3, 80 - cv.min_window + 1)
    short = critical_values(80, reps=300, seed=11, horizon=12)
    assert np.all(short.bsadf_fwer <= cv.bsadf_fwer + 1e-12)


@pytest.mark.parametrize("T", sorted(PSY_95))
def test_close_to_psy_table1(T):
    cv = critical_values(T, reps=2000, seed=2015)
    i = cv.level_index(0.95)
    sadf95, gsadf95 = PSY_95[T]
    tol_s = 3 * np.hypot(cv.sadf_se[i], PAPER_SE) + 0.005
    tol_g = 3 * np.hypot(cv.gsadf_se[i], PAPER_SE) + 0.005
    assert abs(cv.sadf[i] - sadf95) < tol_s
    assert abs(cv.gsadf[i] - gsadf95) < tol_g


def test_null_paths_have_psy_drift():
    # 40,000 paths: the mean step's standard error is 3.5e-4, so the drift 1/T = 0.005 sits 14
    # standard errors from zero (no drift) and 7 from 1/(2T); the tolerance is 4
    Y = simulate_null(200, 40_000, 1)
    steps = np.diff(Y, axis=1)
    se = steps.std() / np.sqrt(steps.size)
    assert abs(steps.mean() - 1 / 200) < 4 * se
    assert 1 / 200 > 12 * se  # the check could tell a path without drift
    assert abs(Y[:, 0].mean() - 1 / 200) < 4 / np.sqrt(Y.shape[0])  # y_1 = 1/T + e_1 (y_0 = 0)


def test_wild_bootstrap():
    rng = np.random.default_rng(12345)
    flat = np.cumsum(rng.standard_normal(120))
    shift = np.cumsum(rng.standard_normal(120) * np.where(np.arange(120) < 60, 1.0, 3.0))
    paths = wild_bootstrap_paths(shift, 1, 5, 0)
    assert paths.shape == (5, 120) and np.all(paths[:, 0] == shift[0])
    mc = critical_values(120, reps=400, seed=5)
    wild_flat = critical_values(120, reps=400, seed=5, method="wild", y=flat)
    wild_shift = critical_values(120, reps=400, seed=5, method="wild", y=shift)
    assert wild_flat.data_hash and not mc.data_hash
    # homoskedastic data: close to the Monte Carlo values
    assert np.all(np.abs(wild_flat.gsadf[:2] - mc.gsadf[:2]) < 0.6)
    # a volatility upshift inflates sup-ADF statistics; the wild bootstrap follows it
    assert wild_shift.gsadf[1] > mc.gsadf[1] + 0.5
    with pytest.raises(UsageError):
        critical_values(120, reps=50, method="wild")
    with pytest.raises(UsageError):
        critical_values(121, reps=50, method="wild", y=flat)


def _psy_ic_reference(y, kmax, pen_kind):
    # PSY's code (psymonitor ADF_FL / ADFres): for each lag k, OLS on its own rows,
    # npdf = sum(-1/2 log(2 pi) - 1/2 eps^2), IC = -2 npdf/dof + p pen/dof,
    # dof = (rows of the window) - 2 kmax - 2, pen = 2 (AIC) or log(dof) (BIC)
    dy = np.diff(y)
    T1 = dy.size
    dof = T1 - 2 * kmax - 2
    crit = []
    for k in range(kmax + 1):
        rows = np.arange(k, T1)
        X = np.column_stack([np.ones(rows.size), y[rows]] + [dy[rows - j] for j in range(1, k + 1)])
        beta, *_ = np.linalg.lstsq(X, dy[rows], rcond=None)
        eps = dy[rows] - X @ beta
        npdf = np.sum(-0.5 * np.log(2 * np.pi) - 0.5 * eps**2)
        pen = 2.0 if pen_kind == "aic" else np.log(dof)
        crit.append(-2 * npdf / dof + X.shape[1] * pen / dof)
    return int(np.argmin(crit))


def test_lag_selection_criteria_and_bootstrap_order():
    from dollarliq.bubbles.critical_values import select_lag

    rng = np.random.default_rng(12345)
    e = rng.standard_normal(400)
    d = np.zeros(400)
    for t in range(2, 400):  # AR(2) differences: BIC should see two lags
        d[t] = 0.5 * d[t - 1] - 0.3 * d[t - 2] + e[t]
    y = np.cumsum(d)
    assert select_lag(y, 4, "bic") == 2
    for scale in (1e-3, 1.0, 1e3):
        for kind in ("aic", "bic"):
            assert select_lag(y * scale, 4, f"{kind}-psy") == _psy_ic_reference(y * scale, 4, kind)
    # PSY's criterion depends on the scale of y, the textbook one does not
    assert select_lag(y * 1e-3, 4, "bic-psy") == 0
    assert select_lag(y * 1e-3, 4, "bic") == 2
    # wild bootstrap with ic: the bootstrap regression uses the lag chosen on the data
    cv = critical_values(400, lag=4, ic="bic", reps=20, seed=5, method="wild", y=y)
    assert cv.boot_lag == 2
    same = critical_values(400, lag=4, ic="bic", reps=20, seed=5, method="wild", y=y)
    assert_array_equal(cv.gsadf, same.gsadf)
    assert CriticalValues.from_bytes(cv.to_bytes()).boot_lag == 2
    assert "boot=selected" in cache_key(400, lag=4, ic="bic", method="wild")
