"""Data providers, one module each. Only this package and ``http.py`` touch the network."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from dollarliq.catalog import SeriesSpec, get_spec, specs_for_source
from dollarliq.errors import UsageError

if TYPE_CHECKING:
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
#: Record tables an update fetches beside the series (``--series AUCTIONS``): part id ->
#: FiscalData endpoint (``sources.auctions``).
RECORD_PARTS = {"AUCTIONS": "auctions_query", "AUCTIONS_UPCOMING": "upcoming_auctions"}


def __getattr__(name: str) -> Any:
    # The fetchers' base (pandas) is imported on first use, so that an update can say what
    # it will fetch before the heavy imports.
    if name in ("Fetcher", "Observation", "Query", "run_fetch"):
        from dollarliq.sources import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def planned_specs(sources: Sequence[str] | None = None,
                  series: Sequence[str] | None = None) -> list[SeriesSpec]:
    """The series an update of ``sources`` (default: all) and ``series`` (default: all of
    them) asks for, in plan order. UsageError for an unknown source, or a series whose
    source is not chosen."""
    chosen = list(sources) if sources else list(UPDATABLE_SOURCES)
    for s in chosen:
        if s not in UPDATABLE_SOURCES:
            raise UsageError(f"--source {s!r}: choose from {', '.join(UPDATABLE_SOURCES)}")
    only = {get_spec(s).id for s in series} if series else None
    if only:
        for sid in only:
            if get_spec(sid).source not in chosen:
                raise UsageError(f"--series {sid}: it comes from {get_spec(sid).source}, "
                                 f"which is not among --source {', '.join(chosen)}")
    return [spec for src in chosen for spec in specs_for_source(src)
            if only is None or spec.id in only]


def planned_parts(sources: Sequence[str] | None = None,
                  series: Sequence[str] | None = None) -> tuple[list[str], list[str], bool]:
    """(record parts, series names, whether series are fetched) for an update of
    ``sources`` and ``series``.

    Record parts come when the treasury source is in the update and no series was named,
    or when they are named (``--series AUCTIONS``); series are fetched unless only record
    parts were named.
    """
    named = list(dict.fromkeys(s.upper() for s in series or () if s.upper() in RECORD_PARTS))
    rest = [s for s in series or () if s.upper() not in RECORD_PARTS]
    asks_series = bool(rest) or not named
    if sources and "treasury" not in sources:
        return [], rest, asks_series
    return (named if named else ([] if rest else list(RECORD_PARTS))), rest, asks_series


def planned(sources: Sequence[str] | None = None,
            series: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(source, id) of every series and record part an update of ``sources`` and ``series``
    asks for, without touching the store or importing pandas (a front end says what it will
    fetch at once)."""
    parts, rest, asks_series = planned_parts(sources, series)
    specs = planned_specs(sources, rest) if asks_series else []
    return [(s.source, s.id) for s in specs] + [("treasury", p) for p in parts]


def get_fetcher(source: str) -> Fetcher:
    """A fetcher instance for ``source`` (fred, nyfed, treasury, fedboard, ofr, cboe, yahoo)."""
    module, name = _FETCHERS[source]
    return getattr(import_module(module), name)()


__all__ = ["Fetcher", "Observation", "Query", "run_fetch", "get_fetcher", "planned",
           "planned_parts", "planned_specs", "RECORD_PARTS", "UPDATABLE_SOURCES"]
