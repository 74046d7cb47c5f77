"""Build the embedded data snapshot from the real-data bundle.

Reads the public data files (FRED, Treasury DTS, Yahoo prices, Shiller) with their
provenance documented in the bundle's README, converts each series to its stored unit once
(from the catalog), stamps each observation with the date it became public (the catalog's
release rule), and writes one compact Parquet file inside the package.

Usage:
    python scripts/build_snapshot.py [--data DIR] [--out src/dollarliq/data/snapshot.parquet]

DIR defaults to ``shared/data`` next to the repository.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dollarliq.catalog import CATALOG, MEGACAPS, SeriesSpec  # noqa: E402
from dollarliq.catalog import SHARES_TICKERS, WEIGHTED_SHARES_TICKERS  # noqa: E402
PRICE_FILES = {"SPY": "SPY.csv", "QQQ": "QQQ.csv", "RSP": "RSP.csv", "VIX": "VIX.csv",
               "DXY": "DX-Y.NYB.csv"}
TREASURY_FILES = {"TGA_DTS": ("treasury/DTS_TGA_CLOSE.csv",
                             "treasury/DTS_TGA_CLOSE_2026-06-24_2026-09-22.csv",
                             "treasury/DTS_TGA_CLOSE_2026-09-23_2026-10-01.csv")}
NYFED_FILES = {"TGCR": ("nyfed/TGCR.csv", "nyfed/TGCR_2026-08-21_2026-10-01.csv"),
               "BGCR": ("nyfed/BGCR.csv", "nyfed/BGCR_2026-08-21_2026-10-01.csv")}
#: A FRED extension file: ``fred/<ID>_<first>_<last>.csv`` continues ``fred/<ID>.csv``. Other
#: names with more parts (``STLFSI4_vintage_...``: a later vintage of a re-estimated index,
#: not a continuation) are not joined.
FRED_EXTENSION = re.compile(r"^(?P<id>[A-Z0-9]+)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
OFR_COLUMNS = {"OFR_FSI": "OFR FSI", "OFR_FSI_FUNDING": "Funding"}
# Newer rows that extend a price file past its end: [(file, column), ...] in order. Rows are
# appended only after the last date so far, and only if the two agree on their overlap.
# The 2026-08-24..10-01 files hold the raw (split-adjusted, not dividend-adjusted) close: for
# SPY and QQQ they continue the dividend-adjusted series on its 2026-08 basis, so their
# September 2026 ex-dividend day is not adjusted (docs/sources.md).
_RAW_0824 = "prices/raw_close_2026-08-24_2026-10-01/%s.csv"
PRICE_EXTENSIONS = {
    **{t: [("prices/raw_close_to_2026-08/%s.csv" % t, "close"), (_RAW_0824 % t, "close")]
       for t in ("AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA")},
    "VIX": [("prices/raw_close_to_2026-08/VIX.csv", "close")],
    "DXY": [("prices/raw_close_to_2026-08/DX-Y.NYB.csv", "close")],
    "SPY": [("prices/SPY_2026-02-24_2026-08-21.csv", "adj_close"), (_RAW_0824 % "SPY", "close")],
    "QQQ": [("prices/QQQ_2026-02-24_2026-08-21.csv", "adj_close"), (_RAW_0824 % "QQQ", "close")],
}
#: Point-in-time share counts of the megacaps (one CSV per ticker, see its README).
SHARES_DIR = "sec/shares_2026-12-05"


def _frame(spec: SeriesSpec, dates: pd.Series, values: pd.Series,
           scale: float | None = None) -> pd.DataFrame:
    """Stored units and release dates for one series (``scale`` defaults to the catalog's)."""
    d = pd.to_datetime(dates)
    v = pd.to_numeric(values, errors="coerce") * (spec.scale if scale is None else scale)
    out = pd.DataFrame({"series_id": spec.id, "obs_date": d, "value": v})
    out = out.dropna(subset=["obs_date"]).drop_duplicates("obs_date", keep="last")
    out["as_of"] = pd.to_datetime(spec.release.apply(pd.DatetimeIndex(out["obs_date"])))
    return out


def _price_column(spec: SeriesSpec, df: pd.DataFrame) -> pd.Series:
    if spec.field == "adjclose":
        return df["adj_close"]
    return df["close"] if "close" in df else df["adj_close"]


def megacap_prices(data: Path, ticker: str) -> pd.DataFrame:
    """The recent file on its own split basis, extended back with the older history file.

    The older file is put on the recent file's split basis by the close ratio measured on
    the overlap (exactly 1.0, or 0.1 for the 2024 10:1 splits of NVDA and AVGO).
    """
    new = pd.read_csv(data / "prices" / f"{ticker}.csv", parse_dates=["date"])
    hist_path = data / "prices" / "history" / f"{ticker}_2000_2024.csv"
    if not hist_path.exists():
        return new
    old = pd.read_csv(hist_path, parse_dates=["date"])
    both = new.merge(old, on="date", suffixes=("", "_old"))
    ratio = (both["close"] / both["close_old"]).to_numpy()
    factor = float(np.median(ratio))
    if not np.allclose(ratio, factor, rtol=1e-5):
        raise SystemExit(f"{ticker}: split basis is not constant on the overlap")
    older = old[old["date"] < new["date"].min()].copy()
    older["close"] = older["close"] * factor
    return pd.concat([older[["date", "close"]], new[["date", "close"]]], ignore_index=True)


def extend_prices(data: Path, ticker: str, base: pd.DataFrame, column: str) -> pd.DataFrame:
    """Append the newer rows of the ticker's extension file after ``base``'s last date.

    The extension must agree with ``base`` on their common days (closes within 0.5% on at least 99% of the last 250 common days: the
    files differ only by 4-dp rounding and, for the dividend-adjusted ETFs, by adjustment
    vintage), otherwise the build stops rather than join two price bases.
    """
    for rel, col in PRICE_EXTENSIONS.get(ticker, []):
        base = _extend_one(data, ticker, base, column, rel, col)
    return base


def _extend_one(data: Path, ticker: str, base: pd.DataFrame, column: str, rel: str,
                col: str) -> pd.DataFrame:
    ext = pd.read_csv(data / rel, parse_dates=["date"])
    ext = ext[["date", col]].rename(columns={col: column}).dropna()
    base = base.assign(date=pd.to_datetime(base["date"]))
    both = base[["date", column]].merge(ext, on="date", suffixes=("", "_ext")).dropna()
    if len(both):
        ratio = (both[column + "_ext"] / both[column]).tail(250).to_numpy()
        off = np.abs(ratio - 1.0) > 5e-3  # a single odd print (VIX 2025-09-08) is tolerated
        if off.mean() > 0.01:
            raise SystemExit(f"{ticker}: {rel} is on another price basis than the base file")
    newer = ext[ext["date"] > base["date"].max()]
    return pd.concat([base, newer], ignore_index=True)


def _share_rows(path: Path) -> pd.DataFrame:
    """One count per cover date of one company (obs_date, value, as_of), from its CSV.

    Columns ``as_of_date,filed_date,form,shares,class,source``. Single-class issuers: the
    ``common`` rows (AVGO: Broadcom Inc. only, the catalog's CIK 1730168; the Broadcom Ltd
    rows of 2016 are another issuer, whose count left out its exchangeable units). META: the
    class A and B cover counts of one filing added. GOOGL: the all-class balance-sheet totals
    (the catalog's us-gaap:CommonStockSharesOutstanding), not the single 10-K's cover counts.
    A row without a cover date (AVGO) is dated by its filing date, the latest date the count
    can describe. Public on the filing date.
    """
    df = pd.read_csv(path, dtype={"class": str})
    cls = df["class"].fillna("")
    ticker = path.stem
    if ticker == "GOOGL":
        df = df[cls == "A+B+C balance-sheet total"]
    elif ticker == "META":
        df = df[cls.isin(["A", "B"])]
    elif ticker == "AVGO":
        df = df[cls.str.contains("CIK 1730168", regex=False)]
    else:
        df = df[cls == "common"]
    obs = pd.to_datetime(df["as_of_date"].where(df["as_of_date"].notna(), df["filed_date"]))
    rows = pd.DataFrame({"obs_date": obs, "value": df["shares"].astype(float),
                         "as_of": pd.to_datetime(df["filed_date"])})
    out = rows.groupby(["obs_date", "as_of"], as_index=False)["value"].sum()
    if ticker == "META" and (df.groupby("as_of_date")["class"].nunique() != 2).any():
        raise SystemExit("META: a filing without both class A and class B counts")
    return out.drop_duplicates("obs_date", keep="first")


def sec_share_counts(data: Path) -> list[pd.DataFrame]:
    """SEC share counts, as reported (no split adjustment), public on their filing date.

    ``sec/shares_2026-12-05/<T>.csv``: one count per cover date with its filing date (see
    :func:`_share_rows`). press_release_weighted_shares.csv: weighted-average basic shares per
    fiscal quarter from earnings releases, dated and released on ``release_date`` (rows
    without one are left out).
    """
    frames = []
    sec = data / "sec"
    for t in SHARES_TICKERS:
        path = sec / SHARES_DIR.removeprefix("sec/") / f"{t}.csv"
        if not path.exists():
            print(f"  no share counts for {t}")
            continue
        spec = CATALOG[f"SHARES_{t}"]
        df = _share_rows(path)
        frames.append(pd.DataFrame({"series_id": spec.id, "obs_date": df["obs_date"],
                                    "value": df["value"] * spec.scale,
                                    "as_of": df["as_of"]}))
    path = sec / "press_release_weighted_shares.csv"
    if path.exists():
        pr = pd.read_csv(path, parse_dates=["release_date"])
        for t in WEIGHTED_SHARES_TICKERS:
            spec = CATALOG[f"WASHARES_{t}"]
            rows = pr[(pr["ticker"] == t) & pr["release_date"].notna()]
            rows = rows.drop_duplicates("release_date", keep="last")
            frames.append(pd.DataFrame({
                "series_id": spec.id, "obs_date": rows["release_date"],
                "value": pd.to_numeric(rows["shares_basic_as_printed"]) * spec.scale,
                "as_of": rows["release_date"]}))
    return frames


#: Long daily and weekly history before the bundle's files begin (see its README).
HISTORY_DIR = "history"
#: History is kept from this date: the stage replay starts in 2003 and its baselines look back.
HISTORY_FROM = pd.Timestamp("2000-01-01")
#: History files not named by a catalog id.
HISTORY_IDS = {"OFR_REPO-TRI_AR_OO-P": "OFR_REPO_TRI"}


def history_file(path: Path) -> pd.DataFrame:
    """One ``history/`` file (date, value) from :data:`HISTORY_FROM` on, empty values dropped."""
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    return df[df["date"] >= HISTORY_FROM].dropna().reset_index(drop=True)


def join_extensions(name: str, base: pd.DataFrame, extensions: list[pd.DataFrame],
                    rtol: float = 1e-6, atol: float = 5e-4) -> pd.DataFrame:
    """``base`` (date, value) continued by each extension's rows after its last date.

    The build stops if an extension disagrees with what it continues on a common date, or if
    it would leave a gap of more than 10 days.
    """
    out = base.assign(date=pd.to_datetime(base["date"]))
    for ext in extensions:
        ext = ext.assign(date=pd.to_datetime(ext["date"]))
        both = out.merge(ext, on="date", suffixes=("", "_ext")).dropna()
        if len(both) and not np.allclose(both["value_ext"], both["value"], rtol=rtol,
                                         atol=atol):
            raise SystemExit(f"{name}: an extension disagrees with the file it continues")
        newer = ext[ext["date"] > out["date"].max()]
        if len(newer) and (newer["date"].min() - out["date"].max()).days > 10:
            raise SystemExit(f"{name}: an extension leaves a gap after {out['date'].max():%Y-%m-%d}")
        out = pd.concat([out, newer], ignore_index=True)
    return out


def build(data: Path) -> pd.DataFrame:
    frames: list[pd.DataFrame] = []
    fred = sorted((data / "fred").glob("*.csv"))
    for path in fred:
        if FRED_EXTENSION.match(path.stem):
            continue
        spec = CATALOG.get(path.stem)
        if spec is None:
            why = ("not a continuation (another vintage)" if path.stem.split("_")[0] in CATALOG
                   else "not in the catalog")
            print(f"  skip {path.name}: {why}")
            continue
        exts = [pd.read_csv(p) for p in fred
                if (m := FRED_EXTENSION.match(p.stem)) and m["id"] == path.stem]
        base = pd.read_csv(path)
        hist = data / HISTORY_DIR / path.name
        if hist.exists():  # the long history first, the bundle's file continues it
            base, exts = history_file(hist), [base, *exts]
        df = join_extensions(path.stem, base, exts)
        frames.append(_frame(spec, df["date"], df["value"], spec.mirror_scale))
    for path in sorted((data / HISTORY_DIR).glob("*.csv")):
        sid = HISTORY_IDS.get(path.stem, path.stem)
        if (data / "fred" / path.name).exists():
            continue  # joined above
        spec = CATALOG[sid]
        df = history_file(path)
        frames.append(_frame(spec, df["date"], df["value"], spec.mirror_scale))
    for sid, rels in {**TREASURY_FILES, **NYFED_FILES}.items():
        df = join_extensions(sid, pd.read_csv(data / rels[0]),
                             [pd.read_csv(data / rel) for rel in rels[1:]])
        frames.append(_frame(CATALOG[sid], df["date"], df["value"]))
    ofr = pd.read_csv(data / "ofr" / "OFR_FSI.csv")
    for sid, col in OFR_COLUMNS.items():
        frames.append(_frame(CATALOG[sid], ofr["date"], ofr[col]))
    for t in MEGACAPS:
        df = extend_prices(data, t, megacap_prices(data, t), "close")
        frames.append(_frame(CATALOG[t], df["date"], _price_column(CATALOG[t], df)))
    for sid, fname in PRICE_FILES.items():
        df = pd.read_csv(data / "prices" / fname)
        column = "adj_close" if CATALOG[sid].field == "adjclose" or "close" not in df else "close"
        df = extend_prices(data, sid, df, column)
        frames.append(_frame(CATALOG[sid], df["date"], df[column]))
    frames.extend(sec_share_counts(data))
    shiller = pd.read_csv(data / "shiller" / "SP_DV_1871_2010.csv", sep=";", dtype=str)
    year = shiller["Date"].str.split(".").str[0]
    month = shiller["Date"].str.split(".").str[1].str.ljust(2, "0")
    dates = pd.to_datetime(year + "-" + month + "-01")
    frames.append(_frame(CATALOG["SHILLER_PD"], dates, shiller["price dividend ratio"]))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["series_id", "obs_date"]).reset_index(drop=True)


AUCTION_DIR = "fixtures/treasury_auctions"
#: Auction records kept: issued or maturing from this date on (maturities of older issues
#: are redemptions on the drain calendar).
AUCTIONS_FROM = pd.Timestamp("2015-01-01")


def auction_records(data: Path) -> pd.DataFrame:
    """Auction records (one per CUSIP and issue date) from the bundle's auction files.

    Amounts, maturity, type and term: TreasuryDirect's jqsearch export (file 4 of the
    bundle's README). Auction dates: the FiscalData auctions CSV (file 3), joined on (CUSIP,
    issue date); its announcement PDF name ``A_YYYYMMDD_N.pdf`` carries the announcement date.
    TreasuryDirect's auctioned export (file 5) adds AnnouncementDate and AuctionDate where it
    has the row (the later announcement date wins where the two disagree) and the coupon
    auctions issued after file 4's end (its bills are incomplete and are not added); the
    FiscalData January 2026 bill results (file 1) add their dates. Records without an auction
    date from any file are left out (their point in time is unknown).
    """
    d = data / AUCTION_DIR
    td = pd.read_csv(d / "treasurydirect_jqsearch_subset_issue_1979-11-15_2026-02-17.csv.gz",
                     dtype=str)
    td = td.loc[:, ~td.columns.duplicated()]
    rec = pd.DataFrame({
        "cusip": td["cusip"], "issue_date": pd.to_datetime(td["issueDate"].str[:10]),
        "security_type": td["securityType"], "security_term": td["securityTerm"],
        "maturity_date": pd.to_datetime(td["maturityDate"].str[:10]),
        "offering_amt": pd.to_numeric(td["offeringAmount"]),
        "total_accepted": pd.to_numeric(td["totalAccepted"])})
    fd = pd.read_csv(d / "Auctions_Query_19791115_20251215.csv", encoding="utf-8-sig",
                     dtype=str, na_values=["null"])
    fd = pd.DataFrame({
        "cusip": fd["CUSIP"], "issue_date": pd.to_datetime(fd["Issue Date"]),
        "auction_date": pd.to_datetime(fd["Auction Date"]),
        "announced": pd.to_datetime(fd["Download PDF - Announcement"].str.extract(
            r"A_(\d{8})_")[0], format="%Y%m%d")})
    rec = rec.merge(fd, on=["cusip", "issue_date"], how="left")
    ta = pd.read_csv(d / "treasurydirect_auctioned_2025-01-08_2026-06-24.csv", sep=";",
                     dtype=str)
    ta = pd.DataFrame({
        "cusip": ta["Cusip"], "issue_date": pd.to_datetime(ta["IssueDate"].str[:10]),
        "security_type": ta["SecurityType"], "security_term": ta["SecurityTerm"],
        "maturity_date": pd.to_datetime(ta["MaturityDate"].str[:10]),
        "announced": pd.to_datetime(ta["AnnouncementDate"].str[:10]),
        "auction_date": pd.to_datetime(ta["AuctionDate"].str[:10]),
        "offering_amt": pd.to_numeric(ta["OfferingAmount"]),
        "total_accepted": pd.to_numeric(ta["TotalAccepted"])})
    import json

    body = json.loads((d / "fiscaldata_auctions_query_bills_auction_2026-01-01_2026-01-31.json")
                      .read_text())
    fj = pd.DataFrame(body["data"])
    fj = pd.DataFrame({"cusip": fj["cusip"], "issue_date": pd.to_datetime(fj["issue_date"]),
                       "announced": pd.to_datetime(fj["announcemt_date"]),
                       "auction_date": pd.to_datetime(fj["auction_date"])})
    for extra in (ta[["cusip", "issue_date", "announced", "auction_date"]], fj):
        rec = rec.merge(extra, on=["cusip", "issue_date"], how="left", suffixes=("", "_x"))
        rec["announced"] = rec[["announced", "announced_x"]].max(axis=1)
        rec["auction_date"] = rec["auction_date"].fillna(rec["auction_date_x"])
        rec = rec.drop(columns=["announced_x", "auction_date_x"])
    newer = ta[(ta["security_type"] != "Bill") & (ta["issue_date"] > rec["issue_date"].max())]
    rec = pd.concat([rec, newer], ignore_index=True)
    rec["announced"] = rec["announced"].fillna(rec["auction_date"])
    keep = ((rec["issue_date"] >= AUCTIONS_FROM) | (rec["maturity_date"] >= AUCTIONS_FROM))
    dropped = int((keep & rec["auction_date"].isna()).sum())
    rec = rec[keep & rec["auction_date"].notna()].copy()
    rec["source"] = "snapshot"
    print(f"  auctions: {len(rec)} records, {dropped} without an auction date left out")
    cols = ["cusip", "issue_date", "security_type", "security_term", "maturity_date",
            "announced", "auction_date", "offering_amt", "total_accepted", "source"]
    return rec[cols].sort_values(["issue_date", "cusip"]).reset_index(drop=True)


def write_auctions(rec: pd.DataFrame, out: Path) -> None:
    table = pa.table({
        "cusip": pa.array(rec["cusip"], pa.string()),
        **{c: pa.array(rec[c].dt.date, pa.date32())
           for c in ("issue_date", "maturity_date", "announced", "auction_date")},
        "security_type": pa.array(rec["security_type"], pa.string()).dictionary_encode(),
        "security_term": pa.array(rec["security_term"], pa.string()).dictionary_encode(),
        "offering_amt": pa.array(rec["offering_amt"], pa.float64()),
        "total_accepted": pa.array(rec["total_accepted"], pa.float64()),
        "source": pa.array(rec["source"], pa.string()).dictionary_encode(),
    })
    pq.write_table(table, out, compression="zstd", compression_level=19)


def write(df: pd.DataFrame, out: Path) -> None:
    table = pa.table({
        "series_id": pa.array(df["series_id"]).dictionary_encode(),
        "obs_date": pa.array(df["obs_date"].dt.date, pa.date32()),
        "value": pa.array(df["value"], pa.float64()),
        "as_of": pa.array(df["as_of"].dt.date, pa.date32()),
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", compression_level=19,
                   row_group_size=1_000_000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "dollarliq" / "data" / "snapshot.parquet")
    ap.add_argument("--auctions-only", action="store_true",
                    help="write only the auction records (auctions.parquet beside --out)")
    args = ap.parse_args()
    auctions_out = args.out.with_name("auctions.parquet")
    write_auctions(auction_records(args.data), auctions_out)
    print(f"auction records -> {auctions_out} ({auctions_out.stat().st_size / 1e6:.2f} MB)")
    if args.auctions_only:
        return
    df = build(args.data)
    write(df, args.out)
    summary = df.dropna(subset=["value"]).groupby("series_id")["obs_date"].agg(["min", "max", "count"])
    print(summary.to_string())
    print(f"{len(df)} rows, {df['series_id'].nunique()} series -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
