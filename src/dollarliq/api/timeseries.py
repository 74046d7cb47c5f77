"""The series use cases: one series or indicator, a panel of series, the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import (_engine, _engine_ids, _read, check_store, check_text,
                                 check_texts, open_store, parse_as_of, resolve_as_of)
from dollarliq.dates import today as current_date
from dollarliq.errors import NotEnoughData, UsageError, shown

if TYPE_CHECKING:  # pandas loads on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.store import Store


# ----------------------------------------------------------------------------- series

def _is_indicator(series_id: str) -> bool:
    from dollarliq.indicator_catalog import INDICATORS

    return series_id.lower() in INDICATORS


def series(id: str, start: Any = None, end: Any = None, *, as_of: Any = None,
           store: Store | None = None, home: str | Path | None = None) -> pd.Series:
    """One series or indicator as known on a date, in its stored unit.

    Parameters
    ----------
    id : str
        A catalog series id (``SOFR``, ``WALCL``...) or an indicator id
        (``net_liquidity_usd_bn``); see :func:`series_list`.
    start, end : str | date | Timestamp, optional
        First and last observation date.
    as_of : str | date | Timestamp, optional
        Use only values public on this date (default: everything known; for an
        indicator, the latest release of the core inputs).

    Returns
    -------
    pandas.Series
        Values indexed by observation date; ``attrs["unit"]`` (e.g. ``usd_bn``, ``pct``,
        ``bp``), ``attrs["released"]`` (a Series of release dates), ``attrs["source"]``.
        A date the source published without a value (a holiday in a FRED daily series) is
        left out; ``dollarliq series show`` lists it with an empty value.
    """
    import pandas as pd

    from dollarliq.catalog import get_spec

    id = check_text(id, "series id", "SOFR")
    check_store(store)
    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    if _is_indicator(id):
        from dollarliq.indicator_catalog import INDICATORS

        ind = INDICATORS[id.lower()]
        with open_store(store, home) as st:
            rows = _read(st, _engine_ids())
        d = resolve_as_of(rows, as_of)
        res = _engine(rows, d)
        lo = pd.Timestamp(s) if s is not None else res.data_start
        hi = pd.Timestamp(e) if e is not None else res.as_of
        if ind.level == "obs":
            o = res.panel.obs[ind.id]
            o = o[(o.index >= lo) & (o.index <= hi)]
            out, released = o["value"].astype(float), pd.Series(o["release"].values, o.index)
        else:
            x = res.panel.daily[ind.id]
            out = x[(x.index >= lo) & (x.index <= hi)].astype(float)
            released = pd.Series(out.index, out.index)
        out = out.rename(ind.id)
        out.index.name = "date"
        out.attrs.update(unit=ind.unit, source="derived", released=released)
        return out
    spec = get_spec(id)
    with open_store(store, home) as st:
        rows = _read(st, [spec.id])
    d = parse_as_of(as_of)
    if spec.id not in rows.first_public:
        raise NotEnoughData(f"no data for {spec.id}: run `dollarliq update`")
    if d is not None:
        first = rows.first_public[spec.id]
        if pd.Timestamp(d) < first:
            raise UsageError(f"as-of date {d:%Y-%m-%d} is before the data begin: the first "
                             f"value of {spec.id} became public on {first:%Y-%m-%d}")
        if d > current_date():
            raise UsageError(f"as-of date {d:%Y-%m-%d} is in the future (the data end on "
                             f"{rows.last_obs[spec.id]:%Y-%m-%d})")
    long = rows.latest([spec.id], as_of=d)
    if s is not None:
        long = long[long["obs_date"] >= pd.Timestamp(s)]
    if e is not None:
        long = long[long["obs_date"] <= pd.Timestamp(e)]
    long = long[long["value"].notna()]
    out = pd.Series(long["value"].to_numpy(float), index=pd.DatetimeIndex(long["obs_date"],
                                                                          name="date"),
                    name=spec.id)
    out.attrs.update(unit=spec.unit, source=spec.source,
                     released=pd.Series(long["as_of"].to_numpy(), index=out.index))
    return out


#: The row grids of :func:`panel`.
PANEL_FREQS = ("B", "D")


def panel(ids: Sequence[str], start: Any = None, end: Any = None, *, as_of: Any = None,
          freq: str = "B", store: Store | None = None,
          home: str | Path | None = None) -> pd.DataFrame:
    """Several catalog series side by side, as known on a date.

    Parameters
    ----------
    ids : sequence of str
        Catalog series ids.
    start, end : str | date | Timestamp, optional
        First and last observation date.
    as_of : str | date | Timestamp, optional
        Use only values public on this date (default: everything known).
    freq : {"B", "D"}
        The rows. ``"B"`` (default): business days (the Fedwire calendar of
        :func:`dollarliq.dates.business_days`), so a series published every calendar day
        (IORB, ON RRP award rate) is read on the business days and adds no weekend rows; a
        day off that grid stays when a series that is not published every calendar day has
        an observation on it (a weekly level dated on a holiday, a stock close on a Fed
        holiday), so no observation is lost. ``"D"``: every observation date of every
        series, weekends included.

    Returns
    -------
    pandas.DataFrame
        One column per id (in stored units; ``attrs["units"]`` maps id -> unit), indexed by
        observation date; a date one series lacks is NaN there (no value is carried
        forward).
    """
    import pandas as pd

    from dollarliq.catalog import get_spec

    names = check_texts(ids, "series ids", "SOFR")
    check_store(store)
    if freq not in PANEL_FREQS:
        raise UsageError(f"freq {shown(freq)!r}: choose B (business days) or D (every "
                         "observation date)")
    specs = [get_spec(i) for i in names]
    canon = list(dict.fromkeys(sp.id for sp in specs))
    s, e, d = (parse_as_of(start, "start date"), parse_as_of(end, "end date"),
               parse_as_of(as_of))
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    with open_store(store, home) as st:
        rows = _read(st, canon)
    if d is not None:
        firsts = [rows.first_public[c] for c in canon if c in rows.first_public]
        if not firsts:
            raise NotEnoughData(f"no data for {', '.join(canon)}: run `dollarliq update`")
        if pd.Timestamp(d) < min(firsts):
            raise UsageError(f"as-of date {d:%Y-%m-%d} is before the data begin: the first "
                             f"value of {', '.join(canon)} became public on "
                             f"{min(firsts):%Y-%m-%d}")
    long = rows.latest(canon, as_of=d)
    wide = long.pivot(index="obs_date", columns="series_id", values="value")
    wide = wide.reindex(columns=canon).sort_index()
    if s is not None:
        wide = wide[wide.index >= pd.Timestamp(s)]
    if e is not None:
        wide = wide[wide.index <= pd.Timestamp(e)]
    if freq == "B":
        wide = _on_business_days(wide)
    wide.index.name = "date"
    wide.columns.name = None
    wide.attrs["units"] = {sp.id: sp.unit for sp in specs}
    return wide


def _on_business_days(wide: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``wide`` on Fedwire business days, plus any other day on which a series
    that is not published every calendar day has a value (nothing observed is dropped)."""
    from dollarliq.dates import business_days

    if wide.empty:
        return wide
    keep = wide.index.isin(business_days(wide.index.min(), wide.index.max()))
    weekend = wide.index.day_of_week >= 5
    for col in wide.columns:
        has = wide[col].notna().to_numpy()
        if not (has & weekend).any():  # not a calendar-daily series: keep all its days
            keep |= has
    return wide[keep]


def series_list(source: str | None = None, *, store: Store | None = None,
                home: str | Path | None = None) -> list[dict[str, Any]]:
    """The catalog: every series and derived indicator with its unit, source and coverage.

    Parameters
    ----------
    source : str, optional
        Only this source (``fred``, ``nyfed``, ``treasury``, ``fedboard``, ``ofr``,
        ``yahoo``, ``shiller``, ``edgar`` or ``derived``).

    Returns
    -------
    list of dict
        The rows of ``series list --format json``: id, source, name, name_zh, unit,
        native_unit, freq, observation, release, first, last (and inputs for indicators).
    """
    from dollarliq.catalog import SOURCES, all_specs

    if source is not None and source not in (*SOURCES, "derived"):
        raise UsageError(f"unknown source {shown(source)!r}: choose one of "
                         f"{', '.join((*SOURCES, 'derived'))}")
    with open_store(store, home) as st:
        cov = st.coverage()
    rows = []
    for s in all_specs():
        if source and s.source != source:
            continue
        c = cov.get(s.id)
        rows.append({
            "id": s.id, "source": s.source, "name": s.name_en, "name_zh": s.name_zh,
            "unit": s.unit, "native_unit": s.native_unit, "freq": s.freq,
            "observation": s.obs_convention, "release": s.release.describe(),
            "first": c.first_obs.strftime("%Y-%m-%d") if c else None,
            "last": c.last_obs.strftime("%Y-%m-%d") if c else None,
        })
    if source in (None, "derived"):
        from dollarliq.indicator_catalog import INDICATORS

        for ind in INDICATORS.values():
            rows.append({
                "id": ind.id, "source": "derived", "name": ind.name_en, "name_zh": ind.name_zh,
                "unit": ind.unit, "native_unit": ind.unit,
                "freq": "D" if ind.level == "daily" else "obs",
                "observation": "business day (as known that day)" if ind.level == "daily"
                else "observation date of its inputs",
                "release": "when its latest input is released",
                "first": None, "last": None, "inputs": list(ind.inputs)})
    return rows
