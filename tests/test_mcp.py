"""``dollarliq mcp``: the real subprocess on stdio, driven by the MCP SDK's own client.

One session (the process starts once) lists the tools and makes the calls; the tests check
what came back. The server runs with a temporary DOLLARLIQ_HOME (the snapshot is the data)
and a FRED_API_KEY marker that must never appear in a result.
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
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    home = tmp_path_factory.mktemp("mcp") / "home"
    env = {**os.environ, "DOLLARLIQ_HOME": str(home), "FRED_API_KEY": KEY_MARKER,
           "NO_COLOR": "1"}
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
