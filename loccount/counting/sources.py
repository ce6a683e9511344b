"""Where a counting task's blob bytes come from: shipped by the client, or read by the worker itself.

A client that reads every blob and ships its bytes spends more time per blob than it takes
to hand over an id, so past a few dozen workers it is the bottleneck (README, "Counting on a
Dask cluster"). In the id-based modes a task carries only where to read (a repository path
or URL) and ``(sha, name)`` pairs; the worker opens the repository (kept open per process
and thread), reads the bytes with the same ``git cat-file --batch`` as the client, and
counts them with the same :func:`count_batch`, so the counts are the client mode's. It
applies the size cap itself and answers with each blob's size too: in ``own`` mode the client
may hold only a partial clone, and know neither.

A worker trusts nothing in a task: a shared path must be an absolute path to an existing
repository, a URL passes the client's own :func:`check_url`, and every git command runs with
the neutralised configuration of :mod:`loccount.gitio.gitcommand`. A worker that cannot read
a blob raises :class:`EnvironmentFault`: nothing of the batch is returned, so nothing of it
is cached, and the run stops with one line naming the worker and the repository.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from loccount.counting.cache import mirrors_dir, resolve_cache_dir
from loccount.counting.count import count_batch
from loccount.counting.filecount import FileCount, huge
from loccount.errors import EnvironmentFault, LoccountError, RepositoryError
from loccount.gitio.mirror import mirror_url, open_local, open_mirror
from loccount.gitio.partial import CloneMode, clone_mode
from loccount.gitio.tree import read_blob
from loccount.gitio.urls import check_url, display_url, is_local

if TYPE_CHECKING:
    import git

    from loccount.counting.cache import Key


class BlobSource(StrEnum):
    """Who reads a blob's bytes out of git for a counting task."""

    #: The run's own process reads every blob and ships its bytes; workers need no git.
    CLIENT = "client"
    #: Workers open the repository at the path the client uses (a shared file system, or the same machine).
    SHARED = "shared"
    #: Workers keep mirrors of their own, cloned from the repository's URL on first need.
    OWN = "own"


@dataclass(frozen=True, slots=True)
class IdBatch:
    """A batch named by blob ids: where to read them, never their bytes."""

    source: BlobSource
    #: Repository paths (``shared``) or URLs (``own``), one per repository the batch reads from.
    locators: tuple[str, ...]
    #: ``(index into locators, blob sha, file name)`` for every blob of the batch.
    items: tuple[tuple[int, str, str], ...]
    #: ``own``: the mirrors directory on the worker; None for the worker's default cache directory.
    mirrors: str | None = None
    #: The size cap, applied by the worker once it has read a blob: a client with a partial clone
    #: does not know the sizes of the blobs it lacks. None: no cap (the client applied it).
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class IdCounts:
    """A worker's answer to an :class:`IdBatch`: the counts, and the size of each blob it read, in the
    same order (for the tables and listings of a client that could not size the blobs itself)."""

    counted: list[tuple[str, str, FileCount]]
    sizes: tuple[int, ...]


def locate(repo: git.Repo, source: BlobSource) -> str:
    """What a worker is told to open for ``repo``: its git directory, or for ``own`` the URL of a loccount
    mirror (any other repository's path, which the worker clones from: it must reach that path)."""
    path = os.path.abspath(repo.git_dir)
    return (mirror_url(repo) or path) if source is BlobSource.OWN else path


class Located(Protocol):
    """Anything that says which repository holds it (the engine's ``Blob``)."""

    @property
    def repo(self) -> git.Repo: ...


class IdLoader:
    """Turns a batch of keys into an :class:`IdBatch` (the client's whole share of the reading)."""

    def __init__(
        self,
        blobs: Mapping[Key, Located],
        source: BlobSource,
        mirrors: str | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self._blobs = blobs
        self._source = source
        self._mirrors = mirrors
        self._max_bytes = max_bytes
        self._located: dict[int, str] = {}

    def __call__(self, batch: list[Key]) -> IdBatch:
        indices: dict[str, int] = {}
        items = []
        for sha, name in batch:
            repo = self._blobs[(sha, name)].repo
            locator = self._located.get(id(repo))
            if locator is None:
                locator = self._located[id(repo)] = locate(repo, self._source)
            items.append((indices.setdefault(locator, len(indices)), sha, name))
        return IdBatch(self._source, tuple(indices), tuple(items), self._mirrors, self._max_bytes)


#: Repositories a worker process keeps open (each holds a ``git cat-file --batch`` process).
MAX_OPEN = 8
_opened: OrderedDict[tuple[int, BlobSource, str, str | None], git.Repo] = OrderedDict()
_refreshed: set[tuple[BlobSource, str, str | None]] = set()
_lock = threading.Lock()


def count_ids(batch: IdBatch, plain: bool = False) -> IdCounts:
    """Read the batch's blobs here and count them: the task a worker runs in the id-based modes.

    A blob over the batch's cap is ``huge``, as the client makes it when it knows the size.
    """
    items = [(sha, name, _read(batch, batch.locators[index], sha)) for index, sha, name in batch.items]
    cap = batch.max_bytes
    sizes = tuple(len(data) for _sha, _name, data in items)
    over = {i: huge(size, cap) for i, size in enumerate(sizes) if cap is not None and size > cap}
    counted = iter(count_batch([item for i, item in enumerate(items) if i not in over], plain))
    done = [(sha, name, over[i]) if i in over else next(counted) for i, (sha, name, _data) in enumerate(items)]
    return IdCounts(done, sizes)


def _read(batch: IdBatch, locator: str, sha: str) -> bytes:
    try:
        repo = _repository(batch.source, locator, batch.mirrors)
        try:
            return read_blob(repo, sha)
        except LoccountError:
            if batch.source is not BlobSource.OWN or (batch.source, locator, batch.mirrors) in _refreshed:
                raise
        # An own mirror cloned before the release being counted was made: fetch it once, then read again.
        _refreshed.add((batch.source, locator, batch.mirrors))
        return read_blob(_repository(batch.source, locator, batch.mirrors, refresh=True), sha)
    except EnvironmentFault:
        raise
    except LoccountError as error:
        raise EnvironmentFault(
            f"worker {socket.gethostname()} (--worker-blobs {batch.source}) cannot read blob {sha} of "
            f"{display_url(locator)}: {error}; counts finished so far are cached "
            "(--worker-blobs client ships the bytes from the client instead)"
        ) from None


def _repository(source: BlobSource, locator: str, mirrors: str | None, refresh: bool = False) -> git.Repo:
    key = (threading.get_ident(), source, locator, mirrors)
    with _lock:
        repo = _opened.get(key)
        if repo is not None and not refresh:
            _opened.move_to_end(key)
            return repo
    repo = _open(source, locator, mirrors, refresh)
    with _lock:
        _opened[key] = repo
        while len(_opened) > MAX_OPEN:
            _opened.popitem(last=False)[1].close()
    return repo


def _open(source: BlobSource, locator: str, mirrors: str | None, refresh: bool) -> git.Repo:
    check_url(locator)
    if source is BlobSource.SHARED:
        if not is_local(locator) or not os.path.isabs(locator):
            raise RepositoryError(f"{display_url(locator)!r} is not an absolute repository path")
        return open_local(locator)
    if source is BlobSource.OWN:
        if mirrors is not None and not os.path.isabs(mirrors):
            raise RepositoryError(f"the worker mirrors directory {mirrors!r} is not an absolute path")
        directory = Path(mirrors) if mirrors else mirrors_dir(resolve_cache_dir())
        repo = open_mirror(locator, directory, refresh=refresh)
        if clone_mode(repo) is CloneMode.PARTIAL:  # it would fetch each blob it lacks alone, as it reads it
            raise RepositoryError(
                f"the worker's mirror {repo.git_dir} is a partial clone; give the workers a directory of "
                "full mirrors of their own (--worker-mirrors DIR)"
            )
        return repo
    raise ValueError(f"{source} blobs are read by the client, not by a worker")
