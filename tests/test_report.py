"""The HTML report and its CSVs, from tidy tables alone."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from loccount.report.charts import headline, series_totals, with_labels
from loccount.report.outputs import page_name, plotly_js_name, write_report
from tests.report_data import PROVENANCE, areas, changes, tags_only, tidy

PLOTLY_JS = plotly_js_name()


@pytest.fixture
def report(tmp_path):
    output = tmp_path / "reports"
    write_report(tidy(), areas(), PROVENANCE, output, images=False, say=lambda _m: None)
    return output


def test_series_run_in_release_order_with_names_and_ids() -> None:
    labels = list(dict.fromkeys(with_labels(tidy())["label"]))
    assert labels == ["Icehouse<br>2014.1", "Juno<br>2014.2", "Kilo<br>2015.1"]
    totals = series_totals(tidy())
    kilo = totals[totals["series"] == "kilo"].set_index("category")
    assert (kilo.loc["non-test", "code"], kilo.loc["test", "code"], kilo.loc["test", "projects"]) == (200, 180, 2)


def test_headline_stacks_test_and_non_test_with_share_on_a_second_axis() -> None:
    fig = headline(tidy())
    bars = {trace.name: list(trace.y) for trace in fig.data if trace.type == "bar"}
    assert bars == {"non-test": [100, 160, 200], "test": [50, 90, 180]}
    all_lines = fig.layout.updatemenus[0].buttons[1].args[0]["y"]
    assert all_lines[:2] == [[110, 180, 220], [60, 110, 200]]  # code + 10 other lines per release row
    share = next(trace for trace in fig.data if trace.type == "scatter")
    assert share.yaxis == "y2"
    assert [round(v, 4) for v in share.y] == [round(50 / 150, 4), round(90 / 250, 4), round(180 / 380, 4)]


def test_pages_share_one_local_plotly_and_state_provenance(report) -> None:
    output = report
    names = sorted(p.name for p in output.iterdir())
    assert names == sorted([PLOTLY_JS, "index.html", "project-nova.html", "project-heat.html", "wide.csv"])
    for page in ("index.html", "project-nova.html", "project-heat.html"):
        html = (output / page).read_text()
        assert f'src="{PLOTLY_JS}"' in html
        assert "cdn.plot.ly" not in html and "https://cdn" not in html
        assert html.count("Plotly.newPlot") >= 2
        for fact in ("pygount 3.2.0", "default: dirs=test|tests", "2026-11-22", "f" * 40):
            assert fact in html, (page, fact)
    assert (output / PLOTLY_JS).stat().st_size > 1_000_000
    nova = (output / "project-nova.html").read_text()
    assert tidy()["commit"].iloc[0] in nova  # each release's commit is on its project's page


def test_latest_table_shows_growth(report) -> None:
    html = (report / "index.html").read_text()
    row = re.search(r"<tr[^>]*><td class=\"text\"><a href=\"project-nova.html\">nova</a>.*?</tr>", html, re.S).group(0)
    assert "Kilo (2015.1.0)" in row and "300" in row and "50.0%" in row and "+100" in row and "+50.0%" in row


def test_wide_csv_for_slides(report) -> None:
    wide = pd.read_csv(report / "wide.csv", dtype={"release_id": str})
    assert list(wide.columns) == [
        "series", "release_id", "nova non-test", "nova test", "heat non-test", "heat test",
        "all non-test", "all test", "all", "test share",
    ]  # fmt: skip
    assert wide["series"].tolist() == ["icehouse", "juno", "kilo"]
    assert wide["release_id"].tolist() == ["2014.1", "2014.2", "2015.1"]
    assert pd.isna(wide.loc[0, "heat test"])  # heat did not exist yet
    assert wide["all"].tolist() == [150, 250, 380]


def test_a_second_report_replaces_files_and_keeps_one_plotly(report) -> None:
    output = report
    (output / "plotly-0.0.1.min.js").write_text("old")
    write_report(tidy(), areas(), PROVENANCE, output, images=False, say=lambda _m: None)
    assert [p.name for p in output.glob("plotly-*.min.js")] == [PLOTLY_JS]
    assert not [p for p in output.iterdir() if p.name.startswith(".")]


def test_hostile_names_are_escaped_and_cannot_leave_the_directory(tmp_path) -> None:
    hostile = {"nova": '<script>alert("x")</script>', "heat": "../../etc/passwd"}
    output = tmp_path / "reports"
    write_report(tidy(hostile), areas(hostile), PROVENANCE, output, images=False, say=lambda _m: None)
    assert all(p.parent == output for p in output.rglob("*"))
    assert page_name("../../etc/passwd").startswith("project-etc_passwd-")
    for page in output.glob("*.html"):
        html = page.read_text()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html or "\\u003cscript\\u003ealert" in html
    wide = (output / "wide.csv").read_text()
    assert "<script>" in wide  # CSV keeps the text; it is not a formula


def test_without_a_browser_images_are_skipped_with_a_message(tmp_path, monkeypatch) -> None:
    import plotly.io as pio

    def no_browser(*_args, **_kwargs):
        raise RuntimeError("Browser not found. You can use get_chrome()")

    monkeypatch.setattr(pio, "write_images", no_browser)
    messages: list[str] = []
    written = write_report(tidy(), areas(), PROVENANCE, tmp_path / "r", images=True, say=messages.append)
    assert messages == [
        "static images skipped: no usable Chromium or Chrome for kaleido (Browser not found. You can use get_chrome())"
    ]
    assert not [p for p in written if p.suffix in (".png", ".svg")]
    assert (tmp_path / "r" / "index.html").exists()
    assert not [p for p in (tmp_path / "r").iterdir() if p.name.startswith(".")]


def test_without_series_the_headline_stacks_all_projects_over_time() -> None:
    fig = headline(tags_only())
    areas_ = {trace.name: trace for trace in fig.data if trace.type == "scatter" and trace.stackgroup}
    dates = [str(day)[:10] for day in areas_["non-test"].x]
    # nova alone, then heat joins a week after each nova release, each at its newest release by then
    # and the newest release's level is held 4 % of the span past it (385 days: 15 days), so it
    # is a step of its own, not a hairline at the edge of the axis
    assert dates == ["2014-04-17", "2014-10-16", "2014-10-23", "2015-04-30", "2015-05-07", "2015-05-22"]
    assert list(areas_["non-test"].y) == [100, 120, 160, 190, 200, 200]
    assert list(areas_["test"].y) == [50, 80, 90, 160, 180, 180]
    assert areas_["test"].mode == "lines+markers"  # every release, the newest included, has a marker
    assert fig.layout.xaxis.type == "date"
    assert "OpenStack" not in fig.layout.title.text and "series" not in fig.layout.title.text
    share = next(trace for trace in fig.data if trace.name == "test share")
    assert share.customdata[2][1] == "heat 2014.2.0<br>nova 2014.2.0"  # hover names what is in force


def test_without_series_titles_and_wide_csv_follow_the_data(tmp_path) -> None:
    output = tmp_path / "own"
    write_report(tags_only(), areas(), PROVENANCE, output, images=False, say=lambda _m: None)
    index = (output / "index.html").read_text()
    assert "Python lines over time, and how much of it is tests" in index
    assert "2 projects (nova, heat): 5 releases from 2014-04-17 to 2015-05-07" in index
    for page in output.glob("*.html"):
        html = page.read_text()
        assert "OpenStack" not in html and "Kilo" not in html and "Austin" not in html, page.name
    wide = pd.read_csv(output / "wide.csv")
    assert list(wide.columns) == [
        "date", "nova non-test", "nova test", "heat non-test", "heat test", "all non-test", "all test", "all",
        "test share",
    ]  # fmt: skip
    assert wide["all"].tolist() == [150, 200, 250, 350, 380]
    assert pd.isna(wide.loc[0, "heat test"])  # heat had no release yet
    titled = tmp_path / "titled"
    write_report(tags_only(), areas(), PROVENANCE, titled, images=False, title="Our code", say=lambda _m: None)
    assert "<h1>Our code</h1>" in (titled / "index.html").read_text()


def test_the_report_data_changes_add_up_to_its_tidy_table() -> None:
    from loccount.tables.changes import reconcile

    check = reconcile(tidy(), changes())
    assert len(check) == 3 * 2 * 2 and check["ok"].all()  # 3 release pairs x 2 categories x code, lines


def test_what_changed_at_each_release_chart() -> None:
    from loccount.report.charts import project_changes
    from loccount.tables.changes import directory_changes, moved_lines

    nova = tidy()[tidy()["project"] == "nova"]
    changed = changes()[changes()["project"] == "nova"]
    fig = project_changes(directory_changes(changed, 0), directory_changes(changed, 2), moved_lines(changed), nova)
    bars = {trace.name: list(trace.y) for trace in fig.data if trace.type == "bar"}
    assert list(fig.data[0].x) == ["Juno<br>2014.2", "Kilo<br>2015.1"]
    assert bars == {
        "non-test added": [20, 30],
        "test added": [30, 70],
        "non-test removed": [0, 0],
        "test removed": [0, 0],
        "non-test moved in": [0, 0],
        "non-test moved out": [0, 0],
        "test moved in": [0, 30],  # nova/tests/test_api.py moved to nova/tests/unit/: in and out, no growth
        "test moved out": [0, -30],
    }
    net = next(trace for trace in fig.data if trace.name == "net change")
    assert list(net.y) == [50, 100]
    added = next(trace for trace in fig.data if trace.name == "test added")
    assert added.customdata[1][1] == "nova/tests (+70)"  # the hover names the directory


def test_movers_are_the_latest_pair_even_when_it_changed_no_python_file(tmp_path) -> None:
    """A project whose last two releases differ in no .py file is said so; its older changes are not shown as latest."""
    all_changes = changes()
    quiet = all_changes[(all_changes["project"] != "nova") | (all_changes["to_release"] != "2015.1.0")]
    output = tmp_path / "quiet"
    write_report(tidy(), areas(), PROVENANCE, output, images=False, say=lambda _m: None, changes=quiet)
    index = (output / "index.html").read_text()
    movers = index[index.index("Biggest movers") : index.index("</section>", index.index("Biggest movers"))]
    assert "heat/engine" in movers and "heat/tests" in movers
    assert "nova/" not in movers  # nova's Icehouse -> Juno changes are not its latest
    assert "No Python file changed in nova Juno (2014.2.0) → Kilo (2015.1.0)." in movers


@pytest.fixture
def report_with_changes(tmp_path):
    output = tmp_path / "with-changes"
    write_report(tidy(), areas(), PROVENANCE, output, images=False, say=lambda _m: None, changes=changes())
    return output


def test_pages_show_the_directories_behind_each_change(report_with_changes, report) -> None:
    nova = (report_with_changes / "project-nova.html").read_text()
    assert 'id="changes"' in nova and "The directories behind each release's change" in nova
    kilo = re.search(
        r"<details open><summary>Kilo \(2015.1.0\), since Juno \(2014.2.0\): net \+100 code lines.*?</details>",
        nova,
        re.S,
    )
    assert kilo is not None
    cells = re.findall(r"<tr><td class=\"text\">nova/tests</td>(.*?)</tr>", kilo.group(0))[0]
    assert re.findall(r"<td class=\"[a-z]*\">([^<]*)</td>", cells) == ["", "", "", "0", "+70", "", "30", "+70"]
    index = (report_with_changes / "index.html").read_text()
    movers = index[index.index("Biggest movers") :]
    assert movers.index("nova/tests") < movers.index("nova/compute") < movers.index("heat/tests")  # busiest first
    assert "Biggest movers" not in (report / "index.html").read_text()  # no changes given: no section
    assert 'id="changes"' not in (report / "project-nova.html").read_text()


def test_every_project_gets_a_colour_of_its_own_and_the_smallest_past_24_share_one() -> None:
    """Eleven projects on Plotly's ten default colours gave nova and sahara the same blue."""
    import pandas as pd

    from loccount.report.charts import OTHERS_COLOR, PROJECT_PALETTE, project_colors, test_share_per_project

    assert len(set(PROJECT_PALETTE)) == 24
    rows = []
    for n in range(30):
        for category, code in (("test", 10 * n), ("non-test", 10 * n)):
            rows.append({"project": f"p{n:02d}", "category": category, "code": code})
    many = pd.DataFrame(rows)
    colors = project_colors(many)
    assert len(colors) == 24 and len(set(colors.values())) == 24
    assert set(colors) == {f"p{n:02d}" for n in range(6, 30)}  # the six smallest are "others"
    fig = test_share_per_project(tidy())
    shown = [trace.line.color for trace in fig.data]
    assert len(set(shown)) == len(shown) and OTHERS_COLOR not in shown
    assert shown == [project_colors(tidy())[trace.name] for trace in fig.data]  # the same mapping everywhere


def test_a_release_pair_with_no_python_change_is_on_the_page_and_says_so(tmp_path) -> None:
    """Sahara's menu started at Antelope: its latest pair, Antelope -> Bobcat, changed nothing and was left out."""
    output = tmp_path / "out"
    unchanged = changes()
    unchanged = unchanged[~((unchanged["project"] == "nova") & (unchanged["to_release"] == "2015.1.0"))]
    write_report(tidy(), areas(), PROVENANCE, output, images=False, say=lambda _m: None, changes=unchanged)
    nova = (output / "project-nova.html").read_text()
    summaries = re.findall(r"<summary>([^<]*)</summary>", nova)
    assert summaries[0] == "Kilo (2015.1.0), since Juno (2014.2.0): no Python change"
    assert "No Python file changed between Juno (2014.2.0) and Kilo (2015.1.0)." in nova


def test_the_latest_total_is_the_headlines_last_bar_and_says_what_it_is(tmp_path) -> None:
    """The table's 'all' row added Sahara's Bobcat to Gazpacho: 1,840,825 beside the headline's 1,807,092."""
    output = tmp_path / "out"
    frame = tidy()
    ended = frame[~((frame["project"] == "heat") & (frame["series"] == "kilo"))]  # heat's last release: Juno
    write_report(ended, areas(), PROVENANCE, output, images=False, say=lambda _m: None)
    index = (output / "index.html").read_text()
    foot = re.sub(r"<[^>]+>", " ", re.search(r"<tfoot>.*?</tfoot>", index, re.S).group(0)).split()
    assert foot[:6] == ["all", "in", "Kilo", "(2015.1)", "300", "50.0%"]  # nova's Kilo alone: 150 + 150
    assert "the projects released in the latest series, Kilo (2015.1) (heat ended earlier and is not in it)" in index


def test_the_slide_image_has_no_controls_one_line_ticks_and_its_source() -> None:
    """headline.png showed the interactive menu, and '2010.1' over 'Austin' read as two ticks per bar."""
    from loccount.report.charts import headline, slide
    from loccount.report.pages import slide_source

    interactive = headline(tidy())
    assert interactive.layout.updatemenus  # the page keeps its menu
    picture = slide(interactive, slide_source(PROVENANCE))
    assert not picture.layout.updatemenus
    assert list(picture.layout.xaxis.ticktext) == ["Icehouse", "Juno", "Kilo"]
    assert [a.text for a in picture.layout.annotations][-1].startswith(f"Counted with loccount {PROVENANCE.loccount}")
    assert f"pygount {PROVENANCE.pygount}" in picture.layout.annotations[-1].text


def test_growth_panels_share_one_x_range_with_ticks() -> None:
    """Sahara (Juno -> Bobcat) got as wide a panel as nova (Austin -> Gazpacho): projects that began
    late looked as if they grew at the start."""
    from loccount.report.charts import growth_per_project

    fig = growth_per_project(tidy())  # heat begins at Juno, nova at Icehouse
    axes = [fig.layout[name] for name in fig.layout if name.startswith("xaxis")]
    assert len(axes) == 2
    assert all(list(axis.categoryarray) == list(axes[0].categoryarray) for axis in axes)
    assert all(tuple(axis.range) == (-0.5, 2.5) and axis.ticktext for axis in axes)
    assert "every panel spans Icehouse → Kilo" in fig.layout.title.text
    dated = growth_per_project(tags_only())
    ranges = {tuple(dated.layout[name].range) for name in dated.layout if name.startswith("xaxis")}
    assert len(ranges) == 1
