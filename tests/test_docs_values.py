"""The values quoted in the prose of docs/stages.md against the engine's real output.

Blocks of command output are generated (``scripts/render_docs.py``); the table "What the
data say on the dates an analyst knows" is prose, so each of its rows is checked here: the
stage on every day of the row, held or not, and the figures it quotes.
"""

from __future__ import annotations

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
        yield dl.stages("2019-09-01", "2025-11-20")


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


def _values(as_of: str) -> dict[str, float]:
    """Every indicator value the report shows: its indicators and its rules' conditions."""
    doc = dl.report(as_of=as_of).to_dict()
    out = {c["indicator"]: c["value"] for e in doc["evidence"] for c in e["conditions"]}
    out.update({i["id"]: i["value"] for i in doc["indicators"]})
    return out


def test_the_figures_quoted_in_the_table(stages):
    rows = {r[0]: r[2] for r in ROWS}
    v = _values("2020-03-09")
    assert f"VIX {v['vix_idx']:.1f}" in rows["2020-03-09"]
    assert f"high-yield spread {v['hy_oas_chg_20d_bp']:+.0f} bp" in rows["2020-03-09"]
    v = _values("2025-11-03")
    why = rows["2025-10-31, 11-03"]
    assert f"reserves {v['reserves_share_bank_assets_pct']:.1f}% of bank assets" in why
    assert f"ON RRP ${v['rrp_usd_bn']:.0f}bn" in why
    assert f"{v['sofr_iorb_excess_max5d_bp']:+.0f} bp over SOFR's baseline" in why
    assert f"({v['effr_iorb_excess_max5d_bp']:+.0f} bp)" in why
    v = _values("2025-11-14")
    assert f"persistent SOFR − IORB {v['sofr_iorb_persistent_bp']:+.0f} bp" in rows["2025-11-14"]
