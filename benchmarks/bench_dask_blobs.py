"""One cold count on a Dask LocalCluster (or loccount's own pool) with a given blob source, and what it cost.

For one repository and its tags it counts every distinct Python blob from an empty cache,
once, and prints:

* ``bytes/blob``: what the client hands Dask per blob (each task's function and arguments
  pickled, as Dask pickles them; Dask's own message framing is not included);
* ``client cpu/blob``: the client process's CPU seconds (user + system) during the count,
  its ``git cat-file`` processes included, divided by the blobs: reading, pickling, sending,
  receiving and storing results;
* ``worker cpu/blob``: the same for the worker processes (and their git processes);
* ``wall``, ``blobs/s`` and ``MB/s`` of the count alone (cluster start and imports excluded).

The cluster runs in a process of its own, so the client's CPU is the client's alone. With
``--source own`` each worker's mirrors directory is filled before the count (a worker clones
once; the count then reads from the clone), so the figures are the steady state's. Time the
whole command from outside for wall-clock figures; the printed per-blob figures come from
the operating system's accounting of each process.

    python benchmarks/bench_dask_blobs.py /path/to/horizon --tags-matching '(9|1[0-9])\\.0\\.0' \\
        --source shared --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any


class Measured(Executor):
    """Counts the pickled size of everything submitted to the executor it wraps."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.sent = 0
        self.tasks = 0

    def submit(self, fn, /, *args, **kwargs) -> Future[Any]:  # type: ignore[no-untyped-def]
        self.sent += len(pickle.dumps((fn, args, kwargs), protocol=5))
        self.tasks += 1
        return self.inner.submit(fn, *args, **kwargs)


def cpu_seconds(exclude: frozenset[int] = frozenset()) -> float:
    """This process's CPU time and its live children's (``git cat-file``), leaving out ``exclude`` and theirs."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        if child.pid in exclude or any(p.pid in exclude for p in child.parents()):
            continue
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def serve(workers: int, address: Any, stop: Any) -> None:
    """Run a LocalCluster of single-threaded worker processes until told to stop."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        address.put(cluster.scheduler_address)
        stop.wait()


def worker_cpu() -> float:
    return cpu_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="a local repository (bare mirror or work tree)")
    parser.add_argument("--tags-matching", required=True)
    parser.add_argument("--source", choices=["client", "shared", "own"], default="client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", action="store_true", help="loccount's local process pool instead of Dask")
    parser.add_argument("--worker-mirrors", help="with --source own: the workers' mirrors directory (kept)")
    parser.add_argument("--batch-bytes", type=int, help="the engine's largest batch (default: its own)")
    args = parser.parse_args()

    from bench_dask import blobs_for

    from loccount.counting.cache import CountCache
    from loccount.counting.engine import EngineOptions, count_blobs
    from loccount.counting.sources import BlobSource, locate
    from loccount.gitio.mirror import open_mirror

    source = BlobSource(args.source)
    releases, blobs = blobs_for(args.repo, args.tags_matching)
    megabytes = sum(b.size for b in blobs.values()) / 1e6
    mirrors = args.worker_mirrors
    if source is BlobSource.OWN:
        mirrors = mirrors or tempfile.mkdtemp(prefix="bench-worker-mirrors-")
        open_mirror(locate(next(iter(blobs.values())).repo, source), Path(mirrors))
    context = multiprocessing.get_context("spawn")
    address, stop = context.Queue(), context.Event()
    cluster = None if args.pool else context.Process(target=serve, args=(args.workers, address, stop))
    client = None
    try:
        if cluster is not None:
            from distributed import Client

            cluster.start()
            client = Client(address.get(timeout=120))
            client.wait_for_workers(args.workers)
            executor: Executor | None = Measured(client.get_executor(pure=False))
        else:
            executor = None
        exclude = frozenset({cluster.pid} if cluster is not None and cluster.pid else set())
        sizes = {"batch_bytes": args.batch_bytes} if args.batch_bytes else {}
        options = EngineOptions(
            jobs=args.workers, executor=executor, blob_source=source, worker_mirrors=mirrors, **sizes
        )
        with tempfile.TemporaryDirectory(prefix="bench-dask-cache-") as tmp, CountCache(Path(tmp)) as cache:
            workers_before = sum(client.run(worker_cpu).values()) if client else 0.0
            client_before = cpu_seconds(exclude)
            start = time.perf_counter()
            count_blobs(blobs, cache, options)
            wall = time.perf_counter() - start
            client_cpu = cpu_seconds(exclude) - client_before
            workers_cpu = sum(client.run(worker_cpu).values()) - workers_before if client else float("nan")
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            stop.set()
            cluster.join(60)
    n = len(blobs)
    kind = "pool" if args.pool else "dask"
    print(f"{kind} source={source} workers={args.workers}: {len(releases)} releases, {n} blobs, {megabytes:.2f} MB")
    if isinstance(executor, Measured):
        sent = executor.sent
        print(f"  sent      {sent / n:10.1f} bytes/blob  ({executor.tasks} tasks, {sent / 1e6:.2f} MB)")
    print(f"  client    {1e3 * client_cpu / n:10.3f} ms cpu/blob  ({client_cpu:.2f} s)")
    print(f"  workers   {1e3 * workers_cpu / n:10.3f} ms cpu/blob  ({workers_cpu:.2f} s)")
    print(f"  count     {wall:10.2f} s wall  {n / wall:8.1f} blobs/s  {megabytes / wall:6.3f} MB/s")


if __name__ == "__main__":
    main()
