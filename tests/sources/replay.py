"""Replay helpers: recorded bodies served to the real client through ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from dollarliq.http import Fetch, make_client

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The recorded body ``tests/fixtures/<name>``, byte for byte."""
    return (FIXTURES / name).read_bytes()


def fetch_with(handler: Callable[[httpx.Request], httpx.Response], **kw) -> Fetch:
    """The real client and retry loop, answered by ``handler``; backoff sleeps are skipped."""
    client = make_client(transport=httpx.MockTransport(handler))
    return Fetch(client, sleep=lambda s: None, **kw)


def serve(body: bytes, status: int = 200, seen: list | None = None) -> Fetch:
    """A Fetch whose every request gets ``body``; requests are appended to ``seen``."""
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body)
    return fetch_with(handler)


def then(*responses: httpx.Response | Exception, seen: list | None = None) -> Fetch:
    """A Fetch answered by ``responses`` in turn (the last one repeats)."""
    answers = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer
    return fetch_with(handler)

