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


def test_late_2025_reads_tight_with_the_month_end_repo_take_up_drained(replay):
    """The 2025-10-31 standing repo take-up ($50.35bn on a month end) is drained evidence
    (a rule written after seeing it); the days after read tight on their own evidence and
    are held drained by hysteresis for 10 business days."""
    tab = replay.stages.table
    assert level(replay, "2025-10-30") == 1 and level(replay, "2025-10-31") == 2
    after = tab.loc["2025-11-03":"2025-11-14"]
    assert (after["level"] == 2).all() and (after["raw_level"] == 1).all()
    assert (after["held_by"] == "hysteresis").all()
    mid_november = tab.loc["2025-11-17":"2025-11-21", "level"]
    assert len(mid_november) == 5 and (mid_november == 1).all()


def test_the_october_2025_squeeze_is_in_the_evidence_once_published(store):
    doc = build_report(run_engine(store, as_of=T("2025-11-03")))
    assert doc["stage"]["name"] == "drained" and doc["stage"]["raw_level"] == 1
    assert doc["stage"]["held_by"] == "hysteresis" and doc["stage"]["set_on"] == "2025-10-31"
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
    assert doc["stage"] == {**doc["stage"], "level": 2, "name": "drained", "name_zh": "枯竭"}


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
    assert lines[0] == "date,level,name,score,raw_level,held,held_by,regime"
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
    assert lines[0] == "date,level,name,score,raw_level,held,held_by,regime"
    assert {ln.split(",")[-1] for ln in lines[1:]} == {"floor_sofr"}
    assert all(line.split(",")[5] == "1" for line in lines[1:])
    assert all(line.split(",")[6] == "hysteresis: set on 2023-04-07" for line in lines[1:])


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
    # The BTFP series of the snapshot begins 2021-04-28.
    doc = build_report(run_engine(store, as_of=T("2019-06-03")))
    btfp = next(e for e in doc["evidence"] if e["rule"] == "btfp_drawn")
    assert btfp["met"] is None and btfp["available"] is False
    assert btfp["conditions"][0]["met"] is None and "no data" in btfp["conditions"][0]["text"]


def test_standing_repo_take_up_is_backstop_evidence(store):
    """2025-10-31: $50.35bn on a month end meets the calendar-day threshold ($50bn); the
    mid-month rule reads 0 on a calendar day. 2025-12-29: $25.95bn on a plain day."""
    doc = build_report(run_engine(store, as_of=T("2025-10-31")))
    ev = {e["rule"]: e for e in doc["evidence"]}
    cal = ev["standing_repo_used_calendar_day"]
    assert cal["met"] is True and cal["family"] == "backstops"
    assert cal["conditions"][0]["value"] == 50.35 and "$50.35bn" in cal["conditions"][0]["text"]
    assert ev["standing_repo_used"]["met"] is False
    assert doc["stage"]["level"] == 2 and "standing_repo_used_calendar_day" in doc["stage"]["set_by"]
    # 2025-11-28 ($24.4bn, month end) and 2025-12-01 ($26bn, month start) are calendar days
    # under $50bn; 2025-12-29 ($25.95bn) is not a calendar day.
    res = run_engine(store, as_of=T("2025-12-31"))
    f = res.stages.flags
    assert not f.loc["2025-11-28", "standing_repo_used_calendar_day"]
    assert not f.loc["2025-12-01", ["standing_repo_used", "standing_repo_used_calendar_day"]].any()
    assert f.loc["2025-12-29", "standing_repo_used"]
    assert f.loc["2025-12-31", "standing_repo_used_calendar_day"]  # $74.6bn, year end


def test_the_2019_2020_desk_operations_are_shown_but_not_evidence(store):
    res = run_engine(store, as_of=T("2020-03-31"))
    d = res.panel.daily
    assert d.loc["2020-03-17", "srf_usd_bn"] == 152.75  # shown
    assert d.loc["2019-09-17", "srf_usd_bn"] == 53.15
    assert d.loc["2019-09-17":"2020-03-31", "srf_take_up_usd_bn"].isna().all()
    assert not res.stages.flags.loc["2019-09-17":, ["standing_repo_used",
                                                   "standing_repo_used_calendar_day"]].any().any()


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
    # 2023-04-26: held by hysteresis; 2026-09-23: held by the stale H.8 bank assets.
    assert doc["stage"]["held"] is True
    assert doc["stage"]["held_by"] == ("hysteresis" if day == "2023-04-26" else "stale")
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


# ------------------------------------------------------------ missing evidence never calmer

def test_missing_evidence_never_reads_calmer_on_the_2026_replay(store):
    """Data to 2026-10-08: the H.8 bank assets end 2026-04-15, yet ON RRP stays under $100bn
    and reserves within $2.89-3.14tn (the range of the tight months Oct 2025-Apr 2026).
    From 2026-05-22 on no day reads ample: each is tight on fresh evidence or held, naming
    the stale input and its last observation date."""
    from dollarliq.engine import held_reasons

    res = run_engine(store, as_of=T("2026-10-08"))
    tab = res.stages.table.loc["2026-05-22":]
    d = res.panel.daily.loc["2026-05-22":]
    assert (d["rrp_usd_bn"] < 100).all()
    assert d["reserves_usd_bn"].between(2894.5, 3142.8).all()  # $2.89-3.14tn
    assert len(tab) > 90 and (tab["level"] >= 1).all()
    why = held_reasons(res).loc["2026-05-22":]
    fresh = tab["raw_level"] >= 1
    held = tab["held_by"] == "stale"
    assert (fresh | held).all()
    assert held.any() and fresh.any()
    assert (why[held] == "stale: reserves_share_bank_assets_pct not seen since 2026-04-15").all()
    # The bank-asset figure of 2026-04-15 is carried forward for 8 weeks beyond the usual
    # allowance (docs/stages.md), with its real observation date: fresh until 2026-07-03.
    kd = res.panel.known_dates["reserves_share_bank_assets_pct"]
    assert kd["2026-07-03"] == T("2026-04-15") and not res.panel.stale.at[
        T("2026-07-03"), "reserves_share_bank_assets_pct"]
    assert res.panel.stale.at[T("2026-07-06"), "reserves_share_bank_assets_pct"]
    assert tab.loc["2026-07-03", "raw_level"] == 1 and tab.loc["2026-07-06", "raw_level"] == 0


def test_the_stages_command_says_why_a_day_is_held(home):
    res = CliRunner().invoke(app, ["stages", "--start", "2026-05-01", "--format", "csv"])
    assert res.exit_code == 0, res.output
    import io

    tab = pd.read_csv(io.StringIO(res.stdout), keep_default_na=False)
    assert (tab["name"] != "ample").all()
    held = tab[tab["held"] == 1]
    assert len(held) and held["held_by"].str.match(r"^(stale|hysteresis)").all()
    assert (tab.loc[tab["held"] == 0, "held_by"] == "").all()
    doc = json.loads(CliRunner().invoke(app, ["stages", "--start", "2026-05-01", "--format",
                                              "json"]).stdout)
    from importlib.resources import files

    schema = json.loads(files("dollarliq").joinpath("data/stages.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["days"][-1]["held_by"].startswith("stale: reserves_share_bank_assets_pct")


def _daily(**cols):
    idx = pd.bdate_range("2024-01-01", periods=len(next(iter(cols.values()))))
    return pd.DataFrame(cols, index=idx)


def test_a_stale_state_rule_holds_the_stage_until_fresh_evidence_lowers_it():
    """Hand-made panel: the reserve share goes missing after day 5 (its last reading met
    the tight rule), so the stage holds tight; when ON RRP (fresh) rises above $100bn the
    ON RRP rule is refuted by fresh data, but the share rule alone still holds the stage."""
    import numpy as np

    from dollarliq.stages import Condition, Rule, RuleSet, decide

    n = 30
    share = [11.0] * 5 + [np.nan] * (n - 5)
    rrp = [50.0] * 20 + [500.0] * (n - 20)
    rules = (Rule("share", 1, (Condition("share_pct", "<", 12.5),), "buffers"),
             Rule("rrp", 1, (Condition("rrp_bn", "<", 100.0), Condition("share_pct", "<", 13.0)),
                  "buffers"))
    rs = RuleSet(rules, {0: 1, 1: 1}, (), 10, "test", {0: 1, 1: 1})
    sf = decide(_daily(share_pct=share, rrp_bn=rrp), rs)
    t = sf.table
    assert (t["level"] == 1).all()
    assert (t["raw_level"].iloc[5:] == 0).all() and (t["held_by"].iloc[5:] == "stale").all()
    # Day 21 on: ON RRP at $500bn refutes the ON RRP rule with fresh data (decided, not met).
    assert bool(sf.available["rrp"].iloc[-1]) and not bool(sf.carried["rrp"].iloc[-1])
    assert bool(sf.carried["share"].iloc[-1])
    # Without the share rule, the fresh refutation steps the stage down after 10 days.
    rs2 = RuleSet(rules[1:], {0: 1, 1: 1}, (), 10, "test", {0: 1, 1: 1})
    t2 = decide(_daily(share_pct=share, rrp_bn=rrp), rs2).table
    assert (t2["level"].iloc[5:20] == 1).all() and (t2["held_by"].iloc[5:20] == "stale").all()
    assert t2["level"].iloc[-1] == 0 and t2["held_by"].iloc[-1] == ""


def test_an_event_is_not_carried_and_a_verdict_expires_after_a_year():
    import numpy as np

    from dollarliq.stages import Condition, Rule, RuleSet, carried_flags, rule_available
    from dollarliq.stages import rule_flags

    n = 300  # business days: more than a year
    draw = [60.0] + [np.nan] * (n - 1)
    level = [11.0] + [np.nan] * (n - 1)
    rules = (Rule("draw", 2, (Condition("fima_chg_1w_usd_bn", ">=", 5.0),), "backstops"),
             Rule("share", 1, (Condition("share_pct", "<", 12.5),), "buffers"))
    rs = RuleSet(rules, {0: 1, 1: 1, 2: 1}, (), 10, "test", None)
    d = _daily(fima_chg_1w_usd_bn=draw, share_pct=level)
    c = carried_flags(rule_flags(d, rs), rule_available(d, rs), rs)
    assert not c["draw"].any()  # a weekly draw says nothing about the weeks after it
    age = (d.index - d.index[0]).days
    assert (c["share"].to_numpy()[1:] == (age[1:] <= 365)).all()


def test_the_score_never_shrinks_because_a_part_is_missing_and_is_none_when_none_is_left():
    import numpy as np

    from dollarliq.stages import RuleSet, ScoreComponent, score

    comps = (ScoreComponent("a", 0.0, 10.0, 1.0), ScoreComponent("b", 0.0, 10.0, 1.0))
    rs = RuleSet((), {0: 1}, comps, 10, "test")
    full = _daily(a=[10.0, 10.0, 10.0], b=[0.0, 0.0, 0.0])
    gap = _daily(a=[10.0, np.nan, np.nan], b=[0.0, 0.0, 0.0])
    s_full, _ = score(full, rs)
    s_gap, parts = score(gap, rs)
    assert list(s_gap) == list(s_full) == [50.0, 50.0, 50.0]  # not 0 when "a" goes missing
    none, _ = score(_daily(a=[np.nan], b=[np.nan]), rs)
    assert np.isnan(none.iloc[0])
    # Carried values alone are not a reading: unavailable once no part is fresh.
    stale_all, _ = score(_daily(a=[10.0, np.nan], b=[0.0, np.nan]), rs)
    assert stale_all.iloc[0] == 50.0 and np.isnan(stale_all.iloc[1])


def test_an_unavailable_score_is_null_in_the_report(store):
    from dollarliq.engine import compute, data_start

    day = T("2026-10-08")
    long = store.first_release(INPUT_IDS, as_of=day)
    long = long[~long["series_id"].isin(["VIXCLS", "BAMLH0A0HYM2", "RRPONTSYD", "WLCFLPCL",
                                         "SWPT", "WTREGEN", "WDTGAL", "TGA_DTS",
                                         "TLAACBW027SBOG", "WRESBAL"])
                | (long["obs_date"] < T("2010-01-01"))]
    rs = load_rules()
    from dataclasses import replace

    only_vix = replace(rs, score=tuple(c for c in rs.score if c.indicator == "vix_idx"))
    doc = build_report(compute(long, as_of=day, start=data_start(store), rules=only_vix))
    assert doc["score"]["value"] is None and doc["score"]["contributions"] == []
    text = json.dumps(doc, allow_nan=False)  # strict: no NaN anywhere
    assert '"value": null' in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_ended_program_is_ended_and_an_old_series_is_listed_once(store, lang):
    doc = build_report(run_engine(store, as_of=T("2026-10-08")), lang=lang)
    ev = {e["rule"]: e for e in doc["evidence"]}
    btfp = ev["btfp_drawn"]
    assert btfp["ended"] == "2024-03-11" and btfp["met"] is None
    assert not btfp["conditions"][0]["stale"]
    assert "2024-03-11" in btfp["conditions"][0]["text"]
    assert ("ended" if lang == "en" else "结束") in btfp["conditions"][0]["text"]
    # FIMA repo and the H.4.1 repo line end 2023-03-22 in the data: not evidence, listed once.
    assert "fima_repo_drawn" not in ev and "fed_repo_drawn" not in ev
    ids = [u["id"] for u in doc["unavailable"]]
    assert ids.count("H41RESPPALGTRFNWW") == 1 and ids.count("WORAL") == 1
    assert "H41RESPPALDKNWW" in ids
    fima = next(u for u in doc["unavailable"] if u["id"] == "H41RESPPALGTRFNWW")
    assert "2023-03-22" in fima["reason"]
    assert not {"fima_repo_usd_bn", "btfp_usd_bn"} & set(doc["stale"])
    # In 2023 the same rules are evidence as usual.
    doc23 = build_report(run_engine(store, as_of=T("2023-03-23")), lang=lang)
    ev23 = {e["rule"]: e for e in doc23["evidence"]}
    assert ev23["fima_repo_drawn"]["met"] is True and "ended" not in ev23["btfp_drawn"]


def _snapshot_series(sid: str, known_on: str) -> pd.Series:
    """One series of the packaged snapshot as known on a day, read with pandas alone."""
    from pathlib import Path

    import dollarliq

    d = pd.read_parquet(Path(dollarliq.__file__).parent / "data" / "snapshot.parquet")
    d = d[(d["series_id"] == sid) & (pd.to_datetime(d["as_of"]) <= T(known_on))]
    return pd.Series(d["value"].to_numpy(float), index=pd.to_datetime(d["obs_date"])).sort_index()


def test_a_record_reaching_into_an_earlier_regime_says_so(store):
    from dollarliq.reports.model import records

    # Primary credit in the dash for cash, against the whole history from 2002 (pandas alone).
    pc = _snapshot_series("WLCFLPCL", "2020-03-25").dropna()
    v = pc.loc["2020-03-18"]
    expected = pc[(pc.index < T("2020-03-18")) & (pc >= v)].index[-1]
    assert expected < T("2018-04-02")
    for lang, word in (("en", "floor before SOFR"), ("zh", "SOFR 之前的地板体系")):
        rec = next(r for r in records(run_engine(store, as_of=T("2020-03-25")), lang)
                   if r["indicator"] == "primary_credit_usd_bn")
        assert rec["since"] == expected.strftime("%Y-%m-%d") == "2009-10-07"
        assert rec["crosses_regime"] and rec["since_regime"] == "floor_ioer"
        assert rec["regime"] == "floor_sofr" and word in rec["text"]


def test_effr_records_reach_back_to_2008_within_the_floor_regimes_only(store):
    from dollarliq.reports.model import records

    # EFFR − IOER/IORB from the snapshot with pandas: the floor years before 2019-09-16.
    effr = _snapshot_series("EFFR", "2019-09-17")
    dff = _snapshot_series("DFF", "2019-09-17")  # the daily fed funds rate before EFFR's series
    effr = dff if effr.empty else pd.concat([dff[dff.index < effr.index.min()], effr])
    ioer = _snapshot_series("IOER", "2019-09-17")
    spread = ((effr - ioer.reindex(effr.index)) * 100).round(6).dropna()
    spread = spread[spread.index.day_of_week < 5]
    floor = spread[(spread.index >= T("2008-12-16")) & (spread.index < T("2019-09-16"))]
    assert len(floor) and floor.max() < spread.loc["2019-09-16"]  # a record of the floor years
    rec = next(r for r in records(run_engine(store, as_of=T("2019-09-17")))
               if r["indicator"] == "effr_iorb_bp")
    assert rec["date"] == "2019-09-16" and rec["value"] == spread.loc["2019-09-16"]
    # Not cut at the panel's 2010 start, and the corridor days (IOER from 2008-10) left out.
    assert rec["since"] is None and rec["history_start"] == floor.index[0].strftime("%Y-%m-%d")
    assert rec["history_start"] == "2008-12-16"
    assert rec["crosses_regime"] and "floor before SOFR" in rec["text"]


def test_a_record_within_one_regime_names_no_regime(store):
    from dollarliq.reports.model import records

    rec = next(r for r in records(run_engine(store, as_of=T("2025-11-04")))
               if r["indicator"] == "sofr_iorb_persistent_bp")
    assert rec["since"] == "2019-09-27" and rec["since_regime"] == rec["regime"] == "floor_sofr"
    assert not rec["crosses_regime"] and "regime" not in rec["text"]
