"""Partial (blobless) mirrors: every commit and tree, and only the blobs a count reads, fetched in bulk.

A mirror cloned with ``--filter=blob:none`` holds no file contents. git then fetches an absent
blob on its own whenever a command needs it, one request per blob: ``git ls-tree -l`` does so
for every entry, to print its size. So loccount never asks git about an absent blob. It lists
trees without sizes, finds the absent blobs with ``git rev-list --missing=print`` (which never
fetches), fetches the ones it will read in a few large requests, as git's own promisor fetch
does, and then reads their sizes.
"""

from __future__ import annotations

import configparser
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence

import git

from loccount.errors import RepositoryError
from loccount.gitio.clonemode import CloneMode
from loccount.gitio.gitcommand import git_error
from loccount.gitio.urls import display_url

#: What ``git clone --filter`` asks the remote to leave out: every blob (trees and commits come).
BLOBLESS = "blob:none"
#: Object ids per fetch request: about 410 kB of ``want`` lines, so a large project needs only a
#: few requests, and a request that fails loses no more than one chunk's transfer.
FETCH_CHUNK = 10_000
#: Called with a short line of clone or fetch progress ("nova: receiving 42%").
FetchStatus = Callable[[str], None]


def promisor_remote(repo: git.Repo) -> str | None:
    """The remote a partial clone fetches absent objects from, or None for a complete repository.

    git 2.39 marks it ``remote.<name>.promisor = true``; older gits wrote ``extensions.partialClone``.
    """
    try:
        config = repo.config_reader("repository")
        legacy = config.get_value("extensions", "partialclone", default="")
        if legacy:
            return str(legacy)
        for section in config.sections():
            if section.startswith('remote "') and config.get_value(section, "promisor", default=False) is True:
                return section[len('remote "') : -1]
    except (OSError, ValueError, configparser.Error):
        return None
    return None


def clone_mode(repo: git.Repo) -> CloneMode:
    """Whether ``repo`` is a partial clone (blobs fetched on demand) or holds every object."""
    return CloneMode.PARTIAL if promisor_remote(repo) else CloneMode.FULL


def mark_partial(config: git.config.GitConfigParser, remote: str = "origin") -> None:
    """Configure a new, empty repository as ``git clone --filter=blob:none`` does; its fetches
    then keep the filter (a refresh stays blobless)."""
    config.set_value("core", "repositoryformatversion", "1")
    config.set_value(f'remote "{remote}"', "promisor", "true")
    config.set_value(f'remote "{remote}"', "partialclonefilter", BLOBLESS)


def absent_objects(repo: git.Repo, commits: Iterable[str]) -> set[str]:
    """The objects of these commits' trees that the repository lacks, found without fetching any.

    ``rev-list --missing=print`` walks the trees of the commits given (``--no-walk``: not their
    history) and names an absent object instead of asking the promisor remote for it.
    """
    wanted = "".join(f"{commit}\n" for commit in dict.fromkeys(commits))
    if not wanted:
        return set()
    args = ["--objects", "--no-walk", "--missing=print", "--stdin"]
    output = _with_input(repo, ["rev-list", *args], wanted.encode("ascii"), "list the objects of its releases")
    return {line[1:].decode("ascii") for line in output.splitlines() if line.startswith(b"?")}


def fetch_blobs(repo: git.Repo, shas: Collection[str], status: FetchStatus | None = None) -> None:
    """Fetch these blobs from the promisor remote in requests of :data:`FETCH_CHUNK` ids.

    The command is git's own for a lazy fetch (promisor-remote.c), with all ids at once rather
    than one: no tags, no FETCH_HEAD, no submodules, the clone's filter, and no negotiation
    (``noop``: the remote sends the blobs asked for, not a walk of history). A request that
    fails leaves the blobs fetched before it in place; nothing is half-written (git's packs
    are renamed into place whole).
    """
    remote = promisor_remote(repo)
    ordered = sorted(set(shas))
    if not ordered:
        return
    if remote is None:
        raise RepositoryError(f"{repo.git_dir}: lacks {_blobs(len(ordered))} and is not a partial clone to fetch them")
    url = display_url(str(repo.remote(remote).url))
    chunks = [ordered[start : start + FETCH_CHUNK] for start in range(0, len(ordered), FETCH_CHUNK)]
    fetch = ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--no-tags", "--no-write-fetch-head"]
    fetch += ["--recurse-submodules=no", f"--filter={BLOBLESS}", "--stdin", "--end-of-options", remote]
    for number, chunk in enumerate(chunks, 1):
        if status is not None:
            part = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
            status(f"{url}: fetching {_blobs(len(chunk))}{part}")
        ids = "".join(f"{sha}\n" for sha in chunk).encode("ascii")
        try:
            _run(repo, fetch, ids)
        except git.GitCommandError as error:
            reason = git_error(error, repo=repo)
            raise RepositoryError(f"cannot fetch {_blobs(len(chunk))} from {url}: {reason}") from None


def blob_sizes(repo: git.Repo, shas: Collection[str]) -> dict[str, int]:
    """The size of each blob the repository holds; an absent one is left out.

    Ask only of blobs known to be present in a partial clone: ``cat-file`` fetches an absent one.
    """
    ordered = sorted(set(shas))
    if not ordered:
        return {}
    ids = "".join(f"{sha}\n" for sha in ordered).encode("ascii")
    output = _with_input(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], ids, "size")
    sizes = {}
    for line in output.decode("ascii").splitlines():
        sha, kind, *size = line.split()
        if kind == "blob" and size:
            sizes[sha] = int(size[0])
    return sizes


def complete_blobs(
    repo: git.Repo,
    unsized: Collection[str],
    fetch: Collection[str],
    commits: Sequence[str],
    status: FetchStatus | None = None,
) -> dict[str, int]:
    """Sizes of the ``unsized`` blobs of ``commits``, after fetching those of ``fetch`` a partial clone lacks.

    One walk finds what is absent, the absent blobs of ``fetch`` come in bulk, and every
    ``unsized`` blob then present is sized. An absent blob that was not to be fetched stays
    unsized (left out); so does every absent blob of a complete repository (a damaged copy).
    """
    if not unsized and not fetch:
        return {}
    absent: set[str] = set()
    if clone_mode(repo) == CloneMode.PARTIAL:
        absent = absent_objects(repo, commits) & (set(unsized) | set(fetch))
        fetched = absent & set(fetch)
        fetch_blobs(repo, fetched, status)
        absent -= fetched
    return blob_sizes(repo, [sha for sha in unsized if sha not in absent])


def _blobs(count: int) -> str:
    return f"{count:,} blob{'' if count == 1 else 's'}"


def _with_input(repo: git.Repo, args: list[str], data: bytes, doing: str) -> bytes:
    try:
        return _run(repo, args, data)
    except git.GitCommandError as error:
        raise RepositoryError(f"{repo.git_dir}: cannot {doing}: {git_error(error, repo=repo)}") from None


def _run(repo: git.Repo, args: list[str], data: bytes) -> bytes:
    """Run ``git ARGS`` in ``repo`` with ``data`` on its standard input (from a file: no pipe deadlock)."""
    with tempfile.TemporaryFile() as stdin:
        stdin.write(data)
        stdin.seek(0)
        output = repo.git.execute(["git", *args], istream=stdin, stdout_as_string=False)
    return output if isinstance(output, bytes) else str(output).encode()
