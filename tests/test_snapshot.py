"""The embedded snapshot is exactly what the build script makes from the real-data bundle."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from dollarliq.store import SNAPSHOT_PATH

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def test_snapshot_is_small_and_inside_the_package():
    assert SNAPSHOT_PATH.exists()
    assert SNAPSHOT_PATH.stat().st_size < 3 * 1024 * 1024


def test_snapshot_never_publishes_before_the_observation_date():
    df = pd.read_parquet(SNAPSHOT_PATH)
    assert (df["as_of"] >= df["obs_date"]).all()
    assert not df.duplicated(["series_id", "obs_date"]).any()


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="the real-data bundle is not beside the repo")
def test_snapshot_rebuilds_identically_from_the_bundle(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_snapshot", REPO / "scripts" / "build_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rebuilt = mod.build(SHARED_DATA)
    out = tmp_path / "snap.parquet"
    mod.write(rebuilt, out)
    a = pd.read_parquet(out)
    b = pd.read_parquet(SNAPSHOT_PATH)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="the real-data bundle is not beside the repo")
def test_split_basis_of_megacap_history_is_unified():
    # NVDA had a 10:1 split in 2024: the older history file is on the pre-split basis.
    df = pd.read_parquet(SNAPSHOT_PATH).query("series_id == 'NVDA'").set_index("obs_date")
    old = pd.read_csv(SHARED_DATA / "prices/history/NVDA_2000_2024.csv", index_col="date",
                      parse_dates=True)
    d = pd.Timestamp("2015-06-01")
    assert df.loc[d.date(), "value"] == pytest.approx(old.loc[d, "close"] * 0.1)
    # No jump of 90% anywhere in the stitched series.
    r = df["value"].pct_change().abs()
    assert r.max() < 0.5


def _series(df: pd.DataFrame, sid: str) -> pd.Series:
    s = df[df["series_id"] == sid]
    return pd.Series(s["value"].to_numpy(), index=pd.DatetimeIndex(s["obs_date"]))


def test_the_2026_12_05_extensions_are_joined():
    """Rates, ON RRP, H.4.1 and VIX to early October 2026, with the 2026-09-17 rate rise;
    the DTS TGA and prices to 2026-10-01; the STLFSI4 vintage tail is not spliced on."""
    df = pd.read_parquet(SNAPSHOT_PATH)
    iorb = _series(df, "IORB")
    assert iorb["2026-09-16"] == 3.65 and iorb["2026-09-17"] == 3.90
    assert iorb.index.max() == pd.Timestamp("2026-10-09")
    for sid, end in [("SOFR", "2026-10-08"), ("RRPONTSYD", "2026-10-09"),
                     ("WRESBAL", "2026-10-07"), ("WALCL", "2026-10-07"),
                     ("VIXCLS", "2026-10-08"), ("TGA_DTS", "2026-10-01"),
                     ("TGCR", "2026-10-01"), ("NVDA", "2026-10-01"), ("SPY", "2026-10-01"),
                     ("STLFSI4", "2026-07-17"), ("TLAACBW027SBOG", "2026-04-15"),
                     ("AVGO", "2026-05-15")]:
        assert _series(df, sid).index.max() == pd.Timestamp(end), sid


def test_fed_repo_take_up_history():
    """RPONTTLD (USD bn): the 2019-20 Desk operations and the standing repo facility."""
    rp = _series(pd.read_parquet(SNAPSHOT_PATH), "RPONTTLD")
    assert rp.index.min() == pd.Timestamp("2018-05-16")
    assert rp.index.max() == pd.Timestamp("2026-10-08")
    for day, bn in [("2019-09-17", 53.15), ("2020-03-17", 152.75), ("2025-10-31", 50.35),
                    ("2025-12-31", 74.6)]:
        assert rp[day] == pytest.approx(bn, abs=1e-9), day


def test_share_counts_of_every_megacap():
    """Cover counts as filed: META's two classes added, GOOGL's all-class total, AVGO dated
    by its filing date (the source has no cover date)."""
    df = pd.read_parquet(SNAPSHOT_PATH)
    meta = _series(df, "SHARES_META")
    assert meta["2024-10-25"] == 2180000871 + 344487662 and len(meta) == 3
    avgo = df[df["series_id"] == "SHARES_AVGO"].set_index("obs_date")
    assert avgo.loc[pd.Timestamp("2026-09-10").date(), "value"] == 4773629865
    assert (avgo["as_of"] == avgo.index).all()
    amzn = _series(df, "SHARES_AMZN")
    assert amzn["2022-04-20"] == 508720481 and amzn["2022-07-20"] == 10187554818


AUCTIONS_PATH = SNAPSHOT_PATH.with_name("auctions.parquet")


def test_auction_records_are_small_and_point_in_time():
    assert AUCTIONS_PATH.stat().st_size + SNAPSHOT_PATH.stat().st_size < 3 * 1024 * 1024
    a = pd.read_parquet(AUCTIONS_PATH)
    assert not a.duplicated(["cusip", "issue_date"]).any()
    assert (a["announced"] <= a["auction_date"]).all()
    assert (a["auction_date"] <= a["issue_date"]).all()
    assert ((a["issue_date"] >= pd.Timestamp("2015-01-01").date())
            | (a["maturity_date"] >= pd.Timestamp("2015-01-01").date())).all()


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="the real-data bundle is not beside the repo")
def test_auction_records_rebuild_identically_from_the_bundle(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_snapshot", REPO / "scripts" / "build_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "auctions.parquet"
    mod.write_auctions(mod.auction_records(SHARED_DATA), out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(AUCTIONS_PATH))


def test_the_funding_history_reaches_back_to_2000():
    """The history folder's files from 2000, joined where the bundle's files continue them:
    the point target to 2008-12-15, the range from 2008-12-16 (a definitional break, not a
    gap); values as the bundle's README cites them."""
    df = pd.read_parquet(SNAPSHOT_PATH)
    tar, top = _series(df, "DFEDTAR"), _series(df, "DFEDTARU")
    assert tar.index.max() == pd.Timestamp("2008-12-15")
    assert top.index.min() == pd.Timestamp("2008-12-16")
    assert top.index.max() == pd.Timestamp("2026-08-21")  # the bundle's file continues it
    assert tar["2008-09-15"] == 2.0
    for sid in ("DFF", "DFEDTAR", "TEDRATE", "USD3MTD156N", "DTB3", "RIFSPPFAAD90NB",
                "TLAACBW027SBOG", "RPONTSYD"):
        assert _series(df, sid).index.min() < pd.Timestamp("2000-01-10"), sid
    assert _series(df, "DFF")["2008-09-16"] == pytest.approx(1.98)
    assert _series(df, "TEDRATE")["2008-09-17"] == pytest.approx(303.0)  # bp
    rp = _series(df, "RPONTSYD")
    for day, bn in [("2008-09-18", 2.862), ("2019-09-17", 40.85), ("2020-03-16", 100.8)]:
        assert rp[day] == pytest.approx(bn, abs=1e-9), day
    bank = _series(df, "TLAACBW027SBOG")  # history to 2017-12-27, the bundle from 2018-01-03
    assert {pd.Timestamp("2017-12-27"), pd.Timestamp("2018-01-03")} <= set(bank.index)


def test_desk_operations_before_the_standing_facility_are_not_its_take_up():
    """RPONTTLD carries the Desk's 2019-20 operations (53.15 on 2019-09-17): shown
    (``srf_usd_bn``), but the rules' take-up indicators start on the standing repo facility's
    first day, so they are no evidence."""
    from dollarliq.indicators import SRF_START, build_panel

    df = pd.read_parquet(SNAPSHOT_PATH)
    long = df[df["series_id"] == "RPONTTLD"]
    panel = build_panel(long, end=pd.Timestamp("2021-09-30"), start=pd.Timestamp("2019-09-02"))
    assert panel.daily.loc["2019-09-17", "srf_usd_bn"] == 53.15
    for col in ("srf_take_up_usd_bn", "srf_take_up_plain_usd_bn"):
        srf = panel.daily[col]
        assert srf[:SRF_START - pd.Timedelta(days=1)].isna().all()
        assert srf[SRF_START:].notna().any()
