"""Shared CLI plumbing: the Typer app, consoles, error handling, option parsing."""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from dollarliq.errors import DollarliqError

class TextOrJson(str, enum.Enum):
    """``--format`` of the commands that print a page or a JSON document."""

    text = "text"
    json = "json"


class Lang(str, enum.Enum):
    en = "en"
    zh = "zh"


app = typer.Typer(
    name="dollarliq",
    help="US-dollar funding liquidity and tech-bubble fragility, point-in-time, "
         "from official public data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
series_app = typer.Typer(help="The series catalog and point-in-time history.",
                         no_args_is_help=True)
store_app = typer.Typer(help="The local point-in-time store.", no_args_is_help=True)
bubble_app = typer.Typer(help="Tech-bubble gauges and explosive-bubble tests.",
                         no_args_is_help=True)
app.add_typer(series_app, name="series")
app.add_typer(store_app, name="store")
app.add_typer(bubble_app, name="bubble")

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_state = {"debug": False, "quiet": False}

F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
    no_color: bool = typer.Option(False, "--no-color", help="Plain text, no colours."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars or summary lines, "
                                                       "for every command."),
) -> None:
    """US-dollar funding liquidity and tech-bubble fragility, point-in-time."""
    _state["debug"] = debug
    _state["quiet"] = quiet
    if no_color or os.environ.get("NO_COLOR"):
        console.no_color = True
        err_console.no_color = True


def one_line(exc: BaseException) -> str:
    """The message of an exception on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def handle_errors(fn: F) -> F:
    """Turn a DollarliqError into one line on stderr and its exit code, Ctrl-C into
    "interrupted" and exit code 130. With ``--debug`` the traceback is printed too and the
    exit code is kept."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DollarliqError as exc:
            if _state["debug"]:
                import traceback

                traceback.print_exc()
            err_console.print(f"error: {one_line(exc)}", markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if _state["debug"]:
                import traceback

                traceback.print_exc()
            err_console.print("interrupted", markup=False)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def check_out(out: Path | None, *, create_parent: bool = False) -> Path | None:
    """Check before any work that ``out`` can be written: its folder exists (or is created
    with ``create_parent``) and is writable, and ``out`` is not a folder. OutputError (exit
    code 5) if not."""
    from dollarliq.errors import OutputError

    if out is None:
        return None
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    if not parent.exists() and create_parent:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    if not parent.is_dir():
        raise OutputError(f"cannot write {out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OutputError(f"cannot write {out}: permission denied")
    return out


def write_out(out: Path, data: str | bytes) -> None:
    """Write ``data`` to ``out``; OutputError (exit code 5) on failure."""
    from dollarliq.errors import OutputError

    try:
        if isinstance(data, bytes):
            Path(out).write_bytes(data)
        else:
            Path(out).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None


def write_frame(df: Any, fmt: str, out: Path | None, *, index: bool = True) -> None:
    """A frame as CSV (stdout or ``out``) or Parquet (``out`` only)."""
    import sys

    from dollarliq.errors import OutputError
    from dollarliq.errors import UsageError

    if fmt == "parquet":
        if out is None:
            raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
        try:
            df.to_parquet(out, index=index)
        except OSError as exc:
            raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
        return
    text = df.to_csv(index=index)
    if out is None:
        sys.stdout.write(text)
    else:
        write_out(out, text)


def parse_dates(**named: str | None) -> dict[str, Any]:
    """Parse several ``--name YYYY-MM-DD`` options at once (UsageError on a bad one)."""
    from dollarliq.dates import parse_date

    return {k: parse_date(v, what=f"--{k.replace('_', '-')}") for k, v in named.items()}


def fmt_value(v: float | None, unit: str) -> str:
    """A value with the precision its unit deserves."""
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "."
    if unit == "usd_bn":
        return f"{v:,.1f}"
    if unit in ("pct",):
        return f"{v:.2f}"
    if unit == "bp":
        return f"{v:+.0f}"
    return f"{v:,.2f}"


def is_quiet(local: bool = False) -> bool:
    """True when ``--quiet`` was given to the command (``local``) or before it."""
    return bool(local or _state["quiet"])
