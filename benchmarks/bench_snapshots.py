"""Benchmark dated snapshots: monthly counts of one repository over years, cold and warm.

Thanks to the blob cache, each extra snapshot should cost only its new blobs. One invocation
measures, side by side, per repetition:

* ``tip``: ``loccount count REPO --tag <last snapshot's commit>`` on an empty cache: one tree;
* ``cold``: ``loccount count REPO --every month --since ... --until ...`` on an empty cache;
* ``warm``: the same command again, everything cached;

and prints the medians, ``cold / tip`` (what all the other snapshots add), the number of
snapshots, file instances and distinct blobs, and checks that the last snapshot's figures
equal the tip's (a snapshot is its commit, counted like any other).

    python benchmarks/bench_snapshots.py /path/to/requests --since 2014-01-01 --until 2023-12-31 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIGURES = ("category", "files", "code", "documentation", "empty", "string", "lines")


def loccount(repo: Path, cache: Path, *args: str) -> float:
    command = [sys.executable, "-m", "loccount.cli", "count", str(repo), "--cache-dir", str(cache), *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"loccount failed: {done.stderr[-2000:]}")
    return elapsed


def rows(path: Path) -> list[dict[str, str]]:
    with path.open() as stream:
        return list(csv.DictReader(stream))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--every", default="month", choices=["month", "quarter", "year"])
    parser.add_argument("--since", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--branch")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    period = ["--every", args.every, "--since", args.since, "--until", args.until]
    period += ["--branch", args.branch] if args.branch else []
    times: dict[str, list[float]] = {"tip": [], "cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="bench-snapshots-") as scratch:
        root = Path(scratch)
        tidy, files, tip_csv = root / "tidy.csv", root / "files.csv", root / "tip.csv"
        for _ in range(args.repeat):
            cache = root / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            times["cold"].append(loccount(args.repo, cache, *period, "--csv", str(tidy), "--by-file", str(files)))
            times["warm"].append(loccount(args.repo, cache, *period, "--csv", str(tidy)))
            last = rows(tidy)[-1]
            shutil.rmtree(cache)
            times["tip"].append(loccount(args.repo, cache, "--tag", last["commit"], "--csv", str(tip_csv)))
        snapshots = rows(tidy)
        per_file = rows(files)
        tip_rows = rows(tip_csv)
    releases = list(dict.fromkeys(row["version"] for row in snapshots))
    instances = [row for row in per_file if row["kind"] == "file"]
    distinct = {(row["sha"], row["path"].rsplit("/", 1)[-1]) for row in instances}
    last = [[row[k] for k in FIGURES] for row in snapshots if row["version"] == releases[-1]]
    tip = [[row[k] for k in FIGURES] for row in tip_rows]
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"{args.repo.name}: {len(releases)} {args.every}ly snapshots ({releases[0]} .. {releases[-1]}), "
        f"{len(instances)} file instances, {len(distinct)} distinct blobs "
        f"({len(instances) / max(1, len(distinct)):.1f} instances per blob)"
    )
    print(f"medians of {args.repeat}: " + ", ".join(f"{name} {value:.2f} s" for name, value in median.items()))
    print("runs: " + "; ".join(f"{name} " + " ".join(f"{v:.2f}" for v in values) for name, values in times.items()))
    print(
        f"cold / tip {median['cold'] / median['tip']:.2f}x for {len(releases)}x the trees; "
        f"cold / warm {median['cold'] / median['warm']:.1f}x"
    )
    print(f"last snapshot equals counting its commit directly: {last == tip}")


if __name__ == "__main__":
    main()
