"""Count one file's lines with pygount: with its fast paths, the only code that calls it.

A blob is written under its own base name to a scratch file (tmpfs where there is one) and
handed to ``SourceAnalysis.from_file``, so the result is pygount's on-disk result by
construction: universal newlines (CR line endings), the empty, binary and unknown-language
checks, and encoding detection all take the same path as for a checked-out file. Unless a
count is plain, the file goes to :func:`fastcount.analyze` instead, which gives the same
result faster (with :mod:`fastlines` and :mod:`fastlex`), or hands over to ``from_file``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
from dataclasses import replace
from importlib.metadata import version

from loccount.counting.filecount import FileCount, FileState
from loccount.counting.inline import BY_LANGUAGE, NO_TESTS, split
from loccount.counting.processes import scratch_prefix
from loccount.counting.pygount_options import PYGOUNT_OPTIONS, from_file
from loccount.errors import EnvironmentFault

#: Bump when the way loccount calls pygount changes, so cached counts are not reused.
METHOD = "from_file-on-scratch-copy/2"
#: The default size cap: a larger file is ``huge``, never handed to pygount.
DEFAULT_MAX_BLOB_BYTES = 20 * 1024 * 1024
#: Scratch directories are ``loccount-<pid>-<random>``, so a later run can remove a dead process's.
SCRATCH_PREFIX = "loccount-"
#: Errors writing the scratch copy that come from the file's name: facts about the entry, kept as its state.
NAME_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.EILSEQ})
NAME_ERROR = "the file name cannot be used on disk"
#: The note on a file whose in-file tests could not be split exactly: it keeps its path's category.
NO_SPLIT = "in-file tests not split: the split would not add up to pygount's counts; the whole file by its path"


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
    from loccount.counting.fast.fastcount import method
    from loccount.counting.fast.fastlex import loop

    return {"method": METHOD, "lexer": loop(dispatch=not plain), "lines": method(fast=not plain)}


def fingerprint(plain: bool = False) -> str:
    """Short hash of versions, options and method: part of every cache key.

    Fast and plain counting give the same counts, but each keeps its own cache entries, so a
    ``--plain`` run really recounts and can be compared with a fast one.
    """
    payload = json.dumps({**counting_method(plain), "options": PYGOUNT_OPTIONS, **versions()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def describe(plain: bool = False) -> dict[str, str]:
    """What produced the counts, for provenance: versions, the method that ran and the fingerprint."""
    method = counting_method(plain)
    return {
        **versions(),
        "lexer_loop": method["lexer"],
        "line_counting": method["lines"],
        "counter_fingerprint": fingerprint(plain),
    }


def scratch_root() -> str:
    """A tmpfs directory when the machine has one, so scratch copies never touch a disk."""
    shm = "/dev/shm"  # noqa: S108 - private subdirectories are created below it with mkdtemp
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return tempfile.gettempdir()


def scratch_roots() -> list[str]:
    """Where scratch copies go, in order: tmpfs, then the temporary directory on disk if tmpfs fails."""
    return list(dict.fromkeys([scratch_root(), tempfile.gettempdir()]))


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a plain file name: {name!r}")


def count_blob(name: str, data: bytes, directory: str, fast: bool = True) -> FileCount:
    """Count ``data`` as pygount counts a file called ``name`` on disk.

    ``directory`` is a private scratch directory; the copy is removed afterwards. ``fast``
    counts through :func:`fastcount.analyze` (same result), else through pygount's own
    ``from_file``. A failure that comes from the machine, not from the content or the name,
    raises :class:`EnvironmentFault` instead of becoming the file's state.
    """
    from loccount.counting.fast.fastcount import (
        analyze,  # here, so runs that find every count cached never load pygount
    )

    _check_name(name)
    path = os.path.join(directory, name)
    try:
        with open(path, "wb") as scratch:
            scratch.write(data)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(path)
        if error.errno in NAME_ERRNOS:
            return FileCount.error(f"{NAME_ERROR}: {error.strerror}")
        raise EnvironmentFault(f"cannot write a scratch copy in {directory}: {error.strerror}") from None
    try:
        analysis = analyze(path, "loccount") if fast else from_file(path, "loccount")
        counted = FileCount.from_analysis(analysis)
        if counted.state == FileState.ANALYZED and counted.language in BY_LANGUAGE:
            inline = split(path, data, counted.language, counted.values)
            if inline is None:  # the whole file keeps its path's category, and says why
                counted = replace(counted, inline=NO_TESTS, state_info=NO_SPLIT)
            else:
                counted = replace(counted, inline=inline)
    except (OSError, MemoryError) as error:
        raise EnvironmentFault(f"cannot count the scratch copy {path}: {type(error).__name__}: {error}") from None
    except Exception as error:  # pygount asserts on some inputs: a fact about the content, recorded
        return FileCount.error(f"pygount raised {type(error).__name__}: {error}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    if counted.accidental:
        raise EnvironmentFault(f"pygount could not read the scratch copy {path}: {counted.state_info}")
    return counted


#: How the OS says a disk is full: the one accident that freeing space mends (not EIO, not memory).
_FULL = (os.strerror(errno.ENOSPC), os.strerror(errno.EDQUOT))


def count_batch(items: list[tuple[str, str, bytes]], plain: bool = False) -> list[tuple[str, str, FileCount]]:
    """Count ``(sha, name, data)`` items; the task an executor runs, locally or on a cluster.

    ``plain`` turns off every fast path (pygount's and Pygments' own code only). Scratch copies
    go to tmpfs; if writing there fails (full, say), the rest of the batch is counted in the
    temporary directory on disk, and if that fails too the batch raises
    :class:`EnvironmentFault`: nothing of it is returned, so nothing of it is cached.
    """
    from loccount.counting.fast.fastlex import dispatching

    logging.getLogger("pygount").setLevel(logging.ERROR)
    done: list[tuple[str, str, FileCount]] = []
    problems = []
    with dispatching(not plain):
        for root in scratch_roots():
            try:
                directory = tempfile.mkdtemp(prefix=scratch_prefix(SCRATCH_PREFIX), dir=root)
            except OSError as error:  # the scratch directory itself cannot be made
                problems.append(f"cannot use a scratch directory in {root}: {error.strerror or error}")
                continue
            try:
                for sha, name, data in items[len(done) :]:
                    done.append((sha, name, count_blob(name, data, directory, fast=not plain)))
                return done
            except EnvironmentFault as fault:
                problems.append(str(fault))
            finally:
                # Never TemporaryDirectory's cleanup: where every call fails with EACCES, it retries
                # itself into a RecursionError. What cannot be removed now, the next run removes
                # (its name holds this process's id).
                shutil.rmtree(directory, ignore_errors=True)
    full = any(reason in problem for problem in problems for reason in _FULL)
    advice = "free some space (or set TMPDIR)" if full else "mend the scratch directory (or set TMPDIR to another)"
    raise EnvironmentFault(
        f"{'; '.join(problems)}; {advice} and run the same command again: counts finished so far are cached"
    )
