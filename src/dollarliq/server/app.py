"""The HTTP API and the live dashboard: a FastAPI app, served by uvicorn.

Every endpoint is a GET that answers one use case from :mod:`dollarliq.server.uses`, through
the per-revision cache of :class:`~dollarliq.server.state.Answers`. Errors are one line of
JSON, ``{"error": "...", "exit_code": n}``, with the CLI's message and exit code:

=================================  ======  =========
error                              HTTP    exit code
=================================  ======  =========
bad argument (UsageError)          400     2
unknown series or ticker           404     2
not enough data (NotEnoughData)    422     4
invalid parameter value            422     2
store unreadable, no answer yet    503     5
=================================  ======  =========

No stack trace ever reaches a response; the FRED key is never read here.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Literal

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from dollarliq.errors import (DollarliqError, NotEnoughData, SourceError, StoreError,
                              UnknownSeries, UsageError, shown)
from dollarliq import strict_json
from dollarliq.server import uses
from dollarliq.bubbles import DEFAULT_LPPLS_FILTER, LPPLS_FILTER_HELP
from dollarliq.server.state import Answer, Answers, Updater

JSON = "application/json"
AS_OF = "Use only data public on this date (YYYY-MM-DD); the data's end if omitted."
START = "First date, YYYY-MM-DD."
END = "Last date, YYYY-MM-DD (also the as-of date of the replay)."


def _schema(name: str) -> dict[str, Any]:
    return json.loads(files("dollarliq").joinpath(f"data/{name}.schema.json").read_text())


class ErrorBody(BaseModel):
    """Every error: the CLI's one-line message and its exit code."""

    error: str = Field(description="One line, the message the CLI prints after 'error: '.")
    exit_code: int = Field(description="The CLI's exit code: 2 bad input, 3 source, "
                                       "4 not enough data, 5 store, 1 bug.")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad argument (exit code 2)."},
    404: {"model": ErrorBody, "description": "Unknown series, ticker or endpoint."},
    422: {"model": ErrorBody, "description": "A parameter outside its choices (exit code 2), "
                                             "or not enough data (exit code 4)."},
    503: {"model": ErrorBody, "description": "The store is being updated and this question "
                                             "has no earlier answer (exit code 5)."},
}


def status_of(exc: DollarliqError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, UnknownSeries):
        return 404
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, NotEnoughData):
        return 422
    if isinstance(exc, StoreError):
        return 503
    if isinstance(exc, SourceError):
        return 502
    return 500


def _error(status: int, message: str, exit_code: int) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split()), "exit_code": exit_code},
                        status_code=status, headers={"Retry-After": "30"} if status == 503
                        else None)


def _validation_message(exc: RequestValidationError) -> str:
    """One line for a parameter FastAPI rejected, e.g.
    ``--format 'xml': choose 'json' or 'csv'``."""
    errs = exc.errors()
    if not errs:
        return "invalid request"
    e = errs[0]
    name = str(e.get("loc", ["", "value"])[-1]).replace("_", "-")
    expected = (e.get("ctx") or {}).get("expected")
    if expected:
        return f"--{name} {e.get('input')!r}: choose {expected}"
    return f"--{name}: {e.get('msg', 'invalid value')}"


def _json(doc: Any) -> bytes:
    """The one serialiser of the API's JSON answers: strict JSON (unavailable is null)."""
    return strict_json.dumps(doc).encode("utf-8")


def _send(ans: Answer, media_type: str = JSON) -> Response:
    headers = {"Cache-Control": "no-cache", "X-Dollarliq-Built": _iso(ans.computed_at, 6)}
    if ans.stale:
        headers["X-Dollarliq-Stale"] = "store busy: the last good answer"
    return Response(content=ans.value, media_type=media_type, headers=headers)


#: The names a browser on this machine uses for a loopback server (``Host`` without port).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_name(header: str) -> str:
    """The name in a ``Host`` header, lower case, without port or trailing dot:
    ``localhost:8765`` -> ``localhost``, ``[::1]:8765`` -> ``::1``."""
    h = header.strip().lower()
    if h.startswith("["):
        end = h.find("]")
        return h[1:end] if end > 0 else h
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def is_loopback(host: str) -> bool:
    """``host`` (a name or an address) is this machine only."""
    import ipaddress

    name = host_name(host) if not host.startswith("[") else host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class AllowedHosts:
    """ASGI middleware: answer only requests whose ``Host`` header names an allowed host
    (any port); 400 with one line otherwise. A web page on another site that rebinds its
    DNS name to 127.0.0.1 still sends its own name: it cannot read the API. ``*`` allows
    any host."""

    def __init__(self, app: Any, hosts: Any = LOOPBACK_HOSTS) -> None:
        self.app = app
        self.any = "*" in hosts
        self.hosts = {host_name(h) if not h.startswith("[") else h.strip("[]").lower()
                      for h in hosts}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and not self.any:
            raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_name(raw) not in self.hosts:
                allowed = ", ".join(sorted(self.hosts))
                resp = _error(400, f"Host {shown(raw, 80)!r} is not allowed: this server "
                                   f"answers to {allowed} (start it with --allow-host NAME "
                                   "to add a name)", 2)
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


class DropEmptyParams:
    """ASGI middleware: ``?as_of=&lang=`` means the defaults, as if the parameters were
    not given (a form or a spreadsheet sends empty fields)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            from urllib.parse import parse_qsl, urlencode

            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v.strip() != ""]
            if len(kept) != len(pairs):
                scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        await self.app(scope, receive, send)


def create_app(answers: Answers | None = None, *, updater: Updater | None = None,
               lang: str | None = None, allowed_hosts: Any = LOOPBACK_HOSTS) -> FastAPI:
    """The ASGI app. ``answers`` is the cache (a fresh one if None); ``updater`` the
    background update, reported by ``/v1/health``; ``lang`` the dashboard's language;
    ``allowed_hosts`` the names a request's ``Host`` header may carry (default: the loopback
    names; ``"*"``: any)."""
    cache = answers or Answers()
    app = FastAPI(
        title="dollarliq",
        summary="US-dollar funding liquidity stages and tech-bubble gauges, point-in-time.",
        description="Every answer uses only data public on its as-of date. Read only. "
                    "The JSON documents are those of the CLI's `--format json`.",
        version=_version(),
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: offline only
        openapi_url="/openapi.json",
        responses=ERRORS,
    )
    app.add_middleware(DropEmptyParams)
    app.add_middleware(AllowedHosts, hosts=tuple(allowed_hosts))
    app.state.answers = cache
    app.state.updater = updater
    dashboard_question = (("dashboard", lang), lambda: uses.dashboard(lang).encode("utf-8"))
    latest_report = (("report", None, None), lambda: _json(uses.report()))

    def warm() -> None:
        """Compute the dashboard and the latest report now if the store changed (at start-up,
        after an update), so the first visitor does not wait."""
        cache.get(*dashboard_question)
        cache.get(*latest_report)

    app.state.warm = warm

    @app.exception_handler(DollarliqError)
    async def _dollarliq_error(request: Request, exc: DollarliqError) -> JSONResponse:
        return _error(status_of(exc), str(exc), exc.exit_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc), 2)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = shown(request.url.path, 120)
        msg = {404: f"no such endpoint: {path}",
               405: f"{request.method} {path}: read only, use GET"}.get(
            exc.status_code, str(exc.detail))
        return _error(exc.status_code, msg, 2)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error ({type(exc).__name__}); see the server log", 1)

    async def answer(key: tuple, compute) -> Answer:
        """A kept answer straight from the event loop; otherwise computed in a worker thread
        (one computation per question and store revision)."""
        hit = cache.fresh(key)
        if hit is not None:
            return hit
        return await run_in_threadpool(cache.get, key, compute)

    @app.get("/", response_class=HTMLResponse, summary="The dashboard",
             description="The self-contained dashboard page (opens offline), rebuilt when the "
                         "store changes.")
    async def dashboard() -> Response:
        return _send(await answer(*dashboard_question), "text/html; charset=utf-8")

    @app.get("/v1/report", summary="The liquidity report",
             responses={200: {"content": {JSON: {"schema": _schema("report")}}}})
    async def report(as_of: str | None = Query(None, description=AS_OF),
               lang: Literal["en", "zh"] | None = Query(None, description="en or zh.")) -> Response:
        """Stage, stress score, indicators, evidence, records, gauges and bubble tests."""
        return _send(await answer(("report", as_of, lang),
                            lambda: _json(uses.report(as_of=as_of, lang=lang))))

    @app.get("/v1/stages", summary="Stage and score per business day",
             responses={200: {"content": {JSON: {"schema": _schema("stages")}}}})
    async def stages(start: str | None = Query(None, description=START),
               end: str | None = Query(None, description=END)) -> Response:
        """Each day uses only the data public on that day (the engine of the report)."""
        return _send(await answer(("stages", start, end),
                            lambda: _json(uses.stages(start=start, end=end))))

    @app.get("/v1/series", summary="The series catalog")
    async def catalog(source: str | None = Query(None, description="Only series of this source."),
                      as_of: str | None = Query(None, description="First and last observations "
                                                                  "public on this date.")
                      ) -> Response:
        """Every series and derived indicator: source, unit, frequency, release rule, coverage."""
        return _send(await answer(("series_list", source, as_of),
                                  lambda: _json(uses.series_list(source=source, as_of=as_of))))

    @app.get("/v1/series/{series_id}", summary="One series, point-in-time",
             responses={200: {"content": {JSON: {"schema": _schema("series")},
                                          "text/csv": {"schema": {"type": "string"}}}}})
    async def series(series_id: str = Path(..., description="Series or indicator id, e.g. SOFR."),
               start: str | None = Query(None, description=START),
               end: str | None = Query(None, description="Last observation date, YYYY-MM-DD."),
               as_of: str | None = Query(None, description=AS_OF),
               format: Literal["json", "csv"] = Query("json", description="json or csv.")
               ) -> Response:
        """Observations as known on ``as_of``, in stored units, with their release dates."""
        def compute():
            doc = uses.series(series_id, start=start, end=end, as_of=as_of)
            return (uses.series_csv(doc) if format == "csv" else _json(doc))

        ans = await answer(("series", series_id, start, end, as_of, format), compute)
        return _send(ans, "text/csv; charset=utf-8" if format == "csv" else JSON)

    @app.get("/v1/backtest", summary="The track record")
    async def backtest(start: str | None = Query(None, description=START),
                 end: str | None = Query(None, description=END)) -> Response:
        """Stages replayed point-in-time against episodes, stress indices and markets."""
        return _send(await answer(("backtest", start, end),
                            lambda: _json(uses.backtest(start=start, end=end))))

    @app.get("/v1/bubble/{ticker}", summary="Bubble tests for one price series")
    async def bubble(ticker: str = Path(..., description="A price series id, e.g. NVDA, QQQ."),
               as_of: str | None = Query(None, description=AS_OF),
               filter: str = Query(DEFAULT_LPPLS_FILTER,
                                   description=LPPLS_FILTER_HELP)) -> Response:
        """GSADF with date-stamped episodes and the LPPLS confidence indicator."""
        return _send(await answer(("bubble", ticker, as_of, filter),
                            lambda: _json(uses.bubble_test(ticker, as_of=as_of,
                                                           lppls_filter=filter))))

    @app.get("/v1/gauges", summary="Tech-bubble fragility gauges",
             responses={200: {"content": {JSON: {"schema": _schema("gauges")}}}})
    async def gauges(as_of: str | None = Query(None, description=AS_OF)) -> Response:
        """Concentration, run-ups, fear & greed, dollar and cash hoarding, insider selling."""
        return _send(await answer(("gauges", as_of), lambda: _json(uses.gauges(as_of=as_of))))

    @app.get("/v1/outlook", summary="The drain calendar and the defence lines' runway",
             responses={200: {"content": {JSON: {"schema": _schema("outlook")}}}})
    async def outlook(as_of: str | None = Query(None, description=AS_OF),
                      days: str = Query("20", description="Business days in the calendar "
                                                          "(1-130)."),
                      lang: Literal["en", "zh"] | None = Query(None, description="en or zh.")
                      ) -> Response:
        """Settlements (offered or accepted), maturities, tax dates, period ends, the TGA
        against its end-of-quarter target, and each defence line's runway (arithmetic on
        the current pace, not a forecast)."""
        return _send(await answer(("outlook", as_of, days, lang),
                                  lambda: _json(uses.outlook(as_of=as_of, days=days,
                                                             lang=lang))))

    @app.get("/v1/health", summary="Data end per source, last update, staleness")
    def health() -> Response:
        """Never cached: the store's coverage now, and the background update's last run."""
        doc = uses.health()  # a store that cannot be read: 503, one line
        doc["update"] = None if updater is None else {
            "every_s": updater.seconds, "cycles": updater.cycles,
            "running": updater.running, "last_error": updater.last_error,
            "last_run": None if updater.last_run is None else _iso(updater.last_run)}
        return Response(_json(doc), media_type=JSON, headers={"Cache-Control": "no-cache"})

    return app


def _iso(t: float, digits: int = 0) -> str:
    """A UTC ISO time stamp of ``time.time()`` seconds, with ``digits`` fraction digits."""
    import datetime as dt

    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    frac = f".{d.microsecond:06d}"[: digits + 1] if digits else ""
    return d.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dollarliq")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"
