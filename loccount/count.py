"""Count one file's lines with pygount: with its fast paths, the only code that calls it.

A blob is written under its own base name to a scratch file (tmpfs where there is one) and
handed to ``SourceAnalysis.from_file``, so the result is pygount's on-disk result by
construction: universal newlines (CR line endings), the empty, binary and unknown-language
checks, and encoding detection all take the same path as for a checked-out file. Unless a
count is plain, the file goes to :func:`fastcount.analyze` instead, which gives the same
result faster (with :mod:`fastlines` and :mod:`fastlex`), or hands over to ``from_file``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygount import SourceAnalysis

#: Bump when the way loccount calls pygount changes, so cached counts are not reused.
METHOD = "from_file-on-scratch-copy/1"
#: Options passed to pygount; pygount's own defaults, written out so the fingerprint records them.
PYGOUNT_OPTIONS = {
    "encoding": "automatic",
    "fallback_encoding": "cp1252",
    "generated_regexes": "pygount default",
    "generated_name_regexes": None,
    "duplicate_pool": None,
    "merge_embedded_language": False,
}
#: States loccount adds to pygount's for files it does not hand to pygount.
HUGE = "huge"
SYMLINK = "symlink"
SUBMODULE = "submodule"
COUNTED_STATES = ("analyzed",)


@dataclass(frozen=True, slots=True)
class FileCount:
    """pygount's verdict on one file: its state and its four line counts."""

    state: str
    language: str
    code: int = 0
    documentation: int = 0
    empty: int = 0
    string: int = 0
    state_info: str | None = None

    @property
    def lines(self) -> int:
        return self.code + self.documentation + self.empty + self.string

    @classmethod
    def from_analysis(cls, analysis: SourceAnalysis) -> FileCount:
        """pygount's result as plain data (its state_info may be an exception: kept as text)."""
        info = analysis.state_info
        return cls(
            state=analysis.state.name,
            language=analysis.language,
            code=analysis.code_count,
            documentation=analysis.documentation_count,
            empty=analysis.empty_count,
            string=analysis.string_count,
            state_info=None if info is None else str(info),
        )

    @classmethod
    def error(cls, info: str) -> FileCount:
        return cls(state="error", language="__error__", state_info=info)


def versions() -> dict[str, str]:
    """Versions of everything that can change a count."""
    return {
        "pygount": version("pygount"),
        "pygments": version("pygments"),
        "python": ".".join(platform.python_version_tuple()[:2]),
    }


def counting_method(plain: bool = False) -> dict[str, str]:
    """How files are counted here: loccount's method and the lexer loop that runs.

    A fast path asked for but not verified against the installed library is not run, and
    is not named: the record says what really counted.
    """
    from .fastcount import method
    from .fastlex import loop

    return {"method": METHOD, "lexer": loop(dispatch=not plain), "lines": method(fast=not plain)}


def fingerprint(plain: bool = False) -> str:
    """Short hash of versions, options and method: part of every cache key.

    Fast and plain counting give the same counts, but each keeps its own cache entries, so a
    ``--plain`` run really recounts and can be compared with a fast one.
    """
    payload = json.dumps({**counting_method(plain), "options": PYGOUNT_OPTIONS, **versions()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def scratch_root() -> str:
    """A tmpfs directory when the machine has one, so scratch copies never touch a disk."""
    shm = "/dev/shm"  # noqa: S108 - private subdirectories are created below it with mkdtemp
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return tempfile.gettempdir()


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a plain file name: {name!r}")


def count_blob(name: str, data: bytes, directory: str, fast: bool = True) -> FileCount:
    """Count ``data`` as pygount counts a file called ``name`` on disk.

    ``directory`` is a private scratch directory; the copy is removed afterwards. ``fast``
    counts through :func:`fastcount.analyze` (same result), else through pygount's own
    ``from_file``.
    """
    from pygount import SourceAnalysis  # here, so runs that find every count cached never load it

    from .fastcount import analyze

    _check_name(name)
    path = os.path.join(directory, name)
    try:
        with open(path, "wb") as scratch:
            scratch.write(data)
    except OSError as error:
        return FileCount.error(f"cannot write a scratch copy: {error.strerror}")
    try:
        analysis = analyze(path, "loccount") if fast else SourceAnalysis.from_file(path, "loccount")
    except Exception as error:  # pygount asserts on some inputs; record, never crash a run
        return FileCount.error(f"pygount raised {type(error).__name__}: {error}")
    finally:
        os.unlink(path)
    return FileCount.from_analysis(analysis)


def count_batch(items: list[tuple[str, str, bytes]], plain: bool = False) -> list[tuple[str, str, FileCount]]:
    """Count ``(sha, name, data)`` items; the task an executor runs, locally or on a cluster."""
    from .fastlex import dispatching

    logging.getLogger("pygount").setLevel(logging.ERROR)
    with (
        dispatching(not plain),
        tempfile.TemporaryDirectory(prefix="loccount-", dir=scratch_root()) as directory,
    ):
        return [(sha, name, count_blob(name, data, directory, fast=not plain)) for sha, name, data in items]
