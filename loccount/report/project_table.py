"""The overview's table of every project for runs of many projects: latest figures, growth since
the previous and the first counted release, and (for OpenStack deliverables) deliverable, type
and team, each cell with the value it sorts by.

The charts name only the largest projects; this table is where every one of them is, so it
must sort by any column and filter by name in the browser (``sortable.js``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from loccount.report.labels import NONE, release_name, share, text


def _growth(now: int, before: int | None) -> dict[str, Any]:
    """A change of code lines as shown (``+1,234``, ``+5.0%``), its sort keys and its colour."""
    if before is None:
        return {"text": NONE, "pct": NONE, "key": "", "pct_key": "", "direction": ""}
    change = now - before
    pct = 100 * change / before if before else None
    return {
        "text": f"{change:+,}",
        "pct": NONE if pct is None else f"{pct:+.1f}%",
        "key": str(change),
        "pct_key": "" if pct is None else f"{pct:.4f}",
        "direction": "" if not change else ("up" if change > 0 else "down"),
    }


def _order_key(row: pd.Series) -> str:
    """A release's place in time as sortable text: its series date, else its own date."""
    when = row.get("series_date")
    if when is None or pd.isna(when):
        when = row.get("date")
    return "" if when is None or pd.isna(when) else pd.Timestamp(when).strftime("%Y-%m-%d")


def project_rows(summary: pd.DataFrame, pages: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per project of ``summary`` (:func:`loccount.tables.tidy.release_summary`, in release
    order), at its latest release."""
    rows = []
    for project, part in summary.groupby("project", sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        prev = part.iloc[-2] if len(part) > 1 else None
        code = int(last["total_code"])
        rows.append(
            {
                "project": str(project),
                "page": pages[str(project)],
                "deliverable": text(last.get("deliverable")),
                "type": text(last.get("deliverable_type")),
                "team": text(last.get("team")),
                "release": release_name(last["series"], last["version"]),
                "release_key": _order_key(last),
                "code": code,
                "lines": int(last["total_lines"]),
                "share": share(last["test_share"]),
                "share_key": "" if pd.isna(last["test_share"]) else f"{float(last['test_share']):.6f}",
                "previous": release_name(prev["series"], prev["version"]) if prev is not None else NONE,
                "since_previous": _growth(code, int(prev["total_code"]) if prev is not None else None),
                "first": release_name(first["series"], first["version"]),
                "first_key": _order_key(first),
                "since_first": _growth(code, int(first["total_code"]) if len(part) > 1 else None),
            }
        )
    return rows
