"""Per-file records -> the tidy table (one row per project x release x category) and views of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from loccount.classify import NON_TEST, OWN, TEST, VENDORED, Category, TestRule
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
    "deliverable",
    "deliverable_type",
    "team",
]
#: The release columns an older table may lack (they come from OpenStack's release data).
DELIVERABLE_COLUMNS = ("deliverable", "deliverable_type", "team")
TIDY_COLUMNS = [
    *RELEASE_COLUMNS,
    "language",
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
    "part",
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


class Part(StrEnum):
    """Which part of a file a row holds: the whole file, or one side of its in-file tests."""

    WHOLE = "whole"
    #: The lines outside the file's in-file tests (Rust's ``#[cfg(test)]`` items): product code.
    OUTSIDE_TESTS = "outside-tests"
    #: The lines of the file's in-file tests, counted as test code.
    INLINE_TESTS = "inline-tests"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A release with the counted entries of its tree, their languages and the rule that classifies them.

    ``languages`` holds each entry's language (the language pygount gave it, or for a file it
    did not analyse, the likeliest one its name claims); ``attributes`` what the release's
    ``.gitattributes`` say of a path (True: vendored or generated; False: not vendored).
    """

    release: Release
    entries: list[TreeEntry]
    rule: TestRule
    languages: tuple[str, ...] = ()
    attributes: Mapping[str, bool] = field(default_factory=dict)
    #: The languages the count asked for by name: each gets rows even where it has no files.
    named: tuple[str, ...] = ()


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
        release.deliverable,
        release.deliverable_type,
        release.team,
    ]


def file_frame(
    snapshots: Iterable[Snapshot], counts: dict[tuple[str, str], FileCount], pygount_version: str
) -> pd.DataFrame:
    """One row per file entry per release, symlinks and submodules included with their state.

    A file whose language has a content rule and whose path says non-test has two rows when
    it holds in-file tests: its lines outside them (non-test) and theirs (test). The two add
    up to pygount's counts for the file.
    """
    rows = []
    categories: dict[tuple[int, str, str, bool | None], Category] = {}  # releases share most paths
    for snap in snapshots:
        head = _release_values(snap.release)
        rule_id = snap.rule.rule_id
        languages = snap.languages or ("",) * len(snap.entries)
        for entry, language in zip(snap.entries, languages, strict=True):
            attributed = snap.attributes.get(entry.path)
            key = (id(snap.rule), entry.path, language, attributed)
            category = categories.get(key)
            if category is None:
                category = categories[key] = snap.rule.category(entry.path, language or None, attributed=attributed)
            kind = entry.kind
            counted = counts.get((entry.sha, entry.name)) if kind == EntryKind.FILE else None
            state = counted.state if counted else kind
            values = list(counted.values) if counted else [0, 0, 0, 0]
            path = printable(entry.path)
            common = [path, entry.sha, entry.size, kind]
            tail = [counted.state_info if counted else None, rule_id, pygount_version]
            inline = counted.inline if counted else None
            if (
                inline is not None
                and any(inline)
                and category == NON_TEST
                and snap.rule.content_rule(language) is not None
            ):
                outside = [whole - test for whole, test in zip(values, inline, strict=True)]
                if any(outside):
                    rows.append(
                        [*head, *common, NON_TEST, Part.OUTSIDE_TESTS, state, language, *outside, sum(outside), *tail]
                    )
                rows.append([*head, *common, TEST, Part.INLINE_TESTS, state, language, *inline, sum(inline), *tail])
                continue
            rows.append([*head, *common, category, Part.WHOLE, state, language, *values, sum(values), *tail])
    frame = pd.DataFrame(rows, columns=FILE_COLUMNS)
    for column in ["size", *COUNTS, "lines"]:
        frame[column] = frame[column].astype("int64")
    return frame


def tidy_frame(files: pd.DataFrame, snapshots: Iterable[Snapshot], pygount_version: str) -> pd.DataFrame:
    """Sum per project x release x language x category.

    Each project's table is a full grid: every release has a row for each language found in
    any of the project's releases (and each language asked for by name), in each category:
    test and non-test, and vendored where the project has any vendored file.
    """
    snaps = list(snapshots)
    release_rows = [[*_release_values(s.release), s.rule.rule_id] for s in snaps]
    releases = pd.DataFrame(release_rows, columns=[*RELEASE_COLUMNS, "test_rule"])
    releases["_rid"] = range(len(releases))
    counted = files[files["kind"] == EntryKind.FILE].copy()
    rid = {(s.release.project, s.release.commit, s.release.version): i for i, s in enumerate(snaps)}
    counted["_rid"] = [rid[key] for key in zip(counted["project"], counted["commit"], counted["version"], strict=True)]
    grids = []
    for project, own in releases.groupby("project", sort=False):
        mine = counted[counted["project"] == project]
        named = [name for s in snaps if s.release.project == project for name in s.named]
        languages = list(dict.fromkeys([*sorted(mine["language"].unique()), *named])) or [""]
        categories = [NON_TEST, TEST, *([VENDORED] if (mine["category"] == VENDORED).any() else [])]
        grid = own.merge(pd.DataFrame({"language": languages}), how="cross")
        grids.append(grid.merge(pd.DataFrame({"category": categories}), how="cross"))
    grid = pd.concat(grids, ignore_index=True) if grids else releases.assign(language="", category=NON_TEST)[:0]
    by = ["_rid", "language", "category"]
    sums = counted.groupby(by)[[*COUNTS, "lines"]].sum()
    sums["files"] = counted.drop_duplicates([*by, "path"]).groupby(by).size()
    states = counted.drop_duplicates([*by, "path"]).groupby([*by, "state"]).size().unstack("state")
    states = states.reindex(columns=STATES).add_prefix("files_")
    table = grid.merge(sums.join(states), how="left", left_on=by, right_index=True)
    numeric = ["files", *COUNTS, "lines", *(f"files_{state}" for state in STATES)]
    table[numeric] = table[numeric].fillna(0).astype("int64")
    own_code = table["code"].where(table["category"].isin(OWN), 0)
    release_code = own_code.groupby([table["_rid"], table["language"]]).transform("sum")
    table["code_share"] = (table["code"] / release_code.where(release_code > 0)).round(6)
    table.loc[table["category"] == VENDORED, "code_share"] = float("nan")
    table["pygount"] = pygount_version
    return table.sort_values(["_rid", "language"], kind="stable")[TIDY_COLUMNS].reset_index(drop=True)


def by_category(tidy: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """The tidy rows summed over languages (or of one ``language``): one row per release and category.

    The views below (the summary, the wide table, the figures in force) read these rows, so
    a count of one language gives exactly the table it gave before languages were counted.
    """
    rows = tidy if language is None else tidy[tidy["language"] == language]
    if "language" not in rows.columns:
        return rows
    keys = [column for column in TIDY_COLUMNS if column not in _SUMMED and column not in ("language", "code_share")]
    numeric = [column for column in TIDY_COLUMNS if column in _SUMMED]
    frame = rows.assign(_order=range(len(rows)))
    grouped = frame.groupby(keys, sort=False, dropna=False).agg({**{c: "sum" for c in numeric}, "_order": "min"})
    out = grouped.reset_index().sort_values("_order", kind="stable").drop(columns="_order")
    own = out["code"].where(out["category"].isin(OWN), 0)
    release = own.groupby([out[c].astype(str) for c in ("project", "commit", "version")]).transform("sum")
    out["code_share"] = (out["code"] / release.where(release > 0)).round(6)
    out.loc[out["category"] == VENDORED, "code_share"] = float("nan")
    return out[[c for c in TIDY_COLUMNS if c != "language"]].reset_index(drop=True)


def language_noun(tidy: pd.DataFrame) -> str:
    """What a table's figures count, for titles: ``Python``, ``Rust and Go``, ``Go, Rust and Bash``, or ``code``."""
    if "language" not in tidy.columns:
        return "Python"
    rows = tidy[tidy["code"] > 0] if (tidy["code"] > 0).any() else tidy
    code = rows.groupby("language")["code"].sum().sort_values(ascending=False, kind="stable")
    names = [str(name) for name in code.index if name]
    if not names:
        return "code"
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return "code"


_SUMMED = frozenset(["files", *COUNTS, "lines", *(f"files_{state}" for state in STATES)])


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
    """One row per release: test, non-test, vendored and total figures side by side, with the test share.

    ``total`` is the project's own code (test and non-test); vendored code is apart, and the
    test share is of the project's own code.
    """
    measures = ["files", *COUNTS, "lines"]
    rows = by_category(tidy)
    keys = ["project", "commit", "version"]
    releases = rows.drop_duplicates(keys)[[*RELEASE_COLUMNS]].reset_index(drop=True)
    out = releases.copy()
    index = pd.MultiIndex.from_frame(releases[keys])
    for category in (TEST, NON_TEST, VENDORED):
        part = rows[rows["category"] == category].set_index(keys)
        for measure in [*measures, *(f"files_{state}" for state in UNCOUNTED)]:
            values = part[measure].reindex(index).fillna(0).astype("int64").to_numpy()
            out[f"{category}_{measure}"] = values
    for measure in measures:
        out[f"total_{measure}"] = out[f"{TEST}_{measure}"] + out[f"{NON_TEST}_{measure}"]
    out["test_share"] = (out[f"{TEST}_code"] / out["total_code"].where(out["total_code"] > 0)).round(6)
    out["total_uncounted"] = sum(
        out[f"{category}_files_{state}"] for category in (TEST, NON_TEST, VENDORED) for state in UNCOUNTED
    )
    columns = [
        *RELEASE_COLUMNS,
        *(f"{category}_{measure}" for measure in measures for category in (TEST, NON_TEST, VENDORED)),
        *(f"total_{measure}" for measure in measures),
    ]
    ordered = [c for c in out.columns if c in columns]
    return out[[*ordered, "test_share", "total_uncounted"]]


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
    tidy = by_category(tidy)
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
    frame = with_rank(by_category(tidy))
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
