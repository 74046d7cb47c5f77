"""The use cases as Model Context Protocol tools (the official ``mcp`` SDK, stdio transport).

Each tool answers with the document the CLI prints with ``--format json`` as structured
content, takes ``as_of`` (an ISO date: only data public on that day is used) and says its
units in its description. A library error becomes a tool error carrying the CLI's one-line
message. Answers are cached per store revision, as in ``dollarliq serve``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from dollarliq.errors import DollarliqError
from dollarliq.strict_json import clean
from dollarliq.server import uses
from dollarliq.bubbles import DEFAULT_LPPLS_FILTER, LPPLS_FILTER_HELP
from dollarliq.server.state import Answers

PIT = ("Point-in-time: uses only data that were public on as_of (YYYY-MM-DD; omitted = "
       "the latest data in the store), each value with its real observation and release date.")

AsOf = Annotated[str | None, Field(description="ISO date YYYY-MM-DD: answer with only the data "
                                               "public on that day. Omit for the latest.")]
Start = Annotated[str | None, Field(description="First date, YYYY-MM-DD.")]
End = Annotated[str | None, Field(description="Last date, YYYY-MM-DD.")]

INSTRUCTIONS = (
    "dollarliq: US-dollar funding liquidity stages (0 ample, 1 tight, 2 drained, 3 crisis) "
    "with a 0-100 stress score, the evidence behind them, and tech-bubble gauges, from "
    "official public data (FRED, NY Fed, Treasury, SEC EDGAR). Every tool is point-in-time: "
    "pass as_of to see exactly what was known on that date. Not investment advice.")


def build_server(answers: Answers | None = None):
    """The MCP server with the eight tools (``report``, ``stages``, ``series``,
    ``series_list``, ``backtest``, ``bubble_test``, ``gauges``, ``outlook``)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.server.mcpserver.tools import Tool
    from mcp.types import ToolAnnotations

    cache = answers or Answers()
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False,
                                idempotent_hint=True, open_world_hint=False)
    tools: list[Tool] = []

    def run(key: tuple, fn) -> dict[str, Any]:
        try:  # strict JSON: an unavailable value is None (null), never NaN
            return clean(cache.get(key, fn).value)
        except DollarliqError as exc:
            raise ToolError(" ".join(str(exc).split())) from None

    def tool(description: str, schema: str | None = None):
        """Register the function as a read-only tool; ``schema`` names the JSON Schema of
        its result in ``dollarliq/data`` (published as the tool's output schema, so a
        client can check the document)."""

        def register(fn):
            t = Tool.from_function(fn, description=f"{description} {PIT}",
                                   annotations=read_only, structured_output=True)
            if schema is not None:  # read live by the SDK (FuncMetadata's documented contract)
                t.fn_metadata.output_schema = _schema(schema)
            tools.append(t)
            return fn

        return register

    @tool("The liquidity report on a date: stage (0 ample .. 3 crisis) and since when, stress "
          "score (0-100 points) with each indicator's contribution, indicators in their units "
          "(USD bn, bp, %, index points), the evidence for each stage, records (with the last "
          "time as extreme), data freshness, tech-bubble gauges and GSADF tests.", "report")
    def report(as_of: AsOf = None,
               lang: Annotated[Literal["en", "zh"] | None,
                               Field(description="Language of the texts: en or zh.")] = None
               ) -> dict[str, Any]:
        return run(("report", as_of, lang), lambda: uses.report(as_of=as_of, lang=lang))

    @tool("The stage (level 0-3 and name) and stress score (0-100 points) for every business "
          "day from start to as_of, each day computed with only what was public that day.",
          "stages")
    def stages(as_of: AsOf = None, start: Start = None) -> dict[str, Any]:
        return run(("stages", start, as_of), lambda: uses.stages(start=start, end=as_of))

    @tool("One series or derived indicator (e.g. SOFR in %, WALCL in USD bn, "
          "net_liquidity_usd_bn, sofr_iorb_bp in bp) as it was known on as_of: observations "
          "with their observation date, value in the stored unit (given in 'unit') and "
          "release date.", "series")
    def series(series_id: Annotated[str, Field(description="Series or indicator id, as listed "
                                                           "by series_list, e.g. SOFR.")],
               as_of: AsOf = None, start: Start = None, end: End = None) -> dict[str, Any]:
        return run(("series", series_id, start, end, as_of),
                   lambda: uses.series(series_id, start=start, end=end, as_of=as_of))

    @tool("The catalog: every series and derived indicator with id, source, unit (usd_bn = "
          "USD billions, bp = basis points, pct = percent, idx = index points), frequency, "
          "release rule and first/last observation public on as_of.")
    def series_list(as_of: AsOf = None,
                    source: Annotated[str | None, Field(description="Only this source, e.g. "
                                                                    "fred, nyfed.")] = None
                    ) -> dict[str, Any]:
        return run(("series_list", as_of, source),
                   lambda: {"as_of": as_of,
                            "series": uses.series_list(source=source, as_of=as_of)})

    @tool("The track record up to as_of: stages replayed point-in-time against dated stress "
          "episodes (hit rate, lead in business days, false alarms), the St. Louis and Chicago "
          "Fed stress indices, and forward S&P 500 / Nasdaq-100 returns by stage (percent).")
    def backtest(as_of: AsOf = None, start: Start = None) -> dict[str, Any]:
        return run(("backtest", start, as_of), lambda: uses.backtest(start=start, end=as_of))

    @tool("Explosive-bubble tests on one price series (e.g. NVDA, QQQ): GSADF statistic vs "
          "Monte Carlo critical values (unitless), date-stamped episodes, and the LPPLS "
          "confidence indicator (share of fits, 0-1).")
    def bubble_test(ticker: Annotated[str, Field(description="A price series id, e.g. NVDA.")],
                    as_of: AsOf = None,
                    filter: Annotated[str, Field(description=LPPLS_FILTER_HELP)]
                    = DEFAULT_LPPLS_FILTER) -> dict[str, Any]:
        return run(("bubble", ticker, as_of, filter),
                   lambda: uses.bubble_test(ticker, as_of=as_of, lppls_filter=filter))

    @tool("Tech-bubble fragility gauges: megacap concentration (USD bn), equal- vs cap-weight "
          "(percentage points), run-ups (percent), fear & greed (0-100), dollar hoarding, "
          "insider selling (USD) and cash hoarding (percent of assets).", "gauges")
    def gauges(as_of: AsOf = None) -> dict[str, Any]:
        return run(("gauges", as_of), lambda: uses.gauges(as_of=as_of))

    @tool("The drain calendar of the next business days after a date: auction settlements "
          "(gross issuance offered or accepted, maturing, net cash raised; USD), tax dates, "
          "month/quarter/year ends, Fedwire holidays, the TGA against Treasury's announced "
          "end-of-quarter cash balance (USD bn), measured day effects on SOFR-IORB (bp), and "
          "each defence line's runway: ON RRP, reserves, standing repo, discount window "
          "(arithmetic on the current pace, not a forecast).", "outlook")
    def outlook(as_of: AsOf = None,
                days: Annotated[int, Field(description="Business days in the calendar, "
                                                       "1-130.")] = 20,
                lang: Annotated[Literal["en", "zh"] | None,
                                Field(description="en or zh.")] = None
                ) -> dict[str, Any]:
        return run(("outlook", as_of, days, lang),
                   lambda: uses.outlook(as_of=as_of, days=days, lang=lang))

    return MCPServer("dollarliq", instructions=INSTRUCTIONS, version=_version(),
                     log_level="WARNING", tools=tools)


def run_stdio(server) -> None:
    """Serve ``server`` on stdin/stdout, answering a line that is not a JSON-RPC message.

    The SDK's stdio transport drops such a line without a word (the client waits for ever on
    a request it mistyped). Here a line that is not JSON gets the JSON-RPC parse error
    (``-32700``), a JSON value that is not a JSON-RPC message gets ``-32600`` (invalid
    request), both with ``"id": null``, and the line goes no further. While serving, fd 1
    points at stderr, so a stray print cannot corrupt the wire.
    """
    import io
    import os
    import sys
    import threading

    import anyio
    import mcp_types
    from mcp.server.stdio import stdio_server

    low = getattr(server, "_lowlevel_server", None)
    if low is None:  # an SDK without the seam: its own transport, without the replies
        server.run("stdio")
        return
    wire_in = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    wire_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray output goes to stderr

    class Wire(io.TextIOBase):
        """The stdout wire: one whole line per write, whoever writes it."""

        lock = threading.Lock()

        def write(self, text: str) -> int:
            with self.lock:
                wire_out.write(text.encode("utf-8"))
            return len(text)

        def flush(self) -> None:
            pass

    out = Wire()

    def refuse(code: int, message: str) -> None:
        out.write(json.dumps({"jsonrpc": "2.0", "id": None,
                              "error": {"code": code, "message": message}}) + "\n")

    class Lines:
        """stdin's lines, less those that are not JSON-RPC messages (answered here)."""

        def __init__(self) -> None:
            self.inner = anyio.wrap_file(io.TextIOWrapper(wire_in, encoding="utf-8",
                                                          errors="replace"))

        def __aiter__(self):
            return self

        async def __anext__(self) -> str:
            while True:
                line = await self.inner.readline()
                if not line:
                    raise StopAsyncIteration
                if not line.strip():
                    continue
                try:
                    mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except Exception:  # noqa: BLE001 - answered on the wire, never a traceback
                    try:
                        json.loads(line)
                    except ValueError:
                        refuse(-32700, "Parse error: the line is not JSON")
                    else:
                        refuse(-32600, "Invalid request: the line is not a JSON-RPC message")
                    continue
                return line

    async def main() -> None:
        async with stdio_server(stdin=Lines(), stdout=anyio.wrap_file(out)) as (read, write):
            await low.run(read, write, low.create_initialization_options())

    anyio.run(main)


def _schema(name: str) -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("dollarliq").joinpath(f"data/{name}.schema.json").read_text())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dollarliq")
    except PackageNotFoundError:  # pragma: no cover
        return "0"
