"""The four-stage engine: transparent rules over the indicator panel, with hysteresis.

Stages: 0 ample (充裕), 1 tight (紧缺), 2 drained (枯竭), 3 crisis (危机). The rules and the
score weights live in a readable TOML file (``data/stages.toml``; another file can be passed).
Every rule reports its indicator, value, threshold and whether it is met. Pure functions:
the input is the panel of :mod:`dollarliq.indicators`, the output frames and dataclasses.
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dollarliq.indicators import RECORD_MIN_LOOKBACK_DAYS

DEFAULT_RULES = Path(__file__).parent / "data" / "stages.toml"
#: The rules before the families of evidence, kept as a baseline of the track record.
PREVIOUS_RULES = Path(__file__).parent / "data" / "stages_previous.toml"
STAGE_NAMES = {0: ("ample", "充裕"), 1: ("tight", "紧缺"), 2: ("drained", "枯竭"),
               3: ("crisis", "危机")}
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
#: Markers of an indicator read as an event (a change over a window, a spike against a
#: baseline, one day's facility take-up): its last fresh reading says nothing about the days
#: after it, so it is never carried over days without data.
EVENT_MARKERS = ("_chg_", "_excess_", "srf_take_up")
#: The last fresh verdict of a state rule, and the last fresh value of a score part, are
#: carried over days without fresh data for at most this many calendar days; a series with
#: no observation for longer is unavailable (docs/stages.md).
CARRY_DAYS = 365


@dataclass(frozen=True)
class Condition:
    indicator: str
    op: str
    threshold: float

    def met(self, x: pd.Series) -> pd.Series:
        """True where met; False where the value is missing (an unavailable indicator)."""
        return _OPS[self.op](x, self.threshold) & x.notna()


@dataclass(frozen=True)
class Rule:
    id: str
    level: int
    conditions: tuple[Condition, ...]
    family: str = ""
    #: The monetary regimes (ids) in which the rule has a measure; empty: every regime.
    #: Outside them the rule is not applicable: neither met, nor unavailable.
    regimes: tuple[str, ...] = ()
    #: Episodes (ids of ``data/episodes.csv``) seen before the rule was written.
    written_after: tuple[str, ...] = ()

    @property
    def indicator(self) -> str:
        return self.conditions[0].indicator


@dataclass(frozen=True)
class ScoreComponent:
    indicator: str
    calm: float
    stressed: float
    weight: float
    #: The regimes in which the part has a measure; empty: every regime (see :class:`Rule`).
    regimes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Regime:
    """A monetary regime: the dates on which one set of measures of the price of money and
    its buffers applies (``end`` None: still in force)."""

    id: str
    name: str
    start: pd.Timestamp
    end: pd.Timestamp | None = None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    min_rules: dict[int, int]
    score: tuple[ScoreComponent, ...]
    down_days: int
    source: str
    #: Distinct families of evidence needed per level (None: count rules, ``min_rules``).
    min_families: dict[int, int] | None = None
    #: A record is printed only when it looks back at least this many days.
    record_lookback_days: int = RECORD_MIN_LOOKBACK_DAYS
    #: The monetary regimes, in date order (empty: one regime, every rule applies).
    regimes: tuple[Regime, ...] = ()


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Read a rules file (the packaged defaults when ``path`` is None)."""
    p = Path(path) if path is not None else DEFAULT_RULES
    try:
        cfg = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        from dollarliq.errors import UsageError

        raise UsageError(f"rules file {p.name}: {exc}") from exc
    rules, min_rules, min_families = [], {}, {}
    try:
        for st in cfg.get("stage", []):
            lvl = int(st["level"])
            min_rules[lvl] = int(st.get("min_rules", 1))
            min_families[lvl] = int(st.get("min_families", 1))
            for r in st.get("rules", []):
                conds = [Condition(r["indicator"], r["op"], float(r["threshold"]))]
                conds += [Condition(c["indicator"], c["op"], float(c["threshold"]))
                          for c in r.get("and", [])]
                rules.append(Rule(r["id"], lvl, tuple(conds), str(r.get("family", r["id"])),
                                  tuple(r.get("regimes", ())),
                                  tuple(str(e) for e in r.get("written_after", ()))))
        score = tuple(ScoreComponent(c["indicator"], float(c["calm"]), float(c["stressed"]),
                                     float(c["weight"]), tuple(c.get("regimes", ())))
                      for c in cfg.get("score", []))
        regimes = tuple(Regime(str(g["id"]), str(g["name"]), pd.Timestamp(g["start"]),
                               pd.Timestamp(g["end"]) if "end" in g else None)
                        for g in cfg.get("regime", []))
        down = int(cfg.get("hysteresis", {}).get("down_days", 10))
        lookback = int(cfg.get("records", {}).get("min_lookback_days",
                                                  RECORD_MIN_LOOKBACK_DAYS))
    except (KeyError, TypeError, ValueError) as exc:
        from dollarliq.errors import UsageError

        raise UsageError(f"rules file {p.name}: bad or missing field {exc}") from exc
    rs = RuleSet(tuple(rules), min_rules, score, down, p.name, min_families, lookback, regimes)
    check_indicators(rs)
    check_regimes(rs)
    return rs


def without_rules(rs: RuleSet, rule_ids: set[str]) -> RuleSet:
    """``rs`` less the rules in ``rule_ids`` (e.g. the rules written after an episode)."""
    from dataclasses import replace

    kept = tuple(r for r in rs.rules if r.id not in rule_ids)
    return replace(rs, rules=kept, source=f"{rs.source} without {', '.join(sorted(rule_ids))}")


def check_indicators(rs: RuleSet) -> None:
    """Every indicator a rule or the score names must be in the indicator registry.

    Raises UsageError (exit 2) naming the unknown id and the nearest known one.
    """
    import difflib

    from dollarliq.errors import UsageError
    from dollarliq.indicator_catalog import INDICATORS

    for rule in rs.rules:
        for c in rule.conditions:
            if c.op not in _OPS:
                raise UsageError(f"rules file {rs.source}: rule {rule.id}: unknown operator "
                                 f"{c.op!r} (use one of {', '.join(_OPS)})")
    names = [(r.id, c.indicator) for r in rs.rules for c in r.conditions]
    names += [("score", c.indicator) for c in rs.score]
    for where, ind in names:
        if ind not in INDICATORS:
            near = difflib.get_close_matches(ind, list(INDICATORS), n=1, cutoff=0.0)
            hint = f"; nearest known indicator: {near[0]}" if near else ""
            raise UsageError(f"rules file {rs.source}: {where} uses unknown indicator "
                             f"{ind!r}{hint}")


def check_regimes(rs: RuleSet) -> None:
    """Every regime a rule or score part names is declared. Raises UsageError (exit 2)."""
    from dollarliq.errors import UsageError

    known = {g.id for g in rs.regimes}
    for where, regs in [*((r.id, r.regimes) for r in rs.rules),
                        *((c.indicator, c.regimes) for c in rs.score)]:
        for g in regs:
            if g not in known:
                raise UsageError(f"rules file {rs.source}: {where} names unknown regime {g!r} "
                                 f"(declared: {', '.join(sorted(known)) or 'none'})")


def regime_of(index: pd.DatetimeIndex, rs: RuleSet) -> pd.Series:
    """The id of the monetary regime in force on each day ("" outside every declared one)."""
    out = pd.Series("", index=index, dtype=object, name="regime")
    for g in rs.regimes:
        on = (index >= g.start) & ((index <= g.end) if g.end is not None else True)
        out[on] = g.id
    return out


def _applies(regimes: tuple[str, ...], regime: pd.Series) -> pd.Series:
    """True on the days whose regime is one of ``regimes`` (every day when none is named)."""
    if not regimes:
        return pd.Series(True, index=regime.index)
    return regime.isin(regimes)


def rule_applicable(index: pd.DatetimeIndex, rs: RuleSet) -> pd.DataFrame:
    """One boolean column per rule: the rule has a measure in that day's regime."""
    reg = regime_of(index, rs)
    return pd.DataFrame({r.id: _applies(r.regimes, reg) for r in rs.rules}, index=index)


def rule_flags(daily: pd.DataFrame, rs: RuleSet) -> pd.DataFrame:
    """One boolean column per rule: met on that day (False where unavailable)."""
    out = {}
    for rule in rs.rules:
        m = pd.Series(True, index=daily.index)
        for c in rule.conditions:
            x = daily[c.indicator] if c.indicator in daily else pd.Series(np.nan, daily.index)
            m &= c.met(x)
        out[rule.id] = m
    return pd.DataFrame(out, index=daily.index) & rule_applicable(daily.index, rs)


def rule_available(daily: pd.DataFrame, rs: RuleSet) -> pd.DataFrame:
    """One boolean column per rule: the rule is decided by fresh data that day.

    Decided when every indicator it reads has fresh data, or when one condition with fresh
    data is not met (the rule is then not met whatever the others would read).
    """
    out = {}
    for rule in rs.rules:
        every = pd.Series(True, index=daily.index)
        refuted = pd.Series(False, index=daily.index)
        for c in rule.conditions:
            x = daily[c.indicator] if c.indicator in daily else pd.Series(np.nan, daily.index)
            every &= x.notna()
            refuted |= x.notna() & ~c.met(x)
        out[rule.id] = every | refuted
    return pd.DataFrame(out, index=daily.index)


def is_state_rule(rule: Rule) -> bool:
    """True when every condition reads a state (a level), none an event (:data:`EVENT_MARKERS`)."""
    return not any(m in c.indicator for c in rule.conditions for m in EVENT_MARKERS)


def _carry(x: pd.Series, known: pd.Series, max_days: int) -> pd.Series:
    """``x`` where ``known``; elsewhere the last known value, up to ``max_days`` after it."""
    idx = x.index
    last = pd.Series(idx.where(known.to_numpy()), index=idx).ffill()
    kept = x.where(known).ffill()
    age = (pd.Series(idx, index=idx) - last).dt.days
    return kept.where(known | (age <= max_days))


def carried_flags(flags: pd.DataFrame, available: pd.DataFrame, rs: RuleSet,
                  max_days: int = CARRY_DAYS) -> pd.DataFrame:
    """One boolean column per rule: met by its last fresh verdict, carried over a day on which
    it is not decided (its input stale or missing), for state rules only and at most
    ``max_days`` after that verdict. False where the rule is decided that day."""
    out = {}
    for rule in rs.rules:
        av = available[rule.id]
        if not is_state_rule(rule):
            out[rule.id] = pd.Series(False, index=flags.index)
            continue
        verdict = _carry(flags[rule.id].astype(float), av, max_days)
        out[rule.id] = (~av) & (verdict.fillna(0.0) > 0.5)
    return pd.DataFrame(out, index=flags.index)


def raw_level(flags: pd.DataFrame, rs: RuleSet) -> pd.Series:
    """The highest stage reached each day.

    A level is reached when rules of at least ``min_families`` distinct families are met
    (and at least ``min_rules`` rules).
    """
    lvl = np.zeros(len(flags), dtype=int)
    fams = rs.min_families or {}
    for level in sorted(rs.min_rules):
        rules = [r for r in rs.rules if r.level == level]
        if not rules:
            continue
        count = flags[[r.id for r in rules]].sum(axis=1).to_numpy()
        by_family: dict[str, list[str]] = {}
        for r in rules:
            by_family.setdefault(r.family or r.id, []).append(r.id)
        nfam = sum(flags[ids].any(axis=1).to_numpy().astype(int) for ids in by_family.values())
        ok = (count >= rs.min_rules[level]) & (nfam >= fams.get(level, 1))
        lvl = np.where(ok, np.maximum(lvl, level), lvl)
    return pd.Series(lvl, index=flags.index, name="raw_level")


def apply_hysteresis(raw: pd.Series, down_days: int) -> pd.Series:
    """Up at once; down one level only after ``down_days`` business days below.

    The rules already look through calendar days (persistent spreads) or ask for
    corroboration (a spike in SOFR confirmed by EFFR), so stepping up is immediate: a stage
    can jump fast when a link breaks. Stepping down waits, so one quiet day after a squeeze,
    or one calendar spike, does not flip the stage back and forth.
    """
    r = raw.to_numpy()
    out = np.empty_like(r)
    cur, below = (int(r[0]) if len(r) else 0), 0
    for i, x in enumerate(r):
        if x > cur:
            cur, below = int(x), 0
        elif x < cur:
            below += 1
            if below >= down_days:
                cur, below = cur - 1, 0
        else:
            below = 0
        out[i] = cur
    return pd.Series(out, index=raw.index, name="level")


def score(daily: pd.DataFrame, rs: RuleSet,
          max_days: int = CARRY_DAYS) -> tuple[pd.Series, pd.DataFrame]:
    """Composite stress score 0–100 and each indicator's contribution (points of the score).

    A part without a fresh value keeps its last fresh value for up to ``max_days`` calendar
    days, so a missing part never moves the score; a part never seen, or not seen for
    longer, drops out and the others are renormalised. NaN (unavailable) on a day when no
    part has a fresh value: a score made only of carried values is not a reading.
    """
    parts, weights = {}, {}
    reg = regime_of(daily.index, rs)
    any_fresh = pd.Series(False, index=daily.index)
    for c in rs.score:
        x = daily[c.indicator] if c.indicator in daily else pd.Series(np.nan, daily.index)
        x = x.where(_applies(c.regimes, reg))  # no measure in this regime: not a part
        any_fresh |= x.notna()
        x = _carry(x, x.notna(), max_days).where(_applies(c.regimes, reg))
        s = ((x - c.calm) / (c.stressed - c.calm)).clip(0.0, 1.0) * 100.0
        parts[c.indicator] = s
        weights[c.indicator] = pd.Series(np.where(x.notna(), c.weight, 0.0), daily.index)
    p = pd.DataFrame(parts)
    w = pd.DataFrame(weights)
    total_w = w.sum(axis=1).where(any_fresh).replace(0.0, np.nan)
    contrib = (p.fillna(0.0) * w).div(total_w, axis=0)
    return contrib.sum(axis=1, min_count=1).rename("score"), contrib


@dataclass(frozen=True)
class StageFrame:
    """Per business day: level, raw level, score; plus rule flags and score contributions.

    ``table`` also carries ``held`` (True when the day's stage is above its raw level, the
    level its own fresh evidence reaches), ``held_by`` ('' when not held, ``'hysteresis'``
    when held only by the slow step down, ``'stale'`` when the last fresh verdict of a rule
    whose input is now stale or missing still supports the stage) and ``set_on`` (the last
    day on or before it whose own evidence reached the stage); ``available`` says which
    rules were decided by fresh data each day and ``carried`` which rules were met only by
    their carried verdict.
    """

    table: pd.DataFrame
    flags: pd.DataFrame
    contributions: pd.DataFrame
    available: pd.DataFrame | None = None
    #: Per rule and day: the rule has a measure in the day's regime (else "not applicable").
    applicable: pd.DataFrame | None = None
    carried: pd.DataFrame | None = None


def evidence_dates(level: pd.Series, raw: pd.Series) -> pd.Series:
    """For each day, the last day on or before it whose raw level reached the day's level."""
    lv, rw = level.to_numpy(), raw.to_numpy()
    out = np.empty(len(lv), dtype="datetime64[ns]")
    idx = level.index.to_numpy()
    last = {k: np.datetime64("NaT") for k in STAGE_NAMES}
    for i in range(len(lv)):
        for k in range(int(rw[i]) + 1):
            last[k] = idx[i]
        out[i] = last[int(lv[i])]
    return pd.Series(out, index=level.index, name="set_on")


def decide(daily: pd.DataFrame, rs: RuleSet | None = None,
           valid_from: pd.Timestamp | None = None) -> StageFrame:
    """Stages for every day of the panel. Days before ``valid_from`` are left undecided.

    ``daily`` should hold only usable values (stale ones blanked, see
    :meth:`dollarliq.indicators.Panel.usable`): a missing value never counts as evidence.
    Missing evidence never lowers the stage: a state rule that is not decided on a day (its
    input stale or missing) keeps its last fresh verdict (:func:`carried_flags`), and the
    stage steps down only when fresh evidence no longer reaches it.
    """
    rs = rs or load_rules()
    flags = rule_flags(daily, rs)
    avail = rule_available(daily, rs)
    # A verdict is never carried into a regime where the rule has no measure.
    carried = carried_flags(flags, avail, rs) & rule_applicable(daily.index, rs)
    raw = raw_level(flags, rs)
    supported = raw_level(flags | carried, rs)
    sc, contrib = score(daily, rs)
    if valid_from is not None:
        keep = daily.index >= valid_from
        flags, raw, avail, carried = flags[keep], raw[keep], avail[keep], carried[keep]
        supported, sc, contrib = supported[keep], sc[keep], contrib[keep]
    level = apply_hysteresis(supported, rs.down_days)
    table = pd.DataFrame({"level": level, "raw_level": raw, "score": sc})
    table["name"] = table["level"].map(lambda v: STAGE_NAMES[int(v)][0])
    table["name_zh"] = table["level"].map(lambda v: STAGE_NAMES[int(v)][1])
    table["held"] = table["level"] > table["raw_level"]
    table["held_by"] = np.where(~table["held"], "",
                                np.where(supported >= level, "stale", "hysteresis"))
    table["set_on"] = evidence_dates(level, raw)
    table["regime"] = regime_of(table.index, rs)
    return StageFrame(table, flags, contrib, avail, rule_applicable(table.index, rs), carried)
