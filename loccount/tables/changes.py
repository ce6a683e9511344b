"""Where growth came from: per-file changes between two releases, and the directories behind them.

Pure: the per-file rows of two releases (:func:`loccount.table.file_frame`) and git's rename
pairs (:func:`loccount.tree.find_renames`) in, one row per changed path out. Knows nothing
of git or HTML. (The module is not called ``changes`` because the library exports a
function of that name, and a submodule would shadow it.)

Each path is ``added``, ``removed``, ``modified``, ``moved`` (git paired it with a path of
the other release), ``unreadable`` (still there, but its lines could no longer be counted:
pygount cannot read it, it is binary or over the size cap), ``readable`` (counted again) or
``unchanged``. ``code_delta`` is the row's change to its
``category``'s total, so per project, release pair and category the deltas sum exactly to
the difference of the tidy table's totals. A file that changes category (moved into
``tests/``) leaves one category and joins the other: it has two rows, one in its old
category (``code_after`` 0) and one in its new category (``code_before`` 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING

import pandas as pd

from loccount.classify import NON_TEST, TEST
from loccount.counting.filecount import UNCOUNTED, FileState

if TYPE_CHECKING:  # types only: the changes know nothing of git at run time
    from loccount.gitio.entries import Rename
    from loccount.releases.model import Release


class Change(StrEnum):
    """What happened to a path between two releases: the ``change`` column of ``changes.csv``."""

    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    #: git's rename detection paired it with a path of the other release.
    MOVED = "moved"
    #: Still in the release, but its lines could no longer be counted (``analyzed`` before,
    #: ``error``, ``binary`` or ``huge`` after); and counted again: not removed, not added.
    UNREADABLE = "unreadable"
    READABLE = "readable"
    UNCHANGED = "unchanged"


MEASURES = ("code", "lines")
PAIR_COLUMNS = ["project", "from_series", "from_release", "to_series", "to_release"]
CHANGE_COLUMNS = [
    *PAIR_COLUMNS,
    "path",
    "old_path",
    "change",
    "language",
    "category",
    "old_category",
    "new_category",
    "old_state",
    "new_state",
    "similarity",
    *(f"{measure}_{when}" for measure in MEASURES for when in ("before", "after", "delta")),
]
#: Columns of ``changes.csv`` that hold text (``2014.2`` is a release, not a number).
CHANGE_TEXT_COLUMNS = [c for c in CHANGE_COLUMNS if c != "similarity" and not c.startswith(MEASURES)]
#: The flows of a directory: lines added and removed (new, deleted and edited files), lines in
#: files that moved (into, out of or within it, each file once), lines that left the total
#: because a file could no longer be counted (negative) or joined it because it could be
#: counted again, and the net change of its total.
FLOWS = ("added", "removed", "moved", "unreadable", "net")
ROOT = "(root)"
_FIELDS = ["sha", "kind", "language", "category", "state", *MEASURES]
#: What a file's in-file test part is keyed under beside its path (NUL cannot occur in a git
#: path): the part is followed across releases on its own, as test code.
_INLINE_KEY = "\0inline-tests"


_MOVE_COLUMNS = ["pair", "old_path", "new_path", "similarity"]
_KEY = ["pair", "path"]


def _keyed(files: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Per-file rows with one row per ``(pair, path)``.

    Two raw paths can print alike (an undecodable byte and its ``\\xNN`` spelling); the second
    gets a NUL-marked suffix (NUL cannot occur in a git path), so each file stays one row.
    """
    if "language" not in files.columns:  # per-file rows made before languages were counted
        files = files.assign(language="Python")
    frame = files[[*_KEY, *_FIELDS]]
    if "part" in files.columns and (files["part"] == "inline-tests").any():
        inline = files["part"] == "inline-tests"
        frame = frame.assign(path=frame["path"].where(~inline, frame["path"] + _INLINE_KEY))
    if not frame.duplicated(_KEY).any():
        return frame, False
    repeat = frame.groupby(_KEY, sort=False).cumcount()
    keys = [path if n == 0 else f"{path}\0{n}" for path, n in zip(frame["path"], repeat, strict=True)]
    return frame.assign(path=pd.Series(keys, index=frame.index, dtype=object)), True


def _path(keys: pd.Series, suffixed: bool) -> pd.Series:
    """Paths from keys made by :func:`_keyed` (None stays None)."""
    if not suffixed and not keys.map(lambda key: isinstance(key, str) and "\0" in key).any():
        return keys
    return keys.map(lambda key: key.split("\0")[0] if isinstance(key, str) else key)


def _with_inline_moves(moves: pd.DataFrame) -> pd.DataFrame:
    """git's pairs, and the same pairs for the files' in-file test parts."""
    inline = moves.assign(old_path=moves["old_path"] + _INLINE_KEY, new_path=moves["new_path"] + _INLINE_KEY)
    return pd.concat([moves, inline], ignore_index=True)


def _fitting(old: pd.DataFrame, new: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """git's pairs that join a path only in the old release to one only in the new, each path used once."""
    old_keys, new_keys = (pd.MultiIndex.from_frame(side[_KEY]) for side in (old, new))
    source = pd.MultiIndex.from_arrays([moves["pair"], moves["old_path"]])
    target = pd.MultiIndex.from_arrays([moves["pair"], moves["new_path"]])
    fits = source.isin(old_keys) & ~source.isin(new_keys) & target.isin(new_keys) & ~target.isin(old_keys)
    return moves[fits].drop_duplicates(["pair", "old_path"]).drop_duplicates(["pair", "new_path"])


def pair_changes(old: pd.DataFrame, new: pd.DataFrame, moves: pd.DataFrame, *, unchanged: bool = False) -> pd.DataFrame:
    """Per-file changes of many release pairs at once: the rows of each side carry the pair's number.

    ``old`` and ``new`` are per-file rows (``pair``, ``path``, ``sha``, ``kind``, ``category``,
    ``state``, ``code``, ``lines``); ``moves`` are git's pairs (``pair``, ``old_path``,
    ``new_path``, ``similarity``). A move whose paths do not fit (the old path still exists,
    say) is ignored, so a stale or foreign pair can never count a file twice.
    """
    (old, old_suffixed), (new, new_suffixed) = _keyed(old), _keyed(new)
    moves = _fitting(old, new, _with_inline_moves(moves[_MOVE_COLUMNS]))
    before = old.rename(columns={field: f"{field}_old" for field in _FIELDS})
    after = new.rename(columns={field: f"{field}_new" for field in _FIELDS})
    rows = before.merge(after, on=_KEY, how="outer", indicator="_side")
    keys = pd.MultiIndex.from_frame(rows[_KEY])
    left = (rows["_side"] == "left_only") & keys.isin(pd.MultiIndex.from_frame(moves[["pair", "old_path"]]))
    arrived = (rows["_side"] == "right_only") & keys.isin(pd.MultiIndex.from_frame(moves[["pair", "new_path"]]))
    rows = rows[~(left | arrived)]
    rows = rows.assign(old_path=rows["path"].where(rows["_side"] != "right_only")).drop(columns="_side")
    paired = moves.merge(before.rename(columns={"path": "old_path"}), on=["pair", "old_path"])
    paired = paired.merge(after.rename(columns={"path": "new_path"}), on=["pair", "new_path"])
    rows = pd.concat([rows, paired.rename(columns={"new_path": "path"})], ignore_index=True)
    has_old, has_new = rows["kind_old"].notna(), rows["kind_new"].notna()
    same = (rows["sha_old"] == rows["sha_new"]) & (rows["kind_old"] == rows["kind_new"])
    change = pd.Series(Change.MODIFIED, index=rows.index, dtype=object)
    change[same] = Change.UNCHANGED
    change[~has_old] = Change.ADDED
    change[~has_new] = Change.REMOVED
    moved = rows["similarity"].notna()
    kept = has_old & has_new & ~same & ~moved
    lost = kept & (rows["state_old"] == FileState.ANALYZED) & rows["state_new"].isin(UNCOUNTED)
    regained = kept & rows["state_old"].isin(UNCOUNTED) & (rows["state_new"] == FileState.ANALYZED)
    change[lost] = Change.UNREADABLE
    change[regained] = Change.READABLE
    change[moved] = Change.MOVED
    if not unchanged:
        rows, change = rows[change != Change.UNCHANGED], change[change != Change.UNCHANGED]
    suffixed = old_suffixed or new_suffixed
    out = pd.DataFrame(
        {
            "pair": rows["pair"],
            "path": _path(rows["path"], suffixed),
            "old_path": _path(rows["old_path"], suffixed),
            "change": change,
            "language": rows["language_new"].fillna(rows["language_old"]),
            "category": rows["category_new"].fillna(rows["category_old"]),
            "old_category": rows["category_old"],
            "new_category": rows["category_new"],
            "old_state": rows["state_old"],
            "new_state": rows["state_new"],
            "similarity": rows["similarity"].astype("Int64"),
        }
    )
    for measure in MEASURES:
        out[f"{measure}_before"] = rows[f"{measure}_old"].fillna(0).astype("int64")
        out[f"{measure}_after"] = rows[f"{measure}_new"].fillna(0).astype("int64")
    out = _split_category_changes(out)
    for measure in MEASURES:
        out[f"{measure}_delta"] = out[f"{measure}_after"] - out[f"{measure}_before"]
    return out.sort_values(["pair", "path", "category"], kind="stable").reset_index(drop=True)


def file_changes(
    before: pd.DataFrame, after: pd.DataFrame, renames: Iterable[Rename] = (), *, unchanged: bool = False
) -> pd.DataFrame:
    """One row per path that differs between two releases' file rows (every path with ``unchanged``)."""
    moves = pd.DataFrame([(0, r.old_path, r.new_path, r.similarity) for r in renames], columns=_MOVE_COLUMNS)
    changed = pair_changes(before.assign(pair=0), after.assign(pair=0), moves, unchanged=unchanged)
    return changed.drop(columns="pair")


def release_changes(
    files: pd.DataFrame,
    pairs: Sequence[tuple[Release, Release]],
    renames: Sequence[Iterable[Rename]],
    *,
    unchanged: bool = False,
) -> pd.DataFrame:
    """``changes.csv``: the changes of each release pair, from a count's per-file rows and git's renames per pair."""
    if not pairs:
        return empty_changes()
    release = ["project", "commit", "version"]

    def side(which: int) -> pd.DataFrame:
        """The file rows of each pair's old (0) or new (1) release, numbered by pair."""
        chosen = [(number, *(getattr(pair[which], key) for key in release)) for number, pair in enumerate(pairs)]
        return files.merge(pd.DataFrame(chosen, columns=["pair", *release]), on=release)

    moves = pd.DataFrame(
        [(number, r.old_path, r.new_path, r.similarity) for number, found in enumerate(renames) for r in found],
        columns=_MOVE_COLUMNS,
    )
    out = pair_changes(side(0), side(1), moves, unchanged=unchanged)
    labels = [(old.project, old.series, old.version, new.series, new.version) for old, new in pairs]
    for position, column in enumerate(PAIR_COLUMNS):
        out.insert(position, column, out["pair"].map(dict(enumerate(label[position] for label in labels))))
    return out[CHANGE_COLUMNS]


def _split_category_changes(rows: pd.DataFrame) -> pd.DataFrame:
    """A file that changes category leaves its old one (a row there, nothing after) and joins the new one."""
    crossing = rows["old_category"].notna() & rows["new_category"].notna()
    crossing &= rows["old_category"] != rows["new_category"]
    if not crossing.any():
        return rows
    leaving = rows[crossing].assign(category=rows.loc[crossing, "old_category"])
    joining = rows[crossing].copy()
    for measure in MEASURES:
        leaving[f"{measure}_after"] = 0
        joining[f"{measure}_before"] = 0
    return pd.concat([rows[~crossing], leaving, joining])


def empty_changes() -> pd.DataFrame:
    """A changes frame with no rows (no release pair, or nothing changed)."""
    dtypes = {column: "int64" if column.startswith(MEASURES) else object for column in CHANGE_COLUMNS}
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in {**dtypes, "similarity": "Int64"}.items()})


def directory_of(path: str, depth: int) -> str:
    """The first ``depth`` directories of ``path`` (fewer if it has fewer), ``(root)`` for none, ``""`` at depth 0."""
    if depth <= 0:
        return ""
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) if parts else ROOT


def directory_changes(changes: pd.DataFrame, depth: int = 2, measure: str = "code") -> pd.DataFrame:
    """Per release pair, directory (``depth`` levels; 0 for the whole project) and category: the flows.

    ``added`` and ``removed`` (negative) come from new, deleted and edited files, and from the
    content change of a file that moved within its category; ``unreadable`` from files that
    could no longer be counted (negative) or could be counted again. ``moved`` counts the lines of
    files that moved into, out of or within the directory, each file once. ``net`` is the
    change of the directory's total, so a move out of it is negative and a move into it
    positive, and over all directories ``net`` is the category's change.
    """
    changes = _pairs_as_text(changes)
    before, after, delta = (changes[f"{measure}_{when}"] for when in ("before", "after", "delta"))
    moved = changes["change"] == Change.MOVED
    crossing = moved & (changes["old_category"] != changes["new_category"])
    leaving = crossing & (changes["category"] == changes["old_category"])
    joining = crossing & ~leaving
    unread = changes["change"].isin((Change.UNREADABLE, Change.READABLE))
    here = changes["path"].map(lambda p: directory_of(p, depth))
    there = changes["old_path"].fillna(changes["path"]).map(lambda p: directory_of(p, depth))
    apart = moved & (here != there)
    growth = delta.where(~crossing & ~unread, 0)
    destination = pd.DataFrame(
        {
            "directory": here,
            "added": growth.clip(lower=0),
            "removed": growth.clip(upper=0),
            "moved": before.where(moved & ~crossing, 0) + after.where(joining, 0),
            "unreadable": delta.where(unread, 0),
            "net": delta.where(~apart, after),
            "files": 1,
        }
    )[~leaving]
    source = pd.DataFrame(
        {
            "directory": there,
            "added": 0,
            "removed": 0,
            "moved": before,
            "unreadable": 0,
            "net": -before,
            "files": 1,
        }
    )[leaving | (apart & ~joining)]
    keys = [*PAIR_COLUMNS, "category"]
    flows = pd.concat([part.join(changes[keys]) for part in (destination, source)])
    grouped = flows.groupby([*PAIR_COLUMNS, "directory", "category"], sort=False, dropna=False)
    table = grouped[[*FLOWS, "files"]].sum().reset_index()
    return table.astype({column: "int64" for column in (*FLOWS, "files")})


def shown_flows(flows: pd.DataFrame) -> list[str]:
    """The flows a table shows for these directory flows: ``unreadable`` only where a file had any."""
    return [flow for flow in FLOWS if flow != "unreadable" or (flows["unreadable"] != 0).any()]


def moved_lines(changes: pd.DataFrame, measure: str = "code") -> pd.DataFrame:
    """Per release pair and category: lines in files that moved, where they arrived and where they left.

    ``moved_in`` counts a moved file's lines at its old size (its edit is added or removed
    lines), or, for a file that joined the category, at its new size; ``moved_out`` (negative)
    counts the lines that left a path: a move within a category is in and out alike, and nets
    to nothing.
    """
    changes = _pairs_as_text(changes)
    moved = changes[changes["change"] == Change.MOVED]
    before, after = moved[f"{measure}_before"], moved[f"{measure}_after"]
    crossing = moved["old_category"] != moved["new_category"]
    joining = crossing & (moved["category"] == moved["new_category"])
    flows = moved[[*PAIR_COLUMNS, "category"]].assign(
        moved_in=before.where(~crossing, 0) + after.where(joining, 0), moved_out=-before.where(~joining, 0)
    )
    table = flows.groupby([*PAIR_COLUMNS, "category"], sort=False)[["moved_in", "moved_out"]].sum().reset_index()
    return table.astype({"moved_in": "int64", "moved_out": "int64"})


def _pairs_as_text(changes: pd.DataFrame) -> pd.DataFrame:
    """A fresh index, and no missing pair cells (a tag release has no series), so pairs group as keys."""
    return changes.reset_index(drop=True).fillna({column: "" for column in PAIR_COLUMNS})


def top_directories(flows: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """Per release pair, the directories where most happened, test and non-test side by side.

    One row per pair and directory, with ``<category>_<flow>`` columns and ``activity``, the
    busiest first; ``top`` keeps that many per pair (all with None).
    """
    keys = [*PAIR_COLUMNS, "directory"]
    flows = _pairs_as_text(flows)
    wide = flows.groupby([*keys, "category"], sort=False)[list(FLOWS)].sum().unstack("category")
    columns = [(flow, category) for category in (NON_TEST, TEST) for flow in FLOWS]
    wide = wide.reindex(columns=columns).fillna(0).astype("int64")
    wide.columns = [f"{category}_{flow}" for flow, category in columns]
    wide = wide.reset_index()
    wide = wide[wide[[f"{c}_{f}" for f, c in columns]].ne(0).any(axis=1)]
    wide["activity"] = sum(
        wide[f"{category}_added"]
        - wide[f"{category}_removed"]
        + wide[f"{category}_moved"]
        + wide[f"{category}_unreadable"].abs()
        for category in (NON_TEST, TEST)
    )
    wide = wide.sort_values("activity", ascending=False, kind="stable")
    pair_order = flows[PAIR_COLUMNS].drop_duplicates().reset_index(drop=True).reset_index(names="_pair")
    wide = wide.merge(pair_order, on=PAIR_COLUMNS).sort_values(["_pair", "activity"], ascending=[True, False])
    if top is not None:
        wide = wide.groupby("_pair", sort=False).head(top)
    return wide.drop(columns="_pair").reset_index(drop=True)


def reconcile(tidy: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Check the invariant: per consecutive release pair and category, the deltas sum to the tidy table's change.

    One row per project, pair, category and measure, with both figures and ``ok``. Releases
    follow the tidy table's order (as counted); a pair with no changed file must not change.
    """
    rows = []
    sums = changes.groupby(["project", "from_release", "to_release", "category"])[
        [f"{measure}_delta" for measure in MEASURES]
    ].sum()
    for project, part in tidy.groupby("project", sort=False):
        versions = list(dict.fromkeys(part["version"]))
        totals = part.groupby(["version", "category"], sort=False)[list(MEASURES)].sum()
        for old, new in pairwise(versions):
            for category in dict.fromkeys([NON_TEST, TEST, *part["category"]]):
                for measure in MEASURES:
                    expected = int(totals[measure].get((new, category), 0)) - int(
                        totals[measure].get((old, category), 0)
                    )
                    key = (project, old, new, category)
                    found = int(sums.loc[key, f"{measure}_delta"]) if key in sums.index else 0
                    rows.append((project, old, new, category, measure, expected, found, expected == found))
    columns = ["project", "from_release", "to_release", "category", "measure", "tidy_delta", "changes_delta", "ok"]
    return pd.DataFrame(rows, columns=columns)
