"""Regenerate every shown output in README.md and docs/*.md from real runs.

Usage:
    python scripts/render_docs.py            # rewrite the marked blocks in place
    python scripts/render_docs.py --check    # exit 1 and print a diff when a block differs

The runs use the embedded snapshot (a temporary ``DOLLARLIQ_HOME``, no cache, no colour) and
today fixed at :data:`DOCS_TODAY`. A
document marks what is generated; the text between a marker and ``<!-- end -->`` is replaced:

``<!-- run: dollarliq ARGS [| head N | tail N | grep REGEX | section TITLE] -->``
    a fenced block: ``$ dollarliq ARGS`` and the command's stdout at 100 columns (``head``,
    ``tail``, ``grep`` and ``section TITLE``, the line TITLE and the indented or boxed lines
    below it, keep part of it; a cut is marked by a line ``...``).
``<!-- get: /v1/PATH?QUERY [| pick a.b,c.*.d,e.0.f] [| expect 400] -->``
    a fenced block: ``$ curl -s 'http://127.0.0.1:8765/v1/...'`` and the server's answer
    (the real app, in process); ``pick`` keeps those keys (``*``: every item of a list, a
    number: that item) and marks what it leaves out with ``…``; ``expect`` names the HTTP
    status when it is not 200.
``<!-- value: NAME -->``
    one value inline (:data:`VALUES`), e.g. the snapshot's size.

In ``docs/python.md`` every ``print(...)`` with an expected output (a ``# ...`` comment on
its line, or a comment line right below it) is run and the comment set to what it printed.
This script is the one way to refresh the shown outputs; ``tests/test_render_docs.py`` runs
it with ``--check``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON_DOC = ROOT / "docs" / "python.md"
WIDTH = 100
#: Today for every shown output (``DOLLARLIQ_TODAY``): the day the embedded snapshot was
#: built, so the ages and the default as-of date the documents show do not move with the clock.
DOCS_TODAY = "2026-12-05"

#: A marker and its block; a marker quoted in backticks is text about markers, not one.
MARK = re.compile(r"(?<!`)<!-- (run|get|value): (.*?) -->(.*?)<!-- end -->", re.S)


def _env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FRED_API_KEY", "DOLLARLIQ_SEC_CONTACT", "DOLLARLIQ_LANG", "LINES")}
    env.update({"DOLLARLIQ_HOME": home, "DOLLARLIQ_NO_CACHE": "1", "NO_COLOR": "1",
                "COLUMNS": str(WIDTH), "PYTHONPATH": str(SRC), "TERM": "dumb",
                "DOLLARLIQ_TODAY": DOCS_TODAY})
    return env


def _pipes(spec: str) -> tuple[str, list[tuple[str, str]]]:
    parts = [p.strip() for p in spec.split(" | ")]
    return parts[0], [tuple(p.split(" ", 1)) for p in parts[1:]]  # type: ignore[misc]


def _filter(lines: list[str], pipes: list[tuple[str, str]]) -> list[str]:
    for op, arg in pipes:
        if op == "head":
            n = int(arg)
            lines = lines[:n] + (["..."] if len(lines) > n else [])
        elif op == "tail":
            n = int(arg)
            lines = (["..."] if len(lines) > n else []) + lines[-n:]
        elif op == "grep":
            rx = re.compile(arg)
            kept = [x for x in lines if rx.search(x)]
            lines = kept + (["..."] if len(kept) < len(lines) else [])
        elif op == "section":  # the line ``arg`` and the indented or boxed lines after it
            start = next((i for i, x in enumerate(lines) if x.strip() == arg), None)
            if start is None:
                raise SystemExit(f"section {arg!r}: no such line in the output")
            end = start + 1
            while end < len(lines) and lines[end][:1] in (" ", "┌", "│", "└", "┏", "┃", "┡",
                                                          "╭", "╰", "•"):
                end += 1
            lines = lines[start:end] + (["..."] if end < len(lines) else [])
        elif op not in ("pick", "expect"):
            raise SystemExit(f"unknown pipe {op!r}")
    return lines


def run_block(spec: str, home: str) -> str:
    cmd, pipes = _pipes(spec)
    args = cmd.split()
    if args[0] != "dollarliq":
        raise SystemExit(f"run: {cmd!r} is not a dollarliq command")
    res = subprocess.run([sys.executable, "-m", "dollarliq", *args[1:]], capture_output=True,
                         text=True, env=_env(home), cwd=ROOT, timeout=900)
    if res.returncode != 0:
        raise SystemExit(f"run: {cmd} exited {res.returncode}: {res.stderr.strip()}")
    lines = [x.rstrip() for x in res.stdout.rstrip("\n").splitlines()]
    return "\n```\n" + "\n".join([f"$ {cmd}", *_filter(lines, pipes)]) + "\n```\n"


# ----------------------------------------------------------------------------- HTTP


def _pick(doc: Any, paths: list[list[str]]) -> Any:
    """``doc`` with only the keys on ``paths``; left-out keys marked by the key ``…``."""
    if not paths:
        return doc
    if isinstance(doc, list):
        if any(p and p[0] == "*" for p in paths):
            sub = [p[1:] for p in paths if p and p[0] == "*" and p[1:]]
            return [_pick(x, sub) for x in doc]
        keep = sorted({int(p[0]) for p in paths if p and p[0].isdigit()})
        out = [_pick(doc[i], [p[1:] for p in paths if p and p[0] == str(i) and p[1:]])
               for i in keep]
        return out + (["…"] if len(keep) < len(doc) else [])
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for k, v in doc.items():
            sub = [p[1:] for p in paths if p and p[0] == k]
            if sub:
                out[k] = _pick(v, [x for x in sub if x])
        if len(out) < len(doc):
            out["…"] = None
        return out
    return doc


def _dump(x: Any) -> str:
    if isinstance(x, dict):
        return "{" + ", ".join("…" if k == "…" else f"{json.dumps(k, ensure_ascii=False)}: "
                               f"{_dump(v)}" for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join("…" if v == "…" else _dump(v) for v in x) + "]"
    return json.dumps(x, ensure_ascii=False)


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    """A long JSON line broken after ', ' (continued with one space), never inside a value."""
    out, line = [], ""
    for piece in re.split(r"(?<=, )", text):
        if line and len(line) + len(piece) > width:
            out.append(line.rstrip())
            line = " "
        line += piece
    out.append(line.rstrip())
    return out


def get_block(spec: str, client: Any) -> str:
    path, pipes = _pipes(spec)
    resp = client.get(path)
    expect = int(dict(pipes).get("expect", 200))
    if resp.status_code != expect:
        raise SystemExit(f"get: {path} answered {resp.status_code}: {resp.text[:200]}")
    if resp.headers.get("content-type", "").startswith("application/json"):
        picks = [p for op, p in pipes if op == "pick"]
        paths = [s.split(".") for p in picks for s in p.split(",")]
        lines = _wrap(_dump(_pick(resp.json(), paths)))
    else:
        lines = resp.text.rstrip("\n").splitlines()
    lines = _filter(lines, [(op, a) for op, a in pipes if op != "pick"])
    return ("\n```\n" + "\n".join([f"$ curl -s 'http://127.0.0.1:8765{path}'", *lines])
            + "\n```\n")


# ----------------------------------------------------------------------------- values


def _snapshot_size() -> str:
    size = (SRC / "dollarliq" / "data" / "snapshot.parquet").stat().st_size
    return f"{size / 1e6:.1f} MB"


def _default_as_of() -> str:
    import dollarliq as dl

    return dl.health()["as_of"]


VALUES: dict[str, Callable[[], str]] = {"snapshot_size": _snapshot_size,
                                        "default_as_of": _default_as_of}


# ----------------------------------------------------------------------------- python.md

PRINT = re.compile(r"^(?P<code>\s*print\(.*\))(?P<pad>\s*)# (?P<out>.*)$")


def python_doc(text: str) -> str:
    """docs/python.md with each expected ``print`` output set to what the code prints."""
    blocks = list(re.finditer(r"```python\n(.*?)```", text, re.S))
    ns: dict[str, Any] = {}
    pieces, last = [], 0
    for i, m in enumerate(blocks):
        code = m.group(1)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, f"docs/python.md block {i + 1}", "exec"), ns)  # noqa: S102
        printed = buf.getvalue().splitlines()
        lines = code.split("\n")
        prints = [j for j, x in enumerate(lines) if x.lstrip().startswith("print(")]
        if len(printed) != len(prints):
            raise SystemExit(f"docs/python.md block {i + 1}: {len(prints)} print lines gave "
                             f"{len(printed)} lines of output")
        for j, out in zip(prints, printed):
            pm = PRINT.match(lines[j])
            if pm:
                lines[j] = f"{pm['code']}{pm['pad']}# {out}"
            elif j + 1 < len(lines) and lines[j + 1].lstrip().startswith("# "):
                lines[j + 1] = "# " + out
        pieces += [text[last:m.start(1)], "\n".join(lines)]
        last = m.end(1)
    return "".join(pieces) + text[last:]


# ----------------------------------------------------------------------------- main


def render(text: str, home: str, client_factory: Callable[[], Any]) -> str:
    client = None

    def sub(m: re.Match) -> str:
        nonlocal client
        kind, spec = m.group(1), m.group(2).strip()
        if kind == "run":
            body = run_block(spec, home)
        elif kind == "get":
            client = client or client_factory()
            body = get_block(spec, client)
        else:
            if spec not in VALUES:
                raise SystemExit(f"value: unknown name {spec!r} (known: {', '.join(VALUES)})")
            body = VALUES[spec]()
        return f"<!-- {kind}: {spec} -->{body}<!-- end -->"

    return MARK.sub(sub, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 with a diff when a document differs")
    ap.add_argument("files", nargs="*", type=Path, help="documents (default: all)")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(SRC))
    saved = dict(os.environ)  # restored after: a caller in the same process keeps its own
    try:
        return _main(a)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _main(a: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ.update(_env(home))
        stack = contextlib.ExitStack()

        def client_factory() -> Any:
            from fastapi.testclient import TestClient

            from dollarliq.server.app import create_app

            # the server answers to 127.0.0.1 only, as the curl lines show
            return stack.enter_context(TestClient(create_app(),
                                                  base_url="http://127.0.0.1:8765"))

        changed = []
        with stack:
            for path in a.files or DOCS:
                path = path.resolve()
                old = path.read_text(encoding="utf-8")
                new = render(old, home, client_factory)
                if path == PYTHON_DOC:
                    new = python_doc(new)
                if new == old:
                    continue
                changed.append(path)
                rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                if a.check:
                    sys.stdout.writelines(difflib.unified_diff(
                        old.splitlines(True), new.splitlines(True), f"{rel} (in the file)",
                        f"{rel} (from the runs)"))
                else:
                    path.write_text(new, encoding="utf-8")
                    print(f"updated {rel}", file=sys.stderr)
    if a.check and changed:
        print(f"{len(changed)} document(s) differ from the runs: "
              "python scripts/render_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
