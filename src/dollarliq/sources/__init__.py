"""Data providers, one module each. Only this package and ``http.py`` touch the network."""

from __future__ import annotations

from importlib import import_module

from dollarliq.sources.base import Fetcher, Observation, Query, run_fetch

_FETCHERS = {
    "fred": ("dollarliq.sources.fred", "FredFetcher"),
    "nyfed": ("dollarliq.sources.nyfed", "NyFedFetcher"),
    "treasury": ("dollarliq.sources.fiscaldata", "FiscalDataFetcher"),
    "fedboard": ("dollarliq.sources.fedboard", "FedBoardFetcher"),
    "ofr": ("dollarliq.sources.ofr", "OfrFetcher"),
    "cboe": ("dollarliq.sources.cboe", "CboeFetcher"),
    "yahoo": ("dollarliq.sources.yahoo", "YahooFetcher"),
}

UPDATABLE_SOURCES = tuple(_FETCHERS)


def get_fetcher(source: str) -> Fetcher:
    """A fetcher instance for ``source`` (fred, nyfed, treasury, fedboard, ofr, cboe, yahoo)."""
    module, name = _FETCHERS[source]
    return getattr(import_module(module), name)()


__all__ = ["Fetcher", "Observation", "Query", "run_fetch", "get_fetcher", "UPDATABLE_SOURCES"]
