"""Replace files atomically: a reader sees the old file or the new one, never half of one.

Each write goes to a hidden temporary sibling that names the writing process and is renamed
into place once complete, so a killed writer leaves at most a temporary file, which the next
writer in that directory removes.

Only regular files are replaced that way. A symlink is followed and its target replaced
atomically, so the link stays a link. A path that names a device or a FIFO (``/dev/full``,
``/dev/null``), or an open file descriptor (``/dev/stdout``, ``/dev/fd/3``: anything
reached through ``/proc/``), is written in place, appending as a write to the descriptor
would, not atomically. A failure to write is one :class:`OutputError` line naming the path.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple

from loccount.counting.processes import alive
from loccount.errors import OutputError

_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp(\.\w+)?$")
#: Paths under this name open file descriptors (``/dev/stdout`` links here), never files to replace.
_DESCRIPTORS = "/proc/"
_OWN_DESCRIPTOR = re.compile(r"^/proc/(?P<pid>self|\d+)/fd/(?P<fd>\d+)$")
_MAX_LINKS = 40


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


class Destination(NamedTuple):
    """Where a write to a path lands: ``path``, replaced atomically or not, or this process's ``descriptor``."""

    path: Path
    atomic: bool
    descriptor: int | None = None


def destination(path: Path) -> Destination:
    """Where a write to ``path`` lands and how (see above)."""
    current = Path(os.path.abspath(path))
    hops = [current]
    for _ in range(_MAX_LINKS):
        if not current.is_symlink():
            break
        current = Path(os.path.abspath(current.parent / os.readlink(current)))
        hops.append(current)
    if current.is_symlink():  # a chain longer than the kernel follows: never replace a link in it
        raise OutputError(f"cannot write {path}: more than {_MAX_LINKS} symbolic links to follow")
    for hop in hops:
        own = _OWN_DESCRIPTOR.match(str(hop))
        if own and own["pid"] in ("self", str(os.getpid())):
            return Destination(Path(path), False, int(own["fd"]))
    try:
        mode = current.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return Destination(current, True)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a directory")
    if stat.S_ISREG(mode) and not any(str(hop).startswith(_DESCRIPTORS) for hop in hops):
        return Destination(current, True)
    return Destination(Path(path), False)


def check_writable(path: Path) -> None:
    """Fail now with one line, before any counting, if ``path`` clearly cannot be written.

    A device or descriptor written in place is not tried here (opening a FIFO would wait for
    a reader); a failure to write it is one line when it happens.
    """
    target = destination(Path(path))
    if target.atomic:
        check_directory(target.path.parent, path)


def check_directory(directory: Path, wanted: Path | None = None) -> None:
    """Fail with one line unless ``directory`` exists or can be made, and is writable."""
    wanted = wanted or directory
    existing = Path(os.path.abspath(directory))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {wanted}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {wanted}: {existing} is not writable")


def make_directory(directory: Path) -> Path:
    """``directory`` and its parents, or one :class:`OutputError` line saying why not."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        check_directory(directory)  # the clearer message, where it can tell
        raise OutputError(f"cannot create {directory}: {error.strerror or error}") from None
    return directory


def atomic_write(path: Path, write: Callable[[IO[str]], object]) -> Path:
    """Write a text file through a temporary sibling and rename it into place (see above)."""
    path = Path(path)
    where = destination(path)
    if not where.atomic:
        _write_in_place(path, where, write)
        return path
    target = where.path
    make_directory(target.parent)
    temporary = temporary_path(target)
    try:
        with temporary.open("x", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return path


def _write_in_place(path: Path, where: Destination, write: Callable[[IO[str]], object]) -> None:
    """Write to one of this process's descriptors (sharing its offset), or append to a device or FIFO."""
    try:
        if where.descriptor is not None:
            for stream in (sys.stdout, sys.stderr):  # what was printed before goes first
                with contextlib.suppress(AttributeError, OSError, ValueError):
                    stream.flush()
            with open(os.dup(where.descriptor), "w", encoding="utf-8", newline="") as shared:
                write(shared)
        else:
            with open(where.path, "a", encoding="utf-8", newline="") as stream:
                write(stream)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def staging_path(path: Path) -> Path:
    """Where to write a file that :func:`install` will then put at ``path`` (beside its real target)."""
    where = destination(Path(path))
    return temporary_path(where.path if where.atomic else Path(path).absolute())


def install(staged: Path, path: Path) -> None:
    """Put the finished ``staged`` file at ``path``: renamed over a regular file (or a symlink's
    target), copied into a device, FIFO or descriptor."""
    where = destination(Path(path))
    try:
        if where.atomic:
            staged.replace(where.path)
            return
        data = staged.read_bytes()
        if where.descriptor is not None:
            os.write(where.descriptor, data)
        else:
            with open(where.path, "ab") as stream:
                stream.write(data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):
            staged.unlink()


def write_text(path: Path, text: str) -> Path:
    """``text`` as the new content of ``path``, atomically."""
    return atomic_write(path, lambda stream: stream.write(text))


def write_bytes(path: Path, data: bytes) -> Path:
    """``data`` as the new content of ``path``, atomically (through :func:`staging_path` and :func:`install`)."""
    staged = staging_path(Path(path))
    make_directory(staged.parent)
    try:
        with staged.open("xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    install(staged, Path(path))
    return Path(path)
