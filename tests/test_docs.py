"""Every command is documented in the README and has help with an example."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from dollarliq.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer) -> list[list[str]]:
    cmd = get_command(group)
    out = []

    def walk(c, path):
        subs = getattr(c, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, path + [name])
        else:
            out.append(path)

    walk(cmd, [])
    return out


COMMANDS = _commands(app)


def test_there_are_commands():
    assert ["report"] in COMMANDS and ["series", "show"] in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_command_has_help_with_an_example(path):
    res = CliRunner().invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_command_is_in_the_readme(path):
    assert f"dollarliq {' '.join(path)}" in README


def test_readme_starts_with_the_two_commands():
    blocks = README.split("```")
    first = blocks[1].strip().splitlines()
    assert first[-2:] == ['pip install . && dollarliq report',
                          'pip install ".[test,bench]" && python -m pytest']
