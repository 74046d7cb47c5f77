"""Federal Reserve Board Data Download Program (DDP): H.4.1, H.8 and the policy rates, keyless.

Endpoint ``https://www.federalreserve.gov/datadownload/Output.aspx`` with ``rel`` the release
(``H41``, ``H8``, ``PRATES``). Two body formats are read, both without a key:

- the release package as SDMX-ML in a zip (``rel=H41&filetype=zip``): a stable URL holding
  every series of the release, ``{REL}_data.xml`` inside; each ``<Series SERIES_NAME=...
  UNIT_MULT=...>`` holds ``<Obs TIME_PERIOD= OBS_VALUE= OBS_STATUS=>`` elements. This is what
  :class:`FedBoardFetcher` asks for unless a saved package is configured for the release;
- a saved package as CSV (``rel=H8&series=<package hash>&from=MM/DD/YYYY&to=MM/DD/YYYY&
  filetype=csv&label=include&layout=seriescolumn&type=package``): five label rows
  (``Series Description``, ``Unit:``, ``Multiplier:``, ``Currency:``, ``Unique Identifier:``),
  then a ``Time Period`` header of series codes and one row per date; ``NA`` is missing.
  The package hash comes from the DDP's own "Choose" pages; without one the Board answers
  HTTP 200 with an empty body, which is reported as a payload error.

``spec.source_id`` is the DDP unique identifier ``REL/REL/CODE`` (``H41/H41/RESPPA_N.WW``);
columns are chosen by that code, never by position. The body's multiplier is checked against
the catalog's native unit (``usd_mn`` needs 1000000, ``usd_bn`` 1000000000, ``pct`` 1), so a
change of units on the Board's side is an error, not a silent 1000x jump. Values are then
scaled once with ``spec.scale``. Release timing comes from the catalog (H.4.1: Wednesday data
on Thursday at 16:30 ET; H.8: the Friday of the following week; policy rates: the same day).
"""

from __future__ import annotations

import csv
import io
import threading
import weakref
import zipfile
from collections.abc import Sequence
from typing import ClassVar
from xml.etree import ElementTree

import pandas as pd

from dollarliq.catalog import SeriesSpec
from dollarliq.errors import PayloadError, UsageError
from dollarliq.http import Fetch
from dollarliq.sources.base import Observation, Query, parse_number, release_dates, scaled

DDP_URL = "https://www.federalreserve.gov/datadownload/Output.aspx"
#: Saved DDP packages (release -> package hash) fetched as CSV instead of the full zip.
#: H.8: the package that public code uses for B1151NCBA (total assets, all commercial banks);
#: the hash was not checked against a live answer here.
PACKAGES: dict[str, str] = {"H8": "fce2318909bacbc8ce268096deddd180"}
#: Expected DDP multiplier for each native unit of the catalog.
MULTIPLIERS = {"usd_mn": 1_000_000.0, "usd_bn": 1_000_000_000.0, "usd": 1.0, "pct": 1.0,
               "index": 1.0}
#: The largest XML member read out of a DDP zip (bytes, uncompressed).
MAX_XML_BYTES = 512 * 1024 * 1024
_MISSING = ("", "NA", "ND", "NC", ".", "n.a.")
#: Observation statuses of the SDMX package that carry a value ("A" = available).
_VALUE_STATUS = ("A", "")
#: Bodies already downloaded through one Fetch (one update run): a release package serves
#: every series of that release with one request, also when the update asks for them from
#: several threads at once (each request key has its lock; ``[lock, body or None]``).
_bodies: weakref.WeakKeyDictionary[Fetch, dict[tuple, list]] = weakref.WeakKeyDictionary()
_bodies_lock = threading.Lock()


def _what(spec: SeriesSpec) -> str:
    return f"fedboard: {spec.id}"


def split_id(spec: SeriesSpec) -> tuple[str, str]:
    """``(release, series code)`` of ``spec.source_id`` (``H41/H41/RESPPA_N.WW``)."""
    parts = spec.source_id.split("/")
    if len(parts) != 3 or not all(parts):
        raise UsageError(f"fedboard: {spec.id}: source_id {spec.source_id!r} is not "
                         "REL/REL/CODE")
    return parts[0], parts[2]


def _ddp_day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%m/%d/%Y")


def ddp_query(spec: SeriesSpec, start: pd.Timestamp | None = None,
              end: pd.Timestamp | None = None) -> Query:
    """The DDP request for ``spec``: a saved CSV package if the release has one, else the
    release's SDMX zip."""
    rel, _ = split_id(spec)
    lo = pd.Timestamp(start).normalize() if start is not None else None
    hi = pd.Timestamp(end).normalize() if end is not None else None
    if rel in PACKAGES:
        params = {"rel": rel, "series": PACKAGES[rel], "lastobs": "",
                  "from": _ddp_day(lo) if lo is not None else "",
                  "to": _ddp_day(hi) if hi is not None else "",
                  "filetype": "csv", "label": "include", "layout": "seriescolumn",
                  "type": "package"}
    else:
        params = {"rel": rel, "filetype": "zip"}
    return Query(spec=spec, start=lo, end=hi, url=DDP_URL, params=params)


def _number(text: str, what: str, date: str) -> float | None:
    return parse_number(text, what, date, _MISSING, hint="; DDP format changed?")


def _date(text: str, what: str) -> pd.Timestamp:
    s = text.strip()
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT or len(s) not in (7, 10):
        raise PayloadError(f"{what}: {s[:20]!r} is not a date; DDP format changed?")
    return ts


def _check_multiplier(spec: SeriesSpec, found: float | None, what: str) -> None:
    want = MULTIPLIERS.get(spec.native_unit)
    if want is None or found is None:
        return
    if abs(found - want) > 1e-9 * want:
        raise PayloadError(f"{what}: the Board states multiplier {found:g} for "
                           f"{split_id(spec)[1]}, the catalog expects {want:g} "
                           f"({spec.native_unit}); units changed?")


def _empty_or_html(raw: bytes, what: str) -> None:
    if not raw.strip():
        raise PayloadError(f"{what}: the Data Download Program answered an empty body "
                           "(package hash no longer valid?)")
    head = raw.lstrip()[:200].lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html") or b"<html" in head:
        raise PayloadError(f"{what}: got an HTML page instead of DDP data; try again later")


def parse_csv(raw: bytes, what: str) -> tuple[dict[str, dict[pd.Timestamp, float | None]],
                                              dict[str, float | None]]:
    """``({code: {date: value}}, {code: multiplier})`` from a DDP seriescolumn CSV.

    Values are native (before the multiplier). PayloadError when the ``Time Period`` header
    row is missing or a row is cut short.
    """
    _empty_or_html(raw, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(f"{what}: body is not UTF-8 text; DDP format changed?") from None
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next((i for i, r in enumerate(rows)
                      if r and r[0].strip().lower() == "time period"), None)
    if header_at is None:
        raise PayloadError(f"{what}: no 'Time Period' header row in the CSV; "
                           "DDP format changed?")
    codes = [c.strip() for c in rows[header_at][1:]]
    mult: dict[str, float | None] = dict.fromkeys(codes)
    for r in rows[:header_at]:
        if r and r[0].strip().lower().startswith("multiplier"):
            for code, m in zip(codes, r[1:]):
                mult[code] = _number(m, what, "the Multiplier row")
    out: dict[str, dict[pd.Timestamp, float | None]] = {c: {} for c in codes}
    for r in rows[header_at + 1:]:
        if not r or not any(c.strip() for c in r):
            continue
        if len(r) != len(codes) + 1:
            raise PayloadError(f"{what}: CSV row {','.join(r)[:40]!r} has {len(r)} fields, "
                               f"expected {len(codes) + 1} (truncated?)")
        d = _date(r[0], what)
        for code, cell in zip(codes, r[1:]):
            out[code][d] = _number(cell, what, r[0])
    return out, mult


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_zip(raw: bytes, what: str, codes: Sequence[str] | None = None
              ) -> tuple[dict[str, dict[pd.Timestamp, float | None]], dict[str, float | None]]:
    """``({code: {date: value}}, {code: multiplier})`` from a DDP SDMX zip package.

    Only the series in ``codes`` are kept (all when None). The XML is read as a stream; a
    member larger than :data:`MAX_XML_BYTES` is refused. An observation whose status is not
    ``A`` is missing (None).
    """
    _empty_or_html(raw, what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise PayloadError(f"{what}: body is neither a DDP zip nor CSV; DDP format changed?"
                           ) from None
    with archive:
        member = next((m for m in archive.infolist() if m.filename.endswith("_data.xml")), None)
        if member is None:
            raise PayloadError(f"{what}: no *_data.xml in the DDP zip; DDP format changed?")
        if member.file_size > MAX_XML_BYTES:
            raise PayloadError(f"{what}: {member.filename} is {member.file_size} bytes "
                               f"uncompressed, over the {MAX_XML_BYTES} limit")
        wanted = set(codes) if codes is not None else None
        out: dict[str, dict[pd.Timestamp, float | None]] = {}
        mult: dict[str, float | None] = {}
        active: str | None = None
        try:
            with archive.open(member) as stream:
                for event, el in ElementTree.iterparse(stream, events=("start", "end")):
                    name = _local(el.tag)
                    if event == "start" and name == "Series":
                        code = el.attrib.get("SERIES_NAME", "")
                        active = code if wanted is None or code in wanted else None
                        if active is not None:
                            out[active] = {}
                            m = el.attrib.get("UNIT_MULT")
                            mult[active] = _number(m, what, "UNIT_MULT") if m else None
                    elif event == "end" and name == "Obs":
                        if active is not None:
                            date = el.attrib.get("TIME_PERIOD", "")
                            d = _date(date, what)
                            status = el.attrib.get("OBS_STATUS", "").strip().upper()
                            value = el.attrib.get("OBS_VALUE", "")
                            out[active][d] = (_number(value, what, date)
                                              if status in _VALUE_STATUS else None)
                        el.clear()
                    elif event == "end" and name == "Series":
                        active = None
                        el.clear()
        except (ElementTree.ParseError, zipfile.BadZipFile, EOFError, OSError):
            raise PayloadError(f"{what}: the DDP zip's XML does not parse (truncated?)"
                               ) from None
    return out, mult


def parse_body(raw: bytes, what: str, codes: Sequence[str] | None = None
               ) -> tuple[dict[str, dict[pd.Timestamp, float | None]], dict[str, float | None]]:
    """Either DDP format, told apart by the zip signature."""
    if raw[:2] == b"PK":
        return parse_zip(raw, what, codes)
    return parse_csv(raw, what)


def transform_group(specs: Sequence[SeriesSpec], raw: bytes,
                    start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """``{spec.id: observations}`` in stored units for every spec found in one DDP body.

    PayloadError naming the series when a spec's code is not in the body or its multiplier
    disagrees with the catalog.
    """
    if not specs:
        return {}
    what = _what(specs[0]) if len(specs) == 1 else f"fedboard: {split_id(specs[0])[0]}"
    codes = [split_id(s)[1] for s in specs]
    values, mult = parse_body(raw, what, codes)
    out: dict[str, list[Observation]] = {}
    for spec, code in zip(specs, codes):
        if code not in values:
            raise PayloadError(f"{_what(spec)}: series {code} is not in the DDP body; "
                               "DDP series code changed?")
        _check_multiplier(spec, mult.get(code), _what(spec))
        points = values[code]
        dates = sorted(d for d in points
                       if (start is None or d >= start) and (end is None or d <= end))
        released = release_dates(spec, dates)
        out[spec.id] = [Observation(spec.id, d, scaled(spec, points[d]), a)
                        for d, a in zip(dates, released)]
    return out


def _get(query: Query, fetch: Fetch, what: str) -> bytes:
    """One GET per request and Fetch: the other series of the same release package wait for
    it and reuse it. A failed GET is not kept: the next series asks again."""
    key = (query.url, tuple(sorted(query.params.items())))
    with _bodies_lock:
        entry = _bodies.setdefault(fetch, {}).setdefault(key, [threading.Lock(), None])
    with entry[0]:
        if entry[1] is None:
            entry[1] = fetch.get(query.url, params=query.params, what=what)
        return entry[1]


def group_by_release(specs: Sequence[SeriesSpec]) -> dict[str, list[SeriesSpec]]:
    """Specs grouped by DDP release (one request per release), in first-seen order."""
    groups: dict[str, list[SeriesSpec]] = {}
    for s in specs:
        groups.setdefault(split_id(s)[0], []).append(s)
    return groups


def fetch_group(specs: Sequence[SeriesSpec], fetch: Fetch,
                start: pd.Timestamp | None = None,
                end: pd.Timestamp | None = None) -> dict[str, list[Observation]]:
    """One request for all ``specs`` of one release; ``{spec.id: observations}``."""
    if not specs:
        return {}
    query = ddp_query(specs[0], start, end)
    raw = fetch.get(query.url, params=query.params,
                    what=f"fedboard: {split_id(specs[0])[0]}")
    return transform_group(specs, raw, query.start, query.end)


class FedBoardFetcher:
    """Federal Reserve Board DDP series (H.4.1, H.8, policy rates), in stored units."""

    source: ClassVar[str] = "fedboard"

    def build_query(self, spec: SeriesSpec, start: pd.Timestamp | None = None,
                    end: pd.Timestamp | None = None) -> Query:
        """The DDP request for ``spec`` over ``[start, end]`` (see :func:`ddp_query`)."""
        return ddp_query(spec, start, end)

    def extract(self, query: Query, fetch: Fetch) -> bytes:
        """The raw DDP body (zip or CSV); one download per Fetch serves every series of a
        release."""
        return _get(query, fetch, _what(query.spec))

    def transform(self, query: Query, raw: bytes) -> list[Observation]:
        """Observations of ``query.spec`` in ``[start, end]``, oldest first."""
        return transform_group([query.spec], raw, query.start, query.end)[query.spec.id]
