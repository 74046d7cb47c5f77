"""``dollarliq dashboard``: the page's content, the CLI, and the page in a real browser.

The browser test opens the file from file:// in Debian's Chromium (driven by Playwright),
blocks and counts every non-file request, and checks that each chart drew its SVG.
Under ``CI=true`` a missing Chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dollarliq.cli import app
from dollarliq.api import dashboard
from dollarliq.store import Store

AS_OF = pd.Timestamp("2025-11-03")
MAX_BYTES = 6_000_000
CHROMIUM = os.environ.get("DOLLARLIQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def pages():
    """The English and Chinese pages for 2025-11-03, built once from the snapshot."""
    with Store(":memory:") as store:
        en, rep = dashboard(AS_OF, lang="en", store=store,
                            extra_sections=[("Track record", "<p id='tr'>hits 3/5</p>")])
        zh, _ = dashboard(AS_OF, lang="zh", store=store)
    return {"en": en, "zh": zh, "res": rep.engine}


def test_the_page_is_self_contained_and_under_6_mb(pages):
    page = pages["en"]
    assert len(page.encode("utf-8")) < MAX_BYTES
    # Plotly inlined exactly once; nothing loaded from elsewhere.
    assert page.count("Plotly.newPlot(") == page.count('<div class="chart"')
    assert len(re.findall(r"<script[^>]*\bsrc=", page)) == 0
    assert not re.search(r"""<link[^>]+href=["']https?:""", page)
    assert page.count("window.PlotlyConfig") <= 1 and "plotly.js v" in page.lower()


def test_the_page_shows_stage_score_records_bubbles_and_episodes(pages):
    page, res = pages["en"], pages["res"]
    level = int(res.stages.table["level"].iloc[-1])
    name = res.stages.table["name"].iloc[-1]
    assert f"Stage {level}: {name}" in page
    assert re.search(r"Stress score \d+/100", page)
    assert "lowest since 2023-01-04" in page  # reserves on 2025-10-29 (WRESBAL)
    assert "+32 bp on 2025-10-31" in page
    for label in ["Sept 2019 repo spike", "Mar 2020 dash for cash", "Mar 2023 bank failures",
                  "Dec 2022 ON RRP peak", "Oct 2025 month-end squeeze"]:
        assert label in page
    for section in ["Net liquidity and its parts", "reserve demand curve", "The TGA drain",
                    "The ON RRP buffer", "Tech-bubble gauges", "RSP − SPY"]:
        assert section in page
    # An unavailable gauge is a plain status line, not a missing panel.
    assert "Insider selling (SEC Form 4): unavailable" in page
    # The hook for other sections: appended, title escaped, fragment as given.
    assert page.index("<h2>Track record</h2>") > page.index('id="bubble"')
    assert "<p id='tr'>hits 3/5</p>" in page


def test_the_chinese_page(pages):
    page = pages["zh"]
    assert 'lang="zh-CN"' in page
    assert "阶段 2: 枯竭 (drained)" in page  # held since the 2025-10-31 repo take-up
    assert "2019年9月回购利率飙升" in page and "净流动性及其构成" in page
    assert "不构成投资建议" in page


def test_cli_dashboard_writes_the_file(home, tmp_path):
    out = tmp_path / "d.html"
    res = CliRunner().invoke(app, ["dashboard", "--as-of", "2025-10-31", "--out", str(out),
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size < MAX_BYTES
    assert f"dashboard written to {out}" in res.stderr
    assert "as of 2025-10-31" in out.read_text(encoding="utf-8")
    quiet = CliRunner().invoke(app, ["dashboard", "--as-of", "2025-10-31", "--out", str(out),
                                     "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_cli_dashboard_bad_date_is_a_usage_error(home, tmp_path):
    res = CliRunner().invoke(app, ["dashboard", "--as-of", "2025-13-01",
                                   "--out", str(tmp_path / "x.html")])
    assert res.exit_code == 2
    assert "is not a date" in res.stderr
    assert not (tmp_path / "x.html").exists()


# --- the real browser ----------------------------------------------------------------------
def _browser_or_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _browser_or_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        profile = tempfile.mkdtemp(prefix="dollarliq-chromium-")
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1366, "height": 900})
        try:
            yield ctx
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


def _open(ctx, path: Path, width: int):
    page = ctx.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.chart').length > 0 && "
        "document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= "
        "document.querySelectorAll('.chart').length", timeout=20_000)
    return page, errors, outside


@pytest.mark.slow
def test_the_dashboard_renders_in_chromium(pages, browser, tmp_path):
    path = tmp_path / "dashboard.html"
    path.write_text(pages["en"], encoding="utf-8")
    page, errors, outside = _open(browser, path, 1366)
    charts = page.eval_on_selector_all(".chart", "els => els.map(e => e.id)")
    assert len(charts) >= 7
    for cid in charts:
        assert page.locator(f"#{cid}.js-plotly-plot svg.main-svg").count() >= 1, cid
        # something was drawn: traces in the plot area
        assert page.locator(f"#{cid} g.trace, #{cid} g.points").count() >= 1, cid
    assert errors == []
    assert outside == []
    assert "Stage 2: drained" in page.inner_text("#stage")  # held since 2025-10-31
    page.screenshot(path=str(tmp_path / "dashboard-laptop.png"), full_page=True)
    assert (tmp_path / "dashboard-laptop.png").stat().st_size > 50_000
    if os.environ.get("DOLLARLIQ_SCREENSHOT"):  # refresh docs/dashboard.png
        page.screenshot(path=os.environ["DOLLARLIQ_SCREENSHOT"], full_page=True,
                        clip={"x": 0, "y": 0, "width": 1366, "height": 2000})
    page.close()


@pytest.mark.slow
def test_the_dashboard_fits_a_phone(pages, browser, tmp_path):
    path = tmp_path / "dashboard-zh.html"
    path.write_text(pages["zh"], encoding="utf-8")
    page, errors, outside = _open(browser, path, 390)
    assert errors == [] and outside == []
    columns = page.evaluate("getComputedStyle(document.querySelector('main'))"
                            ".gridTemplateColumns.split(' ').length")
    assert columns == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    width = page.evaluate("document.querySelector('#chart-1 svg.main-svg').getBoundingClientRect().width")
    assert 250 <= width <= 390
    page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    page.close()
