import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from dollarliq.bubbles import kernels
from dollarliq.bubbles.gsadf import (
    Episode,
    episodes,
    gsadf,
    min_duration,
    min_window,
)
from dollarliq.errors import NotEnoughData
from reference import bsadf_reference

RTOL = 1e-8  # fast kernels vs one lstsq per window


@pytest.fixture
def walk() -> np.ndarray:
    rng = np.random.default_rng(12345)
    return np.cumsum(rng.standard_normal(90))


def test_min_window_default():
    assert min_window(100) == 19
    assert min_window(1680) == int(np.floor((0.01 + 1.8 / np.sqrt(1680)) * 1680))


def test_lag0_kernel_matches_reference(walk):
    w0 = 14
    ref_b, ref_f = bsadf_reference(walk, w0)
    for fn in (kernels.bsadf_lag0, kernels.bsadf_lag0_python):
        b, f = fn(walk, w0)
        assert_allclose(b, ref_b, rtol=RTOL, atol=1e-10)
        assert_allclose(f, ref_f, rtol=RTOL, atol=1e-10)


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_fixed_lag_kernel_matches_reference(walk, k):
    w0 = 2 * k + 10
    ref_b, ref_f = bsadf_reference(walk, w0, k)
    for fn in (kernels.bsadf_fixed, kernels.bsadf_fixed_python):
        b, f = fn(walk, w0, k)
        assert_allclose(b, ref_b, rtol=RTOL, atol=1e-10)
        assert_allclose(f, ref_f, rtol=RTOL, atol=1e-10)
    b, f, lags = kernels.bsadf_lagk(walk, w0, k, kernels.IC_FIXED)
    assert_allclose(b, ref_b, rtol=RTOL, atol=1e-10)
    assert (lags == k).all()


@pytest.mark.parametrize("ic,code", [("aic", kernels.IC_AIC), ("bic", kernels.IC_BIC)])
def test_ic_kernel_matches_reference(walk, ic, code):
    y = walk[:60]
    w0, kmax = 12, 3
    ref_b, ref_f = bsadf_reference(y, w0, kmax, ic)
    for fn in (kernels.bsadf_lagk, kernels.bsadf_lagk_python):
        b, f, _ = fn(y, w0, kmax, code)
        assert_allclose(b, ref_b, rtol=RTOL, atol=1e-10)
        assert_allclose(f, ref_f, rtol=RTOL, atol=1e-10)


def test_sweep_many_python_equals_jit():
    rng = np.random.default_rng(12345)
    Y = np.cumsum(rng.standard_normal((6, 50)), axis=1)
    for k, ic in ((0, 0), (1, 0), (2, kernels.IC_BIC)):
        a = kernels.sweep_many(Y, 12, k, ic)
        b = kernels.sweep_many_python(Y, 12, k, ic)
        for x, z in zip(a, b):
            assert_allclose(x, z, rtol=1e-12)


def test_shift_and_scale_invariance(walk):
    r1 = gsadf(walk)
    r2 = gsadf(3.0 * walk + 100.0)
    assert_allclose(r2.bsadf.to_numpy(), r1.bsadf.to_numpy(), rtol=1e-9)


def test_gsadf_api_consistent(walk):
    s = pd.Series(walk, index=pd.date_range("2000-01-31", periods=walk.size, freq="ME"))
    res = gsadf(s, lag=1)
    assert res.bsadf.index[0] == s.index[res.min_window - 1]
    assert res.bsadf.index[-1] == s.index[-1]
    assert res.stat == pytest.approx(res.bsadf.max())
    assert res.sadf == pytest.approx(res.adf_forward.max())
    assert res.stat >= res.sadf - 1e-12  # GSADF searches a superset of windows
    assert "GSADF" in res.summary()


def test_explosive_segment_is_detected():
    rng = np.random.default_rng(12345)
    e = rng.standard_normal(200)
    y = np.full(200, 20.0)
    for t in range(1, 200):
        rho = 1.06 if 120 <= t < 150 else 1.0
        y[t] = rho * y[t - 1] + e[t]
        if t == 150:
            y[t] = y[119] + e[t]  # collapse
    res = gsadf(y)
    # far above the ~2.0-2.5 range of 95% critical values at this T
    assert res.stat > 4.0
    eps = episodes(res.bsadf, 2.0, y=y, nobs=y.size)
    assert any(110 <= ep.start <= 140 and ep.end >= 140 for ep in eps)


def test_episodes_rules():
    b = pd.Series([0, 3, 3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3], dtype=float)
    eps = episodes(b, 2.0, nobs=100)  # min duration ceil(ln 100) = 5
    assert min_duration(100) == 5
    assert eps == [Episode(4, 4, 12, 8, False)]
    eps = episodes(b, 2.0, nobs=2, delta=1.0)  # min duration 1
    assert [e.start for e in eps] == [1, 4, 13]
    assert eps[-1].ongoing and eps[-1].end == 13


def test_not_enough_data():
    with pytest.raises(NotEnoughData):
        gsadf(np.arange(5.0))
    with pytest.raises(NotEnoughData):
        gsadf(np.cumsum(np.ones(30)), r0=0.1, lag=3)


def test_fallback_without_numba_warns(monkeypatch):
    from dollarliq.bubbles import _numba

    monkeypatch.setattr(_numba, "HAS_NUMBA", False)
    slow = _numba.jit(kernels.bsadf_lag0_python)
    rng = np.random.default_rng(12345)
    y = np.cumsum(rng.standard_normal(40))
    with pytest.warns(_numba.PerformanceWarning):
        b, f = slow(y, 10)
    assert_allclose(b, kernels.bsadf_lag0(y, 10)[0], rtol=1e-12)


def test_package_exports():
    import dollarliq.bubbles as B

    for name in B.__all__:
        assert hasattr(B, name)
