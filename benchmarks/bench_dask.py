"""Local process pool vs a Dask LocalCluster (1 and 2 workers), cold cache, side by side in one run.

For one repository and its tags it counts all distinct Python blobs from an empty cache with:

* ``pool``: loccount's own process pool over all cores;
* ``dask-1`` and ``dask-2``: a ``distributed.LocalCluster`` with 1 and 2 single-threaded
  worker processes, through the same engine (blob bytes shipped to the workers in batches).

It also measures the client side alone (reading the blobs from git and shipping them with
trivial work on the workers) to give a per-blob overhead that does not depend on pygount.

    python benchmarks/bench_dask.py /path/to/glance --tags-matching '(20\\d\\d\\.\\d(\\.0)?|\\d+\\.0\\.0)' --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path


def blobs_for(repo_path: str, pattern: str):
    from loccount.counting.engine import Blob
    from loccount.gitio.mirror import open_local
    from loccount.gitio.tree import list_tree
    from loccount.pipeline import python_entries
    from loccount.releases.tags import resolve_tags

    repo = open_local(repo_path)
    releases = resolve_tags(repo, "bench", pattern=pattern)
    blobs = {}
    for release in releases:
        for entry in python_entries(list_tree(repo, release.commit)):
            if entry.kind == "file":
                blobs.setdefault((entry.sha, entry.name), Blob(repo, entry.size))
    return releases, blobs


def cold(blobs, executor=None, jobs=None) -> float:
    from loccount.counting.cache import CountCache
    from loccount.counting.engine import EngineOptions, count_blobs

    with tempfile.TemporaryDirectory(prefix="loccount-dask-bench-") as tmp, CountCache(Path(tmp)) as cache:
        start = time.perf_counter()
        count_blobs(blobs, cache, EngineOptions(jobs=jobs, executor=executor))
        return time.perf_counter() - start


def echo(items):
    """Trivial work: return the sizes, so only shipping and scheduling are timed."""
    return [(sha, name, len(data)) for sha, name, data in items]


def shipping(blobs, executor, workers: int) -> float:
    """Wall time to read every blob, ship it in the engine's batches and get an answer back."""
    from loccount.counting.engine import DEFAULT_BATCH_BYTES, load_batch, make_batches

    batches = make_batches(blobs, workers, DEFAULT_BATCH_BYTES)
    start = time.perf_counter()
    pending = set()
    for batch in batches:
        pending.add(executor.submit(echo, load_batch(batch, blobs)))
        if len(pending) >= 2 * workers + 2:
            _done, pending = wait(pending, return_when=FIRST_COMPLETED)
    wait(pending)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo")
    parser.add_argument("--tags-matching", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    releases, blobs = blobs_for(args.repo, args.tags_matching)
    megabytes = sum(b.size for b in blobs.values()) / 1e6
    print(f"{len(releases)} releases, {len(blobs)} distinct blobs, {megabytes:.1f} MB", flush=True)
    runs: dict[str, list[float]] = defaultdict(list)
    for round_ in range(1, args.repeat + 1):
        runs["pool"].append(cold(blobs, jobs=2))
        for workers in (1, 2):
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
                ) as cluster,
                Client(cluster) as client,
            ):
                executor = client.get_executor(pure=False)
                runs[f"dask-{workers}"].append(cold(blobs, executor=executor, jobs=workers))
                runs[f"ship-{workers}"].append(shipping(blobs, executor, workers))
        print(f"round {round_}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in runs.items()), flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    n = len(blobs)
    print(f"\nmedians over {args.repeat} round(s) on this machine, {n} blobs, {megabytes:.1f} MB:")
    for name in ("pool", "dask-1", "dask-2"):
        print(f"  {name:8s} {med[name]:8.2f} s  {megabytes / med[name]:6.3f} MB/s")
    print(f"  dask-2 / pool            {med['dask-2'] / med['pool']:.3f}")
    print(f"  dask-1 / dask-2          {med['dask-1'] / med['dask-2']:.3f}  (speed-up from the second worker)")
    print(f"  extra per blob, dask-2 vs pool: {1e3 * (med['dask-2'] - med['pool']) * 2 / n:.3f} ms of worker time")
    print(
        f"  shipping only (read, send, trivial work): {1e3 * med['ship-2'] / n:.3f} ms per blob, "
        f"{megabytes / med['ship-2']:.1f} MB/s through one client"
    )


if __name__ == "__main__":
    main()
