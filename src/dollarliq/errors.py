"""One exception hierarchy for dollarliq.

The library raises these with a one-line message that names values, dates and series, never
command-line flags; only the CLI turns them into a line on stderr and an exit code.
Exit codes: 0 ok, 1 bug, 2 usage, 3 source, 4 data, 5 store or output file, 130 interrupted.
"""

from __future__ import annotations


#: The most characters of user input a message repeats (see :func:`shown`).
ECHO_LIMIT = 80
#: The longest message an error keeps; anything longer is cut (a backstop to :func:`shown`).
MESSAGE_LIMIT = 1000


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """User input as a message repeats it: its text, cut to ``limit`` characters and "…".

    The one place where messages echo what a person (or a client) sent, so a 10 MB series id
    comes back as a readable line, not a 10 MB error.
    """
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class DollarliqError(Exception):
    """Base class of every error dollarliq raises on purpose."""

    exit_code: int = 1

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str) and len(args[0]) > MESSAGE_LIMIT:
            args = (args[0][:MESSAGE_LIMIT] + "…",)
        super().__init__(*args)


class UsageError(DollarliqError):
    """A bad argument: malformed date, end before start, unknown option value."""

    exit_code = 2


class UnknownSeries(UsageError):
    """A series id that is not in the catalog."""


class SourceError(DollarliqError):
    """A data provider failed: HTTP error, timeout, rate limit, unreachable host."""

    exit_code = 3


class PayloadError(SourceError):
    """A provider answered, but the body is not what its format promises (schema changed, truncated, HTML)."""


class CredentialsMissing(SourceError):
    """A source needs a credential or contact detail that is not set (``FRED_API_KEY``,
    ``DOLLARLIQ_SEC_CONTACT``): a missing setting is bad input, exit code 2, and the message
    names the setting. Still a SourceError, so a per-source handler keeps catching it."""

    exit_code = 2


class NotEnoughData(DollarliqError):
    """The data are too short or start too late for the requested computation."""

    exit_code = 4


class StoreError(DollarliqError):
    """The local point-in-time store cannot be read or written, or is damaged."""

    exit_code = 5


class OutputError(StoreError):
    """An output file (a report, an export) cannot be written: missing folder, a folder in
    its place, no permission, a full disk."""
