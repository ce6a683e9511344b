"""Check the tables a previous run wrote before a report is built from them.

``loccount report`` reads ``tidy.csv``, ``areas.csv`` and ``changes.csv`` back; an edited or truncated file
must be one line naming the file, the column and the line at fault, not a traceback from
deep in pandas. :func:`validated` checks a frame against its :class:`TableSpec` and returns
it with whole-number columns as integers and date columns as UTC timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from loccount.classify import NON_TEST, TEST, VENDORED
from loccount.errors import LoccountError
from loccount.tables.changes import CHANGE_COLUMNS, Change
from loccount.tables.tidy import COUNTS, DELIVERABLE_COLUMNS, STATES, TIDY_COLUMNS

#: The largest line count a table may hold: far beyond any codebase, well inside int64 (a cell
#: of 1e30 would wrap around to a negative number).
MAX_LINES = 10**15
#: The columns that name a release: each needs one test row and one non-test row.
RELEASE_KEY = ("project", "commit", "version")


@dataclass(frozen=True)
class TableSpec:
    """What a table must hold: its columns, which are non-empty text, whole numbers, fractions or dates."""

    required: Sequence[str]
    text: Sequence[str] = ()
    whole: Sequence[str] = ()
    #: Whole numbers that may be negative (a change).
    signed: Sequence[str] = ()
    fractions: Sequence[str] = ()
    dates: Sequence[str] = ()
    paired: bool = False
    #: Columns that are test or non-test, and those that may also be empty.
    categories: Sequence[str] = ("category",)
    optional_categories: Sequence[str] = ()
    #: Columns an older run's table lacks, with the value they had then (0.2 counted Python only).
    defaults: Mapping[str, str] = field(default_factory=dict)


TIDY = TableSpec(
    required=TIDY_COLUMNS,
    text=("project", "version", "commit", "category"),
    whole=("files", *COUNTS, "lines", *(f"files_{state}" for state in STATES)),
    fractions=("code_share",),
    dates=("series_date", "date"),
    paired=True,
    defaults={"language": "Python", **dict.fromkeys(DELIVERABLE_COLUMNS, "")},
)
CHANGES = TableSpec(
    required=CHANGE_COLUMNS,
    text=("project", "from_release", "to_release", "path", "change", "category"),
    whole=("code_before", "code_after", "lines_before", "lines_after"),
    signed=("code_delta", "lines_delta"),
    fractions=("similarity",),
    optional_categories=("old_category", "new_category"),
    defaults={"language": "Python"},
)
AREAS = TableSpec(
    required=("project", "version", "area", "category", "files", "code", "lines"),
    text=("project", "version", "category"),
    whole=("files", "code", "lines"),
)


def _shown(value: object) -> str:
    return "an empty cell" if pd.isna(value) else repr(str(value))


def _line(frame: pd.DataFrame, mask: pd.Series) -> tuple[int, object]:
    """The file line (header is line 1) and the cell of the first row where ``mask`` holds."""
    position = int(mask.to_numpy().nonzero()[0][0])
    return position + 2, frame.index[position]


def validated(frame: pd.DataFrame, source: str, spec: TableSpec) -> pd.DataFrame:
    """``frame`` checked against ``spec``, with numbers and dates converted; else one line naming the fault."""
    absent = {column: value for column, value in spec.defaults.items() if column not in frame.columns}
    if absent:
        frame = frame.assign(**absent)
    missing = [column for column in spec.required if column not in frame.columns]
    if missing:
        raise LoccountError(f"{source}: no column {missing[0]!r}; run `loccount run` to write the tables again")
    if frame.empty:
        raise LoccountError(f"{source}: no rows; run `loccount run` to write the tables again")
    out = frame.copy()
    for column in spec.text:
        empty = out[column].isna() | (out[column].astype(str) == "")
        if empty.any():
            line, _ = _line(out, empty)
            raise LoccountError(f"{source}: line {line}: column {column!r} is empty")
    for column in [*spec.whole, *spec.signed, *spec.fractions]:
        values = pd.to_numeric(out[column], errors="coerce")
        allowed_empty = column in spec.fractions and (out[column].isna() | out[column].astype(str).eq(""))
        whole = column in spec.whole or column in spec.signed
        least = -MAX_LINES if column in spec.signed else 0
        bad = (values.isna() & ~allowed_empty) | (values < least) | (values > MAX_LINES)
        if whole:
            bad |= values.notna() & (values % 1 != 0)
        if bad.any():
            line, row = _line(out, bad)
            kind = f"a whole number from {least:,} to {MAX_LINES:,}" if whole else "a number"
            raise LoccountError(
                f"{source}: line {line}: column {column!r}: {_shown(out.at[row, column])} is not {kind}"
            )
        out[column] = values.astype("int64") if whole else values
    for column in spec.dates:
        text = out[column].replace({"": None})
        stamps = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        bad = stamps.isna() & text.notna()
        if bad.any():
            line, row = _line(out, bad)
            raise LoccountError(
                f"{source}: line {line}: column {column!r}: {_shown(out.at[row, column])} is not a date"
            )
        out[column] = stamps
    for column in [*spec.categories, *spec.optional_categories]:
        allowed = [TEST, NON_TEST, VENDORED] if column in spec.categories else [TEST, NON_TEST, VENDORED, None, ""]
        wrong = ~out[column].isin(allowed)
        if column not in spec.categories:
            wrong &= out[column].notna()
        if wrong.any():
            line, row = _line(out, wrong)
            raise LoccountError(
                f"{source}: line {line}: column {column!r}: {out.at[row, column]!r} is not {TEST}, {NON_TEST} "
                f"or {VENDORED}"
            )
    if "change" in spec.text:
        unknown = ~out["change"].isin(list(Change))
        if unknown.any():
            line, row = _line(out, unknown)
            known = ", ".join(Change)
            raise LoccountError(
                f"{source}: line {line}: column 'change': {out.at[row, 'change']!r} is not one of {known}"
            )
    if spec.paired:
        _check_pairs(out, source)
    return out


def _check_pairs(frame: pd.DataFrame, source: str) -> None:
    """Every release has exactly one test and one non-test row per language (and at most one vendored)."""
    keys = frame[[*RELEASE_KEY, "language"]].astype(str).agg("\0".join, axis=1)
    counts = frame.groupby(keys)["category"].agg(lambda categories: tuple(sorted(categories)))
    wrong = counts[~counts.isin([(NON_TEST, TEST), (NON_TEST, TEST, VENDORED)])]
    if not wrong.empty:
        line, row = _line(frame, keys == wrong.index[0])
        raise LoccountError(
            f"{source}: line {line}: release {frame.at[row, 'project']} {frame.at[row, 'version']} needs one "
            f"{TEST} and one {NON_TEST} row, and has {', '.join(wrong.iloc[0]) or 'none'}"
        )
