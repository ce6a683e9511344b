"""The report of many projects: the headline by deliverable type, the largest projects named and
the rest as others, the table of every project, and what became of each deliverable."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from loccount.report import charts
from loccount.report.deliverables import has_types, type_count, type_headline
from loccount.report.outputs import write_report
from loccount.report.project_table import project_rows
from loccount.tables.tidy import release_summary
from tests.report_data import PROVENANCE, areas, tags_only, tidy, with_glance

LABELS = ["Icehouse<br>2014.1", "Juno<br>2014.2", "Kilo<br>2015.1"]


def typed() -> pd.DataFrame:
    """nova a service, heat a library."""
    frame = tidy()
    return frame.assign(deliverable_type=frame["project"].map({"nova": "service", "heat": "library"}))


def plain() -> pd.DataFrame:
    """The same figures as a table of projects that are no OpenStack deliverables (or an older run's)."""
    return tidy().assign(deliverable=None, deliverable_type=None, team=None)


def test_the_headline_stacks_each_type_with_its_test_code_hatched_above_it() -> None:
    fig = type_headline(typed())
    bars = [(trace.name, trace.marker.pattern.shape or "", list(trace.y)) for trace in fig.data if trace.type == "bar"]
    # the largest type in the newest series at the bottom: service (nova, 300 in Kilo) under library (heat, 80)
    assert bars == [
        ("service", "", [100, 120, 150]),
        ("service", "/", [50, 80, 150]),
        ("library", "", [0, 40, 50]),
        ("library", "/", [0, 10, 30]),
    ]
    assert [trace.showlegend for trace in fig.data][:4] == [True, False, True, False]
    share = fig.data[-1]
    assert share.yaxis == "y2" and list(share.x) == LABELS
    assert [round(v, 4) for v in share.y] == [round(50 / 150, 4), round(90 / 250, 4), round(180 / 380, 4)]
    assert list(share.text) == ["", "", "47.4%"]
    all_lines = fig.layout.updatemenus[0].buttons[1].args[0]["y"]
    assert all_lines[:4] == [[110, 130, 160], [60, 90, 160], [0, 50, 60], [0, 20, 40]]  # code + 10 per row
    assert fig.layout.updatemenus[0].buttons[1].args[0]["text"][-1] == ["", "", "47.6%"]  # 200 of 420 lines
    assert [list(c) for c in fig.layout.updatemenus[0].buttons[0].args[0]["customdata"][-1]] == [
        [150, 1],
        [250, 2],
        [380, 2],
    ]


def test_without_deliverable_types_the_report_is_as_before(tmp_path) -> None:
    assert not has_types(plain()) and has_types(typed())
    write_report(plain(), areas(), PROVENANCE, tmp_path, images=False, say=lambda _m: None)
    index = (tmp_path / "index.html").read_text()
    assert 'id="project-search"' not in index and "sortable" not in index.split("</style>")[1]
    assert '<a href="project-heat.html">heat</a>' in index.split("</nav>")[0]  # every project in the header
    assert '<th class="text">previous</th>' in index and "first counted" not in index
    assert "Every release counted: version, tag and commit" in index
    assert "deliverable type" not in index and '"name":"non-test"' in index
    assert 'id="outcomes"' not in index


def test_the_overview_says_what_became_of_every_deliverable(tmp_path) -> None:
    provenance = replace(
        PROVENANCE,
        deliverable_of={"nova": "nova", "heat": "heat", "requirements": "requirements", "broken": "broken"},
        skipped={"requirements": "no final version in kilo"},
        failures={"broken": "cannot clone"},
    )
    write_report(typed(), areas(), provenance, tmp_path, images=False, say=lambda _m: None)
    index = (tmp_path / "index.html").read_text()
    line = re.search(r'<p id="outcomes">(.*?)</p>', index).group(1)
    assert line == "4 deliverables: 2 counted, 1 skipped, 1 failed."
    listed = re.sub(r"<[^>]+>", "", re.search(r'<details id="not-counted" open>(.*?)</details>', index, re.S).group(1))
    assert listed.split("\n")[1:3] == ["broken failed: cannot clone", "requirements skipped: no final version in kilo"]


def test_the_table_gives_growth_since_the_previous_and_the_first_release() -> None:
    rows = {
        row["project"]: row
        for row in project_rows(release_summary(with_glance()), dict.fromkeys(["nova", "heat", "glance"], ""))
    }
    nova, heat, glance = rows["nova"], rows["heat"], rows["glance"]
    # nova: Icehouse 150, Juno 200, Kilo 300; heat: Juno 50, Kilo 80; glance twice heat
    assert (nova["since_previous"]["text"], nova["since_previous"]["pct"]) == ("+100", "+50.0%")
    assert (nova["since_first"]["text"], nova["since_first"]["pct"], nova["first"]) == (
        "+150",
        "+100.0%",
        "Icehouse (2014.1.0)",
    )
    assert (heat["since_first"]["text"], heat["since_first"]["pct"], heat["first"]) == (
        "+30",
        "+60.0%",
        "Juno (2014.2.0)",
    )
    assert (glance["code"], glance["since_previous"]["key"], glance["type"], glance["deliverable"]) == (
        160,
        "60",
        "library",
        "glance",
    )
    assert nova["release_key"] == "2015-04-30" and nova["share_key"] == "0.500000"


@pytest.fixture
def few_named(monkeypatch):
    """Name one project, and count three as many: the rules for hundreds, on three projects."""
    monkeypatch.setattr(charts, "NAME_ALL_UP_TO", 2)
    monkeypatch.setattr(charts, "NAMED_PROJECTS", 1)


@pytest.mark.usefixtures("few_named")
@pytest.mark.parametrize("dated", [False, True])
def test_past_the_palette_the_largest_are_named_and_the_rest_summed(dated) -> None:
    frame = with_glance(tags_only()) if dated else with_glance()
    if dated:  # glance's releases as tags a week after the series too
        frame = frame.assign(series=None, release_id=None, series_date=pd.NaT, rule="tag-pattern")
        glance = frame["project"] == "glance"
        frame.loc[glance, "date"] = frame.loc[glance, "date"] + pd.Timedelta(days=7)
    assert charts.named_projects(frame) == ["nova"]  # Kilo: nova 300, glance 160, heat 80
    growth = charts.growth_per_project(frame)
    assert [a.text for a in growth.layout.annotations] == ["nova", "others (2 projects)"]
    others = {trace.name: [int(v) for v in trace.y] for trace in growth.data[2:]}
    # heat + glance: Juno 40 + 80 and 10 + 20, Kilo 50 + 100 and 30 + 60
    assert others == {"non-test code": [120, 150], "test code": [30, 90]}
    share = charts.test_share_per_project(frame)
    assert [trace.name for trace in share.data] == ["nova", "others (2 projects)"]
    assert [round(v, 4) for v in share.data[1].y] == [0.2, 0.375]  # 30 / 150, 90 / 240
    assert share.layout.legend.orientation == "v"


def test_the_treemap_puts_types_over_projects_and_keeps_directories_for_the_named() -> None:
    fig = charts.treemap(areas(), kinds={"nova": "service", "heat": "library"}, detailed=["nova"])
    nodes = dict(zip(fig.data[0].ids, zip(fig.data[0].parents, fig.data[0].values, strict=True), strict=True))
    assert nodes["t:service"] == ("", 300) and nodes["t:library"] == ("", 80)
    assert nodes["p:nova"] == ("t:service", 300) and nodes["p:nova/a:nova/tests/c:test"] == ("p:nova/a:nova/tests", 150)
    assert nodes["p:heat/c:test"] == ("p:heat", 30) and nodes["p:heat/c:non-test"] == ("p:heat", 50)
    assert not [node for node in nodes if node.startswith("p:heat/a:")]


@pytest.mark.usefixtures("few_named")
def test_a_report_of_many_projects_links_the_table_not_every_page(tmp_path) -> None:
    write_report(with_glance(), areas(), PROVENANCE, tmp_path, images=False, say=lambda _m: None)
    index = (tmp_path / "index.html").read_text()
    header = index.split("</nav>")[0]
    assert '<a href="index.html#projects">All 3 projects</a>' in header and "project-heat.html" not in header
    assert "Every release counted: version, tag and commit" not in index and "releases.csv" in index
    assert index.count('<tr data-search="') == 3 and 'id="project-search"' in index
    assert (tmp_path / "project-glance.html").is_file()
    assert "project-heat.html" not in (tmp_path / "project-glance.html").read_text().split("</nav>")[0]


def test_one_series_draws_no_empty_growth_panels(tmp_path) -> None:
    """All 46 Juno repositories, one series: 16 growth panels of one invisible point each."""
    kilo = typed()[lambda f: f["series"] == "kilo"]
    write_report(kilo, areas(), PROVENANCE, tmp_path, images=False, say=lambda _m: None)
    index = (tmp_path / "index.html").read_text()
    assert 'id="one-release"' in index
    assert {"headline", "treemap"} == set(re.findall(r'<div id="([a-z]+)" class="plotly-graph-div"', index))
    assert type_headline(kilo).layout.bargap == 0.6


def test_one_type_keeps_the_test_and_non_test_headline() -> None:
    from loccount.report.pages import ReportInput, headline

    services = tidy()  # every project a service, as the showcase's eleven
    assert type_count(services) == 1 and type_count(typed()) == 2 and type_count(plain()) == 0
    names = [trace.name for trace in headline(ReportInput(services, areas(), PROVENANCE)).data]
    assert names[:2] == ["non-test", "test"]
    assert headline(ReportInput(typed(), areas(), PROVENANCE)).data[0].name == "service"
