"""Calendars and release-date rules.

Pure date arithmetic: US federal business days (the calendar the Fed, the NY Fed and the
Treasury publish on) and the rules that turn an observation date into the date the value
became public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from dollarliq.errors import UsageError

if TYPE_CHECKING:  # pandas is imported lazily: the light CLI paths never load it
    import numpy as np
    import pandas as pd


@lru_cache(maxsize=1)
def us_business_day():
    """A pandas business-day offset that skips weekends and US federal holidays."""
    from pandas.tseries.holiday import USFederalHolidayCalendar
    from pandas.tseries.offsets import CustomBusinessDay

    return CustomBusinessDay(calendar=USFederalHolidayCalendar())


@lru_cache(maxsize=1)
def _holidays():
    from pandas.tseries.holiday import USFederalHolidayCalendar

    hol = USFederalHolidayCalendar().holidays(start="1960-01-01", end="2100-12-31")
    return hol.values.astype("datetime64[D]")


def add_business_days(dates, n: int) -> np.ndarray:
    """Shift dates by ``n`` US federal business days (vectorised), as datetime64[D].

    A date that is not itself a business day first rolls forward when ``n > 0``.
    """
    import numpy as np
    import pandas as pd

    d = np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[D]"))
    return np.busday_offset(d, n, roll="forward" if n >= 0 else "backward", holidays=_holidays())


def business_days(start, end) -> pd.DatetimeIndex:
    """US federal business days from ``start`` to ``end`` inclusive."""
    import numpy as np
    import pandas as pd

    days = np.arange(np.datetime64(pd.Timestamp(start).date(), "D"),
                     np.datetime64(pd.Timestamp(end).date(), "D") + 1)
    return pd.DatetimeIndex(days[np.is_busday(days, holidays=_holidays())])


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

        raise UsageError(t("error.not_a_date", lang_from_env(), what=what, text=s)) from None


def as_date(x) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO string (None stays None)."""
    if x is None:
        return None
    if isinstance(x, dt.datetime):  # includes pandas.Timestamp
        return x.date()
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x)[:10])
