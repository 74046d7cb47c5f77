"""``dollarliq watch`` end to end: recorded update bodies, the real report, apprise posting to
a small HTTP receiver on 127.0.0.1, and the state kept in the store across runs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
from typer.testing import CliRunner

from dollarliq import http
from dollarliq.cli import app
from dollarliq.store import Store, default_store_path
from dollarliq.watch import (STATE_KEY, WatchState, evaluate, is_notable, parse_every,
                             record_key)
from test_update import SERIES, SOURCES, recorded


@pytest.fixture
def receiver():
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got.append({"path": self.path, "json": json.loads(body)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield srv.server_address[1], got
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def replay(monkeypatch, home):
    monkeypatch.setattr(http, "DEFAULT_BACKOFF", 0.0)

    def use(handler):
        monkeypatch.setattr(http, "default_transport", httpx.MockTransport(handler))

    use(recorded)
    return use


def watch(*args: str):
    return CliRunner().invoke(app, ["watch", "--once", *SOURCES, *SERIES, *args])


def state() -> dict:
    with Store(default_store_path(), read_only=True) as s:
        return json.loads(s.meta_get(STATE_KEY))


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_watch_notifies_once_then_stays_quiet_after_a_restart(replay, receiver):
    port, got = receiver
    url = f"json://127.0.0.1:{port}/hook"
    first = watch("--notify", url, "--quiet")
    assert first.exit_code == 0, first.output
    assert len(got) == 1
    msg = got[0]["json"]
    assert got[0]["path"] == "/hook"
    assert "stage" in msg["title"] and "since" in msg["message"]
    assert "Not investment advice" in msg["message"]
    st = state()
    assert st["stage"] in (0, 1, 2, 3)
    # Second run (a new process would read the same store): nothing new, nothing sent.
    second = watch("--notify", url, "--quiet")
    assert second.exit_code == 0, second.output
    assert len(got) == 1
    assert state() == st


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_failing_update_is_one_line_and_the_check_goes_on(replay, receiver):
    port, got = receiver
    replay(lambda request: httpx.Response(500, content=b"down"))
    res = watch("--notify", f"json://127.0.0.1:{port}/", "--quiet")
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("watch: update failed")
    assert "HTTP 500" in lines[0]
    assert len(got) == 1  # the report ran on the snapshot and the alert went out


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_an_unreachable_receiver_keeps_the_state_for_a_retry(replay):
    res = watch("--notify", "json://127.0.0.1:9/", "--quiet")  # discard port: nothing listens
    assert res.exit_code == 3
    assert "notification failed" in res.stderr
    # the alert is kept for that receiver (by a hash of its URL), to be sent next cycle
    pending = state()["pending"]
    assert len(pending) == 1 and "127.0.0.1" not in json.dumps(pending)
    assert [e["kind"] for e in next(iter(pending.values()))][:1] == ["stage"]


def test_without_notify_the_alerts_are_printed(replay):
    res = watch()
    assert res.exit_code == 0, res.output
    assert "alert(s) (no --notify URL: printed only)" in res.stdout
    assert "dollarliq: stage" in res.stdout


def test_bad_every_is_a_usage_error(home):
    res = CliRunner().invoke(app, ["watch", "--every", "soon"])
    assert res.exit_code == 2 and "not a duration" in res.stderr


# --- the pure rules ----------------------------------------------------------------------
def _doc(level: int, records: list[dict]) -> dict:
    return {"date": "2025-10-31", "stage": {"level": level, "name": "x", "name_zh": "x",
                                            "since": "2025-09-01"},
            "score": {"value": 50.0}, "evidence": [], "records": records}


REC_OLD = {"indicator": "sofr_iorb_bp", "kind": "high", "date": "2025-10-31",
           "since": "2020-03-17", "text": "SOFR − IORB highest since 2020-03-17"}
REC_RECENT = {"indicator": "rrp_usd_bn", "kind": "low", "date": "2025-11-03",
              "since": "2025-10-30", "text": "recent"}
REC_EVER = {"indicator": "tga_usd_bn", "kind": "high", "date": "2025-11-03", "since": None,
            "text": "ever"}


def test_record_rule():
    assert is_notable(REC_OLD, 5) and not is_notable(REC_OLD, 6)
    assert not is_notable(REC_RECENT, 5)
    assert is_notable(REC_EVER, 50)


def test_evaluate_stage_change_and_records_once():
    ev = evaluate(_doc(1, [REC_OLD, REC_RECENT, REC_EVER]), WatchState())
    kinds = [e.kind for e in ev.events]
    assert kinds == ["stage", "record", "record"]
    assert ev.state.stage == 1 and set(ev.state.records) == {record_key(REC_OLD),
                                                              record_key(REC_EVER)}
    again = evaluate(_doc(1, [REC_OLD, REC_RECENT, REC_EVER]), ev.state)
    assert again.events == []
    up = evaluate(_doc(2, [REC_OLD]), again.state)
    assert [e.kind for e in up.events] == ["stage"] and "from 1" in up.events[0].body
    zh = evaluate(_doc(2, []), again.state, lang="zh")
    assert "阶段" in zh.events[0].title


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("1h", 3600),
                                           ("1d", 86400), ("1.5h", 5400)])
def test_parse_every(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_failing_update_is_logged_even_when_the_notification_fails(replay):
    replay(lambda request: httpx.Response(500, content=b"down"))
    res = watch("--notify", "json://127.0.0.1:9/", "--quiet")  # nothing listens on port 9
    assert res.exit_code == 3
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("watch: update failed (") and "HTTP 500" in lines[0]
    assert "notification failed for 1 of 1" in lines[1]
    assert len(lines) == 2


# -- one alert per receiver -------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_on(port: int, got: list):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = HTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_each_receiver_gets_an_alert_once_and_a_dead_one_gets_it_when_revived(replay,
                                                                               receiver):
    port, live = receiver
    dead_port = _free_port()  # nothing listens there until it is revived below
    urls = ["--notify", f"json://127.0.0.1:{port}/live", "--notify",
            f"json://127.0.0.1:{dead_port}/dead"]
    runs = [watch(*urls, "--quiet") for _ in range(3)]
    assert len(live) == 1  # three cycles, one copy to the live receiver
    for res in runs:  # the dead receiver failed each time, and each run says so
        assert res.exit_code == 3, res.output
        assert "notification failed for 1 of 2" in res.stderr
    assert "stage" in live[0]["json"]["title"]
    dead: list = []
    srv = _serve_on(dead_port, dead)
    try:
        revived = watch(*urls, "--quiet")
        assert revived.exit_code == 0, revived.output
        again = watch(*urls, "--quiet")
        assert again.exit_code == 0, again.output
    finally:
        srv.shutdown()
        srv.server_close()
    assert len(dead) == 1 and dead[0]["title"] == live[0]["json"]["title"]
    assert len(live) == 1
    # the state names receivers by a hash, never by URL
    assert str(port) not in json.dumps(state()) and str(dead_port) not in json.dumps(state())
