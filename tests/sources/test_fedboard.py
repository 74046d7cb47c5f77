"""Federal Reserve Board Data Download Program: H.4.1 from the real recorded CSV.

The CSV is a real download of the Board's H.4.1 package (2021-04-28..2023-03-22, 191 series,
``label=include``, ``layout=seriescolumn``). There is NO recording of the SDMX zip package
(``filetype=zip``), of an H.8 CSV or of the policy-rates (PRATES) release: the zip test
below uses a body BUILT BY HAND in the documented SDMX-ML structure (``Series SERIES_NAME
UNIT_MULT``, ``Obs TIME_PERIOD OBS_VALUE OBS_STATUS``), and says so.
"""

from __future__ import annotations

import csv
import io
import zipfile

import httpx
import pandas as pd
import pytest
from replay import fixture_bytes, serve

from dollarliq.catalog import get_spec, specs_for_source
from dollarliq.errors import PayloadError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.fedboard import FedBoardFetcher, fetch_group, parse_csv, parse_zip, split_id

H41 = "fedboard/fed_board_ddp_H41_2021-04-28_2023-03-22.csv"
T = pd.Timestamp
WINDOW = dict(start=T("2023-01-01"), end=T("2023-03-31"))
#: H.4.1 series of the catalog that the recording holds (WALCL's RESPPA_N.WW is not in it).
IN_RECORDING = ["WRESBAL", "WTREGEN", "WDTGAL", "WLCFLPCL", "H41RESPPALDKNWW", "SWPT",
                "H41RESPPALGTRFNWW", "WORAL", "WLRRAL", "TREAST", "WSHOMCB"]


def _labels() -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(fixture_bytes(H41).decode("utf-8-sig"))))
    codes = {r[0].strip(): r[1:] for r in rows[:6]}
    return dict(zip(codes["Time Period"], codes["Series Description"]))


@pytest.mark.parametrize("sid", IN_RECORDING)
def test_catalog_code_matches_the_description_row(sid):
    spec = get_spec(sid)
    rel, code = split_id(spec)
    assert rel == "H41"
    label = _labels()[code]
    # A Wednesday level in the catalog is a Wednesday level at the Board, a week average
    # a week average; the item itself is checked on the words of the label.
    if spec.obs_convention.startswith("week average"):
        assert label.endswith(": week average"), label
    else:
        assert label.endswith(": Wednesday level"), label
    words = {"WRESBAL": "Reserve balances with Federal Reserve Banks",
             "WTREGEN": "U.S. Treasury, General Account",
             "WDTGAL": "U.S. Treasury, General Account",
             "WLCFLPCL": "Loans: Primary credit", "H41RESPPALDKNWW": "Bank Term Funding Program",
             "SWPT": "Central bank liquidity swaps", "H41RESPPALGTRFNWW": "Foreign official",
             "WORAL": "Assets: Other: Repurchase agreements",
             "WLRRAL": "Reverse repurchase agreements",
             "TREAST": "U.S. Treasury securities", "WSHOMCB": "Mortgage-backed securities"}
    assert words[sid] in label


def test_recorded_h41_values_in_billions_dated_by_the_thursday_release():
    obs = {o.obs_date: o for o in run_fetch(FedBoardFetcher(), get_spec("WLCFLPCL"),
                                            serve(fixture_bytes(H41)), **WINDOW)}
    # Primary credit in the March 2023 bank run: 4,581 -> 152,853 -> 110,248 USD mn.
    assert obs[T("2023-03-08")].value == pytest.approx(4.581)
    assert obs[T("2023-03-15")].value == pytest.approx(152.853)
    assert obs[T("2023-03-22")].value == pytest.approx(110.248)
    assert obs[T("2023-03-15")].as_of == T("2023-03-16")
    assert min(obs) >= WINDOW["start"] and len(obs) == 12


def test_one_request_serves_every_h41_series():
    seen: list[httpx.Request] = []
    specs = [get_spec(s) for s in IN_RECORDING]
    out = fetch_group(specs, serve(fixture_bytes(H41), seen=seen), **WINDOW)
    assert len(seen) == 1
    assert seen[0].url.params["rel"] == "H41" and seen[0].url.params["filetype"] == "zip"
    assert set(out) == set(IN_RECORDING)
    assert out["WRESBAL"][-1].value == pytest.approx(3425.075)  # week average, 2023-03-22
    assert out["WDTGAL"][-1].value == pytest.approx(199.856)


def test_na_cells_are_missing():
    values, mult = parse_csv(fixture_bytes(H41), "fedboard: test")
    discontinued = values["RESPPAAML1H_XAW_N.WW"]
    assert len(discontinued) == 100 and all(v is None for v in discontinued.values())
    assert mult["RESPPALDP_N.WW"] == 1_000_000


def test_h8_package_request_carries_the_date_window():
    seen: list[httpx.Request] = []
    fetcher = FedBoardFetcher()
    q = fetcher.build_query(get_spec("TLAACBW027SBOG"), T("2025-01-01"), T("2025-06-30"))
    with pytest.raises(PayloadError):  # the H.4.1 body does not hold the H.8 series
        fetcher.transform(q, fetcher.extract(q, serve(fixture_bytes(H41), seen=seen)))
    p = seen[0].url.params
    assert (p["rel"], p["filetype"], p["layout"], p["label"]) == ("H8", "csv", "seriescolumn",
                                                                 "include")
    assert (p["from"], p["to"]) == ("01/01/2025", "06/30/2025")


def test_a_changed_multiplier_is_refused():
    # Derived from the recording: the Multiplier row says thousands instead of millions.
    body = fixture_bytes(H41).replace(b'"Multiplier:","1000000"', b'"Multiplier:","1000"', 1)
    assert body != fixture_bytes(H41)
    with pytest.raises(PayloadError, match="^fedboard: WRESBAL: .*multiplier 1000 .*units"):
        # RESH4A_N.WW is the first column; every column keeps its own multiplier, so the
        # test moves WRESBAL's code onto the first column.
        b = body.replace(b'"RESH4A_N.WW"', b'"X"').replace(b'"RESH4R_XAW_N.WW"', b'"Y"')
        b = b.replace(b'"Time Period","X"', b'"Time Period","RESH4R_XAW_N.WW"')
        run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), serve(b), **WINDOW)


def test_a_renamed_series_code_names_the_series():
    body = fixture_bytes(H41).replace(b"RESH4R_XAW_N.WW", b"RESH4R_XAW_Q.WW")
    with pytest.raises(PayloadError, match="^fedboard: WRESBAL: series RESH4R_XAW_N.WW is not"):
        run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), serve(body), **WINDOW)


@pytest.mark.parametrize("body, needle", [
    (b"", "empty body"),
    (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML page"),
    (b'"Series Description","x"\n"Unit:","Currency"\n', "no 'Time Period' header"),
])
def test_bad_bodies_are_one_line_payload_errors(body, needle):
    with pytest.raises(PayloadError, match=f"^fedboard: WRESBAL: .*{needle}"):
        run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), serve(body), **WINDOW)


def test_truncated_csv_is_refused():
    raw = fixture_bytes(H41)
    with pytest.raises(PayloadError, match="truncated"):
        run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), serve(raw[: len(raw) - 300]),
                  **WINDOW)


# --- SDMX zip package: a HAND-BUILT body in the documented structure (no recording) ---------

_SDMX = """<?xml version="1.0" encoding="UTF-8"?>
<message:MessageGroup xmlns:message="http://www.SDMX.org/resources/SDMXML/schemas/v1_0/message"
  xmlns:frb="http://www.federalreserve.gov/structure/compact/common"
  xmlns:kf="http://www.federalreserve.gov/structure/compact/PRATES_PRATES">
 <message:Header><message:Prepared>2026-11-27T17:00:00</message:Prepared></message:Header>
 <frb:DataSet id="PRATES_POLICY_RATES">
  <kf:Series SERIES_NAME="RESBM_N.D" UNIT="Percent" UNIT_MULT="1" FREQ="8">
   <frb:Obs TIME_PERIOD="2025-12-10" OBS_VALUE="3.90" OBS_STATUS="A"/>
   <frb:Obs TIME_PERIOD="2025-12-11" OBS_VALUE="3.65" OBS_STATUS="A"/>
   <frb:Obs TIME_PERIOD="2025-12-12" OBS_VALUE="-9999" OBS_STATUS="ND"/>
  </kf:Series>
  <kf:Series SERIES_NAME="OTHER_N.D" UNIT="Percent" UNIT_MULT="1" FREQ="8">
   <frb:Obs TIME_PERIOD="2025-12-10" OBS_VALUE="1.00" OBS_STATUS="A"/>
  </kf:Series>
 </frb:DataSet>
</message:MessageGroup>
"""


def _zip(xml: str, name: str = "PRATES_data.xml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("PRATES_struct.xml", "<structure/>")
        z.writestr(name, xml)
    return buf.getvalue()


def test_sdmx_zip_iorb_hand_built():
    seen: list[httpx.Request] = []
    obs = run_fetch(FedBoardFetcher(), get_spec("IORB"), serve(_zip(_SDMX), seen=seen),
                    start=T("2025-12-01"), end=T("2025-12-31"))
    assert seen[0].url.params["rel"] == "PRATES" and seen[0].url.params["filetype"] == "zip"
    assert [(o.obs_date, o.value) for o in obs] == [
        (T("2025-12-10"), 3.90), (T("2025-12-11"), 3.65), (T("2025-12-12"), None)]
    assert obs[1].as_of == T("2025-12-11")  # an administered rate: known the day it applies


def test_sdmx_zip_without_data_member_or_series():
    with pytest.raises(PayloadError, match="no \\*_data.xml"):
        parse_zip(_zip(_SDMX, name="PRATES_other.xml"), "fedboard: IORB")
    with pytest.raises(PayloadError, match="^fedboard: IORB: series RESBM_N.D is not"):
        run_fetch(FedBoardFetcher(), get_spec("IORB"),
                  serve(_zip(_SDMX.replace("RESBM_N.D", "RESBX_N.D"))))
    with pytest.raises(PayloadError, match="does not parse"):
        run_fetch(FedBoardFetcher(), get_spec("IORB"), serve(_zip(_SDMX[:600])))


def test_every_fedboard_spec_names_a_release_and_code():
    for spec in specs_for_source("fedboard"):
        rel, code = split_id(spec)
        assert rel in ("H41", "H8", "PRATES") and code


def test_series_of_one_release_share_one_download_per_fetch():
    seen: list[httpx.Request] = []
    fetch = serve(fixture_bytes(H41), seen=seen)
    a = run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), fetch, **WINDOW)
    b = run_fetch(FedBoardFetcher(), get_spec("WTREGEN"), fetch, **WINDOW)
    assert len(seen) == 1 and len(a) == len(b) == 12
    run_fetch(FedBoardFetcher(), get_spec("WRESBAL"), serve(fixture_bytes(H41), seen=seen),
              **WINDOW)
    assert len(seen) == 2  # a new Fetch (a new update run) downloads again
