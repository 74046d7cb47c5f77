"""The funding calendar: Fedwire and bond-market holidays, period ends, tax and settlement days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dollarliq.dates import (business_days, fed_holidays, funding_calendar, good_friday)
from dollarliq.indicators import calendar_kind

T = pd.Timestamp


@pytest.mark.parametrize("day", ["2021-12-31", "2023-11-10", "2026-07-03"])
def test_a_saturday_holiday_is_not_moved_to_the_friday_on_fedwire(day):
    # New Year's Day 2022, Veterans Day 2023 and Independence Day 2026 fall on a Saturday:
    # the Reserve Banks and Fedwire are open the Friday before (pandas' federal calendar
    # would close it).
    assert T(day) in business_days(T(day) - pd.Timedelta(days=3), T(day))


def test_a_sunday_holiday_is_observed_on_the_monday():
    assert fed_holidays(2022)["christmas"] == dt.date(2022, 12, 26)
    assert T("2022-12-26") not in business_days("2022-12-23", "2022-12-27")


def test_juneteenth_is_a_fed_holiday_from_2022_only():
    assert "juneteenth" not in fed_holidays(2021)
    assert fed_holidays(2022)["juneteenth"] == dt.date(2022, 6, 20)  # Sunday -> Monday


def test_good_friday_is_a_bond_market_holiday_with_fedwire_open():
    assert good_friday(2024) == dt.date(2024, 3, 29)
    assert good_friday(2025) == dt.date(2025, 4, 18)
    assert T("2024-03-29") in business_days("2024-03-28", "2024-04-01")
    assert T("2024-03-29") not in business_days("2024-03-28", "2024-04-01", market="bond")


def test_the_2024_quarter_end_is_the_last_day_with_a_sofr_print():
    f = funding_calendar(business_days("2024-03-26", "2024-04-02"))
    assert f.loc["2024-03-28", "kind"] == "quarter_end"
    assert f.loc["2024-03-29", "kind"] == ""  # Good Friday: no SOFR, no quarter-end label
    assert f.loc["2024-04-01", "kind"] == "month_start"


def test_year_end_2021_is_friday_the_31st():
    f = funding_calendar(business_days("2021-12-29", "2022-01-04"))
    assert f.loc["2021-12-31", "kind"] == "year_end"
    assert f.loc["2022-01-03", "kind"] == "month_start"


def test_mid_month_settlement_and_the_day_after_are_labelled():
    # 2025-10-15 (coupon settlement) and 2025-10-16, whose +15 bp SOFR print used to feed the
    # persistent median.
    k = calendar_kind(business_days("2025-10-14", "2025-10-17"))
    assert k.tolist() == ["", "settlement", "settlement", ""]


def test_april_tax_season_and_tax_months():
    k = calendar_kind(business_days("2024-04-12", "2024-04-22"))
    assert k.loc["2024-04-15":"2024-04-18"].eq("tax_date").all()
    assert k.loc["2024-04-12"] == "" and k.loc["2024-04-19"] == ""
    # In 2025 Good Friday (04-18) has no bond market: the season runs to Monday 04-21.
    k25 = calendar_kind(business_days("2025-04-15", "2025-04-22"))
    assert k25.loc["2025-04-21"] == "tax_date" and k25.loc["2025-04-22"] == ""
    assert calendar_kind(business_days("2025-06-16", "2025-06-16")).iloc[0] == "tax_date"


def test_gse_cash_and_bill_settlement_are_labelled_but_do_not_excuse():
    f = funding_calendar(business_days("2025-10-20", "2025-10-24"))
    assert f["gse_cash"].all()
    assert f.loc["2025-10-21", "bill_settlement"] and f.loc["2025-10-23", "bill_settlement"]
    assert (f["kind"] == "").all()
