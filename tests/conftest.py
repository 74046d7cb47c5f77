from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dollarliq.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def fixture_bytes():
    """Read a recorded response body from tests/fixtures/."""

    def read(rel: str) -> bytes:
        return (FIXTURES / rel).read_bytes()

    return read


@pytest.fixture
def store():
    """The embedded snapshot with an empty in-memory store on top."""
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def empty_store():
    """An in-memory store without the snapshot."""
    s = Store(":memory:", snapshot=None)
    yield s
    s.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """DOLLARLIQ_HOME in a temporary folder, so CLI tests never see a real user store."""
    monkeypatch.setenv("DOLLARLIQ_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    return tmp_path / "home"


def ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


@pytest.fixture
def truncated_store():
    """A factory: the snapshot with every row released after ``day`` deleted.

    What a user would have had on ``day``; used to prove that no result for ``day`` looks
    ahead.
    """

    def make(day: pd.Timestamp) -> Store:
        full = Store(None)
        rows = full.con.execute(f"SELECT series_id, obs_date, value, as_of FROM {full._all} "
                                "WHERE as_of <= ?", [day.date()]).df()
        full.close()
        s = Store(":memory:", snapshot=None)
        s.write([rows.assign(vintage=True)])
        return s

    return make
