"""The shown outputs in README.md and docs/*.md are those of real runs
(``scripts/render_docs.py``, which regenerates them, run here in check mode)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "render_docs.py"


@pytest.fixture(scope="module")
def rd():
    spec = importlib.util.spec_from_file_location("render_docs", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_generated_block_matches_a_real_run(home):
    res = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                         text=True, cwd=ROOT, timeout=1200)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]


def test_the_docs_mark_what_is_generated():
    text = {p.name: p.read_text(encoding="utf-8")
            for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]}
    assert "<!-- run: dollarliq report --as-of 2025-10-31" in text["README.md"]
    assert "<!-- value: snapshot_size -->" in text["README.md"]
    assert text["serve.md"].count("<!-- get: /v1/") >= 8
    assert "<!-- run: dollarliq bubble gauges --as-of 2023-12-29 -->" in text["gauges.md"]


def test_check_fails_on_a_block_that_differs(rd, tmp_path, home, capsys):
    doc = tmp_path / "page.md"
    doc.write_text("<!-- value: snapshot_size -->0.0 MB<!-- end -->\n"
                   "<!-- get: /v1/stages?start=2019-09-16&end=2019-09-16 "
                   "| pick days.*.score -->\n```\nstale\n```\n<!-- end -->\n", encoding="utf-8")
    assert rd.main(["--check", str(doc)]) == 1
    diff = capsys.readouterr().out
    assert "-<!-- value: snapshot_size -->0.0 MB<!-- end -->" in diff
    assert "-stale" in diff and '+{"days": [{"score": ' in diff
    assert rd.main([str(doc)]) == 0  # rewrite, then the check passes
    assert rd.main(["--check", str(doc)]) == 0


def test_python_doc_comments_are_what_print_prints(rd):
    text = ("```python\nx = 6 * 7\nprint(x)   # 41\nprint('a', x)\n# old\n"
            "print('no comment')\n```\n")
    assert rd.python_doc(text) == ("```python\nx = 6 * 7\nprint(x)   # 42\nprint('a', x)\n"
                                   "# a 42\nprint('no comment')\n```\n")


def test_pick_marks_what_it_leaves_out(rd):
    doc = {"a": 1, "b": {"c": 2, "d": 3}, "e": [{"f": 1, "g": 2}, {"f": 3, "g": 4}]}
    assert rd._dump(rd._pick(doc, [["a"], ["b", "c"], ["e", "*", "f"]])) == \
        '{"a": 1, "b": {"c": 2, …}, "e": [{"f": 1, …}, {"f": 3, …}]}'
    assert rd._dump(rd._pick(doc["e"], [["0"]])) == '[{"f": 1, "g": 2}, …]'


def test_filters(rd):
    lines = ["Title", "  • one", "  • two", "Next", "x"]
    assert rd._filter(lines, [("section", "Title")]) == ["Title", "  • one", "  • two", "..."]
    assert rd._filter(lines, [("head", "2")]) == ["Title", "  • one", "..."]
    assert rd._filter(lines, [("grep", "•")]) == ["  • one", "  • two", "..."]
