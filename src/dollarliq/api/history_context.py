"""Today against history: where the day's main readings stand in 2003-2026, and the past
periods whose evidence was closest, with what followed (history, not a forecast)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import _engine, _engine_ids, _read, open_store, parse_as_of, resolve_as_of

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    from dollarliq.store import Store

#: Readings compared with history: (indicator or "score", the regimes it is compared within;
#: None: every regime, the measure being the same in all of them).
READINGS = (("score", None), ("vix_idx", None), ("hy_oas_bp", None),
            ("sofr_iorb_persistent_bp", ("floor_sofr",)),
            ("reserves_share_bank_assets_pct", ("floor_sofr",)),
            ("ted_bp", ("corridor", "floor_ioer")),
            ("dff_target_abs_med5d_bp", ("corridor",)))
#: The evidence compared to find analogues (z-scores over the whole replay).
ANALOGUE_FEATURES = ("score", "vix_idx", "hy_oas_bp")
#: "What followed": business days after the analogue (about three months).
FOLLOW_BD = 63
#: Two analogues are at least this many business days apart (about six months).
ANALOGUE_GAP_BD = 126


def history_context(as_of: Any = None, *, n_analogues: int = 3, store: Store | None = None,
                    home: str | Path | None = None) -> dict[str, Any]:
    """Today's main readings against the 2003-2026 replay, and the closest past periods.

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        The day (default: the latest release of the core inputs).
    n_analogues : int
        How many past periods to list (default 3).

    Returns
    -------
    dict
        ``as_of``, ``regime`` (the day's monetary regime), ``readings``: one per reading with
        ``id``, ``value`` (its unit in the id; the score in points 0-100), ``percentile``
        (0-100: the share of compared days at or below today's value), ``compared_days``,
        ``compared_from``, ``regimes`` (those compared within) and ``crosses_regime`` (True
        when the comparison spans several regimes); ``analogues``: up to ``n_analogues`` past
        days, each with ``date``, ``regime``, ``stage``, ``score``, ``distance`` (in
        standard deviations) and ``followed`` (the highest stage and score within 63
        business days after, and the day of that stage); ``note``: history, not a forecast.
        A reading without a value today is listed with ``value`` and ``percentile`` None.
    """
    d = parse_as_of(as_of, "as-of date")
    with open_store(store, home) as st:
        rows = _read(st, _engine_ids())
    day = resolve_as_of(rows, d)
    return context_from_engine(_engine(rows, day, history=True), n_analogues=n_analogues)


def context_from_engine(res: Any, *, n_analogues: int = 3) -> dict[str, Any]:
    """Pure: :func:`history_context` from the engine's 2003-2026 replay ``res`` (an
    ``EngineResult`` computed with ``history=True``), so a report computes the replay once
    and uses it for this section and the dashboard's timeline."""
    import numpy as np
    import pandas as pd

    t = res.stages.table
    daily = res.panel.usable().reindex(t.index)
    frame = daily.assign(score=t["score"])
    regime = t["regime"]
    today = t.index[-1]

    readings = []
    for ind, regs in READINGS:
        if ind not in frame:
            continue
        x = frame[ind]
        mask = regime.isin(regs) if regs is not None else pd.Series(True, index=t.index)
        hist = x[mask & x.notna()]
        v = x.iloc[-1]
        if regs is not None and regime.iloc[-1] not in regs:
            continue  # no measure in today's regime: not applicable today
        ok = pd.notna(v) and len(hist) > 0
        readings.append({
            "id": ind, "value": round(float(v), 2) if ok else None,
            "percentile": round(float(100.0 * (hist <= v).mean()), 1) if ok else None,
            "compared_days": int(len(hist)),
            "compared_from": f"{hist.index[0]:%Y-%m-%d}" if len(hist) else None,
            "regimes": list(regs) if regs is not None else sorted(set(regime[hist.index])),
            "crosses_regime": len(set(regime[hist.index])) > 1,
        })

    feats = frame[[c for c in ANALOGUE_FEATURES if c in frame]]
    z = (feats - feats.mean()) / feats.std()
    now = z.iloc[-1]
    use = [c for c in z.columns if pd.notna(now[c])]
    analogues = []
    if use:
        cand = z[use].iloc[:-FOLLOW_BD].dropna()
        dist = np.sqrt(((cand - now[use]) ** 2).sum(axis=1))
        pos = {dte: i for i, dte in enumerate(t.index)}
        taken: list[int] = []
        for dte, dv in dist.sort_values().items():
            i = pos[dte]
            if any(abs(i - j) < ANALOGUE_GAP_BD for j in taken):
                continue
            taken.append(i)
            after = t.iloc[i + 1:i + 1 + FOLLOW_BD]
            top = after["level"].idxmax()
            analogues.append({
                "date": f"{dte:%Y-%m-%d}", "regime": str(regime.iloc[i]),
                "stage": str(t["name"].iloc[i]), "score": _num(t["score"].iloc[i]),
                "distance": round(float(dv), 3),
                "followed": {"max_stage": str(after.loc[top, "name"]),
                             "max_stage_date": f"{top:%Y-%m-%d}",
                             "max_score": _num(after["score"].max()),
                             "until": f"{after.index[-1]:%Y-%m-%d}"},
            })
            if len(analogues) >= n_analogues:
                break
    return {"as_of": f"{today:%Y-%m-%d}", "regime": str(regime.iloc[-1]),
            "readings": readings, "analogues": analogues,
            "analogue_features": [c for c in ANALOGUE_FEATURES if c in use],
            "note": _note("en")}


def _note(lang: str) -> str:
    from dollarliq.messages import t

    return t("history.note", lang, days=FOLLOW_BD)


def localise(ctx: dict[str, Any], lang: str) -> dict[str, Any]:
    """The context with its note in ``lang`` (the report's language)."""
    return {**ctx, "note": _note(lang)}


def _num(x: Any) -> float | None:
    """A float rounded to 0.1, or None for a missing value (strict JSON)."""
    import math

    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 1)
