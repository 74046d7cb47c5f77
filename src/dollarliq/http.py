"""The one HTTP client: timeouts, retry with backoff, rate limits per host, a size cap on
bodies, a mirror, a descriptive User-Agent, gzip.

Only this module and ``sources/`` touch the network. Tests pass ``transport=`` (an
``httpx.MockTransport`` replaying recorded bodies) or point ``DOLLARLIQ_MIRROR`` at a local
server; they never patch anything.

Every failure of a request leaves here as a :class:`SourceError` (exit code 3) with one line
that names the source and series (``what``) and never carries a key: HTTP statuses, timeouts,
refused connections, bad gzip (``httpx.DecodingError``), redirect loops
(``httpx.TooManyRedirects``), bodies over :data:`MAX_BODY_BYTES` once decompressed.

Three clocks bound a request:

* the **read timeout** (30 s): the longest silence between two pieces of the answer;
* the **request deadline** (``DOLLARLIQ_REQUEST_DEADLINE``, default 60 s): connect, headers
  and body of one attempt together, so a server that trickles its headers or body a byte at a
  time fails in bounded time (no retry: a trickling server would trickle again);
* the **update deadline** (``DOLLARLIQ_UPDATE_DEADLINE``, default 900 s), given to
  :class:`Fetch` as ``total``: no request starts, and none goes on, after it.

A host that cannot be reached at all (refused connection, unknown name, no answer to connect)
is tried twice (:data:`UNREACHABLE_RETRIES`); every later request of the same :class:`Fetch`
to that host fails at once with the same line, so an update without a network ends in
seconds.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpcore
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
#: Retries of a request whose host could not be reached at all (unknown name, refused
#: connection, no answer to connect): such a fault rarely clears within seconds.
UNREACHABLE_RETRIES = 1
#: Longest wait a ``Retry-After`` header can impose (seconds).
MAX_RETRY_AFTER = 60.0
REQUEST_DEADLINE_ENV = "DOLLARLIQ_REQUEST_DEADLINE"
UPDATE_DEADLINE_ENV = "DOLLARLIQ_UPDATE_DEADLINE"
#: Seconds one attempt may take from connect to the last byte of its body.
DEFAULT_REQUEST_DEADLINE = 60.0
#: Seconds a whole update may take.
DEFAULT_UPDATE_DEADLINE = 900.0


def deadline_seconds(env: str, default: float) -> float:
    """Seconds from the environment variable ``env`` (a positive number), else ``default``.

    UsageError (exit 2) naming the variable when it is set to something else.
    """
    text = os.environ.get(env, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{env}={text[:40]!r} is not a number of seconds greater than 0")
    return value


# -- the request deadline, enforced at the socket --------------------------------------------
_local = threading.local()  # .at: monotonic time by which this thread's request must end


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of this thread's deadline; ``exc`` once passed."""
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with :class:`_DeadlineStream` sockets."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def network_transport() -> httpx.HTTPTransport:
    """httpx's transport to the network, with the request deadline kept at the socket."""
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _DeadlineBackend(backend)
    return transport


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
        self.inner = inner or network_transport()

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
    elif inner is None:
        inner = network_transport()
    return httpx.Client(transport=inner, headers=headers, timeout=timeout,
                        follow_redirects=True, max_redirects=10)


class Fetch:
    """GET with retries, per-host rate limits, a size cap and deadlines.

    ``sleep`` and ``backoff`` are injectable so tests run instantly. One instance may serve
    several threads at once; the limits are shared by every instance in the process.

    Parameters
    ----------
    deadline : float, optional
        Seconds one attempt may take, connect to last body byte (default
        ``DOLLARLIQ_REQUEST_DEADLINE`` or 60).
    total : float, optional
        Seconds every request of this instance may take together, counted from its creation
        (an update's deadline; None: no limit).
    """

    def __init__(self, client: httpx.Client, *, retries: int = 3,
                 backoff: float | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 max_bytes: int | None = None,
                 deadline: float | None = None,
                 total: float | None = None) -> None:
        self.client = client
        self.retries = retries
        self.backoff = DEFAULT_BACKOFF if backoff is None else backoff
        self.sleep = sleep
        self.max_bytes = MAX_BODY_BYTES if max_bytes is None else max_bytes
        self.deadline = (deadline_seconds(REQUEST_DEADLINE_ENV, DEFAULT_REQUEST_DEADLINE)
                         if deadline is None else float(deadline))
        self.total = total
        self.until = None if total is None else time.monotonic() + float(total)
        self._down: dict[str, str] = {}  # host -> why it could not be reached
        self._down_lock = threading.Lock()

    def unreachable(self) -> dict[str, str]:
        """Hosts that could not be reached, with the line that says why."""
        with self._down_lock:
            return dict(self._down)

    def _left(self, what: str) -> float | None:
        """Seconds left of the update's deadline (None: no limit); SourceError once spent."""
        if self.until is None:
            return None
        left = self.until - time.monotonic()
        if left <= 0:
            raise SourceError(f"{what}: not fetched: the update's deadline of "
                              f"{self.total:g} s passed ({UPDATE_DEADLINE_ENV} sets it)")
        return left

    def _wait(self, seconds: float, what: str) -> None:
        left = self._left(what)
        self.sleep(seconds if left is None else min(seconds, left))

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, what: str) -> bytes:
        """Return the body of a successful GET of ``url``.

        ``what`` names the source and series for messages, e.g. ``"fred: WALCL"``.
        Raises SourceError after the retries are spent, once a deadline has passed, or at
        once for a host an earlier request found unreachable; PayloadError for a body that
        cannot be decoded or is too large; the message never carries a key.
        """
        host = httpx.URL(url).host
        policy = policy_for(host)
        gate = _gate(host)
        last: str = ""
        unreachable = False
        for attempt in range(self.retries + 1):
            if attempt:
                self._wait(self.backoff * 2 ** (attempt - 1), what)
            with self._down_lock:
                down = self._down.get(host)
            if down is not None:
                raise SourceError(f"{what}: {down}")
            with gate.slots:
                self._left(what)
                if gate.limiter is not None:
                    gate.limiter.acquire()
                status, body, retry_after, unreachable = self._once(url, params, headers, what)
            if status is None:  # a transport error worth another try
                last = body.decode()
                if unreachable and attempt >= min(self.retries, UNREACHABLE_RETRIES):
                    break
                continue
            if status in policy.retry_status:
                last = f"HTTP {status}"
                if retry_after and retry_after.isdigit() and attempt < self.retries:
                    self._wait(min(float(retry_after), MAX_RETRY_AFTER) * (self.backoff > 0),
                               what)
                continue
            if status >= 400:
                detail = _error_detail(body)
                hint = policy.hint.get(status)
                raise SourceError(f"{what}: HTTP {status}{detail}" + (f"; {hint}" if hint else ""))
            return body
        if unreachable:  # every later request to this host fails at once, with this line
            line = f"{last} after {attempt + 1} attempts; is the network up?"
            with self._down_lock:
                line = self._down.setdefault(host, line)
            raise SourceError(f"{what}: {line}")
        hint = policy.hint.get(int(last[5:])) if last.startswith("HTTP ") else None
        raise SourceError(f"{what}: {last} after {self.retries + 1} attempts; "
                          + (hint or "try again later"))

    def _once(self, url: str, params: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None,
              what: str) -> tuple[int | None, bytes, str | None, bool]:
        """One request: (status, body, Retry-After, False), or (None, reason, None,
        unreachable) for a transport error worth a retry (``unreachable``: the host could not
        be reached at all). Other failures raise SourceError / PayloadError; so does a
        deadline that passed."""
        left = self._left(what)
        at = time.monotonic() + (self.deadline if left is None else min(self.deadline, left))
        _local.at = at
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
                return resp.status_code, body or b"", resp.headers.get("Retry-After"), False
        except httpx.TimeoutException as exc:
            if time.monotonic() >= at:
                self._left(what)  # the update's deadline, if it is the one that passed
                raise SourceError(f"{what}: no complete answer within {self.deadline:g} s "
                                  "(the server sends too slowly; "
                                  f"{REQUEST_DEADLINE_ENV} sets the limit); "
                                  "try again later") from None
            if isinstance(exc, httpx.ConnectTimeout):
                return None, _unreachable_line(httpx.URL(url).host, exc).encode(), None, True
            return None, f"timed out ({type(exc).__name__})".encode(), None, False
        except httpx.ConnectError as exc:
            host = httpx.URL(url).host
            return None, _unreachable_line(host, exc).encode(), None, True
        except httpx.TransportError as exc:
            return None, (f"could not connect ({type(exc).__name__}: "
                          f"{redact(str(exc))[:200]})").encode(), None, False
        except httpx.DecodingError as exc:
            raise PayloadError(f"{what}: body could not be decoded ({type(exc).__name__}: "
                               f"{_one_line(exc)}); corrupt gzip?") from None
        except httpx.TooManyRedirects:
            raise SourceError(f"{what}: too many redirects (a redirect loop?); "
                              "try again later") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise SourceError(f"{what}: request failed ({type(exc).__name__}: "
                              f"{_one_line(exc)})") from None
        finally:
            _local.at = None


_DNS_FAILURE = re.compile(r"name or service not known|nodename nor servname|getaddrinfo|"
                          r"name resolution|no address associated|errno -[235]\b",
                          re.IGNORECASE)


def _unreachable_line(host: str, exc: BaseException) -> str:
    """One line for a host that cannot be reached: unknown name, refused, or no answer."""
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        why = "timed out connecting"
    elif _DNS_FAILURE.search(text):
        why = "name not found"
    elif "refused" in text.lower():
        why = "connection refused"
    else:
        why = f"{type(exc).__name__}: {_one_line(exc)[:120]}"
    return f"could not connect to {host} ({why})"


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
        _bounded(None, httpx.ReadTimeout)  # the request's deadline, between pieces too
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
