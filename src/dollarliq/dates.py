"""Calendars, release-date rules and today's date.

Pure date arithmetic: US federal business days (the calendar the Fed, the NY Fed and the
Treasury publish on) and the rules that turn an observation date into the date the value
became public. :func:`today` is the one place the package reads the current date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from dollarliq.errors import UsageError, shown

#: Set to an ISO date (YYYY-MM-DD) to fix "today" for every command (reproducible runs, tests).
TODAY_ENV = "DOLLARLIQ_TODAY"

if TYPE_CHECKING:  # pandas is imported lazily: the light CLI paths never load it
    import numpy as np
    import pandas as pd


#: Holidays of the Federal Reserve (and Fedwire), by rule: (name, month, day or None,
#: weekday, nth, first year). ``nth`` counts from 1; -1 is the last such weekday of the month.
_FED_HOLIDAYS = (
    ("new_year", 1, 1, None, None, 1900),
    ("mlk_day", 1, None, 0, 3, 1986),
    ("presidents_day", 2, None, 0, 3, 1971),
    ("memorial_day", 5, None, 0, -1, 1971),
    ("juneteenth", 6, 19, None, None, 2022),  # first observed by the Federal Reserve in 2022
    ("independence_day", 7, 4, None, None, 1900),
    ("labor_day", 9, None, 0, 1, 1900),
    ("columbus_day", 10, None, 0, 2, 1971),
    ("veterans_day", 11, 11, None, None, 1971),
    ("thanksgiving", 11, None, 3, 4, 1942),
    ("christmas", 12, 25, None, None, 1900),
)
#: One-off closures of the US bond market (SIFMA full close): the national day of mourning
#: for President George H. W. Bush. No SOFR, TGCR or ON RRP on that day.
_BOND_MARKET_CLOSURES = ("2018-12-05",)
#: Saturday holidays that the bond market observes on the Friday (SIFMA), unlike Fedwire.
_SIFMA_FRIDAY_FOR_SATURDAY = ("juneteenth", "independence_day", "christmas")


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(weekday - d.weekday()) % 7 + 7 * (nth - 1))
        return d
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def good_friday(year: int) -> dt.date:
    """Good Friday: a bond-market holiday (no SOFR) on which Fedwire is open."""
    return _easter(year) - dt.timedelta(days=2)


def fed_holidays(year: int) -> dict[str, dt.date]:
    """The Federal Reserve's holidays in ``year`` as Fedwire observes them.

    A holiday on a Sunday is observed the Monday after; one on a Saturday is **not** moved to
    the Friday (Fedwire and the Reserve Banks are open that Friday), unlike the pandas
    federal calendar.
    """
    out = {}
    for name, month, day, weekday, nth, first in _FED_HOLIDAYS:
        if year < first:
            continue
        d = dt.date(year, month, day) if day else _nth_weekday(year, month, weekday, nth)
        if d.weekday() == 6:
            d += dt.timedelta(days=1)
        elif d.weekday() == 5:
            continue
        out[name] = d
    return out


def _saturday_holidays(year: int) -> dict[str, dt.date]:
    out = {}
    for name, month, day, _w, _n, first in _FED_HOLIDAYS:
        if day and year >= first and dt.date(year, month, day).weekday() == 5:
            out[name] = dt.date(year, month, day)
    return out


@lru_cache(maxsize=2)
def _holidays(market: str = "fedwire"):
    """Holidays 1960-2100 as datetime64[D]: ``fedwire`` or ``bond`` (the securities market)."""
    import numpy as np

    days = []
    for y in range(1960, 2101):
        days += list(fed_holidays(y).values())
        if market == "bond":
            days.append(good_friday(y))
            days += [d - dt.timedelta(days=1) for n, d in _saturday_holidays(y).items()
                     if n in _SIFMA_FRIDAY_FOR_SATURDAY]
    if market == "bond":
        days += [dt.date.fromisoformat(x) for x in _BOND_MARKET_CLOSURES]
    return np.array(sorted(set(days)), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def us_business_day():
    """A pandas business-day offset on the Fedwire calendar (weekends and Fed holidays)."""
    from pandas.tseries.offsets import CustomBusinessDay

    return CustomBusinessDay(holidays=_holidays("fedwire"))


def add_business_days(dates, n: int, market: str = "fedwire") -> np.ndarray:
    """Shift dates by ``n`` business days (vectorised), as datetime64[D].

    ``market``: ``fedwire`` (the Fed's calendar, the default grid) or ``bond`` (the securities
    market: also closed on Good Friday). A date that is not itself a business day first rolls
    forward when ``n >= 0`` and backward when ``n < 0``.
    """
    import numpy as np
    import pandas as pd

    d = np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[D]"))
    return np.busday_offset(d, n, roll="forward" if n >= 0 else "backward",
                            holidays=_holidays(market))


def business_days(start, end, market: str = "fedwire") -> pd.DatetimeIndex:
    """Business days from ``start`` to ``end`` inclusive (``fedwire`` or ``bond`` calendar)."""
    import numpy as np
    import pandas as pd

    days = np.arange(np.datetime64(pd.Timestamp(start).date(), "D"),
                     np.datetime64(pd.Timestamp(end).date(), "D") + 1)
    return pd.DatetimeIndex(days[np.is_busday(days, holidays=_holidays(market))])


def today() -> dt.date:
    """Today's date, the one the package judges data ages and as-of dates against.

    ``$DOLLARLIQ_TODAY`` (an ISO date, YYYY-MM-DD) when set and not empty; otherwise the
    current date in UTC, so every machine agrees whatever its time zone. Every use of the
    current date in the package goes through this function; time stamps of events (when a
    value was fetched, when the server answered) keep the real clock.

    Raises
    ------
    UsageError
        ``$DOLLARLIQ_TODAY`` is set but is not a date.
    """
    import os

    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{TODAY_ENV}={text[:40]!r} is not a date (YYYY-MM-DD)") from None


def last_business_day(on: dt.date) -> dt.date:
    """The last Fedwire business day on or before ``on`` (``on`` itself when it is one)."""
    import numpy as np

    d = np.busday_offset(np.datetime64(on, "D"), 0, roll="backward",
                         holidays=_holidays("fedwire"))
    return dt.date.fromisoformat(str(d))


def default_as_of(last_release, today: dt.date) -> dt.date:
    """The default as-of date of every command: the latest release date of the core inputs
    (``last_release``), but never after the last business day on or before ``today``.

    A value fetched on a Saturday is dated by its release rule on the next business day,
    which has not come yet: the default is then the Friday (or the business day before a
    holiday), and every value released after it waits for its day.
    """
    return min(as_date(last_release), last_business_day(today))


@dataclass(frozen=True)
class ReleaseRule:
    """When an observation becomes public, relative to its observation date.

    kind:
      - ``"bdays"``: ``n`` US business days after the observation date
        (0 = the same day, e.g. ON RRP results published at 13:15 ET).
      - ``"days"``: ``n`` calendar days after, then rolled to a business day.
      - ``"month_end_bdays"``: ``n`` business days after the end of the observed month.
    """

    kind: str = "bdays"
    n: int = 0

    def apply(self, obs_dates) -> np.ndarray:
        """Release dates (datetime64[D]) for the given observation dates."""
        import pandas as pd

        idx = pd.DatetimeIndex(obs_dates)
        if self.kind == "bdays":
            return add_business_days(idx, self.n)
        if self.kind == "days":
            return add_business_days(idx + pd.Timedelta(days=self.n), 0)
        if self.kind == "month_end_bdays":
            return add_business_days(idx + pd.offsets.MonthEnd(0), self.n)
        raise ValueError(f"unknown release rule kind {self.kind!r}")

    def describe(self) -> str:
        """A short English description, e.g. '1 business day after the observation date'."""
        if self.kind == "bdays":
            if self.n == 0:
                return "same business day"
            return f"{self.n} business day{'s' if self.n > 1 else ''} after the observation date"
        if self.kind == "days":
            return f"{self.n} calendar days after the observation date"
        return f"{self.n} business days after the month ends"


def parse_date(text: str | None, *, what: str = "date") -> dt.date | None:
    """Parse a user-supplied ISO date (YYYY-MM-DD); raise UsageError with a clear message."""
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = str(text).strip()
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        from dollarliq.messages import lang_from_env, t

        raise UsageError(t("error.not_a_date", lang_from_env(), what=what,
                           text=shown(s))) from None


def as_date(x) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO string (None stays None)."""
    if x is None:
        return None
    if isinstance(x, dt.datetime):  # includes pandas.Timestamp
        return x.date()
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x)[:10])


# --- the funding calendar ----------------------------------------------------------------
#: Labels that excuse a rate spike (strongest first): a day carries at most one of them.
CALENDAR_KINDS = ("year_end", "quarter_end", "month_end", "month_start", "tax_date",
                  "settlement")
EXCUSED_KINDS = CALENDAR_KINDS
#: Labels shown but not excusing a spike: their size varies too much to excuse one without
#: the amounts (GSE cash leaving repo, Treasury bill settlement).
INFO_KINDS = ("gse_cash", "bill_settlement")
TAX_MONTHS = (1, 4, 6, 9, 12)


def funding_calendar(dates) -> pd.DataFrame:
    """The funding-calendar events of each date, on the bond-market calendar.

    Rates such as SOFR are set on the days the securities market is open (the Fedwire
    calendar less Good Friday and the Fridays before some Saturday holidays), so period ends
    are the last day with a SOFR print: 2024-03-28 is the first quarter's end in 2024,
    not Good Friday 2024-03-29.

    Columns (bool): ``year_end``, ``quarter_end``, ``month_end`` (last bond-market day of the
    period), ``month_start`` (first), ``tax_date`` (the first bond-market day on or after the
    15th of January, April, June, September and December and the day after it; in April also
    the three days after, the individual tax season), ``settlement`` (the same mid-month day
    and the day after in the other months: coupon settlement), ``gse_cash`` (the 18th to the
    25th: GSE cash leaves repo as MBS principal and interest is paid), ``bill_settlement``
    (Tuesdays and Thursdays: Treasury bill settlement). ``kind``: the strongest excusing label
    (:data:`CALENDAR_KINDS`) or ''. Sizes of settlements are not used (see docs/calendar.md).
    """
    import numpy as np
    import pandas as pd

    idx = pd.DatetimeIndex(dates)
    d = idx.values.astype("datetime64[D]")
    hol = _holidays("bond")
    first = d.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (d.astype("datetime64[M]") + 1).astype("datetime64[D]")
    last_bd = np.busday_offset(nxt - 1, 0, roll="backward", holidays=hol)
    first_bd = np.busday_offset(first, 0, roll="forward", holidays=hol)
    mid = np.busday_offset(first + 14, 0, roll="forward", holidays=hol)
    mid1 = np.busday_offset(mid, 1, roll="forward", holidays=hol)
    mid3 = np.busday_offset(mid, 3, roll="forward", holidays=hol)
    month = idx.month.to_numpy()
    day = idx.day.to_numpy()
    is_mid = (d == mid) | (d == mid1)
    tax_m = np.isin(month, TAX_MONTHS)
    out = pd.DataFrame(index=idx)
    out["month_end"] = d == last_bd
    out["quarter_end"] = out["month_end"].to_numpy() & np.isin(month, [3, 6, 9, 12])
    out["year_end"] = out["month_end"].to_numpy() & (month == 12)
    out["month_start"] = d == first_bd
    out["tax_date"] = (is_mid & tax_m) | ((month == 4) & (d >= mid) & (d <= mid3))
    out["settlement"] = is_mid & ~tax_m
    out["gse_cash"] = (day >= 18) & (day <= 25)
    out["bill_settlement"] = np.isin(idx.day_of_week.to_numpy(), [1, 3])
    kind = np.full(len(idx), "", dtype=object)
    for k in reversed(CALENDAR_KINDS):
        kind[out[k].to_numpy()] = k
    out["kind"] = kind
    return out
