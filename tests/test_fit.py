"""Output that fits: every table of the commands fits 80 and 120 columns, piped, and keeps
every character (no "…", no word cut in two).

The commands run as a user runs them: a subprocess with ``COLUMNS`` set and stdout a pipe.
Width is measured in terminal cells (:func:`rich.cells.cell_len`: Chinese counts double).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from dollarliq.reports.layout import Col, FitTable, bullets, min_width

SRC = str(Path(__file__).parents[1] / "src")


def run(args: list[str], width: int, home: Path) -> str:
    env = {**os.environ, "COLUMNS": str(width), "DOLLARLIQ_HOME": str(home),
           "DOLLARLIQ_NO_CACHE": "1", "PYTHONPATH": SRC, "NO_COLOR": "1"}
    env.pop("FRED_API_KEY", None)
    env.pop("LINES", None)
    res = subprocess.run([sys.executable, "-m", "dollarliq", *args], capture_output=True,
                         text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", res.stderr  # nothing leaks (e.g. Dask's dashboard port)
    return res.stdout


def check_fits(out: str, width: int) -> None:
    lines = out.splitlines()
    assert lines
    too_long = [(cell_len(x), x) for x in lines if cell_len(x) > width]
    assert not too_long, too_long[:3]
    assert "…" not in out


def flat(out: str) -> str:
    """The output without borders, padding and line breaks: what a reader can still read
    once wrapped cells are joined."""
    return re.sub(r"[\s│┃┆|]+", "", out)


COMMANDS = {
    "series list": ["series", "list"],
    "store info": ["store", "info"],
    "report": ["report", "--as-of", "2025-11-03"],
    "report zh": ["report", "--as-of", "2025-11-03", "--lang", "zh"],
    "report zh latest": ["report", "--lang", "zh"],
    "backtest": ["backtest"],
    "bubble scan": ["bubble", "scan", "--tickers", "NVDA,QQQ", "--windows", "252"],
    "bubble gauges": ["bubble", "gauges", "--as-of", "2023-12-29"],
    "outlook": ["outlook", "--as-of", "2026-01-15"],
    "outlook zh": ["outlook", "--as-of", "2026-01-15", "--lang", "zh"],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    return {(name, w): run(args, w, home) for name, args in COMMANDS.items() for w in (80, 120)}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_line_fits_and_nothing_is_cut(outputs, name, width):
    check_fits(outputs[(name, width)], width)


@pytest.mark.parametrize("width", [80, 120])
def test_series_list_shows_every_id_whole(outputs, tmp_path, width):
    out = outputs[("series list", width)]
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp_path), "PYTHONPATH": SRC}
    rows = json.loads(subprocess.run([sys.executable, "-m", "dollarliq", "series", "list",
                                      "--format", "json"], capture_output=True, text=True,
                                     env=env, check=True).stdout)
    words = set(re.findall(r"[^\s│┃;]+", out))
    assert {r["id"] for r in rows} <= words  # each id on one line, in one piece
    assert {r["source"] for r in rows} <= words
    for r in rows:
        assert flat(r["name"]) in flat(out)


@pytest.mark.parametrize("width", [80, 120])
def test_backtest_keeps_every_episode_name_whole(outputs, width):
    out = outputs[("backtest", width)]
    words = set(re.findall(r"[^\s│┃;:]+", out))
    for name in ("selloff_q4_2018", "repo_sep_2019", "dash_for_cash_2020",
                 "bank_failures_2023", "tariff_shock_2025", "month_end_oct_2025"):
        assert name in words
    assert "2019-09-16..2019-09-20" in words


@pytest.mark.parametrize("width", [80, 120])
def test_report_in_chinese_keeps_every_evidence_line(outputs, tmp_path, width):
    out = outputs[("report zh", width)]
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp_path), "PYTHONPATH": SRC,
           "DOLLARLIQ_NO_CACHE": "1"}
    doc = json.loads(subprocess.run(
        [sys.executable, "-m", "dollarliq", "report", "--as-of", "2025-11-03", "--lang", "zh",
         "--format", "json"], capture_output=True, text=True, env=env, check=True).stdout)
    text = flat(out)
    for e in doc["evidence"]:
        for c in e["conditions"]:
            assert flat(c["text"]) in text
    names = column(out, "指标", 0)
    for i in doc["indicators"]:
        if i["id"] in ("sofr_iorb_bp", "reserve_elasticity_bp_per_pp"):
            assert flat(i["name"]) in names


def column(out: str, title: str, col: int) -> str:
    """The cells of column ``col`` of the bordered table under the line ``title``, joined."""
    lines = out.splitlines()
    start = next(i for i, x in enumerate(lines) if x.strip() == title)
    cells = []
    for x in lines[start + 1:]:
        if x.startswith("└"):
            break
        if x.startswith("│"):
            cells.append(x.split("│")[col + 1].strip())
    return flat("".join(cells))


def test_crisis_lines_say_they_need_two_families(outputs):
    en, zh = outputs[("report", 120)], outputs[("report zh", 120)]
    assert flat("crisis needs 2 families met at once; this rule: the price of money") \
        in flat(en)
    assert flat("危机需同时满足2类证据;本条:资金价格") in flat(zh)
    assert "drained needs" not in en


def test_bubble_scan_is_a_table_of_rounded_values(outputs):
    out = outputs[("bubble scan", 120)]
    assert out.count("┃") >= 2 and "window obs" in out
    nums = re.findall(r"\d+\.\d+", out)
    assert nums and all(len(n.split(".")[1]) <= 3 for n in nums)


def test_store_info_data_end_is_the_reports(outputs, tmp_path):
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp_path), "PYTHONPATH": SRC,
           "DOLLARLIQ_NO_CACHE": "1"}

    def j(*args: str) -> dict:
        return json.loads(subprocess.run([sys.executable, "-m", "dollarliq", *args],
                                         capture_output=True, text=True, env=env,
                                         check=True).stdout)

    info, doc = j("store", "info", "--json"), j("report", "--format", "json")
    assert info["data_end"] == doc["data_end"]
    assert info["data_end_of"] == ["WALCL", "WRESBAL", "RRPONTSYD", "SOFR"]
    # every source's own end is listed, and the latest of them may be later (the TGA's
    # daily statement runs ahead of the H.4.1)
    assert max(info["data_end_by_source"].values()) >= info["data_end"]
    assert "data_end_by_source" in outputs[("store info", 120)]


# ----------------------------------------------------------------------------- the layout


def render(obj, width: int) -> str:
    c = Console(width=width, no_color=True, highlight=False, record=True,
                file=open(os.devnull, "w"))
    c.print(obj)
    return c.export_text()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_outlook_keeps_every_cell_note_and_runway_line(outputs, tmp_path, lang, width):
    from dollarliq.reports.outlook import _calendar_rows, _runway_lines

    name = "outlook" if lang == "en" else "outlook zh"
    out = flat(outputs[(name, width)])
    doc = json.loads(run(["outlook", "--as-of", "2026-01-15", "--lang", lang, "--format",
                          "json"], width, tmp_path))
    rows, partial = _calendar_rows(doc)
    runway = _runway_lines(doc)
    assert len(rows) >= 5 and partial and len(runway) == 5  # four lines and the episodes
    assert any("SOFR-IORB" in r[9] for r in rows)
    for r in rows:
        for cell in r:
            assert flat(cell) in out, cell
    for x in runway + [doc["runway"]["note"]]:
        assert flat(x) in out, x


def test_min_width_is_the_longest_unbreakable_run():
    assert min_width("bank_failures_2023 +4 bd") == len("bank_failures_2023")
    assert min_width("准备金占比OLS") == 3  # CJK breaks anywhere; 'OLS' does not
    assert min_width("准备金") == 2
    assert min_width("") == 0


def test_a_table_that_fits_keeps_words_whole():
    ft = FitTable(["episode", "window"], [["dash_for_cash_2020", "2020-03-09..2020-03-23 a b c"]])
    out = render(ft, 50)
    assert "┃" in out and "dash_for_cash_2020" in out and "2020-03-09..2020-03-23" in out
    assert max(cell_len(x) for x in out.splitlines()) <= 50


def test_a_table_too_wide_becomes_blocks_with_every_cell():
    cols = [Col("id", no_wrap=True), "source", "name"]
    rows = [["net_liquidity_chg_4w_usd_bn", "derived", "Net liquidity, 4w change"],
            ["WALCL", "fedboard", "Fed total assets"]]
    out = render(FitTable(cols, rows, title="series"), 30)
    assert "┃" not in out and "│" not in out
    assert out.splitlines()[0] == "series"
    assert "net_liquidity_chg_4w_usd_bn" in out.split()
    assert "source: derived" in out and "name: Fed total assets" in out.replace("\n  ", " ")
    assert max(cell_len(x) for x in out.splitlines()) <= 30


def test_chinese_cells_fold_instead_of_ellipsis():
    rows = [[Text("· 危机"), "SOFR−准备金利率超出自身基线(近5日最高):+2 基点 >= +20 基点(未满足);"
             "有效联邦基金利率−准备金利率超出自身基线(近5日最高):+0 基点"]]
    out = render(FitTable([Col("s", no_wrap=True), "rule"], rows, show_header=False), 40)
    assert "…" not in out
    assert max(cell_len(x) for x in out.splitlines()) <= 40
    assert "有效联邦基金利率" in flat(out)


def test_bullets_wrap_under_their_text():
    out = render(bullets(["alpha beta gamma delta epsilon zeta eta theta"]), 20)
    lines = [x.rstrip() for x in out.splitlines()]
    assert lines[0].startswith("  • alpha")
    assert all(x.startswith("    ") for x in lines[1:]) and len(lines) > 1


def test_gauges_print_no_record_of_a_few_days(outputs):
    out = outputs[("bubble gauges", 120)]
    # On 2023-12-29 the basket per S&P 500 point was last as high on 2023-12-26, and the
    # RSP/SPY ratio last as low on 2023-12-27: days, not records.
    assert "since 2023-12-2" not in out
    assert "basket / S&P 500:" in out and "12m change" in out


def test_csv_has_no_binary_noise(tmp_path):
    env = {**os.environ, "DOLLARLIQ_HOME": str(tmp_path), "PYTHONPATH": SRC}
    out = subprocess.run([sys.executable, "-m", "dollarliq", "series", "show", "WALCL",
                          "--start", "2025-10-01", "--end", "2025-11-05", "--format", "csv"],
                         capture_output=True, text=True, env=env, check=True).stdout
    values = [line.split(",")[1] for line in out.splitlines()[1:]]
    assert "6590.815" in values  # stored as 6590.8150000000005 (millions / 1000)
    assert all(len(v.replace(".", "").lstrip("-0")) <= 12 for v in values), values


def test_csv_number_drops_noise_and_keeps_digits():
    from dollarliq.reports.style import csv_number

    assert csv_number(4081.4300000000003) == "4081.43"
    assert csv_number(0.1 + 0.2) == "0.3"
    assert csv_number(6587.119) == "6587.119"
    assert csv_number(123456.789012) == "123456.789012"
    assert csv_number(None) == "" and csv_number(float("nan")) == ""


@pytest.mark.parametrize("width", [80, 120])
def test_update_summary_fits(tmp_path, width):
    """Without FRED_API_KEY every FRED series says it needs one: no network is used."""
    env = {**os.environ, "COLUMNS": str(width), "DOLLARLIQ_HOME": str(tmp_path),
           "PYTHONPATH": SRC, "NO_COLOR": "1"}
    env.pop("FRED_API_KEY", None)
    res = subprocess.run([sys.executable, "-m", "dollarliq", "update", "--source", "fred",
                          "--verbose"], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode in (0, 2), res.stderr
    table = res.stdout.splitlines()[:-1]  # the last line is the one-line summary
    check_fits("\n".join(table), width)
    assert "fred.stlouisfed.org/docs/api/api_key.html);" in res.stdout.split()
    assert "IOER" in res.stdout.split() and "needs key" in res.stdout


@pytest.mark.enable_socket  # a listening socket on 127.0.0.1's port 8787, and Dask's own
def test_a_local_dask_cluster_leaves_port_8787_alone():
    """Another program on the dashboard's port 8787 gives no warning: the cluster's HTTP
    server takes a free port of 127.0.0.1, and no dashboard starts."""
    import socket
    import warnings

    from dollarliq.bubbles.scan import connect

    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        try:
            holder.bind(("127.0.0.1", 8787))
            holder.listen()
        except OSError:
            pass  # someone else holds it already: the same situation
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client = connect("threads", 1)
            try:
                port = client.cluster.scheduler.http_server.port
            finally:
                client.close()
    finally:
        holder.close()
    assert not [w for w in caught if "already in use" in str(w.message)]
    assert port != 8787
