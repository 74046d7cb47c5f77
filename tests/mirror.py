"""A mirror of the providers on 127.0.0.1, serving recorded real bodies by host and path.

``DOLLARLIQ_MIRROR=http://127.0.0.1:PORT`` sends ``https://<host>/<path>?<query>`` to
``http://127.0.0.1:PORT/<host>/<path>?<query>``; this server answers such requests with the
recording registered for ``<host>`` and the longest matching prefix of ``<path>?<query>``, or
404. A recording keyed on a path alone serves every query: each provider's parser keeps only
the dates the request asked for. The Fed Board's Data Download Program answers one release
per ``rel``, so its recording is keyed on ``?rel=H41&``.

Bodies are the files in ``tests/fixtures/`` as recorded. Files in the yahoo-finance2 recorder
format (``{"request": ..., "response": {"bodyJson": ...}}``) are served as the response's
JSON body, which is what Yahoo sent. A fault (a status, a bad gzip body, a redirect loop, a
gzip bomb) can be set per host and path; each fault is described where it is built.

Used by the end-to-end tests and by ``benchmarks/run.py`` (``update.*``), with an optional
latency added to every request.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"

#: (host, path prefix) -> recorded body file, relative to tests/fixtures/
RECORDINGS: dict[tuple[str, str], str] = {
    ("markets.newyorkfed.org", "/api/rates/secured/sofr/"):
        "nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json",
    ("markets.newyorkfed.org", "/api/rates/unsecured/effr/"):
        "nyfed/nyfed_api_effr_search_2023-01-01_2023-06-06.json",
    ("markets.newyorkfed.org", "/api/rates/unsecured/obfr/"):
        "nyfed/nyfed_api_obfr_search_2024-06-01_2024-06-06.json",
    # The recording is of /api/rp/all/all/results/last/500.json; the operations search the
    # update makes answers in the same shape, so it is served for every /api/rp/ path.
    ("markets.newyorkfed.org", "/api/rp/"):
        "nyfed/nyfed_rp_all_all_results_last500_2023-04-24.json",
    ("api.fiscaldata.treasury.gov",
     "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"):
        "treasury/fiscaldata_dts_operating_cash_balance_2025-07-07_2025-07-11.json",
    # FiscalData auction results (the January 2026 bills) and announced offerings.
    ("api.fiscaldata.treasury.gov", "/services/api/fiscal_service/v1/accounting/od/auctions_query"):
        "treasury_auctions/fiscaldata_auctions_query_bills_auction_2026-01-01_2026-01-31.json",
    ("api.fiscaldata.treasury.gov",
     "/services/api/fiscal_service/v1/accounting/od/upcoming_auctions"):
        "treasury_auctions/fiscaldata_upcoming_auctions_asof_2026-07-16.json",
    ("query1.finance.yahoo.com", "/v8/finance/chart/AAPL"):
        "yahoo/chart-AAPL-2020-08-31-to-2020-11-07.json",
    ("query1.finance.yahoo.com", "/v8/finance/chart/NVDA"):
        "yahoo/historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json",
    ("query1.finance.yahoo.com", "/v8/finance/chart/MSFT"):
        "yahoo/historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json",
    # The update asks for the H.4.1 release zip (``rel=H41&filetype=zip``); the recorded H.4.1
    # CSV of the same Data Download Program is served instead (the parser reads both).
    ("www.federalreserve.gov", "/datadownload/Output.aspx?rel=H41&"):
        "fedboard/fed_board_ddp_H41_2021-04-28_2023-03-22.csv",
    ("api.stlouisfed.org", "/fred/series/observations"):
        "fred/fred_api_observations_SOFR30DAYAVG_2024-06-01_2024-06-06.json",
}


def recorded_body(rel: str) -> bytes:
    """The body as the provider sent it (unwrapping the yahoo-finance2 recorder format)."""
    raw = (FIXTURES / rel).read_bytes()
    if rel.startswith("yahoo/") and raw.lstrip().startswith(b"{"):
        doc = json.loads(raw)
        if isinstance(doc, dict) and "response" in doc and "bodyJson" in doc["response"]:
            return json.dumps(doc["response"]["bodyJson"]).encode()
    return raw


# -- faults (every one of these bodies is built here, not recorded) --------------------------
def fault_status(status: int, body: bytes = b"") -> Callable[[BaseHTTPRequestHandler], None]:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


def fault_html() -> Callable[[BaseHTTPRequestHandler], None]:
    """A 200 answer with an HTML error page (as a blocked client or a captive portal gets)."""
    body = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


def fault_bad_gzip() -> Callable[[BaseHTTPRequestHandler], None]:
    """``Content-Encoding: gzip`` over bytes that are not gzip."""
    body = b"\x1f\x8b\x08\x00 this is not a deflate stream " * 4

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


def fault_redirect_loop() -> Callable[[BaseHTTPRequestHandler], None]:
    """A 302 back to the same URL, forever."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", h.path)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return send


def _trickle(h: BaseHTTPRequestHandler, data: bytes, delay: float) -> None:
    """Send ``data`` one byte every ``delay`` seconds; stop when the client hangs up."""
    try:
        for i in range(len(data)):
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()
            time.sleep(delay)
    except OSError:  # the client gave up
        h.close_connection = True


def fault_trickle_headers(body: bytes, delay: float = 0.05
                          ) -> Callable[[BaseHTTPRequestHandler], None]:
    """A slow-loris server: the status line and headers one byte at a time (a proxy that
    trickles), then ``body``. Built here; ``body`` is a real recording when one is given."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 20) for i in range(8))
            + b"Content-Length: %d\r\n\r\n" % len(body))

    def send(h: BaseHTTPRequestHandler) -> None:
        _trickle(h, head, delay)
        try:
            h.wfile.write(body)
        except OSError:
            h.close_connection = True

    return send


def fault_trickle_body(body: bytes, delay: float = 0.05
                       ) -> Callable[[BaseHTTPRequestHandler], None]:
    """Headers at once, then ``body`` one byte every ``delay`` seconds."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        _trickle(h, body, delay)

    return send


def gzip_bomb(gib: float = 1.0) -> bytes:
    """``gib`` GiB of zero bytes, gzip-compressed (about 1 MB per GiB)."""
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1 << 20)
    parts = [comp.compress(zeros) for _ in range(int(gib * 1024))]
    parts.append(comp.flush())
    return b"".join(parts)


def fault_gzip_bomb(body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    """A small gzip body that expands to about a gibibyte of zeros."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


class Mirror:
    """The server. ``with Mirror(latency=0.1) as m:`` then ``m.url`` and ``m.requests``."""

    def __init__(self, *, latency: float = 0.0,
                 recordings: dict[tuple[str, str], str] | None = None) -> None:
        self.latency = latency
        self.recordings = dict(RECORDINGS if recordings is None else recordings)
        self.faults: dict[tuple[str, str], Callable[[BaseHTTPRequestHandler], None]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                with mirror._lock:
                    mirror.requests.append(self.path)
                if mirror.latency:
                    time.sleep(mirror.latency)
                parts = urlsplit(self.path)
                host, _, rest = parts.path.lstrip("/").partition("/")
                path = "/" + rest + (f"?{parts.query}" if parts.query else "")
                fault = _longest(mirror.faults, host, path)
                if fault is not None:
                    fault(self)
                    return
                rel = _longest(mirror.recordings, host, path)
                if rel is None:
                    fault_status(404, b"not recorded")(self)
                    return
                body = recorded_body(rel)
                self.send_response(200)
                self.send_header("Content-Type", "application/json"
                                 if rel.endswith(".json") else "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Mirror:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _longest(table: dict[tuple[str, str], object], host: str, path: str):
    best, found = -1, None
    for (h, prefix), value in table.items():
        if h == host and path.startswith(prefix) and len(prefix) > best:
            best, found = len(prefix), value
    return found
