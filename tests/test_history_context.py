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
    # dl.stages publishes the score to 0.1 point; the use case ranks the unrounded score, so
    # days within 0.05 point of today's may fall either side: the percentile lies between
    # the share of days surely below today and the share not surely above it.
    lo = 100.0 * (replay["score"] < today - 0.05).sum() / replay["score"].notna().sum()
    hi = 100.0 * (replay["score"] <= today + 0.05).sum() / replay["score"].notna().sum()
    assert round(lo, 1) <= score["percentile"] <= round(hi, 1)
    assert hi - lo < 2.0  # the band is narrow enough to tell a wrong ranking
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


def _strict(text: str):
    """A strict JSON parser: NaN and Infinity are errors, not numbers."""
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def report_json(tmp_path_factory):
    home = tmp_path_factory.mktemp("home_json")
    res = CliRunner().invoke(app, ["report", "--as-of", DAY, "--format", "json", "--lang", "zh"],
                             env={"DOLLARLIQ_HOME": str(home)})
    assert res.exit_code == 0, res.output
    return _strict(res.stdout)


def test_report_json_carries_the_history_valid_and_strict(report_json, both):
    import jsonschema
    from importlib.resources import files

    schema = json.loads(files("dollarliq").joinpath("data/report.schema.json").read_text())
    jsonschema.validate(report_json, schema)
    ctx, replay = both
    hist = report_json["history"]
    assert hist["as_of"] == DAY and hist["note"].startswith("这是历史,不是预测")
    # The same section as the use case (the note aside, which is in the report's language).
    assert {k: v for k, v in hist.items() if k != "note"} == \
        {k: v for k, v in ctx.items() if k != "note"}
    # ...and against the independent replay of ``dl.stages``.
    score = next(r for r in hist["readings"] if r["id"] == "score")
    assert abs(score["value"] - replay["score"].iloc[-1]) <= 0.05  # stages rounds to 0.1
    assert [a["stage"] for a in hist["analogues"]] == \
        [replay.loc[pd.Timestamp(a["date"]), "name"] for a in hist["analogues"]]


def test_the_schema_refuses_a_history_without_its_note(report_json):
    import jsonschema
    from importlib.resources import files

    schema = json.loads(files("dollarliq").joinpath("data/report.schema.json").read_text())
    bad = {**report_json, "history": {k: v for k, v in report_json["history"].items()
                                      if k != "note"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_report_text_shows_the_short_form_by_default(tmp_path, both):
    ctx, _ = both
    res = CliRunner().invoke(app, ["report", "--as-of", DAY],
                             env={"DOLLARLIQ_HOME": str(tmp_path / "home"), "COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert "Against 2003-2026: Stress score percentile" in res.output
    score = next(r for r in ctx["readings"] if r["id"] == "score")
    assert f"Stress score percentile {score['percentile']:.0f}" in res.output
    for a in ctx["analogues"]:
        assert a["date"] in res.output
    assert "not a forecast" in res.output
    assert "Today against history" not in res.output  # the full form is --history's


def test_dashboard_has_the_history_and_the_timeline_since_2003_with_episodes(tmp_path, both):
    import re

    from dollarliq.backtest import load_episodes

    ctx, replay = both
    page, rep = dl.dashboard(DAY, home=tmp_path / "home")
    assert rep.history is not None
    sec = re.search(r'<section class="wide" id="timeline">.*?<div class="chart" id="([^"]+)"',
                    page)
    assert sec, "no timeline section"
    m = re.search(r"var f=(\{.*?\});Plotly\.newPlot\(" + re.escape(json.dumps(sec.group(1))),
                  page)
    fig = _strict(m.group(1))
    stage = next(tr for tr in fig["data"] if tr.get("yaxis") == "y2")
    assert stage["x"][0] == "2003-01-02" and stage["x"][-1] == DAY
    assert stage["y"] == replay["level"].astype(float).tolist()  # the independent replay
    bands = {s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "rect"}
    eps = [e for e in load_episodes() if e.start <= pd.Timestamp(DAY)]
    assert any(e.start.year < 2009 for e in eps)
    assert bands == {f"{e.start:%Y-%m-%d}" for e in eps}
    hist = page[page.index('id="history"'):]
    assert "not a forecast" in hist
    for a in ctx["analogues"]:
        assert a["date"] in hist
