"""The ``outlook`` use case: the drain calendar, the TGA against its target, the day effects
and the defence lines' runway on one as-of date (``dollarliq outlook``, ``/v1/outlook``,
the MCP tool ``outlook``, ``dl.outlook()``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store

#: Series the outlook reads (USD billions; rates in percent).
OUTLOOK_IDS = ("TGA_DTS", "WTREGEN", "RRPONTSYD", "WRESBAL", "TLAACBW027SBOG", "SOFR", "TGCR",
               "IORB", "IOER", "RPONTTLD", "RPONTSYD", "WLCFLPCL")
#: First day of the sample the day effects are measured on.
EFFECTS_START = "2018-01-01"


@dataclass(frozen=True)
class Outlook:
    """The outlook on one date (the document of ``dollarliq outlook --format json``,
    ``data/outlook.schema.json``)."""

    doc: dict[str, Any]

    @property
    def as_of(self) -> str:
        return self.doc["as_of"]

    @property
    def calendar(self) -> list[dict[str, Any]]:
        return self.doc["calendar"]

    @property
    def runway(self) -> list[dict[str, Any]]:
        return self.doc["runway"]["lines"]

    def to_dict(self) -> dict[str, Any]:
        return self.doc

    def to_json(self, indent: int | None = 1) -> str:
        """Strict JSON (no NaN or Infinity)."""
        return json.dumps(self.doc, ensure_ascii=False, indent=indent, allow_nan=False)

    def to_csv(self) -> str:
        from dollarliq.reports.outlook import to_csv

        return to_csv(self.doc)

    def to_text(self) -> str:
        from dollarliq.reports.outlook import render_text

        return render_text(self.doc)

    def to_frame(self) -> pd.DataFrame:
        """The calendar, one row per business day (amounts in USD)."""
        import io

        import pandas as pd

        return pd.read_csv(io.StringIO(self.to_csv()), parse_dates=["date"]).set_index("date")

    def __repr__(self) -> str:
        return (f"Outlook(as_of={self.as_of}, days={self.doc['days']}, "
                f"settlement_days={self.doc['settlement_days']})")


def outlook_days(days: Any) -> int:
    """``days`` from a request (text or number), checked like the command line's --days."""
    if isinstance(days, str):
        text = days.strip()
        if not text.lstrip("-").isdigit():
            from dollarliq.errors import shown

            raise UsageError(f"days {shown(days)!r}: a whole number of business days such "
                             "as 20")
        days = int(text)
    return check_days(days)


def check_days(days: Any) -> int:
    """The number of business days: an integer from 1 to ``drain.MAX_DAYS``."""
    from dollarliq.outlook.drain import MAX_DAYS

    from dollarliq.errors import shown

    if isinstance(days, bool) or not isinstance(days, (int, float)) or (
            isinstance(days, float) and not float(days).is_integer()):
        raise UsageError(f"days {shown(days)}: a whole number of business days such as 20, "
                         f"not {type(days).__name__}")
    n = int(days)
    if not 1 <= n <= MAX_DAYS:
        raise UsageError(f"days must be 1 to {MAX_DAYS} business days, not {n}")
    return n


def outlook(as_of: Any = None, *, days: int = 20, lang: str = "en",
            store: Store | None = None, home: str | Path | None = None) -> Outlook:
    """The drain calendar of the next ``days`` business days after ``as_of``, the TGA against
    the announced end-of-quarter balance, the measured day effects and the runway of each
    defence line, from what was public on ``as_of`` (default: the latest release of the
    core inputs).

    Parameters
    ----------
    as_of : str | date | None
        The as-of date (YYYY-MM-DD).
    days : int
        Business days in the calendar (1 to 130).
    lang : str
        ``en`` or ``zh``.

    Returns
    -------
    Outlook
        ``.to_dict()`` / ``.to_json()`` (the schema ``data/outlook.schema.json``),
        ``.to_text()``, ``.to_csv()``, ``.to_frame()``.

    Raises
    ------
    UsageError
        A malformed or out-of-range date or number of days.
    """
    from dollarliq.api import _core as api

    n = check_days(days)
    language = api.check_lang(lang)
    api.check_store(store)
    api.parse_as_of(as_of)
    ids = list(dict.fromkeys([*api.CORE_IDS, *OUTLOOK_IDS]))
    with api.open_store(store, home) as s:
        rows = api._read(s, ids)
        records = s.auctions()
    t = api.resolve_as_of(rows, as_of)
    return Outlook(outlook_from_rows(rows, records, t, n, language))


def outlook_from_rows(rows: Rows, records: pd.DataFrame, t: pd.Timestamp, n: int,
                      language: str) -> dict[str, Any]:
    """The outlook document from rows already read (``rows`` holds :data:`OUTLOOK_IDS` and
    the core series) and the store's auction records, on the resolved date ``t``."""
    import pandas as pd

    from dollarliq.api import _core as api
    from dollarliq.outlook import auctions, drain, effects, estimates, runway
    from dollarliq.reports.outlook import outlook_document

    m = rows.series_map(OUTLOOK_IDS, as_of=t)
    policy = effects.policy_rate(m.get("IORB"), m.get("IOER"))
    settled = records[records["total_accepted"].notna() & (records["auction_date"] <= t)]
    bills = settled[auctions.category(settled["security_type"]) == "bills"]
    complete = bills["issue_date"].max() if len(bills) else pd.NaT
    start = pd.Timestamp(EFFECTS_START)
    end = min(t, complete) if complete is not pd.NaT else t
    table = []
    if complete is not pd.NaT and end > start:
        flows = auctions.daily_flows(records, as_of=t)
        table = effects.measure({"sofr": m.get("SOFR"), "tgcr": m.get("TGCR")}, policy,
                                flows["net"] / 1e9, start, end)
    tga = m.get("TGA_DTS")
    if tga is None or tga.empty:
        tga = m.get("WTREGEN")
    target = estimates.target(t)
    cal = drain.calendar(records, t, n, tga=tga, target=target, effects=table)
    run = runway.runway(m, policy)
    data_end = max((rows.last_obs[c] for c in api.CORE_IDS if c in rows.last_obs), default=None)
    return outlook_document(t, n, cal, run, {"table": table, "start": start, "end": end,
                                             "threshold_bn": effects.NET_THRESHOLD_BN},
                            lang=language, data_end=data_end)
