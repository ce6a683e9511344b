"""Plotly figures built from the tidy table alone: no git, no pygount, no files.

OpenStack series run in release order (Austin ... Gazpacho) on a category axis, labelled with
their name and release id. Any other releases (tags, snapshots, a branch tip) sit on a date
axis at their release date, so projects with unrelated version schemes share a chart
honestly; a project's own page labels its points by version, in its release order. Every
hover shows exact numbers, and on per-release charts the version, commit and date behind them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from loccount.classify import NON_TEST, TEST, VENDORED
from loccount.report.labels import series_label, text
from loccount.tables.tidy import by_series, in_force

TEST_COLOR = "#E1812C"
NON_TEST_COLOR = "#3274A1"
KIND_COLORS = {"code": "#3274A1", "documentation": "#3A923A", "empty": "#BFBFBF", "string": "#9372B2"}
CATEGORY_COLORS = {NON_TEST: NON_TEST_COLOR, TEST: TEST_COLOR}
# Its own round ticks (0%, 20%, ...): plotly would otherwise sync them to the left axis's grid.
SHARE_AXIS = {
    "title_text": "test share",
    "tickformat": ".0%",
    "range": [0, 1],
    "tickmode": "linear",
    "tick0": 0,
    "dtick": 0.2,
    "showgrid": False,
}
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}


def release_label(row: pd.Series) -> str:
    """``Juno<br>2014.2`` for a series release, the version for a plain tag."""
    if text(row["series"]):
        return series_label(row["series"], row["release_id"], "<br>")
    return text(row["version"])


def _naive(column: pd.Series) -> pd.Series:
    """Dates without time zone, so series dates and tag dates sort together."""
    values = pd.to_datetime(column, utc=True)
    return values.dt.tz_convert(None)


def with_labels(tidy: pd.DataFrame, *, keep_order: bool = False) -> pd.DataFrame:
    """The tidy rows with an x-axis label per release, in series-then-date order.

    ``keep_order`` keeps the rows' own order instead: one project's release order (version
    order for tags), as its page shows it.
    """
    frame = tidy.copy()
    frame["label"] = frame.apply(release_label, axis=1) if len(frame) else []
    frame["_order"] = _naive(frame["series_date"]).fillna(_naive(frame["date"]))
    return frame if keep_order else frame.sort_values(["_order", "label"], kind="stable")


def series_totals(tidy: pd.DataFrame) -> pd.DataFrame:
    """Code and line totals per series and category over all projects, in release order."""
    rows = with_labels(tidy[tidy["series"].notna() & (tidy["series"].astype(str) != "")])
    grouped = rows.groupby(["series", "label", "_order", "category"], sort=False)
    table = grouped.agg(code=("code", "sum"), lines=("lines", "sum"), projects=("project", "nunique"))
    return table.reset_index().sort_values(["_order", "category"], kind="stable")


def layout(fig: go.Figure, title: str, height: int = 480) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        font=FONT,
        height=height,
        template="plotly_white",
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        margin={"l": 70, "r": 70, "t": 90, "b": 60},
    )
    return fig


def headline(tidy: pd.DataFrame, title: str | None = None, noun: str = "Python") -> go.Figure:
    """All projects' lines (of ``noun``: ``Python``, ``Rust and Go``, ``code``), stacked test vs non-test,
    with the test share on the right.

    Per series for OpenStack series; over time for anything else, each project counted at
    its newest release at every date. Code lines by default; a menu switches to all lines
    (code, documentation, empty, string).
    """
    if by_series(tidy):
        return _series_headline(tidy, title or f"OpenStack {noun} lines per release series: test vs non-test", noun)
    return _timeline_headline(tidy, title or f"{noun[:1].upper()}{noun[1:]} lines over time: test vs non-test", noun)


def slide(fig: go.Figure, source: str) -> go.Figure:
    """The figure as a slide image: no interactive controls, one-line tick labels, the source in it.

    A series label ``Juno<br>2014.2`` becomes ``Juno``: two lines under a rotated tick read as two
    ticks per bar. ``source`` (what produced the figures) is written under the plot.
    """
    out = go.Figure(fig)
    out.layout.updatemenus = ()
    out.update_layout(font={**FONT, "size": 16}, hovermode=False)
    xaxis = out.layout.xaxis
    categories = list(xaxis.categoryarray or dict.fromkeys(x for trace in out.data for x in (trace.x or ())))
    if any("<br>" in str(label) for label in categories):
        names = [str(label).split("<br>")[0] for label in categories]
        out.update_xaxes(tickmode="array", tickvals=categories, ticktext=names, tickangle=-45)
    out.add_annotation(
        text=source, xref="paper", yref="paper", x=0, y=-0.22, xanchor="left", yanchor="top", showarrow=False,
        font={"size": 13, "color": "#555555"},
    )  # fmt: skip
    out.update_layout(margin={"l": 90, "r": 90, "t": 110, "b": 170})
    return out


def measures(noun: str = "Python") -> tuple[tuple[str, str], ...]:
    """The measures a headline menu offers, with their axis titles (``code``: of many languages)."""
    if noun == "code":
        return (("code", "code lines"), ("lines", "all lines"))
    return (("code", f"{noun} code lines"), ("lines", f"all {noun} lines"))


MEASURES = measures()


def _measure_menu(views: dict[str, dict[str, Any]], fig: go.Figure, noun: str = "Python") -> None:
    """A menu that switches the stacked traces and the share line between code and all lines."""
    traces = {
        measure: {
            "y": [list(view[column]) for column in (NON_TEST, TEST, "share")],
            "customdata": [None, None, view["customdata"]],
        }
        for measure, view in views.items()
    }
    measure_menu(fig, traces, noun)


def measure_menu(fig: go.Figure, traces: dict[str, dict[str, list[Any]]], noun: str = "Python") -> None:
    """A menu that switches every trace between code and all lines: ``traces[measure]`` holds each
    trace's ``y`` and ``customdata`` (and any other attribute that changes) in trace order."""
    buttons = [
        {
            "label": title,
            "method": "update",
            "args": [
                dict(traces[measure]),
                {"yaxis.title.text": title},
            ],
        }
        for measure, title in measures(noun)
    ]
    fig.update_layout(updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left", "y": 1.13}])
    fig.update_yaxes(title_text=measures(noun)[0][1], tickformat=",", secondary_y=False)
    fig.update_yaxes(SHARE_AXIS, secondary_y=True)


#: Past this many series, a series axis is labelled with the series names alone (the release
#: ids stay in the hover): two-line labels of 30 series run into each other.
LABELLED_SERIES = 12


def series_ticks(fig: go.Figure, labels: list[str]) -> None:
    """Label a long series axis by series name only, at an angle (see :data:`LABELLED_SERIES`)."""
    if len(labels) <= LABELLED_SERIES:
        return
    names = [str(label).split("<br>")[0] for label in labels]
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=labels, tickmode="array", tickvals=labels,
        ticktext=names, tickangle=-45,
    )  # fmt: skip


def _series_headline(tidy: pd.DataFrame, title: str, noun: str = "Python") -> go.Figure:
    totals = series_totals(tidy)
    labels = list(dict.fromkeys(totals["label"]))
    projects = totals.drop_duplicates("label").set_index("label")["projects"].reindex(labels)
    views = {measure: _headline_view(totals, labels, projects, measure) for measure, _title in MEASURES}
    shown = views["code"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for category in (NON_TEST, TEST):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=shown[category],
                name=category,
                marker_color=CATEGORY_COLORS[category],
                hovertemplate=f"{category}: %{{y:,}}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=shown["share"],
            name="test share",
            mode="lines+markers",
            line={"color": "#222222", "width": 2},
            customdata=shown["customdata"],
            hovertemplate="test share: %{y:.1%}<br>total: %{customdata[0]:,} in %{customdata[1]} projects"
            "<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_layout(barmode="stack")
    _measure_menu(views, fig, noun)
    layout(fig, title)
    fig.update_layout(title={"x": 0.22})
    return fig


def _timeline_headline(tidy: pd.DataFrame, title: str, noun: str = "Python") -> go.Figure:
    forced = in_force(tidy)
    views = {measure: _held_to_the_end(_timeline_view(forced, measure)) for measure, _title in MEASURES}
    shown = views["code"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for category in (NON_TEST, TEST):
        fig.add_trace(
            go.Scatter(
                x=shown["date"],
                y=shown[category],
                name=category,
                mode="lines+markers",
                stackgroup="lines",
                line={"color": CATEGORY_COLORS[category], "shape": "hv", "width": 1},
                marker={"size": 4, "color": CATEGORY_COLORS[category]},
                fillcolor=CATEGORY_COLORS[category],
                hovertemplate=f"{category}: %{{y:,}}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=shown["date"],
            y=shown["share"],
            name="test share",
            mode="lines+markers",
            line={"color": "#222222", "width": 2, "shape": "hv"},
            marker={"size": 5},
            customdata=shown["customdata"],
            hovertemplate="test share: %{y:.1%}<br>total: %{customdata[0]:,}<br>%{customdata[1]}<extra></extra>",
        ),
        secondary_y=True,
    )
    _measure_menu(views, fig, noun)
    fig.update_xaxes(type="date", title_text="release date")
    layout(fig, title)
    fig.update_layout(title={"x": 0.22})
    return fig


#: How far past the newest release a date axis runs, as a share of its span: the newest
#: release is then a step of its own, not a hairline at the right edge.
TAIL_SHARE = 0.04


def _held_to_the_end(view: dict[str, Any]) -> dict[str, Any]:
    """The view with its last values held a little past the newest release (see :data:`TAIL_SHARE`)."""
    dates = list(view["date"])
    if not dates:
        return view
    span = (dates[-1] - dates[0]) if len(dates) > 1 else pd.Timedelta(days=365)
    end = dates[-1] + max(span * TAIL_SHARE, pd.Timedelta(days=7))
    held = {key: list(value) for key, value in view.items()}
    for key in held:
        held[key].append(end if key == "date" else held[key][-1])
    return held


def _timeline_view(forced: pd.DataFrame, measure: str) -> dict[str, Any]:
    """Sums over projects at every release date of one measure, the share and what is in force."""
    pivot = forced.pivot_table(index="date", columns="category", values=measure, aggfunc="sum")
    pivot = pivot.reindex(columns=[NON_TEST, TEST]).fillna(0).astype("int64")
    total = pivot.sum(axis=1)
    share = (pivot[TEST] / total.where(total > 0)).fillna(0)
    releases = forced[forced["category"] == TEST].groupby("date")
    in_effect = releases.apply(
        lambda part: "<br>".join(f"{p} {v}" for p, v in zip(part["project"], part["version"], strict=True))
    )
    return {
        "date": list(pivot.index),
        NON_TEST: pivot[NON_TEST],
        TEST: pivot[TEST],
        "share": share,
        "customdata": list(zip(total, in_effect.reindex(pivot.index).fillna(""), strict=True)),
    }


def _headline_view(totals: pd.DataFrame, labels: list[str], projects: pd.Series, measure: str) -> dict[str, Any]:
    """One measure's stacked values, test share and hover data, as the traces and the menu take them."""
    pivot = totals.pivot_table(index="label", columns="category", values=measure, aggfunc="sum", sort=False)
    pivot = pivot.reindex(index=labels, columns=[NON_TEST, TEST]).fillna(0).astype("int64")
    total = pivot.sum(axis=1)
    share = (pivot[TEST] / total.where(total > 0)).fillna(0)
    return {
        NON_TEST: pivot[NON_TEST],
        TEST: pivot[TEST],
        "share": share,
        "customdata": list(zip(total, projects, strict=True)),
    }


RELEASE_HOVER = "%{customdata[0]} %{customdata[1]} (%{customdata[2]}, %{customdata[3]})"


def _per_project(tidy: pd.DataFrame) -> tuple[pd.DataFrame, str, bool]:
    """The rows each per-project chart plots, their x column and whether x is a date.

    On a series axis, every release at its series label; otherwise each project at its own
    release dates, counted at its newest release by then (so a backport tagged after a newer
    major release does not draw the line back).
    """
    if by_series(tidy):
        return with_labels(tidy), "label", False
    forced = in_force(tidy)
    own = forced[forced["changed"]].copy()
    shares = tidy.drop_duplicates(["project", "commit", "version", "category"]).set_index(
        ["project", "commit", "version", "category"]
    )["code_share"]
    own["code_share"] = shares.reindex(
        pd.MultiIndex.from_frame(own[["project", "commit", "version", "category"]])
    ).values
    return own, "date", True


def _release_hover(frame: pd.DataFrame, date_column: str = "date") -> list[tuple[str, ...]]:
    return list(
        zip(
            frame["project"],
            frame["version"],
            frame["commit"].astype(str).str[:12],
            pd.to_datetime(frame[date_column], utc=True).dt.strftime("%Y-%m-%d").fillna(""),
            strict=True,
        )
    )


#: Up to this many projects (the palette's colours), every chart names every project.
NAME_ALL_UP_TO = 24
#: Past :data:`NAME_ALL_UP_TO`, per-project charts name this many, the largest at their latest
#: release, and draw the rest summed as one "others" (the overview's table has every project).
NAMED_PROJECTS = 15


def _latest_code(tidy: pd.DataFrame) -> pd.Series:
    """Each project's code lines at its latest release (its last two rows: test and non-test)."""
    return tidy.groupby("project", sort=False).tail(2).groupby("project")["code"].sum()


def named_projects(tidy: pd.DataFrame) -> list[str] | None:
    """The projects per-project charts name, largest first; None when there are few enough to name all."""
    if tidy["project"].nunique() <= NAME_ALL_UP_TO:
        return None
    latest = _latest_code(tidy).sort_values(ascending=False, kind="stable")
    return [str(name) for name in latest.index[:NAMED_PROJECTS]]


def others_name(count: int) -> str:
    """The name of the projects not named, drawn as one: ``others (285 projects)``."""
    return f"others ({count:,} project{'' if count == 1 else 's'})"


def _others(tidy: pd.DataFrame, others: list[str], dated: bool) -> pd.DataFrame:
    """The projects not named, summed as one: code per x (series label or date) and category, with the
    test share of the sum; on a date axis each project counts at its newest release by then."""
    rows = tidy[tidy["project"].astype(str).isin(others)]
    keys = ["date"] if dated else ["label", "_order"]
    frame = in_force(rows) if dated else with_labels(rows)
    summed = frame.groupby([*keys, "category"], sort=False)["code"].sum().reset_index()
    summed = summed.sort_values(keys[-1], kind="stable").reset_index(drop=True)
    total = summed.groupby(keys[0])["code"].transform("sum")
    summed["code_share"] = (summed["code"] / total.where(total > 0)).round(6)
    return summed


def growth_per_project(tidy: pd.DataFrame, columns: int = 4) -> go.Figure:
    """Small multiples: each project's test and non-test code lines, own y scale.

    With many projects, the largest :data:`NAMED_PROJECTS` get a panel each and the rest one together.
    """
    frame, x, dated = _per_project(tidy)
    hover_date = "release_date" if dated else "date"
    projects = list(dict.fromkeys(tidy["project"]))
    named = named_projects(tidy)
    others = [str(p) for p in projects if named is not None and str(p) not in named]
    panels = [*(named or projects), *([others_name(len(others))] if others else [])]
    columns = max(1, min(columns, len(panels)))
    rows = max(1, -(-len(panels) // columns))
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=panels, shared_xaxes=False, vertical_spacing=0.08)
    for index, project in enumerate(panels):
        summed = bool(others) and index == len(panels) - 1
        part = _others(tidy, others, dated) if summed else frame[frame["project"] == project]
        for category in (NON_TEST, TEST):
            rows_ = part[part["category"] == category]
            hover = f"{category}: %{{y:,}}<br>{project}" if summed else f"{category}: %{{y:,}}<br>{RELEASE_HOVER}"
            fig.add_trace(
                go.Scatter(
                    x=rows_[x],
                    y=rows_["code"],
                    name=f"{category} code",
                    legendgroup=category,
                    showlegend=index == 0,
                    stackgroup=f"s{index}",
                    line={"color": CATEGORY_COLORS[category], "shape": "hv" if dated else "linear"},
                    customdata=None if summed else _release_hover(rows_, hover_date),
                    hovertemplate=f"{hover}<extra></extra>",
                ),
                row=index // columns + 1,
                col=index % columns + 1,
            )
    fig.update_yaxes(tickformat="~s")
    # One x range for every panel, with its ticks: a project that began late starts late in its
    # panel, instead of looking as if it grew at the start.
    if dated:
        start, end = frame["date"].min(), frame["date"].max()
        pad = (end - start) * 0.02 if end > start else pd.Timedelta(days=30)
        fig.update_xaxes(type="date", tickformat="%Y", range=[start - pad, end + pad], matches="x")
        title = "Growth per project: code lines over time (every panel spans the same dates)"
    else:
        labels = list(dict.fromkeys(with_labels(tidy)["label"]))
        step = max(1, -(-len(labels) // 5))
        ticks = labels[::step]
        fig.update_xaxes(
            type="category",
            categoryorder="array",
            categoryarray=labels,
            range=[-0.5, len(labels) - 0.5],
            tickmode="array",
            tickvals=ticks,
            ticktext=[str(label).split("<br>")[0] for label in ticks],
            matches="x",
        )
        first, last = (str(label).split("<br>")[0] for label in (labels[0], labels[-1]))
        title = f"Growth per project: code lines per series (every panel spans {first} → {last})"
    layout(fig, title, height=260 * rows + 120)
    fig.update_layout(hovermode="closest")
    return fig


#: One colour per project, distinct for up to 24 projects (Plotly's Dark24), the same on every
#: chart and page; past 24, the smallest projects by their latest code share one grey as "others".
PROJECT_PALETTE = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
)  # fmt: skip
OTHERS_COLOR = "#BBBBBB"


def project_colors(tidy: pd.DataFrame) -> dict[str, str]:
    """Each project's colour: in the order the projects appear, the largest 24 (by code lines at
    their latest release) get one each; the rest are left out, to be drawn as "others"."""
    order = list(dict.fromkeys(str(p) for p in tidy["project"]))
    if len(order) > len(PROJECT_PALETTE):
        latest = _latest_code(tidy)
        kept = set(latest.sort_values(ascending=False, kind="stable").index[: len(PROJECT_PALETTE)].astype(str))
        order = [project for project in order if project in kept]
    return dict(zip(order, PROJECT_PALETTE, strict=False))


def test_share_per_project(tidy: pd.DataFrame) -> go.Figure:
    """Each project's test share of code lines, per series or over time.

    With many projects, the largest :data:`NAMED_PROJECTS` are named and the rest are one grey
    line: the test share of their code together.
    """
    frame, x, dated = _per_project(tidy)
    hover_date = "release_date" if dated else "date"
    tests = frame[frame["category"] == TEST]
    colors = project_colors(tidy)
    named = named_projects(tidy)
    fig = go.Figure()
    others_shown = False
    for project in named or dict.fromkeys(tests["project"]):
        rows = tests[tests["project"] == project]
        color = colors.get(str(project), OTHERS_COLOR)
        other = str(project) not in colors
        fig.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows["code_share"],
                name=f"others ({len(set(tests['project'])) - len(colors)})" if other else project,
                legendgroup="others" if other else project,
                showlegend=not (other and others_shown),
                mode="lines+markers",
                line={"shape": "hv" if dated else "linear", "color": color, "width": 1 if other else 2},
                marker={"color": color, "size": 4 if other else 6},
                customdata=_release_hover(rows, hover_date),
                hovertemplate=f"{project}: %{{y:.1%}} {RELEASE_HOVER}<extra></extra>",
            )
        )
        others_shown = others_shown or other
    others = [str(p) for p in dict.fromkeys(tidy["project"]) if named is not None and str(p) not in named]
    if others:
        summed = _others(tidy, others, dated)
        rows = summed[summed["category"] == TEST]
        fig.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows["code_share"],
                name=others_name(len(others)),
                mode="lines+markers",
                line={"shape": "hv" if dated else "linear", "color": OTHERS_COLOR, "width": 3},
                marker={"color": OTHERS_COLOR, "size": 6},
                hovertemplate=f"{others_name(len(others))} together: %{{y:.1%}}<extra></extra>",
            )
        )
    if dated:
        fig.update_xaxes(type="date", title_text="release date")
    else:
        fig.update_xaxes(categoryorder="array", categoryarray=list(dict.fromkeys(frame["label"])))
    fig.update_yaxes(title_text="test share of code lines", tickformat=".0%", range=[0, 1])
    layout(fig, "Test share of code lines per project")
    fig.update_layout(hovermode="closest")
    if others:  # sixteen names: a column on the right, not rows over the title
        if not dated:
            series_ticks(fig, list(dict.fromkeys(frame["label"])))
        title = f"Test share of code lines: the {len(named or ())} largest projects and the others together"
        fig.update_layout(
            title={"text": title},
            legend={"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.02},
            margin={"r": 210},
            height=640,
        )
    return fig


def treemap(
    areas: pd.DataFrame, *, kinds: Mapping[str, str] | None = None, detailed: Collection[str] | None = None
) -> go.Figure:
    """Latest release of each project by directory area, coloured test vs non-test.

    ``kinds`` (project -> deliverable type) puts the types above the projects; where
    ``detailed`` is given, the other projects show their test and non-test code without their
    directories (hundreds of projects' directories would weigh megabytes).
    """
    frame = areas[areas["code"] > 0]
    ids, labels, parents, values, colors, hover = [], [], [], [], [], []

    def add(node: str, label: str, parent: str, value: int, color: str, text: str) -> None:
        ids.append(node)
        labels.append(label)
        parents.append(parent)
        values.append(int(value))
        colors.append(color)
        hover.append(text)

    if kinds is not None:
        typed = frame["project"].map(lambda project: kinds.get(str(project), ""))
        for kind, part in frame.groupby(typed, sort=False):
            add(
                f"t:{kind}",
                str(kind),
                "",
                part["code"].sum(),
                "#F6F6F6",
                f"{kind}: {part['project'].nunique()} projects",
            )
    for project, part in frame.groupby("project", sort=False):
        version = part["version"].iloc[0]
        top = f"t:{kinds.get(str(project), '')}" if kinds is not None else ""
        node = f"p:{project}"
        add(node, f"{project} {version}", top, part["code"].sum(), "#EEEEEE", f"{project} {version}")
        if detailed is not None and str(project) not in detailed:
            for category, cell in part.groupby("category", sort=False):
                color = CATEGORY_COLORS.get(category, "#999999")
                files = int(cell["files"].sum())
                add(
                    f"{node}/c:{category}",
                    str(category),
                    node,
                    cell["code"].sum(),
                    color,
                    f"{project} ({category}), {files} files",
                )
            continue
        for area, cell in part.groupby("area", sort=False):
            area_id = f"{node}/a:{area}"
            add(area_id, str(area), node, cell["code"].sum(), "#DDDDDD", f"{project}: {area}")
            for _, row in cell.iterrows():
                category = row["category"]
                add(
                    f"{area_id}/c:{category}",
                    category,
                    area_id,
                    row["code"],
                    CATEGORY_COLORS.get(category, "#999999"),
                    f"{project}: {area} ({category}), {row['files']} files",
                )
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colors},
            customdata=hover,
            hovertemplate="%{customdata}<br>%{value:,} code lines<extra></extra>",
            maxdepth=3 if kinds is None else 4,
        )
    )
    what = "by directory" if kinds is None else "by deliverable type, project and directory"
    largest = "" if detailed is None else f"; directories of the {len(detailed)} largest projects"
    layout(fig, f"Where the code is: latest release of each project {what} (orange = test{largest})", height=640)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def project_breakdown(tidy: pd.DataFrame) -> go.Figure:
    """One project's lines per release by pygount kind, with its test share on the right."""
    frame = with_labels(tidy, keep_order=True)
    kinds = ["code", "documentation", "empty", "string"]
    per_release = frame.groupby(["label", "_order"], sort=False)[kinds].sum().reset_index()
    meta = frame.drop_duplicates("label").set_index("label")
    share = frame[frame["category"] == TEST].set_index("label")["code_share"].reindex(per_release["label"])
    hover = _release_hover(meta.reindex(per_release["label"]).reset_index())
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for kind in kinds:
        fig.add_trace(
            go.Bar(
                x=per_release["label"],
                y=per_release[kind],
                name=kind,
                marker_color=KIND_COLORS[kind],
                customdata=hover,
                hovertemplate=f"{kind}: %{{y:,}}<br>{RELEASE_HOVER}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=per_release["label"],
            y=share,
            name="test share of code",
            mode="lines+markers",
            line={"color": "#222222"},
            hovertemplate="test share: %{y:.1%}<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")  # versions such as 1.10 are labels, not numbers
    fig.update_yaxes(title_text="lines", tickformat=",", secondary_y=False)
    fig.update_yaxes(SHARE_AXIS, secondary_y=True)
    return layout(fig, "Lines per release: code, documentation, empty and string")


def project_split(tidy: pd.DataFrame) -> go.Figure:
    """One project's code lines per release, test vs non-test."""
    frame = with_labels(tidy, keep_order=True)
    fig = go.Figure()
    for category in (NON_TEST, TEST):
        rows = frame[frame["category"] == category]
        fig.add_trace(
            go.Bar(
                x=rows["label"],
                y=rows["code"],
                name=f"{category} code",
                marker_color=CATEGORY_COLORS[category],
                customdata=[(*h, f) for h, f in zip(_release_hover(rows), rows["files"], strict=True)],
                hovertemplate=f"{category}: %{{y:,}} lines in %{{customdata[4]}} files<br>"
                f"{RELEASE_HOVER}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="code lines", tickformat=",")
    return layout(fig, "Code lines per release: test vs non-test")


#: Lighter shades for lines removed, below zero.
REMOVED_COLORS = {NON_TEST: "#9DBCD8", TEST: "#F0C096"}
NET_COLOR = "#222222"
#: Cross-hatching for lines of files that could no longer be counted (or could again): not growth.
UNREADABLE_COLOR = "#555555"


def _top_names(flows: pd.DataFrame, flow: str, top: int) -> dict[tuple[str, str], str]:
    """Per release and category, the ``top`` directories with the largest ``flow``, as hover text."""
    ranked = flows.assign(_size=flows[flow].abs())
    ranked = ranked[ranked["_size"] > 0].sort_values("_size", ascending=False, kind="stable")
    ranked = ranked.groupby(["to_release", "category"], sort=False).head(top)
    spell = "{:,}" if flow == "moved" else "{:+,}"
    names = [f"{d} ({spell.format(v)})" for d, v in zip(ranked["directory"], ranked[flow], strict=True)]
    keys = [ranked["to_release"], ranked["category"]]
    return pd.Series(names, index=ranked.index, dtype=object).groupby(keys, sort=False).agg(", ".join).to_dict()


def project_changes(
    whole: pd.DataFrame, directories: pd.DataFrame, moves: pd.DataFrame, tidy: pd.DataFrame, top: int = 3
) -> go.Figure:
    """What changed at each release of one project: lines added above zero, removed below, moves apart.

    Per release (against the one before it), test and non-test: lines added (new files, edits)
    and removed (deleted files, edits) as solid bars, and lines in moved files as hatched bars,
    moved in above zero and moved out below, so a move within a category shows as equal bars
    that cancel. Lines of files that could no longer be counted (pygount cannot read them) are
    cross-hatched bars of their own, drawn only where there are any. The diamond is the net
    change of the total. ``whole`` and ``directories`` are
    :func:`loccount.release_diff.directory_changes` at depth 0 and by directory, ``moves`` is
    :func:`loccount.release_diff.moved_lines`; hover texts name the ``top`` directories behind
    each bar.
    """
    flows = ["added", "removed", "moved", "unreadable", "net"]
    labels = with_labels(tidy, keep_order=True).drop_duplicates("version").set_index("version")["label"]
    whole = whole[whole["to_release"].isin(labels.index)]
    pairs = whole.drop_duplicates("to_release")
    x = [labels[release] for release in pairs["to_release"]]
    span = {row["to_release"]: f"{row['from_release']} → {row['to_release']}" for _, row in pairs.iterrows()}
    table = whole.set_index(["to_release", "category"])[flows]
    names = {flow: _top_names(directories, flow, top) for flow in flows}
    fig = go.Figure()

    def values(category: str, flow: str) -> list[int]:
        rows = table.reindex([(release, category) for release in pairs["to_release"]]).fillna(0)
        return [int(v) for v in rows[flow]]

    def bar(category: str, name: str, y: list[int], flow: str, **style: object) -> None:
        hover = [
            (span[release], names[flow].get((release, category), ""), f"{y_value:+,}" if y_value else "0")
            for release, y_value in zip(pairs["to_release"], y, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=y,
                name=name,
                customdata=hover,
                hovertemplate=f"{name}: %{{customdata[2]}}<br>%{{customdata[1]}}<extra>%{{customdata[0]}}</extra>",
                **style,
            )
        )

    for category in (NON_TEST, TEST):
        color = CATEGORY_COLORS[category]
        bar(category, f"{category} added", values(category, "added"), "added", marker_color=color)
    for category in (NON_TEST, TEST):
        bar(
            category,
            f"{category} removed",
            values(category, "removed"),
            "removed",
            marker_color=REMOVED_COLORS[category],
        )
    for category in (NON_TEST, TEST):
        unreadable = values(category, "unreadable")
        if any(unreadable):
            pattern = {"shape": "x", "fgcolor": UNREADABLE_COLOR, "bgcolor": REMOVED_COLORS[category]}
            bar(category, f"{category} not counted", unreadable, "unreadable", marker={"pattern": pattern})
    moves = moves.set_index(["to_release", "category"])[["moved_in", "moved_out"]]
    for category in (NON_TEST, TEST):
        keys = [(release, category) for release in pairs["to_release"]]
        shifted = moves.reindex(keys).fillna(0).astype("int64")
        pattern = {"shape": "/", "fgcolor": CATEGORY_COLORS[category], "bgcolor": "#FFFFFF"}
        style = {"marker": {"color": "#FFFFFF", "pattern": pattern, "line": {"color": CATEGORY_COLORS[category]}}}
        for column, name in (("moved_in", "moved in"), ("moved_out", "moved out")):
            y = [int(v) for v in shifted[column]]
            bar(category, f"{category} {name}", y, "moved", legendgroup=f"moved {category}", **style)
    net = [sum(pair) for pair in zip(values(NON_TEST, "net"), values(TEST, "net"), strict=True)]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=net,
            name="net change",
            mode="markers",
            marker={"symbol": "diamond", "size": 10, "color": NET_COLOR},
            customdata=[span[release] for release in pairs["to_release"]],
            hovertemplate="net change: %{y:+,}<extra>%{customdata}</extra>",
        )
    )
    fig.update_layout(barmode="relative")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(labels))
    fig.update_yaxes(title_text="code lines changed", tickformat=",", zeroline=True, zerolinecolor="#888888")
    layout(fig, "What changed at each release: code added (up), removed (down) and moved (hatched: not growth)", 520)
    # A column of nine entries on the right: across the top they would run into the title.
    fig.update_layout(
        hovermode="x unified",
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
        margin={"r": 190},
    )
    return fig


VENDORED_COLOR = "#9E9E9E"
LANGUAGE_PALETTE = PROJECT_PALETTE


#: Languages a language chart names; the rest are drawn together as "other languages".
SHOWN_LANGUAGES = 8
OTHER_LANGUAGES = "other languages"


def language_breakdown(tidy: pd.DataFrame, *, keep_order: bool = True, title: str | None = None) -> go.Figure:
    """Code lines per language per release: each language's non-test code, its test code hatched
    above it, and vendored code (all languages together, grey) on top, hidden until asked for.

    ``tidy`` holds one project's rows (release order), or series releases of many (series
    order, with ``keep_order=False``). The largest languages by own code are named, the rest
    drawn as one; a menu shows all languages, or one with its test share.
    """
    frame = with_labels(tidy, keep_order=keep_order)
    labels = list(dict.fromkeys(frame["label"]))
    own = frame[frame["category"].isin((NON_TEST, TEST))]
    code = own.groupby("language")["code"].sum()
    ranked = sorted((str(name) for name in dict.fromkeys(frame["language"])), key=lambda n: (-int(code.get(n, 0)), n))
    named = [name for name in ranked if int(code.get(name, 0)) > 0][:SHOWN_LANGUAGES]
    frame = frame.assign(language=frame["language"].astype(str).where(frame["language"].isin(named), OTHER_LANGUAGES))
    languages = [*named, *([OTHER_LANGUAGES] if (frame["language"] == OTHER_LANGUAGES).any() else [])]
    sums = frame.groupby(["language", "category", "label"], sort=False)["code"].sum()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    owners: list[str] = []
    for index, language in enumerate(languages):
        color = OTHERS_COLOR if language == OTHER_LANGUAGES else LANGUAGE_PALETTE[index % len(LANGUAGE_PALETTE)]
        for category in (NON_TEST, TEST):
            values = [int(sums.get((language, category, label), 0)) for label in labels]
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=values,
                    name=text(language),
                    legendgroup=language,
                    showlegend=category == NON_TEST,
                    marker={"color": color, "pattern": {"shape": "/" if category == TEST else ""}},
                    hovertemplate=f"{text(language)} {category}: %{{y:,}}<extra></extra>",
                ),
                secondary_y=False,
            )
            owners.append(language)
    vendored = frame[frame["category"] == VENDORED].groupby("label")["code"].sum()
    if vendored.sum() > 0:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[int(vendored.get(label, 0)) for label in labels],
                name="vendored (all languages)",
                visible="legendonly",
                marker={"color": VENDORED_COLOR, "pattern": {"shape": "x"}},
                hovertemplate="vendored: %{y:,}<extra></extra>",
            ),
            secondary_y=False,
        )
        owners.append(VENDORED)
    for language in languages:
        own_frame = frame[(frame["language"] == language) & frame["category"].isin((NON_TEST, TEST))]
        per = own_frame.groupby(["label", "category"], sort=False)["code"].sum().unstack("category")
        per = per.reindex(index=labels, columns=[NON_TEST, TEST]).fillna(0)
        total = per[NON_TEST] + per[TEST]
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=(per[TEST] / total.where(total > 0)).round(4),
                name=f"{text(language)} test share",
                mode="lines+markers",
                line={"color": "#222222"},
                visible=False,
                showlegend=False,
                hovertemplate=f"{text(language)} test share: %{{y:.1%}}<extra></extra>",
            ),
            secondary_y=True,
        )
        owners.append(f"share:{language}")
    every = [True if owner != VENDORED else "legendonly" for owner in owners]
    buttons = [
        {
            "label": "all languages",
            "method": "update",
            "args": [
                {
                    "visible": [
                        v if not str(o).startswith("share:") else False for o, v in zip(owners, every, strict=True)
                    ]
                }
            ],
        }
    ]
    for language in languages:
        visible = [owner in (language, f"share:{language}") for owner in owners]
        buttons.append({"label": text(language), "method": "update", "args": [{"visible": visible}]})
    if len(languages) > 1:
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left", "y": 1.13}]
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(title_text="code lines", tickformat=",", secondary_y=False)
    fig.update_yaxes(SHARE_AXIS, secondary_y=True)
    layout(fig, title or "Code lines per language: test code hatched; vendored code in the legend")
    fig.update_layout(
        title={"x": 0.22},
        legend={"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.08},
        margin={"r": 190},
    )
    return fig
