"""Yahoo splits and dividends: detection on real chart bodies, and the whole-history refetch.

The three bodies are real Yahoo v8 chart answers kept in a recorder's format
``{request, response: {status, headers, bodyJson}}``: the tests take ``response.bodyJson``
and serialise it as the body (the recorder re-serialised Yahoo's JSON; the content is
Yahoo's). NVDA covers the 2021-07-20 4:1 split, AAPL the 2020-08-31 4:1 split and a
dividend, MSFT four quarterly dividends. Their closes are on the basis of the recording date
(early 2025), the same basis as the embedded snapshot's prices.

Stored histories "on the old basis" are DERIVED in the tests from these bodies (multiplied
by the split ratios that followed), as a store filled before the split would hold them.
"""

from __future__ import annotations

import json

import httpx
import pandas as pd
import pytest
from replay import FIXTURES, fetch_with

from dollarliq.catalog import get_spec
from dollarliq.errors import PayloadError
from dollarliq.sources.yahoo import (
    YahooFetcher,
    as_new_vintage,
    corporate_actions,
    history_rewritten,
    parse_chart,
)
from dollarliq.store import Store
from dollarliq.update import run_update

T = pd.Timestamp
NVDA = "yahoo/historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json"
AAPL = "yahoo/chart-AAPL-2020-08-31-to-2020-11-07.json"
MSFT = "yahoo/historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json"
SPLIT = T("2021-07-20")
#: NVDA split 4:1 on 2021-07-20 and 10:1 on 2024-06-10: before 2021-07-20 the price of the
#: day was 40 times the recorded (2025-basis) close.
OLD_BASIS = 40.0


def body(name: str) -> bytes:
    """The recorder's ``response.bodyJson``, serialised as Yahoo's body."""
    rec = json.loads((FIXTURES / name).read_bytes())
    assert rec["response"]["status"] == 200
    return json.dumps(rec["response"]["bodyJson"]).encode()


def closes(name: str, sid: str, field: str | None = None) -> pd.Series:
    spec = get_spec(sid)
    if field:
        from dataclasses import replace
        spec = replace(spec, field=field)
    return pd.Series(dict(parse_chart(spec, body(name))), dtype="float64")


def test_events_of_the_recorded_bodies():
    nvda = corporate_actions(body(NVDA))
    assert [(a.date, a.kind, a.value) for a in nvda] == [(SPLIT, "split", 4.0)]
    aapl = corporate_actions(body(AAPL))
    assert (aapl[0].date, aapl[0].kind, aapl[0].value) == (T("2020-08-31"), "split", 4.0)
    assert (aapl[1].date, aapl[1].kind, aapl[1].value) == (T("2020-11-06"), "dividend", 0.205)
    msft = corporate_actions(body(MSFT))
    assert [a.kind for a in msft] == ["dividend"] * 4 and msft[0].value == 0.56


def test_a_store_on_the_pre_split_basis_is_rewritten():
    c = closes(NVDA, "NVDA")
    before = c[c.index < T("2021-07-17")]  # what a store updated on Friday 2021-07-16 held
    stored = before * OLD_BASIS
    assert history_rewritten(body(NVDA), stored)
    # ... even without the event: the overlapping closes alone differ 40x.
    no_events = json.loads(body(NVDA))
    no_events["chart"]["result"][0]["events"] = {}
    assert history_rewritten(json.dumps(no_events).encode(), stored)


def test_a_store_already_on_yahoos_basis_is_kept():
    c = closes(NVDA, "NVDA")
    assert not history_rewritten(body(NVDA), c)  # same values, split not after the last date
    assert not history_rewritten(body(NVDA), pd.Series(dtype="float64"))  # nothing stored


def test_a_split_after_the_last_stored_day_is_a_rewrite_even_on_equal_values():
    c = closes(NVDA, "NVDA")
    assert history_rewritten(body(NVDA), c[c.index < SPLIT])


def test_the_embedded_snapshot_is_on_the_recordings_basis():
    # Real data against real data: the snapshot's closes (2026-08 basis) agree with the
    # recorded bodies (2025 basis; no split of the three in between), so no rewrite.
    from dollarliq.store import Store as S
    with S(":memory:") as s:
        for name, sid in ((NVDA, "NVDA"), (AAPL, "AAPL"), (MSFT, "MSFT")):
            q = s.query([sid], as_of=None, start=T("2020-01-01"), end=T("2022-01-31"))
            stored = pd.Series(q["value"].to_numpy(float), index=pd.to_datetime(q["obs_date"]))
            assert len(stored) > 250 and not history_rewritten(body(name), stored), sid


def test_a_dividend_rewrites_adjclose_history():
    adj = closes(MSFT, "MSFT", field="adjclose")
    close = closes(MSFT, "MSFT")
    # The dividend-unadjusted closes stand for adjclose stored before the dividends.
    assert history_rewritten(body(MSFT), close, field="adjclose")
    assert not history_rewritten(body(MSFT), adj, field="adjclose")
    # A dividend after the last stored day: refetch, whatever the field.
    assert history_rewritten(body(MSFT), close[close.index < T("2021-05-19")])


def test_whole_history_query_and_new_vintage():
    q = YahooFetcher().history_query(get_spec("NVDA"), T("2026-11-27"))
    assert q.params["range"] == "max" and "period1" not in q.params
    assert q.params["events"] == "div,splits" and q.start is None
    obs = YahooFetcher().transform(q, body(NVDA))
    new = as_new_vintage(obs, T("2026-11-28"))
    assert len(new) == 252 and {o.as_of for o in new} == {T("2026-11-28")}
    assert all(o.vintage for o in new) and new[0].value == obs[0].value


def test_update_refetches_the_whole_history_after_a_split(tmp_path, monkeypatch):
    """A store filled on 2021-07-16 (old basis, derived); the next update sees the split."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body(NVDA))

    c = closes(NVDA, "NVDA")
    old = c[c.index < T("2021-07-17")] * OLD_BASIS
    rows = pd.DataFrame({"series_id": "NVDA", "obs_date": old.index, "value": old.to_numpy(),
                         "as_of": old.index})
    today = T("2022-02-01")
    with Store(tmp_path / "s.duckdb", snapshot=None) as store:
        store.write([rows])
        run_update(store, fetch_with(handler), sources=["yahoo"], series=["NVDA"],
                   today=today)
        assert [r.url.params.get("range") for r in seen] == [None, "max"]
        now = store.query(["NVDA"], as_of=today).set_index("obs_date")["value"]
        # One basis: every stored day equals Yahoo's current close.
        assert len(now) == 252
        assert (now / c.reindex(now.index)).sub(1).abs().max() < 1e-12
        then = store.query(["NVDA"], as_of=T("2021-07-16")).set_index("obs_date")["value"]
        assert then.loc[T("2021-07-16")] == pytest.approx(c.loc[T("2021-07-16")] * OLD_BASIS)


def test_update_without_a_rewrite_fetches_once(tmp_path):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body(NVDA))

    c = closes(NVDA, "NVDA")
    rows = pd.DataFrame({"series_id": "NVDA", "obs_date": c.index, "value": c.to_numpy(),
                         "as_of": c.index})
    with Store(tmp_path / "s.duckdb", snapshot=None) as store:
        store.write([rows])
        res = run_update(store, fetch_with(handler), sources=["yahoo"], series=["NVDA"],
                         today=T("2022-02-01"))
    assert len(seen) == 1 and res.added == 0


def test_a_changed_body_names_the_series():
    doc = json.loads(body(NVDA))
    doc["chart"]["result"][0]["events"]["splits"] = {"1626787800": {"date": 1626787800}}
    c = closes(NVDA, "NVDA")
    with pytest.raises(PayloadError, match="^yahoo: NVDA: a split event without"):
        history_rewritten(json.dumps(doc).encode(), c[c.index < SPLIT], what="yahoo: NVDA")
    with pytest.raises(PayloadError, match="^yahoo: NVDA: got an HTML page"):
        history_rewritten(b"<html><body>Will be right back</body></html>", c, what="yahoo: NVDA")
