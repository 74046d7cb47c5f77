"""``dollarliq serve`` and ``dollarliq mcp``: the use cases over HTTP and over the Model
Context Protocol.

- :mod:`dollarliq.server.uses`: the use cases as JSON-ready documents (the one seam to the
  use-case layer; nothing here assembles a report another way).
- :mod:`dollarliq.server.state`: answers cached per store revision, the last good answer when
  the store is busy, the dashboard page, the background watch cycle.
- :mod:`dollarliq.server.app`: the ASGI app (FastAPI on Starlette, served by uvicorn).
- :mod:`dollarliq.server.mcp_tools`: the same use cases as MCP tools (stdio transport).

Read only: no endpoint writes anything; the optional background update is the one writer.
"""
