"""The runway of each defence line: level, distance to its threshold, pace, weeks left.

Arithmetic on the current pace, not a forecast: weeks to the threshold = distance / pace,
where pace is the change per week over the last 4 and 13 weeks, and only where the line
moves toward its threshold.

Lines (USD billions):

* ``on_rrp``: ON RRP take-up (``RRPONTSYD``); threshold 0 (empty).
* ``reserves``: reserve balances (``WRESBAL``); threshold: the reserves/bank-assets share
  (``WRESBAL`` / ``TLAACBW027SBOG``) below which SOFR - IORB turns positive, estimated by
  :func:`reserve_threshold` with a bootstrap interval on the latest scarce-reserve episode
  (:data:`EPISODES`), times the latest bank assets.
* ``srf``: Standing Repo Facility take-up (``RPONTTLD``, the Desk's repo operations, from
  the facility's first day ``indicators.SRF_START``); threshold: its $500bn aggregate limit.
* ``discount_window``: primary credit (``WLCFLPCL``); no threshold (its use is shown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SRF_LIMIT_BN = 500.0
#: The scarce-reserve episodes the threshold is fitted on, each on its own: 2018 to the
#: March 2020 purchases (SOFR above IOER from 2018, the September 2019 spike), and from
#: 2022 (the runoff; SOFR above IORB from September 2025). The runway uses the latest
#: episode that has a fit on the as-of date.
EPISODES: tuple[tuple[str, str | None], ...] = (("2018-01-01", "2020-03-13"),
                                                ("2022-01-01", None))
#: A pace below this (USD billions a week) is no movement: no weeks left are computed.
MIN_PACE_BN = 0.01
WEEKS = (4, 13)
BOOT = 400
SEED = 20190917


def _at(s: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    s = s.dropna()
    s = s[s.index <= day]
    return (s.index[-1], float(s.iloc[-1])) if len(s) else None


def pace(s: pd.Series, weeks: int) -> float | None:
    """Change per week over the last ``weeks`` weeks (latest value less the value on or
    before the date ``weeks`` weeks earlier, divided by ``weeks``)."""
    now = _at(s, s.dropna().index.max()) if len(s.dropna()) else None
    if now is None:
        return None
    then = _at(s, now[0] - pd.Timedelta(weeks=weeks))
    if then is None:
        return None
    return (now[1] - then[1]) / weeks


def line(name: str, s: pd.Series | None, threshold: float | None, *, falling: bool,
         threshold_lo: float | None = None, threshold_hi: float | None = None,
         source: str = "") -> dict:
    """One defence line. ``falling``: the line runs out by falling to its threshold (ON
    RRP, reserves); otherwise by rising to it (backstop use)."""
    out = {"line": name, "series": source, "level_bn": None, "date": None,
           "threshold_bn": threshold, "threshold_lo_bn": threshold_lo,
           "threshold_hi_bn": threshold_hi, "distance_bn": None}
    for w in WEEKS:
        out[f"pace_{w}w_bn"] = None
        out[f"weeks_left_{w}w"] = None
    if s is None or s.dropna().empty:
        return out
    d, level = _at(s, s.dropna().index.max())
    out["level_bn"], out["date"] = level, d
    if threshold is not None:
        out["distance_bn"] = (level - threshold) if falling else (threshold - level)
    for w in WEEKS:
        p = pace(s, w)
        out[f"pace_{w}w_bn"] = p
        dist = out["distance_bn"]
        if p is None or dist is None:
            continue
        toward = -p if falling else p
        if dist <= 0:
            out[f"weeks_left_{w}w"] = 0.0
        elif toward >= MIN_PACE_BN:
            out[f"weeks_left_{w}w"] = dist / toward
    return out


def weekly_spread(sofr: pd.Series, policy: pd.Series) -> pd.Series:
    """Weekly (ending Wednesday) median of SOFR - IORB, bp."""
    both = pd.concat([sofr.rename("r"), policy.rename("p")], axis=1, sort=True)
    both["p"] = both["p"].ffill()
    sp = ((both["r"] - both["p"]) * 100).dropna()
    return sp.resample("W-WED").median().dropna()


def _logit(x: np.ndarray, y: np.ndarray, iters: int = 60) -> np.ndarray:
    """Logistic regressions y ~ a + b x by Newton steps, one per row of ``x`` and ``y``
    (shape (draws, n)); (draws, 2) coefficients, NaN where a fit does not converge or does
    not slope down."""
    x = np.atleast_2d(np.asarray(x, float))
    y = np.atleast_2d(np.asarray(y, float))
    beta = np.zeros((x.shape[0], 2))
    done = np.zeros(x.shape[0], bool)
    for _ in range(iters):
        z = np.clip(beta[:, :1] + beta[:, 1:] * x, -30, 30)
        p = 1 / (1 + np.exp(-z))
        w = p * (1 - p) + 1e-9
        g = np.stack([(y - p).sum(1), ((y - p) * x).sum(1)], axis=1)
        h = np.empty((x.shape[0], 2, 2))
        h[:, 0, 0] = w.sum(1) + 1e-6
        h[:, 0, 1] = h[:, 1, 0] = (w * x).sum(1)
        h[:, 1, 1] = (w * x * x).sum(1) + 1e-6
        step = np.linalg.solve(h, g[..., None])[..., 0]
        step[done] = 0.0
        beta += step
        done |= np.max(np.abs(step), axis=1) < 1e-8
        if done.all():
            break
    bad = ~done | ~np.all(np.isfinite(beta), axis=1) | (beta[:, 1] >= 0)
    beta[bad] = np.nan
    return beta


def reserve_threshold(reserves: pd.Series, assets: pd.Series, sofr: pd.Series,
                      policy: pd.Series, *, seed: int = SEED) -> dict | None:
    """The reserves/bank-assets share (percent) below which SOFR - IORB turns positive.

    Weeks (ending Wednesday) with the share (reserves over the latest bank assets public on
    that Wednesday) and the weekly median spread; a logistic fit of P(spread > 0) on the
    share; the threshold is the share where that probability is one half, with a 95%
    bootstrap interval (weeks resampled, :data:`BOOT` draws). None when the sample has no
    weeks of both kinds or the fit does not slope down.

    Returns
    -------
    dict or None
        share_pct, lo_pct, hi_pct, weeks, positive_weeks, first, last (sample dates).
    """
    sp = weekly_spread(sofr, policy)
    r = reserves.dropna()
    a = assets.dropna().reindex(r.index, method="ffill")
    share = (r / a * 100).dropna()
    df = pd.concat([share.rename("share"), sp.rename("spread")], axis=1, join="inner").dropna()
    if len(df) < 20:
        return None
    y = (df["spread"] > 0).to_numpy(float)
    x = df["share"].to_numpy(float)
    if y.sum() < 3 or (1 - y).sum() < 3:
        return None
    fit = _logit(x, y)[0]
    if np.isnan(fit).any():
        return None
    est = -fit[0] / fit[1]
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(x), (BOOT, len(x)))
    fits = _logit(x[i], y[i])
    draws = (-fits[:, 0] / fits[:, 1])[~np.isnan(fits).any(axis=1)]
    lo, hi = (np.percentile(draws, [2.5, 97.5]) if len(draws) >= BOOT // 2
              else (np.nan, np.nan))
    return {"share_pct": float(est), "lo_pct": float(lo), "hi_pct": float(hi),
            "weeks": int(len(df)), "positive_weeks": int(y.sum()),
            "first": df.index[0], "last": df.index[-1]}


def thresholds_by_episode(reserves: pd.Series, assets: pd.Series, sofr: pd.Series,
                          policy: pd.Series) -> list[dict]:
    """:func:`reserve_threshold` on each of :data:`EPISODES` (those with a fit), each with
    its ``episode_start`` and ``episode_end`` (None: open)."""
    out = []
    for lo, hi in EPISODES:
        def cut(x: pd.Series) -> pd.Series:
            keep = x.index >= pd.Timestamp(lo)
            if hi is not None:
                keep &= x.index <= pd.Timestamp(hi)
            return x[keep]

        th = reserve_threshold(cut(reserves), assets, cut(sofr), policy)
        if th is not None:
            out.append({**th, "episode_start": pd.Timestamp(lo),
                        "episode_end": None if hi is None else pd.Timestamp(hi)})
    return out


def runway(series: dict[str, pd.Series], policy: pd.Series) -> dict:
    """Every line from the series public on the as-of date (USD billions; rates pct).

    ``series`` holds RRPONTSYD, WRESBAL, TLAACBW027SBOG, SOFR, RPONTTLD (or RPONTSYD),
    WLCFLPCL where known. The reserves threshold is the latest episode's
    (:func:`thresholds_by_episode`); every episode's estimate is returned under
    ``reserve_episodes``.
    """
    get = series.get
    lines = [line("on_rrp", get("RRPONTSYD"), 0.0, falling=True, source="RRPONTSYD")]
    th, episodes = None, []
    res, assets, sofr = get("WRESBAL"), get("TLAACBW027SBOG"), get("SOFR")
    if res is not None and assets is not None and sofr is not None and not policy.empty:
        episodes = thresholds_by_episode(res, assets, sofr, policy)
        th = episodes[-1] if episodes else None
    level = lo = hi = None
    if th is not None and assets is not None and len(assets.dropna()):
        bank = float(assets.dropna().iloc[-1])
        level = th["share_pct"] / 100 * bank
        lo = th["lo_pct"] / 100 * bank if np.isfinite(th["lo_pct"]) else None
        hi = th["hi_pct"] / 100 * bank if np.isfinite(th["hi_pct"]) else None
    lines.append(line("reserves", res, level, falling=True, threshold_lo=lo,
                      threshold_hi=hi, source="WRESBAL"))
    from dollarliq.indicators import SRF_START

    srf_id = "RPONTTLD" if get("RPONTTLD") is not None else "RPONTSYD"
    srf = get(srf_id)
    if srf is not None:  # earlier operations were open-market operations, not the backstop
        srf = srf[srf.index >= SRF_START]
    lines.append(line("srf", srf, SRF_LIMIT_BN, falling=False, source=srf_id))
    lines.append(line("discount_window", get("WLCFLPCL"), None, falling=False,
                      source="WLCFLPCL"))
    return {"lines": lines, "reserve_threshold": th, "reserve_episodes": episodes}
