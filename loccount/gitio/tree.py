"""List a commit's files and read blob bytes straight from git's object store.

Nothing is checked out: ``git ls-tree`` names every entry with its blob id and size, and a
single long-lived ``git cat-file --batch`` (GitPython's persistent command) reads contents.
In a partial clone the listing has no sizes: ``ls-tree -l`` would fetch every absent blob, one
request each, to size it (:mod:`loccount.gitio.partial` fetches and sizes the ones counted).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Sequence

import git

from loccount.errors import RepositoryError
from loccount.gitio.entries import _GITLINK, MISSING, Rename, TreeEntry
from loccount.gitio.gitcommand import git_error
from loccount.gitio.partial import CloneMode, clone_mode


def parse_ls_tree(output: bytes, suffixes: tuple[str, ...] | None = None) -> list[TreeEntry]:
    """Parse ``git ls-tree -r -z [-l]`` output; paths are decoded like the OS decodes file names.

    Without ``-l`` (a partial clone's listing), a blob's size is :data:`MISSING`: not known here.

    With ``suffixes``, only entries whose name ends with one of them, and submodules, are
    kept; they are picked from the raw bytes, so the rest costs no decoding.
    """
    wanted = None if suffixes is None else tuple(os.fsencode(suffix) for suffix in suffixes)
    entries = []
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        if wanted is not None and not raw_path.endswith(wanted) and not meta.startswith(_GITLINK):
            continue
        mode, _kind, sha, *sized = meta.split()
        size = sized[0] if sized else (b"-" if mode == _GITLINK else b"")
        entries.append(
            TreeEntry(
                path=os.fsdecode(raw_path),
                sha=sha.decode("ascii"),
                mode=mode.decode("ascii"),
                size=int(size) if size.isdigit() else (0 if size == b"-" else MISSING),
            )
        )
    return entries


def list_tree(repo: git.Repo, commit: str, suffixes: tuple[str, ...] | None = None) -> list[TreeEntry]:
    """Every blob, symlink and submodule entry at ``commit``, recursively (see parse_ls_tree).

    A partial clone's entries are listed without sizes, so that git fetches nothing.
    """
    sizes = ["-l"] if clone_mode(repo) == CloneMode.FULL else []
    try:
        output = repo.git.ls_tree("-r", "-z", *sizes, "--full-tree", commit, stdout_as_string=False)
    except git.GitCommandError as error:
        reason = git_error(error, repo=repo)
        raise RepositoryError(f"{repo.git_dir}: cannot list the tree of {commit}: {reason}") from None
    return parse_ls_tree(output, suffixes)


_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: The modes of the non-tree entries git lists: files, executables, symlinks and submodules.
_MODES = frozenset({"100644", "100755", "100664", "120000", "160000"})


def encode_entries(entries: list[TreeEntry]) -> bytes:
    """A compact, lossless form of a listing for the cache (paths may hold undecodable bytes)."""
    rows = [[entry.path, entry.sha, entry.mode, entry.size] for entry in entries]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode("ascii"))


def decode_entries(data: object) -> list[TreeEntry] | None:
    """A listing :func:`encode_entries` made, or None for anything else (a damaged cache row)."""
    try:
        rows = json.loads(zlib.decompress(data)) if isinstance(data, bytes) else None
    except (zlib.error, ValueError):
        return None
    if not isinstance(rows, list) or not all(_is_entry(row) for row in rows):
        return None
    return [TreeEntry(*row) for row in rows]


def _is_entry(row: object) -> bool:
    if not isinstance(row, list) or len(row) != 4:
        return False
    path, sha, mode, size = row
    return (
        isinstance(path, str)
        and isinstance(sha, str)
        and bool(_OBJECT_ID.fullmatch(sha))
        and mode in _MODES
        and type(size) is int
        and size >= MISSING
    )


def read_blob(repo: git.Repo, sha: str) -> bytes:
    """The bytes of blob ``sha`` via the repository's persistent ``cat-file --batch``."""
    try:
        _sha, kind, _size, data = repo.git.get_object_data(sha)
    except (ValueError, git.GitCommandError) as error:
        raise RepositoryError(f"{repo.git_dir}: cannot read blob {sha}: {error}") from None
    except OSError as error:  # the persistent `git cat-file --batch` died (killed, out of memory)
        raise RepositoryError(
            f"{repo.git_dir}: git cat-file --batch stopped while reading blob {sha} "
            f"({error.strerror or error}); run the same command again: counts finished so far are cached"
        ) from None
    if kind not in ("blob", b"blob"):
        raise RepositoryError(f"{repo.git_dir}: object {sha} is a {kind}, not a blob")
    return data


#: The files whose moves loccount reports: the Python files it counts (``*`` also matches ``/``).
PYTHON_PATHSPEC = "*.py"
#: git's own default: a file is moved if at least half of it is kept (git diff -M50%).
DEFAULT_SIMILARITY = 50


def parse_renames(output: bytes) -> list[Rename]:
    """The renames in ``git diff --name-status -z`` output; other statuses name one path and are skipped."""
    fields = output.split(b"\0")
    renames = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status[:1] in (b"R", b"C"):  # two paths follow
            if status[:1] == b"R":
                score = status[1:].decode("ascii")
                renames.append(
                    Rename(os.fsdecode(fields[index + 1]), os.fsdecode(fields[index + 2]), int(score or 100))
                )
            index += 3
        else:
            index += 2
    return renames


def find_renames(
    repo: git.Repo,
    old_commit: str,
    new_commit: str,
    similarity: int = DEFAULT_SIMILARITY,
    pathspec: str | Sequence[str] = PYTHON_PATHSPEC,
) -> list[Rename]:
    """Files git's own rename detection pairs between two commits, keeping at least ``similarity`` percent.

    ``-l0`` lifts the rename limit, so a large reorganisation (thousands of moved files) is
    still found, where git would otherwise silently fall back to exact renames only.
    """
    if not 0 < similarity <= 100:
        raise ValueError(f"similarity must be 1-100 percent, not {similarity}")
    try:
        output = repo.git.diff(
            "--no-ext-diff",
            "--no-textconv",
            f"--find-renames={similarity}%",
            "-l0",
            "-z",
            "--name-status",
            "--end-of-options",
            old_commit,
            new_commit,
            "--",
            *([pathspec] if isinstance(pathspec, str) else pathspec),
            stdout_as_string=False,
        )
    except git.GitCommandError as error:
        raise RepositoryError(
            f"{repo.git_dir}: cannot compare {old_commit} with {new_commit}: {git_error(error, repo=repo)}"
        ) from None
    return parse_renames(output)
