"""``dollarliq mcp``: the real subprocess on stdio, driven by the MCP SDK's own client.

One session (the process starts once) lists the tools and makes the calls; the tests check
what came back. The server runs with a temporary DOLLARLIQ_HOME (the snapshot is the data),
today fixed at 2026-12-05 (``DOLLARLIQ_TODAY``: after the data end, every input stale) and a
FRED_API_KEY marker that must never appear in a result.
"""

from __future__ import annotations

import json
import os
import sys
from importlib.resources import files

import anyio
import jsonschema
import pytest

KEY_MARKER = "fredkeymarker0123456789abcdef"  # a stand-in value, not a real key
TODAY = "2026-12-05"


def _data_end() -> str:
    """The snapshot's data end (the latest core observation), read from the store itself."""
    from dollarliq.store import Store

    s = Store(":memory:")
    try:
        cov = s.coverage()
    finally:
        s.close()
    return f"{max(cov[x].last_obs for x in ('WALCL', 'WRESBAL', 'RRPONTSYD', 'SOFR'))}"


DATA_END = _data_end()
TOOLS = {"report", "stages", "series", "series_list", "backtest", "bubble_test", "gauges",
         "outlook"}
CALLS = {
    "report": ("report", {"as_of": "2019-09-17"}),
    "report_bad_date": ("report", {"as_of": "2019-09-31"}),
    "series": ("series", {"series_id": "SOFR", "as_of": "2019-09-17",
                          "start": "2019-09-10"}),
    "series_unknown": ("series", {"series_id": "NOPE"}),
    "series_list": ("series_list", {"as_of": "2019-09-17", "source": "nyfed"}),
    "stages": ("stages", {"as_of": "2019-09-20", "start": "2019-09-16"}),
    "gauges": ("gauges", {"as_of": "2023-12-29"}),
    "outlook": ("outlook", {"as_of": "2019-09-10", "days": 5}),
    "outlook_bad_days": ("outlook", {"as_of": "2019-09-10", "days": 0}),
    # Strict JSON and the output schemas on the latest date, today, the data end.
    "report_latest": ("report", {}),
    "report_today": ("report", {"as_of": TODAY}),
    "report_today_zh": ("report", {"as_of": TODAY, "lang": "zh"}),
    "report_data_end": ("report", {"as_of": DATA_END}),
    "stages_today": ("stages", {"as_of": TODAY, "start": "2026-09-01"}),
    "series_today": ("series", {"series_id": "sofr_iorb_bp", "as_of": TODAY,
                                "start": "2026-09-01"}),
    "series_list_today": ("series_list", {"as_of": TODAY}),
    "gauges_today": ("gauges", {"as_of": TODAY}),
    "gauges_latest": ("gauges", {}),
    "bubble_today": ("bubble_test", {"ticker": "NVDA", "as_of": TODAY}),
    "outlook_today": ("outlook", {"as_of": TODAY}),
}
SCHEMAS = {"report": "report", "stages": "stages", "series": "series", "gauges": "gauges",
           "outlook": "outlook"}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    home = tmp_path_factory.mktemp("mcp") / "home"
    env = {**os.environ, "DOLLARLIQ_HOME": str(home), "FRED_API_KEY": KEY_MARKER,
           "NO_COLOR": "1", "DOLLARLIQ_TODAY": TODAY}
    env.pop("DOLLARLIQ_LANG", None)
    params = StdioServerParameters(command=sys.executable, args=["-m", "dollarliq", "mcp"],
                                   env=env)
    out: dict = {"home": home}

    async def run() -> None:
        with anyio.fail_after(600):
            async with Client(params, read_timeout_seconds=300) as client:
                out["tools"] = (await client.list_tools()).tools
                for name, (tool, args) in CALLS.items():
                    out[name] = await client.call_tool(tool, args)

    anyio.run(run)
    return out


def test_the_tools_each_take_as_of_and_say_units_and_point_in_time(session):
    tools = {t.name: t for t in session["tools"]}
    assert set(tools) == TOOLS
    for t in tools.values():
        assert "as_of" in t.input_schema["properties"], t.name
        assert "Point-in-time" in t.description, t.name
        assert t.output_schema is not None, t.name  # structured results
        assert t.annotations.read_only_hint is True
    assert "USD bn" in tools["report"].description and "bp" in tools["report"].description
    assert tools["series"].input_schema["required"] == ["series_id"]
    # The CLI's JSON Schemas are the output schemas (the SDK's client checks results with them).
    for name in ("report", "stages", "series", "gauges", "outlook"):
        want = json.loads(files("dollarliq").joinpath(f"data/{name}.schema.json").read_text())
        assert tools[name].output_schema == want


def test_report_for_2019_09_17_is_the_api_report(session, monkeypatch):
    res = session["report"]
    assert not res.is_error, res.content
    doc = res.structured_content
    schema = json.loads(files("dollarliq").joinpath("data/report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["as_of"] == "2019-09-17"
    monkeypatch.setenv("DOLLARLIQ_HOME", str(session["home"]))
    from dollarliq import api

    want = api.report(as_of="2019-09-17")
    assert doc["stage"] == want.doc["stage"] and doc["score"] == want.doc["score"]
    assert doc["stage"]["level"] >= 2  # the September 2019 repo spike: drained or worse
    # Today against 2003-2026, as the API computes it (history, not a forecast).
    assert doc["history"] == want.doc["history"] and doc["history"]["as_of"] == "2019-09-17"
    assert len(doc["history"]["analogues"]) == 3 and "not a forecast" in doc["history"]["note"]
    # The text content carries the same document, for clients without structured content.
    assert json.loads(res.content[0].text)["stage"] == doc["stage"]


def test_point_in_time_series_and_catalog(session):
    s = session["series"].structured_content
    assert s["series"] == "SOFR" and s["unit"] == "pct" and s["as_of"] == "2019-09-17"
    assert s["observations"] and all(o["released"] <= "2019-09-17" for o in s["observations"])
    assert s["observations"][0]["date"] >= "2019-09-10"
    cat = session["series_list"].structured_content
    sofr = next(r for r in cat["series"] if r["id"] == "SOFR")
    assert sofr["last"] <= "2019-09-17" and {r["source"] for r in cat["series"]} == {"nyfed"}
    st = session["stages"].structured_content
    assert st["as_of"] == "2019-09-20"
    assert [d["date"] for d in st["days"]][:2] == ["2019-09-16", "2019-09-17"]
    g = session["gauges"].structured_content
    assert g["as_of"] == "2023-12-29" and "gauges" in g


def test_bad_input_is_a_tool_error_with_the_cli_message(session):
    for name, fragment in (("report_bad_date", "is not a date"),
                           ("series_unknown", "unknown series 'NOPE'")):
        res = session[name]
        assert res.is_error
        text = res.content[0].text
        assert fragment in text and "\n" not in text and "Traceback" not in text


def test_the_fred_key_never_appears(session):
    for name in CALLS:
        res = session[name]
        assert KEY_MARKER not in json.dumps(res.model_dump(mode="json")), name


def test_outlook_tool_is_the_cli_document(session, monkeypatch):
    res = session["outlook"]
    assert not res.is_error, res.content
    doc = res.structured_content
    schema = json.loads(files("dollarliq").joinpath("data/outlook.schema.json").read_text())
    jsonschema.validate(doc, schema)
    monkeypatch.setenv("DOLLARLIQ_HOME", str(session["home"]))
    from dollarliq import api

    assert doc == api.outlook(as_of="2019-09-10", days=5).doc
    d = next(x for x in doc["calendar"] if x["date"] == "2019-09-16")
    assert "tax_corporate" in d["events"]
    bad = session["outlook_bad_days"]
    assert bad.is_error and "days must be 1 to 130" in bad.content[0].text


# -- the wire itself: malformed lines and huge inputs -------------------------------------------
class RawSession:
    """``dollarliq mcp`` spoken to line by line, as a broken or hostile client would."""

    def __init__(self, home) -> None:
        import subprocess

        env = {**os.environ, "DOLLARLIQ_HOME": str(home), "NO_COLOR": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "dollarliq", "mcp"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    s = RawSession(tmp_path_factory.mktemp("mcp-raw") / "home")
    s.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}}))
    assert s.answer()["id"] == 1
    s.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    yield s
    s.close()


def test_a_malformed_line_gets_a_json_rpc_error_and_the_session_goes_on(raw):
    raw.send("this is not json")
    assert raw.answer() == {"jsonrpc": "2.0", "id": None, "error": {
        "code": -32700, "message": "Parse error: the line is not JSON"}}
    raw.send('{"jsonrpc": "2.0", "id": 7')  # cut short
    assert raw.answer()["error"]["code"] == -32700
    raw.send("[1, 2]")  # JSON, but not a JSON-RPC message
    assert raw.answer()["error"]["code"] == -32600
    raw.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
    assert raw.answer() == {"jsonrpc": "2.0", "id": 2, "result": {}}


@pytest.mark.parametrize("tool, args", [
    ("series", {"series_id": "X" * 10_000_000}),
    ("bubble_test", {"ticker": "Y" * 1_000_000}),
    ("report", {"as_of": "2" * 1_000_000}),
    ("series_list", {"source": "Z" * 1_000_000}),
])
def test_a_huge_input_comes_back_cut_to_a_readable_line(raw, tool, args):
    raw.send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                         "params": {"name": tool, "arguments": args}}))
    ans = raw.answer()
    assert ans["id"] == 3 and ans["result"]["isError"] is True, str(ans)[:300]
    text = ans["result"]["content"][0]["text"]
    assert len(text) < 400, text[:400]


def _strict(text: str):
    """A strict JSON parser: NaN, Infinity and -Infinity are errors, not numbers."""
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("name", [n for n in CALLS if n.endswith(("_latest", "_today",
                                                                    "_data_end", "_zh"))])
def test_every_tool_answers_strict_json_valid_against_its_output_schema(session, name):
    tool, _ = CALLS[name]
    res = session[name]
    assert not res.is_error, res.content
    doc = res.structured_content
    assert _strict(res.content[0].text) == doc  # the text content, parsed strictly
    _strict(json.dumps(doc))
    out = next(t for t in session["tools"] if t.name == tool).output_schema
    jsonschema.validate(doc, out)
    if tool in SCHEMAS:
        want = json.loads(files("dollarliq").joinpath(f"data/{SCHEMAS[tool]}.schema.json")
                          .read_text())
        jsonschema.validate(doc, want)


def test_the_report_for_today_answers_with_the_data_age(session):
    import datetime as dt

    doc = session["report_today"].structured_content
    assert doc["as_of"] == TODAY and doc["today"] == TODAY
    assert doc["score"]["value"] is None  # every input stale: unavailable, not NaN
    assert doc["data_end"] == DATA_END
    assert doc["data_age_days"] == (dt.date(2026, 12, 5) - dt.date.fromisoformat(DATA_END)).days
    latest = session["report_latest"].structured_content
    assert latest["data_end"] == DATA_END and latest["update_advised"] is True
    st = session["stages_today"].structured_content
    assert st["today"] == TODAY and st["data_age_days"] == doc["data_age_days"]
