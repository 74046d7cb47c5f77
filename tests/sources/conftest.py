"""Fixtures for the provider tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_fred_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
