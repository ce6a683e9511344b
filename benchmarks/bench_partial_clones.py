"""A full mirror against a partial clone plus the bulk fetch of the blobs counted: bytes, seconds, counts.

The repository is served locally as a ``file://`` remote that allows filters: a scratch bare
repository shares the given mirror's objects (``git clone --bare --shared``, the mirror is never
written to) and sets ``uploadpack.allowFilter``. For each clone mode, ``loccount count`` runs on
an empty cache directory (cold: clone, list, fetch, count), then again (warm); the mirror's bytes
on disk are ``du -sb``'s. The two tidy tables must be identical. A mirror that lacks a few blobs
(a fetched copy) cannot be cloned in full: its full count then runs on the mirror in place, and
its own bytes are given.

    python benchmarks/bench_partial_clones.py /path/to/nova-mirror --releases nova-releases.csv

``--releases`` is the output of ``loccount releases --format csv`` (its ``tag`` column), or give
``--tag`` for each release.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("full", "partial")


def git(*args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout


def serve(mirror: Path, scratch: Path) -> str:
    """A file:// URL serving ``mirror``'s objects with filters allowed, without writing to ``mirror``."""
    served = scratch / "served.git"
    git("clone", "-q", "--bare", "--shared", str(mirror), str(served))
    git("-C", str(served), "config", "uploadpack.allowFilter", "true")
    return f"file://{served}"


def du(path: Path) -> int:
    return int(subprocess.run(["du", "-sb", str(path)], check=True, capture_output=True, text=True).stdout.split()[0])


def loccount(target: str, tags: list[str], cache: Path, csv_path: Path, extra: list[str]) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "loccount.cli", "count", target, "--cache-dir", str(cache), "--csv", str(csv_path)]
    command += [arg for tag in tags for arg in ("--tag", tag)] + extra
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stderr.strip().splitlines()[-1] if done.stderr else ""


def mirror_dir(cache: Path) -> Path | None:
    found = [path for path in (cache / "mirrors").glob("*") if path.is_dir()] if (cache / "mirrors").is_dir() else []
    return found[0] if found else None


def tags_from(releases: Path | None, tags: list[str]) -> list[str]:
    if releases is None:
        return tags
    with releases.open(newline="") as handle:
        return [*tags, *(row["tag"] for row in csv.DictReader(handle) if row["tag"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", type=Path, help="A bare mirror of the repository (only read).")
    parser.add_argument("--releases", type=Path, help="`loccount releases --format csv` output: its tags.")
    parser.add_argument("--tag", action="append", default=[], help="A release tag (repeatable).")
    parser.add_argument("--jobs", default="2", help="Counting processes (--jobs of loccount count).")
    parser.add_argument("--name", default="project", help="The project's name in both tables.")
    parser.add_argument("--keep", type=Path, help="Work here and keep it (default: a temporary directory).")
    args = parser.parse_args()
    tags = tags_from(args.releases, args.tag)
    if not tags:
        parser.error("give --releases or --tag")
    with tempfile.TemporaryDirectory(prefix="bench-partial-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        url = serve(args.mirror.resolve(), work)
        print(f"{len(tags)} releases of {args.mirror}, served as {url}", flush=True)
        tables = {}
        for mode in MODES:
            cache, table = work / f"cache-{mode}", work / f"tidy-{mode}.csv"
            common = ["--jobs", args.jobs, "--name", args.name]
            seconds, code, last = loccount(url, tags, cache, table, ["--clone", mode, *common])
            target, where = url, mirror_dir(cache)
            if code != 0 and mode == "full":
                print(f"full clone failed ({last}); the full count runs on the mirror in place", flush=True)
                target, where = str(args.mirror), args.mirror
                seconds, code, last = loccount(target, tags, cache, table, common)
            if code != 0 or where is None:
                raise SystemExit(f"{mode}: loccount failed: {last}")
            warm, _code, _last = loccount(target, tags, cache, table, ["--clone", mode, *common])
            print(f"{mode:8} mirror {du(where):>13,} bytes  cold {seconds:7.1f} s  warm {warm:5.1f} s", flush=True)
            tables[mode] = table
        same = filecmp.cmp(tables["full"], tables["partial"], shallow=False)
        print(f"tidy.csv identical: {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
