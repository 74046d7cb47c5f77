"""The JSON documents of the stage table and of one series, from what :mod:`dollarliq.api`
returns: the layout of ``stages --format json`` and ``series show --format json``, also
served by ``dollarliq serve`` and the MCP tools. Pure; no I/O."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd


def _day(x: Any) -> str:
    return f"{x:%Y-%m-%d}"


def stages_document(tab: pd.DataFrame) -> dict[str, Any]:
    """``{"as_of", "rules", "today", "data_end", "data_age_days", "days": [{date, level, name,
    name_zh, score, raw_level, held, held_by, regime}]}`` from the frame of :func:`dollarliq.api.stages`
    (score 0-100 points or None, level 0-3; ages in calendar days to today)."""
    days = [{"date": _day(i), "level": int(r.level), "name": r.name, "name_zh": r.name_zh,
             "score": None if math.isnan(r.score) else float(r.score),
             "raw_level": int(r.raw_level),
             "held": bool(getattr(r, "held", False)),
             "held_by": getattr(r, "held_by", "") or None,
             "regime": str(getattr(r, "regime", ""))}
            for i, r in zip(tab.index, tab.itertuples())]
    extra = {k: tab.attrs[k] for k in ("today", "data_end", "data_age_days") if k in tab.attrs}
    return {"as_of": tab.attrs["as_of"], "rules": tab.attrs["rules"], **extra, "days": days}


def series_document(s: pd.Series, *, as_of: dt.date | None) -> dict[str, Any]:
    """``{"series", "name", "name_zh", "unit", "source", "as_of", "data_end",
    "observations": [{date, value, released}]}`` from the Series of
    :func:`dollarliq.api.series` (values in its stored unit, ``attrs["unit"]``)."""
    if s.attrs["source"] == "derived":
        from dollarliq.indicator_catalog import INDICATORS

        meta = INDICATORS[s.name]
    else:
        from dollarliq.catalog import get_spec

        meta = get_spec(s.name)
    obs = [{"date": _day(i), "value": None if math.isnan(v) else float(v),
            "released": _day(r)}
           for i, v, r in zip(s.index, s.to_numpy(float), s.attrs["released"])]
    known = [o for o in obs if o["value"] is not None]
    return {"series": s.name, "name": meta.name_en, "name_zh": meta.name_zh,
            "unit": s.attrs["unit"], "source": s.attrs["source"],
            "as_of": None if as_of is None else _day(as_of),
            "data_end": known[-1]["date"] if known else None, "observations": obs}
