"""Count every distinct blob once: dedupe, skip cached, count the rest on an executor.

Blobs are sorted largest first and packed into batches of about ``batch_bytes``, so the
work that finishes last is small and every core stays busy to the end. Only a bounded
number of batches is in flight (bounded memory); each finished batch is committed to the
cache at once, so a killed run loses only the batches that were in flight. Any
``concurrent.futures.Executor`` can do the counting: a local process pool by default, or a
cluster's executor.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from loccount.counting.cache import CountCache, Key
from loccount.counting.count import DEFAULT_MAX_BLOB_BYTES, SCRATCH_PREFIX, count_batch, fingerprint, scratch_roots
from loccount.counting.filecount import FileCount, FileState, huge
from loccount.counting.inline import BY_LANGUAGE
from loccount.counting.processes import remove_stale_scratch
from loccount.counting.sources import BlobSource, IdCounts, IdLoader, count_ids
from loccount.counting.workers import process_pool
from loccount.errors import EnvironmentFault, LoccountError
from loccount.gitio.entries import MISSING
from loccount.gitio.tree import read_blob

if TYPE_CHECKING:
    import git

#: A finished batch: ``(sha, name, counts)`` for each of its blobs.
Counted = list[tuple[str, str, FileCount]]
DEFAULT_BATCH_BYTES = 1024 * 1024
MIN_BATCH_BYTES = 16 * 1024
MAX_BATCH_FILES = 256
#: Less than this to count is counted in this process: starting workers would cost more.
DEFAULT_POOL_MIN_BYTES = 4 * 1024 * 1024
#: What a blob of unknown size weighs for batching and progress (``own`` workers size it when they
#: read it): about a source file of OpenStack's.
NOMINAL_BLOB_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class Blob:
    """A blob to count: where to read it and how big it is."""

    repo: git.Repo
    size: int


class CountProgress(Protocol):
    """Told how much there is to count and how much is done, e.g. to draw a progress bar."""

    def start(self, total_blobs: int, total_bytes: int, cached_blobs: int, skipped_blobs: int = 0) -> None: ...
    def advance(self, blobs: int, nbytes: int) -> None: ...


class _Quiet:
    def start(self, total_blobs: int, total_bytes: int, cached_blobs: int, skipped_blobs: int = 0) -> None:
        pass

    def advance(self, blobs: int, nbytes: int) -> None:
        pass


#: How often a run on a cluster looks whether the cluster still has workers while it waits.
POLL_SECONDS = 5.0


@runtime_checkable
class Watched(Protocol):
    """An executor that can say whether anything is left to run its tasks (a Dask cluster whose
    workers may all die: Dask then waits for new ones for ever)."""

    name: str
    #: How long a run waits for a worker to come back before it ends.
    no_workers_seconds: float

    def has_workers(self) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    """How to count: ``jobs`` local processes unless an ``executor`` is given."""

    jobs: int | None = None
    executor: Executor | None = None
    max_blob_bytes: int = DEFAULT_MAX_BLOB_BYTES
    batch_bytes: int = DEFAULT_BATCH_BYTES
    #: Below this many bytes to count, no pool is started (``jobs`` is then ignored).
    pool_min_bytes: int = DEFAULT_POOL_MIN_BYTES
    #: Count with pygount's and Pygments' own code only, no fast path (same counts, slower).
    plain: bool = False
    #: Who reads the blobs for the pool or the executor: this process (shipping bytes), or the workers.
    blob_source: BlobSource = BlobSource.CLIENT
    #: With ``BlobSource.OWN``: the mirrors directory on each worker (None: the worker's default cache).
    worker_mirrors: str | None = None

    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def _needs_inline(counted: FileCount) -> bool:
    return counted.inline is None and counted.state == FileState.ANALYZED and counted.language in BY_LANGUAGE


def make_batches(
    blobs: dict[Key, Blob], workers: int, max_bytes: int, min_bytes: int = MIN_BATCH_BYTES
) -> list[list[Key]]:
    """Largest blobs first, in batches that shrink as the work runs out (guided scheduling).

    Each batch takes about a ``4 * workers``-th of what is left, between ``min_bytes`` and
    ``max_bytes``: few tasks while there is plenty to do, and a short tail, so no core sits
    idle at the end waiting for another to finish a big batch.
    """
    remaining = sum(blob.size for blob in blobs.values())
    batches: list[list[Key]] = []
    current: list[Key] = []
    current_bytes = 0
    for key in sorted(blobs, key=lambda k: (-blobs[k].size, k)):
        current.append(key)
        current_bytes += blobs[key].size
        target = min(max_bytes, max(min_bytes, remaining // (4 * workers)))
        if current_bytes >= target or len(current) >= MAX_BATCH_FILES:
            batches.append(current)
            remaining -= current_bytes
            current, current_bytes = [], 0
    if current:
        batches.append(current)
    return batches


def count_blobs(
    blobs: dict[Key, Blob],
    cache: CountCache,
    options: EngineOptions | None = None,
    progress: CountProgress | None = None,
    prepare: Callable[[dict[Key, Blob]], dict[Key, Blob]] | None = None,
    sized: Callable[[dict[str, int]], None] | None = None,
) -> dict[Key, FileCount]:
    """Counts for every key in ``blobs``: from the cache, or counted now and cached.

    ``prepare`` is given the blobs the cache lacks, always (maybe none), before any is read, and
    returns them ready to read: a partial clone fetches them then and gives their sizes. With
    ``BlobSource.OWN`` a blob of unknown size (``MISSING``: one a partial clone lacks) is counted
    too: the worker that reads it applies the size cap, and ``sized`` is told its size.
    """
    options = options or EngineOptions()
    progress = progress or _Quiet()
    stamp = fingerprint(options.plain)
    results = cache.get_many(stamp, blobs)
    for key in [key for key, counted in results.items() if _needs_inline(counted)]:
        del results[key]  # counted before its language's content rule existed: counted again, once
    cached = len(results)
    uncached = {key: blob for key, blob in blobs.items() if key not in results}
    todo: dict[Key, Blob] = {}
    unsized: set[Key] = set()
    for key, blob in (prepare(uncached) if prepare else uncached).items():
        if blob.size == MISSING and options.blob_source is BlobSource.OWN:
            unsized.add(key)
            todo[key] = Blob(blob.repo, NOMINAL_BLOB_BYTES)
        elif blob.size == MISSING:
            results[key] = FileCount.error("the blob is missing from the repository (partial clone?)")
        elif blob.size > options.max_blob_bytes:
            results[key] = huge(blob.size, options.max_blob_bytes)
        else:
            todo[key] = blob
    todo_bytes = sum(b.size for b in todo.values())
    progress.start(len(todo), todo_bytes, cached, len(blobs) - len(todo) - cached)
    if not todo:
        return results
    remove_stale_scratch(scratch_roots(), SCRATCH_PREFIX)
    batches = make_batches(todo, options.workers(), options.batch_bytes, min(MIN_BATCH_BYTES, options.batch_bytes))

    def store(answer: Counted | IdCounts) -> None:
        done = answer.counted if isinstance(answer, IdCounts) else answer
        if isinstance(answer, IdCounts) and sized is not None:
            found = zip(done, answer.sizes, strict=True)
            sized({sha: size for (sha, name, _counted), size in found if (sha, name) in unsized})
        # A cap the worker applied is this run's, not a fact about the blob: never cached (as the client's).
        cache.put_many(stamp, [item for item in done if item[2].state != FileState.HUGE])
        for sha, name, counted in done:
            results[(sha, name)] = counted
        progress.advance(len(done), sum(todo[(sha, name)].size for sha, name, _ in done))

    task, load = _task(options, todo)
    if options.executor is not None:
        _run(options.executor, batches, load, store, task, in_flight=2 * options.workers() + 2)
        return results
    if options.workers() == 1 or len(batches) == 1 or todo_bytes < options.pool_min_bytes:
        for batch in batches:
            store(task(load(batch)))
        return results
    pool = process_pool(options.workers())
    try:
        _run(pool, batches, load, store, task, in_flight=2 * options.workers() + 2)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _task(
    options: EngineOptions, blobs: dict[Key, Blob]
) -> tuple[Callable[[Any], Counted | IdCounts], Callable[[list[Key]], Any]]:
    """The function workers run and what the client sends it per batch: the bytes, or only the blob ids."""
    if options.blob_source is BlobSource.CLIENT:
        return partial(count_batch, plain=options.plain), partial(load_batch, blobs=blobs)
    loader = IdLoader(blobs, options.blob_source, options.worker_mirrors, options.max_blob_bytes)
    return partial(count_ids, plain=options.plain), loader


def load_batch(batch: list[Key], blobs: dict[Key, Blob]) -> list[tuple[str, str, bytes]]:
    """Read a batch's blobs from git: the bytes a worker needs, so it needs no git of its own."""
    return [(sha, name, read_blob(blobs[(sha, name)].repo, sha)) for sha, name in batch]


def _run(
    executor: Executor,
    batches: list[list[Key]],
    load: Callable[[list[Key]], Any],
    store: Callable[[Counted | IdCounts], None],
    task: Callable[[Any], Counted | IdCounts],
    in_flight: int,
) -> None:
    queue: Iterator[list[Key]] = iter(batches)
    pending: set[Future[Any]] = set()

    def refill() -> None:
        while len(pending) < in_flight:
            batch = next(queue, None)
            if batch is None:
                return
            pending.add(executor.submit(task, load(batch)))

    refill()
    watched = executor if isinstance(executor, Watched) else None
    idle_since: float | None = None
    while pending:
        done, still = wait(pending, timeout=POLL_SECONDS if watched else None, return_when=FIRST_COMPLETED)
        if not done and watched is not None:
            idle_since = None if watched.has_workers() else (idle_since or time.monotonic())
            if idle_since is not None and time.monotonic() - idle_since >= watched.no_workers_seconds:
                raise EnvironmentFault(
                    f"{watched.name} has had no workers for {watched.no_workers_seconds:.0f} s; counts finished "
                    "so far are cached, run the same command again when it has workers"
                )
            continue
        pending.clear()
        pending.update(still)
        for future in done:
            try:
                store(future.result())
            except BrokenProcessPool:
                raise LoccountError(
                    "a counting process died (out of memory or killed); counts finished so far are "
                    "cached, run the same command again to resume"
                ) from None
        refill()
