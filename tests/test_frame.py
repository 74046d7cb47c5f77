"""The one reader: the point-in-time views derived in memory from one read of every vintage
agree with the store's own SQL views, revisions and re-downloads included."""

from __future__ import annotations

import pandas as pd
import pytest

from dollarliq.frame import read_rows

IDS = ["WALCL", "SOFR", "WRESBAL", "STLFSI4", "NVDA", "SHARES_AAPL"]


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(series_id=df["series_id"].astype(str))
    return df.sort_values(["series_id", "obs_date"]).reset_index(drop=True)[
        ["series_id", "obs_date", "value", "as_of"]]


@pytest.fixture
def revised_store(store):
    """The snapshot plus a revision with a vintage and a re-download without one
    (values made up for the test, on real dates)."""
    store.write([pd.DataFrame({"series_id": ["WALCL"], "obs_date": ["2025-10-22"],
                               "value": [6600.0], "as_of": ["2025-11-06"],
                               "vintage": [True]})])
    store.write([pd.DataFrame({"series_id": ["SOFR"], "obs_date": ["2025-10-31"],
                               "value": [4.25], "as_of": ["2025-11-03"]})],
                fetched_at=pd.Timestamp("2025-11-20 12:00"))
    return store


@pytest.mark.parametrize("day", [None, "2018-06-01", "2020-03-16", "2025-10-29", "2025-11-10",
                                 "2025-11-25"])
def test_views_agree_with_the_store(revised_store, day):
    rows = read_rows(revised_store, IDS)
    d = None if day is None else pd.Timestamp(day)
    pd.testing.assert_frame_equal(_norm(rows.latest(IDS, as_of=d)),
                                  _norm(revised_store.query(IDS, as_of=d)), check_dtype=False)
    pd.testing.assert_frame_equal(_norm(rows.first_release(IDS, as_of=d)),
                                  _norm(revised_store.first_release(IDS, as_of=d)),
                                  check_dtype=False)


def test_revisions_show_on_their_dates(revised_store):
    rows = read_rows(revised_store, ["WALCL", "SOFR"])
    sofr = rows.series_map(["SOFR"], as_of=pd.Timestamp("2025-11-19"))["SOFR"]
    assert sofr["2025-10-31"] == 4.22  # the re-download is not visible before it happened
    sofr = rows.series_map(["SOFR"], as_of=pd.Timestamp("2025-11-20"))["SOFR"]
    assert sofr["2025-10-31"] == 4.25
    first = rows.first_release(["WALCL"], as_of=pd.Timestamp("2025-11-10"))
    assert first.set_index("obs_date").loc["2025-10-22", "value"] != 6600.0  # first print
