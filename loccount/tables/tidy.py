"""Per-file records -> the tidy table (one row per project x release x category) and views of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from loccount.classify import NON_TEST, TEST, TestRule
from loccount.counting.filecount import UNCOUNTED, FileState
from loccount.gitio.entries import EntryKind

if TYPE_CHECKING:  # types only: tables know nothing of git or pygount at run time
    from loccount.counting.filecount import FileCount
    from loccount.gitio.entries import TreeEntry
    from loccount.releases.model import Release

COUNTS = ["code", "documentation", "empty", "string"]
#: The states counted per release in the tidy table (``files_<state>``), in their column order.
STATES = list(FileState)
#: How much of pygount's reason a one-line note shows.
REASON_CHARS = 120
UNCOUNTED_COLUMNS = ["project", "series", "version", "tag", "commit", "category", "path", "state", "state_info"]
RELEASE_COLUMNS = [
    "project",
    "series",
    "release_id",
    "series_date",
    "version",
    "tag",
    "commit",
    "date",
    "rule",
]
TIDY_COLUMNS = [
    *RELEASE_COLUMNS,
    "category",
    "files",
    *COUNTS,
    "lines",
    "code_share",
    *(f"files_{state}" for state in STATES),
    "test_rule",
    "pygount",
]
FILE_COLUMNS = [
    *RELEASE_COLUMNS,
    "path",
    "sha",
    "size",
    "kind",
    "category",
    "state",
    "language",
    *COUNTS,
    "lines",
    "state_info",
    "test_rule",
    "pygount",
]


def printable(path: str) -> str:
    """A path as text that any output can hold: undecodable bytes become ``\\xNN`` escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A release with the Python entries of its tree and the rule that classifies them."""

    release: Release
    entries: list[TreeEntry]
    rule: TestRule


def _release_values(release: Release) -> list[Any]:
    return [
        release.project,
        release.series,
        release.release_id,
        pd.Timestamp(release.series_date) if release.series_date else pd.NaT,
        release.version,
        release.tag,
        release.commit,
        pd.Timestamp(release.date).tz_convert("UTC") if release.date else pd.NaT,
        release.rule,
    ]


def file_frame(
    snapshots: Iterable[Snapshot], counts: dict[tuple[str, str], FileCount], pygount_version: str
) -> pd.DataFrame:
    """One row per file entry per release, symlinks and submodules included with their state."""
    rows = []
    categories: dict[tuple[int, str], str] = {}  # releases share most paths: classify each once
    for snap in snapshots:
        head = _release_values(snap.release)
        rule_id = snap.rule.rule_id
        for entry in snap.entries:
            category = categories.get((id(snap.rule), entry.path))
            if category is None:
                category = categories[(id(snap.rule), entry.path)] = snap.rule.category(entry.path)
            kind = entry.kind
            counted = counts.get((entry.sha, entry.name)) if kind == EntryKind.FILE else None
            state = counted.state if counted else kind
            values = [counted.code, counted.documentation, counted.empty, counted.string] if counted else [0, 0, 0, 0]
            rows.append(
                [
                    *head,
                    printable(entry.path),
                    entry.sha,
                    entry.size,
                    kind,
                    category,
                    state,
                    counted.language if counted else f"__{kind}__",
                    *values,
                    sum(values),
                    counted.state_info if counted else None,
                    rule_id,
                    pygount_version,
                ]
            )
    frame = pd.DataFrame(rows, columns=FILE_COLUMNS)
    for column in ["size", *COUNTS, "lines"]:
        frame[column] = frame[column].astype("int64")
    return frame


def tidy_frame(files: pd.DataFrame, snapshots: Iterable[Snapshot], pygount_version: str) -> pd.DataFrame:
    """Sum per project x release x category; every release gets both a test and a non-test row."""
    snaps = list(snapshots)
    release_rows = [[*_release_values(s.release), s.rule.rule_id] for s in snaps]
    releases = pd.DataFrame(release_rows, columns=[*RELEASE_COLUMNS, "test_rule"])
    releases["_rid"] = range(len(releases))
    grid = releases.merge(pd.DataFrame({"category": [NON_TEST, TEST]}), how="cross")
    counted = files[files["kind"] == EntryKind.FILE].copy()
    rid = {(s.release.project, s.release.commit, s.release.version): i for i, s in enumerate(snaps)}
    counted["_rid"] = [rid[key] for key in zip(counted["project"], counted["commit"], counted["version"], strict=True)]
    by = ["_rid", "category"]
    sums = counted.groupby(by)[[*COUNTS, "lines"]].sum()
    sums["files"] = counted.groupby(by).size()
    states = counted.groupby([*by, "state"]).size().unstack("state")
    states = states.reindex(columns=STATES).add_prefix("files_")
    table = grid.merge(sums.join(states), how="left", left_on=["_rid", "category"], right_index=True)
    numeric = ["files", *COUNTS, "lines", *(f"files_{state}" for state in STATES)]
    table[numeric] = table[numeric].fillna(0).astype("int64")
    release_code = table.groupby("_rid")["code"].transform("sum")
    table["code_share"] = (table["code"] / release_code.where(release_code > 0)).round(6)
    table["pygount"] = pygount_version
    return table[TIDY_COLUMNS].reset_index(drop=True)


def uncounted_files(files: pd.DataFrame) -> pd.DataFrame:
    """The files of each release that could not be counted (``UNCOUNTED`` states), with the reason."""
    chosen = files[(files["kind"] == EntryKind.FILE) & files["state"].isin(UNCOUNTED)]
    return chosen[UNCOUNTED_COLUMNS].reset_index(drop=True)


def uncounted_note(uncounted: pd.DataFrame, shown: int = 3) -> str | None:
    """One line for the end of a run: how many files could not be counted, and the first few with their reasons.

    A file counts once however many releases hold it (the same path and state); the releases
    it is in are said beside it.
    """
    if uncounted.empty:
        return None
    keys = ["project", "path", "state"]
    files = uncounted.groupby(keys, sort=False).agg(
        releases=("version", "nunique"), first=("version", "first"), info=("state_info", "first")
    )
    examples = []
    for (project, path, state), row in files.head(shown).iterrows():
        info = row["info"] if isinstance(row["info"], str) else ""
        reason = f"{state}: {info[:REASON_CHARS]}" if info else state
        where = f"{row['first']}" if row["releases"] == 1 else f"{row['first']} and {row['releases'] - 1} more"
        examples.append(f"{project} {path} ({reason}; {where})")
    more = f", and {len(files) - shown:,} more" if len(files) > shown else ""
    releases = uncounted.drop_duplicates(["project", "commit", "version"]).shape[0]
    noun = "file" if len(files) == 1 else "files"
    # Repository text: the terminal escapes it (loccount.terminal.visible), the pages' templates too.
    return (
        f"{len(files):,} {noun} could not be counted and have no lines in the totals "
        f"({len(uncounted):,} in {releases:,} release{'s' if releases != 1 else ''}): {'; '.join(examples)}{more}"
    )


def release_summary(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per release: test, non-test and total figures side by side, with the test share."""
    measures = ["files", *COUNTS, "lines"]
    test = tidy[tidy["category"] == TEST].reset_index(drop=True)
    other = tidy[tidy["category"] == NON_TEST].reset_index(drop=True)
    if not test[["project", "commit", "version"]].equals(other[["project", "commit", "version"]]):
        raise ValueError("tidy table must hold one test and one non-test row per release")
    out = test[RELEASE_COLUMNS].copy()
    for measure in measures:
        out[f"{TEST}_{measure}"] = test[measure]
        out[f"{NON_TEST}_{measure}"] = other[measure]
        out[f"total_{measure}"] = test[measure] + other[measure]
    out["test_share"] = (out[f"{TEST}_code"] / out["total_code"].where(out["total_code"] > 0)).round(6)
    out["total_uncounted"] = sum(test[f"files_{state}"] + other[f"files_{state}"] for state in UNCOUNTED)
    return out


def releases_frame(releases: Iterable[Release]) -> pd.DataFrame:
    """One row per resolved release: the map from series to version, tag and commit."""
    return pd.DataFrame([_release_values(release) for release in releases], columns=RELEASE_COLUMNS)


def area_of(path: str) -> str:
    """The top two directory levels of a path (``nova/virt``), ``nova`` for one, ``(root)`` for none."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:2]) if parts else "(root)"


def latest_areas(files: pd.DataFrame) -> pd.DataFrame:
    """Code and lines per project, directory area and category, at each project's latest release."""
    counted = files[files["kind"] == EntryKind.FILE]
    if counted.empty:
        return pd.DataFrame(columns=["project", "version", "area", "category", "files", "code", "lines"])
    keys = counted[["project", "commit", "version"]].drop_duplicates(keep="last")
    latest = keys.groupby("project", sort=False).tail(1)
    chosen = counted.merge(latest, on=["project", "commit", "version"])
    chosen = chosen.assign(area=chosen["path"].map(area_of))
    grouped = chosen.groupby(["project", "version", "area", "category"], sort=False)
    table = grouped.agg(files=("path", "size"), code=("code", "sum"), lines=("lines", "sum")).reset_index()
    return table.astype({"files": "int64", "code": "int64", "lines": "int64"})


def wide_frame(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per series (or release date), a column per project and category (code lines), plus totals.

    For slides. Outside OpenStack series, each row is a date at which some project released,
    with every project at its newest release by then (as the headline chart shows it).
    """
    if not by_series(tidy):
        return _wide_over_time(tidy)
    rows = tidy
    order = rows.drop_duplicates("series").sort_values("series_date", kind="stable")["series"].tolist()
    wide = rows.pivot_table(index="series", columns=["project", "category"], values="code", aggfunc="sum", sort=False)
    projects = list(dict.fromkeys(rows["project"]))
    columns = [(project, category) for project in projects for category in (NON_TEST, TEST)]
    wide = wide.reindex(index=order, columns=columns)
    wide.columns = [f"{project} {category}" for project, category in columns]
    out = wide.astype("Int64")
    non_test = rows[rows["category"] == NON_TEST].groupby("series")["code"].sum().reindex(order)
    test = rows[rows["category"] == TEST].groupby("series")["code"].sum().reindex(order)
    out["all non-test"] = non_test.astype("int64")
    out["all test"] = test.astype("int64")
    out["all"] = out["all non-test"] + out["all test"]
    out["test share"] = (out["all test"] / out["all"].where(out["all"] > 0)).round(4)
    ids = rows.drop_duplicates("series").set_index("series")["release_id"].reindex(order)
    out.insert(0, "release_id", ids.values)
    out.index.name = "series"
    return out.reset_index()


def by_series(tidy: pd.DataFrame) -> bool:
    """Whether every release is an OpenStack series release (a series axis), else a time axis."""
    if tidy.empty:
        return False
    series = tidy["series"]
    return bool((series.notna() & (series.astype(str) != "")).all())


def with_rank(tidy: pd.DataFrame) -> pd.DataFrame:
    """The rows with ``rank``: each release's place in its project's release order (the row order)."""
    frame = tidy.copy()
    keys = frame[["project", "commit", "version"]].apply(tuple, axis=1) if len(frame) else pd.Series(dtype=object)
    first_seen = pd.Series(pd.factorize(keys)[0], index=frame.index)
    frame["rank"] = first_seen.groupby(frame["project"]).rank(method="dense").astype("int64") - 1
    return frame


def in_force(tidy: pd.DataFrame) -> pd.DataFrame:
    """Each project's figures in force at every release date of any project, by category.

    At a date, a project's figures are those of its newest release by then: the one furthest
    in its release order (version order for tags) among those dated on or before that date.
    Before a project's first release it has no row. Releases without a date are left out.
    Columns: ``date, project, version, commit, release_date, category, files, code, lines,
    changed`` (``changed``: the project has a release of its own at that date).
    """
    columns = ["date", "project", "version", "commit", "release_date", "category", "files", "code", "lines", "changed"]
    frame = with_rank(tidy)
    frame = frame[frame["date"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(date=pd.to_datetime(frame["date"], utc=True).dt.tz_convert(None))
    releases = frame.drop_duplicates(["project", "rank"])[["project", "rank", "date"]]
    grid = pd.DataFrame({"date": sorted(releases["date"].unique())})
    pieces = []
    for project, own in releases.sort_values(["date", "rank"]).groupby("project", sort=False):
        steps = own.assign(rank=own["rank"].cummax())
        at = pd.merge_asof(grid, steps[["date", "rank"]], on="date", direction="backward").dropna()
        at["project"] = project
        at["changed"] = at["date"].isin(own["date"])
        pieces.append(at.astype({"rank": "int64"}))
    steps = pd.concat(pieces, ignore_index=True)
    values = frame[["project", "rank", "version", "commit", "date", "category", "files", "code", "lines"]]
    merged = steps.merge(values.rename(columns={"date": "release_date"}), on=["project", "rank"])
    ordered = merged.sort_values(["date", "project", "category"], kind="stable").reset_index(drop=True)
    return ordered[columns]


def _wide_over_time(tidy: pd.DataFrame) -> pd.DataFrame:
    forced = in_force(tidy)
    if forced.empty:
        return pd.DataFrame(columns=["date"])
    projects = list(dict.fromkeys(tidy["project"]))
    columns = [(project, category) for project in projects for category in (NON_TEST, TEST)]
    wide = forced.pivot_table(index="date", columns=["project", "category"], values="code", aggfunc="sum")
    wide = wide.reindex(columns=columns)
    wide.columns = [f"{project} {category}" for project, category in columns]
    out = wide.astype("Int64")
    sums = forced.pivot_table(index="date", columns="category", values="code", aggfunc="sum")
    sums = sums.reindex(columns=[NON_TEST, TEST]).fillna(0).astype("int64")
    out["all non-test"] = sums[NON_TEST]
    out["all test"] = sums[TEST]
    out["all"] = out["all non-test"] + out["all test"]
    out["test share"] = (out["all test"] / out["all"].where(out["all"] > 0)).round(4)
    out.index = out.index.strftime("%Y-%m-%d")
    out.index.name = "date"
    return out.reset_index()
