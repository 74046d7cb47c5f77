"""The point-in-time store: release lags, vintages, atomic writes, round trips."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dollarliq.errors import StoreError
from dollarliq.frame import load_frame, load_series
from dollarliq.store import Store

T = pd.Timestamp


def obs(series_id, rows):
    return pd.DataFrame(rows, columns=["obs_date", "value", "as_of"]).assign(
        series_id=series_id)


# --- weekly release lag, on the real snapshot -------------------------------------------
def test_wednesday_walcl_is_not_visible_on_that_wednesday(store):
    # WALCL for Wednesday 2025-10-29 is published in the H.4.1 on Thursday 2025-10-30.
    on_wed = load_series(store, "WALCL", as_of=T("2025-10-29"))
    on_thu = load_series(store, "WALCL", as_of=T("2025-10-30"))
    assert on_wed.index.max() == T("2025-10-22")
    assert on_thu.index.max() == T("2025-10-29")


def test_wresbal_end_october_2025_is_about_2850_bn(store):
    s = load_series(store, "WRESBAL", as_of=T("2025-10-31"))
    assert s.index.max() == T("2025-10-29")
    assert s.iloc[-1] == pytest.approx(2848.021)


def test_sofr_friday_is_published_next_business_day(store):
    fri = load_series(store, "SOFR", as_of=T("2025-10-31"))
    mon = load_series(store, "SOFR", as_of=T("2025-11-03"))
    assert fri.index.max() == T("2025-10-30")
    assert mon.loc[T("2025-10-31")] == pytest.approx(4.22)


def test_rrp_is_in_billions_and_walcl_converted_from_millions(store):
    rrp = load_series(store, "RRPONTSYD", as_of=None)
    walcl = load_series(store, "WALCL", as_of=None)
    assert rrp.loc[T("2025-10-31")] == pytest.approx(51.802)
    # The H.4.1 total assets are ~6.6 trillion in late 2025: in billions, 6,000-7,500.
    assert 6000 < walcl.loc[T("2025-10-29")] < 7500


# --- revisions ----------------------------------------------------------------------------
def test_revised_value_shows_the_vintage_public_on_the_date(empty_store):
    s = empty_store
    first = obs("WALCL", [(T("2024-03-06"), 7500.0, T("2024-03-07"))]).assign(vintage=True)
    revised = obs("WALCL", [(T("2024-03-06"), 7512.5, T("2024-03-14"))]).assign(vintage=True)
    assert s.write([first, revised]) == 2
    assert s.query(["WALCL"], as_of=T("2024-03-06")).empty
    assert load_series(s, "WALCL", as_of=T("2024-03-07")).iloc[-1] == 7500.0
    assert load_series(s, "WALCL", as_of=T("2024-03-13")).iloc[-1] == 7500.0
    assert load_series(s, "WALCL", as_of=T("2024-03-14")).iloc[-1] == 7512.5
    assert load_series(s, "WALCL", as_of=None).iloc[-1] == 7512.5


def test_revision_without_vintage_is_stamped_with_the_download_date(empty_store):
    s = empty_store
    s.write([obs("WALCL", [(T("2024-03-06"), 7500.0, T("2024-03-07"))])])
    # The same observation read again later with another value and no vintage record:
    s.write([obs("WALCL", [(T("2024-03-06"), 7512.5, T("2024-03-07"))])],
            fetched_at=T("2024-05-01 12:00"))
    assert load_series(s, "WALCL", as_of=T("2024-04-30")).iloc[-1] == 7500.0
    assert load_series(s, "WALCL", as_of=T("2024-05-01")).iloc[-1] == 7512.5


def test_same_value_twice_is_not_stored_twice(empty_store):
    rows = obs("SOFR", [(T("2025-10-31"), 4.22, T("2025-11-03"))])
    assert empty_store.write([rows]) == 1
    assert empty_store.write([rows]) == 0
    assert len(empty_store.vintages("SOFR")) == 1


def test_missing_value_is_stored_as_missing_not_zero(empty_store):
    empty_store.write([obs("SOFR", [(T("2025-11-11"), None, T("2025-11-12"))])])
    v = empty_store.vintages("SOFR")["value"].iloc[0]
    assert math.isnan(v)
    assert load_series(empty_store, "SOFR", as_of=None).empty


# --- atomic writes --------------------------------------------------------------------------
def _batches_that_fail_midway():
    yield obs("WALCL", [(T("2027-01-06"), 6587.0, T("2027-01-07"))])
    yield obs("SOFR", [(T("2027-01-05"), 3.45, T("2027-01-06"))])
    raise RuntimeError("connection dropped while fetching the third series")


def test_write_failing_midway_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        assert s.write([obs("IORB", [(T("2027-01-04"), 3.40, T("2027-01-04"))])]) == 1
        before = s.vintages("IORB"), s.user_rows()
        with pytest.raises(RuntimeError):
            s.write(_batches_that_fail_midway())
        assert s.user_rows() == before[1]
    with Store(path) as s:  # and on disk, after reopening
        assert s.user_rows() == 1
        assert s.vintages("WALCL").query("obs_date >= '2027-01-01'").empty
        assert s.vintages("SOFR").query("obs_date >= '2027-01-01'").empty
        pd.testing.assert_frame_equal(s.vintages("IORB"), before[0])


def test_bad_row_rolls_back_the_whole_write(empty_store):
    good = obs("SOFR", [(T("2025-11-05"), 3.95, T("2025-11-06"))])
    bad = obs("SOFR", [(T("2025-11-06"), "not a number", T("2025-11-07"))])
    with pytest.raises((ValueError, StoreError)):
        empty_store.write([good, bad])
    assert empty_store.user_rows() == 0


# --- properties -------------------------------------------------------------------------------
days = st.integers(min_value=0, max_value=60)
values = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def vintage_rows(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        d = draw(days)
        lag = draw(st.integers(0, 20))
        rows.append((T("2024-01-01") + pd.Timedelta(days=d),
                     draw(values), T("2024-01-01") + pd.Timedelta(days=d + lag)))
    return rows


@settings(max_examples=40, deadline=None)
@given(rows=vintage_rows(), probe=st.integers(0, 90))
def test_as_of_takes_latest_vintage_public_on_the_date(rows, probe):
    s = Store(":memory:", snapshot=None)
    frame = obs("WALCL", rows).assign(vintage=True)
    s.write([frame])
    t = T("2024-01-01") + pd.Timedelta(days=probe)
    got = s.query(["WALCL"], as_of=t)
    # Reference: plain Python over the rows as stored (duplicates collapse to one row).
    stored = s.vintages("WALCL")
    expect = {}
    for r in stored.itertuples():
        if pd.Timestamp(r.as_of) <= t:
            key = pd.Timestamp(r.obs_date)
            if key not in expect or pd.Timestamp(r.as_of) >= expect[key][1]:
                expect[key] = (r.value, pd.Timestamp(r.as_of))
    assert set(got["obs_date"]) == set(expect)
    assert (got["as_of"] <= t).all()
    for r in got.itertuples():
        assert r.as_of == expect[r.obs_date][1]
    s.close()


@settings(max_examples=30, deadline=None)
@given(rows=vintage_rows(), later=values, probe=st.integers(0, 60))
def test_a_later_vintage_never_changes_an_earlier_frame(rows, later, probe):
    s = Store(":memory:", snapshot=None)
    s.write([obs("WALCL", rows).assign(vintage=True)])
    t = T("2024-01-01") + pd.Timedelta(days=probe)
    before = s.query(["WALCL"], as_of=t)
    last_as_of = max(r[2] for r in rows)
    s.write([obs("WALCL", [(rows[0][0], later, last_as_of + pd.Timedelta(days=1))])
             .assign(vintage=True)])
    if t <= last_as_of:
        pd.testing.assert_frame_equal(s.query(["WALCL"], as_of=t), before)
    s.close()


@settings(max_examples=50, deadline=None)
@given(v=values)
def test_floats_round_trip_exactly(v):
    s = Store(":memory:", snapshot=None)
    s.write([obs("SOFR", [(T("2024-01-02"), v, T("2024-01-03"))])])
    assert s.query(["SOFR"], as_of=None)["value"].iloc[0] == v
    s.close()


def test_load_frame_is_wide_in_stored_units(store):
    f = load_frame(store, ["SOFR", "IORB"], as_of=T("2025-11-04"),
                   start=T("2025-10-29"), end=T("2025-11-03"))
    assert list(f.columns) == ["SOFR", "IORB"]
    assert f.loc[T("2025-10-31"), "SOFR"] == pytest.approx(4.22)
    assert f.loc[T("2025-10-31"), "IORB"] == pytest.approx(3.90)


def test_cache_round_trip(empty_store):
    assert empty_store.cache_get("cv", "k") is None
    empty_store.cache_put("cv", "k", b"\x00\x01payload")
    empty_store.cache_put("cv", "k", b"newer")
    assert empty_store.cache_get("cv", "k") == b"newer"


# --- missing is not a revision --------------------------------------------------------------
def _fredgraph_sofr(fixture_bytes, body: bytes | None = None) -> pd.DataFrame:
    from dollarliq.catalog import get_spec
    from dollarliq.sources.fred import FredFetcher
    from dollarliq.store import observations_frame

    raw = body if body is not None else fixture_bytes("fred/fredgraph_SOFR_2025-10_2025-11.csv")
    f = FredFetcher()
    query = f.build_query(get_spec("SOFR"), T("2025-10-01"), T("2025-11-30"))
    return observations_frame(f.transform(query, raw))


HOLIDAYS = [T("2025-10-13"), T("2025-11-11"), T("2025-11-27")]  # empty cells in the recording


def test_fred_empty_cells_are_missing_only_for_dates_the_store_does_not_have(
        empty_store, fixture_bytes, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    frame = _fredgraph_sofr(fixture_bytes)
    assert frame.loc[frame["obs_date"].isin(HOLIDAYS), "value"].isna().all()
    added, revised = empty_store.write_counts([frame])
    assert (added, revised) == (len(frame), 0)
    rows = empty_store.vintages("SOFR").set_index("obs_date")
    assert rows.loc[HOLIDAYS, "value"].isna().all()  # recorded as missing: unknown dates
    # Read again: nothing new, the missing days stay missing once.
    assert empty_store.write_counts([frame]) == (0, 0)


def test_a_missing_value_over_a_known_one_is_not_a_revision(store, fixture_bytes, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    raw = fixture_bytes("fred/fredgraph_SOFR_2025-10_2025-11.csv")
    # Built here from the recording: the known 2025-10-30 and 2025-10-31 values replaced by
    # "." and by an empty cell, the two ways FRED prints a value it does not have.
    text = raw.decode().replace("2025-10-30,4.22", "2025-10-30,.").replace(
        "2025-10-31,4.22", "2025-10-31,")
    assert text != raw.decode()
    frame = _fredgraph_sofr(fixture_bytes, text.encode())
    end_before = store.data_end(["SOFR"])
    before = store.query(["SOFR"], start=T("2025-10-01"), end=T("2025-11-30"))
    known = set(before["obs_date"])
    added, revised = store.write_counts([frame])
    assert revised == 0
    # Only dates the snapshot does not have were added, all of them missing values.
    new = store.con.execute("SELECT obs_date, value FROM observations").df()
    assert not (set(pd.to_datetime(new["obs_date"])) & known)
    assert new["value"].isna().all() and added == len(new)
    after = store.query(["SOFR"], start=T("2025-10-01"), end=T("2025-11-30"))
    after = after[after["obs_date"].isin(known)].reset_index(drop=True)
    pd.testing.assert_frame_equal(after, before.reset_index(drop=True))
    assert store.data_end(["SOFR"]) == end_before
    assert load_series(store, "SOFR", as_of=None).loc[T("2025-10-31")] == pytest.approx(4.22)


def test_write_counts_split_new_dates_from_revisions(empty_store):
    s = empty_store
    assert s.write_counts([obs("WALCL", [(T("2024-03-06"), 7500.0, T("2024-03-07"))])]) == (1, 0)
    both = obs("WALCL", [(T("2024-03-06"), 7512.5, T("2024-03-07")),
                         (T("2024-03-13"), 7490.0, T("2024-03-14"))])
    assert s.write_counts([both]) == (1, 1)


# --- short writes, no file until there is something to write --------------------------------
def test_store_writer_creates_the_file_only_with_something_new(tmp_path):
    from dollarliq.store import SNAPSHOT_PATH, StoreWriter

    path = tmp_path / "home" / "dollarliq.duckdb"
    w = StoreWriter(path, snapshot=SNAPSHOT_PATH)
    assert w.write([obs("SOFR", [])]) == [(0, 0)]
    # SOFR on 2025-10-31 is in the snapshot: nothing new, still no file.
    assert w.write([obs("SOFR", [(T("2025-10-31"), 4.22, T("2025-11-03"))])]) == [(0, 0)]
    assert not path.exists()
    assert w.write([obs("SOFR", [(T("2025-10-31"), 4.22, T("2025-11-03"))]),
                    obs("WALCL", [(T("2027-01-06"), 6587.0, T("2027-01-07"))])]) == \
        [(0, 0), (1, 0)]
    assert path.exists() and sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert w.write([obs("WALCL", [(T("2027-01-13"), 6590.0, T("2027-01-14"))])]) == [(1, 0)]
    with Store(path, read_only=True) as s:  # the writer let go of the file
        assert s.user_rows() == 2


def test_a_zero_byte_store_file_is_treated_as_absent(tmp_path):
    from dollarliq.store import StoreWriter, open_store

    path = tmp_path / "dollarliq.duckdb"
    path.write_bytes(b"")
    with open_store(path) as s:  # reads: the snapshot alone
        assert s.path is None and s.data_end(["SOFR"]) is not None
    StoreWriter(path).write([obs("WALCL", [(T("2027-01-06"), 6587.0, T("2027-01-07"))])])
    with open_store(path) as s:
        assert s.user_rows() == 1


def test_a_busy_store_is_exit_5_after_the_wait(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "dollarliq.duckdb"
    Store(path).close()
    hold = ("import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(30)")
    p = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="busy") as err:
            Store(path, read_only=True, wait=0.3)
        assert err.value.exit_code == 5
    finally:
        p.kill()
        p.wait()
