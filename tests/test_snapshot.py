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
    assert SNAPSHOT_PATH.stat().st_size < 10 * 1024 * 1024


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
