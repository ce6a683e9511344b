"""Load the report in a real headless Chromium from file://, offline: no JS errors, every figure drawn."""

from __future__ import annotations

import re
import time

import pytest

from loccount.report.outputs import write_report
from tests.chromium import CHROMEDRIVER, CHROMIUM, start
from tests.report_data import PROVENANCE, areas, changes, tags_only, tidy

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
    driver = start(logs=True)
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


AXES = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (plot) {
  var layout = plot._fullLayout, types = [];
  Object.keys(layout).forEach(function (key) { if (/^xaxis\\d*$/.test(key)) { types.push(layout[key].type); } });
  return {
    id: plot.id,
    xtypes: types,
    points: (plot._fullData || []).map(function (t) { return (t.y || t.values || []).length; })
  };
});
"""


@pytest.fixture(scope="module")
def own_repositories(tmp_path_factory):
    """Two projects with unrelated version schemes, tagged at interleaved dates, and their reports."""
    from loccount.config import parse_config
    from loccount.counting.engine import EngineOptions
    from loccount.options import RunOptions
    from loccount.report.outputs import write_outputs
    from loccount.runs import count_config
    from tests.gitrepo import RepoBuilder

    root = tmp_path_factory.mktemp("own")
    alpha, beta = RepoBuilder(root / "alpha"), RepoBuilder(root / "beta")
    for month, (tag, lines) in enumerate([("1.9", 5), ("1.10", 8), ("2.0", 12)], start=1):
        alpha.release(
            tag,
            {"alpha/core.py": "x = 1\n" * lines, "tests/test_core.py": "y = 2\n" * month},
            date=f"2021-{2 * month:02d}-01T00:00:00+00:00",
        )
    for month, (tag, lines) in enumerate([("v0.1.0", 3), ("v0.2.0", 6)], start=1):
        beta.release(
            tag,
            {"beta.py": "z = 3\n" * lines, "test_beta.py": "w = 4\n"},
            date=f"2021-{2 * month + 1:02d}-01T00:00:00+00:00",
        )
    configs = {
        "tags": f"projects:\n  - name: alpha\n    url: '{alpha.path}'\n    tags_matching: '\\d+\\.\\d+'\n"
        f"  - name: beta\n    url: '{beta.path}'\n    tags: [v0.1.0, v0.2.0]\n",
        "snapshots": f"title: Alpha and beta, month by month\nprojects:\n  - name: alpha\n    url: '{alpha.path}'\n"
        f"    every: month\n    until: 2021-07-31\n  - name: beta\n    url: '{beta.path}'\n    every: quarter\n"
        "    until: 2021-07-31\n",
    }
    sites = {}
    for name, text in configs.items():
        config = parse_config(text, f"{name}.yaml")
        options = RunOptions(cache_dir=root / "cache", engine=EngineOptions(jobs=1))
        analysis = count_config(config, options=options, with_changes=True)
        sites[name] = root / name
        write_outputs(analysis.result, sites[name], images=False, title=config.title, say=lambda _m: None)
    return sites


@pytest.mark.parametrize("kind", ["tags", "snapshots"])
def test_own_repositories_render_every_figure_on_a_date_axis(browser, own_repositories, kind) -> None:
    from loccount.releases.series import KNOWN_SERIES

    site = own_repositories[kind]
    for page in ("index.html", "project-alpha.html"):
        _figures, logs = load(browser, site / page)
        assert [entry for entry in logs if entry["level"] == "SEVERE"] == []
        axes = {figure["id"]: figure for figure in browser.execute_script(AXES)}
        expected = (
            {"headline", "growth", "share", "treemap"} if page == "index.html" else {"breakdown", "split", "changes"}
        )
        assert set(axes) == expected
        for figure in axes.values():
            assert figure["points"] and min(figure["points"]) >= 1, (page, figure)  # every trace has data
        if page == "index.html":
            for chart in ("headline", "growth", "share"):  # charts that mix projects share a time axis
                assert set(axes[chart]["xtypes"]) == {"date"}, (chart, axes[chart])
        else:
            for chart in ("breakdown", "split", "changes"):  # a project's own page: its versions in order
                assert set(axes[chart]["xtypes"]) == {"category"}, (chart, axes[chart])
        text = (site / page).read_text()
        words = re.findall(r"[A-Za-z]+", browser.find_element("tag name", "body").text + text)
        assert "OpenStack" not in text and "openstack" not in text.lower()
        series_names = {s.name for s in KNOWN_SERIES}
        assert not series_names & {word.lower() for word in words}, page
    index = (site / "index.html").read_text()
    if kind == "snapshots":
        assert "Alpha and beta, month by month" in index
    else:
        alpha = (site / "project-alpha.html").read_text()
        assert alpha.index('"1.9"') < alpha.index('"1.10"') < alpha.index('"2.0"')  # version order, not text order


DRAWN = """
var plot = document.getElementById(arguments[0]);
var layout = plot._fullLayout;
return {
  axes: Object.keys(layout).filter(function (k) { return /^xaxis\\d*$/.test(k); }).map(function (k) {
    return {range: layout[k].range, ticks: (layout[k].ticktext || []).length, type: layout[k].type};
  }),
  traces: plot._fullData.map(function (t) {
    return {name: t.name, color: (t.line || {}).color, mode: t.mode, x: t.x, stack: t.stackgroup || ''};
  })
};
"""


def test_what_a_reader_sees_is_honest(browser, tmp_path) -> None:
    """In Chromium, on fixture reports: distinct project colours, the same on a second render;
    growth panels on one x range with ticks; the newest release drawn past its date with
    markers; and the banner of a run in which a project failed."""
    from dataclasses import replace

    from loccount.report.charts import project_colors

    first, second = tmp_path / "first", tmp_path / "second"
    failed = replace(PROVENANCE, failures={"keystone": "cannot fetch https://example.invalid/keystone: refused"})
    for output in (first, second):
        write_report(tidy(), areas(), failed, output, images=False, say=lambda _m: None, changes=changes())
    colours = []
    for output in (first, second):
        load(browser, output / "index.html")
        share = browser.execute_script(DRAWN, "share")
        colours.append({t["name"]: t["color"] for t in share["traces"]})
        banner = browser.find_element("id", "failures").text
        assert "1 project could not be counted in this run" in banner and "keystone: cannot fetch" in banner
    assert colours[0] == colours[1] == project_colors(tidy())
    assert len(set(colours[0].values())) == len(colours[0])
    growth = browser.execute_script(DRAWN, "growth")
    assert len(growth["axes"]) == 2 and all(
        a["range"] == growth["axes"][0]["range"] and a["ticks"] for a in growth["axes"]
    )
    dated = tmp_path / "dated"
    write_report(tags_only(), areas(), PROVENANCE, dated, images=False, say=lambda _m: None)
    load(browser, dated / "index.html")
    headline = browser.execute_script(DRAWN, "headline")
    stacked = [t for t in headline["traces"] if t["stack"]]
    assert stacked and all("markers" in t["mode"] for t in stacked)
    newest = max(tags_only()["date"]).strftime("%Y-%m-%d")
    assert all(str(t["x"][-1])[:10] > newest for t in stacked)  # the newest level runs on past it


ROWS = "return Array.from(document.querySelectorAll('#latest tbody tr')).filter(r => !r.hidden).map(r => r.cells[0].textContent)"


def test_the_project_table_sorts_by_any_column_and_finds_projects(browser, tmp_path) -> None:
    """Hundreds of projects: the charts name the largest, the table must find any of them."""
    from tests.report_data import with_glance

    frame = with_glance()
    frame = frame[~((frame["project"] == "heat") & (frame["series"] != "kilo"))]  # heat: Kilo only, no growth
    write_report(frame, areas(), PROVENANCE, tmp_path, images=False, say=lambda _m: None)
    _figures, logs = load(browser, tmp_path / "index.html")
    assert [entry for entry in logs if entry["level"] == "SEVERE"] == []
    heads = {h.text: h for h in browser.find_elements("css selector", "#latest thead th")}
    assert browser.execute_script(ROWS) == ["nova", "glance", "heat"]  # the table's own order: first release
    heads["code lines"].click()  # numbers: largest first, then smallest
    assert browser.execute_script(ROWS) == ["nova", "glance", "heat"]  # 300, 160, 80
    assert heads["code lines"].get_attribute("aria-sort") == "descending"
    heads["code lines"].click()
    assert browser.execute_script(ROWS) == ["heat", "glance", "nova"]
    heads["code growth"].click()  # heat has no release before its one: last either way
    assert browser.execute_script(ROWS) == ["nova", "glance", "heat"]  # +100, +60, none
    heads["code growth"].click()
    assert browser.execute_script(ROWS) == ["glance", "nova", "heat"]
    assert heads["code lines"].get_attribute("aria-sort") == "none"
    heads["project"].click()  # text: A to Z first
    assert browser.execute_script(ROWS) == ["glance", "heat", "nova"]
    heads["type"].click()
    assert browser.execute_script(ROWS)[0] == "glance"  # library before service
    search = browser.find_element("id", "project-search")
    search.send_keys("SERV")  # type, name, deliverable or team; any case
    assert browser.execute_script(ROWS) == ["heat", "nova"]
    assert browser.find_element("id", "project-count").text == "2 of 3"
    search.send_keys(" nov")  # every word must match
    assert browser.execute_script(ROWS) == ["nova"]
    assert browser.find_element("id", "project-count").text == "1 of 3"
