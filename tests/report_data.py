"""A small tidy table with known numbers, built directly, for report and browser tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from loccount.provenance import Provenance
from loccount.tables.tidy import TIDY_COLUMNS

SERIES = [
    ("icehouse", "2014.1", date(2014, 4, 17)),
    ("juno", "2014.2", date(2014, 10, 16)),
    ("kilo", "2015.1", date(2015, 4, 30)),
]
# project -> per series (non-test code, test code); None where the project is absent
CODE = {
    "nova": [(100, 50), (120, 80), (150, 150)],
    "heat": [None, (40, 10), (50, 30)],
}


def tidy(names: dict[str, str] | None = None) -> pd.DataFrame:
    names = names or {}
    rows = []
    for project, values in CODE.items():
        for (series, release_id, day), value in zip(SERIES, values, strict=True):
            if value is None:
                continue
            total = sum(value)
            for category, code in zip(("non-test", "test"), value, strict=True):
                rows.append(
                    {
                        "project": names.get(project, project),
                        "series": series,
                        "release_id": release_id,
                        "series_date": pd.Timestamp(day),
                        "version": f"{release_id}.0",
                        "tag": f"{release_id}.0",
                        "commit": f"{abs(hash((project, series))):040x}"[:40],
                        "date": pd.Timestamp(day, tz="UTC"),
                        "rule": "first-final",
                        "deliverable": names.get(project, project),
                        "deliverable_type": "service",
                        "team": project,
                        "language": "Python",
                        "category": category,
                        "files": 3,
                        "code": code,
                        "documentation": 5,
                        "empty": 4,
                        "string": 1,
                        "lines": code + 10,
                        "code_share": code / total,
                        **{
                            f"files_{s}": 0
                            for s in ("analyzed", "empty", "generated", "binary", "error", "unknown", "huge")
                        },
                        "test_rule": "default",
                        "pygount": "3.2.0",
                    }
                )
    return pd.DataFrame(rows)[TIDY_COLUMNS]


def areas(names: dict[str, str] | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame(
        [
            {
                "project": names.get("nova", "nova"),
                "version": "2015.1.0",
                "area": "nova/compute",
                "category": "non-test",
                "files": 2,
                "code": 150,
                "lines": 160,
            },
            {
                "project": names.get("nova", "nova"),
                "version": "2015.1.0",
                "area": "nova/tests",
                "category": "test",
                "files": 1,
                "code": 150,
                "lines": 160,
            },
            {
                "project": names.get("heat", "heat"),
                "version": "2015.1.0",
                "area": "heat/engine",
                "category": "non-test",
                "files": 2,
                "code": 50,
                "lines": 55,
            },
            {
                "project": names.get("heat", "heat"),
                "version": "2015.1.0",
                "area": "=cmd|' /C calc'!A0",
                "category": "test",
                "files": 1,
                "code": 30,
                "lines": 35,
            },
        ]
    )


PROVENANCE = Provenance(
    loccount="0.1.0",
    pygount="3.2.0",
    pygments="2.21.0",
    python="3.11",
    lexer_loop="pygments",
    counter_fingerprint="0123456789abcdef",
    test_rules=("default: dirs=test|tests",),
    run_at="2026-11-22T00:00:00+00:00",
    release_data_commit="f" * 40,
)


# project, from, to, path, old_path, change, category, code before, code after (lines equal code)
CHANGES = [
    ("nova", "2014.1.0", "2014.2.0", "nova/compute/api.py", "nova/compute/api.py", "modified", "non-test", 60, 80),
    ("nova", "2014.1.0", "2014.2.0", "nova/tests/test_api.py", None, "added", "test", 0, 30),
    ("nova", "2014.2.0", "2015.1.0", "nova/compute/manager.py", None, "added", "non-test", 0, 30),
    ("nova", "2014.2.0", "2015.1.0", "nova/tests/unit/test_api.py", "nova/tests/test_api.py", "moved", "test", 30, 30),
    ("nova", "2014.2.0", "2015.1.0", "nova/tests/unit/test_b.py", None, "added", "test", 0, 70),
    ("heat", "2014.2.0", "2015.1.0", "heat/engine/stack.py", "heat/engine/stack.py", "modified", "non-test", 20, 30),
    ("heat", "2014.2.0", "2015.1.0", "heat/tests/test_stack.py", None, "added", "test", 0, 20),
]


def changes(names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per-file changes that add up to :func:`tidy`'s changes, release by release."""
    from loccount.tables.changes import CHANGE_COLUMNS

    names = names or {}
    series = {f"{release_id}.0": name for name, release_id, _day in SERIES}
    rows = []
    for project, old, new, path, old_path, change, category, before, after in CHANGES:
        rows.append(
            {
                "project": names.get(project, project),
                "from_series": series[old],
                "from_release": old,
                "to_series": series[new],
                "to_release": new,
                "path": path,
                "old_path": old_path,
                "change": change,
                "language": "Python",
                "category": category,
                "old_category": category if old_path else None,
                "new_category": category,
                "old_state": "analyzed" if old_path else None,
                "new_state": "analyzed",
                "similarity": 100 if change == "moved" else None,
                "code_before": before,
                "code_after": after,
                "code_delta": after - before,
                "lines_before": before,
                "lines_after": after,
                "lines_delta": after - before,
            }
        )
    return pd.DataFrame(rows)[CHANGE_COLUMNS]


def tags_only() -> pd.DataFrame:
    """The report data as plain tags: nova tagged at the series dates, heat a week after each."""
    frame = tidy().assign(series=None, release_id=None, series_date=pd.NaT, rule="tag-pattern")
    later = frame["project"] == "heat"
    frame.loc[later, "date"] = frame.loc[later, "date"] + pd.Timedelta(days=7)
    return frame


#: The deliverable types a synthetic run of many projects cycles through, about in OpenStack's
#: proportions: twenty slots, most of them libraries, client libraries and services.
MANY_TYPES = (
    *["library"] * 6,
    *["client-library"] * 4,
    *["service"] * 4,
    *["tempest-plugin"] * 2,
    *["horizon-plugin"] * 2,
    "trailing",
    "other",
)
_SCALED = ("files", "code", "documentation", "empty", "string")


def _scale(frame: pd.DataFrame, columns: tuple[str, ...], factor: float) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = (out[column] * factor).round().astype("int64")
    return out


def many_projects(
    tidy: pd.DataFrame, areas: pd.DataFrame, count: int, changes: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """A deterministic run of ``count`` projects made from the projects of ``tidy`` (a real run's
    table): project ``i`` is project ``i mod n`` renamed ``<name>-<i>``, its lines scaled by a factor
    between 0.05 and 1, of a deliverable type from :data:`MANY_TYPES`; every seventh joins the
    deliverable of the one before (as ``sahara-extra`` is part of ``sahara``). ``areas`` and the
    per-file ``changes`` (of each project's latest release pair only) follow."""
    own = tidy[tidy["category"].isin(("test", "non-test"))]
    bases = list(dict.fromkeys(own["project"]))
    latest_pairs = {}
    if changes is not None:
        for project, part in changes.groupby("project", sort=False):
            latest_pairs[project] = part[part["to_release"] == part["to_release"].iloc[-1]]
    tidies, area_parts, change_parts = [], [], []
    deliverable = ""
    for index in range(count):
        base = bases[index % len(bases)]
        name = f"{base}-{index:03d}"
        factor = 0.05 + 0.95 * ((index * 37) % 100) / 100
        deliverable = deliverable if index % 7 == 6 else name
        rows = _scale(own[own["project"] == base], _SCALED, factor)
        rows["lines"] = rows["code"] + rows["documentation"] + rows["empty"] + rows["string"]
        rows["files_analyzed"] = rows["files"]
        for state in ("empty", "generated", "binary", "error", "unknown", "huge"):
            rows[f"files_{state}"] = 0
        release_code = rows.groupby(["commit", "version"])["code"].transform("sum")
        rows["code_share"] = (rows["code"] / release_code.where(release_code > 0)).round(6)
        tidies.append(
            rows.assign(
                project=name,
                deliverable=deliverable,
                deliverable_type=MANY_TYPES[index % len(MANY_TYPES)],
                team=base.capitalize(),
            )
        )
        area_parts.append(
            _scale(areas[areas["project"] == base], ("files", "code", "lines"), factor).assign(project=name)
        )
        if base in latest_pairs:
            pair = _scale(latest_pairs[base], ("code_before", "code_after", "lines_before", "lines_after"), factor)
            pair["code_delta"] = pair["code_after"] - pair["code_before"]
            pair["lines_delta"] = pair["lines_after"] - pair["lines_before"]
            change_parts.append(pair.assign(project=name))
    frame = pd.concat(tidies, ignore_index=True)[TIDY_COLUMNS]
    moved = pd.concat(change_parts, ignore_index=True) if change_parts else None
    return frame, pd.concat(area_parts, ignore_index=True), moved


def with_glance(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`tidy` and a third project, glance: heat's releases with twice its lines, a library."""
    frame = tidy() if frame is None else frame
    glance = tidy()[lambda f: f["project"] == "heat"].assign(
        project="glance", deliverable="glance", deliverable_type="library", team="glance"
    )
    for column in ("code", "documentation", "empty", "string", "lines"):
        glance[column] = glance[column] * 2
    glance["commit"] = glance["commit"].str[::-1]
    return pd.concat([frame, glance], ignore_index=True)
