"""Every ``python`` example in docs/python.md runs, in order, on the embedded snapshot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).parents[1] / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 8


def test_the_examples_run(home):
    ns: dict = {}
    for i, code in enumerate(BLOCKS):
        exec(compile(code, f"docs/python.md block {i + 1}", "exec"), ns)  # noqa: S102


def test_import_dollarliq_stays_light(home):
    code = ("import sys, dollarliq as dl; dl.__version__; "
            "print(sorted(m for m in ('pandas', 'duckdb', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_acceptance_one_liner(home):
    code = ("import dollarliq as dl; r = dl.report(as_of='2025-11-03'); "
            "print(r.stage, r.score)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    stage, score = out.stdout.split()
    assert stage in ("ample", "tight", "drained", "crisis") and 0 <= float(score) <= 100
