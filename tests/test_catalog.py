"""The catalog covers the domain's series with explicit units and timing."""

from __future__ import annotations

import pandas as pd
import pytest

from dollarliq.catalog import CATALOG, UNIT_NAMES, get_spec
from dollarliq.errors import UnknownSeries

DOMAIN_SERIES = ["WALCL", "WTREGEN", "WDTGAL", "TGA_DTS", "RRPONTSYD", "RPONTSYD", "WRESBAL",
                 "SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "IORB", "IOER", "EFFR",
                 "DTWEXBGS", "NASDAQ100", "SP500", "VIXCLS", "STLFSI4", "NFCI", "TGCR",
                 "BGCR", "OBFR", "DXY"]
PRICES = ["AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA", "AVGO", "SPY", "QQQ", "RSP"]


@pytest.mark.parametrize("sid", DOMAIN_SERIES + PRICES)
def test_every_domain_series_is_in_the_catalog(sid):
    spec = get_spec(sid)
    assert spec.name_en and spec.name_zh
    assert spec.unit in UNIT_NAMES
    assert spec.obs_convention
    assert spec.source in ("fred", "nyfed", "treasury", "fedboard", "cboe", "yahoo")


def test_money_is_stored_in_billions_and_converted_once():
    for spec in CATALOG.values():
        if spec.native_unit == "usd_mn":
            assert spec.unit == "usd_bn" and spec.scale == 1e-3, spec.id
        if spec.native_unit == "usd":
            assert spec.unit == "usd_bn" and spec.scale == 1e-9, spec.id
    # The NY Fed publishes ON RRP in dollars; its FRED mirror is already in billions.
    assert get_spec("RRPONTSYD").scale == 1e-9 and get_spec("RRPONTSYD").mirror_scale == 1.0


#: Inputs that only FRED carries (ICE's licensed spread, St. Louis Fed's own index, the
#: target range as a daily series: the Board publishes it only in its statements) or that
#: are history only (IOER ended 2021-07-28; DFF is the fallback behind the NY Fed's EFFR).
FRED_ONLY_INPUTS = {"BAMLH0A0HYM2", "STLFSI4", "IOER", "DFF", "DFEDTARU"}


def test_stage_inputs_come_from_their_publisher_without_a_key():
    from dollarliq.indicators import CORE_IDS, INPUT_IDS
    from dollarliq.sources import UPDATABLE_SOURCES

    for sid in set(INPUT_IDS) | set(CORE_IDS):
        spec = get_spec(sid)
        if sid in FRED_ONLY_INPUTS:
            assert spec.source == "fred", sid
        elif "history" in spec.tags:
            # Inputs of the regimes before SOFR only (see the next test): FRED keeps them.
            assert spec.source == "fred", sid
        else:
            assert spec.source in UPDATABLE_SOURCES and spec.source != "fred", sid


#: Indicators built from the history-only inputs (TED, CP and bills, fed funds target).
HISTORY_INDICATORS = {"ted_bp", "cp_tbill_bp", "dff_target_abs_med5d_bp"}


def test_history_inputs_are_read_only_by_rules_of_regimes_that_ended():
    import tomllib
    from importlib.resources import files

    doc = tomllib.loads(files("dollarliq").joinpath("data/stages.toml").read_text("utf-8"))
    ended = {r["id"] for r in doc["regime"] if r.get("end")}
    parts = [*(r for st in doc["stage"] for r in st.get("rules", [])), *doc["score"]]
    used = [p for p in parts if p["indicator"] in HISTORY_INDICATORS]
    assert {p["indicator"] for p in used} == HISTORY_INDICATORS
    for p in used:  # a part without `regimes` applies to every regime, the current one too
        assert p.get("regimes") and set(p["regimes"]) <= ended, p


def test_moved_series_keep_their_fred_mirror():
    for sid in ("WALCL", "WRESBAL", "WTREGEN", "WDTGAL", "IORB", "RRPONTSYD", "RPONTSYD",
                "VIXCLS", "TLAACBW027SBOG"):
        assert get_spec(sid).fred_id == sid


def test_spreads_are_basis_points():
    assert get_spec("BAMLH0A0HYM2").unit == "bp" and get_spec("BAMLH0A0HYM2").scale == 100
    assert get_spec("T10Y2Y").unit == "bp"


def test_release_rules():
    wed = pd.DatetimeIndex(["2025-10-29"])
    assert str(get_spec("WALCL").release.apply(wed)[0]) == "2025-10-30"
    fri = pd.DatetimeIndex(["2025-10-31"])
    assert str(get_spec("SOFR").release.apply(fri)[0]) == "2025-11-03"
    assert str(get_spec("RRPONTSYD").release.apply(fri)[0]) == "2025-10-31"
    # Veterans Day 2025-11-11 is a federal holiday: Monday's SOFR comes out on Wednesday.
    mon = pd.DatetimeIndex(["2025-11-10"])
    assert str(get_spec("SOFR").release.apply(mon)[0]) == "2025-11-12"


def test_unknown_series_suggests_close_ids():
    with pytest.raises(UnknownSeries, match="did you mean"):
        get_spec("SOFRX")


def test_lookup_is_case_insensitive():
    assert get_spec("walcl").id == "WALCL"
