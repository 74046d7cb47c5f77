"""The out-of-sample scorecard: AUC, cuts, catches and intervals on hand-checked inputs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dollarliq.track.episodes import Episode
from dollarliq.track.oos import (Signal, _auc_rows, auc, best_cut, boot_ci, catches,
                                 day_labels, scorecard, tight_to_drained)

T = pd.Timestamp


def ep(id_, kind, start, end):
    return Episode(id_, id_, kind, "major", T(start), T(end), "test")


def test_auc_on_hand_checked_ranks():
    assert auc(np.array([1.0, 2, 3, 4]), np.array([0.0, 0, 1, 1])) == 1.0
    assert auc(np.array([4.0, 3, 2, 1]), np.array([0.0, 0, 1, 1])) == 0.0
    # one tie between a positive and a negative counts half: (1 + 0.5) / 2
    assert auc(np.array([1.0, 2, 2]), np.array([0.0, 1, 0])) == pytest.approx(0.75)
    assert np.isnan(auc(np.array([1.0, 2]), np.array([0.0, 0])))


def test_labels_leave_a_grey_zone_around_each_window():
    idx = pd.bdate_range("2020-03-02", periods=30)
    lab = day_labels(idx, (ep("a", "funding", "2020-03-16", "2020-03-17"),
                           ep("m", "market", "2020-03-02", "2020-03-03")), "funding", 2)
    assert lab["2020-03-16"] == 1 and lab["2020-03-17"] == 1
    assert np.isnan(lab["2020-03-12"]) and np.isnan(lab["2020-03-19"])
    assert lab["2020-03-11"] == 0 and lab["2020-03-02"] == 0  # a market day is a funding negative


def test_a_catch_needs_a_flag_within_five_days_of_the_start_and_counts_the_lead():
    idx = pd.bdate_range("2023-02-20", periods=40)
    e = (ep("b", "funding", "2023-03-10", "2023-03-31"),)
    late = pd.Series(idx >= T("2023-03-20"), index=idx)  # 6 business days after the start
    on_time = pd.Series(idx >= T("2023-03-16"), index=idx)  # 4 business days after
    early = pd.Series((idx >= T("2023-03-06")) & (idx <= T("2023-03-08")), index=idx)
    assert catches(late, e, "funding", 10, 5)[0].caught is False
    c = catches(on_time, e, "funding", 10, 5)[0]
    assert c.caught and c.lead_bd == 4
    assert catches(early, e, "funding", 10, 5)[0].lead_bd == -4


def test_best_cut_separates_a_clean_signal():
    x = np.array([0.0, 1, 2, 3, 10, 11, 12, 1, 2])
    y = np.array([0.0, 0, 0, 0, 1, 1, 1, 0, 0])
    c = best_cut(x, y)
    assert 3 < c <= 10


def test_block_bootstrap_interval_covers_the_estimate_and_is_seeded():
    rng = np.random.default_rng(12345)
    x = rng.normal(size=400)
    y = (rng.random(400) < 0.2).astype(float)
    x = x + 2 * y
    a = auc(x, y)
    ci1 = boot_ci(_auc_rows, (x, y), 20, 300, 7)
    ci2 = boot_ci(_auc_rows, (x, y), 20, 300, 7)
    assert ci1 == ci2 and ci1[0] < a < ci1[1]
    # the row-wise AUC is the scalar one, row by row
    xs, ys = np.vstack([x, x[::-1]]), np.vstack([y, y])
    assert _auc_rows(xs, ys) == pytest.approx([auc(x, y), auc(x[::-1], y)])


def test_tight_to_drained_counts_entries_from_ample():
    lv = pd.Series([0, 1, 1, 2, 0, 0, 1, 0, 0, 0])
    assert tight_to_drained(lv, horizon_bd=3) == (2, 1)


def test_fitted_cuts_come_from_the_fitting_span_only():
    idx = pd.bdate_range("2018-04-02", "2024-12-31")
    eps = (ep("in", "funding", "2019-09-16", "2019-09-20"),
           ep("out", "funding", "2023-03-10", "2023-03-31"))
    x = pd.Series(0.0, index=idx)
    x["2019-09-16":"2019-09-20"] = 5.0
    x["2023-03-10":"2023-03-31"] = 50.0  # a much larger out-of-sample value
    x2 = x.copy()
    x2["2023-03-10":"2023-03-31"] = 500.0
    a = scorecard([Signal("x", x)], eps)
    b = scorecard([Signal("x", x2)], eps)
    assert a.rows[0].cut == b.rows[0].cut  # moving the evaluation span never moves the cut
    oos = a.rows[1]
    assert oos.span.startswith("out of sample") and oos.auc == 1.0 and oos.caught == 1


def test_no_import_circle_between_backtest_and_its_renderers():
    code = ("import sys; import dollarliq.reports.track_record; "
            "assert 'dollarliq.backtest' not in sys.modules, 'renderers import the facade'")
    subprocess.run([sys.executable, "-c", code], check=True)
