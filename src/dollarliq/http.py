"""The one HTTP client: timeouts, retry with backoff, rate limits per host, a size cap on
bodies, a mirror, a descriptive User-Agent, gzip.

Only this module and ``sources/`` touch the network. Tests pass ``transport=`` (an
``httpx.MockTransport`` replaying recorded bodies) or point ``DOLLARLIQ_MIRROR`` at a local
server; they never patch anything.

Every failure of a request leaves here as a :class:`SourceError` (exit code 3) with one line
that names the source and series (``what``) and never carries a key: HTTP statuses, timeouts,
refused connections, bad gzip (``httpx.DecodingError``), redirect loops
(``httpx.TooManyRedirects``), bodies over :data:`MAX_BODY_BYTES` once decompressed.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from dollarliq import __version__
from dollarliq.errors import PayloadError, SourceError, UsageError

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"dollarliq/{__version__} (+https://github.com/dollarliq/dollarliq)"
MIRROR_ENV = "DOLLARLIQ_MIRROR"

#: Transport used by clients made without one. ``None`` means the network. Tests set it to
#: an ``httpx.MockTransport`` replaying recorded bodies, so the whole CLI runs offline.
default_transport: httpx.BaseTransport | None = None
#: Seconds before the first retry; doubled at each further retry.
DEFAULT_BACKOFF = 1.0
#: A body larger than this once decompressed (bytes) is refused: the download stops there.
MAX_BODY_BYTES = 50 * 1024 * 1024
#: Longest wait a ``Retry-After`` header can impose (seconds).
MAX_RETRY_AFTER = 60.0


# -- hosts: rate limits, requests in flight, statuses worth a retry --------------------------
class HostPolicy:
    """How dollarliq treats one provider's hosts.

    Parameters
    ----------
    per_second : float | None
        At most this many requests start in any one second (None: no limit).
    in_flight : int
        At most this many requests to the provider at the same time.
    retry_status : frozenset[int]
        HTTP statuses answered with a retry after a backoff.
    hint : dict[int, str]
        A line added to the error message of a status (what the user can do).
    """

    def __init__(self, *, per_second: float | None = None, in_flight: int = 2,
                 retry_status: frozenset[int] = RETRY_STATUS,
                 hint: Mapping[int, str] | None = None) -> None:
        self.per_second = per_second
        self.in_flight = in_flight
        self.retry_status = retry_status
        self.hint = dict(hint or {})


#: provider -> its hosts. FRED allows 2 requests a second per key since 2026; SEC asks for at
#: most 10 a second from one user, over all its hosts; Yahoo answers 401 or 429 when its
#: crumb is stale or it throttles, and both are retried after a backoff.
HOST_GROUPS: dict[str, tuple[str, ...]] = {
    "fred": ("api.stlouisfed.org", "fred.stlouisfed.org"),
    "sec": ("www.sec.gov", "data.sec.gov", "efts.sec.gov"),
    "yahoo": ("query1.finance.yahoo.com", "query2.finance.yahoo.com", "fc.yahoo.com",
              "finance.yahoo.com"),
}
POLICIES: dict[str, HostPolicy] = {
    "fred": HostPolicy(per_second=2.0, in_flight=1, hint={
        403: "FRED refuses downloads without an API key: set FRED_API_KEY "
             "(free at fred.stlouisfed.org/docs/api/api_key.html)"}),
    "sec": HostPolicy(per_second=10.0, in_flight=2),
    "yahoo": HostPolicy(in_flight=2, retry_status=RETRY_STATUS | {401}),
}
DEFAULT_POLICY = HostPolicy()


def host_group(host: str) -> str:
    """The provider a host belongs to (``fred``, ``sec``, ``yahoo``), else the host itself."""
    host = host.lower()
    for group, hosts in HOST_GROUPS.items():
        if host in hosts:
            return group
    return host


def policy_for(host: str) -> HostPolicy:
    return POLICIES.get(host_group(host), DEFAULT_POLICY)


class RateLimiter:
    """Thread-safe spacing of request starts: at most ``per_second`` in any one second.

    Starts are spaced ``1 / per_second`` seconds apart, so no one-second window holds more
    than ``per_second`` of them (a bucket larger than one token would let a burst plus its
    refill exceed the limit). ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / float(per_second)
        self.clock = clock
        self.sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until this request may start."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


class _Gate:
    """One provider's rate limiter and in-flight semaphore, shared by every client."""

    def __init__(self, policy: HostPolicy) -> None:
        self.limiter = RateLimiter(policy.per_second) if policy.per_second else None
        self.slots = threading.BoundedSemaphore(max(1, policy.in_flight))


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def _gate(host: str) -> _Gate:
    group = host_group(host)
    with _gates_lock:
        gate = _gates.get(group)
        if gate is None:
            gate = _gates[group] = _Gate(POLICIES.get(group, DEFAULT_POLICY))
        return gate


# -- secrets ------------------------------------------------------------------------------------
_SECRET_PARAMS = re.compile(r"(api_key|apikey|token|key)=[^&\s]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Remove credentials (``api_key=...`` and the like) from a URL or message."""
    key = os.environ.get("FRED_API_KEY")
    text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)
    if key:
        text = text.replace(key, "***")
    return text


# -- the mirror -----------------------------------------------------------------------------------
def mirror_base() -> httpx.URL | None:
    """``DOLLARLIQ_MIRROR`` as a URL (``http://HOST:PORT``), or None when it is not set.

    UsageError (exit 2) when it is set to something that is not an http(s) URL with a host.
    """
    text = os.environ.get(MIRROR_ENV, "").strip()
    if not text:
        return None
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"{MIRROR_ENV}={text[:80]!r} is not a URL such as "
                         "http://127.0.0.1:8080")
    return url


def mirrored(url: httpx.URL, base: httpx.URL) -> httpx.URL:
    """``https://<host>/<path>?<query>`` -> ``<base>/<host>/<path>?<query>``.

    A URL already on the mirror is left alone (redirects the mirror itself issues).
    """
    if url.host == base.host and url.port == base.port and url.scheme == base.scheme:
        return url
    prefix = base.raw_path.split(b"?")[0].rstrip(b"/")
    path = prefix + b"/" + url.host.encode("ascii") + url.raw_path
    return url.copy_with(scheme=base.scheme, host=base.host, port=base.port, raw_path=path)


class MirrorTransport(httpx.BaseTransport):
    """Sends every request to the mirror at ``base`` instead of its own host.

    ``https://markets.newyorkfed.org/api/x.json?a=1`` goes to
    ``http://HOST:PORT/markets.newyorkfed.org/api/x.json?a=1``. The ``Host`` header names the
    mirror; the original host is the first path segment.
    """

    def __init__(self, base: httpx.URL, inner: httpx.BaseTransport | None = None) -> None:
        self.base = base
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = mirrored(request.url, self.base)
        headers = httpx.Headers(request.headers)
        headers["Host"] = url.netloc.decode("ascii")
        request.url = url
        request.headers = headers
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def make_client(transport: httpx.BaseTransport | None = None, *,
                user_agent: str | None = None,
                timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An ``httpx.Client`` with dollarliq's defaults (gzip is httpx's default encoding).

    With ``DOLLARLIQ_MIRROR`` set, every request goes to the mirror (see
    :class:`MirrorTransport`). The client is safe to share between threads.
    """
    headers = {"User-Agent": user_agent or USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    inner = transport or default_transport
    base = mirror_base()
    if base is not None:
        inner = MirrorTransport(base, inner)
    return httpx.Client(transport=inner, headers=headers, timeout=timeout,
                        follow_redirects=True, max_redirects=10)


class Fetch:
    """GET with retries, per-host rate limits and a size cap.

    ``sleep`` and ``backoff`` are injectable so tests run instantly. One instance may serve
    several threads at once; the limits are shared by every instance in the process.
    """

    def __init__(self, client: httpx.Client, *, retries: int = 3,
                 backoff: float | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 max_bytes: int | None = None) -> None:
        self.client = client
        self.retries = retries
        self.backoff = DEFAULT_BACKOFF if backoff is None else backoff
        self.sleep = sleep
        self.max_bytes = MAX_BODY_BYTES if max_bytes is None else max_bytes

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, what: str) -> bytes:
        """Return the body of a successful GET of ``url``.

        ``what`` names the source and series for messages, e.g. ``"fred: WALCL"``.
        Raises SourceError after the retries are spent, PayloadError for a body that cannot
        be decoded or is too large; the message never carries a key.
        """
        host = httpx.URL(url).host
        policy = policy_for(host)
        gate = _gate(host)
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            with gate.slots:
                if gate.limiter is not None:
                    gate.limiter.acquire()
                status, body, retry_after = self._once(url, params, headers, what)
            if status is None:  # a transport error worth another try
                last = body.decode()
                continue
            if status in policy.retry_status:
                last = f"HTTP {status}"
                if retry_after and retry_after.isdigit() and attempt < self.retries:
                    self.sleep(min(float(retry_after), MAX_RETRY_AFTER) * (self.backoff > 0))
                continue
            if status >= 400:
                detail = _error_detail(body)
                hint = policy.hint.get(status)
                raise SourceError(f"{what}: HTTP {status}{detail}" + (f"; {hint}" if hint else ""))
            return body
        hint = policy.hint.get(int(last[5:])) if last.startswith("HTTP ") else None
        raise SourceError(f"{what}: {last} after {self.retries + 1} attempts; "
                          + (hint or "try again later"))

    def _once(self, url: str, params: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None,
              what: str) -> tuple[int | None, bytes, str | None]:
        """One request: (status, body, Retry-After), or (None, reason) for a transport
        error worth a retry. Other failures raise SourceError / PayloadError."""
        try:
            with self.client.stream("GET", url, params=params, headers=headers) as resp:
                if resp.status_code >= 400:  # an error page: read a little, for its message
                    body = _read_capped(resp, 64 * 1024, truncate=True)
                else:
                    body = _read_capped(resp, self.max_bytes)
                    if body is None:
                        mb = self.max_bytes / 1024 / 1024
                        raise PayloadError(f"{what}: body larger than {mb:.0f} MB once "
                                           "decompressed; refused (not a data file?)")
                return resp.status_code, body or b"", resp.headers.get("Retry-After")
        except httpx.TimeoutException as exc:
            return None, f"timed out ({type(exc).__name__})".encode(), None
        except httpx.TransportError as exc:
            return None, (f"could not connect ({type(exc).__name__}: "
                          f"{redact(str(exc))[:200]})").encode(), None
        except httpx.DecodingError as exc:
            raise PayloadError(f"{what}: body could not be decoded ({type(exc).__name__}: "
                               f"{_one_line(exc)}); corrupt gzip?") from None
        except httpx.TooManyRedirects:
            raise SourceError(f"{what}: too many redirects (a redirect loop?); "
                              "try again later") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise SourceError(f"{what}: request failed ({type(exc).__name__}: "
                              f"{_one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    return redact(" ".join(str(exc).split()))[:200]


def _read_capped(resp: httpx.Response, limit: int, *, truncate: bool = False) -> bytes | None:
    """The decompressed body, read chunk by chunk; None (or the first ``limit`` bytes with
    ``truncate``) once it grows past ``limit``: the rest is never downloaded.

    gzip and deflate are decompressed here with ``max_length``, so a small compressed chunk
    that would expand a thousand-fold (a gzip bomb) never takes more than ``limit`` bytes of
    memory. PayloadError on a corrupt compressed body.
    """
    out = bytearray()
    for chunk in _decoded_chunks(resp, limit):
        room = limit - len(out)
        if len(chunk) > room:
            if truncate:
                out += chunk[:room]
                return bytes(out)
            return None
        out += chunk
    return bytes(out)


_PIECE = 256 * 1024  # bytes decompressed at a time


def _decoded_chunks(resp: httpx.Response, limit: int):
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    if hasattr(resp, "_content"):  # already read (a transport that hands over bytes)
        yield resp.content
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from resp.iter_bytes()  # identity (or an encoding httpx decodes itself)
        return
    import zlib

    gzip = encoding != "deflate"
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
    first = True
    try:
        for raw in resp.iter_raw():
            if first and not gzip:  # some servers send raw deflate without the zlib header
                try:
                    zlib.decompressobj(zlib.MAX_WBITS).decompress(raw[:2])
                except zlib.error:
                    dec = zlib.decompressobj(-zlib.MAX_WBITS)
            first = False
            data = raw
            while data:
                piece = dec.decompress(data, min(limit + 1, _PIECE))
                yield piece
                data = dec.unconsumed_tail
                if not data and dec.eof and dec.unused_data and gzip:
                    data = dec.unused_data  # concatenated gzip members
                    dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        yield dec.flush()
        if not first and not dec.eof:
            raise zlib.error("compressed stream ends early (truncated)")
    except zlib.error as exc:
        raise httpx.DecodingError(f"{encoding}: {exc}") from None


def _error_detail(raw: bytes) -> str:
    """A short, key-free description of an error body (FRED ``error_message``, Yahoo
    ``chart.error.description``)."""
    import json

    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, dict):
        chart = body.get("chart")
        if isinstance(chart, dict) and isinstance(chart.get("error"), dict):
            body = chart["error"]  # Yahoo: {"chart": {"error": {"code", "description"}}}
        msg = (body.get("error_message") or body.get("message") or body.get("description")
               or body.get("error"))
        if isinstance(msg, str):
            return f" ({redact(msg.strip())[:200]})"
    return ""
