"""Render the HTML report from tidy tables: pages as text and the headline as images.

Knows nothing of git, pygount or where files go: it is given the frames, the provenance
record and the names to link to (:class:`Links`), and returns each page's HTML. The one
owner of file names and writes is :mod:`loccount.outputs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape

from . import charts
from .labels import NONE, release_name, share, text
from .provenance import Provenance
from .table import release_summary

IMAGE_SIZE = {"width": 1600, "height": 800}
_ENV = Environment(loader=PackageLoader("loccount"), autoescape=select_autoescape(["j2", "html"]))


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from: all of it plain tables and a provenance record."""

    tidy: pd.DataFrame
    areas: pd.DataFrame
    provenance: Provenance


@dataclass(frozen=True)
class Links:
    """The names pages link to, chosen by the writer of the files."""

    index: str
    pages: Mapping[str, str]
    plotlyjs: str
    downloads: Sequence[str] = ()
    images: Sequence[str] = field(default_factory=tuple)


def _figure(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False, "responsive": True}
    )


def _summary(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per release in chart order, with test code and the test share beside the totals."""
    return charts.with_labels(release_summary(tidy))


def _latest_rows(summary: pd.DataFrame, pages: Mapping[str, str]) -> tuple[list[dict], dict | None]:
    rows = []
    test_code = 0
    for project, part in summary.groupby("project", sort=False):
        last = part.iloc[-1]
        prev = part.iloc[-2] if len(part) > 1 else None
        before = int(prev["total_code"]) if prev is not None else None
        growth = int(last["total_code"]) - before if before is not None else None
        test_code += int(last["test_code"])
        rows.append(
            {
                "project": project,
                "page": pages[str(project)],
                "release": release_name(last["series"], last["version"]),
                "code": int(last["total_code"]),
                "lines": int(last["total_lines"]),
                "share": share(last["test_share"]),
                "previous": release_name(prev["series"], prev["version"]) if prev is not None else NONE,
                "growth": NONE if growth is None else f"{growth:+,}",
                "growth_pct": NONE if growth is None or not before else f"{100 * growth / before:+.1f}%",
                "direction": "" if not growth else ("up" if growth > 0 else "down"),
            }
        )
    if not rows:
        return rows, None
    code = sum(r["code"] for r in rows)
    total = {"code": code, "lines": sum(r["lines"] for r in rows), "share": share(test_code / code if code else None)}
    return rows, total


def _release_rows(summary: pd.DataFrame) -> list[dict]:
    return [
        {
            "project": row["project"],
            "series": text(row["series"]).capitalize(),
            "version": row["version"],
            "tag": text(row["tag"]),
            "commit": row["commit"],
            "date": "" if pd.isna(row["date"]) else row["date"].strftime("%Y-%m-%d"),
            "rule": row["rule"],
            "files": int(row["total_files"]),
            "code": int(row["total_code"]),
            "documentation": int(row["total_documentation"]),
            "empty": int(row["total_empty"]),
            "string": int(row["total_string"]),
            "lines": int(row["total_lines"]),
            "test_code": int(row["test_code"]),
            "share": share(row["test_share"]),
        }
        for _, row in summary.iterrows()
    ]


def headline(data: ReportInput) -> go.Figure:
    """The overview's main chart, also written as images for slides."""
    return charts.headline(data.tidy)


def render_images(fig: go.Figure, targets: Sequence[Path]) -> None:
    """Render ``fig`` into each target (PNG, SVG by suffix) with kaleido and the system Chromium."""
    formats = [Path(target).suffix.removeprefix(".").split(".")[-1] for target in targets]
    pio.write_images([fig] * len(targets), list(targets), format=formats, **IMAGE_SIZE)


def render_pages(data: ReportInput, links: Links, headline_figure: go.Figure | None = None) -> dict[str, str]:
    """The HTML of the overview and of every project's page, by the names in ``links``."""
    tidy = data.tidy
    summary = _summary(tidy)
    projects = [{"name": name, "page": links.pages[str(name)]} for name in dict.fromkeys(tidy["project"])]
    common = {"plotlyjs": links.plotlyjs, "projects": projects, "prov": data.provenance, "index": links.index}
    pages: dict[str, str] = {}
    for project in projects:
        rows = tidy[tidy["project"] == project["name"]]
        pages[project["page"]] = _ENV.get_template("project.html.j2").render(
            title=f"{project['name']}: Python lines per release",
            heading=f"{project['name']}: Python lines per release, test vs non-test",
            lead=f"{len(rows) // 2} releases of {project['name']} counted.",
            figures={
                "breakdown": _figure(charts.project_breakdown(rows), "breakdown"),
                "split": _figure(charts.project_split(rows), "split"),
            },
            rows=_release_rows(summary[summary["project"] == project["name"]]),
            **common,
        )
    latest, total = _latest_rows(summary, links.pages)
    pages[links.index] = _ENV.get_template("index.html.j2").render(
        title="Python lines per release",
        heading="Python lines per release, and how much of it is tests",
        lead=(
            f"{len(projects)} projects, {tidy['series'].dropna().nunique()} release series. "
            "Bars stack non-test and test code lines over all projects; the line is the test share."
        ),
        figures={
            "headline": _figure(headline_figure or headline(data), "headline"),
            "growth": _figure(charts.growth_per_project(tidy), "growth"),
            "share": _figure(charts.test_share_per_project(tidy), "share"),
            "treemap": _figure(charts.treemap(data.areas), "treemap"),
        },
        latest=latest,
        total=total,
        releases=_release_rows(summary),
        csvs=list(links.downloads),
        images=list(links.images),
        **common,
    )
    return pages
