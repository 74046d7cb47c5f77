"""Today's date through its one seam (``DOLLARLIQ_TODAY``), the data's age against it on
every front end, a default as-of date that is never after today, and strict JSON.

The data end and the ages expected here are computed from the store itself (its coverage)
with plain date arithmetic, never taken from the code under test, so the tests hold on any
snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from dollarliq import api, dates
from dollarliq.cli import app
from dollarliq.errors import UsageError
from dollarliq.store import Store

runner = CliRunner()
TODAY = dt.date(2026, 12, 5)  # a Saturday, after the snapshot's data end
CORE = ("WALCL", "WRESBAL", "RRPONTSYD", "SOFR")
SRC = Path(__file__).resolve().parents[1] / "src" / "dollarliq"


def _strict(text: str | bytes):
    """A strict JSON parser: NaN, Infinity and -Infinity are errors, not numbers."""
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _schema(name: str) -> dict:
    return json.loads(files("dollarliq").joinpath(f"data/{name}.schema.json").read_text())


def _snapshot_end() -> dt.date:
    """The latest observation of the core inputs in the embedded snapshot."""
    s = Store(":memory:")
    try:
        cov = s.coverage()
    finally:
        s.close()
    return max(cov[x].last_obs for x in CORE)


def run(*args: str, today: dt.date | str | None = TODAY):
    env = {"COLUMNS": "220", "NO_COLOR": "1"}
    if today is not None:
        env["DOLLARLIQ_TODAY"] = str(today)
    return runner.invoke(app, list(args), env=env)


# ----------------------------------------------------------------------------- the seam

def test_today_is_dollarliq_today_when_set_else_the_utc_date(monkeypatch):
    monkeypatch.setenv("DOLLARLIQ_TODAY", "2026-12-05")
    assert dates.today() == TODAY
    monkeypatch.setenv("DOLLARLIQ_TODAY", " ")
    assert dates.today() == dt.datetime.now(dt.timezone.utc).date()
    monkeypatch.delenv("DOLLARLIQ_TODAY")
    assert dates.today() == dt.datetime.now(dt.timezone.utc).date()
    monkeypatch.setenv("DOLLARLIQ_TODAY", "2026-13-01")
    with pytest.raises(UsageError, match="DOLLARLIQ_TODAY"):
        dates.today()


def test_a_bad_today_is_exit_2_in_one_line(home):
    res = run("report", today="yesterday")
    assert res.exit_code == 2
    assert "DOLLARLIQ_TODAY" in res.output and len(res.output.strip().splitlines()) == 1


def test_no_module_but_dates_reads_the_current_date():
    """Every use of the current date goes through dates.today(); the real clock is read
    elsewhere only for time stamps of events (when a row was fetched, when a scan ran)."""
    pat = re.compile(r"date\.today\(|Timestamp\.today\(|datetime\.today\(|datetime\.now\(|"
                     r"Timestamp\.now\(|utcnow\(")
    stamps = {"store.py": 2, "api/bubbles.py": 1}  # fetched_at, the scan's time stamp
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).as_posix()
        n = len(pat.findall(p.read_text(encoding="utf-8")))
        if rel == "dates.py":
            assert n == 1, rel
        else:
            assert n == stamps.get(rel, 0), (rel, n)


def test_last_business_day_skips_weekends_and_fedwire_holidays():
    assert dates.last_business_day(dt.date(2026, 12, 5)) == dt.date(2026, 12, 4)  # Saturday
    assert dates.last_business_day(dt.date(2026, 12, 6)) == dt.date(2026, 12, 4)  # Sunday
    assert dates.last_business_day(dt.date(2026, 12, 4)) == dt.date(2026, 12, 4)
    assert dates.last_business_day(dt.date(2026, 6, 19)) == dt.date(2026, 6, 18)  # Juneteenth
    assert dates.last_business_day(dt.date(2026, 5, 25)) == dt.date(2026, 5, 22)  # Memorial Day
    assert dates.last_business_day(dt.date(2026, 11, 26)) == dt.date(2026, 11, 25)  # Thanksgiving


# ----------------------------------------------------------------------------- as-of never in the future

def test_a_saturday_update_gives_a_friday_default_as_of(truncated_store, monkeypatch):
    """What a Saturday update leaves: rows dated by their release rules up to the Monday
    after. The default as-of date is the Friday, and that date is accepted back."""
    import pandas as pd

    from dollarliq.frame import read_rows

    sat, fri, mon = dt.date(2026, 8, 15), dt.date(2026, 8, 14), dt.date(2026, 8, 17)
    store = truncated_store(pd.Timestamp(mon))
    try:
        rows = read_rows(store, list(CORE))
        assert max(rows.last_release[s] for s in CORE).date() == mon  # the bug's precondition
        monkeypatch.setenv("DOLLARLIQ_TODAY", f"{sat}")
        assert api.resolve_as_of(rows, None) == pd.Timestamp(fri)
        assert api.health(store=store)["as_of"] == f"{fri}"
        tab = api.stages(start="2026-08-03", store=store)
        assert tab.attrs["as_of"] == f"{fri}" and tab.index[-1].date() == fri
        r = api.report(store=store, bubble_tests=False)
        assert r.as_of == fri and r.doc["today"] == f"{sat}"
        assert api.report(as_of=f"{fri}", store=store, bubble_tests=False).as_of == fri
        with pytest.raises(UsageError, match="in the future"):
            api.resolve_as_of(rows, f"{mon}")
    finally:
        store.close()


@pytest.mark.parametrize("today, want", [("2026-06-19", "2026-06-18"),   # Juneteenth (Fri)
                                         ("2026-05-25", "2026-05-22"),   # Memorial Day (Mon)
                                         ("2026-05-24", "2026-05-22")])  # a Sunday
def test_on_a_holiday_the_default_is_the_business_day_before(store, monkeypatch, today, want):
    import pandas as pd

    from dollarliq.frame import read_rows

    rows = read_rows(store, list(CORE))
    assert max(rows.last_release[s] for s in CORE) > pd.Timestamp(today)  # data after today
    monkeypatch.setenv("DOLLARLIQ_TODAY", today)
    assert api.resolve_as_of(rows, None) == pd.Timestamp(want)


def test_the_cli_default_as_of_on_a_saturday_is_accepted_back(home):
    res = run("report", "--format", "json", today="2026-08-15")
    assert res.exit_code == 0, res.output
    assert _strict(res.stdout)["as_of"] == "2026-08-14"
    assert run("report", "--as-of", "2026-08-14", "--format", "json",
               today="2026-08-15").exit_code == 0
    late = run("report", "--as-of", "2026-08-17", today="2026-08-15")
    assert late.exit_code == 2 and "in the future" in late.output


# ----------------------------------------------------------------------------- ages against today

def test_the_report_says_the_data_end_and_its_age_and_suggests_update(home):
    end = _snapshot_end()
    days = (TODAY - end).days  # counted here, independently
    assert days > 30
    res = run("report", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = _strict(res.stdout)
    jsonschema.validate(doc, _schema("report"))
    assert doc["today"] == "2026-12-05" and doc["data_end"] == f"{end}"
    assert doc["data_age_days"] == days
    assert doc["data_stale"] and doc["update_advised"] and not doc["as_of_requested"]
    assert set(doc["stale_core"]) == set(CORE)
    walcl = next(f for f in doc["freshness"] if f["series"] == "WALCL")
    assert walcl["age_today_days"] == (TODAY - dt.date.fromisoformat(walcl["last_obs"])).days
    assert walcl["stale_today"] is True
    text = run("report").output
    assert f"The data end {end}, {days} days ago: `dollarliq update` fetches today's." in text
    assert f"data end {end}, {days} days ago" in text  # the header's subtitle
    assert f"WALCL {walcl['last_obs']} ({walcl['age_today_days']}d ago)" in text
    zh = run("report", "--lang", "zh").output
    assert f"数据截止 {end},{days} 天前:运行 `dollarliq update` 获取最新数据。" in zh


def test_fresh_data_get_no_headline(home):
    end = _snapshot_end()
    nxt = end + dt.timedelta(days=1)
    res = run("report", "--format", "json", today=nxt)
    doc = _strict(res.stdout)
    assert doc["data_age_days"] == 1 and not doc["data_stale"] and not doc["update_advised"]
    assert "fetches today's" not in run("report", today=nxt).output


def test_a_past_as_of_date_shows_both_ages_and_is_not_called_old(home):
    res = run("report", "--as-of", "2025-11-03", "--format", "json")
    doc = _strict(res.stdout)
    end = dt.date.fromisoformat(doc["data_end"])
    assert doc["as_of_requested"] and doc["data_age_days"] == (TODAY - end).days
    assert doc["data_stale"] and not doc["update_advised"]  # fresh on its own date
    text = run("report", "--as-of", "2025-11-03").output
    walcl = next(f for f in doc["freshness"] if f["series"] == "WALCL")
    assert (f"WALCL {walcl['last_obs']} ({walcl['age_today_days']}d ago; "
            f"+{walcl['age_days']}d on 2025-11-03)") in text
    assert "fetches today's" not in text


def test_asked_for_today_the_score_is_unavailable_and_the_headline_shows(home):
    res = run("report", "--as-of", "2026-12-05", "--format", "json")
    doc = _strict(res.stdout)
    assert doc["score"]["value"] is None and doc["update_advised"]
    assert "Stress score unavailable" in run("report", "--as-of", "2026-12-05").output


def test_health_status_is_stale_past_the_lag_and_ok_before(store):
    end = _snapshot_end()
    h = api.health(store=store, today=TODAY)
    assert h["status"] == "stale" and h["data_end"] == f"{end}"
    assert h["data_age_days"] == (TODAY - end).days
    assert all(c["stale"] for c in h["core"].values())
    fresh = api.health(store=store, today=end + dt.timedelta(days=1))
    assert fresh["status"] == "ok" and not any(c["stale"] for c in fresh["core"].values())
    assert fresh["data_age_days"] == 1


def test_the_dashboard_banner_and_the_watch_alert_say_it_too(store, monkeypatch):
    from dollarliq.reports.html import _banner
    from dollarliq.watch import WatchState, evaluate

    monkeypatch.setenv("DOLLARLIQ_TODAY", f"{TODAY}")
    end = _snapshot_end()
    days = (TODAY - end).days
    doc = api.report(store=store, bubble_tests=False).doc
    html = _banner(doc, "en")
    assert 'id="data-age"' in html and f"The data end {end}, {days} days ago" in html
    ev = evaluate(doc, WatchState())
    assert any(f"The data end {end}, {days} days ago" in e.body for e in ev.events)


def test_the_stages_document_carries_the_data_age(home):
    res = run("stages", "--start", "2026-08-03", "--format", "json")
    doc = _strict(res.stdout)
    jsonschema.validate(doc, _schema("stages"))
    end = dt.date.fromisoformat(doc["data_end"])
    assert doc["today"] == "2026-12-05" and doc["data_age_days"] == (TODAY - end).days


# ----------------------------------------------------------------------------- strict JSON

def test_strict_json_turns_nan_and_infinity_into_null():
    import numpy as np
    import pandas as pd

    from dollarliq.strict_json import clean, dumps, loads

    doc = {"a": float("nan"), "b": [float("inf"), -np.inf, np.float64("nan")],
           "c": np.int64(3), "d": np.bool_(True), "e": pd.Timestamp("2026-12-05"),
           "f": pd.NaT, "g": (1.5, None)}
    assert loads(dumps(doc)) == {"a": None, "b": [None, None, None], "c": 3, "d": True,
                                 "e": "2026-12-05", "f": None, "g": [1.5, None]}
    assert clean(np.array([1.0, np.nan])) == [1.0, None]
    with pytest.raises(ValueError):
        loads('{"value": NaN}')
    with pytest.raises(TypeError):
        dumps({"x": object()})  # an unknown type fails loudly


def _all_stale_today() -> dt.date:
    """A today long after the data: every input is past its lag there."""
    return _snapshot_end() + dt.timedelta(days=400)


@pytest.mark.parametrize("which", ["latest", "today", "data_end", "all_stale"])
def test_every_cli_json_document_parses_strictly(home, which):
    today = _all_stale_today() if which == "all_stale" else TODAY
    as_of = {"latest": None, "today": f"{TODAY}", "data_end": f"{_snapshot_end()}",
             "all_stale": f"{today}"}[which]
    a = [] if as_of is None else ["--as-of", as_of]
    rep = run("report", *a, "--format", "json", today=today)
    assert rep.exit_code == 0, rep.output
    doc = _strict(rep.stdout)
    jsonschema.validate(doc, _schema("report"))
    if which == "all_stale":
        assert all(f["stale"] for f in doc["freshness"] if f["last_obs"])
        assert doc["score"]["value"] is None
    e = [] if as_of is None else ["--end", as_of]
    docs = {"stages": run("stages", "--start", "2026-08-03", *e, "--format", "json",
                          today=today),
            "gauges": run("bubble", "gauges", *a, "--format", "json", today=today),
            "series": run("series", "show", "SOFR", "--start", "2026-08-03", *a,
                          "--format", "json", today=today)}
    ind = run("series", "show", "sofr_iorb_bp", "--start", "2026-08-03", *a, "--format", "json",
              today=today)
    for name, res in docs.items():
        assert res.exit_code == 0, (name, res.output)
        jsonschema.validate(_strict(res.stdout), _schema(name))
    assert ind.exit_code == 0, ind.output
    jsonschema.validate(_strict(ind.stdout), _schema("series"))
    for args in (["store", "info", "--json"], ["series", "list", "--format", "json"]):
        res = run(*args, today=today)
        assert res.exit_code == 0, res.output
        _strict(res.stdout)
    if which == "today":
        res = run("bubble", "test", "NVDA", *a, "--format", "json", today=today)
        assert res.exit_code == 0, res.output
        _strict(res.stdout)
