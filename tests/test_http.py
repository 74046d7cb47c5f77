"""The HTTP client: the mirror, rate limits, retries, the size cap and the mapping of every
httpx failure to one line (exit code 3), all through ``httpx.MockTransport``.

Error bodies and headers here are built in the test (a status, an HTML page, bytes that are
not gzip, a redirect loop, a gzip bomb): each is labelled where it is made.
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc

import httpx
import pytest

from dollarliq import http
from dollarliq.errors import PayloadError, SourceError, UsageError
from dollarliq.http import (Fetch, MirrorTransport, RateLimiter, make_client, mirror_base,
                            mirrored, redact)
from mirror import gzip_bomb

NYFED = "https://markets.newyorkfed.org/api/rates/secured/sofr/search.json"


class Chunks(httpx.SyncByteStream):
    """A response body sent in pieces, as a network connection delivers it."""

    def __init__(self, data: bytes, size: int = 64 * 1024) -> None:
        self.data, self.size = data, size

    def __iter__(self):
        for i in range(0, len(self.data), self.size):
            yield self.data[i:i + self.size]


def fetch_with(handler, **kw) -> Fetch:
    return Fetch(make_client(transport=httpx.MockTransport(handler)), sleep=lambda s: None,
                 **kw)


# -- the mirror ----------------------------------------------------------------------------
def test_mirrored_url_keeps_host_path_and_query():
    base = httpx.URL("http://127.0.0.1:8080")
    url = httpx.URL(NYFED, params={"startDate": "2024-06-01", "endDate": "2024-06-06"})
    got = mirrored(url, base)
    assert str(got) == ("http://127.0.0.1:8080/markets.newyorkfed.org/api/rates/secured/sofr/"
                        "search.json?startDate=2024-06-01&endDate=2024-06-06")
    # A mirror below a path prefix keeps it; a URL already on the mirror is left alone.
    assert str(mirrored(httpx.URL("https://data.sec.gov/a%20b.json?x=1"),
                        httpx.URL("http://cache.local/up/"))) == \
        "http://cache.local/up/data.sec.gov/a%20b.json?x=1"
    assert mirrored(got, base) == got


def test_make_client_sends_every_request_to_the_mirror(monkeypatch, fixture_bytes):
    seen = []
    body = fixture_bytes("nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json")

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["host"]))
        return httpx.Response(200, content=body)

    monkeypatch.setenv("DOLLARLIQ_MIRROR", "http://127.0.0.1:8080")
    fetch = fetch_with(handler)
    assert fetch.get(NYFED, params={"startDate": "2024-06-01"}, what="nyfed: SOFR") == body
    assert seen == [("http://127.0.0.1:8080/markets.newyorkfed.org/api/rates/secured/sofr/"
                     "search.json?startDate=2024-06-01", "127.0.0.1:8080")]


@pytest.mark.parametrize("value", ["127.0.0.1:8080", "ftp://x", "http://"])
def test_a_bad_mirror_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv("DOLLARLIQ_MIRROR", value)
    with pytest.raises(UsageError, match="DOLLARLIQ_MIRROR"):
        mirror_base()


def test_mirror_transport_wraps_any_transport():
    got = []
    inner = httpx.MockTransport(lambda r: got.append(str(r.url)) or httpx.Response(204))
    with httpx.Client(transport=MirrorTransport(httpx.URL("http://m:1"), inner)) as c:
        c.get("https://api.fiscaldata.treasury.gov/services/api/x?page%5Bsize%5D=10")
    assert got == ["http://m:1/api.fiscaldata.treasury.gov/services/api/x?page%5Bsize%5D=10"]


# -- every httpx failure family is one line, exit code 3 ------------------------------------
def _raise(exc_type, *args):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(*args, request=request)

    return handler


@pytest.mark.parametrize("handler, needle", [
    (_raise(httpx.ConnectError, "[Errno 111] Connection refused"), "could not connect"),
    (_raise(httpx.ReadTimeout, "timed out"), "timed out"),
    (_raise(httpx.ConnectTimeout, "timed out"), "timed out"),
    (_raise(httpx.RemoteProtocolError, "peer closed connection"), "could not connect"),
    (_raise(httpx.ReadError, "reset by peer"), "could not connect"),
    (_raise(httpx.ProxyError, "407 from proxy"), "could not connect"),
    (_raise(httpx.UnsupportedProtocol, "no scheme"), "could not connect"),
    (_raise(httpx.DecodingError, "bad chunk"), "could not be decoded"),
    (_raise(httpx.TooManyRedirects, "loop"), "too many redirects"),
])
def test_every_httpx_error_family_is_a_source_error_naming_the_series(handler, needle):
    with pytest.raises(SourceError) as err:
        fetch_with(handler).get(NYFED, what="nyfed: SOFR")
    text = str(err.value)
    assert err.value.exit_code == 3
    assert text.startswith("nyfed: SOFR: ") and needle in text
    assert "\n" not in text


def test_corrupt_gzip_body_is_a_payload_error():
    # Built here: a gzip header followed by bytes that are not a deflate stream.
    bad = b"\x1f\x8b\x08\x00" + b"not deflate at all" * 10
    fetch = fetch_with(lambda r: httpx.Response(200, stream=Chunks(bad),
                                                headers={"Content-Encoding": "gzip"}))
    with pytest.raises(PayloadError, match=r"^treasury: TGA_DTS: .*corrupt gzip"):
        fetch.get("https://api.fiscaldata.treasury.gov/x", what="treasury: TGA_DTS")


def test_truncated_gzip_body_is_a_payload_error(fixture_bytes):
    # Built here: the recorded SOFR body gzip-compressed, then cut in half.
    whole = gzip.compress(fixture_bytes("nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json"))
    fetch = fetch_with(lambda r: httpx.Response(200, stream=Chunks(whole[: len(whole) // 2]),
                                                headers={"Content-Encoding": "gzip"}))
    with pytest.raises(PayloadError, match="truncated"):
        fetch.get(NYFED, what="nyfed: SOFR")


def test_gzip_body_is_decoded(fixture_bytes):
    body = fixture_bytes("nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json")
    fetch = fetch_with(lambda r: httpx.Response(200, stream=Chunks(gzip.compress(body), 100),
                                                headers={"Content-Encoding": "gzip"}))
    assert fetch.get(NYFED, what="nyfed: SOFR") == body


def test_redirect_loop_is_one_line():
    # Built here: every request is answered with a redirect to itself.
    fetch = fetch_with(lambda r: httpx.Response(302, headers={"Location": str(r.url)}))
    with pytest.raises(SourceError, match="^yahoo: AAPL: too many redirects"):
        fetch.get("https://query1.finance.yahoo.com/v8/finance/chart/AAPL", what="yahoo: AAPL")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(1.0)  # built here: 1 GiB of zeros, about 1 MB compressed


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(bomb):
    assert len(bomb) < 2 * 1024 * 1024
    fetch = fetch_with(lambda r: httpx.Response(200, stream=Chunks(bomb), headers={
        "Content-Encoding": "gzip", "Content-Type": "application/json"}))
    tracemalloc.start()
    try:
        with pytest.raises(PayloadError, match="larger than 50 MB"):
            fetch.get(NYFED, what="nyfed: SOFR")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert http.MAX_BODY_BYTES == 50 * 1024 * 1024
    # The cap plus one decompressed piece and the compressed body, never the gibibyte.
    assert peak < 80 * 1024 * 1024, peak


def test_a_body_over_a_smaller_cap_is_refused_uncompressed_too():
    fetch = fetch_with(lambda r: httpx.Response(200, content=b"x" * 5000), max_bytes=4096)
    with pytest.raises(PayloadError, match="larger than"):
        fetch.get(NYFED, what="nyfed: SOFR")


# -- statuses, retries, hints -----------------------------------------------------------------
def test_yahoo_401_is_retried_and_then_succeeds():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(401 if len(calls) == 1 else 200, content=b"{}")

    assert fetch_with(handler).get("https://query1.finance.yahoo.com/v8/finance/chart/AAPL",
                                   what="yahoo: AAPL") == b"{}"
    assert len(calls) == 2


def test_401_elsewhere_is_not_retried():
    calls = []
    fetch = fetch_with(lambda r: calls.append(1) or httpx.Response(401))
    with pytest.raises(SourceError, match="HTTP 401"):
        fetch.get(NYFED, what="nyfed: SOFR")
    assert len(calls) == 1


def test_a_429_storm_gives_up_after_the_retries_with_one_line():
    calls = []
    fetch = fetch_with(lambda r: calls.append(1) or httpx.Response(429,
                                                                   headers={"Retry-After": "1"}))
    with pytest.raises(SourceError) as err:
        fetch.get("https://query1.finance.yahoo.com/v8/finance/chart/NVDA", what="yahoo: NVDA")
    assert len(calls) == 4
    assert str(err.value) == "yahoo: NVDA: HTTP 429 after 4 attempts; try again later"


def test_fredgraph_403_says_set_the_key():
    fetch = fetch_with(lambda r: httpx.Response(403, content=b"Forbidden"))
    with pytest.raises(SourceError, match="set FRED_API_KEY"):
        fetch.get("https://fred.stlouisfed.org/graph/fredgraph.csv", params={"id": "IORB"},
                  what="fred: IORB")


def test_the_key_is_redacted_from_urls_errors_and_messages(monkeypatch):
    key = "abcdefghij0123456789abcdefghij01"
    monkeypatch.setenv("FRED_API_KEY", key)
    assert key not in redact(f"https://api.stlouisfed.org/x?series_id=A&api_key={key}&b=1")
    assert redact(f"GET ...?api_key={key}&x=1") == "GET ...?api_key=***&x=1"
    assert redact(f"the key {key} is bad") == "the key *** is bad"
    # Built here: FRED's 400 body that echoes the key, and a transport error quoting the URL.
    body = {"error_code": 400, "error_message": f"api_key={key} is not registered."}
    with pytest.raises(SourceError) as err:
        fetch_with(lambda r: httpx.Response(400, json=body)).get(
            "https://api.stlouisfed.org/fred/series/observations",
            params={"api_key": key}, what="fred: WALCL")
    assert key not in str(err.value) and "not registered" in str(err.value)
    with pytest.raises(SourceError) as err:
        fetch_with(_raise(httpx.ConnectError, f"failed: {key}")).get(
            "https://api.stlouisfed.org/x", params={"api_key": key}, what="fred: WALCL")
    assert key not in str(err.value)


# -- rate limits -----------------------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, s):
        with self.lock:
            self.now += s


def test_rate_limiter_spaces_starts_at_the_rate():
    clock = FakeClock()
    starts = []
    lim = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        lim.acquire()
        starts.append(clock.now)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps == pytest.approx([0.5] * 4)


def test_fred_requests_from_many_threads_never_exceed_two_a_second():
    stamps = []
    lock = threading.Lock()

    def handler(request):
        import time

        with lock:
            stamps.append(time.monotonic())
        return httpx.Response(200, content=b"{}")

    fetch = fetch_with(handler)
    threads = [threading.Thread(target=fetch.get, args=(
        "https://api.stlouisfed.org/fred/series/observations",), kwargs={"what": "fred: X"})
        for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert len(stamps) == 5
    # Any 3 consecutive starts span at least one second: never 3 in one second.
    assert all(stamps[i + 2] - stamps[i] >= 0.99 for i in range(len(stamps) - 2))


def test_host_policies():
    assert http.policy_for("api.stlouisfed.org").per_second == 2.0
    assert http.policy_for("data.sec.gov").per_second == 10.0
    assert http.host_group("www.sec.gov") == http.host_group("data.sec.gov") == "sec"
    assert 401 in http.policy_for("query2.finance.yahoo.com").retry_status
    assert http.policy_for("markets.newyorkfed.org").per_second is None


def test_no_recorded_fixture_holds_an_api_key():
    import re
    from pathlib import Path

    pattern = re.compile(rb"(api_key|apikey)=([A-Za-z0-9]{16,})", re.IGNORECASE)
    fixtures = Path(__file__).parent / "fixtures"
    files = [p for p in fixtures.rglob("*") if p.is_file()]
    assert len(files) > 20
    for p in files:
        data = p.read_bytes()
        if p.suffix == ".gz":
            data = gzip.decompress(data)
        found = {m.group(2) for m in pattern.finditer(data)}
        assert found <= {b"MOCK_API_KEY"}, (p.name, found)


# -- deadlines: a server that trickles its headers or its body ---------------------------------
# The trickled answers are built in tests/mirror.py (a padded header block, a recorded body).
def _trickling_mirror(fault):
    from mirror import Mirror

    m = Mirror(recordings={})
    m.faults[("markets.newyorkfed.org", "/api/")] = fault
    return m


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_server_fails_at_the_request_deadline_naming_the_series(
        part, monkeypatch, fixture_bytes):
    from mirror import fault_trickle_body, fault_trickle_headers

    body = fixture_bytes("nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json")
    # Each byte comes well inside the 30 s read timeout: only a deadline on the whole
    # request stops it (headers: about 400 bytes, body: about 1 KB, 0.05 s a byte).
    fault = (fault_trickle_headers(body) if part == "headers"
             else fault_trickle_body(body))
    with _trickling_mirror(fault) as m:
        monkeypatch.setenv("DOLLARLIQ_MIRROR", m.url)
        monkeypatch.setenv("DOLLARLIQ_REQUEST_DEADLINE", "1")
        f = Fetch(make_client(), sleep=lambda s: None)
        with pytest.raises(SourceError) as err:
            f.get(NYFED, what="nyfed: SOFR")
        requests = len(m.requests)
    text = str(err.value)
    assert err.value.exit_code == 3
    assert text.startswith("nyfed: SOFR: no complete answer within 1 s")
    assert "DOLLARLIQ_REQUEST_DEADLINE" in text and "\n" not in text
    assert requests == 1  # a trickling server is not asked again


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_the_update_deadline_stops_every_request_after_it(monkeypatch, fixture_bytes):
    from mirror import fault_trickle_body

    body = fixture_bytes("nyfed/nyfed_api_sofr_search_2024-06-01_2024-06-06.json")
    with _trickling_mirror(fault_trickle_body(body)) as m:
        monkeypatch.setenv("DOLLARLIQ_MIRROR", m.url)
        f = Fetch(make_client(), sleep=lambda s: None, deadline=30, total=1)
        with pytest.raises(SourceError) as err:
            f.get(NYFED, what="nyfed: SOFR")
        assert "the update's deadline of 1 s passed" in str(err.value)
        with pytest.raises(SourceError) as err:  # and no request starts after it
            f.get(NYFED, what="nyfed: EFFR")
        assert str(err.value).startswith("nyfed: EFFR: not fetched: the update's deadline")
        assert len(m.requests) == 1


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf"])
def test_a_bad_deadline_setting_is_a_usage_error_naming_it(monkeypatch, value):
    monkeypatch.setenv("DOLLARLIQ_REQUEST_DEADLINE", value)
    with pytest.raises(UsageError, match="DOLLARLIQ_REQUEST_DEADLINE"):
        Fetch(make_client())


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_host_that_refused_is_not_asked_again_by_later_requests(monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DOLLARLIQ_MIRROR", f"http://127.0.0.1:{port}")
    slept = []
    f = Fetch(make_client(), sleep=slept.append)
    errors = []
    for sid in ("SOFR", "EFFR", "OBFR"):
        with pytest.raises(SourceError) as err:
            f.get(NYFED, what=f"nyfed: {sid}")
        errors.append(str(err.value))
    assert errors[0] == ("nyfed: SOFR: could not connect to markets.newyorkfed.org "
                         "(connection refused) after 2 attempts; is the network up?")
    # the same line for the later series, without their own retries
    assert errors[1] == errors[0].replace("SOFR", "EFFR")
    assert errors[2] == errors[0].replace("SOFR", "OBFR")
    assert len(slept) == 1  # the first request's one backoff only
    assert f.unreachable() == {"markets.newyorkfed.org": errors[0][len("nyfed: SOFR: "):]}
