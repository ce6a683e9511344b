"""Write tables as CSV: atomically, and safe to open in a spreadsheet."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pandas as pd

#: Leading characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value: object) -> object:
    """Undo :func:`neutralize` when reading a CSV loccount wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    return out


_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp(\.\w+)?$")


def temporary_path(target: Path) -> Path:
    """A hidden sibling of ``target`` that names the writing process, so leftovers can be recognised."""
    return target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{target.suffix}"


def remove_stale_temporaries(directory: Path) -> None:
    """Delete temporary files left by writers that were killed (their process is gone)."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        match = _TEMPORARY.match(path.name)
        if match and not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write(path: Path, write: Callable[[IO[str]], None]) -> Path:
    """Write a text file through a temporary sibling and rename it into place.

    Readers see the old file or the new one, never a half-written one, even if the
    process is killed mid-write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with temporary.open("x", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as UTF-8 CSV at ``path``, formula-safe and atomically replaced."""
    safe = safe_for_spreadsheets(frame)
    return atomic_write(path, lambda stream: safe.to_csv(stream, index=False, date_format="%Y-%m-%d"))


def read_csv(path: Path, text_columns: list[str], date_columns: list[str] = ()) -> pd.DataFrame:
    """Read a CSV loccount wrote: text stays text (``2014.2`` is a tag, not a number)."""
    frame = pd.read_csv(path, dtype={column: "object" for column in text_columns}, keep_default_na=False)
    for column in frame.columns:
        if column in text_columns:
            frame[column] = frame[column].map(restore).replace({"": None})
    for column in date_columns:
        frame[column] = pd.to_datetime(frame[column].replace({"": None}), utc=True)
    return frame
