"""The one HTTP client: timeouts, retry with backoff on 429/5xx, a descriptive User-Agent, gzip.

Only this module and ``sources/`` touch the network. Tests pass ``transport=`` (an
``httpx.MockTransport`` replaying recorded bodies) and never patch anything.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from dollarliq import __version__
from dollarliq.errors import SourceError

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"dollarliq/{__version__} (+https://github.com/dollarliq/dollarliq)"

#: Transport used by clients made without one. ``None`` means the network. Tests set it to
#: an ``httpx.MockTransport`` replaying recorded bodies, so the whole CLI runs offline.
default_transport: httpx.BaseTransport | None = None
#: Seconds before the first retry; doubled at each further retry.
DEFAULT_BACKOFF = 1.0

_SECRET_PARAMS = re.compile(r"(api_key|apikey|token|key)=[^&\s]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Remove credentials (``api_key=...`` and the like) from a URL or message."""
    key = os.environ.get("FRED_API_KEY")
    text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)
    if key:
        text = text.replace(key, "***")
    return text


def make_client(transport: httpx.BaseTransport | None = None, *,
                user_agent: str | None = None,
                timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An ``httpx.Client`` with dollarliq's defaults (gzip is httpx's default encoding)."""
    headers = {"User-Agent": user_agent or USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    return httpx.Client(transport=transport or default_transport, headers=headers,
                        timeout=timeout,
                        follow_redirects=True)


class Fetch:
    """GET with retries. ``sleep`` and ``backoff`` are injectable so tests run instantly."""

    def __init__(self, client: httpx.Client, *, retries: int = 3,
                 backoff: float | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.retries = retries
        self.backoff = DEFAULT_BACKOFF if backoff is None else backoff
        self.sleep = sleep

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, what: str) -> bytes:
        """Return the body of a successful GET of ``url``.

        ``what`` names the source and series for messages, e.g. ``"fred: WALCL"``.
        Raises SourceError after the retries are spent; the message never carries a key.
        """
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = self.client.get(url, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__})"
                continue
            except httpx.TransportError as exc:
                last = f"could not connect ({type(exc).__name__}: {redact(str(exc))})"
                continue
            if resp.status_code in RETRY_STATUS:
                last = f"HTTP {resp.status_code}"
                retry_after = resp.headers.get("Retry-After")
                if retry_after and retry_after.isdigit() and attempt < self.retries:
                    self.sleep(min(float(retry_after), 60.0) * (self.backoff > 0))
                continue
            if resp.status_code >= 400:
                detail = _error_detail(resp)
                raise SourceError(f"{what}: HTTP {resp.status_code}{detail}")
            return resp.content
        raise SourceError(f"{what}: {last} after {self.retries + 1} attempts; try again later")


def _error_detail(resp: httpx.Response) -> str:
    """A short, key-free description of an error body (FRED ``error_message``, Yahoo
    ``chart.error.description``)."""
    try:
        body = resp.json()
    except ValueError:
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
