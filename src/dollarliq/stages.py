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

DEFAULT_RULES = Path(__file__).parent / "data" / "stages.toml"
STAGE_NAMES = {0: ("ample", "充裕"), 1: ("tight", "紧缺"), 2: ("drained", "枯竭"),
               3: ("crisis", "危机")}
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


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

    @property
    def indicator(self) -> str:
        return self.conditions[0].indicator


@dataclass(frozen=True)
class ScoreComponent:
    indicator: str
    calm: float
    stressed: float
    weight: float


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    min_rules: dict[int, int]
    score: tuple[ScoreComponent, ...]
    down_days: int
    source: str


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Read a rules file (the packaged defaults when ``path`` is None)."""
    p = Path(path) if path is not None else DEFAULT_RULES
    try:
        cfg = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        from dollarliq.errors import UsageError

        raise UsageError(f"rules file {p.name}: {exc}") from exc
    rules, min_rules = [], {}
    for st in cfg.get("stage", []):
        lvl = int(st["level"])
        min_rules[lvl] = int(st.get("min_rules", 1))
        for r in st.get("rules", []):
            conds = [Condition(r["indicator"], r["op"], float(r["threshold"]))]
            conds += [Condition(c["indicator"], c["op"], float(c["threshold"]))
                      for c in r.get("and", [])]
            rules.append(Rule(r["id"], lvl, tuple(conds)))
    score = tuple(ScoreComponent(c["indicator"], float(c["calm"]), float(c["stressed"]),
                                 float(c["weight"])) for c in cfg.get("score", []))
    return RuleSet(tuple(rules), min_rules, score,
                   int(cfg.get("hysteresis", {}).get("down_days", 10)), p.name)


def rule_flags(daily: pd.DataFrame, rs: RuleSet) -> pd.DataFrame:
    """One boolean column per rule: met on that day."""
    out = {}
    for rule in rs.rules:
        m = pd.Series(True, index=daily.index)
        for c in rule.conditions:
            x = daily[c.indicator] if c.indicator in daily else pd.Series(np.nan, daily.index)
            m &= c.met(x)
        out[rule.id] = m
    return pd.DataFrame(out, index=daily.index)


def raw_level(flags: pd.DataFrame, rs: RuleSet) -> pd.Series:
    """The highest stage whose rules are met (at least ``min_rules`` of them) each day."""
    lvl = np.zeros(len(flags), dtype=int)
    for level in sorted(rs.min_rules):
        ids = [r.id for r in rs.rules if r.level == level]
        if not ids:
            continue
        count = flags[ids].sum(axis=1).to_numpy()
        lvl = np.where(count >= rs.min_rules[level], np.maximum(lvl, level), lvl)
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


def score(daily: pd.DataFrame, rs: RuleSet) -> tuple[pd.Series, pd.DataFrame]:
    """Composite stress score 0–100 and each indicator's contribution (points of the score)."""
    parts, weights = {}, {}
    for c in rs.score:
        x = daily[c.indicator] if c.indicator in daily else pd.Series(np.nan, daily.index)
        s = ((x - c.calm) / (c.stressed - c.calm)).clip(0.0, 1.0) * 100.0
        parts[c.indicator] = s
        weights[c.indicator] = pd.Series(np.where(x.notna(), c.weight, 0.0), daily.index)
    p = pd.DataFrame(parts)
    w = pd.DataFrame(weights)
    total_w = w.sum(axis=1).replace(0.0, np.nan)
    contrib = (p.fillna(0.0) * w).div(total_w, axis=0)
    return contrib.sum(axis=1, min_count=1).rename("score"), contrib


@dataclass(frozen=True)
class StageFrame:
    """Per business day: level, raw level, score; plus rule flags and score contributions."""

    table: pd.DataFrame
    flags: pd.DataFrame
    contributions: pd.DataFrame


def decide(daily: pd.DataFrame, rs: RuleSet | None = None,
           valid_from: pd.Timestamp | None = None) -> StageFrame:
    """Stages for every day of the panel. Days before ``valid_from`` are left undecided."""
    rs = rs or load_rules()
    flags = rule_flags(daily, rs)
    raw = raw_level(flags, rs)
    if valid_from is not None:
        keep = daily.index >= valid_from
        flags, raw, daily = flags[keep], raw[keep], daily[keep]
    level = apply_hysteresis(raw, rs.down_days)
    sc, contrib = score(daily, rs)
    table = pd.DataFrame({"level": level, "raw_level": raw, "score": sc})
    table["name"] = table["level"].map(lambda v: STAGE_NAMES[int(v)][0])
    table["name_zh"] = table["level"].map(lambda v: STAGE_NAMES[int(v)][1])
    return StageFrame(table, flags, contrib)
