"""Load the report in a real headless Chromium from file://, offline: no JS errors, every figure drawn."""

from __future__ import annotations

import shutil
import time

import pytest

from loccount.outputs import write_report
from tests.report_data import PROVENANCE, areas, changes, tidy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver packages (apt-get install chromium chromium-driver)",
    ),
]

FIGURES = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (plot) {
  return {
    id: plot.id,
    traces: (plot._fullData || []).length,
    drawn: plot.querySelectorAll('g.trace, g.slice, g.barlayer .point, g.scatterlayer .trace').length,
    svg: plot.querySelectorAll('svg.main-svg').length
  };
});
"""


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    output = tmp_path_factory.mktemp("site")
    hostile = {"heat": '<img src=x onerror="window.__pwned=1">'}
    data = (tidy(hostile), areas(hostile), PROVENANCE, output)
    write_report(*data, images=False, say=lambda _m: None, changes=changes(hostile))
    return output


def load(browser, path) -> tuple[list[dict], list[dict]]:
    browser.get_log("browser")  # drop entries from earlier pages
    browser.get(path.as_uri())
    deadline = time.monotonic() + 20
    figures: list[dict] = []
    while time.monotonic() < deadline:
        figures = browser.execute_script(FIGURES)
        if figures and all(f["traces"] and f["drawn"] for f in figures):
            break
        time.sleep(0.2)
    return figures, browser.get_log("browser")


@pytest.mark.parametrize("page", ["index.html", "project-nova.html"])
def test_page_renders_every_figure_without_errors(browser, site, page) -> None:
    figures, logs = load(browser, site / page)
    errors = [entry for entry in logs if entry["level"] == "SEVERE"]
    assert errors == []
    expected = {
        "index.html": {"headline", "growth", "share", "treemap"},
        "project-nova.html": {"breakdown", "split", "changes"},
    }
    assert {f["id"] for f in figures} == expected[page]
    for figure in figures:
        assert figure["svg"] >= 1 and figure["traces"] >= 1 and figure["drawn"] >= 1, figure
    assert browser.execute_script("return window.__pwned === undefined")


def test_hostile_project_page_runs_no_injected_script(browser, site) -> None:
    page = next(p for p in site.glob("project-*.html") if "nova" not in p.name)
    figures, logs = load(browser, page)
    assert [e for e in logs if e["level"] == "SEVERE"] == []
    assert figures and all(f["drawn"] for f in figures)
    assert browser.execute_script("return window.__pwned === undefined")


def test_headline_images_with_the_system_chromium(tmp_path) -> None:
    messages: list[str] = []
    written = write_report(tidy(), areas(), PROVENANCE, tmp_path, images=True, say=messages.append)
    images = {p.name: p for p in written if p.suffix in (".png", ".svg")}
    assert messages == []
    assert set(images) == {"headline.png", "headline.svg"}
    assert images["headline.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in images["headline.svg"].read_bytes()[:2000]
