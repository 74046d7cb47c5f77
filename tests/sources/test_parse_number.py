"""The one number parser every publisher's body goes through (cells written here)."""

from __future__ import annotations

import pytest

from dollarliq.errors import PayloadError
from dollarliq.sources.base import parse_number

MISSING = ("", ".", "NA")


@pytest.mark.parametrize("cell,expected", [
    ("4.33", 4.33), (" 2,114,439 ", 2114439.0), (5, 5.0), (0.25, 0.25), ("-7", -7.0),
    (".", None), ("", None), ("NA", None), (None, None),
])
def test_numbers_and_missing_markers(cell, expected):
    assert parse_number(cell, "SOFR", "2024-06-03", MISSING) == expected


@pytest.mark.parametrize("cell", ["n/a!", "4.3x", True, "ND"])
def test_anything_else_names_the_series_cell_and_date(cell):
    with pytest.raises(PayloadError) as err:
        parse_number(cell, "WRESBAL", "2023-03-22", MISSING, hint="; DDP format changed?")
    msg = str(err.value)
    assert msg.startswith("WRESBAL: value ") and "on 2023-03-22 is not a number" in msg
    assert msg.endswith("DDP format changed?") and "\n" not in msg
