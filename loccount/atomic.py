"""Replace files atomically: a reader sees the old file or the new one, never half of one.

Each write goes to a hidden temporary sibling that names the writing process and is renamed
into place once complete, so a killed writer leaves at most a temporary file, which the next
writer in that directory removes.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .processes import alive

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
        if match and not alive(int(match["pid"])):
            path.unlink(missing_ok=True)


def atomic_write(path: Path, write: Callable[[IO[str]], object]) -> Path:
    """Write a text file through a temporary sibling and rename it into place."""
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


def write_text(path: Path, text: str) -> Path:
    """``text`` as the new content of ``path``, atomically."""
    return atomic_write(path, lambda stream: stream.write(text))
