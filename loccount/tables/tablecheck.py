"""Check the tables a previous run wrote before a report is built from them.

``loccount report`` reads ``tidy.csv`` and ``areas.csv`` back; an edited or truncated file
must be one line naming the file, the column and the line at fault, not a traceback from
deep in pandas. :func:`validated` checks a frame against its :class:`TableSpec` and returns
it with whole-number columns as integers and date columns as UTC timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from loccount.classify import NON_TEST, TEST
from loccount.errors import LoccountError
from loccount.tables.tidy import COUNTS, STATES, TIDY_COLUMNS

#: The columns that name a release: each needs one test row and one non-test row.
RELEASE_KEY = ("project", "commit", "version")


@dataclass(frozen=True)
class TableSpec:
    """What a table must hold: its columns, which are non-empty text, whole numbers, fractions or dates."""

    required: Sequence[str]
    text: Sequence[str] = ()
    whole: Sequence[str] = ()
    fractions: Sequence[str] = ()
    dates: Sequence[str] = ()
    paired: bool = False


TIDY = TableSpec(
    required=TIDY_COLUMNS,
    text=("project", "version", "commit", "category"),
    whole=("files", *COUNTS, "lines", *(f"files_{state}" for state in STATES)),
    fractions=("code_share",),
    dates=("series_date", "date"),
    paired=True,
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
    for column in [*spec.whole, *spec.fractions]:
        values = pd.to_numeric(out[column], errors="coerce")
        allowed_empty = column in spec.fractions and out[column].astype(str).eq("")
        bad = (values.isna() & ~allowed_empty) | (values < 0)
        if column in spec.whole:
            bad |= values.notna() & (values % 1 != 0)
        if bad.any():
            line, row = _line(out, bad)
            kind = "a whole number" if column in spec.whole else "a number"
            raise LoccountError(
                f"{source}: line {line}: column {column!r}: {_shown(out.at[row, column])} is not {kind}"
            )
        out[column] = values.astype("int64") if column in spec.whole else values
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
    categories = ~out["category"].isin([TEST, NON_TEST])
    if categories.any():
        line, row = _line(out, categories)
        raise LoccountError(
            f"{source}: line {line}: column 'category': {out.at[row, 'category']!r} is not {TEST} or {NON_TEST}"
        )
    if spec.paired:
        _check_pairs(out, source)
    return out


def _check_pairs(frame: pd.DataFrame, source: str) -> None:
    """Every release has exactly one test and one non-test row."""
    keys = frame[list(RELEASE_KEY)].astype(str).agg("\0".join, axis=1)
    counts = frame.groupby(keys)["category"].agg(lambda categories: tuple(sorted(categories)))
    wrong = counts[counts != (NON_TEST, TEST)]
    if not wrong.empty:
        line, row = _line(frame, keys == wrong.index[0])
        raise LoccountError(
            f"{source}: line {line}: release {frame.at[row, 'project']} {frame.at[row, 'version']} needs one "
            f"{TEST} and one {NON_TEST} row, and has {', '.join(wrong.iloc[0]) or 'none'}"
        )
