"""``dollarliq bubble gauges`` and ``dollarliq bubble edgar-update``."""

from __future__ import annotations

import sys

import typer

from dollarliq.cli._common import json_text
from dollarliq.cli._common import bubble_app, console, err_console, handle_errors, parse_dates


def _fmt(v, suffix: str = "", nd: int = 1) -> str:
    return "n/a" if v is None else f"{v:,.{nd}f}{suffix}"


def wrap_lines(text: str, width: int) -> str:
    """Each line of ``text`` wrapped to ``width`` columns between words, continued two
    spaces deeper than it starts; a word is never cut."""
    import textwrap

    out = []
    for line in text.splitlines():
        lead = line[:len(line) - len(line.lstrip())]
        out.append(textwrap.fill(line, width=width, subsequent_indent=lead + "  ",
                                 break_long_words=False, break_on_hyphens=False) or line)
    return "\n".join(out)


def render_text(section: dict) -> str:
    """A plain-text page of the gauges section."""
    g = section["gauges"]
    lines = [f"dollarliq bubble gauges, as known on {section['as_of']}", ""]

    def head(name: str, key: str) -> dict | None:
        r = g[key]
        if r["status"] != "ok":
            lines.append(f"{name}: {r['status']}")
            return None
        return r

    if (r := head("Concentration", "concentration")):
        caps = ", ".join(f"{t} {_fmt(v, nd=0)}" for t, v in r["market_cap_usd_bn"].items())
        lines.append(f"Concentration ({r['date']}): basket {', '.join(r['basket'])} = "
                     f"USD {_fmt(r['basket_market_cap_usd_bn'], nd=0)} bn ({caps})")
        if r.get("basket_usd_bn_per_sp500_point") is not None:
            rec = r["basket_per_sp500_record"]
            since = ("a record in the data; " if rec["is_record"] else
                     f"highest since {rec['since']}; " if rec.get("notable", True) else "")
            lines.append(f"  basket / S&P 500: {r['basket_usd_bn_per_sp500_point']:.3f} USD bn "
                         f"per index point ({since}12m change "
                         f"{_fmt(r['basket_per_sp500_change_12m_pct'], '%')})")
        if r["not_covered"]:
            lines.append("  not covered: " + "; ".join(f"{t} ({w})"
                                                       for t, w in r["not_covered"].items()))
    if (r := head("Equal vs cap weight", "equal_vs_cap_weight")):
        rec = r["rsp_spy_ratio_record"]
        lines.append(f"Equal vs cap weight ({r['date']}): RSP - SPY 1m "
                     f"{_fmt(r['rsp_minus_spy_1m_pct'], ' pp')}, 3m "
                     f"{_fmt(r['rsp_minus_spy_3m_pct'], ' pp')}, 12m "
                     f"{_fmt(r['rsp_minus_spy_12m_pct'], ' pp')}"
                     + ("; RSP/SPY at its lowest in the data" if rec["is_record"]
                        else f"; RSP/SPY lowest since {rec['since']}" if rec.get("notable", True)
                        else ""))
    if (r := head("Run-ups", "runups")):
        lines.append("Run-ups (2-year return, GSY 100% flag; net of SPY):")
        for t, x in r["names"].items():
            flag = " RUN-UP" if x["runup_100pct"] else ""
            lines.append(f"  {t:<5} {_fmt(x['return_2y_pct'], '%'):>9}  net "
                         f"{_fmt(x.get('return_2y_net_of_market_pct'), '%'):>9}  vol "
                         f"{_fmt(x['vol_1y_pct'], '%')} (prior {_fmt(x['vol_prior_1y_pct'], '%')})"
                         f"  drawdown {_fmt(x['drawdown_from_2y_high_pct'], '%')}{flag}")
    if (r := head("Fear & greed", "fear_greed")):
        lines.append(f"Fear & greed: {r['composite']:.1f} ({r['label']}), "
                     f"{r['parts_used']} parts")
        for k, p in r["parts"].items():
            lines.append(f"  {k:<17} " + (f"{p['score']:5.1f}  ({p['reading']} "
                                          f"{p['reading_unit']}, {p['date']})"
                                          if p["score"] is not None else p["status"]))
    if (r := head("Dollar hoarding", "dollar_hoarding")):
        sp = "; ".join(f"{s['start']}..{s['end']} ({s['length_obs']}d)" for s in r["spells"])
        lines.append(f"Dollar hoarding ({r['date']}, {r['dollar_series']}, "
                     f"{r['window_obs']} days): {'ON' if r['hoarding_now'] else 'off'}; "
                     f"dollar {_fmt(r['dollar_chg_pct'], '%', 2)}, SPY "
                     f"{_fmt(r['spy_ret_pct'], '%', 2)}, 10y Treasury proxy "
                     f"{_fmt(r['ust10y_proxy_ret_pct'], '%', 2)}")
        lines.append(f"  spells since {r['spells_since']}: {sp or 'none'}")
    if (r := head("Insider selling", "insider_selling")):
        for w, x in r["windows"].items():
            top = ", ".join(f"{s['owner']} ({s['ticker']}) USD {_fmt(s['sales_usd'], nd=0)}"
                            for s in x["largest_sellers"][:3])
            lines.append(f"Insider selling {w}: net sales USD {_fmt(x['net_sales_usd'], nd=0)}"
                         f"; largest: {top or 'none'}")
    if (r := head("Cash hoarding", "cash_hoarding")):
        lines.append(f"Cash hoarding ({r['entity']}, quarter {r['quarter_end']}, filed "
                     f"{r['filed']}): cash + bills {_fmt(r['cash_and_bills_share_pct'], '%')} "
                     f"of assets")
    stale = [(k, r["stale_inputs"]) for k, r in g.items() if r.get("stale_inputs")]
    if stale:
        lines += ["", "Stale inputs (last observation; older than their cadence allows):"]
        lines += [f"  {k}: " + ", ".join(f"{sid} {d}" for sid, d in st.items())
                  for k, st in stale]
    lines += ["", section["notice"]]
    return "\n".join(lines)


@bubble_app.command("gauges")
@handle_errors
def gauges(
    as_of: str = typer.Option(None, "--as-of", help="Use only data public on this date."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Tech-bubble fragility gauges: concentration, run-ups, fear & greed, insider selling,
    cash hoarding and the dollar-hoarding signal, as known on a date.

    Example:
        dollarliq bubble gauges --as-of 2023-12-29 --format json
    """
    from dollarliq import api
    from dollarliq.errors import UsageError

    if fmt not in ("text", "json"):
        raise UsageError(f"--format {fmt!r}: choose text or json")
    d = parse_dates(as_of=as_of)
    section = api.gauges(as_of=d["as_of"])
    if fmt == "json":
        sys.stdout.write(json_text(section))
        return
    sys.stdout.write(wrap_lines(render_text(section), console.width) + "\n")


@bubble_app.command("edgar-update")
@handle_errors
def edgar_update(
    tickers: str = typer.Option(None, "--tickers",
                                help="Comma-separated tickers (default: the megacaps of "
                                     "the catalog, `dollarliq series list --source yahoo`)."),
    since: str = typer.Option(None, "--since",
                              help="Form 4 filings filed on or after this date "
                                   "(default: 400 days ago)."),
    max_filings: int = typer.Option(50, "--max-filings",
                                    help="Form 4 filings per ticker (1-1000)."),
) -> None:
    """Fetch SEC EDGAR data for the gauges: shares outstanding, Form 4 insider filings and
    Berkshire Hathaway's company facts. Needs DOLLARLIQ_SEC_CONTACT ("Name e-mail").

    Example:
        DOLLARLIQ_SEC_CONTACT='Jane Doe jane@example.com' dollarliq bubble edgar-update
    """
    from dollarliq import api

    d = parse_dates(since=since)
    res = api.edgar_update(None if tickers is None else tickers.split(","), since=d["since"],
                           max_filings=max_filings,
                           progress=lambda t: err_console.print(f"  {t} done"))
    console.print(f"shares-outstanding rows added: {res.shares_rows}; Form 4 filings: "
                  f"{sum(res.form4_filings.values())} ({sum(res.transactions.values())} rows); "
                  f"Berkshire company facts: {'yes' if res.berkshire else 'no'}")
    for p in res.problems:
        err_console.print(f"warning: {p}", markup=False)
