"""The headline of an OpenStack run by deliverable type: what kind of code (services, libraries,
client libraries, plugins) makes up each series, and how much of it is tests.

With hundreds of projects, one bar segment per project is unreadable; a handful of types is
what a slide can show. Tables without deliverable types (other projects, older runs) keep
:func:`loccount.report.charts.headline`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from loccount.classify import NON_TEST, TEST
from loccount.report import charts
from loccount.report.labels import text


class DeliverableType(StrEnum):
    """The deliverable types OpenStack's release data uses, each with a colour of its own."""

    SERVICE = "service"
    LIBRARY = "library"
    CLIENT_LIBRARY = "client-library"
    HORIZON_PLUGIN = "horizon-plugin"
    TEMPEST_PLUGIN = "tempest-plugin"
    TRAILING = "trailing"
    OTHER = "other"


#: A project of a mixed table that has no deliverable type.
NO_TYPE = "no type"
TYPE_COLORS = {
    DeliverableType.SERVICE: "#3274A1",
    DeliverableType.LIBRARY: "#3A923A",
    DeliverableType.CLIENT_LIBRARY: "#E1812C",
    DeliverableType.HORIZON_PLUGIN: "#9372B2",
    DeliverableType.TEMPEST_PLUGIN: "#C03D3E",
    DeliverableType.TRAILING: "#845B53",
    DeliverableType.OTHER: "#7F7F7F",
}
#: Colours for a type the release data may add later, in turn.
SPARE_COLORS = ("#D684BD", "#A9AA35", "#2BB5C4", "#1F3A5F")
#: Test code: the type's colour, hatched in white.
TEST_PATTERN = {"shape": "/", "fgcolor": "#FFFFFF", "solidity": 0.45}


def has_types(tidy: pd.DataFrame) -> bool:
    """Whether any row has an OpenStack deliverable type (the run selected deliverables)."""
    return type_count(tidy) > 0


def type_count(tidy: pd.DataFrame) -> int:
    """How many deliverable types the rows hold (0 for a run without deliverables)."""
    if "deliverable_type" not in tidy.columns:
        return 0
    return int(tidy["deliverable_type"].map(text).replace("", pd.NA).nunique())


def type_of(tidy: pd.DataFrame) -> pd.Series:
    """Each row's deliverable type as text, :data:`NO_TYPE` where it has none."""
    return tidy["deliverable_type"].map(text).replace("", NO_TYPE)


def type_colors(types: list[str]) -> dict[str, str]:
    """A colour per type: the known types' own, the rest from :data:`SPARE_COLORS` in turn."""
    known = {str(kind): color for kind, color in TYPE_COLORS.items()}
    spare = iter(SPARE_COLORS * (1 + len(types) // len(SPARE_COLORS)))
    return {kind: known.get(kind) or (charts.OTHERS_COLOR if kind == NO_TYPE else next(spare)) for kind in types}


def _totals(tidy: pd.DataFrame) -> pd.DataFrame:
    """Code and lines per series label, type and category, in series order."""
    rows = charts.with_labels(tidy[tidy["series"].map(text) != ""]).assign(type=lambda f: type_of(f))
    grouped = rows.groupby(["label", "_order", "type", "category"], sort=False)[["code", "lines"]].sum()
    return grouped.reset_index().sort_values("_order", kind="stable")


def ranked_types(totals: pd.DataFrame) -> list[str]:
    """Types by their code in the newest series, largest first (the bottom of the stack), then by all their code."""
    labels = list(dict.fromkeys(totals["label"]))
    latest = totals[totals["label"] == labels[-1]].groupby("type")["code"].sum() if labels else pd.Series()
    overall = totals.groupby("type")["code"].sum()
    return sorted(overall.index.astype(str), key=lambda t: (-int(latest.get(t, 0)), -int(overall[t]), t))


def type_headline(tidy: pd.DataFrame, title: str | None = None, noun: str = "Python") -> go.Figure:
    """Code per series stacked by deliverable type, each type's test code hatched above its own,
    with the test share of all of it on the right; a menu switches to all lines."""
    totals = _totals(tidy)
    labels = list(dict.fromkeys(totals["label"]))
    types = ranked_types(totals)
    colors = type_colors(types)
    projects = charts.series_totals(tidy).drop_duplicates("label").set_index("label")["projects"].reindex(labels)
    cells = totals.set_index(["type", "category", "label"])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    views: dict[str, dict[str, list[Any]]] = {}
    for measure, _title in charts.measures(noun):
        values = cells[measure]
        ys = [
            [int(values.get((kind, category, label), 0)) for label in labels]
            for kind in types
            for category in (NON_TEST, TEST)
        ]
        test = [sum(int(values.get((kind, TEST, label), 0)) for kind in types) for label in labels]
        total = [sum(y[i] for y in ys) for i in range(len(labels))]
        share = [t / n if n else 0.0 for t, n in zip(test, total, strict=True)]
        views[measure] = {
            "y": [*ys, share],
            "customdata": [*([None] * len(ys)), list(zip(total, projects, strict=True))],
            # the newest share written on the line, as the slide shows it
            "text": [*([None] * len(ys)), [""] * (len(labels) - 1) + [f"{share[-1]:.1%}"] if labels else []],
        }
    shown = views["code"]
    for index, (kind, category) in enumerate((kind, category) for kind in types for category in (NON_TEST, TEST)):
        marker: dict[str, Any] = {"color": colors[kind]}
        if category == TEST:
            marker["pattern"] = TEST_PATTERN
        fig.add_trace(
            go.Bar(
                x=labels,
                y=shown["y"][index],
                name=kind,
                legendgroup=kind,
                showlegend=category == NON_TEST,
                marker=marker,
                hovertemplate=f"{kind} {category}: %{{y:,}}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=shown["y"][-1],
            name="test share (all types)",
            mode="lines+markers+text",
            text=shown["text"][-1],
            textposition="top center",
            textfont={"size": 14, "color": "#222222"},
            line={"color": "#222222", "width": 2},
            customdata=shown["customdata"][-1],
            hovertemplate="test share: %{y:.1%}<br>total: %{customdata[0]:,} in %{customdata[1]} projects"
            "<extra></extra>",
        ),
        secondary_y=True,
    )
    # One or two series would each be a bar across half the chart.
    fig.update_layout(barmode="stack", bargap=0.6 if len(labels) < 3 else None)
    charts.series_ticks(fig, labels)
    charts.measure_menu(fig, views, noun)
    charts.layout(fig, title or f"OpenStack {noun} lines per release series by deliverable type", height=540)
    fig.update_layout(
        title={"x": 0.22},
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 1,
            "xanchor": "left",
            "x": 1.08,
            "title": {"text": "deliverable type<br>(test code hatched)"},
            "traceorder": "reversed",
        },
        margin={"r": 210},
    )
    return fig
