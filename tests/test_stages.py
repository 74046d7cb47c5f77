"""The stage engine on the real snapshot: what an analyst expects, and no look-ahead."""

from __future__ import annotations

import json
import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.engine import run_engine
from dollarliq.indicators import INPUT_IDS
from dollarliq.reports.model import build_report
from dollarliq.stages import DEFAULT_RULES, apply_hysteresis, load_rules
from dollarliq.store import Store

T = pd.Timestamp


@pytest.fixture(scope="module")
def replay():
    """The whole history, replayed point-in-time, once for the module."""
    with Store(None) as s:
        yield run_engine(s, as_of=T("2026-08-21"))


def level(replay, day: str) -> int:
    return int(replay.stages.table.loc[T(day), "level"])


def test_2021_mid_year_reads_ample(replay):
    assert level(replay, "2021-06-30") == 0


@pytest.mark.parametrize("day", ["2019-09-17", "2020-03-16"])
def test_the_2019_repo_spike_and_the_dash_for_cash_read_drained_or_crisis(replay, day):
    assert level(replay, day) >= 2


def test_march_2020_reaches_crisis(replay):
    assert replay.stages.table.loc["2020-03-16":"2020-03-31", "level"].max() == 3


def test_late_2025_reads_tight_not_drained(replay):
    assert level(replay, "2025-10-31") == 1
    mid_november = replay.stages.table.loc["2025-11-10":"2025-11-21", "level"]
    assert len(mid_november) == 9 and (mid_november == 1).all()  # 11-11 is a holiday


def test_the_october_2025_squeeze_is_in_the_evidence_once_published(store):
    doc = build_report(run_engine(store, as_of=T("2025-11-03")))
    assert doc["stage"]["name"] == "tight"
    sofr = next(i for i in doc["indicators"] if i["id"] == "sofr_iorb_bp")
    assert sofr["value"] == pytest.approx(32.0) and sofr["obs_date"] == "2025-10-31"
    rule = next(e for e in doc["evidence"] if e["rule"] == "acute_squeeze")
    # The spike is measured against SOFR's own baseline (+9 bp persistent): +23 bp.
    assert rule["conditions"][0]["value"] == pytest.approx(23.0)
    assert rule["conditions"][0]["met"] is True and rule["met"] is False  # EFFR did not confirm
    rec = next(r for r in doc["records"] if r["indicator"] == "sofr_iorb_bp")
    assert rec["since"] == "2020-03-17"  # the widest since March 2020
    assert doc["calendar"]["sofr_iorb_bp"]["calendar"] == "month_end"


def test_on_2025_10_31_the_friday_print_is_not_yet_public(store):
    # SOFR for Friday 2025-10-31 is published on Monday 2025-11-03 at 08:00 ET.
    doc = build_report(run_engine(store, as_of=T("2025-10-31")))
    sofr = next(i for i in doc["indicators"] if i["id"] == "sofr_iorb_bp")
    assert sofr["obs_date"] == "2025-10-30" and sofr["value"] == pytest.approx(14.0)
    assert doc["stage"]["level"] >= 1


def test_reserves_record_names_its_series_and_date(store):
    doc = build_report(run_engine(store, as_of=T("2025-10-31")))
    rec = next(r for r in doc["records"] if r["indicator"] == "reserves_usd_bn")
    assert rec["value"] == pytest.approx(2848.021)
    assert rec["since"] == "2023-01-04"  # by WRESBAL, lower last in early 2023, not 2021



@pytest.mark.parametrize("day", ["2019-09-17", "2020-03-16", "2025-11-03"])
def test_deleting_everything_released_after_d_does_not_change_d(replay, day, truncated_store):
    d = T(day)
    with truncated_store(d) as s:
        res = run_engine(s, as_of=d)
    a = res.stages.table.loc[d]
    b = replay.stages.table.loc[d]
    assert (a["level"], a["raw_level"]) == (b["level"], b["raw_level"])
    assert a["score"] == pytest.approx(b["score"])
    pd.testing.assert_series_equal(res.panel.daily.loc[d], replay.panel.daily.loc[d],
                                   check_names=False)


def test_report_as_of_equals_the_replay_row(replay, store):
    res = run_engine(store, as_of=T("2023-03-24"))
    assert res.stages.table.iloc[-1]["level"] == replay.stages.table.loc["2023-03-24", "level"]


def test_hysteresis_one_spike_does_not_flip_and_down_waits():
    idx = pd.bdate_range("2025-01-01", periods=30)
    raw = pd.Series(1, index=idx)
    raw.iloc[5] = 0  # one quiet day
    lv = apply_hysteresis(raw, down_days=10)
    assert (lv == 1).all()
    raw2 = pd.Series([2] * 3 + [1] * 15, index=idx[:18])
    lv2 = apply_hysteresis(raw2, down_days=10)
    assert lv2.iloc[11] == 2 and lv2.iloc[12] == 1


def test_rules_file_is_readable_and_complete():
    rs = load_rules()
    assert {r.level for r in rs.rules} == {1, 2, 3}
    assert rs.min_families[3] == 2  # crisis: two families of evidence at once
    assert {r.family for r in rs.rules} == {"price", "buffers", "backstops", "markets",
                                            "unsecured"}
    # Regimes tile the days from 2003 without gap or overlap.
    regs = rs.regimes
    assert [g.id for g in regs] == ["corridor", "floor_ioer", "floor_sofr"]
    assert regs[0].start == pd.Timestamp("2003-01-02") and regs[-1].end is None
    for a, b in zip(regs, regs[1:]):
        assert b.start == a.end + pd.Timedelta(days=1)
    # Fed asset growth is no longer evidence: QE is not an emergency.
    assert not any(c.indicator.startswith("walcl") for r in rs.rules for c in r.conditions)


def test_an_unknown_indicator_in_a_rules_file_is_exit_2_naming_the_nearest(tmp_path, home):
    from dollarliq.errors import UsageError

    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(
        '"reserves_share_bank_assets_pct", op = "<", threshold = 12.5',
        '"reserves_share_bank_asset_pct", op = "<", threshold = 12.5'), encoding="utf-8")
    with pytest.raises(UsageError, match="reserves_share_bank_asset_pct.*nearest known "
                                         "indicator: reserves_share_bank_assets_pct"):
        load_rules(bad)
    res = CliRunner().invoke(app, ["report", "--rules", str(bad)])
    assert res.exit_code == 2 and "reserves_share_bank_assets_pct" in res.output


def test_a_future_as_of_is_exit_2_naming_the_data_end(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2099-01-01"])
    assert res.exit_code == 2
    assert "is in the future" in res.output and "the data end on 2026-10-09" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_report_json_validates_against_the_schema(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2025-11-03", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    from importlib.resources import files

    schema = json.loads(files("dollarliq").joinpath("data/report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    for key in ("as_of", "data_end", "stage", "score", "indicators", "evidence", "records",
                "freshness", "notice"):
        assert key in doc
    assert doc["stage"] == {**doc["stage"], "level": 1, "name": "tight", "name_zh": "紧缺"}


def test_report_in_chinese(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2025-11-03", "--lang", "zh"])
    assert res.exit_code == 0
    assert "紧缺" in res.stdout and "不构成投资建议" in res.stdout


def test_report_before_the_data_begin_is_exit_2(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2017-06-30"])
    assert res.exit_code == 2 and "before the data begin" in res.stderr


def test_stages_command_csv_and_json(home):
    res = CliRunner().invoke(app, ["stages", "--start", "2019-09-16", "--end", "2019-09-18"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "date,level,name,score,raw_level,held,regime"
    assert {ln.split(",")[-1] for ln in lines[1:]} == {"floor_sofr"}
    assert [ln.split(",")[2] for ln in lines[1:]] == ["tight", "drained", "drained"]
    res = CliRunner().invoke(app, ["stages", "--start", "2021-06-28", "--end", "2021-06-30",
                                   "--format", "json"])
    days = json.loads(res.stdout)["days"]
    assert [d["name"] for d in days] == ["ample"] * 3


def test_every_indicator_is_a_series(home):
    res = CliRunner().invoke(app, ["series", "list", "--source", "derived", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert rows["net_liquidity_usd_bn"]["unit"] == "usd_bn"
    assert rows["sofr_iorb_bp"]["unit"] == "bp"
    res = CliRunner().invoke(app, ["series", "show", "net_liquidity_usd_bn", "--as-of",
                                   "2025-10-30", "--start", "2025-10-27", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["data_end"] == "2025-10-30"
    # Thursday 2025-10-30: WALCL of Wednesday 10-29 (H.4.1 out that day), the TGA closing
    # balance of 10-29 (DTS, out on 10-30) and the ON RRP of 10-30 (same day), by hand:
    v = {o["date"]: o["value"] for o in doc["observations"]}
    assert v["2025-10-30"] == pytest.approx(6587.034 - 983.859 - 19.166)
    # Wednesday 10-29: last week's WALCL (10-22) is still the latest public.
    assert v["2025-10-29"] != pytest.approx(6587.034 - 984.857 - 19.504)
    res = CliRunner().invoke(app, ["series", "show", "sofr_iorb_bp", "--as-of", "2025-11-03",
                                   "--start", "2025-10-31", "--format", "json"])
    obs = json.loads(res.stdout)["observations"]
    assert obs == [{"date": "2025-10-31", "value": 32.0, "released": "2025-11-03"}]


def test_report_json_carries_the_bubble_section_under_its_schema(home):
    from importlib.resources import files

    res = CliRunner().invoke(app, ["report", "--as-of", "2023-12-29", "--format", "json"])
    doc = json.loads(res.stdout)
    schema = json.loads(files("dollarliq").joinpath("data/gauges.schema.json").read_text())
    jsonschema.validate(doc["bubble"], schema)
    assert doc["bubble"]["as_of"] == "2023-12-29"
    assert doc["bubble"]["gauges"]["fear_greed"]["status"] == "ok"
    assert doc["bubble"]["gauges"]["cash_hoarding"]["status"].startswith("unavailable")


# ----------------------------------------------------------------------------- families

def test_fed_asset_purchases_are_not_emergency_evidence(replay):
    # April-June 2020: QE, record reserves, SOFR below IOER. After the March backstop draws and
    # the hysteresis step-downs, late spring reads no more than tight.
    assert replay.stages.table.loc["2020-05-15":"2020-06-30", "level"].max() <= 1


def test_march_2023_is_drained_the_day_the_record_discount_window_draw_is_public(replay):
    # Primary credit $152.9bn on Wednesday 2023-03-15, published Thursday 2023-03-16.
    assert level(replay, "2023-03-15") < 2
    assert level(replay, "2023-03-16") >= 2
    flags = replay.stages.flags.loc["2023-03-16"]
    assert flags["discount_window_drawn"] and flags["btfp_drawn"]
    assert not flags["market_dash_for_cash"]  # backstops alone: drained, not crisis
    assert level(replay, "2023-03-16") == 2


def test_a_month_end_print_against_a_structural_drift_is_no_longer_drained(replay):
    # Spring 2019: EFFR sat ~5 bp above IOER as a drift; the 2019-04-30 SOFR print was a
    # month-end spike, not confirmed by a move of EFFR against its own baseline.
    assert replay.stages.table.loc["2019-05-01":"2019-05-14", "level"].max() <= 1


def test_a_held_stage_says_so_and_names_the_evidence_that_set_it(replay, store):
    tab = replay.stages.table
    assert not tab.loc["2023-03-20", "held"]
    held = tab.loc["2023-04-19":"2023-05-02"]
    assert held["held"].all() and (held["raw_level"] == 0).all()
    assert (held["set_on"] == T("2023-04-07")).all()
    doc = build_report(run_engine(store, as_of=T("2023-04-26")))
    assert doc["stage"]["held"] is True and doc["stage"]["set_on"] == "2023-04-07"
    assert doc["stage"]["set_by"]  # the rules met on 2023-04-07


def test_stages_csv_has_the_held_column(home):
    res = CliRunner().invoke(app, ["stages", "--start", "2023-04-24", "--end", "2023-04-26"])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0] == "date,level,name,score,raw_level,held,regime"
    assert {ln.split(",")[-1] for ln in lines[1:]} == {"floor_sofr"}
    assert all(line.split(",")[5] == "1" for line in lines[1:])


# ----------------------------------------------------------------------------- staleness

def test_stale_inputs_are_marked_and_never_count(store):
    # The snapshot's inputs cut at 2026-08-20 except the DTS TGA (to 2026-09-22): the core
    # inputs are a month old on 2026-09-23.
    from dollarliq.engine import compute, data_start

    day = T("2026-09-23")
    long = store.first_release(INPUT_IDS, as_of=day)
    long = long[(long["obs_date"] <= T("2026-08-20")) | (long["series_id"] == "TGA_DTS")]
    doc = build_report(compute(long, as_of=day, start=data_start(store)))
    ind = {i["id"]: i for i in doc["indicators"]}
    nl = ind["net_liquidity_usd_bn"]
    assert nl["stale"] and nl["obs_date"] == "2026-08-19"  # dated by its oldest input
    assert not ind["tga_usd_bn"]["stale"] and ind["tga_usd_bn"]["obs_date"] == "2026-09-22"
    assert "SOFR" in doc["stage"]["core_stale"]
    for e in doc["evidence"]:
        for c in e["conditions"]:
            if c["stale"]:
                assert c["met"] is None and e["met"] is None and not e["available"]
    # No record presents a carried-forward value as a later observation.
    for r in doc["records"]:
        assert r["indicator"] not in doc["stale"]
        assert r["date"] <= "2026-09-22"


def test_a_rule_without_data_is_unavailable_not_unmet(store):
    doc = build_report(run_engine(store, as_of=T("2025-11-03")))
    srf = next(e for e in doc["evidence"] if e["rule"] == "standing_repo_used")
    assert srf["met"] is None and srf["available"] is False
    # The snapshot's Desk operations (Treasury leg) end 2025-01-23: stale, not evidence.
    assert srf["conditions"][0]["met"] is None
    assert "stale, observed 2025-01-23" in srf["conditions"][0]["text"]


# ----------------------------------------------------------------------------- records

def test_records_look_back_at_least_a_year_and_lead_with_the_longest(store):
    from dollarliq.reports.model import records

    res = run_engine(store, as_of=T("2025-11-04"))
    recs = records(res)
    assert recs and all(r["lookback_days"] >= 365 for r in recs)
    assert [r["lookback_days"] for r in recs] == sorted((r["lookback_days"] for r in recs),
                                                        reverse=True)
    top = recs[0]
    assert top["indicator"] == "sofr_iorb_persistent_bp" and top["date"] == "2025-10-30"
    assert top["since"] == "2019-09-27"
    # A shorter look-back lets more (and more trivial) records through.
    assert len(records(res, min_lookback_days=0)) > len(recs)


def test_chinese_report_has_no_english_units(home):
    res = CliRunner().invoke(app, ["report", "--as-of", "2025-11-04", "--format", "json",
                                   "--lang", "zh"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    texts = [c["text"] for e in doc["evidence"] for c in e["conditions"]]
    texts += [r["text"] for r in doc["records"]]
    assert not any("percentile" in x or "per $100bn" in x or "(met)" in x for x in texts)
    from dollarliq.reports.model import fmt_u

    assert fmt_u(1.0, "percentile", "zh") == "第1百分位"
    assert fmt_u(-1.24, "bp_per_100bn", "zh") == "每千亿美元 -1.2 基点"


def test_every_packaged_rule_and_indicator_has_english_and_chinese_names():
    from dollarliq.indicator_catalog import INDICATORS
    from dollarliq.messages import MESSAGES
    from dollarliq.stages import PREVIOUS_RULES

    for path in (DEFAULT_RULES, PREVIOUS_RULES):
        for r in load_rules(path).rules:
            entry = MESSAGES[f"rule.name.{r.id}"]
            assert entry["en"] and entry["zh"] and entry["zh"] != entry["en"]
    for spec in INDICATORS.values():
        assert spec.name_en and spec.name_zh and spec.name_zh != spec.name_en


def test_qt_pace_comes_from_holdings_not_from_emergency_loan_repayments(replay):
    d = replay.panel.daily
    qt = d.loc["2023-09-29", "qt_pace_usd_bn_per_month"]
    by_assets = (d["walcl_usd_bn"].diff(65) / 3.0).loc["2023-09-29"]
    assert -95.0 <= qt <= -60.0  # under the $95bn monthly caps
    assert by_assets < -100.0  # total assets also fell with the repayment of March's loans


@pytest.mark.parametrize("day", ["2023-04-26", "2026-09-23"])
def test_held_and_stale_reports_validate_against_the_schema(home, day):
    from importlib.resources import files

    res = CliRunner().invoke(app, ["report", "--as-of", day, "--format", "json", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    schema = json.loads(files("dollarliq").joinpath("data/report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["stage"]["held"] is (day == "2023-04-26")
    assert bool(doc["stale"]) and not doc["stage"]["core_stale"]


def test_a_rule_outside_its_regimes_is_not_applicable_not_met():
    """A rule that names regimes never counts outside them, even when its value is past the
    threshold; inside them it does. The score drops a part outside its regimes."""
    from dollarliq.stages import decide, rule_applicable

    rs = load_rules()
    days = pd.bdate_range("2008-12-10", "2008-12-22")
    daily = pd.DataFrame({"ted_bp": 150.0, "dff_target_abs_med5d_bp": 40.0}, index=days)
    sf = decide(daily, rs)
    corridor = days <= pd.Timestamp("2008-12-15")
    assert sf.flags["fed_funds_far_off_target"].tolist() == corridor.tolist()
    assert sf.flags["unsecured_funding_squeeze"].all()  # TED: corridor and the IOER floor
    appl = rule_applicable(days, rs)
    assert not appl.loc[~corridor, "fed_funds_off_target"].any()
    assert not appl["sofr_above_iorb"].any()
    assert sf.table["regime"].tolist() == ["corridor" if c else "floor_ioer" for c in corridor]
    assert (sf.table["raw_level"] == 2).all()
    # after the corridor, only TED (weight 1, at 150 of calm 20..stressed 200) is a part
    assert sf.table["score"][~corridor].round(6).tolist() == [round(130 / 180 * 100, 6)] * 5


def test_an_unknown_regime_in_a_rules_file_is_exit_2(tmp_path):
    from dollarliq.errors import UsageError

    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(
        'threshold = 10.0, regimes = ["corridor"]', 'threshold = 10.0, regimes = ["coridor"]'),
        encoding="utf-8")
    with pytest.raises(UsageError, match="unknown regime 'coridor'"):
        load_rules(bad)


def test_stages_replay_from_2003_shows_the_regimes(home):
    """`stages --start 2003-01-02 --end 2009-12-31 --format csv`: exit 0, every business day,
    a regime column that switches from the corridor on 2008-12-16."""
    import io

    res = CliRunner().invoke(app, ["stages", "--start", "2003-01-02", "--end", "2009-12-31",
                                   "--format", "csv"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(io.StringIO(res.stdout), index_col="date", parse_dates=True)
    assert t.index[0] == pd.Timestamp("2003-01-02") and t.index[-1] == pd.Timestamp("2009-12-31")
    assert set(t["regime"]) == {"corridor", "floor_ioer"}
    assert t.loc[:"2008-12-15", "regime"].eq("corridor").all()
    assert t.loc["2008-12-16":, "regime"].eq("floor_ioer").all()
