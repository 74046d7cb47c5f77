"""Stress episodes (each with its public source) and how a stage replay meets them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dollarliq.errors import UsageError
from dollarliq.track.constants import DRAINED, TIGHT

DEFAULT_EPISODES = Path(__file__).resolve().parent.parent / "data" / "episodes.csv"


# ----------------------------------------------------------------------------- episodes

@dataclass(frozen=True)
class Episode:
    id: str
    name: str
    kind: str  # funding, market, calendar
    severity: str  # major or minor (calendar)
    start: pd.Timestamp
    end: pd.Timestamp
    source: str
    url: str = ""

    @property
    def major(self) -> bool:
        return self.severity == "major"


def web_link(url: str) -> str:
    """``url`` when it is an http(s) address with a host, else "" (a ``javascript:``,
    ``data:`` or ``file:`` link from a user's episodes file never reaches a page)."""
    from urllib.parse import urlsplit

    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


def load_episodes(path: Path | str | None = None) -> tuple[Episode, ...]:
    """Read an episodes file (the packaged one when ``path`` is None); every row needs a
    source. A ``url`` that is not an http(s) address is dropped (see :func:`web_link`)."""
    p = Path(path) if path is not None else DEFAULT_EPISODES
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UsageError(f"episodes file {p.name}: {exc}") from exc
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            ep = Episode(r["id"], r["name"], r["kind"], r["severity"],
                         pd.Timestamp(r["start"]), pd.Timestamp(r["end"]),
                         (r.get("source") or "").strip(), web_link(r.get("url") or ""))
        except (KeyError, ValueError) as exc:
            raise UsageError(f"episodes file {p.name}, line {i}: {exc}") from exc
        if not ep.source:
            raise UsageError(f"episodes file {p.name}, line {i}: episode {ep.id} has no source")
        if ep.end < ep.start:
            raise UsageError(f"episodes file {p.name}, line {i}: end before start")
        if ep.severity not in ("major", "minor"):
            raise UsageError(f"episodes file {p.name}, line {i}: severity must be major or minor")
        out.append(ep)
    return tuple(out)


@dataclass(frozen=True)
class EpisodeScore:
    episode: Episode
    in_range: bool
    max_level: int | None
    max_score: float | None
    first_drained: pd.Timestamp | None
    lead_lag_bd: int | None  # business days from the episode start; < 0 = lead
    first_tight: pd.Timestamp | None
    tight_lead_lag_bd: int | None
    #: True when the spell was already under way on the first replay day: the lead is
    #: then a lower bound, not a measurement.
    drained_censored: bool = False
    tight_censored: bool = False

    @property
    def hit(self) -> bool:
        return self.max_level is not None and self.max_level >= DRAINED


def _spell_start(level_ge: np.ndarray, i: int) -> int:
    while i > 0 and level_ge[i - 1]:
        i -= 1
    return i


def score_episode(table: pd.DataFrame, ep: Episode, tolerance_bd: int) -> EpisodeScore:
    """Highest stage in the episode window +- ``tolerance_bd`` business days, and lead/lag."""
    idx = table.index
    if len(idx) == 0 or ep.end < idx[0] or ep.start > idx[-1]:
        return EpisodeScore(ep, False, None, None, None, None, None, None)
    s0 = int(idx.searchsorted(ep.start))  # first replay day on or after the start
    e0 = int(idx.searchsorted(ep.end, side="right")) - 1
    lo, hi = max(0, s0 - tolerance_bd), min(len(idx) - 1, max(e0, s0) + tolerance_bd)
    lv = table["level"].to_numpy()
    win = lv[lo:hi + 1]
    sc = table["score"].to_numpy()[lo:hi + 1]

    def first(threshold: int) -> tuple[pd.Timestamp | None, int | None]:
        ge = lv >= threshold
        hits = np.flatnonzero(ge[lo:hi + 1])
        if not len(hits):
            return None, None
        i = _spell_start(ge, lo + int(hits[0]))
        return idx[i], i - s0

    fd, fd_bd = first(DRAINED)
    ft, ft_bd = first(TIGHT)
    msc = float(np.nanmax(sc)) if np.isfinite(sc).any() else None
    return EpisodeScore(ep, True, int(win.max()), msc, fd, fd_bd, ft, ft_bd,
                        fd is not None and fd == idx[0], ft is not None and ft == idx[0])


@dataclass(frozen=True)
class Spell:
    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    max_level: int
    near: tuple[str, ...]  # ids of the major episodes within the alarm window

    @property
    def false_alarm(self) -> bool:
        return not self.near


def spells(level: pd.Series, min_level: int = DRAINED) -> list[tuple[int, int]]:
    """(first, last) positions of each run of consecutive days with level >= ``min_level``."""
    ge = (level.to_numpy() >= min_level).astype(np.int8)
    d = np.diff(np.concatenate([[0], ge, [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1))


def drained_spells(table: pd.DataFrame, episodes: tuple[Episode, ...],
                   alarm_window_bd: int) -> tuple[Spell, ...]:
    """Every spell of stage >= drained, with the major episodes within the alarm window."""
    idx = table.index
    out = []
    for a, b in spells(table["level"], DRAINED):
        near = []
        for ep in episodes:
            if not ep.major:
                continue
            s0 = int(idx.searchsorted(ep.start))
            e0 = int(idx.searchsorted(ep.end, side="right")) - 1
            if ep.end < idx[0] or ep.start > idx[-1]:
                continue
            if a <= max(e0, s0) + alarm_window_bd and b >= s0 - alarm_window_bd:
                near.append(ep.id)
        out.append(Spell(idx[a], idx[b], int(b - a + 1),
                         int(table["level"].iloc[a:b + 1].max()), tuple(near)))
    return tuple(out)


@dataclass(frozen=True)
class Rates:
    major_in_range: int
    hits_drained: int
    hits_tight: int
    spells: int
    false_alarms: int
    false_alarm_days: int
    drained_days: int
    calendar_in_range: int
    calendar_drained: int

    @property
    def hit_rate(self) -> float | None:
        return self.hits_drained / self.major_in_range if self.major_in_range else None

    @property
    def hit_rate_tight(self) -> float | None:
        return self.hits_tight / self.major_in_range if self.major_in_range else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_alarms / self.spells if self.spells else None


def rates(scores: tuple[EpisodeScore, ...], spl: tuple[Spell, ...]) -> Rates:
    """Hit rate over the major episodes and false-alarm rate over the drained spells."""
    major = [s for s in scores if s.in_range and s.episode.major]
    cal = [s for s in scores if s.in_range and not s.episode.major]
    return Rates(
        major_in_range=len(major),
        hits_drained=sum(s.hit for s in major),
        hits_tight=sum(s.max_level is not None and s.max_level >= TIGHT for s in major),
        spells=len(spl),
        false_alarms=sum(s.false_alarm for s in spl),
        false_alarm_days=sum(s.days for s in spl if s.false_alarm),
        drained_days=sum(s.days for s in spl),
        calendar_in_range=len(cal),
        calendar_drained=sum(s.hit for s in cal),
    )
