"""``dollarliq outlook`` on the embedded snapshot: the drain calendar against the recorded
auction files, point-in-time, the TGA against Treasury's quoted estimate, the schema, and
the runway arithmetic.

Expected settlement amounts are recomputed here from the recorded files in
``tests/fixtures/treasury_auctions/`` (FiscalData's January 2026 bill results and
TreasuryDirect's auctioned export), independently of the snapshot the command reads.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner

import dollarliq as dl
from dollarliq.cli import app
from dollarliq.errors import UsageError
from dollarliq.outlook import runway
from dollarliq.store import Store

FIX = Path(__file__).parent / "fixtures" / "treasury_auctions"
SCHEMA = json.loads(files("dollarliq").joinpath("data/outlook.schema.json").read_text())
runner = CliRunner()


def strict(text: str) -> dict:
    def no_constant(c: str):
        raise ValueError(f"non-standard JSON constant {c}")
    return json.loads(text, parse_constant=no_constant)


def cli_json(*args: str) -> dict:
    res = runner.invoke(app, ["outlook", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = strict(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def recorded_records() -> pd.DataFrame:
    """(cusip, issue_date, announced, auction_date, offering, accepted, type) from the
    FiscalData January 2026 bill results and TreasuryDirect's auctioned export."""
    body = json.loads((FIX / "fiscaldata_auctions_query_bills_auction_2026-01-01_2026-01-31"
                       ".json").read_text())
    fj = pd.DataFrame(body["data"])
    a = pd.DataFrame({"cusip": fj["cusip"], "issue": fj["issue_date"],
                      "announced": fj["announcemt_date"], "auction": fj["auction_date"],
                      "offering": fj["offering_amt"].astype("int64"),
                      "accepted": fj["total_accepted"].astype("int64"),
                      "type": fj["security_type"]})
    ta = pd.read_csv(FIX / "treasurydirect_auctioned_2025-01-08_2026-06-24.csv", sep=";",
                     dtype=str)
    b = pd.DataFrame({"cusip": ta["Cusip"], "issue": ta["IssueDate"].str[:10],
                      "announced": ta["AnnouncementDate"].str[:10],
                      "auction": ta["AuctionDate"].str[:10],
                      "offering": ta["OfferingAmount"].astype("int64"),
                      "accepted": pd.to_numeric(ta["TotalAccepted"]).astype("Int64"),
                      "type": ta["SecurityType"]})
    return pd.concat([a, b]).drop_duplicates(["cusip", "issue"])


def test_acceptance_2026_01_15_gross_amounts_equal_the_recorded_rows():
    doc = cli_json("--as-of", "2026-01-15")
    days = doc["calendar"]
    assert len(days) == 20
    assert days[0]["date"] == "2026-01-16" and days[-1]["date"] == "2026-02-13"
    rec = recorded_records()
    window = {d["date"] for d in days}
    public = rec[(rec["announced"] <= "2026-01-15") & rec["issue"].isin(window)]
    assert len(public) >= 8
    for issue, rows in public.groupby("issue"):
        day = next(d for d in days if d["date"] == issue)
        for cat, is_cat in (("bills", rows["type"] == "Bill"), ("coupons", rows["type"] != "Bill")):
            r = rows[is_cat]
            if r.empty:
                assert day[cat]["issued_usd"] is None
                continue
            held = r["auction"] <= "2026-01-15"
            want = int(r.loc[held, "accepted"].sum() + r.loc[~held, "offering"].sum())
            assert day[cat]["issued_usd"] == want, (issue, cat)
        got = {(a["cusip"], a["status"], a["amount_usd"]) for a in day["auctions"]}
        want_rows = {(x.cusip, "accepted" if x.auction <= "2026-01-15" else "offered",
                      int(x.accepted) if x.auction <= "2026-01-15" else int(x.offering))
                     for x in rows.itertuples()}
        assert got == want_rows
    # named rows: 2026-01-20 settles three bills held by 01-15 (FiscalData results rows
    # 912797TS6 17-week, 912797SR9 4-week, 912797SZ1 8-week), 2026-01-22 four bills
    # announced 01-15 and auctioned 01-20 (offering amounts stand in)
    d20 = next(d for d in days if d["date"] == "2026-01-20")
    assert d20["bills"] == {"issued_usd": 69_193_273_300 + 95_266_128_300 + 90_252_139_700,
                            "status": "accepted", "maturing_usd": d20["bills"]["maturing_usd"],
                            "net_usd": d20["bills"]["net_usd"], "complete": True}
    d22 = next(d for d in days if d["date"] == "2026-01-22")
    assert d22["bills"]["status"] == "offered"
    assert d22["bills"]["issued_usd"] == (85 + 89 + 50 + 77) * 10**9
    # the next days are within the announcement lead; 2026-02-02 (the 2-, 5- and 7-year
    # notes, announced 2026-01-22) is not: its net counts only what was announced by 01-15
    assert d20["bills"]["complete"] is True
    d0202 = next(d for d in days if d["date"] == "2026-02-02")
    assert d0202["coupons"]["complete"] is False
    assert d0202["coupons"]["issued_usd"] == 13_000_000_000
    # nothing announced after the as-of date shows up
    assert all(a["announced"] <= "2026-01-15" for d in days for a in d["auctions"])


def test_acceptance_2026_01_15_tga_target():
    tga = cli_json("--as-of", "2026-01-15", "--days", "5")["tga"]
    assert tga["target_bn"] == 850 and tga["quarter"] == "2026Q1"
    assert tga["target_day"] == "2026-03-31"
    # the estimate public on 2026-01-15 is November's (sb0300); sb0377 restated the same
    # $850bn on 2026-02-02
    assert tga["release"] == "sb0300" and tga["release_date"] == "2025-11-03"
    s = Store(None)
    dts = s.query(["TGA_DTS"], as_of="2026-01-15").set_index("obs_date")["value"]
    assert tga["balance_date"] == f"{dts.index[-1]:%Y-%m-%d}" == "2026-01-14"
    assert tga["balance_bn"] == pytest.approx(dts.iloc[-1])
    assert tga["gap_bn"] == pytest.approx(850 - dts.iloc[-1])
    later = cli_json("--as-of", "2026-02-02", "--days", "5")["tga"]
    assert (later["release"], later["target_bn"]) == ("sb0377", 850)
    assert "end-of-March cash balance of $850 billion" in later["quote"]


def test_2019_09_10_shows_the_corporate_tax_date_and_that_days_coupons():
    """2019-09-16 settles the September refunding-month auctions, all announced 2019-09-05:
    3-year 912828YF1 (auctioned 09-10, accepted $38,000,053,000), 10-year reopening
    912828YB0 (auction 09-11, $24bn offered) and 30-year reopening 912810SJ8 (auction
    09-12, $16bn offered): rows of the FiscalData auctions CSV joined to TreasuryDirect's
    jqsearch export on (CUSIP, issue date)."""
    doc = cli_json("--as-of", "2019-09-10")
    d = next(x for x in doc["calendar"] if x["date"] == "2019-09-16")
    assert "tax_corporate" in d["events"]
    assert {(a["cusip"], a["status"], a["amount_usd"]) for a in d["auctions"]} == {
        ("912828YF1", "accepted", 38_000_053_000), ("912828YB0", "offered", 24_000_000_000),
        ("912810SJ8", "offered", 16_000_000_000)}
    assert d["coupons"]["issued_usd"] == 78_000_053_000 and d["coupons"]["status"] == "mixed"
    assert doc["tga"]["target_bn"] is None  # no estimate in the table before 2022


def test_2025_10_15_uses_only_what_was_announced_by_then():
    doc = cli_json("--as-of", "2025-10-15")
    assert doc["tga"]["release"] == "sb0209" and doc["tga"]["target_bn"] == 850
    rows = [a for d in doc["calendar"] for a in d["auctions"]]
    assert rows and all(a["announced"] <= "2025-10-15" for a in rows)
    assert all(a["status"] == "offered" for a in rows if a["auction_date"] > "2025-10-15")
    assert all(a["status"] == "accepted" for a in rows if a["auction_date"] <= "2025-10-15")
    later = dl.outlook("2025-10-20").to_dict()
    later_rows = {(a["cusip"], a["status"]) for d in later["calendar"] for a in d["auctions"]}
    assert ("912797RP4", "accepted") in later_rows  # the 4-week offered on 10-15


def test_tags_only_where_the_interval_excludes_zero():
    doc = dl.outlook("2026-01-15").to_dict()
    sig = {(r["spread"], r["kind"]) for r in doc["effects"]["table"] if r["significant"]}
    tags = [tg for d in doc["calendar"] for tg in d["tags"]]
    assert tags
    for tg in tags:
        assert (tg["spread"], tg["kind"]) in sig
        assert tg["lo_bp"] > 0 or tg["hi_bp"] < 0
    month_end = next(d for d in doc["calendar"] if "month_end" in d["events"])
    assert any(tg["kind"] == "month_end" for tg in month_end["tags"])


def test_maturing_bills_agree_with_dts_redemptions():
    """Bills maturing per day from the auction records against DTS Table IIIA marketable
    bill redemptions (USD millions), 2025-02..2025-11: within $1bn on at least 95% of the
    days (buybacks and cash-management bills bought back early differ)."""
    dts = pd.read_csv(FIX / "DTS_PubDebtTrans_20210624_20260623.csv.gz", encoding="utf-8-sig")
    red = dts[(dts["Transaction Type"] == "Redemptions") & (dts["Security Type"] == "Bills")
              & (dts["Security Marketability"] == "Marketable")]
    red = red.groupby("Record Date")["Transactions Today"].sum()
    red.index = pd.to_datetime(red.index)
    red = red["2025-02-01":"2025-11-30"] * 1e6
    from dollarliq.outlook.auctions import daily_flows

    flows = daily_flows(Store(None).auctions())["bills_maturing"].reindex(red.index).fillna(0)
    close = (flows - red).abs() <= 1e9
    assert len(red) > 150
    assert close.mean() >= 0.95, (flows - red)[~close].head()


def test_runway_arithmetic():
    idx = pd.date_range("2025-01-01", periods=120, freq="D")
    falling = pd.Series(1000.0 - pd.RangeIndex(120) * (10 / 7), index=idx)  # -10 a week
    ln = runway.line("on_rrp", falling, 0.0, falling=True)
    assert ln["pace_4w_bn"] == pytest.approx(-10.0)
    assert ln["weeks_left_4w"] == pytest.approx(ln["level_bn"] / 10.0)
    rising = runway.line("srf", -falling + 1000, 500.0, falling=False)
    assert rising["weeks_left_13w"] == pytest.approx((500 - rising["level_bn"]) / 10.0)
    flat = runway.line("on_rrp", falling * 0 + 5, 0.0, falling=True)
    assert flat["weeks_left_4w"] is None


def test_text_csv_and_zh():
    res = runner.invoke(app, ["outlook", "--as-of", "2026-01-15", "--days", "3"])
    assert res.exit_code == 0 and "sb0300" in res.stdout and "not a forecast" in res.stdout
    res = runner.invoke(app, ["outlook", "--as-of", "2026-01-15", "--format", "csv"])
    assert res.exit_code == 0
    rows = res.stdout.strip().splitlines()
    assert len(rows) == 21 and rows[0].startswith("date,weekday,bills_issued_usd")
    zh = cli_json("--as-of", "2019-09-10", "--lang", "zh")
    assert "企业所得税缴税日" in next(d for d in zh["calendar"] if d["date"] == "2019-09-16")[
        "event_names"]


@pytest.mark.parametrize("args", [["--days", "0"], ["--days", "131"], ["--as-of", "2019-13-01"]])
def test_bad_arguments_exit_2(args):
    res = runner.invoke(app, ["outlook", *args])
    assert res.exit_code == 2
    with pytest.raises(UsageError):
        dl.outlook(days=0)


def test_report_and_dashboard_carry_the_outlook(monkeypatch):
    monkeypatch.setenv("DOLLARLIQ_NO_CACHE", "1")
    r = dl.report("2026-01-15", bubble_tests=False)
    ol = r.doc["outlook"]
    jsonschema.validate(json.loads(r.to_json()),
                        json.loads(files("dollarliq").joinpath("data/report.schema.json")
                                   .read_text()))
    full = dl.outlook("2026-01-15").to_dict()
    assert ol["tga"] == full["tga"]
    assert [s["date"] for s in ol["settlements"]] == [
        d["date"] for d in full["calendar"] if d["settlement"] or d["events"]]
    assert any("$850bn target" in ln for ln in ol["lines"])
    res = runner.invoke(app, ["report", "--as-of", "2026-01-15"])
    assert res.exit_code == 0 and "Outlook (dollarliq outlook)" in res.stdout
    page, _ = dl.dashboard("2026-01-15")
    assert "Outlook" in page and "ON RRP left" in page and "01-22" in page


@pytest.mark.parametrize("kw, fragment", [
    ({"days": True}, "days True"), ({"days": 2.5}, "days 2.5"), ({"days": "20"}, "days 20: .*not str"),
    ({"lang": "fr"}, "lang 'fr'"), ({"store": "x"}, "store")])
def test_wrong_argument_types_name_the_argument(kw, fragment):
    with pytest.raises(UsageError, match=fragment):
        dl.outlook("2026-01-15", **kw)


def test_reserve_threshold_is_the_latest_episodes_fit_point_in_time():
    """In August 2025 only the 2018-2020 episode has weeks with SOFR above IORB on both
    sides of the fit; by January 2026 the 2022 episode has them too, and its higher share
    (SOFR rose above IORB in September 2025 with more reserves per bank asset) is used."""
    aug = dl.outlook("2025-08-29", days=1).to_dict()["runway"]
    assert [e["episode_start"] for e in aug["reserve_episodes"]] == ["2018-01-01"]
    assert aug["reserve_threshold"]["last"] <= "2020-03-13"
    jan = dl.outlook("2026-01-15", days=1).to_dict()["runway"]
    first, latest = jan["reserve_episodes"]
    assert latest["episode_start"] == "2022-01-01" and latest["episode_end"] is None
    assert jan["reserve_threshold"] == latest
    assert latest["lo_pct"] > first["hi_pct"]  # the two intervals do not overlap
    res = next(ln for ln in jan["lines"] if ln["line"] == "reserves")
    assert res["threshold_lo_bn"] < res["threshold_bn"] < res["threshold_hi_bn"]
