"""The track record: no look-ahead in the replay, numbers computed from the inputs, honest CIs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.backtest import (BacktestParams, Episode, evaluate, forward_max_drawdown,
                                forward_returns, independent_count, load_episodes, run_backtest,
                                stationary_bootstrap_ci, backtest_html_section)
from dollarliq.cli import app
from dollarliq.errors import UsageError
from dollarliq.store import Store

T = pd.Timestamp
ROOT = Path(__file__).resolve().parents[1]
FAST = BacktestParams(n_boot=200)


@pytest.fixture(scope="module")
def full():
    """The default backtest over the whole snapshot, once for the module."""
    with Store(None) as s:
        yield run_backtest(s)



# ----------------------------------------------------------------------------- no look-ahead

@pytest.mark.parametrize("day", ["2019-09-17", "2023-03-23", "2025-04-07"])
def test_the_replay_of_a_day_ignores_everything_released_later(full, day, truncated_store):
    d = T(day)
    with truncated_store(d) as s:
        cut = run_backtest(s, end=d, params=FAST)
    assert cut.table.index[-1] == d
    a, b = cut.table.loc[d], full.table.loc[d]
    assert (a["level"], a["raw_level"]) == (b["level"], b["raw_level"])
    assert a["score"] == pytest.approx(b["score"])
    # and every earlier day too: the whole truncated replay is the head of the full one
    head = full.table.loc[:d, ["level", "raw_level"]]
    pd.testing.assert_frame_equal(cut.table[["level", "raw_level"]], head)


def test_the_backtest_replay_is_the_engine_replay(full):
    from dollarliq.engine import run_engine

    with Store(None) as s:
        eng = run_engine(s, as_of=None)
    pd.testing.assert_frame_equal(full.table, eng.stages.table)


# ----------------------------------------------------------------------------- computed, not stored

def _synthetic(levels: list[int], start: str = "2024-01-01") -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=len(levels))
    return pd.DataFrame({"level": levels, "raw_level": levels,
                         "score": np.linspace(0, 50, len(levels))}, index=idx)


def _ep(eid: str, start: T, end: T, severity: str = "major") -> Episode:
    return Episode(eid, eid, "funding", severity, start, end, "test source")


def test_hit_rate_and_false_alarm_arithmetic_on_a_known_series():
    # 120 business days: drained spells at 10..14 (no episode near), 50..59 (episode A at
    # 52), and 100..101 (episode C at 90: within the 20-day alarm window, outside the 5-day
    # tolerance). Episode B at 75 sees only tight. A minor year-end at 30 sees ample.
    lv = [0] * 120
    for i in range(10, 15):
        lv[i] = 2
    for i in range(48, 50):
        lv[i] = 1
    for i in range(50, 60):
        lv[i] = 2
    lv[55] = 3
    for i in range(70, 80):
        lv[i] = 1
    for i in (100, 101):
        lv[i] = 2
    tab = _synthetic(lv)
    d = tab.index
    eps = (_ep("A", d[52], d[54]), _ep("B", d[75], d[76]), _ep("C", d[90], d[90]),
           _ep("Y", d[30], d[30], "minor"))
    res = evaluate(tab, eps, params=BacktestParams(tolerance_bd=5, alarm_window_bd=20))
    sc = {s.episode.id: s for s in res.episodes}
    assert sc["A"].max_level == 3 and sc["A"].first_drained == d[50]
    assert sc["A"].lead_lag_bd == -2 and sc["A"].first_tight == d[48]
    assert sc["A"].tight_lead_lag_bd == -4
    assert sc["B"].max_level == 1 and sc["B"].first_drained is None and not sc["B"].hit
    assert sc["B"].tight_lead_lag_bd == -5
    assert sc["C"].max_level == 0 and not sc["C"].hit  # spell at 100 is 10 days out
    assert sc["Y"].max_level == 0
    rt = res.rates
    assert (rt.major_in_range, rt.hits_drained, rt.hits_tight) == (3, 1, 2)
    assert rt.hit_rate == pytest.approx(1 / 3)
    assert [(s.start, s.end, s.days) for s in res.spells] == [
        (d[10], d[14], 5), (d[50], d[59], 10), (d[100], d[101], 2)]
    assert [s.near for s in res.spells] == [(), ("A", "B"), ("C",)]  # B at 75: 16 days on
    assert (rt.spells, rt.false_alarms, rt.false_alarm_days) == (3, 1, 5)
    assert rt.false_alarm_rate == pytest.approx(1 / 3)
    assert (rt.calendar_in_range, rt.calendar_drained) == (1, 0)


def test_a_spell_already_under_way_is_dated_from_its_start():
    tab = _synthetic([2] * 30 + [0] * 30)
    res = evaluate(tab, (_ep("late", tab.index[25], tab.index[26]),),
                   params=BacktestParams(tolerance_bd=3))
    s = res.episodes[0]
    assert s.first_drained == tab.index[0] and s.lead_lag_bd == -25 and s.drained_censored


def test_moving_an_episode_date_moves_its_lead_lag(full, tmp_path):
    base = {s.episode.id: s for s in full.episodes}["repo_sep_2019"]
    assert base.first_drained == T("2019-09-17")
    src = (ROOT / "src/dollarliq/data/episodes.csv").read_text(encoding="utf-8")
    moved = src.replace("repo_sep_2019,September 2019 repo rate spike,funding,major,"
                        "2019-09-16,2019-09-20",
                        "repo_sep_2019,September 2019 repo rate spike,funding,major,"
                        "2019-09-10,2019-09-20")
    assert moved != src
    p = tmp_path / "episodes.csv"
    p.write_text(moved, encoding="utf-8")
    res = evaluate(full.table, load_episodes(p), params=FAST)
    got = {s.episode.id: s for s in res.episodes}["repo_sep_2019"]
    # 2019-09-10 is four business days before 2019-09-16: the same day, four days more lag
    assert got.first_drained == base.first_drained
    assert got.lead_lag_bd == base.lead_lag_bd + 4


def test_every_packaged_episode_has_a_source_and_a_missing_one_is_refused(tmp_path):
    eps = load_episodes()
    assert len(eps) >= 10 and all(e.source for e in eps)
    ids = {e.id for e in eps}
    assert {"repo_sep_2019", "dash_for_cash_2020", "bank_failures_2023",
            "month_end_oct_2025"} <= ids
    years = {e.start.year for e in eps if e.kind == "calendar"}
    assert set(range(2018, 2026)) <= years  # every year-end in the replay is listed
    p = tmp_path / "bad.csv"
    p.write_text("id,name,kind,severity,start,end,source,url\n"
                 "x,X,funding,major,2020-01-02,2020-01-03,,\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no source"):
        load_episodes(p)


def test_the_known_episodes_on_the_real_replay(full):
    sc = {s.episode.id: s for s in full.episodes}
    assert sc["dash_for_cash_2020"].max_level == 3
    assert sc["repo_sep_2019"].hit and sc["bank_failures_2023"].hit
    # Drained on 2025-10-31 by the standing repo rule, written after seeing that day.
    assert sc["month_end_oct_2025"].hit
    # every drained spell of the replay, recounted from the table: a false alarm is a spell
    # with no major episode within the alarm window (business days of the replay) either side
    idx = full.table.index
    w = full.params.alarm_window_bd
    lv = (full.table["level"] >= 2).to_numpy()
    runs, i = [], 0
    while i < len(lv):
        if lv[i]:
            j = i
            while j + 1 < len(lv) and lv[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    assert [(s.start, s.end) for s in full.spells] == [(idx[a], idx[b]) for a, b in runs]
    majors = [e.episode for e in full.episodes if e.episode.major
              and not (e.episode.end < idx[0] or e.episode.start > idx[-1])]
    false = 0
    for a, b in runs:
        near = False
        for ep in majors:
            s0 = int(idx.searchsorted(ep.start))
            e0 = max(int(idx.searchsorted(ep.end, side="right")) - 1, s0)
            near |= a <= e0 + w and b >= s0 - w
        false += not near
    assert full.rates.spells == len(runs) and full.rates.false_alarms == false


# ----------------------------------------------------------------------------- statistics

def test_forward_returns_and_drawdowns_on_a_known_path():
    px = pd.Series([100.0, 110.0, 99.0, 121.0, 120.0])
    np.testing.assert_allclose(forward_returns(px, 2)[:3], [-0.01, 0.1, 120 / 99 - 1])
    assert np.isnan(forward_returns(px, 2)[3:]).all()
    dd = forward_max_drawdown(px, 2)
    np.testing.assert_allclose(dd[:3], [99 / 110 - 1, 99 / 110 - 1, 120 / 121 - 1])
    assert np.isnan(dd[3:]).all()


def test_independent_windows_do_not_overlap():
    assert independent_count(np.arange(100), 21) == 5
    assert independent_count(np.array([0, 5, 30, 31, 60]), 21) == 3


def test_bootstrap_ci_covers_a_known_mean_with_the_textbook_width():
    rng = np.random.default_rng(7)
    x = rng.normal(0.3, 1.0, 2000)
    lo, hi = stationary_bootstrap_ci(x, 1.0, n_boot=2000, seed=1)
    assert lo < 0.3 < hi
    assert (hi - lo) == pytest.approx(2 * 1.96 / np.sqrt(2000), rel=0.15)
    assert stationary_bootstrap_ci(x, 1.0, n_boot=500, seed=1) == \
        stationary_bootstrap_ci(x, 1.0, n_boot=500, seed=1)


def test_block_bootstrap_widens_the_ci_for_overlapping_observations():
    # Overlapping 20-day sums of iid noise: the iid bootstrap understates the uncertainty.
    rng = np.random.default_rng(3)
    e = rng.normal(0, 1, 3020)
    x = np.convolve(e, np.ones(20), mode="valid")[:3000]
    lo1, hi1 = stationary_bootstrap_ci(x, 1.0, n_boot=1000, seed=2)
    lo20, hi20 = stationary_bootstrap_ci(x, 20.0, n_boot=1000, seed=2)
    true_se = np.sqrt(20 * 20 / 3000)  # long-run variance of a 20-day sum / n, roughly
    assert (hi20 - lo20) > 2.5 * (hi1 - lo1)
    assert (hi20 - lo20) == pytest.approx(2 * 1.96 * true_se, rel=0.35)


def test_event_study_flags_small_samples(full):
    crisis = [e for e in full.events if e.group == "3"]
    assert crisis and all(e.too_small for e in crisis)  # one spell in March 2020
    assert {e.asset for e in full.events} == {"SPY", "QQQ"}


def test_yardsticks_name_their_spans(full):
    ys = {y.id: y for y in full.yardsticks}
    assert ys["NFCI"].first >= T("2021-05-01")
    assert ys["STLFSI4"].first <= T("2018-04-13") and ys["ANFCI"].first <= T("2018-04-13")
    for y in ys.values():
        assert -1 <= y.pearson <= 1 and -1 <= y.spearman <= 1
        assert sum(y.agreement["drained"].values()) == y.weeks


# ----------------------------------------------------------------------------- outputs

def test_html_fragment_has_the_charts_but_not_the_library(full):
    frag = backtest_html_section(full)
    assert "Plotly.newPlot" in frag and "Track record" not in frag[:50]
    assert len(frag) < 2_000_000  # the Plotly bundle (several MB) is not inside
    assert "Sources" in frag and "bis.org" in frag


def test_cli_json_and_html(home, tmp_path):
    res = CliRunner().invoke(app, ["backtest", "--start", "2019-01-02", "--end", "2020-12-31",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["start"] == "2019-01-02" and doc["end"] == "2020-12-31"
    assert {"summary", "episodes", "spells", "yardsticks", "event_study", "notice"} <= set(doc)
    ids = {e["id"]: e for e in doc["episodes"]}
    assert ids["tariff_shock_2025"]["in_range"] is False
    out = tmp_path / "tr.html"
    res = CliRunner().invoke(app, ["backtest", "--end", "2019-12-31", "--format", "html",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Plotly.newPlot" in page
    assert len(page) > 1_000_000  # plotly.js inlined: no network needed


def test_cli_rejects_an_end_before_the_start(home):
    res = CliRunner().invoke(app, ["backtest", "--start", "2020-01-02", "--end", "2019-01-02"])
    assert res.exit_code == 2


def test_docs_track_record_is_the_generated_output(home, tmp_path):
    out = tmp_path / "track-record.md"
    res = CliRunner().invoke(app, ["backtest", "--format", "markdown", "--out", str(out)])
    assert res.exit_code == 0, res.output
    committed = (ROOT / "docs" / "track-record.md").read_text(encoding="utf-8")
    fresh = out.read_text(encoding="utf-8").replace(f"--out {out.as_posix()}",
                                                    "--out docs/track-record.md")
    assert fresh == committed, "docs/track-record.md is stale: regenerate it with the command"


def test_dashboard_carries_the_track_record_section(home, tmp_path):
    from typer.testing import CliRunner

    from dollarliq.cli import app

    out = tmp_path / "d.html"
    res = CliRunner().invoke(app, ["dashboard", "--as-of", "2025-11-03", "--track-record",
                                   "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "Track record" in page and "September 2019 repo rate spike" in page
    assert out.stat().st_size < 6 * 1024 * 1024


def test_the_scorecard_has_the_baselines_in_both_spans(full):
    funding, market = full.scorecards
    assert funding.kind == "funding" and market.kind == "market"
    names = {x.signal for x in funding.rows}
    for base in ("stress score", "stage level, flag >= drained", "SOFR - IORB",
                 "SOFR - IORB, 5-day max", "VIX", "STLFSI4", "OFR FSI",
                 "previous rules: score", "previous rules: stage level, flag >= drained"):
        assert base in names
    spans = {x.span for x in funding.rows}
    assert any(s.startswith("in sample") for s in spans)
    assert any(s.startswith("out of sample") for s in spans)
    held_out = {x.span for x in funding.loeo}
    assert {f"held out: {e}" for e in ("repo_sep_2019", "dash_for_cash_2020",
                                        "bank_failures_2023", "month_end_oct_2025")} == held_out
    oos = {x.signal: x for x in funding.rows if x.span.startswith("out of sample")}
    dr = oos["stage level, flag >= drained"]
    # March 2023 is caught from the day the record discount window draw was public
    c = next(c for c in dr.catches if c.episode == "bank_failures_2023")
    assert c.caught and c.first_flag == T("2023-03-16") and c.lead_bd == 4
    for x in funding.rows:
        if x.auc_ci is not None:
            assert x.auc_ci[0] <= x.auc <= x.auc_ci[1] or not np.isfinite(x.auc)


def test_links_other_than_http_are_dropped_from_a_users_episodes_file(full, tmp_path):
    from dollarliq.reports.track_record import html_section

    src = (ROOT / "src/dollarliq/data/episodes.csv").read_text(encoding="utf-8")
    lines = src.splitlines()
    hostile = ["javascript:alert(document.cookie)", " JavaScript:alert(1)",
               "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
               "file:///etc/passwd", "vbscript:msgbox(1)", "https:no-host"]
    # the last columns of the first rows are the url: replace them with hostile links
    rows = [ln.rsplit(",", 1)[0] + "," + url for ln, url in zip(lines[1:], hostile)]
    p = tmp_path / "episodes.csv"
    p.write_text("\n".join([lines[0], *rows, *lines[1 + len(rows):]]) + "\n",
                 encoding="utf-8")
    eps = load_episodes(p)
    assert [e.url for e in eps[:len(hostile)]] == [""] * len(hostile)
    assert eps[len(hostile)].url.startswith("https://")  # a real link stays
    page = html_section(evaluate(full.table, eps, params=FAST)).lower()
    assert "javascript:" not in page and "vbscript:" not in page
    assert "data:text/html" not in page and "file:///" not in page
    assert f'href="{eps[len(hostile)].url.lower()}"' in page


def test_rules_written_after_their_episodes_are_named_and_scored_without_them(full):
    """The standing repo rules were written after seeing 2025, the discount-window rule after
    March 2023: the track record names them and scores the rules without them."""
    from dollarliq.reports.track_record import render_markdown
    from dollarliq.stages import load_rules
    from dollarliq.track.scoring import hindsight_variants

    assert full.written_after == {
        "discount_window_drawn": ("bank_failures_2023",),
        "standing_repo_used": ("month_end_oct_2025", "year_end_2025"),
        "standing_repo_used_calendar_day": ("month_end_oct_2025", "year_end_2025")}
    names = list(hindsight_variants(load_rules()))
    repo = "without standing_repo_used, standing_repo_used_calendar_day"
    assert repo in names and "without discount_window_drawn" in names
    oos = {r.signal: r for r in full.scorecards[0].rows if r.span.startswith("out of sample")}
    with_repo = oos["stage level, flag >= drained"]
    without = oos[f"{repo}: stage level, flag >= drained"]
    caught = {c.episode: c.lead_bd for c in with_repo.catches}
    caught_without = {c.episode: c.lead_bd for c in without.catches}
    assert caught["month_end_oct_2025"] == 0 and caught_without["month_end_oct_2025"] is None
    assert without.flagged < with_repo.flagged
    md = render_markdown(full)
    assert "`standing_repo_used` was written after seeing month_end_oct_2025" in md
    assert f"Out of sample, {repo} (rules written after" in md
