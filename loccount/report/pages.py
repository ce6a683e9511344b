"""Render the HTML report from tidy tables: pages as text and the headline as images.

Knows nothing of git, pygount or where files go: it is given the frames, the provenance
record and the names to link to (:class:`Links`), and returns each page's HTML. The one
owner of file names and writes is :mod:`loccount.outputs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape

from loccount.classify import NON_TEST, OWN, TEST, VENDORED
from loccount.provenance import Provenance
from loccount.releases.model import ReleaseRule
from loccount.report import charts
from loccount.report.deliverables import has_types, type_count, type_headline, type_of
from loccount.report.labels import flow_text, release_name, share, text
from loccount.report.project_table import project_rows
from loccount.tables.changes import FLOWS, directory_changes, moved_lines, shown_flows, top_directories
from loccount.tables.outcomes import deliverable_outcomes
from loccount.tables.tidy import by_category, by_series, language_noun, release_summary, uncounted_note

#: The slide images' size: 16:9 at 1600 pixels wide.
IMAGE_SIZE = {"width": 1600, "height": 900}
#: Directory levels the change tables group by, and how many directories they show.
CHANGE_DEPTH = 2
DIRECTORIES_PER_RELEASE = 8
MOVERS = 15
#: Projects that ended before the latest series which the total names; the rest are counted.
ENDED_NAMED = 5
_ENV = Environment(loader=PackageLoader("loccount.report"), autoescape=select_autoescape(["j2", "html"]))


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from: all of it plain tables and a provenance record."""

    tidy: pd.DataFrame
    areas: pd.DataFrame
    provenance: Provenance
    #: Per-file changes between releases (``changes.csv``); None for a run that has none.
    changes: pd.DataFrame | None = None
    #: The config's ``title:``, if it has one; otherwise titles come from the data.
    title: str | None = None
    #: The files whose lines could not be counted (``uncounted.csv``); None for an older run's
    #: tables, whose pages then give only how many there were per release.
    uncounted: pd.DataFrame | None = None
    #: Report one language only (its headline, tables and test share); None for all counted.
    language: str | None = None

    @property
    def chosen(self) -> pd.DataFrame:
        """The tidy rows the report is of: every language, or the one asked for."""
        if self.language is None or "language" not in self.tidy.columns:
            return self.tidy
        return self.tidy[self.tidy["language"] == self.language]

    @property
    def own(self) -> pd.DataFrame:
        """The chosen rows summed over languages, the project's own code only (no vendored rows)."""
        rows = by_category(self.chosen)
        return rows[rows["category"].isin(OWN)].reset_index(drop=True)

    @property
    def noun(self) -> str:
        """What the figures count: ``Python``, ``Rust and Go``, ``code`` (four or more languages)."""
        return language_noun(self.chosen)


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


def _span(summary: pd.DataFrame) -> str:
    """``from 2010-04-16 to 2025-08-18`` over the dated releases of ``summary``."""
    dates = pd.to_datetime(summary["date"], utc=True).dropna()
    if dates.empty:
        return "with no known dates"
    first, last = dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")
    return f"on {first}" if first == last else f"from {first} to {last}"


def _what(summary: pd.DataFrame) -> str:
    """``31 releases and 120 snapshots``: what was counted, by how it was chosen."""
    rules = summary["rule"].value_counts()
    snapshots = int(rules.get(ReleaseRule.SNAPSHOT, 0))
    tips = int(rules.get(ReleaseRule.BRANCH_TIP, 0))
    releases = len(summary) - snapshots - tips
    parts = [_plural(releases, "release"), _plural(snapshots, "snapshot"), _plural(tips, "branch tip")]
    words = [part for part in parts if part]
    return " and ".join(words) if words else "no releases"


def _plural(count: int, noun: str) -> str:
    return (
        "" if not count else f"{count} {noun}" if count == 1 else f"{count} {noun}{'es' if noun.endswith('p') else 's'}"
    )


def _lead(summary: pd.DataFrame, series: bool, types: bool = False) -> str:
    projects = list(dict.fromkeys(summary["project"]))
    if series:
        labels = list(dict.fromkeys(summary["label"]))
        span = f" ({labels[0].replace('<br>', ' ')} to {labels[-1].replace('<br>', ' ')})" if labels else ""
        if len(labels) == 1:
            span = f" ({labels[0].replace('<br>', ' ')})"
        count = summary["series"].nunique()
        what = f"{count} release series" if count != 1 else "1 release series"
        if types:
            deliverables = summary["deliverable"].map(text).replace("", None).dropna().nunique()
            return (
                f"{len(projects):,} projects (repositories) of {deliverables:,} deliverables, {what}{span}. "
                "Bars stack code lines by deliverable type, each type's test code hatched above its other code; "
                "the line is the test share of all of it."
            )
        return (
            f"{len(projects)} projects, {summary['series'].nunique()} release series{span}. "
            "Bars stack non-test and test code lines over all projects; the line is the test share."
        )
    named = ", ".join(projects) if len(projects) <= 6 else f"{', '.join(projects[:5])} and {len(projects) - 5} more"
    who = f"{len(projects)} projects ({named})" if len(projects) > 1 else named
    undated = int(summary["date"].isna().sum())
    missing = f" ({_plural(undated, 'release')} without a known date are not on the time axis)" if undated else ""
    stack = "of all projects, each at its newest release by each date" if len(projects) > 1 else "at each date"
    return (
        f"{who}: {_what(summary)} {_span(summary)}{missing}. The chart stacks non-test and test code lines "
        f"{stack}; the line is the test share."
    )


def _project_lead(name: str, rows: pd.DataFrame, provenance: Provenance) -> str:
    order = provenance.release_order.get(name)
    ordered = f", in {order} order" if order else ""
    first, last = rows.iloc[0], rows.iloc[-1]
    ends = release_name(first["series"], first["version"])
    if len(rows) > 1:
        ends += f" to {release_name(last['series'], last['version'])}"
    return f"{_what(rows)} of {name} counted{ordered}: {ends}, {_span(rows)}."


def _latest_rows(summary: pd.DataFrame, pages: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    rows = project_rows(summary, pages)
    test_code = int(summary.groupby("project", sort=False).tail(1)["test_code"].sum())
    if not rows:
        return rows, None
    if by_series(summary):
        # The headline's last bar: the latest series, not each project's own latest release (a
        # project that ended earlier, such as Sahara with Bobcat, is not in Gazpacho's total).
        latest = summary[summary["series"] == summary.sort_values("series_date", kind="stable")["series"].iloc[-1]]
        code = int(latest["total_code"].sum())
        test = int(latest["test_code"].sum())
        lines = int(latest["total_lines"].sum())
        left_out = [str(p) for p in dict.fromkeys(summary["project"]) if p not in set(latest["project"])]
        series = release_name(latest["series"].iloc[0], latest["release_id"].iloc[0])
        label, what = f"all in {series}", f"the projects released in the latest series, {series}"
        if left_out:
            named = ", ".join(left_out[:ENDED_NAMED])
            if len(left_out) > ENDED_NAMED:
                named += f" and {len(left_out) - ENDED_NAMED:,} more"
            what += f" ({named} ended earlier and {'is' if len(left_out) == 1 else 'are'} not in it)"
    else:
        code = sum(r["code"] for r in rows)
        test, lines = test_code, sum(r["lines"] for r in rows)
        label, what = "all", "each project at its latest release, as the headline's last point"
    total = {"label": label, "what": what, "code": code, "lines": lines, "share": share(test / code if code else None)}
    return rows, total


def _release_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
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
            "vendored_code": int(row.get("vendored_code", 0)),
            "share": share(row["test_share"]),
            "uncounted": int(row["total_uncounted"]),
        }
        for _, row in summary.iterrows()
    ]


def _uncounted_rows(uncounted: pd.DataFrame | None, project: str) -> list[dict[str, str]]:
    """One row per file of ``project`` that could not be counted: its state, reason and the releases it is in."""
    if uncounted is None or uncounted.empty:
        return []
    own = uncounted[uncounted["project"] == project]
    grouped = own.fillna({"state_info": ""}).groupby(["path", "state", "state_info"], sort=False)["version"]
    return [
        {
            "path": path,
            "state": state,
            "reason": info,
            "releases": ", ".join(dict.fromkeys(versions)),
        }
        for (path, state, info), versions in grouped
    ]


def _flow_cells(values: Mapping[str, Any], flows: Sequence[str] = FLOWS) -> list[dict[str, str]]:
    """The numbers of a change-table row: non-test, then test, each ``flows`` (added, removed, moved,
    unreadable where there is any, net)."""
    cells = []
    for category in (NON_TEST, TEST):
        for flow in flows:
            value = int(values.get(f"{category}_{flow}", 0))
            direction = "" if flow != "net" or not value else ("up" if value > 0 else "down")
            cells.append({"text": flow_text(flow, value), "direction": direction})
    return cells


def _release_names(tidy: pd.DataFrame) -> dict[tuple[str, str], str]:
    """``(project, version)`` -> ``Kilo (2015.1.0)``."""
    rows = tidy.drop_duplicates(["project", "version"])
    return {
        (str(row["project"]), str(row["version"])): release_name(row["series"], row["version"])
        for _, row in rows.iterrows()
    }


def _change_releases(
    whole: pd.DataFrame, directories: pd.DataFrame, names: Mapping[tuple[str, str], str], own: pd.DataFrame
) -> list[dict[str, Any]]:
    """One project's releases, newest first: the directories behind each release's change, and the
    total. Every consecutive pair of ``own`` (its summary rows, in release order) is there: a pair
    in which no Python file changed says so."""
    tops = top_directories(directories, DIRECTORIES_PER_RELEASE)
    wholes = top_directories(whole, None).set_index("to_release")
    parts = {key: part for key, part in tops.groupby(["from_release", "to_release"], sort=False)}
    project = str(own["project"].iloc[0])
    versions = list(dict.fromkeys(own["version"]))
    releases = []
    for old, new in pairwise(versions):
        part = parts.get((old, new))
        total = wholes.loc[new] if part is not None and new in wholes.index else {}
        net = sum(int(total.get(f"{category}_net", 0)) for category in (NON_TEST, TEST))
        flows = shown_flows(whole[whole["to_release"] == new])
        rows = [] if part is None else part.iterrows()
        releases.append(
            {
                "name": names.get((project, new), new),
                "previous": names.get((project, old), old),
                "net": f"{net:+,}",
                "unchanged": part is None,
                "flows": flows,
                "rows": [{"lead": [row["directory"]], "cells": _flow_cells(row, flows)} for _, row in rows],
                "total": _flow_cells(total, flows),
            }
        )
    return releases[::-1]


def _movers(
    changes: pd.DataFrame, summary: pd.DataFrame, names: Mapping[tuple[str, str], str], pages: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The busiest directories of every project's latest release pair, across projects, the
    pairs (``project old → new``) in which no Python file changed, and the flows shown."""
    keys = ["project", "from_release", "to_release"]
    pairs = []
    for project, part in summary.groupby("project", sort=False):
        if len(part) > 1:
            pairs.append((project, part["version"].iloc[-2], part["version"].iloc[-1]))
    chosen = changes.merge(pd.DataFrame(pairs, columns=keys), on=keys)

    def pair_name(project: str, old: str, new: str) -> str:
        return f"{names.get((project, old), old)} → {names.get((project, new), new)}"

    changed = set(chosen[keys].itertuples(index=False, name=None))
    unchanged = [f"{pair[0]} {pair_name(*pair)}" for pair in pairs if pair not in changed]
    flows = directory_changes(chosen, CHANGE_DEPTH)
    shown = shown_flows(flows)
    movers = top_directories(flows, None)
    movers = movers.sort_values("activity", ascending=False, kind="stable").head(MOVERS)
    rows = [
        {
            "lead": [
                row["project"],
                pair_name(row["project"], row["from_release"], row["to_release"]),
                row["directory"],
            ],
            "page": pages.get(str(row["project"])),
            "cells": _flow_cells(row, shown),
        }
        for _, row in movers.iterrows()
    ]
    return rows, unchanged, shown


def headline(data: ReportInput) -> go.Figure:
    """The overview's main chart, also written as images for slides: per series by deliverable
    type where the projects are of several types, else test vs non-test (one type would only
    hide the test and non-test colours behind one)."""
    if type_count(data.own) > 1 and by_series(data.own):
        return type_headline(data.own, data.title, data.noun)
    return charts.headline(data.own, data.title, data.noun)


def _outcomes(provenance: Provenance, tidy: pd.DataFrame) -> dict[str, Any] | None:
    """How many of the run's deliverables were counted, and which were skipped or failed and why;
    None for a run that did not select deliverables."""
    if not provenance.deliverable_of:
        return None
    counted = [str(name) for name in dict.fromkeys(tidy["project"])]
    out = deliverable_outcomes(counted, provenance.skipped, provenance.failures, provenance.deliverable_of)
    total = len(out.counted) + len(out.skipped) + len(out.failed)
    return {"total": total, "counted": len(out.counted), "skipped": out.skipped, "failed": out.failed}


def slide_source(provenance: Provenance) -> str:
    """The line that says, on a slide, what produced its figures."""
    return (
        f"Counted with loccount {provenance.loccount} and pygount {provenance.pygount}, "
        f"{provenance.run_at[:10]}; test code: {provenance.test_rules[0].split(':')[0]} rule"
    )


def render_images(fig: go.Figure, targets: Sequence[Path], provenance: Provenance | None = None) -> None:
    """Render ``fig`` as a slide (:func:`charts.slide`) into each target (PNG, SVG by suffix) with
    kaleido and the system Chromium."""
    formats = [Path(target).suffix.removeprefix(".").split(".")[-1] for target in targets]
    picture = charts.slide(fig, slide_source(provenance)) if provenance is not None else fig
    pio.write_images([picture] * len(targets), list(targets), format=formats, **IMAGE_SIZE)


def render_pages(data: ReportInput, links: Links, headline_figure: go.Figure | None = None) -> dict[str, str]:
    """The HTML of the overview and of every project's page, by the names in ``links``."""
    tidy = data.own
    chosen = data.chosen
    noun = data.noun
    series = by_series(tidy)
    summary = charts.with_labels(release_summary(chosen), keep_order=not series)
    projects = [{"name": name, "page": links.pages[str(name)]} for name in dict.fromkeys(tidy["project"])]
    types = has_types(tidy)
    many = len(projects) > charts.NAME_ALL_UP_TO
    common = {
        "plotlyjs": links.plotlyjs,
        "projects": projects,
        "prov": data.provenance,
        "index": links.index,
        "by_series": series,
        "many": many,
    }
    per = "per release series" if series else "over time"
    who = f"{projects[0]['name']}: " if len(projects) == 1 else ""
    changes = data.changes if data.changes is not None and len(data.changes) else None
    names = _release_names(tidy)
    pages: dict[str, str] = {}
    for project in projects:
        rows = tidy[tidy["project"] == project["name"]]
        own = summary[summary["project"] == project["name"]]
        figures = {
            "breakdown": _figure(charts.project_breakdown(rows), "breakdown"),
            "split": _figure(charts.project_split(rows), "split"),
        }
        mine = chosen[chosen["project"] == project["name"]]
        if _several(mine):
            figures["languages"] = _figure(charts.language_breakdown(mine), "languages")
        changed = changes[changes["project"] == project["name"]] if changes is not None else None
        releases = []
        if changed is not None and len(changed):
            whole, directories = directory_changes(changed, 0), directory_changes(changed, CHANGE_DEPTH)
            figure = charts.project_changes(whole, directories, moved_lines(changed), rows)
            figures["changes"] = _figure(figure, "changes")
            releases = _change_releases(whole, directories, names, own)
        unit = "snapshot" if (own["rule"] == ReleaseRule.SNAPSHOT).all() else "release"
        pages[project["page"]] = _ENV.get_template("project.html.j2").render(
            title=f"{project['name']}: {language_noun(mine)} lines per {unit}",
            heading=f"{project['name']}: {language_noun(mine)} lines per {unit}, test vs non-test",
            lead=_project_lead(project["name"], own, data.provenance),
            figures=figures,
            rows=_release_rows(own),
            vendored=bool((own.get("vendored_code", pd.Series(dtype="int64")) > 0).any()),
            uncounted=_uncounted_rows(data.uncounted, project["name"]),
            change_releases=releases,
            **common,
        )
    latest, total = _latest_rows(summary, links.pages)
    movers, unchanged, mover_flows = (
        _movers(changes, summary, names, links.pages) if changes is not None else ([], [], [])
    )
    pages[links.index] = _ENV.get_template("index.html.j2").render(
        title=data.title or f"{who}{noun} lines {per}",
        heading=data.title or f"{who}{noun} lines {per}, and how much of it is tests",
        lead=_lead(summary, series, types),
        figures={
            "headline": _figure(headline_figure or headline(data), "headline"),
            **_over_releases(tidy, summary, series),
            "treemap": _figure(_treemap(data.areas, summary, tidy, types), "treemap"),
            **_overview_languages(chosen, series),
        },
        latest=latest,
        total=total,
        types=types,
        rich=types or many,
        outcomes=_outcomes(data.provenance, tidy),
        releases=[] if many else _release_rows(summary),
        csvs=list(links.downloads),
        images=list(links.images),
        movers=movers,
        mover_flows=mover_flows,
        unchanged=unchanged,
        uncounted=_uncounted_summary(data.uncounted, summary),
        **common,
    )
    return pages


def _over_releases(tidy: pd.DataFrame, summary: pd.DataFrame, series: bool) -> dict[str, str]:
    """The per-project charts over releases, where the axis has two releases or more (one series
    of 46 projects drew 46 empty growth panels)."""
    points = summary["label"].nunique() if series else pd.to_datetime(summary["date"], utc=True).nunique()
    if points < 2:
        return {}
    return {
        "growth": _figure(charts.growth_per_project(tidy), "growth"),
        "share": _figure(charts.test_share_per_project(tidy), "share"),
    }


def _treemap(areas: pd.DataFrame, summary: pd.DataFrame, tidy: pd.DataFrame, types: bool) -> go.Figure:
    """The overview's treemap: under each deliverable type where there are types; with many
    projects, directories only for those the other charts name."""
    latest = summary.groupby("project", sort=False).tail(1)
    kinds = dict(zip(latest["project"].astype(str), type_of(latest), strict=True)) if types else None
    return charts.treemap(areas, kinds=kinds, detailed=charts.named_projects(tidy))


def _several(rows: pd.DataFrame) -> bool:
    """Whether rows hold more than one language, or vendored code: then a language chart says more."""
    if "language" not in rows.columns or rows.empty:
        return False
    with_code = rows[rows["code"] > 0]
    return with_code["language"].nunique() > 1 or (with_code["category"] == VENDORED).any()


def _overview_languages(chosen: pd.DataFrame, series: bool) -> dict[str, str]:
    """The overview's language chart: over series for many projects, a project's releases for one."""
    if not _several(chosen):
        return {}
    if series:
        return {"languages": _figure(charts.language_breakdown(chosen, keep_order=False), "languages")}
    if chosen["project"].nunique() == 1:
        return {"languages": _figure(charts.language_breakdown(chosen), "languages")}
    return {}


def _uncounted_summary(uncounted: pd.DataFrame | None, summary: pd.DataFrame) -> str | None:
    """The overview's word on files that could not be counted: which, or (older tables) how many."""
    if uncounted is not None:
        return uncounted_note(uncounted)
    releases = summary[summary["total_uncounted"] > 0]
    if releases.empty:
        return None
    return (
        f"{int(releases['total_uncounted'].sum()):,} file instances in {len(releases):,} releases "
        "could not be counted and have no lines in the totals"
    )
