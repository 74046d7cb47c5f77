"""Every updatable source has a fetcher with a no-argument constructor."""

from __future__ import annotations

import pytest

from dollarliq.catalog import specs_for_source
from dollarliq.sources import UPDATABLE_SOURCES, get_fetcher


@pytest.mark.parametrize("source", UPDATABLE_SOURCES)
def test_registry_builds_queries_for_every_catalog_spec(source, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    fetcher = get_fetcher(source)
    assert fetcher.source == source
    for spec in specs_for_source(source):
        q = fetcher.build_query(spec, None, None)
        assert q.spec is spec and q.url.startswith("https://")
