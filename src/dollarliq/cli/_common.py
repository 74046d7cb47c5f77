"""Shared CLI plumbing: the Typer app, consoles, error handling, option parsing."""

from __future__ import annotations

import enum
import functools
import os
import typing
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
    invoke_without_command=True,  # bare `dollarliq`: the help, exit code 0
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
series_app = typer.Typer(help="The series catalog and point-in-time history.",
                         invoke_without_command=True)
store_app = typer.Typer(help="The local point-in-time store.", invoke_without_command=True)
bubble_app = typer.Typer(help="Tech-bubble gauges and explosive-bubble tests.",
                         invoke_without_command=True)
app.add_typer(series_app, name="series")
app.add_typer(store_app, name="store")
app.add_typer(bubble_app, name="bubble")


def help_if_bare(ctx: typer.Context) -> None:
    """A command group called without a command prints its help and exits with code 0."""
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


for _group in (series_app, store_app, bubble_app):
    _group.callback()(help_if_bare)


def _print_version(value: bool) -> None:
    if value:
        from dollarliq import __version__

        typer.echo(f"dollarliq {__version__}")
        raise typer.Exit(0)

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_state = {"debug": False, "quiet": False}

F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the version and exit."),
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
    help_if_bare(ctx)


# ----------------------------------------------------------------------------- help text

#: The placeholder --help shows for an option or argument, by parameter name (a person reads
#: DATE or TICKERS, not <str> or <list[str]>). A parameter not named here shows its name in
#: capitals (``--scheduler SCHEDULER``); a choice shows its values (``text|json``).
PLACEHOLDERS = {
    "as_of": "DATE", "start": "DATE", "end": "DATE", "since": "DATE",
    "series_id": "ID", "series": "ID", "ticker": "TICKER", "tickers": "TICKERS",
    "out": "PATH", "episodes": "FILE", "rules": "FILE", "universe": "FILE",
    "windows": "N,N,...", "notify_urls": "URL", "every": "DURATION",
    "update_every": "DURATION", "record_years": "YEARS", "lppls_filter": "FILTER",
    "last": "N", "window": "N", "lag": "N", "reps": "N", "workers": "N", "max_filings": "N",
    "fmt": "FORMAT",
}

_EXAMPLE_HEADS = ("Example:", "Examples:")


def keep_example_lines(doc: str) -> str:
    """A command's help with each "Example:" block marked so that it is printed line by
    line, as written (click's ``\\b`` paragraph marker), ready to copy and paste."""
    paras = doc.split("\n\n")
    out = []
    for para in paras:
        lines = para.split("\n")
        if lines[0].strip() in _EXAMPLE_HEADS and len(lines) > 1:
            out.append("\b\n" + "\n".join(ln.rstrip() for ln in lines))
        else:
            out.append(para)
    return "\n\n".join(out)


class ReadableCommand(typer.core.TyperCommand):
    """A command whose help names an argument by its placeholder alone (``ID``, not
    ``series_id <str>``), in the usage line and in the Arguments section."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        rv = [self.options_metavar] if self.options_metavar else []
        for p in self.get_params(ctx):
            if p.param_type_name == "argument":
                name = p.metavar or (p.name or "").upper()
                rv.append(name if p.required else f"[{name}]")
            else:
                rv.extend(p.get_usage_pieces(ctx))
        return rv

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args, opts = [], []
        for p in self.get_params(ctx):
            rv = p.get_help_record(ctx)
            if rv is None:
                continue
            if p.param_type_name == "argument":
                args.append((p.metavar or (p.name or "").upper(), rv[1]))
            elif p.param_type_name == "option":
                opts.append(rv)
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def apply_help_conventions(typer_app: typer.Typer) -> None:
    """Readable placeholders and copyable examples on every command of ``typer_app``
    (and its groups); called once, after every command is registered."""
    import inspect

    from typer.models import ArgumentInfo, OptionInfo

    for info in typer_app.registered_commands:
        fn = info.callback
        if fn is None:
            continue
        if info.cls in (None, typer.core.TyperCommand):
            info.cls = ReadableCommand
        if info.help is None and inspect.getdoc(fn):
            info.help = keep_example_lines(inspect.getdoc(fn))
        try:
            hints = typing.get_type_hints(fn)
        except Exception:  # noqa: BLE001 - an unresolvable hint: placeholders by name only
            hints = {}
        for name, param in inspect.signature(fn).parameters.items():
            opt = param.default
            if not isinstance(opt, (OptionInfo, ArgumentInfo)) or opt.metavar is not None:
                continue
            ann = hints.get(name, param.annotation)
            if ann in (bool, "bool"):
                continue
            if isinstance(ann, type) and issubclass(ann, enum.Enum):
                opt.metavar = "|".join(str(m.value) for m in ann)
            else:
                opt.metavar = PLACEHOLDERS.get(name, name.upper())
    for group in typer_app.registered_groups:
        apply_help_conventions(group.typer_instance)


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


def check_out(out: Path | None) -> Path | None:
    """Check before any work that ``out`` can be written: its folder exists and is writable,
    and ``out`` is not a folder. OutputError (exit code 5, one line) if not. Nothing is
    created: not the folder, not the file (that comes with :func:`write_out`)."""
    from dollarliq.errors import OutputError

    if out is None:
        return None
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    if not parent.is_dir():
        raise OutputError(f"cannot write {out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OutputError(f"cannot write {out}: permission denied")
    return out


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} B"


def write_out(out: Path, data: str | bytes | Callable[[Path], Any], *,
              note: str | None = None, quiet: bool = False) -> None:
    """The one way a command writes its ``--out`` file.

    ``data`` is text (UTF-8), bytes, or a function that writes the file at the path it is
    given (a Parquet writer). Then one line on stderr names the file: ``wrote PATH (SIZE)``,
    or ``note`` (a translated line that names it); none with ``--quiet``. OutputError (exit
    code 5) when it cannot be written; only the named file is ever created (call
    :func:`check_out` before the work)."""
    from dollarliq.errors import OutputError

    out = Path(out)
    try:
        if callable(data):
            data(out)
        elif isinstance(data, bytes):
            out.write_bytes(data)
        else:
            out.write_text(data, encoding="utf-8")
        size = out.stat().st_size
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    if not is_quiet(quiet):
        err_console.print(note or f"wrote {out} ({_size(size)})", markup=False)


def json_text(doc: Any, indent: int | None = 1) -> str:
    """The one JSON writer of the command line: strict JSON (unavailable values are null,
    never NaN; :mod:`dollarliq.strict_json`), UTF-8 text with a final newline."""
    from dollarliq.strict_json import dumps

    return dumps(doc, indent=indent) + "\n"


def write_frame(df: Any, fmt: str, out: Path | None, *, index: bool = True,
                note: str | None = None) -> None:
    """A frame as CSV (stdout or ``out``; floats without binary noise,
    :func:`dollarliq.reports.style.csv_number`) or Parquet (``out`` only); a file through
    :func:`write_out`."""
    import sys

    from dollarliq.errors import UsageError

    if fmt == "parquet":
        if out is None:
            raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
        write_out(out, lambda p: df.to_parquet(p, index=index), note=note)
        return
    from dollarliq.reports.style import csv_number

    text = df.to_csv(index=index, float_format=csv_number)
    if out is None:
        sys.stdout.write(text)
    else:
        write_out(out, text, note=note)


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
