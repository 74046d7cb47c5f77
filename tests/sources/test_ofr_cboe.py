"""OFR Financial Stress Index and Cboe's VIX history file.

NO recorded HTTP body of ``fsi.csv`` or of ``VIX_History.csv`` exists in the project's data.
The OFR body here is BUILT BY HAND from the documented header (``Date,OFR FSI,Credit,Equity
valuation,Safe assets,Funding,Volatility,United States,Other advanced economies,Emerging
markets``) with the first rows of the data bundle's copy of fsi.csv (2000-01-03..05); the
Cboe body is BUILT BY HAND in the documented ``DATE,OPEN,HIGH,LOW,CLOSE`` layout with
``MM/DD/YYYY`` dates, using the OHLC values of the bundle's Yahoo copy of ^VIX for
2020-03-13..17 (2020-03-16 close 82.690002); Cboe's own file may round differently.
"""

from __future__ import annotations

import httpx
import pandas as pd
import pytest
from replay import serve

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError
from dollarliq.sources.base import run_fetch
from dollarliq.sources.cboe import CboeFetcher
from dollarliq.sources.ofr import OfrFetcher

T = pd.Timestamp
OFR_HAND_BUILT = (
    b"Date,OFR FSI,Credit,Equity valuation,Safe assets,Funding,Volatility,United States,"
    b"Other advanced economies,Emerging markets\n"
    b"2000-01-03,2.14,0.54,-0.051,0.67,0.472,0.509,1.769,0.521,-0.15\n"
    b"2000-01-04,2.421,0.604,0.079,0.627,0.55,0.561,2.084,0.474,-0.137\n"
    b"2000-01-05,2.297,0.575,0.08,0.653,0.501,0.488,2.023,0.406,-0.132\n")
CBOE_HAND_BUILT = (
    b"DATE,OPEN,HIGH,LOW,CLOSE\n"
    b"03/13/2020,71.309998,77.57,55.169998,57.830002\n"
    b"03/16/2020,57.830002,83.559998,57.830002,82.690002\n"
    b"03/17/2020,82.690002,84.830002,70.370003,75.910004\n")


def test_ofr_columns_by_name():
    seen: list[httpx.Request] = []
    fsi = run_fetch(OfrFetcher(), get_spec("OFR_FSI"), serve(OFR_HAND_BUILT, seen=seen))
    funding = run_fetch(OfrFetcher(), get_spec("OFR_FSI_FUNDING"), serve(OFR_HAND_BUILT))
    assert str(seen[0].url) == ("https://www.financialresearch.gov/financial-stress-index/"
                                "data/fsi.csv")
    assert [o.value for o in fsi] == [2.14, 2.421, 2.297]
    assert [o.value for o in funding] == [0.472, 0.55, 0.501]
    assert fsi[0].as_of == T("2000-01-04")


def test_ofr_window_and_missing_column():
    obs = run_fetch(OfrFetcher(), get_spec("OFR_FSI"), serve(OFR_HAND_BUILT),
                    start=T("2000-01-04"), end=T("2000-01-04"))
    assert [(o.obs_date, o.value) for o in obs] == [(T("2000-01-04"), 2.421)]
    with pytest.raises(PayloadError, match="^ofr: OFR_FSI_FUNDING: no 'Funding' column"):
        run_fetch(OfrFetcher(), get_spec("OFR_FSI_FUNDING"),
                  serve(OFR_HAND_BUILT.replace(b",Funding,", b",Liquidity,")))


def test_cboe_vix_close():
    seen: list[httpx.Request] = []
    obs = run_fetch(CboeFetcher(), get_spec("VIXCLS"), serve(CBOE_HAND_BUILT, seen=seen))
    assert seen[0].url.path == "/api/global/us_indices/daily_prices/VIX_History.csv"
    assert [(o.obs_date, o.value) for o in obs][1] == (T("2020-03-16"), 82.690002)
    assert obs[1].as_of == T("2020-03-17")


@pytest.mark.parametrize("fetcher, sid, needle", [
    (OfrFetcher, "OFR_FSI", "HTML page"),
    (CboeFetcher, "VIXCLS", "HTML page"),
])
def test_html_page_is_a_payload_error(fetcher, sid, needle):
    html = b"<!DOCTYPE html><html><head><title>Access Denied</title></head></html>"
    with pytest.raises(PayloadError, match=f"^{fetcher.source}: {sid}: got an {needle}"):
        run_fetch(fetcher(), get_spec(sid), serve(html))


def test_cut_rows_and_bad_dates_are_refused():
    with pytest.raises(PayloadError, match="^cboe: VIXCLS: .*truncated"):
        run_fetch(CboeFetcher(), get_spec("VIXCLS"), serve(CBOE_HAND_BUILT[:-20]))
    with pytest.raises(PayloadError, match="^cboe: VIXCLS: '2020-03-13' is not a date"):
        run_fetch(CboeFetcher(), get_spec("VIXCLS"),
                  serve(CBOE_HAND_BUILT.replace(b"03/13/2020", b"2020-03-13")))
    with pytest.raises(PayloadError, match="^ofr: OFR_FSI: empty body"):
        run_fetch(OfrFetcher(), get_spec("OFR_FSI"), serve(b""))
