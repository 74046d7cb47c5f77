"""The 2003-2026 scorecard: arithmetic on known series, the in-sample-only cut, the real replay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dollarliq.track.episodes import Episode
from dollarliq.track.history import (ROLLING, HistoryParams, OUT_OF_SAMPLE, episode_bootstrap,
                                     find, history_scorecard)

T = pd.Timestamp
P = HistoryParams(grey_bd=2, near_bd=3, alarm_bd=5, n_boot=400)


def _table(n: int, start: str = "2013-06-03") -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=n)
    return pd.DataFrame({"level": 0, "score": 0.0, "regime": "floor_ioer"}, index=idx)


def _ep(eid: str, s, e, kind: str = "funding") -> Episode:
    return Episode(eid, eid, kind, "major", s, e, "test source")


def test_auc_weights_episodes_equally_and_delay_spells_precision_are_counted():
    # 400 business days from 2014-03-03 (in and out of sample). Episode A (in sample, 5 days)
    # has the highest scores: AUC 1. Episode B (out of sample, 20 days) scores 0 like the
    # calm days: AUC 0.5 (ties half). Day-weighted, B would dominate; episode-weighted the
    # mean over the two is 0.75.
    t = _table(400, "2014-03-03")
    d = t.index
    a0, b0 = 50, 300
    t.iloc[a0:a0 + 5, t.columns.get_loc("score")] = 90.0
    # drained spells: 48..52 (A starts at 50: delay -2), 150..151 (nothing near: false
    # alarm), 304..305 (B: delay +4), 380..380 (a market episode at 382: not a false alarm,
    # but not a funding spell either)
    lv = t.columns.get_loc("level")
    for a, b in ((48, 52), (150, 151), (304, 305), (380, 380)):
        t.iloc[a:b + 1, lv] = 2
    eps = (_ep("A", d[a0], d[a0 + 4]), _ep("B", d[b0], d[b0 + 19]),
           _ep("M", d[382], d[383], "market"))
    h = history_scorecard(t, pd.DataFrame(index=d), eps, params=P)
    score_all = find(h.rows, "stress score", "regime floor_ioer")
    assert score_all.episodes == ("A", "B")
    assert score_all.auc_by_episode == pytest.approx((1.0, 0.5))
    assert score_all.auc == pytest.approx(0.75)
    st = find(h.rows, "stage, flag >= drained", "regime floor_ioer")
    assert st.delay_bd == (-2, 4)
    assert st.spells == 4 and st.false_alarm_spells == 1
    assert st.precision == pytest.approx(2 / 4)  # the market-episode spell is no funding hit
    assert st.years == pytest.approx(400 / 261)
    mk = find(h.rows, "stage, flag >= drained", "regime floor_ioer", "market")
    assert mk.precision == pytest.approx(1 / 4) and mk.delay_bd == (-2,)
    # the spans split at 2015-01-01: A in sample, B out of sample
    assert find(h.rows, "stress score", OUT_OF_SAMPLE[0]).episodes == ("B",)
    # each year judged in turn: 2014 holds A (2014-03-03 + 50 business days is 2014-05-12)
    assert find(h.rows, "stage, flag >= drained", "year 2014").episodes == ("A",)
    assert find(h.rows, "stage, flag >= drained", "year 2015").episodes == ("B",)


def test_a_cut_is_fitted_in_sample_only():
    t = _table(900, "2012-01-02")  # to 2015-06
    d = t.index
    x = np.zeros(900)
    x[100:110] = 50.0
    daily = pd.DataFrame({"vix_idx": x}, index=d)
    eps = (_ep("A", d[100], d[109]),)
    h1 = history_scorecard(t, daily, eps, params=P)
    late = x.copy()
    late[d >= T("2015-01-01")] = 99.0  # out of sample only
    h2 = history_scorecard(t, pd.DataFrame({"vix_idx": late}, index=d), eps, params=P)
    c1, c2 = (find(h.rows, "VIX", "regime floor_ioer").cut for h in (h1, h2))
    assert c1 == c2 == pytest.approx(50.0)
    # and the later values are flagged with that cut: one long spell, a false alarm
    assert find(h2.rows, "VIX", OUT_OF_SAMPLE[0]).false_alarm_spells == 1
    assert find(h1.rows, "VIX", OUT_OF_SAMPLE[0]).false_alarm_spells == 0


def test_the_rolling_cut_is_fitted_on_earlier_years_only():
    t = _table(900, "2012-01-02")  # to 2015-06
    d = t.index
    x = np.zeros(900)
    x[100:110] = 50.0
    t["score"] = x
    eps = (_ep("A", d[100], d[109]),)
    h1 = history_scorecard(t, pd.DataFrame(index=d), eps, params=P)
    y = x.copy()
    y[(d >= T("2014-01-01")) & (d < T("2014-01-10"))] = 70.0  # a later false alarm
    t["score"] = y
    h2 = history_scorecard(t, pd.DataFrame(index=d), eps, params=P)
    assert find(h1.rows, ROLLING, "year 2012") is None  # no funding day before 2012
    assert find(h1.rows, ROLLING, "year 2014").cut == find(h2.rows, ROLLING, "year 2014").cut
    assert find(h2.rows, ROLLING, "year 2014").false_alarm_spells == 1
    assert find(h1.rows, ROLLING, "year 2014").false_alarm_spells == 0


def test_the_episode_bootstrap_resamples_episodes():
    assert episode_bootstrap(np.array([0.7, 0.7, 0.7]), 200, 1) == pytest.approx((0.7, 0.7))
    lo, hi = episode_bootstrap(np.array([0.5, 1.0, 1.0, 1.0]), 2000, 1)
    assert 0.5 <= lo < 0.875 < hi <= 1.0
    assert episode_bootstrap(np.array([0.9]), 200, 1) is None  # one episode: no interval


def test_the_real_replay_2003_2026(full_history):
    h = full_history
    assert h.start == T("2003-01-02")
    ins = find(h.rows, "stress score", "in sample 2003-01..2014-12")
    assert ins.episodes == ("abcp_aug_2007", "year_end_2007", "bear_stearns_2008",
                            "lehman_2008", "euro_may_2010", "euro_dollar_2011")
    oos = find(h.rows, "stress score", OUT_OF_SAMPLE[0])
    assert oos.episodes == ("repo_sep_2019", "dash_for_cash_2020", "bank_failures_2023",
                            "month_end_oct_2025")
    # the funding and market scorecards have every baseline, each with its 5-day max
    names = {r.signal for r in h.rows if r.span == OUT_OF_SAMPLE[0]}
    for b in ("STLFSI4 (revised)", "OFR FSI", "VIX", "TED spread", "CP - T-bill",
              "price of money (regime's measure)"):
        assert {b, f"{b}, 5-day max"} <= names
    assert {r.span for r in h.rows} >= {"regime corridor", "regime floor_ioer",
                                        "regime floor_sofr", "year 2008", "year 2026"}
    assert len(h.goals) == 4


@pytest.fixture(scope="module")
def full_history():
    from dollarliq.api._core import _engine, _read, open_store, resolve_as_of
    from dollarliq.api._core import _engine_ids
    from dollarliq.track.episodes import load_episodes
    from dollarliq.track.scoring import OFR_IDS, history_for

    with open_store(None, None) as st:
        rows = _read(st, [*_engine_ids(), *OFR_IDS])
    d = resolve_as_of(rows, None)
    res = _engine(rows, d, None, history=True)
    return history_for(res, rows.first_release(list(OFR_IDS), as_of=d), load_episodes())


def test_the_lehman_delay_is_the_replay_read_back(full_history):
    from dollarliq.api import stages

    t = stages("2003-01-02", "2009-12-31")
    idx = t.index
    s = int(idx.searchsorted(T("2008-09-15")))
    flagged = np.flatnonzero((t["level"] >= 2).to_numpy()[s - 10:])  # 10 days before, at most
    st = find(full_history.rows, "stage, flag >= drained", "in sample 2003-01..2014-12")
    got = dict(zip(st.episodes, st.delay_bd))["lehman_2008"]
    assert got == int(flagged[0]) - 10


def test_the_goals_read_the_replay():
    # crisis only in 2008-10 and once in 2017-12 (held), drained around the Lehman window,
    # 2013 ample, 2017 tight on most days
    t = _table(4000, "2003-01-02")  # to 2018-04
    d = t.index
    t["held"] = False
    lv = t.columns.get_loc("level")
    leh = (d >= "2008-09-15") & (d <= "2008-10-31")
    t.iloc[np.flatnonzero(leh), lv] = 2
    t.iloc[np.flatnonzero((d >= "2008-10-01") & (d <= "2008-10-03")), lv] = 3
    odd = int(d.searchsorted(T("2017-12-01")))
    t.iloc[odd, lv] = 3
    t.iloc[odd, t.columns.get_loc("held")] = True
    t.iloc[np.flatnonzero(d.year == 2017)[:200], lv] = 1
    g = {name[:12]: (text, ok) for name, text, ok in
         history_scorecard(t, pd.DataFrame(index=d), (), params=P).goals}
    assert g["Crisis appea"] == ("4 crisis days, 1 outside those months (in 2017-12; 1 of "
                                 "them held by the hysteresis after the raw stage had fallen)",
                                 False)
    text, ok = g["2008-09-15.."]
    assert not ok and "Lehman window 100% drained or crisis" in text and "2017 23%" in text
