"""One interface: the same argument order for series, panel and stages, a business-day panel,
a public namespace without clutter, and wrong-type arguments answered with UsageError naming
the argument (never AttributeError or TypeError from inside the API)."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import dollarliq as dl
from dollarliq import api
from dollarliq.errors import ECHO_LIMIT, UsageError


# -- argument order --------------------------------------------------------------------------

def test_series_panel_and_stages_take_start_and_end_in_the_same_places():
    for fn, first in ((dl.series, ["id"]), (dl.panel, ["ids"]), (dl.stages, [])):
        params = list(inspect.signature(fn).parameters.values())
        names = [p.name for p in params]
        assert names[:len(first) + 2] == [*first, "start", "end"], fn.__name__
        rest = params[len(first) + 2:]
        assert rest and all(p.kind is p.KEYWORD_ONLY for p in rest), fn.__name__


def test_a_panel_with_a_positional_start_begins_there(store):
    p = dl.panel(["SOFR"], "2025-01-01", store=store)
    assert str(p.index[0].date()) == "2025-01-02"  # the first business day of 2025
    s = dl.series("SOFR", "2025-01-01", store=store)
    assert list(p["SOFR"].dropna().index) == list(s.index)


def test_as_of_is_keyword_only():
    with pytest.raises(TypeError):
        dl.series("SOFR", "2025-01-01", "2025-02-01", "2025-03-01")


# -- the panel's rows ------------------------------------------------------------------------

def test_a_panel_is_on_business_days_by_default(store):
    p = dl.panel(["SOFR", "IORB"], store=store)
    assert not (p.index.day_of_week >= 5).any()  # IORB is published every calendar day
    sofr = dl.series("SOFR", store=store)
    # SOFR is NaN only on the business days it was not published (Good Friday, the last day)
    missing = p.index[p["SOFR"].isna()]
    assert set(missing).isdisjoint(sofr.index)
    assert len(missing) <= 15, len(missing)
    assert p.loc["2025-10-31", "SOFR"] == 4.22


def test_freq_d_keeps_every_observation_date(store):
    p = dl.panel(["SOFR", "IORB"], "2025-10-01", "2025-10-31", freq="D", store=store)
    assert (p.index.day_of_week >= 5).sum() == 8  # the four weekends of IORB
    assert p["SOFR"].isna().sum() >= 8


def test_a_business_day_panel_keeps_what_is_observed_off_the_grid(store):
    # 2024-10-14 (Columbus Day) is a Fed holiday but the stock market traded: QQQ's close stays
    p = dl.panel(["WALCL", "QQQ", "IORB"], "2024-10-10", "2024-10-16", store=store)
    assert "2024-10-14" in p.index.strftime("%Y-%m-%d")
    assert p.loc["2024-10-16", "WALCL"] == pytest.approx(7039.284)
    assert not (p.index.day_of_week >= 5).any()


def test_an_unknown_freq_is_a_usage_error(store):
    with pytest.raises(UsageError, match="freq"):
        dl.panel(["SOFR"], freq="W", store=store)


# -- the namespace ---------------------------------------------------------------------------

def test_dir_and_all_show_only_the_public_api():
    public = set(dl.__all__)
    assert {"report", "series", "panel", "stages", "UsageError", "bubble",
            "__version__"} <= public
    for name in ("Any", "TYPE_CHECKING", "sys", "types", "import_module", "annotations"):
        assert name not in dir(dl) and name not in public
    assert set(dir(dl)) == public
    assert all(hasattr(dl, n) for n in dl.__all__)


def test_the_namespace_stays_clean_after_the_api_loads():
    code = ("import dollarliq as dl; import dollarliq.api, dollarliq.cli; "
            "print(' '.join(dir(dl)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert sorted(out) == sorted(dl.__all__)


# -- wrong types -----------------------------------------------------------------------------

@pytest.mark.parametrize("call, argument", [
    (lambda s: dl.series(123, store=s), "series id"),
    (lambda s: dl.series(None, store=s), "series id"),
    (lambda s: dl.series("", store=s), "series id"),
    (lambda s: dl.bubble_test(42, store=s), "ticker"),
    (lambda s: dl.panel(None, store=s), "series ids"),
    (lambda s: dl.panel(123, store=s), "series ids"),
    (lambda s: dl.panel([], store=s), "series ids"),
    (lambda s: dl.panel(["SOFR", 5], store=s), "series ids"),
    (lambda s: dl.series("SOFR", store="x"), "store"),
    (lambda s: dl.panel(["SOFR"], store=42), "store"),
    (lambda s: dl.report(store="x"), "store"),
    (lambda s: dl.stages(store="x"), "store"),
    (lambda s: dl.gauges(store="x"), "store"),
    (lambda s: dl.health(store="x"), "store"),
    (lambda s: dl.bubble_test("NVDA", store="x"), "store"),
    (lambda s: dl.series("SOFR", home=42), "home"),
    (lambda s: dl.report(lang="fr", store=s), "lang"),
    (lambda s: dl.report(lang=3, store=s), "lang"),
    (lambda s: dl.dashboard(lang="fr", store=s), "lang"),
    (lambda s: api.bubble_scan(None, store=s), "series ids"),
    (lambda s: api.bubble_scan([" "], store=s), "no series ids"),
    (lambda s: api.bubble_scan(["NVDA"], windows=5, store=s), "windows"),
    (lambda s: dl.update(sources=7, store=s), "sources"),
    (lambda s: dl.update(series=[None], store=s), "series ids"),
    (lambda s: dl.edgar_update(tickers=42, store=s), "tickers"),
    (lambda s: dl.watch_cycle(record_years="x"), "record years"),
])
def test_a_wrong_type_is_a_usage_error_naming_the_argument(store, call, argument):
    with pytest.raises(UsageError) as err:
        call(store)
    msg = str(err.value)
    assert msg.startswith(argument), msg
    assert "\n" not in msg and err.value.exit_code == 2


def test_lang_is_checked_like_the_command_line(store):
    assert dl.report(lang="ZH", store=store, bubble_tests=False).doc["stage"]["name"]


# -- echoed input ----------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda big, s: dl.series(big, store=s),
    lambda big, s: dl.series("SOFR", start=big, store=s),
    lambda big, s: dl.panel(["SOFR", big], store=s),
    lambda big, s: dl.series_list(big, store=s),
    lambda big, s: dl.update(sources=[big], store=s),
    lambda big, s: api.bubble_scan(["NVDA"], method=big, store=s),
    lambda big, s: dl.report(lang=big, store=s),
])
def test_echoed_input_is_cut_to_a_readable_length(store, call):
    big = "X" * 10_000_000
    with pytest.raises(UsageError) as err:
        call(big, store)
    msg = str(err.value)
    assert len(msg) < ECHO_LIMIT + 300, len(msg)
    assert "X" * ECHO_LIMIT + "…" in msg
