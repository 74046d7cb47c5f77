"""Regenerate the measured tables of docs/outlook.md from a real run on the embedded data.

Usage:
    python scripts/outlook_docs.py [--data DIR]

Writes the part of docs/outlook.md between the markers ``<!-- generated -->`` and
``<!-- /generated -->``: the day-effects table (``dollarliq outlook --format json`` on the
latest data), the runway backtest (July 2019, August 2025) with what followed, and the check
of the maturing amounts against the Daily Treasury Statement's public-debt redemptions
(DIR/fixtures/treasury_auctions/DTS_PubDebtTrans_20210624_20260623.csv.gz).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import dollarliq as dl  # noqa: E402
from dollarliq.frame import read_rows  # noqa: E402
from dollarliq.outlook import effects, runway  # noqa: E402
from dollarliq.outlook.auctions import daily_flows  # noqa: E402
from dollarliq.store import Store  # noqa: E402

DOC = ROOT / "docs" / "outlook.md"
BACKTEST = ("2019-07-15", "2019-07-31", "2025-08-15", "2025-08-29")
KIND = {"net_settlement": "net settlement ≥ $50bn", "tax_date": "tax date",
        "month_end": "month end", "quarter_end": "quarter end"}


def _f(x, nd=1, sign=False):
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "—"
    return f"{x:+,.{nd}f}" if sign else f"{x:,.{nd}f}"


def effects_table(doc: dict) -> list[str]:
    e = doc["effects"]
    out = [f"Sample: business days {e['start']} to {e['end']} (as of {doc['as_of']}).", "",
           "| spread | kind of day | days | mean excess (bp) | other days (n) | mean excess "
           "other (bp) | effect (bp) | 95% interval | tag shown |",
           "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for r in e["table"]:
        out.append(f"| {r['spread'].replace('_', ' − ').upper()} | {KIND[r['kind']]} | "
                   f"{r['days']} | {_f(r['mean_bp'], 2, True)} | {r['other_days']} | "
                   f"{_f(r['other_mean_bp'], 2, True)} | {_f(r['effect_bp'], 2, True)} | "
                   f"[{_f(r['lo_bp'], 2, True)}, {_f(r['hi_bp'], 2, True)}] | "
                   f"{'yes' if r['significant'] else 'no'} |")
    return out


def episodes_table(doc: dict) -> list[str]:
    out = [f"As of {doc['as_of']}: the share of bank assets below which SOFR − IORB turns "
           "positive, fitted on each scarce-reserve episode's weekly medians (the runway uses "
           "the latest).", "",
           "| episode | weeks (SOFR above IORB) | share of bank assets | 95% interval |",
           "|---|---:|---:|---|"]
    for e in doc["runway"]["reserve_episodes"]:
        out.append(f"| {e['first']}..{e['last']} | {e['weeks']} ({e['positive_weeks']}) | "
                   f"{e['share_pct']:.2f}% | [{e['lo_pct']:.2f}%, {e['hi_pct']:.2f}%] |")
    res = next(ln for ln in doc["runway"]["lines"] if ln["line"] == "reserves")
    out += ["", f"Reserves {_f(res['level_bn'], 0)}bn on {res['date']} against the threshold "
            f"{_f(res['threshold_bn'], 0)}bn [{_f(res['threshold_lo_bn'], 0)}–"
            f"{_f(res['threshold_hi_bn'], 0)}]: distance {_f(res['distance_bn'], 0)}bn."]
    return out


def what_followed(rows, day: pd.Timestamp, th_level: float | None) -> dict:
    """From the latest data: the next 26 weeks after ``day``."""
    m = rows.series_map(["SOFR", "IORB", "IOER", "WRESBAL", "RRPONTSYD", "RPONTTLD",
                         "TLAACBW027SBOG"])
    pol = effects.policy_rate(m.get("IORB"), m.get("IOER"))
    end = day + pd.Timedelta(weeks=26)
    sp = (m["SOFR"] - pol.reindex(m["SOFR"].index, method="ffill")) * 100
    w = sp[(sp.index > day) & (sp.index <= end)]
    pos = w[w > 0]
    rrp = m["RRPONTSYD"]
    rrp = rrp[(rrp.index > day) & (rrp.index <= end)]
    res = m["WRESBAL"]
    res = res[(res.index > day) & (res.index <= end)]
    crossed = res[res <= th_level] if th_level is not None else res.iloc[0:0]
    repo = m.get("RPONTTLD")
    repo = repo[(repo.index > day) & (repo.index <= end)] if repo is not None else None
    share = None
    if len(pos):
        r = m["WRESBAL"][:pos.index[0]]
        a = m["TLAACBW027SBOG"][:pos.index[0]]
        share = float(r.iloc[-1] / a.iloc[-1] * 100)
    return {"first_positive": pos.index[0] if len(pos) else None, "share": share,
            "max_spread": (w.idxmax(), float(w.max())) if len(w) else None,
            "rrp_min": (rrp.idxmin(), float(rrp.min())) if len(rrp) else None,
            "res_cross": crossed.index[0] if len(crossed) else None,
            "res_min": (res.idxmin(), float(res.min())) if len(res) else None,
            "repo_max": (repo.idxmax(), float(repo.max())) if repo is not None and len(repo)
            else None}


def backtest_table() -> list[str]:
    store = Store(None)
    rows = read_rows(store, ["SOFR", "IORB", "IOER", "WRESBAL", "RRPONTSYD", "RPONTTLD",
                             "TLAACBW027SBOG"])
    out = ["| as of | line | level ($bn) | threshold ($bn) | distance | pace 4w / 13w "
           "($bn/wk) | weeks left 4w / 13w |", "|---|---|---:|---|---:|---|---|"]
    follow = []
    for d in BACKTEST:
        doc = dl.outlook(d, days=5).to_dict()
        res_line = None
        for ln in doc["runway"]["lines"]:
            if ln["line"] == "discount_window" or ln["level_bn"] is None:
                continue
            th = _f(ln["threshold_bn"], 0)
            if ln["threshold_lo_bn"] is not None:
                th += f" [{_f(ln['threshold_lo_bn'], 0)}–{_f(ln['threshold_hi_bn'], 0)}]"
            out.append(f"| {d} | {ln['line']} ({ln['series']}, {ln['date']}) | "
                       f"{_f(ln['level_bn'])} | {th} | {_f(ln['distance_bn'])} | "
                       f"{_f(ln['pace_4w_bn'], 1, True)} / {_f(ln['pace_13w_bn'], 1, True)} | "
                       f"{_f(ln['weeks_left_4w'])} / {_f(ln['weeks_left_13w'])} |")
            if ln["line"] == "reserves":
                res_line = ln
        th = doc["runway"]["reserve_threshold"]
        f = what_followed(rows, pd.Timestamp(d), res_line["threshold_bn"] if res_line else None)
        follow.append(
            f"* **{d}** (threshold share {_f(th['share_pct'], 2)}% "
            f"[{_f(th['lo_pct'], 2)}–{_f(th['hi_pct'], 2)}] of bank assets, fitted on "
            f"{th['weeks']} weeks {th['first']}..{th['last']}, {th['positive_weeks']} with "
            f"SOFR above IORB). In the 26 weeks after: first day with SOFR above IORB "
            f"{f['first_positive']:%Y-%m-%d} (reserves {_f(f['share'], 2)}% of bank assets "
            f"in the latest weeks before it); widest SOFR − IORB {_f(f['max_spread'][1])} bp "
            f"on {f['max_spread'][0]:%Y-%m-%d}; ON RRP low ${_f(f['rrp_min'][1])}bn on "
            f"{f['rrp_min'][0]:%Y-%m-%d}; reserves low ${_f(f['res_min'][1], 0)}bn on "
            f"{f['res_min'][0]:%Y-%m-%d}"
            + (f", at or below the threshold from {f['res_cross']:%Y-%m-%d}"
               if f["res_cross"] is not None else ", never at the threshold")
            + (f"; the Desk's repo operations (RPONTTLD) peaked at ${_f(f['repo_max'][1])}bn on "
               f"{f['repo_max'][0]:%Y-%m-%d}" if f["repo_max"] is not None else "")
            + ".")
    return out + [""] + follow


def dts_check(data: Path) -> list[str]:
    dts = pd.read_csv(data / "fixtures/treasury_auctions/DTS_PubDebtTrans_20210624_20260623.csv.gz",
                      encoding="utf-8-sig")
    dts = dts[(dts["Transaction Type"] == "Redemptions")
              & (dts["Security Marketability"] == "Marketable")]
    dts["cat"] = dts["Security Type"].map({"Bills": "bills", "Notes": "coupons",
                                           "Bonds": "coupons"})
    red = dts.dropna(subset=["cat"]).pivot_table(index="Record Date", columns="cat",
                                                 values="Transactions Today", aggfunc="sum")
    red.index = pd.to_datetime(red.index)
    flows = daily_flows(Store(None).auctions())
    out = ["| category | DTS days | within $1bn | within $5bn | largest gap ($bn, day) |",
           "|---|---:|---:|---:|---|"]
    for cat in ("bills", "coupons"):
        r = red[cat]["2021-06-24":"2025-12-15"].fillna(0) * 1e6
        f = flows[f"{cat}_maturing"].reindex(r.index).fillna(0)
        gap = (f - r).abs()
        out.append(f"| {cat} | {len(r)} | {(gap <= 1e9).mean():.1%} | {(gap <= 5e9).mean():.1%} "
                   f"| {gap.max() / 1e9:,.1f} ({gap.idxmax():%Y-%m-%d}) |")
    return out


def cli_text(doc: dict, width: int = 100) -> str:
    """The outlook as ``dollarliq outlook`` prints it, piped, at ``width`` columns."""
    import io

    from rich.console import Console

    from dollarliq.reports.outlook import renderables

    buf = io.StringIO()
    con = Console(file=buf, width=width, no_color=True, color_system=None, highlight=False)
    for r in renderables(doc):
        con.print(r)
    return "\n".join(x.rstrip() for x in buf.getvalue().splitlines())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    latest = dl.outlook().to_dict()
    example = cli_text(dl.outlook("2026-01-15").doc)
    part = ["<!-- generated -->",
            "Generated by `python scripts/outlook_docs.py` on the embedded data.", "",
            "### Example", "", "```", "$ COLUMNS=100 dollarliq outlook --as-of 2026-01-15",
            example, "```",
            "",
            "### Day effects", "", *effects_table(latest), "",
            "### Reserve threshold by episode", "", *episodes_table(latest), "",
            "### Runway backtest", "", *backtest_table(), "",
            "### Maturing amounts against the Daily Treasury Statement", "",
            "Maturing amounts per day from the auction records against DTS Table IIIA "
            "marketable redemptions (bills; notes and bonds), 2021-06-24..2025-12-15:", "",
            *dts_check(args.data), "<!-- /generated -->"]
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split("<!-- generated -->", 1)
    tail = rest.split("<!-- /generated -->", 1)[1]
    DOC.write_text(head + "\n".join(part) + tail, encoding="utf-8")
    print("\n".join(part))


if __name__ == "__main__":
    main()
