"""How old the data are against today: one home for the ages and staleness every front end
states (report header and JSON, dashboard banner, ``watch``, ``/v1/health``, MCP results).

* **Age**: calendar days from a series' last observation date to the date it is judged on
  (today, from :func:`dollarliq.dates.today`, or an as-of date).
* **Past its lag**: the staleness rule of the stages (:func:`dollarliq.indicators.stale_days`):
  the series' normal publication lag (its release rule) plus the allowance of its frequency
  (5 business days for a daily series, a week and 10 days for a weekly one, two months for
  a monthly one). Data past their lag against today are old: ``dollarliq update`` fetches
  newer ones.
* **The data end**: the latest observation of the core liquidity inputs
  (:data:`dollarliq.catalog.CORE_IDS`); the data are stale when any core input is past
  its lag against today.

Pure functions; pandas loads on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from dollarliq.catalog import CORE_IDS
from dollarliq.dates import as_date


def age_days(last_obs: Any, on: Any) -> int | None:
    """Calendar days from ``last_obs`` to ``on`` (None when ``last_obs`` is None)."""
    if last_obs is None:
        return None
    return (as_date(on) - as_date(last_obs)).days


def past_lag(series_id: str, last_obs: Any, on: Any) -> bool:
    """True when ``series_id``'s last observation ``last_obs`` is older on ``on`` than its
    release rule and frequency allow (the stages' staleness rule). A series outside the
    catalog is judged as a daily one published the same day; no observation is past its lag.
    """
    import pandas as pd

    from dollarliq.catalog import CATALOG
    from dollarliq.indicators import _lag_days, stale_days

    if last_obs is None:
        return True
    freq, lag = _lag_days(series_id) if series_id in CATALOG else ("D", 0)
    od = pd.Series([pd.Timestamp(as_date(last_obs))],
                   index=pd.DatetimeIndex([pd.Timestamp(as_date(on))]))
    return bool(stale_days(od, freq, lag).iloc[0])


def data_age(last_obs: Mapping[str, Any], today: dt.date,
             core: Sequence[str] = CORE_IDS) -> dict[str, Any]:
    """The data end and its age against ``today``.

    Parameters
    ----------
    last_obs : mapping of str to date
        The last observation date of each series (at least the ``core`` ones).
    today : datetime.date
        The date the age is counted to.
    core : sequence of str
        The series whose latest observation is the data end.

    Returns
    -------
    dict
        ``today`` (YYYY-MM-DD), ``data_end`` (the latest core observation, or None),
        ``data_age_days`` (calendar days from the data end to today, or None),
        ``data_stale`` (bool: a core input is missing or past its publication lag on
        ``today``) and ``stale_core`` (those inputs, in ``core`` order).
    """
    ends = {s: as_date(last_obs[s]) for s in core if last_obs.get(s) is not None}
    end = max(ends.values()) if ends else None
    stale = [s for s in core if past_lag(s, ends.get(s), today)]
    return {"today": f"{today:%Y-%m-%d}",
            "data_end": None if end is None else f"{end:%Y-%m-%d}",
            "data_age_days": age_days(end, today),
            "data_stale": bool(stale), "stale_core": stale}


def stamp_report(doc: dict[str, Any], today: dt.date, *, requested: bool) -> dict[str, Any]:
    """The report document with its ages against ``today`` (a new dict; ``doc`` is kept).

    Adds ``today``, ``data_age_days``, ``data_stale``, ``stale_core``, ``as_of_requested``
    (the as-of date was asked for, not the default) and ``update_advised`` at the top, and
    ``age_today_days``
    (calendar days from the last observation to today) and ``stale_today`` (past its
    publication lag on today) to each ``freshness`` entry; ``age_days`` and ``stale`` there
    stay measured against the as-of date.

    ``update_advised`` (the headline says how old the data are and that ``dollarliq update``
    fetches newer ones): a core input is past its lag today, and the report is on the
    default as-of date or a core input was already past its lag on the as-of date (a
    report asked for a past date whose data were fresh then is not old).
    """
    fresh = []
    for f in doc.get("freshness", []):
        g = dict(f)
        g["age_today_days"] = age_days(f.get("last_obs"), today)
        g["stale_today"] = (past_lag(f["series"], f["last_obs"], today)
                            if f.get("last_obs") else False)
        fresh.append(g)
    last = {f["series"]: f["last_obs"] for f in fresh if f.get("last_obs")}
    age = data_age(last, today)
    stamp = {"today": age["today"], "data_age_days": age["data_age_days"],
             "data_stale": age["data_stale"], "stale_core": age["stale_core"],
             "as_of_requested": bool(requested),
             "update_advised": age["data_stale"] and (
                 not requested or bool(doc.get("stage", {}).get("core_stale")))}
    out: dict[str, Any] = {}
    for k, v in doc.items():  # the ages right after the data end
        if k in stamp:
            continue
        out[k] = fresh if k == "freshness" else v
        if k == "data_end":
            out.update(stamp)
    out.update({k: v for k, v in stamp.items() if k not in out})
    return out
