"""``dollarliq serve`` (HTTP API and live dashboard) and ``dollarliq mcp`` (MCP over stdio)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from dollarliq.cli._common import Lang, app, console, err_console, handle_errors, is_quiet


def _listen(host: str, port: int):
    """A listening socket on ``host:port`` (port 0: any free port); UsageError (exit 2) if the
    address cannot be bound, before anything starts."""
    import socket

    from dollarliq.errors import UsageError

    if not 0 <= port < 65536:
        raise UsageError(f"--port {port}: choose a port between 1 and 65535 (0: any free one)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UsageError(f"--host {host!r} is not an address of this machine") from None
    family, kind, proto, _, addr = infos[0]
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only then
    # (without it a response's head and body wait ~40 ms for a delayed ACK).
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                         "pass another --port") from None
    return sock


def update_cycle(*, urls: list[str], lang: str, record_years: float,
                 log: Callable[[str], None], sources: list[str] | None = None,
                 series: list[str] | None = None) -> Callable[[], None]:
    """One background cycle: the ``watch`` cycle (update, report, alerts, state), its alerts
    logged. A failing update is logged and the report runs on the data there is; a failing
    notification raises, so the state is not saved and the alert is retried next cycle."""

    def cycle() -> None:
        from dollarliq import api
        from dollarliq.messages import t

        cyc = api.watch_cycle(urls=urls, sources=sources, series=series, lang=lang,
                              record_years=record_years, on_update_error=lambda e: log(
                                  t("watch.update_failed", lang, error=e)))
        for e in cyc.events:
            log(f"{e.title}: {' '.join(e.body.split())}")

    return cycle


@app.command("serve")
@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8765, "--port", help="TCP port (0: any free port)."),
    update_every: str = typer.Option(None, "--update-every",
                                     help="Run the watch cycle (update, alerts) in the "
                                          "background this often: 30m, 1h, 1d."),
    notify_urls: list[str] = typer.Option(None, "--notify",
                                          help="With --update-every: an apprise URL for the "
                                               "alerts (repeatable), as in watch."),
    record_years: float = typer.Option(5.0, "--record-years",
                                       help="With --update-every: a record alerts when it is "
                                            "the most extreme in more than this many years."),
    lang: Lang = typer.Option(None, "--lang", help="Dashboard and alerts: en or zh."),
    allow_host: list[str] = typer.Option(None, "--allow-host",
                                         help="Also answer requests for this host name "
                                              "(repeatable; * for any). Default: the "
                                              "loopback names and --host."),
    quiet: bool = typer.Option(False, "--quiet", help="No start-up line (warnings stay)."),
) -> None:
    """Serve the dashboard and a read-only JSON API (with OpenAPI) on this machine.

    GET / is the dashboard, rebuilt when the store changes; /v1/report, /v1/stages,
    /v1/series, /v1/series/{id}, /v1/backtest, /v1/bubble/{ticker}, /v1/gauges and
    /v1/health answer with the CLI's JSON documents, point-in-time (?as_of=YYYY-MM-DD).
    /openapi.json describes them. With --update-every the watch cycle runs in the
    background: the same alerts and state as `dollarliq watch`, never sent twice. Only
    requests whose Host header names 127.0.0.1, localhost, [::1] or --host (any port) are
    answered, others get 400 (a web page cannot reach the API by rebinding its DNS name);
    --allow-host adds a name.

    Example:
        dollarliq serve
        dollarliq serve --port 8080 --update-every 1h --notify ntfy://ntfy.sh/my-topic
        curl 'http://127.0.0.1:8765/v1/report?as_of=2025-11-03'
    """
    import threading

    import uvicorn

    from dollarliq.errors import UsageError
    from dollarliq.messages import lang_from_env
    from dollarliq.server.app import create_app
    from dollarliq.server.state import Answers, Updater
    from dollarliq.watch import parse_every

    language = lang_from_env(lang.value if lang else None)
    quiet = is_quiet(quiet)
    if notify_urls and not update_every:
        raise UsageError("--notify needs --update-every (alerts come from the background update)")
    from dollarliq import api

    api.check_watch_args(None, None, record_years)  # the bounds of watch
    seconds = parse_every(update_every) if update_every else None
    sock = _listen(host, port)

    def log(line: str) -> None:
        err_console.print(f"serve: {line}", markup=False)

    answers = Answers()
    updater = None
    if seconds is not None:
        cycle = update_cycle(urls=list(notify_urls or []), lang=language,
                             record_years=record_years, log=log)
        updater = Updater(seconds, cycle, log=log, after=lambda: warm())

    from dollarliq.server.app import LOOPBACK_HOSTS

    hosts = [*LOOPBACK_HOSTS, *(allow_host or [])]
    if host.strip("[]") not in ("0.0.0.0", "::", ""):
        hosts.append(host)  # the address it listens on is a name a client may use
    app_ = create_app(answers, updater=updater, lang=language, allowed_hosts=hosts)

    def warm() -> None:
        """The dashboard and the latest report before anyone asks (at start-up, after each
        update)."""
        try:
            app_.state.warm()
        except Exception as exc:  # a request will retry and answer with the error
            log(f"dashboard not built: {' '.join(str(exc).split())}")

    if updater is not None:
        updater.start()  # it warms the answers before its first cycle and after each one
    else:
        threading.Thread(target=warm, name="dollarliq-warm", daemon=True).start()
    if not quiet:
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        console.print(f"dollarliq serving http://{shown}:{bound}/ (dashboard), /v1/... (API), "
                      "/openapi.json" + (f"; updating every {update_every}" if seconds else ""),
                      markup=False, soft_wrap=True)
        console.file.flush()
    from dollarliq.server.app import is_loopback

    if not is_loopback(host):  # said even with --quiet
        err_console.print(f"warning: listening on {host}: anyone who can reach this "
                          "address can read the API (no authentication)", markup=False)
    config = uvicorn.Config(app_, log_level="warning", access_log=False, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        if updater is not None:
            updater.stop(timeout=1.0)
        sock.close()


@app.command("mcp")
@handle_errors
def mcp() -> None:
    """Run the Model Context Protocol server on stdin/stdout, for AI assistants.

    Tools: report, stages, series, series_list, backtest, bubble_test, gauges. Each takes
    as_of (YYYY-MM-DD; only data public that day) and returns the CLI's JSON document as
    structured content. Add it to an assistant's configuration as the command
    `dollarliq mcp` (see docs/serve.md).

    Example:
        dollarliq mcp
    """
    from dollarliq.server.mcp_tools import build_server, run_stdio

    run_stdio(build_server())
