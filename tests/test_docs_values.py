"""The values quoted in the prose of docs/stages.md against the engine's real output.

Blocks of command output are generated (``scripts/render_docs.py``); the table "What the
data say on the dates an analyst knows" is prose, so each of its rows is checked here: the
stage on every day of the row, held or not, and the figures it quotes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pytest

import dollarliq as dl

DOC = (Path(__file__).parents[1] / "docs" / "stages.md").read_text(encoding="utf-8")
ROWS = re.findall(r"^\| (\d{4}-\d{2}-\d{2}[^|]*?) \| ([^|]+?) \| ([^|]+?) \|$", DOC, re.M)


def _days(spec: str) -> list[pd.Timestamp]:
    first = spec[:10]
    year = first[:4]
    if ".." in spec:
        end = spec.split("..")[1].strip()
        end = end if len(end) == 10 else f"{year}-{end}"
        return list(pd.bdate_range(first, end))
    return [pd.Timestamp(first)] + [pd.Timestamp(f"{year}-{x.strip()}")
                                    for x in spec[10:].split(",") if x.strip()]


@pytest.fixture(scope="module")
def stages(tmp_path_factory):
    """The stages on the snapshot (a fresh DOLLARLIQ_HOME while this module runs)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOLLARLIQ_HOME", str(tmp_path_factory.mktemp("home")))
        mp.delenv("FRED_API_KEY", raising=False)
        days = [d for r in ROWS for d in _days(r[0])]
        yield dl.stages(f"{min(days):%Y-%m-%d}", f"{max(days):%Y-%m-%d}")


def test_the_table_is_there():
    assert len(ROWS) >= 9


@pytest.mark.parametrize("when,stage,why", ROWS, ids=[r[0] for r in ROWS])
def test_each_row_names_the_stage_of_its_days(stages, when, stage, why):
    held = "(held)" in stage
    names = {x.strip() for x in stage.replace("(held)", "").split(" or ")}
    for day in _days(when):
        day = stages.index[stages.index.get_indexer([day], method="ffill")[0]]
        assert stages.loc[day, "name"] in names, (day, stages.loc[day, "name"], stage)
        if held:
            assert bool(stages.loc[day, "held"]), day


@functools.lru_cache(maxsize=None)
def _values(as_of: str) -> dict[str, float]:
    """Every indicator value the report shows: its indicators and its rules' conditions."""
    doc = dl.report(as_of=as_of).to_dict()
    out = {c["indicator"]: c["value"] for e in doc["evidence"] for c in e["conditions"]}
    out.update({i["id"]: i["value"] for i in doc["indicators"]})
    return out


#: Figures the table quotes: a pattern with the number, the indicator, its format. Each is
#: read from the report on the first or the last date of the row that quotes it.
FIGURES = [
    (r"VIX (\d+\.\d)\b", "vix_idx", "{:.1f}"),
    (r"high-yield spread ([+-]\d+) bp", "hy_oas_chg_20d_bp", "{:+.0f}"),
    (r"reserves (\d+\.\d)% of bank assets", "reserves_share_bank_assets_pct", "{:.1f}"),
    (r"ON RRP \$(\d+)bn", "rrp_usd_bn", "{:.0f}"),
    (r"([+-]\d+) bp over SOFR's baseline", "sofr_iorb_excess_max5d_bp", "{:+.0f}"),
    (r"EFFR did not move \(([+-]\d+) bp\)", "effr_iorb_excess_max5d_bp", "{:+.0f}"),
    (r"persistent SOFR − IORB ([+-]\d+) bp", "sofr_iorb_persistent_bp", "{:+.0f}"),
]


def test_the_figures_quoted_in_the_table(stages):
    seen = 0
    for when, _, why in ROWS:
        for pattern, ind, form in FIGURES:
            for shown in re.findall(pattern, why):
                days = _days(when)
                read = {f"{d:%Y-%m-%d}": _values(f"{d:%Y-%m-%d}").get(ind)
                        for d in (days[0], days[-1])}
                assert shown in {form.format(v) for v in read.values() if v is not None}, \
                    (when, ind, shown, read)
                seen += 1
    assert seen >= 6
