"""The command line's one interface: the same answer from every command for the same fault,
every --out alike, help that can be copied, --version."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dollarliq.cli import app

runner = CliRunner()


def run(*args: str, **env: str):
    return runner.invoke(app, list(args), env=env or None)


def one_line(res, code: int, needle: str) -> None:
    assert res.exit_code == code, (res.exit_code, res.output)
    err = res.stderr.strip()
    assert "Traceback" not in res.output
    assert len(err.splitlines()) == 1, err
    assert needle in err, err


@pytest.mark.parametrize("args", [
    ["store", "info"], ["series", "show", "SOFR"], ["series", "list"], ["report"],
    ["update", "--source", "nyfed"], ["bubble", "test", "NVDA", "--method", "gsadf"],
    ["bubble", "gauges"], ["stages"], ["dashboard"],
])
def test_a_home_that_is_a_file_is_exit_5_naming_it(tmp_path, monkeypatch, args):
    f = tmp_path / "home-file"
    f.write_text("not a folder")
    monkeypatch.setenv("DOLLARLIQ_HOME", str(f))
    monkeypatch.chdir(tmp_path)
    res = run(*args)
    one_line(res, 5, str(f))
    assert "is a file" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home-file"]  # nothing written


# -- help and version ------------------------------------------------------------------------

def _all_commands():
    import typer

    cmd = typer.main.get_command(app)
    out = []

    def walk(group, path):
        for name, sub in group.commands.items():
            if hasattr(sub, "commands"):
                walk(sub, [*path, name])
            else:
                out.append([*path, name])

    walk(cmd, [])
    return out


def test_version_prints_the_version():
    import dollarliq

    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"dollarliq {dollarliq.__version__}"


@pytest.mark.parametrize("args", [[], ["series"], ["store"], ["bubble"]])
def test_a_bare_command_prints_its_help_with_exit_0(args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Usage:") and "Commands:" in res.stdout


def test_help_examples_keep_their_lines(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = run("backtest", "--help").stdout.splitlines()
    lines = [ln.strip() for ln in out]
    i = lines.index("Example:")
    assert lines[i + 1:i + 4] == [
        "dollarliq backtest",
        "dollarliq backtest --format html --out track-record.html",
        "dollarliq backtest --format markdown --out docs/track-record.md"]


def test_every_help_has_readable_placeholders_and_separate_example_lines(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    cmds = _all_commands()
    assert len(cmds) >= 15
    for cmd in cmds:
        res = run(*cmd, "--help")
        assert res.exit_code == 0, cmd
        text = res.stdout
        assert "<str>" not in text and "<list[" not in text and "<int>" not in text, cmd
        assert "<path>" not in text and "<float>" not in text, cmd
        lines = text.splitlines()
        ex = [i for i, ln in enumerate(lines) if ln.strip() == "Example:"]
        assert ex, cmd
        first = lines[ex[0] + 1].strip()
        assert first.count("dollarliq ") == 1, (cmd, first)  # one command per line
    text = run("series", "show", "--help").stdout
    assert "--as-of DATE" in text and "--out PATH" in text and "SERIES_ID" not in text
    assert "--tickers TICKERS" in run("bubble", "scan", "--help").stdout


# -- every --out alike -----------------------------------------------------------------------

OUT_COMMANDS = {
    "dashboard": (["dashboard", "--as-of", "2025-10-31"], "d.html"),
    "stages csv": (["stages", "--start", "2019-09-01", "--end", "2019-09-30"], "s.csv"),
    "stages parquet": (["stages", "--start", "2019-09-01", "--end", "2019-09-30",
                        "--format", "parquet"], "s.parquet"),
    "backtest text": (["backtest", "--start", "2019-01-01", "--end", "2019-12-31"], "b.txt"),
    "backtest csv": (["backtest", "--start", "2019-01-01", "--end", "2019-12-31",
                      "--format", "csv"], "b.csv"),
    "series show csv": (["series", "show", "SOFR", "--format", "csv"], "sofr.csv"),
    "series show json": (["series", "show", "SOFR", "--format", "json"], "sofr.json"),
    "series show parquet": (["series", "show", "SOFR", "--format", "parquet"], "sofr.parquet"),
    "bubble scan": (["bubble", "scan", "--tickers", "NVDA", "--windows", "252",
                     "--scheduler", "threads", "--quiet"], "scan.csv"),
}


# a Dask cluster of threads still opens a loopback socket
_LOOPBACK = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
OUT_NAMES = [pytest.param(n, marks=_LOOPBACK if n == "bubble scan" else []) for n in OUT_COMMANDS]


@pytest.mark.parametrize("name", OUT_NAMES)
def test_an_out_into_a_missing_folder_is_exit_5_and_creates_nothing(home, tmp_path, name):
    args, fname = OUT_COMMANDS[name]
    work = tmp_path / "work"
    work.mkdir()
    target = work / "no-such-dir" / "deeper" / fname
    res = run(*args, "--out", str(target))
    one_line(res, 5, "does not exist")
    assert str(target.parent) in res.stderr
    assert list(work.iterdir()) == []  # no folder made, no file written


@pytest.mark.parametrize("name", OUT_NAMES)
def test_an_out_names_the_written_file_on_stderr(home, tmp_path, name):
    args, fname = OUT_COMMANDS[name]
    target = tmp_path / fname
    res = run(*args, "--out", str(target))
    assert res.exit_code == 0, res.output
    assert target.exists() and target.stat().st_size > 0
    assert str(target) in res.stderr, res.stderr
    assert str(target) not in res.stdout  # stdout stays the data (or nothing)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == [fname]


def test_quiet_writes_the_out_file_without_a_line(home, tmp_path):
    target = tmp_path / "b.txt"
    res = run("--quiet", "backtest", "--start", "2019-01-01", "--end", "2019-12-31",
              "--out", str(target))
    assert res.exit_code == 0 and target.exists()
    assert res.stderr == "" and res.stdout == ""


# -- exit codes: a missing setting is 2, a partial update 3 ---------------------------------

def test_an_update_that_fetches_nothing_for_want_of_a_key_is_exit_2(home, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    res = run("update", "--source", "fred")
    assert res.exit_code == 2, res.output
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "FRED_API_KEY" in errors[0], res.stderr
    assert not (home / "dollarliq.duckdb").exists()  # nothing stored


def test_edgar_update_without_a_contact_is_exit_2_naming_it(home, monkeypatch):
    monkeypatch.delenv("DOLLARLIQ_SEC_CONTACT", raising=False)
    one_line(run("bubble", "edgar-update", "--tickers", "AAPL"), 2, "DOLLARLIQ_SEC_CONTACT")
    assert not (home / "dollarliq.duckdb").exists()


def test_the_update_exit_code_rules():
    from dollarliq.update import FAILED, NEEDS_KEY, NOT_WRITTEN, OK, SeriesOutcome, UpdateResult

    def result(*statuses):
        return UpdateResult([SeriesOutcome(f"S{i}", "x", st, reason="r" if st != OK else "")
                             for i, st in enumerate(statuses)])

    assert result(NEEDS_KEY, NEEDS_KEY).exit_code == 2  # nothing fetched: a missing key
    assert result(OK, NEEDS_KEY).exit_code == 0  # the keyless rest came; the key is noted
    assert result(OK, FAILED).exit_code == 3  # partial
    assert result(NEEDS_KEY, FAILED).exit_code == 3  # a real failure outranks the key
    assert result(OK, NOT_WRITTEN, NEEDS_KEY).exit_code == 5
    assert result(OK).exit_code == 0
