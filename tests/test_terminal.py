"""The terminal report (sparklines, both languages), the message catalog, --quiet, --no-color."""

from __future__ import annotations

import re
import string

import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.engine import run_engine
from dollarliq.messages import LANGS, MESSAGES, t
from dollarliq.reports.terminal import SPARK_BLOCKS, SPARK_SERIES, spark_rows, sparkline


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_sparkline_scales_min_to_lowest_and_max_to_highest_block():
    s = sparkline([1.0, 2.0, None, 3.0, 5.0])
    assert s[0] == SPARK_BLOCKS[0] and s[-1] == SPARK_BLOCKS[-1] and s[2] == " "
    assert len(s) == 5
    assert sparkline([2.0, 2.0]) == SPARK_BLOCKS[0] * 2
    assert sparkline([None, float("nan")]) == ""


def test_spark_rows_follow_the_panel(store):
    res = run_engine(store, as_of=pd.Timestamp("2025-11-03"))
    rows = {r["id"]: r for r in spark_rows(res, "en")}
    assert list(rows) == SPARK_SERIES
    sofr = rows["sofr_iorb_bp"]
    assert len(sofr["spark"]) == 60 and sofr["end"] == "2025-11-03"
    assert sofr["last"] == pytest.approx(res.panel.daily["sofr_iorb_bp"].iloc[-1])
    # +32 bp on 2025-10-31 (known 11-03) is the top of the window: the last block is the highest
    assert sofr["spark"][-1] == SPARK_BLOCKS[-1]


def test_report_text_has_sparklines_in_both_languages(home):
    en = run("--no-color", "report", "--as-of", "2025-11-03")
    assert en.exit_code == 0, en.output
    assert re.search(r"SOFR − IORB\s+[▁▂▃▄▅▆▇█]{10,}\s+\+32 bp", en.stdout)
    assert "Last " in en.stdout and "Net liquidity" in en.stdout
    zh = run("--no-color", "report", "--as-of", "2025-11-03", "--lang", "zh")
    assert zh.exit_code == 0
    assert "最近" in zh.stdout and "净流动性" in zh.stdout and "阶段 2: 枯竭" in zh.stdout
    assert "\x1b[" not in en.stdout + zh.stdout  # --no-color


def test_every_message_has_both_languages_and_the_same_fields():
    for key, entry in MESSAGES.items():
        assert set(LANGS) <= set(entry), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
                  for lang in LANGS]
        assert fields[0] == fields[1], key


def test_cli_errors_follow_dollarliq_lang(home, monkeypatch):
    monkeypatch.setenv("DOLLARLIQ_LANG", "zh")
    res = run("series", "show", "NOPE")
    assert res.exit_code == 2 and "未知序列 'NOPE'" in res.stderr
    res = run("series", "show", "SOFR", "--start", "2025-13-01")
    assert res.exit_code == 2 and "不是日期" in res.stderr
    res = run("stages", "--start", "2025-10-02", "--end", "2025-10-01")
    assert res.exit_code == 2 and "早于" in res.stderr
    monkeypatch.setenv("DOLLARLIQ_LANG", "en")
    assert "is not a date" in run("series", "show", "SOFR", "--start", "x").stderr
    assert t("stage.2", "zh") == "枯竭"


def test_global_quiet_silences_the_dashboard(home, tmp_path):
    res = run("--quiet", "dashboard", "--as-of", "2025-10-31", "--out", str(tmp_path / "d.html"))
    assert res.exit_code == 0 and res.stdout == ""
    assert (tmp_path / "d.html").exists()


def test_every_command_is_in_docs_cli_md_and_has_an_example():
    from pathlib import Path

    import typer.main

    doc = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {s}" for s in subs] if subs else [name]
        for c in (subs or {name: cmd}).values():
            assert "Example:" in (c.help or ""), c.name
    for n in names:
        assert f"dollarliq {n}" in doc, n
