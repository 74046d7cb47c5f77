"""``dollarliq serve`` end to end: the real server process on a free loopback port, real HTTP
requests (httpx), the CLI's documents and messages, the dashboard in the real Chromium.

The server runs with ``--port 0`` (the kernel picks a free port; the start-up line names it),
a temporary DOLLARLIQ_HOME (the snapshot is the data), today fixed at 2026-12-05 through
``DOLLARLIQ_TODAY`` and a FRED_API_KEY set to a marker that must never appear in any answer. The last tests run the background update in-process on the
recorded bodies of ``test_update`` and post its alerts to a receiver on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import httpx
import jsonschema
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.errors import StoreError
from dollarliq.server.state import Answers
from dollarliq.store import STORE_FILENAME, Store

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

KEY_MARKER = "fredkeymarker0123456789abcdef"  # a stand-in value, not a real key
START_TIMEOUT_S = 60
TODAY = "2026-12-05"  # after the snapshot's data end: every input is past its lag


@dataclass
class Server:
    base: str
    home: Path
    env: dict
    proc: subprocess.Popen

    def get(self, path: str, **kw) -> httpx.Response:
        with httpx.Client(base_url=self.base, timeout=120) as c:
            return c.get(path, **kw)


def _schema(name: str) -> dict:
    return json.loads(files("dollarliq").joinpath(f"data/{name}.schema.json").read_text())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp / "home"), "FRED_API_KEY": KEY_MARKER,
           "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "DOLLARLIQ_TODAY": TODAY}
    env.pop("DOLLARLIQ_LANG", None)
    err = (tmp / "stderr.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "dollarliq", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=err, env=env, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        pytest.fail(f"no start-up line: {line!r} {(tmp / 'stderr.txt').read_text()}")
    srv = Server(f"http://127.0.0.1:{m.group(1)}", tmp / "home", env, proc)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if srv.get("/v1/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, \
            (tmp / "stderr.txt").read_text()
        time.sleep(0.2)
    yield srv
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
    err.close()
    assert "Traceback" not in (tmp / "stderr.txt").read_text()


def test_it_listens_on_loopback_only_by_default(server):
    assert server.base.startswith("http://127.0.0.1:")
    assert server.get("/v1/health").status_code == 200


def _core_data_end() -> dt.date:
    """The snapshot's data end, read from the store itself (not from the code under test)."""
    s = Store(":memory:")
    try:
        cov = s.coverage()
    finally:
        s.close()
    return max(cov[x].last_obs for x in ("WALCL", "WRESBAL", "RRPONTSYD", "SOFR"))


def _strict(text: str | bytes):
    """A strict JSON parser: NaN, Infinity and -Infinity are errors, not numbers."""
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_health_is_stale_when_the_core_inputs_are_past_their_lag(server):
    r = server.get("/v1/health")
    assert r.status_code == 200
    h = _strict(r.content)
    end = _core_data_end()
    assert h["status"] == "stale" and h["today"] == TODAY
    assert h["data_end"] == f"{end:%Y-%m-%d}"
    assert h["data_age_days"] == (dt.date(2026, 12, 5) - end).days
    assert set(h["core"]) == {"WALCL", "WRESBAL", "RRPONTSYD", "SOFR"}
    assert all(c["stale"] for c in h["core"].values())
    assert h["as_of"] <= TODAY


@pytest.mark.parametrize("which", ["latest", "today", "data_end"])
def test_every_json_answer_parses_strictly_and_validates(server, which):
    """Today (2026-12-05) is also the date with every input stale: the score cannot be
    computed there, and it is null, never NaN."""
    as_of = {"latest": None, "today": TODAY, "data_end": f"{_core_data_end():%Y-%m-%d}"}[which]
    q = {} if as_of is None else {"as_of": as_of}
    rep = server.get("/v1/report", params=q)
    assert rep.status_code == 200, rep.text
    doc = _strict(rep.content)
    jsonschema.validate(doc, _schema("report"))
    assert doc["today"] == TODAY and doc["data_age_days"] >= 0
    if which == "today":
        assert all(f["stale"] for f in doc["freshness"] if f["last_obs"])  # all inputs stale
        assert doc["score"]["value"] is None
    for path, params, schema in [("/v1/stages", {"start": "2026-05-01", "end": as_of}, "stages"),
                                 ("/v1/gauges", q, "gauges"),
                                 ("/v1/series/SOFR", {"start": "2026-05-01", **q}, "series"),
                                 ("/v1/series/sofr_iorb_bp", {"start": "2026-05-01", **q},
                                  "series")]:
        r = server.get(path, params={k: v for k, v in params.items() if v is not None})
        assert r.status_code == 200, (path, r.text)
        jsonschema.validate(_strict(r.content), _schema(schema))
    for path in ("/v1/series", "/v1/health"):
        _strict(server.get(path).content)
    if which == "today":
        b = server.get("/v1/bubble/NVDA", params=q)
        assert b.status_code == 200, b.text
        _strict(b.content)


def test_report_has_the_cli_stage_and_score_and_its_schema(server):
    r = server.get("/v1/report", params={"as_of": "2025-11-03"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    jsonschema.validate(doc, _schema("report"))
    cli = subprocess.run([sys.executable, "-m", "dollarliq", "report", "--as-of", "2025-11-03",
                          "--format", "json"], capture_output=True, text=True, env=server.env,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    want = json.loads(cli.stdout)
    assert doc["stage"] == want["stage"]
    assert doc["score"] == want["score"]
    assert doc["as_of"] == "2025-11-03" and doc["stage"]["name"] == "drained"  # held
    # Today against 2003-2026: the CLI's section, on the asked day.
    assert doc["history"] == want["history"] and doc["history"]["as_of"] == "2025-11-03"
    assert doc["history"]["readings"][0]["compared_from"] == "2003-01-02"
    assert len(doc["history"]["analogues"]) == 3
    # Asked again: the same answer (from memory: the store has not changed).
    assert server.get("/v1/report", params={"as_of": "2025-11-03"}).content == r.content


def test_empty_parameters_mean_the_defaults(server):
    a = server.get("/v1/report?as_of=&lang=")
    assert a.status_code == 200, a.text
    assert a.content == server.get("/v1/report").content
    s = server.get("/v1/series/SOFR?start=2025-10-29&end=&as_of=&format=")
    assert s.status_code == 200 and s.json()["observations"][0]["date"] == "2025-10-29"


def test_report_in_chinese_and_the_latest(server):
    zh = server.get("/v1/report", params={"as_of": "2025-11-03", "lang": "zh"}).json()
    assert zh["lang"] == "zh" and "不构成投资建议" in zh["notice"]
    latest = server.get("/v1/report").json()
    jsonschema.validate(latest, _schema("report"))
    assert latest["as_of"] > "2025-11-03"


def test_gauges_validate_against_their_schema(server):
    r = server.get("/v1/gauges", params={"as_of": "2023-12-29"})
    assert r.status_code == 200
    doc = r.json()
    jsonschema.validate(doc, _schema("gauges"))
    assert doc["as_of"] == "2023-12-29"
    assert doc["gauges"]["fear_greed"]["status"] == "ok"


def test_outlook_is_the_cli_document(server, monkeypatch):
    r = server.get("/v1/outlook", params={"as_of": "2026-01-15", "days": "20"})
    assert r.status_code == 200
    doc = r.json()
    jsonschema.validate(doc, _schema("outlook"))
    from dollarliq import api

    assert doc == json.loads(api.outlook(as_of="2026-01-15").to_json())
    assert doc["tga"]["target_bn"] == 850
    bad = server.get("/v1/outlook", params={"days": "0"})
    assert bad.status_code == 400 and "days must be 1 to 130" in bad.json()["error"]


def test_stages_series_catalog_match_the_cli(server, monkeypatch):
    monkeypatch.setenv("DOLLARLIQ_HOME", str(server.home))
    st = server.get("/v1/stages", params={"start": "2019-09-01", "end": "2019-09-30"}).json()
    cli = CliRunner().invoke(app, ["stages", "--start", "2019-09-01", "--end", "2019-09-30",
                                   "--format", "json"])
    assert cli.exit_code == 0
    assert st == json.loads(cli.stdout)
    jsonschema.validate(st, _schema("stages"))
    assert {d["date"]: d["level"] for d in st["days"]}["2019-09-17"] >= 2

    params = {"start": "2025-10-29", "end": "2025-11-04", "as_of": "2025-11-03"}
    js = server.get("/v1/series/SOFR", params=params).json()
    cli = CliRunner().invoke(app, ["series", "show", "SOFR", "--start", "2025-10-29", "--end",
                                   "2025-11-04", "--as-of", "2025-11-03", "--format", "json"])
    assert js == json.loads(cli.stdout)
    jsonschema.validate(js, _schema("series"))
    jsonschema.validate(server.get("/v1/series/net_liquidity_usd_bn",
                                   params={"start": "2025-10-01", "as_of": "2025-11-03"}).json(),
                        _schema("series"))
    assert js["unit"] == "pct" and max(o["released"] for o in js["observations"]) <= "2025-11-03"
    csv = server.get("/v1/series/SOFR", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    cli = CliRunner().invoke(app, ["series", "show", "SOFR", "--start", "2025-10-29", "--end",
                                   "2025-11-04", "--as-of", "2025-11-03", "--format", "csv"])
    assert csv.text == cli.stdout

    cat = server.get("/v1/series").json()
    cli = CliRunner().invoke(app, ["series", "list", "--format", "json"])
    assert cat == json.loads(cli.stdout)
    assert {"SOFR", "WALCL", "net_liquidity_usd_bn"} <= {r["id"] for r in cat}
    then = {r["id"]: r for r in server.get("/v1/series", params={"as_of": "2019-09-17"}).json()}
    now = {r["id"]: r for r in cat}
    assert then["SOFR"]["first"] == now["SOFR"]["first"]
    assert then["SOFR"]["last"] <= "2019-09-17" < now["SOFR"]["last"]


@pytest.mark.slow
def test_bubble_and_backtest(server):
    b = server.get("/v1/bubble/NVDA", params={"as_of": "2024-06-28"})
    assert b.status_code == 200, b.text
    doc = b.json()
    assert doc["series"] == "NVDA" and doc["as_of"] == "2024-06-28"
    assert doc["gsadf"]["end"] <= "2024-06-28" and doc["lppls"]["filter"] == "lppls-0.6"
    sz = server.get("/v1/bubble/NVDA", params={"as_of": "2024-06-28", "filter": "shu-zhu-2020"})
    assert sz.status_code == 200 and sz.json()["lppls"]["filter"] == "shu-zhu-2020", sz.text
    bt = server.get("/v1/backtest")
    assert bt.status_code == 200, bt.text
    assert bt.json()["episodes"]


@pytest.mark.parametrize("method,path,status,fragment", [
    ("GET", "/v1/report?as_of=2025-13-01", 400, "is not a date"),
    ("GET", "/v1/report?as_of=1990-01-01", 400, "is before the data begin"),
    ("GET", "/v1/stages?start=2019-09-30&end=2019-09-01", 400, "before"),
    ("GET", "/v1/series/NOPE", 404, "unknown series 'NOPE'"),
    ("GET", "/v1/bubble/NOPE", 404, "unknown series 'NOPE'"),
    ("GET", "/v1/bubble/SOFR?as_of=2018-04-20", 400, "is longer than the"),
    ("GET", "/v1/bubble/NVDA?filter=sornette", 400, "unknown LPPLS filter 'sornette'"),
    ("GET", "/v1/series/RRP_RATE", 422, "no data for RRP_RATE"),
    ("GET", "/v1/series/SOFR?format=xml", 422, "--format 'xml': choose 'json' or 'csv'"),
    ("GET", "/v1/report?lang=fr", 422, "--lang 'fr'"),
    ("GET", "/v1/nothing", 404, "no such endpoint: /v1/nothing"),
    ("POST", "/v1/report", 405, "read only"),
    ("DELETE", "/v1/series/SOFR", 405, "read only"),
    ("PUT", "/", 405, "read only"),
])
def test_bad_input_is_one_line_of_json(server, method, path, status, fragment):
    with httpx.Client(base_url=server.base, timeout=60) as c:
        r = c.request(method, path)
    assert r.status_code == status, r.text
    body = r.json()
    assert fragment in body["error"]
    assert "\n" not in body["error"] and "Traceback" not in r.text
    assert body["exit_code"] in (1, 2, 3, 4, 5)


@pytest.mark.parametrize("path,cli", [
    ("/v1/report?as_of=2025-13-01", ["report", "--as-of", "2025-13-01"]),
    ("/v1/report?as_of=1990-01-01", ["report", "--as-of", "1990-01-01"]),
    ("/v1/series/NOPE", ["series", "show", "NOPE"]),
    ("/v1/stages?start=2019-09-30&end=2019-09-01",
     ["stages", "--start", "2019-09-30", "--end", "2019-09-01"]),
    ("/v1/backtest?start=2019-09-30&end=2019-09-01",
     ["backtest", "--start", "2019-09-30", "--end", "2019-09-01"]),
    ("/v1/series/SOFR?start=2019-09-30&end=2019-09-01",
     ["series", "show", "SOFR", "--start", "2019-09-30", "--end", "2019-09-01"]),
    ("/v1/gauges?as_of=2019-02-30", ["bubble", "gauges", "--as-of", "2019-02-30"]),
])
def test_the_messages_are_the_cli_messages(server, monkeypatch, path, cli):
    monkeypatch.setenv("DOLLARLIQ_HOME", str(server.home))
    body = server.get(path).json()
    res = CliRunner().invoke(app, cli)
    assert res.exit_code == body["exit_code"] == 2
    assert " ".join(res.stderr.split()) == f"error: {body['error']}"


def test_openapi_describes_every_endpoint_with_the_cli_schemas(server):
    doc = server.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert {"/", "/v1/report", "/v1/stages", "/v1/series", "/v1/series/{series_id}",
            "/v1/backtest", "/v1/bubble/{ticker}", "/v1/gauges", "/v1/health",
            "/v1/outlook"} <= paths
    assert all(set(ops) == {"get"} for ops in doc["paths"].values())  # read only
    rep = doc["paths"]["/v1/report"]["get"]
    assert rep["responses"]["200"]["content"]["application/json"]["schema"]["title"] == \
        _schema("report")["title"]
    assert {p["name"] for p in rep["parameters"]} == {"as_of", "lang"}
    for path, name in (("/v1/stages", "stages"), ("/v1/series/{series_id}", "series"),
                       ("/v1/gauges", "gauges"), ("/v1/outlook", "outlook")):
        got = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert got["schema"]["$id"] == _schema(name)["$id"]
    err = rep["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert set(doc["components"]["schemas"][err.rsplit("/", 1)[1]]["properties"]) == \
        {"error", "exit_code"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # not our error shape


def test_health_says_where_the_data_end(server):
    h = server.get("/v1/health").json()
    assert h["store"] == "snapshot only" and h["last_update"] is None
    for src in ("fred", "nyfed", "treasury"):
        s = h["sources"][src]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["data_end"])
        assert s["age_days"] >= 0 and s["series"] > 0 and isinstance(s["stale"], bool)
    assert h["update"] is None


def test_the_fred_key_never_appears(server):
    paths = ["/", "/v1/report", "/v1/report?as_of=2025-11-03", "/v1/health", "/v1/series",
             "/v1/series/WALCL?start=2025-01-01", "/v1/gauges", "/openapi.json",
             "/v1/series/NOPE", "/v1/report?as_of=x"]
    for p in paths:
        r = server.get(p)
        assert KEY_MARKER not in r.text, p
        assert all(KEY_MARKER not in v for v in r.headers.values()), p


def test_a_locked_store_is_answered_from_the_last_good_state(server):
    """A writer holding the store (as an update does) makes it unreadable for the server: the
    answers it already had come back, flagged stale; a question it never answered is a
    one-line 503; once the writer is gone, fresh answers again."""
    first = server.get("/v1/report", params={"as_of": "2025-11-03"})
    assert first.status_code == 200 and "x-dollarliq-stale" not in first.headers
    with Store(server.home / STORE_FILENAME) as writer:  # the server opens per request
        writer.meta_put("test.touch", "1")  # a new store revision, no observation
        writer.con.execute("CHECKPOINT")
        again = server.get("/v1/report", params={"as_of": "2025-11-03"})
        assert again.status_code == 200
        assert again.headers["x-dollarliq-stale"].startswith("store busy")
        assert again.content == first.content
        new = server.get("/v1/report", params={"as_of": "2025-10-01"})
        assert new.status_code == 503, new.text
        assert new.json()["exit_code"] == 5 and "\n" not in new.json()["error"]
        assert new.headers["retry-after"] == "30"
    after = server.get("/v1/report", params={"as_of": "2025-11-03"})
    assert after.status_code == 200 and "x-dollarliq-stale" not in after.headers
    assert after.json()["stage"] == first.json()["stage"]


def test_the_page_is_the_file_dollarliq_dashboard_writes(server, tmp_path):
    out = tmp_path / "d.html"
    cli = subprocess.run([sys.executable, "-m", "dollarliq", "dashboard", "--out", str(out),
                          "--lang", "en", "--quiet"], env=server.env, capture_output=True,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    page = server.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert page.content == out.read_bytes()


def test_the_dashboard_is_rebuilt_when_the_store_changes_not_per_request(server):
    a = server.get("/")
    b = server.get("/")
    assert a.status_code == b.status_code == 200
    assert a.headers["x-dollarliq-built"] == b.headers["x-dollarliq-built"]
    with Store(server.home / STORE_FILENAME) as writer:
        writer.meta_put("test.touch", str(time.time()))
    c = server.get("/")
    assert c.status_code == 200
    assert c.headers["x-dollarliq-built"] > a.headers["x-dollarliq-built"]


@pytest.mark.parametrize("args,fragment", [
    (["--port", "70000"], "--port 70000"),
    (["--notify", "json://127.0.0.1:9/"], "--notify needs --update-every"),
    (["--update-every", "soon"], "is not a duration"),
    (["--record-years", "-1"], "record years -1.0"),
])
def test_bad_serve_options_are_exit_2_before_anything_starts(home, args, fragment):
    res = CliRunner().invoke(app, ["serve", *args])
    assert res.exit_code == 2, res.output
    assert fragment in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_port_in_use_is_exit_2(home):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        res = CliRunner().invoke(app, ["serve", "--port", str(s.getsockname()[1])])
    assert res.exit_code == 2
    assert "cannot listen on 127.0.0.1" in res.stderr and "pass another --port" in res.stderr


# --- the page in the real browser -------------------------------------------------------------
from test_dashboard import browser  # noqa: E402,F401  (the Chromium fixture)


@pytest.mark.slow
def test_the_served_dashboard_renders_in_chromium_with_no_outside_request(
        server, browser):  # noqa: F811
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(server.base + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(server.base + "/")
    page.wait_for_function(
        "document.querySelectorAll('.chart').length > 0 && "
        "document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= "
        "document.querySelectorAll('.chart').length", timeout=30_000)
    charts = page.eval_on_selector_all(".chart", "els => els.map(e => e.id)")
    assert len(charts) >= 7
    for cid in charts:
        assert page.locator(f"#{cid} g.trace, #{cid} g.points").count() >= 1, cid
    assert errors == [] and outside == []
    assert re.search(r"Stage \d: \w+", page.inner_text("#stage"))
    page.close()


# --- the cache and the background update, in-process --------------------------------------
def test_answers_are_computed_once_per_revision_and_kept_when_the_store_is_busy():
    rev = [1]
    calls = []
    answers = Answers(revision=lambda: rev[0])

    def compute():
        calls.append(rev[0])
        return f"answer on {rev[0]}"

    assert answers.get("q", compute).value == "answer on 1"
    assert answers.get("q", compute).value == "answer on 1" and calls == [1]
    rev[0] = 2
    assert answers.get("q", compute).value == "answer on 2" and calls == [1, 2]

    def locked():
        raise StoreError("store: cannot open (lock)")

    rev[0] = 3
    stale = answers.get("q", locked)
    assert stale.stale and stale.value == "answer on 2"
    with pytest.raises(StoreError):
        answers.get("never asked", locked)
    assert "never asked" not in answers._key_locks  # nothing kept for a failed question
    assert not answers.get("q", compute).stale and calls == [1, 2, 3]


def test_questions_are_answered_while_the_background_update_runs():
    """The update writes a copy of the store and renames it into place: the server goes on
    answering (fresh, not stale, not refused) while a cycle runs."""
    import threading

    from dollarliq.server.state import Updater

    answers = Answers(revision=lambda: 1)
    inside, release = threading.Event(), threading.Event()

    def cycle():
        inside.set()
        release.wait(10)

    upd = Updater(3600, cycle, log=lambda line: None)
    t = threading.Thread(target=upd.run_once)
    t.start()
    try:
        assert inside.wait(10) and upd.running
        ans = answers.get("q", lambda: "answer")
        assert ans.value == "answer" and not ans.stale
    finally:
        release.set()
        t.join(10)
    assert not upd.running and upd.cycles == 1


from test_watch import receiver, replay  # noqa: E402,F401  (recorded bodies, 127.0.0.1 hook)


def test_the_background_update_alerts_once_like_watch(replay, receiver):  # noqa: F811
    """Two cycles of the server's background update: the first alerts (stage), the second
    finds nothing new and sends nothing: the watch state in the store is shared."""
    from dollarliq.cli.serve_cmd import update_cycle
    from dollarliq.server.state import Updater
    from test_update import SERIES

    port, got = receiver
    lines: list[str] = []
    ids = [s for s in SERIES if not s.startswith("--")]
    cycle = update_cycle(urls=[f"json://127.0.0.1:{port}/hook"], lang="en", record_years=5,
                         log=lines.append, sources=["fred", "treasury"], series=ids)
    seen_running = []
    upd = Updater(3600, lambda: (seen_running.append(upd.running), cycle()),
                  log=lines.append)
    upd.run_once()
    assert upd.last_error is None, lines
    assert len(got) == 1 and "stage" in got[0]["json"]["title"]
    upd.run_once()
    assert len(got) == 1 and upd.cycles == 2
    assert seen_running == [True, True] and not upd.running
    # `dollarliq watch` on the same store finds the state the server saved: nothing to send.
    res = CliRunner().invoke(app, ["watch", "--once", "--source", "fred", "--source",
                                   "treasury", *SERIES, "--notify",
                                   f"json://127.0.0.1:{port}/hook", "--quiet"])
    assert res.exit_code == 0, res.output
    assert len(got) == 1


def test_a_bug_is_a_one_line_500_without_a_traceback(home, monkeypatch):
    """In-process (Starlette's test client, no socket): a use case that fails in a way no
    library error describes answers 500 with one line; the traceback stays in the log."""
    from fastapi.testclient import TestClient

    from dollarliq.server import uses
    from dollarliq.server.app import create_app

    def broken(**kw):
        raise ZeroDivisionError("division by zero in a computation")

    monkeypatch.setattr(uses, "gauges", broken)
    with TestClient(create_app(), raise_server_exceptions=False,
                    base_url="http://localhost") as c:
        r = c.get("/v1/gauges")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (ZeroDivisionError); see the server log",
                        "exit_code": 1}
    assert "Traceback" not in r.text


# -- exposure: the Host header, the bind warning ---------------------------------------------------
@pytest.mark.parametrize("host, status", [
    ("attacker.example", 400),          # a rebound DNS name: refused
    ("attacker.example:{port}", 400),
    ("127.0.0.1.attacker.example", 400),
    ("", 400),
    ("localhost:{port}", 200),
    ("LOCALHOST.", 200),
    ("127.0.0.1:{port}", 200),
    ("[::1]:{port}", 200),
])
def test_only_loopback_host_names_are_answered(server, host, status):
    port = server.base.rsplit(":", 1)[1]
    r = server.get("/v1/series?as_of=2019-09-17", headers={"Host": host.format(port=port)})
    assert r.status_code == status, r.text[:300]
    if status == 400:
        assert r.json()["exit_code"] == 2
        assert r.json()["error"].startswith(f"Host {host.format(port=port)!r} is not allowed")
        assert "--allow-host" in r.json()["error"]


def test_allow_host_adds_a_name_and_a_public_bind_warns_even_when_quiet(tmp_path):
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp_path / "home"), "NO_COLOR": "1",
           "PYTHONUNBUFFERED": "1"}
    err = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "dollarliq", "serve", "--host", "0.0.0.0",
                             "--port", "0", "--quiet", "--allow-host", "dash.example"],
                            stdout=subprocess.PIPE, stderr=err, env=env, text=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "warning:" not in (tmp_path / "stderr.txt").read_text():
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "stderr.txt").read_text()
            time.sleep(0.2)
        warning = (tmp_path / "stderr.txt").read_text().strip().splitlines()
        assert warning == ["warning: listening on 0.0.0.0: anyone who can reach this address "
                           "can read the API (no authentication)"]
        port = _port_of(proc.pid)
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                ok = httpx.get(base + "/openapi.json", headers={"Host": "dash.example:80"},
                               timeout=30)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert ok.status_code == 200
        assert httpx.get(base + "/openapi.json", headers={"Host": "other.example"},
                         timeout=30).status_code == 400
    finally:
        proc.terminate()
        proc.wait(30)
        err.close()
    assert proc.stdout.read() == ""  # --quiet: no start-up line


def _port_of(pid: int) -> int:
    """The TCP port a process listens on (from /proc: the server was told --port 0)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:  # LISTEN
                return int(f[1].rsplit(":", 1)[1], 16)
    raise AssertionError("no listening socket")
