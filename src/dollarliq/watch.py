"""Alerts: what changed since the last check, and its delivery through apprise.

A watch cycle compares the current report with the state kept in the store (meta key
``watch.state``) and yields events:

- **stage change**: the stage differs from the last one notified. From an empty state the
  current stage counts as a change, so the first run always says where things stand.
- **record**: a report record (``report["records"]``) that is *notable*: its value is the most
  extreme since the data begin (``since`` is None, a new all-time extreme), or the last time
  it was as extreme is more than ``record_years`` years (default 5) before its date. Each
  record is notified once, keyed by indicator, kind and date.

:func:`evaluate` is pure; :func:`notify` is the only function that touches the network (it
hands the message to apprise, which talks to mail, Slack, Telegram, ntfy, webhooks...).

Delivery is kept **per receiver**: :func:`deliver` sends each receiver (one ``--notify``
URL) the events it has not had, one message per receiver and cycle. A receiver that got an
event never gets it again; one that failed keeps the event in the state (``pending``, keyed
by a hash of its URL, never the URL itself: URLs carry tokens) and gets it on the next cycle.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dollarliq.errors import SourceError, UsageError
from dollarliq.messages import days_ago, score_text, t

STATE_KEY = "watch.state"
RECORD_YEARS = 5
_KEEP_RECORDS = 200  # notified-record keys kept in the state (oldest dropped)
_KEEP_PENDING = 50  # events kept for a receiver that keeps failing (oldest dropped)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class WatchState:
    """What has been seen: the last stage (None before the first run), the records, and the
    events each receiver that failed is still owed (receiver id -> events as dicts)."""

    stage: int | None = None
    records: tuple[str, ...] = ()
    pending: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"stage": self.stage, "records": list(self.records),
                           "pending": {k: v for k, v in self.pending.items() if v}})

    @classmethod
    def from_json(cls, text: str | None) -> WatchState:
        if not text:
            return cls()
        d = json.loads(text)
        pending = d.get("pending") or {}
        return cls(stage=d.get("stage"), records=tuple(d.get("records", ())),
                   pending={str(k): [dict(e) for e in v] for k, v in pending.items()})


@dataclass(frozen=True)
class Event:
    kind: str  # "stage" or "record"
    title: str
    body: str
    key: str = ""


@dataclass(frozen=True)
class Evaluation:
    events: list[Event] = field(default_factory=list)
    state: WatchState = field(default_factory=WatchState)


def parse_every(text: str) -> float:
    """Seconds in a duration such as ``90s``, ``30m``, ``1h``, ``1d`` (UsageError if not)."""
    m = _DURATION.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"every {text!r} is not a duration: write 90s, 30m, 1h or 1d")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2).lower()]


def record_key(rec: dict[str, Any]) -> str:
    return f"{rec['indicator']}:{rec['kind']}:{rec['date']}"


def is_notable(rec: dict[str, Any], record_years: float = RECORD_YEARS) -> bool:
    """A new extreme since the data begin, or since more than ``record_years`` years."""
    if rec.get("date") is None:
        return False
    if rec.get("since") is None:
        return True
    gap = pd.Timestamp(rec["date"]) - pd.Timestamp(rec["since"])
    return gap > pd.Timedelta(days=365.25 * record_years)


def evaluate(doc: dict[str, Any], state: WatchState, *, record_years: float = RECORD_YEARS,
             lang: str = "en") -> Evaluation:
    """The events the report ``doc`` brings against ``state``, and the state after them."""
    events: list[Event] = []
    st = doc["stage"]
    level = int(st["level"])
    name = st["name_zh"] if lang == "zh" else st["name"]
    if state.stage != level:
        if state.stage is None:
            body = t("watch.stage_first", lang, level=level, name=name, since=st["since"],
                     score=score_text(doc["score"]["value"], lang), date=doc["date"])
        else:
            body = t("watch.stage_changed", lang, old=state.stage,
                     old_name=t(f"stage.{state.stage}", lang), level=level, name=name,
                     score=score_text(doc["score"]["value"], lang), date=doc["date"])
        met = [c["text"] for e in doc["evidence"] if e["met"] and e["stage"] == level
               for c in e["conditions"]]
        if met:
            body += "\n" + "\n".join(f"- {m}" for m in met)
        if doc.get("update_advised"):  # the data are older than their publication lags
            body += "\n" + t("report.data_old", lang, data_end=doc["data_end"],
                             ago=days_ago(doc.get("data_age_days"), lang))
        events.append(Event("stage", t("watch.stage_title", lang, level=level, name=name),
                            body, key=f"stage:{level}"))
    seen = set(state.records)
    new_keys = []
    for rec in doc.get("records", []):
        key = record_key(rec)
        if key in seen or not is_notable(rec, record_years):
            continue
        new_keys.append(key)
        events.append(Event("record", t("watch.record_title", lang), rec["text"], key=key))
    records = (list(state.records) + new_keys)[-_KEEP_RECORDS:]
    return Evaluation(events, WatchState(stage=level, records=tuple(records),
                                         pending=state.pending))


def load_state(store) -> WatchState:
    return WatchState.from_json(store.meta_get(STATE_KEY))


def save_state(store, state: WatchState) -> None:
    store.meta_put(STATE_KEY, state.to_json())


def receiver_id(url: str) -> str:
    """A receiver's key in the state: a hash of its URL (the URL carries tokens)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def check_urls(urls: list[str], *, lang: str = "en") -> None:
    """UsageError naming (scheme and host only) the URLs apprise does not understand."""
    if not urls:
        return
    import apprise

    ap = apprise.Apprise()
    bad = [u for u in urls if not ap.add(u)]
    if bad:
        raise UsageError(t("watch.bad_url", lang, urls=", ".join(_redact_url(u) for u in bad)))


def notify(events: list[Event], urls: list[str], *, lang: str = "en") -> None:
    """Send the events as one message to every apprise URL; SourceError if any fails."""
    if not events or not urls:
        return
    import apprise

    check_urls(urls, lang=lang)
    ap = apprise.Apprise()
    for u in urls:
        ap.add(u)
    title = events[0].title if len(events) == 1 else t("watch.title_many", lang, n=len(events))
    body = "\n\n".join(f"{e.title}\n{e.body}" if len(events) > 1 else e.body for e in events)
    body += "\n\n" + t("notice", lang)
    if not ap.notify(title=title, body=body):
        raise SourceError(t("watch.notify_failed", lang, n=len(urls), total=len(urls)))


def deliver(events: list[Event], urls: list[str], state: WatchState, *,
            lang: str = "en", send=notify) -> tuple[WatchState, int]:
    """Send each receiver the events it is owed: those still pending from a failed cycle,
    then ``events`` (new this cycle), each key once, as one message.

    Returns the state with the receivers' pending events (emptied for those that got the
    message, kept for those that failed) and the number of receivers that failed. ``send``
    is :func:`notify` (injectable for tests).
    """
    check_urls(urls, lang=lang)
    pending = {k: list(v) for k, v in state.pending.items()}
    failed = 0
    for url in dict.fromkeys(urls):  # each receiver once
        rid = receiver_id(url)
        owed = [Event(**e) for e in pending.get(rid, [])]
        keys = {e.key for e in owed}
        owed += [e for e in events if not e.key or e.key not in keys]
        if not owed:
            continue
        try:
            send(owed, [url], lang=lang)
        except SourceError:
            failed += 1
            pending[rid] = [{"kind": e.kind, "title": e.title, "body": e.body, "key": e.key}
                            for e in owed][-_KEEP_PENDING:]
        else:
            pending.pop(rid, None)
    return WatchState(state.stage, state.records, pending), failed


def _redact_url(url: str) -> str:
    """The scheme and host of a URL only: apprise URLs carry tokens and passwords."""
    m = re.match(r"^([a-z0-9+]+)://(?:[^@/]*@)?([^/:?]*)", url, re.IGNORECASE)
    return f"{m.group(1)}://{m.group(2)}/…" if m else "(unparsable URL)"
