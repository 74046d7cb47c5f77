"""Store -> first-release data -> indicator panel -> stages, for one as-of date.

The same path serves ``report --as-of D`` (the last row) and the replay of ``stages`` and
``backtest`` (every row): each row uses only what was public on its own date, so truncating
the data after D cannot change D's result.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dollarliq.errors import NotEnoughData, UsageError
from dollarliq.indicators import CORE_IDS, INPUT_IDS, Panel, build_panel
from dollarliq.stages import RuleSet, StageFrame, decide, load_rules
from dollarliq.store import Store

GRID_START = pd.Timestamp("2010-01-04")  # history kept for percentiles and demand curves
#: The first day of the history replay (the first regime of stages.toml): the stages of
#: 2003-2018 are decided on the measures of their own regime (``stages --start``).
HISTORY_START = pd.Timestamp("2003-01-02")
#: Inputs that must be public for the history replay to begin.
HISTORY_CORE_IDS = ("WALCL", "DFF")


@dataclass(frozen=True)
class EngineResult:
    as_of: pd.Timestamp
    data_start: pd.Timestamp
    panel: Panel
    stages: StageFrame
    long: pd.DataFrame  # the first-release inputs public on as_of
    rules: RuleSet


def data_start(store: Store) -> pd.Timestamp:
    """The first day on which every core input (Fed assets, reserves, ON RRP, SOFR) was public."""
    firsts = []
    for sid in CORE_IDS:
        f = store.first_as_of([sid])
        if f is None:
            raise NotEnoughData(f"no data for {sid}: run `dollarliq update`")
        firsts.append(pd.Timestamp(f))
    return max(firsts)


def latest_release(store: Store) -> pd.Timestamp:
    """The latest release date among the core inputs (the natural default as-of date)."""
    cov = store.coverage()
    return max(pd.Timestamp(cov[s].last_as_of) for s in CORE_IDS if s in cov)


def data_end(store: Store) -> pd.Timestamp:
    """The latest release date of any engine input in the store (nothing is known after it)."""
    cov = store.coverage()
    ends = [pd.Timestamp(cov[s].last_as_of) for s in INPUT_IDS
            if s in cov and cov[s].last_as_of is not None]
    return max(ends) if ends else latest_release(store)


def resolve_as_of(store: Store, as_of: pd.Timestamp | None) -> pd.Timestamp:
    """The as-of date to use: the given one (checked), or the latest release in the store.

    A date after the last release of any input is a usage error (exit 2) naming the data end:
    the engine would otherwise carry every value forward and call it a reading.
    """
    from dollarliq.dates import default_as_of, today

    start = data_start(store)
    if as_of is None:  # the one default of every command: never after today
        return pd.Timestamp(default_as_of(latest_release(store), today()))
    as_of = pd.Timestamp(as_of)
    end = data_end(store)
    if as_of > end:
        raise UsageError(f"--as-of {as_of:%Y-%m-%d} is after the data end ({end:%Y-%m-%d}, the "
                         "last release of any input); run `dollarliq update` for newer data")
    if as_of < start:
        raise UsageError(f"--as-of {as_of:%Y-%m-%d} is before the data begin "
                         f"({start:%Y-%m-%d}, when SOFR, reserves, ON RRP and Fed assets "
                         "were all first public)")
    return as_of


def run_engine(store: Store, *, as_of: pd.Timestamp | None,
               rules: RuleSet | None = None) -> EngineResult:
    """Indicators and stages for every business day up to ``as_of`` (the data's end if None)."""
    as_of = resolve_as_of(store, as_of)
    start = data_start(store)
    long = store.first_release(INPUT_IDS, as_of=as_of)
    return compute(long, as_of=as_of, start=start, rules=rules)


def compute(long: pd.DataFrame, *, as_of: pd.Timestamp, start: pd.Timestamp,
            rules: RuleSet | None = None) -> EngineResult:
    """The indicator panel and the stages from first-release rows (pure; the one place the
    engine's steps are chained, for both the store path and :mod:`dollarliq.api`).

    Parameters
    ----------
    long : pandas.DataFrame
        First-release rows public on ``as_of`` (series_id, obs_date, value, as_of).
    as_of, start : pandas.Timestamp
        The as-of date and the first day decided: the day on which every core input was
        public, or an earlier day of the history replay (:data:`HISTORY_START`); the panel
        begins at ``start`` when that is before :data:`GRID_START`.
    rules : RuleSet, optional
        The stage rules (default: the packaged ``stages.toml``).
    """
    panel = build_panel(long, end=as_of, start=min(GRID_START, pd.Timestamp(start)))
    rs = rules or load_rules()
    sf = decide(panel.usable(), rs, valid_from=start)
    return EngineResult(as_of, start, panel, sf, long, rs)


def held_reasons(res: EngineResult) -> pd.Series:
    """Why each held day is held, one line per day ('' when not held).

    ``stale: <indicator> not seen since <date>; ...`` when the last fresh verdict of rules
    whose input is stale or missing supports the stage (each input with its real observation
    date), ``hysteresis: set on <date>`` when only the slow step down holds it.
    """
    tab = res.stages.table
    out = pd.Series("", index=tab.index, dtype=object)
    carried = res.stages.carried
    stale = res.panel.stale.reindex(tab.index) if res.panel.stale is not None else None
    usable = res.panel.usable().reindex(tab.index)
    for day in tab.index[tab["held"].to_numpy(dtype=bool)]:
        row = tab.loc[day]
        if row["held_by"] == "stale" and carried is not None:
            parts: dict[str, str] = {}
            for rule in res.rules.rules:
                if rule.level < 1 or not bool(carried.at[day, rule.id]):
                    continue
                for c in rule.conditions:
                    gone = pd.isna(usable.at[day, c.indicator]) if c.indicator in usable else True
                    if c.indicator in parts or not gone:
                        continue
                    kd = res.panel.known_dates.get(c.indicator)
                    seen = kd.get(day) if kd is not None else None
                    parts[c.indicator] = ("never seen" if seen is None or pd.isna(seen)
                                          else f"not seen since {pd.Timestamp(seen):%Y-%m-%d}")
            out[day] = "stale: " + "; ".join(f"{k} {v}" for k, v in parts.items())
        else:
            set_on = row["set_on"]
            out[day] = ("hysteresis" if pd.isna(set_on)
                        else f"hysteresis: set on {pd.Timestamp(set_on):%Y-%m-%d}")
    return out.rename("held_by")
