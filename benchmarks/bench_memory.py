"""Peak memory of loccount's worst cases, measured on repositories built for them.

* ``tags``: a repository with ``--tags`` tags (10,000 by default), counted with
  ``--tags-matching '.*'``: every tag is a release, each listed, resolved and put in order.
* ``long-line``: one Python file of ``--line-mb`` MB on a single line (50 by default), counted
  with the size cap raised above it: Pygments lexes it as one token stream.

Each case runs ``loccount count`` as a user would, on an empty cache, under ``/usr/bin/time``;
the figure is the largest resident set of the process tree's members (``ru_maxrss`` of the
loccount process and of its largest child, each as the kernel reports it).

    python benchmarks/bench_memory.py --tags 10000 --line-mb 50
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]


def git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, input=stdin)


def many_tags(root: Path, count: int) -> Path:
    """A repository of a few files and ``count`` lightweight tags, written as refs at once."""
    repo = root / "tags"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for n in range(5):
        (repo / f"m{n}.py").write_text(f"x{n} = {n}\n" * 50)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "files")
    head = subprocess.run([*GIT, "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    commit = head.stdout.strip()
    refs = "".join(f"create refs/tags/1.{n}.0 {commit}\n" for n in range(count))
    git(repo, "update-ref", "--stdin", stdin=refs.encode())
    return repo


def long_line(root: Path, megabytes: int) -> Path:
    """A repository of one Python file that is a single line of ``megabytes`` MB."""
    repo = root / "line"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    with (repo / "data.py").open("w") as stream:
        stream.write("x = [" + "1, " * (megabytes * 1024 * 1024 // 3) + "]\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "line")
    git(repo, "tag", "1.0")
    return repo


def peak(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB of any process of the run, and the exit status."""
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    seconds = time.monotonic() - started
    own = int(done.stderr.strip().splitlines()[-1]) if done.stderr.strip() else 0
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(own, children if children > before else 0) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=10_000)
    parser.add_argument("--line-mb", type=int, default=50)
    parser.add_argument("--loccount", default=str(Path(sys.executable).with_name("loccount")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        cases = {
            f"{args.tags:,} tags, --tags-matching '.*'": (many_tags(root, args.tags), ["--tags-matching", ".*"]),
            f"one {args.line_mb} MB line, cap raised": (
                long_line(root, args.line_mb),
                ["--tag", "1.0", "--max-blob-bytes", str((args.line_mb + 10) * 1024 * 1024), "--jobs", "1"],
            ),
        }
        print("| case | wall | peak RSS | exit |\n|---|---:|---:|---:|")
        for name, (repo, options) in cases.items():
            cache = root / f"cache-{len(os.listdir(root))}"
            command = [args.loccount, "count", str(repo), *options, "--cache-dir", str(cache), "--csv", os.devnull]
            seconds, mib, status = peak(command)
            print(f"| {name} | {seconds:.1f} s | {mib:,.0f} MiB | {status} |", flush=True)


if __name__ == "__main__":
    main()
