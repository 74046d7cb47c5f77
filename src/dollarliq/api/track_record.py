"""The stages and track-record use cases: the stage of every business day, and the
backtest against stress episodes, yardsticks and market returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.api._core import (CORE_IDS, _engine, _engine_ids, _read, data_start, open_store,
                                 parse_as_of, resolve_as_of)
from dollarliq.errors import UsageError

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store


# ----------------------------------------------------------------------------- stages

def stages(start: Any = None, end: Any = None, *, rules: Any = None,
           store: Store | None = None, home: str | Path | None = None) -> pd.DataFrame:
    """The stage and stress score of every business day, point-in-time.

    Each day uses only the data public on that day (the same engine as ``report``).

    Parameters
    ----------
    start, end : str | date | Timestamp, optional
        First and last business day (default: the data start and the latest release).
    rules : str | Path | RuleSet, optional
        Another stage rules file.

    Returns
    -------
    pandas.DataFrame
        Indexed by business day (``date``): ``level`` (0-3), ``name``, ``name_zh``,
        ``score`` (0-100, one decimal), ``raw_level`` (before hysteresis), ``held`` (True
        when the stage is above the level of the day's own fresh evidence), ``held_by`` (why:
        ``hysteresis: set on D`` or ``stale: <indicator> not seen since D``; '' when not
        held), ``regime`` (the monetary regime of
        ``stages.toml`` whose measures decided the day). A start before the data of the
        SOFR era begin (2018-04) replays from 2003 (``engine.HISTORY_START``) instead.
        ``attrs``: ``as_of``, ``rules``, ``today``, ``data_end`` (the latest core
        observation public on the as-of date) and ``data_age_days`` (from it to today).
    """
    import pandas as pd

    from dollarliq.dates import today as current_date
    from dollarliq.engine import held_reasons

    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    today = current_date()
    with open_store(store, home) as st:
        rows = _read(st, _engine_ids())
    # Before the SOFR-era data begin, the history replay: from 2003, each regime's measures.
    history = s is not None and pd.Timestamp(s) < data_start(rows)
    if history and e is not None and pd.Timestamp(e) < data_start(rows):
        d = pd.Timestamp(e)  # an end inside the history: the replay up to it
    else:
        d = resolve_as_of(rows, e, today=today)
    res = _engine(rows, d, rules, history=history)
    tab = _from_start(res, s)
    out = pd.DataFrame({"level": tab["level"].astype(int), "name": tab["name"],
                        "name_zh": tab["name_zh"], "score": tab["score"].astype(float).round(1),
                        "raw_level": tab["raw_level"].astype(int),
                        "held": tab["held"].astype(bool),
                        "held_by": held_reasons(res).reindex(tab.index), "regime": tab["regime"]},
                       index=tab.index)
    out.index.name = "date"
    out.attrs.update(as_of=f"{res.as_of:%Y-%m-%d}", rules=res.rules.source,
                     **_data_age(res, today))
    return out


def _data_age(res: Any, today: Any) -> dict[str, Any]:
    """``today``, ``data_end`` (the latest core observation public on the as-of date) and
    ``data_age_days`` (from it to today) of an engine result."""
    from dollarliq.freshness import data_age

    long = res.long[res.long["value"].notna()]
    last = long.groupby("series_id")["obs_date"].max()
    age = data_age({s: last[s] for s in CORE_IDS if s in last.index}, today, CORE_IDS)
    return {k: age[k] for k in ("today", "data_end", "data_age_days")}

# ----------------------------------------------------------------------------- backtest

@dataclass(frozen=True)
class TrackRecord:
    """The backtest: stages replayed point-in-time and scored against stress episodes,
    stress indices and forward market returns.

    Attributes
    ----------
    result : BacktestResult
        The full result (per-day table, episode scores, spells, yardsticks, event study).
    """

    result: Any

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``backtest --format json``."""
        from dollarliq.backtest import to_dict

        return to_dict(self.result)

    def to_markdown(self, command: str = "dollarliq backtest --format markdown") -> str:
        """The Markdown page of ``backtest --format markdown``."""
        from dollarliq.reports.track_record import render_markdown

        return render_markdown(self.result, command=command)

    def to_html(self) -> str:
        """The self-contained HTML page of ``backtest --format html``."""
        from dollarliq.reports.track_record import html_page

        return html_page(self.result)

    def to_frame(self) -> pd.DataFrame:
        """The replay: one row per business day (level, raw_level, score, name)."""
        return self.result.table.copy()

    @property
    def hit_rate(self) -> float | None:
        """Share of major episodes in range reached by the drained stage (0-1)."""
        return self.result.rates.hit_rate


def backtest(start: Any = None, end: Any = None, *, episodes: str | Path | None = None,
             rules: Any = None, store: Store | None = None,
             home: str | Path | None = None) -> TrackRecord:
    """The track record of the stages, replayed point-in-time up to ``end``.

    Parameters
    ----------
    start, end : str | date | Timestamp, optional
        First business day scored and the replay's as-of date (default: the latest
        release of the core inputs).
    episodes : str | Path, optional
        Another episodes file (CSV, the columns of ``dollarliq/data/episodes.csv``).
    rules : str | Path | RuleSet, optional
        Another stage rules file.

    Returns
    -------
    TrackRecord
        ``.to_dict()``, ``.to_markdown()``, ``.to_html()``, ``.to_frame()``, ``.hit_rate``.
    """
    from dollarliq.backtest import ASSETS, YARDSTICKS, load_episodes
    from dollarliq.track.scoring import OFR_IDS

    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    eps = load_episodes(episodes) if episodes is not None else load_episodes()
    with open_store(store, home) as st:
        rows = _read(st, [*_engine_ids(), *YARDSTICKS, *ASSETS, *OFR_IDS])
    d = resolve_as_of(rows, e)
    res = _engine(rows, d, rules)
    return TrackRecord(_evaluate(rows, res, s, eps))


def _from_start(res: Any, start: dt.date | None) -> pd.DataFrame:
    """The replay's stage table from ``start`` (UsageError when before the data begin)."""
    import pandas as pd

    table = res.stages.table
    if start is None:
        return table
    if pd.Timestamp(start) < res.data_start:
        raise UsageError(f"start date {start:%Y-%m-%d} is before the data begin "
                         f"({res.data_start:%Y-%m-%d})")
    return table[table.index >= pd.Timestamp(start)]


def _evaluate(rows: Rows, res: Any, start: dt.date | None, eps: Any):
    """Score the replay in ``res`` (from ``start``) against episodes, yardsticks, markets."""
    import pandas as pd

    from dollarliq.backtest import ASSETS, YARDSTICKS, evaluate

    table = _from_start(res, start)
    from dollarliq.stages import PREVIOUS_RULES, load_rules
    from dollarliq.track.scoring import (OFR_IDS, hindsight_variants, scorecards_for,
                                         written_after_map)

    known = rows.series_map([*YARDSTICKS, *ASSETS], as_of=res.as_of)
    prev = _engine(rows, res.as_of, load_rules(PREVIOUS_RULES)).stages.table
    variants = {name: _engine(rows, res.as_of, rs).stages.table
                for name, rs in hindsight_variants(res.rules).items()}
    ofr_long = rows.first_release(list(OFR_IDS), as_of=res.as_of)
    cards = scorecards_for(res, prev, ofr_long, eps, table.index, variants)
    from dollarliq.track.scoring import history_for

    hist = history_for(_engine(rows, res.as_of, res.rules, history=True), ofr_long, eps)
    return evaluate(table, eps, yardstick_series={k: known[k] for k in YARDSTICKS if k in known},
                    prices={k: known[k] for k in ASSETS if k in known}, as_of=res.as_of,
                    data_start=res.data_start, rules=res.rules.source, scorecards=cards,
                    history=hist, written_after=written_after_map(res.rules))
