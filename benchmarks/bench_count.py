"""Benchmark loccount's counting against the naive loop and the ideal, side by side in one run.

For one repository and a set of tags it measures, in each repetition:

* ``naive``: ``git archive`` each tag, extract it, run pygount's ``SourceAnalysis.from_file``
  on every regular ``.py`` file, one process (what one would write without loccount);
* ``ideal``: pygount's CPU time on the distinct blobs alone (already on disk), one process,
  divided by the cores; and ``ideal-loaded``, the same blobs split over one process per core
  running at once (CPU time summed, divided by the cores), which includes what cores lose by
  sharing the machine;
* ``cold``: ``loccount count`` with an empty cache (process pool over all cores);
* ``cold-plain`` (with ``--plain``): the same with ``--plain``, pygount's and Pygments' own
  code instead of loccount's fast paths: the engine's own overhead against the ideal;
* ``warm``: the same command again, everything cached.

It prints the medians and the ratios the README quotes, the peak memory of the loccount
process tree, whether loccount's per-tag totals equal the naive loop's, and whether its
per-file counts equal pygount's on every distinct blob (both are plain pygount, no dispatch).

    python benchmarks/bench_count.py /path/to/nova --nova-series --repeat 1
    python benchmarks/bench_count.py /path/to/glance --tags 2014.2 2015.1.0 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

NOVA_SERIES_TAGS = [
    "2010.1", "2011.1", "2011.2", "2011.3", "2012.1", "2012.2", "2013.1", "2013.2", "2014.1", "2014.2",
    "2015.1.0", *(f"{major}.0.0" for major in range(12, 34)),
]  # fmt: skip
KINDS = ("code", "documentation", "empty", "string")


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True).stdout


def git_dir(path: Path) -> Path:
    out = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=path, capture_output=True, text=True)
    return Path(out.stdout.strip()) if out.returncode == 0 else path


def analyse(path: str) -> tuple[int, int, int, int]:
    from pygount import SourceAnalysis

    # As pygount's command line calls it by default: no fallback encoding (UTF-8 before cp1252).
    a = SourceAnalysis.from_file(path, "bench", fallback_encoding=None)
    return a.code_count, a.documentation_count, a.empty_count, a.string_count


def analyse_all(paths: list[str]) -> tuple[float, list[tuple[int, int, int, int]]]:
    """CPU seconds pygount needs for ``paths`` in this process, and its counts."""
    import logging

    logging.getLogger("pygount").setLevel(logging.ERROR)
    analyse(paths[0]) if paths else None  # warm up imports and lexers outside the timing
    start = time.process_time()
    counts = [analyse(path) for path in paths]
    return time.process_time() - start, counts


def analyse_cpu(paths: list[str]) -> float:
    return analyse_all(paths)[0]


def naive(repo: Path, tags: list[str], scratch: Path) -> tuple[float, dict[str, list[int]]]:
    """git archive + pygount per tag in one process; returns wall seconds and per-tag totals."""
    import logging

    logging.getLogger("pygount").setLevel(logging.ERROR)
    totals: dict[str, list[int]] = {}
    start = time.perf_counter()
    for tag in tags:
        target = scratch / f"naive-{tag}"
        # Only *.py: some snapshots lack unrelated binary blobs, which makes a full archive fail.
        with tarfile.open(fileobj=io.BytesIO(git(repo, "archive", tag, "--", "*.py"))) as archive:
            archive.extractall(target, filter="tar")
        sums = [0, 0, 0, 0]
        for folder, _dirs, names in os.walk(target):
            for name in names:
                path = os.path.join(folder, name)
                if name.endswith(".py") and not os.path.islink(path):
                    sums = [a + b for a, b in zip(sums, analyse(path), strict=True)]
        totals[tag] = sums
        shutil.rmtree(target)
    return time.perf_counter() - start, totals


def distinct_blobs(repo: Path, tags: list[str], scratch: Path) -> list[tuple[str, int, tuple[str, str]]]:
    """Write each distinct (blob, base name) once under ``scratch``; returns (path, size, key)."""
    seen: dict[tuple[str, str], int] = {}
    for tag in tags:
        for record in git(repo, "ls-tree", "-r", "-z", "-l", tag).split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, sha, size = meta.split()
            name = os.fsdecode(path).rsplit("/", 1)[-1]
            if mode in (b"100644", b"100755") and name.endswith(".py"):
                seen[(sha.decode(), name)] = int(size)
    files = []
    for index, ((sha, name), size) in enumerate(sorted(seen.items())):
        folder = scratch / "distinct" / str(index)
        folder.mkdir(parents=True)
        (folder / name).write_bytes(git(repo, "cat-file", "blob", sha))
        files.append((str(folder / name), size, (sha, name)))
    return files


def ideal(files: list[tuple[str, int, tuple[str, str]]], cores: int) -> tuple[float, dict]:
    """Single-process pygount CPU / cores, and pygount's counts per (blob, name)."""
    single, counts = analyse_all([path for path, _, _ in files])
    return single / cores, {key: list(count) for (_, _, key), count in zip(files, counts, strict=True)}


def ideal_loaded(files: list[tuple[str, int, tuple[str, str]]], cores: int) -> float:
    """CPU summed over ``cores`` processes counting at once, / cores: what sharing the machine costs."""
    shares: list[list[str]] = [[] for _ in range(cores)]
    loads = [0] * cores
    for path, size, _ in sorted(files, key=lambda item: -item[1]):
        lightest = loads.index(min(loads))
        shares[lightest].append(path)
        loads[lightest] += size
    with ProcessPoolExecutor(cores) as pool:
        return sum(pool.map(analyse_cpu, shares)) / cores


class PeakRSS:
    """Polls the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    for child in children.read().split():
                        pids.extend(self._tree(int(child)))
        except OSError:
            pass
        return pids

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree(self.pid):
                try:
                    with open(f"/proc/{pid}/status") as status:
                        for line in status:
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def loccount_run(repo: Path, tags: list[str], cache: Path, csv_path: Path, jobs: int, *extra: str) -> tuple[float, int]:
    command = [sys.executable, "-m", "loccount.cli", "count", str(repo), "--cache-dir", str(cache), *extra]
    command += ["--jobs", str(jobs), "--csv", str(csv_path), *(arg for tag in tags for arg in ("--tag", tag))]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watcher = PeakRSS(process.pid)
    _, stderr = process.communicate()
    peak = watcher.stop()
    if process.returncode:
        raise SystemExit(f"loccount failed: {stderr.decode()[-2000:]}")
    return time.perf_counter() - start, peak


def tidy_totals(csv_path: Path) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with csv_path.open() as stream:
        for row in csv.DictReader(stream):
            totals[row["tag"]] = [a + int(row[k]) for a, k in zip(totals[row["tag"]], KINDS, strict=True)]
    return dict(totals)


def file_mismatches(by_file: Path, reference: dict[tuple[str, str], list[int]]) -> tuple[int, int]:
    """(distinct blobs compared, blobs whose loccount counts differ from pygount's)."""
    seen: dict[tuple[str, str], list[int]] = {}
    with by_file.open() as stream:
        for row in csv.DictReader(stream):
            if row["kind"] == "file":
                seen[(row["sha"], row["path"].rsplit("/", 1)[-1])] = [int(row[k]) for k in KINDS]
    differ = sum(1 for key, counts in reference.items() if seen.get(key) != counts)
    return len(reference), differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a local clone or bare mirror")
    parser.add_argument("--tags", nargs="+", default=[])
    parser.add_argument("--nova-series", action="store_true", help="nova's 33 series tags")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--skip-naive", action="store_true", help="skip the (slow) naive loop")
    parser.add_argument("--skip-loaded", action="store_true", help="skip the ideal-loaded measurement")
    parser.add_argument("--plain", action="store_true", help="also time a cold run with --plain")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args()
    tags = NOVA_SERIES_TAGS if args.nova_series else args.tags
    if not tags:
        parser.error("give --tags or --nova-series")
    repo = git_dir(args.repo)
    cores = args.jobs
    runs: dict[str, list[float]] = defaultdict(list)
    exact = True
    compared = differ = 0
    with tempfile.TemporaryDirectory(prefix="loccount-bench-") as tmp:
        scratch = Path(tmp)
        files = distinct_blobs(repo, tags, scratch)
        print(f"{len(tags)} tags, {len(files)} distinct blobs, {sum(s for _, s, _ in files) / 1e6:.1f} MB", flush=True)
        for round_ in range(1, args.repeat + 1):
            one, per_file = ideal(files, cores)
            runs["ideal"].append(one)
            if not args.skip_loaded:
                runs["ideal-loaded"].append(ideal_loaded(files, cores))
            if not args.skip_naive:
                wall, reference = naive(repo, tags, scratch)
                runs["naive"].append(wall)
            cache = scratch / f"cache-{round_}"
            by_file = scratch / "cold-files.csv"
            wall, peak = loccount_run(repo, tags, cache, scratch / "cold.csv", cores, "--by-file", str(by_file))
            runs["cold"].append(wall)
            runs["peak-rss-MiB"].append(peak / 2**20)
            n, bad = file_mismatches(by_file, per_file)
            compared, differ = compared + n, differ + bad
            if args.plain:
                plain_cache = scratch / f"cache-plain-{round_}"
                wall, _ = loccount_run(repo, tags, plain_cache, scratch / "plain.csv", cores, "--plain")
                runs["cold-plain"].append(wall)
                exact = exact and tidy_totals(scratch / "plain.csv") == tidy_totals(scratch / "cold.csv")
                shutil.rmtree(plain_cache)
            wall, _ = loccount_run(repo, tags, cache, scratch / "warm.csv", cores)
            runs["warm"].append(wall)
            if not args.skip_naive:
                exact = exact and tidy_totals(scratch / "cold.csv") == reference
            shutil.rmtree(cache)
            line = ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items())
            print(f"round {round_}: {line}", flush=True)
    med = {name: statistics.median(values) for name, values in runs.items()}
    print(f"\nmedians over {args.repeat} round(s), {cores} cores:")
    for name, value in med.items():
        unit = "" if name.endswith("MiB") else " s"
        print(f"  {name:14s} {value:9.2f}{unit}")
    print("ratios (medians):")
    if "naive" in med:
        print(f"  naive / cold         {med['naive'] / med['cold']:6.2f}x  (goal >= 2.5)")
    print(f"  cold / ideal         {med['cold'] / med['ideal']:6.3f}   (goal <= 1.15)")
    if "ideal-loaded" in med:
        print(f"  cold / ideal-loaded  {med['cold'] / med['ideal-loaded']:6.3f}")
    if "cold-plain" in med:
        print(f"  cold-plain / ideal   {med['cold-plain'] / med['ideal']:6.3f}   (engine overhead, library code only)")
        print(f"  cold-plain / cold    {med['cold-plain'] / med['cold']:6.2f}x  (what the fast paths gain)")
    print(f"  cold / warm          {med['cold'] / med['warm']:6.1f}x  (goal >= 100)")
    if "naive" in med or "cold-plain" in med:
        print(f"exactness: loccount totals equal the naive loop's (and --plain's) for every tag: {exact}")
    print(f"per-file: {compared} (blob, name) counts compared with pygount's, {differ} differ")
    if args.json:
        report = {"tags": tags, "runs": runs, "medians": med, "exact": exact, "files": [compared, differ]}
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
