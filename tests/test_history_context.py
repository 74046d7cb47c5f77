"""Today against history, on the embedded snapshot (real data), checked against the 2003
replay of ``dl.stages`` computed on its own."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import dollarliq as dl
from dollarliq.api.history_context import ANALOGUE_GAP_BD, FOLLOW_BD
from dollarliq.cli import app

DAY = "2026-10-08"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    ctx = dl.history_context(DAY, home=home)
    replay = dl.stages("2003-01-02", DAY, home=home)
    return ctx, replay


def test_score_percentile_is_against_every_day_since_2003(both):
    ctx, replay = both
    score = next(r for r in ctx["readings"] if r["id"] == "score")
    today = replay["score"].iloc[-1]
    assert score["compared_from"] == "2003-01-02"
    assert score["compared_days"] == replay["score"].notna().sum()
    assert score["percentile"] == round(100.0 * (replay["score"] <= today).mean(), 1)
    assert score["crosses_regime"] is True


def test_regime_measures_compare_within_their_regime_and_others_are_not_listed(both):
    ctx, replay = both
    ids = {r["id"]: r for r in ctx["readings"]}
    assert ctx["regime"] == "floor_sofr"
    assert "ted_bp" not in ids and "dff_target_abs_med5d_bp" not in ids  # not applicable today
    sofr = ids["sofr_iorb_persistent_bp"]
    assert sofr["regimes"] == ["floor_sofr"] and sofr["crosses_regime"] is False
    assert sofr["compared_from"] >= "2018-04-02"


def test_analogues_are_apart_and_what_followed_matches_the_replay(both):
    ctx, replay = both
    assert len(ctx["analogues"]) == 3
    pos = [replay.index.get_loc(pd.Timestamp(a["date"])) for a in ctx["analogues"]]
    assert all(p <= len(replay) - 1 - FOLLOW_BD for p in pos)
    assert all(abs(a - b) >= ANALOGUE_GAP_BD for i, a in enumerate(pos) for b in pos[i + 1:])
    for a, p in zip(ctx["analogues"], pos):
        after = replay.iloc[p + 1:p + 1 + FOLLOW_BD]
        assert a["followed"]["max_stage"] == after.loc[after["level"].idxmax(), "name"]
        assert a["followed"]["max_score"] == round(after["score"].max(), 1)
        assert a["stage"] == replay["name"].iloc[p]
    assert "not a forecast" in ctx["note"]
    json.dumps(ctx, allow_nan=False)  # strict JSON


def test_report_history_option(tmp_path, monkeypatch):
    monkeypatch.setenv("DOLLARLIQ_HOME", str(tmp_path / "home"))
    res = CliRunner().invoke(app, ["report", "--as-of", DAY, "--history"])
    assert res.exit_code == 0, res.output
    assert "Today against history" in res.output and "not a forecast" in res.output
