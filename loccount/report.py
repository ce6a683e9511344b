"""Assemble the HTML report and its CSVs under the output directory from tidy tables.

Knows nothing of git or pygount: it reads the tidy table, the directory-area table and the
provenance record, asks :mod:`loccount.charts` for figures and writes pages. Every file is
replaced atomically; plotly.js is written once, next to the pages, so they work offline.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from . import __version__, charts
from .export import atomic_write, remove_stale_temporaries, temporary_path, write_csv
from .table import wide_frame

WIDE_CSV = "wide.csv"
AREAS_CSV = "areas.csv"
PLOTLY_JS = f"plotly-{plotly.__version__}.min.js"
IMAGE_SIZE = {"width": 1600, "height": 800}
NONE = "\u2013"  # an en dash stands for "no value"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_ENV = Environment(loader=PackageLoader("loccount"), autoescape=select_autoescape(["j2", "html"]))


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from: all of it plain tables and text."""

    tidy: pd.DataFrame
    areas: pd.DataFrame
    provenance: dict


def page_name(project: str) -> str:
    """A file name for a project's page that cannot leave the output directory."""
    if _SAFE.match(project) and ".." not in project:
        return f"project-{project}.html"
    digest = hashlib.sha256(project.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", project).strip("_")[:60]
    return f"project-{cleaned}-{digest}.html"


def _figure(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False, "responsive": True}
    )


def _share(value: float) -> str:
    return NONE if pd.isna(value) else f"{100 * value:.1f}%"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _release_name(row: pd.Series) -> str:
    series = _text(row["series"])
    return f"{series.capitalize()} ({row['version']})" if series else str(row["version"])


def _summary(tidy: pd.DataFrame) -> pd.DataFrame:
    frame = charts.with_labels(tidy)
    keys = ["project", "series", "release_id", "version", "tag", "commit", "date", "rule", "_order"]
    test = frame[frame["category"] == "test"].set_index(keys)
    other = frame[frame["category"] == "non-test"].set_index(keys)
    out = pd.DataFrame(index=test.index)
    for column in ("files", "code", "documentation", "empty", "string", "lines"):
        out[column] = test[column] + other[column].reindex(test.index)
    out["test_code"] = test["code"]
    out["share"] = out["test_code"] / out["code"].where(out["code"] > 0)
    return out.reset_index()


def _latest_rows(summary: pd.DataFrame) -> tuple[list[dict], dict | None]:
    rows = []
    for project, part in summary.groupby("project", sort=False):
        last = part.iloc[-1]
        prev = part.iloc[-2] if len(part) > 1 else None
        growth = int(last["code"] - prev["code"]) if prev is not None else None
        rows.append(
            {
                "project": project,
                "page": page_name(str(project)),
                "release": _release_name(last),
                "code": int(last["code"]),
                "lines": int(last["lines"]),
                "share": _share(last["share"]),
                "previous": _release_name(prev) if prev is not None else NONE,
                "growth": NONE if growth is None else f"{growth:+,}",
                "growth_pct": NONE if growth is None or not prev["code"] else f"{100 * growth / prev['code']:+.1f}%",
                "direction": "" if not growth else ("up" if growth > 0 else "down"),
            }
        )
    if not rows:
        return rows, None
    code = sum(r["code"] for r in rows)
    test = sum(int(part.iloc[-1]["test_code"]) for _, part in summary.groupby("project", sort=False))
    total = {"code": code, "lines": sum(r["lines"] for r in rows), "share": _share(test / code if code else None)}
    return rows, total


def _release_rows(summary: pd.DataFrame) -> list[dict]:
    return [
        {
            "project": row["project"],
            "series": _text(row["series"]).capitalize(),
            "version": row["version"],
            "tag": _text(row["tag"]),
            "commit": row["commit"],
            "date": "" if pd.isna(row["date"]) else row["date"].strftime("%Y-%m-%d"),
            "rule": row["rule"],
            "files": int(row["files"]),
            "code": int(row["code"]),
            "documentation": int(row["documentation"]),
            "empty": int(row["empty"]),
            "string": int(row["string"]),
            "lines": int(row["lines"]),
            "test_code": int(row["test_code"]),
            "share": _share(row["share"]),
        }
        for _, row in summary.iterrows()
    ]


def _provenance(info: dict) -> dict:
    rules = [rule for rule in str(info.get("test_rules", "")).split(" | ") if rule]
    return {**info, "rules": rules, "loccount": info.get("loccount", __version__)}


def _write_plotlyjs(output: Path) -> None:
    target = output / PLOTLY_JS
    if not target.exists():
        atomic_write(target, lambda stream: stream.write(get_plotlyjs()))
    for stale in output.glob("plotly-*.min.js"):
        if stale.name != PLOTLY_JS:
            stale.unlink()


def write_images(fig: go.Figure, output: Path, stem: str, say: Callable[[str], None]) -> list[Path]:
    """PNG and SVG of ``fig`` through kaleido and the system Chromium; a clear note where there is none."""
    targets = [output / f"{stem}.{suffix}" for suffix in ("png", "svg")]
    temporaries = [temporary_path(target) for target in targets]
    try:
        pio.write_images([fig, fig], temporaries, format=["png", "svg"], **IMAGE_SIZE)
        for temporary, target in zip(temporaries, targets, strict=True):
            temporary.replace(target)
    except Exception as error:  # kaleido raises its own, choreographer's and OS errors
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        say(f"static images skipped: no usable Chromium or Chrome for kaleido ({reason[:160]})")
        return []
    return targets


def write_report(
    data: ReportInput, output: Path, *, images: bool = True, say: Callable[[str], None] = print
) -> list[Path]:
    """Write index.html, one page per project, wide.csv and (with a browser) headline PNG/SVG."""
    output.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(output)
    _write_plotlyjs(output)
    tidy = data.tidy
    summary = _summary(tidy)
    projects = [{"name": name, "page": page_name(str(name))} for name in dict.fromkeys(tidy["project"])]
    prov = _provenance(data.provenance)
    written: list[Path] = [write_csv(wide_frame(tidy), output / WIDE_CSV)]
    for project in projects:
        rows = tidy[tidy["project"] == project["name"]]
        page = _ENV.get_template("project.html.j2").render(
            title=f"{project['name']}: Python lines per release",
            heading=f"{project['name']}: Python lines per release, test vs non-test",
            lead=f"{len(rows) // 2} releases of {project['name']} counted.",
            plotlyjs=PLOTLY_JS,
            projects=projects,
            prov=prov,
            figures={
                "breakdown": _figure(charts.project_breakdown(rows), "breakdown"),
                "split": _figure(charts.project_split(rows), "split"),
            },
            rows=_release_rows(summary[summary["project"] == project["name"]]),
        )
        written.append(atomic_write(output / project["page"], lambda stream, text=page: stream.write(text)))
    headline = charts.headline(tidy)
    pictures = write_images(headline, output, "headline", say) if images else []
    latest, total = _latest_rows(summary)
    index = _ENV.get_template("index.html.j2").render(
        title="Python lines per release",
        heading="Python lines per release, and how much of it is tests",
        lead=(
            f"{len(projects)} projects, {tidy['series'].dropna().nunique()} release series. "
            "Bars stack non-test and test code lines over all projects; the line is the test share."
        ),
        plotlyjs=PLOTLY_JS,
        projects=projects,
        prov=prov,
        figures={
            "headline": _figure(headline, "headline"),
            "growth": _figure(charts.growth_per_project(tidy), "growth"),
            "share": _figure(charts.test_share_per_project(tidy), "share"),
            "treemap": _figure(charts.treemap(data.areas), "treemap"),
        },
        latest=latest,
        total=total,
        releases=_release_rows(summary),
        csvs=[name for name in ("tidy.csv", WIDE_CSV, "releases.csv", AREAS_CSV) if (output / name).exists()]
        or [WIDE_CSV],
        images=[p.name for p in pictures],
    )
    written.append(atomic_write(output / "index.html", lambda stream: stream.write(index)))
    return [*written, *pictures]
