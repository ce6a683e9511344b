"""Time the per-file changes of a config run on a warm count cache, and check them against the tidy table.

    python benchmarks/bench_changes.py repos.yaml --cache-dir CACHE [--output DIR]

Counts every configured project at every selected release (from the cache: run the config
once first), then times the changes between consecutive releases three ways: the library
call as a whole, git's rename detection alone (the same threads) and the pure per-file part
alone (with the renames given). It checks the invariant on every release pair and category
(the code and line deltas sum exactly to the tidy table's change) and, with ``--output``, on
the ``tidy.csv`` and ``changes.csv`` a run wrote there.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from loccount import RunOptions, changes, count_config, load_config
from loccount.gitio.entries import Rename
from loccount.gitio.tree import find_renames
from loccount.pipeline import LISTING_THREADS
from loccount.releases.order import consecutive
from loccount.report.outputs import CHANGES_CSV, TEXT_COLUMNS, TIDY_CSV, read_csv
from loccount.tables.changes import CHANGE_TEXT_COLUMNS, reconcile, release_changes
from loccount.tables.tidy import printable


def report_check(label: str, check) -> None:
    pairs = check[["project", "from_release", "to_release"]].drop_duplicates()
    bad = check[~check["ok"]]
    print(
        f"{label}: {len(pairs)} release pairs of {check['project'].nunique()} projects, "
        f"{len(check)} sums (pair x category x code/lines), {len(bad)} differ"
    )
    if len(bad):
        print(bad.to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--output", type=Path, help="Also check the tidy.csv and changes.csv written here.")
    args = parser.parse_args()

    options = RunOptions(cache_dir=args.cache_dir)
    started = time.perf_counter()
    analysis = count_config(load_config(args.config), options=options)
    counted = time.perf_counter() - started
    result = analysis.result
    assert result is not None, "nothing was counted"
    releases = [snapshot.release for snapshot in result.snapshots]
    pairs = consecutive(releases)

    started = time.perf_counter()
    found = changes(result)
    whole = time.perf_counter() - started

    def renames(pair) -> list[Rename]:
        old, new = pair
        found = find_renames(result.repos[old.project], old.commit, new.commit)
        return [Rename(printable(r.old_path), printable(r.new_path), r.similarity) for r in found]

    started = time.perf_counter()
    with ThreadPoolExecutor(LISTING_THREADS) as pool:
        moves = list(pool.map(renames, pairs))
    git_time = time.perf_counter() - started

    started = time.perf_counter()
    release_changes(result.files, pairs, moves)
    pure = time.perf_counter() - started

    print(f"{len(releases)} releases, {len(pairs)} consecutive pairs, {len(result.files):,} file rows")
    print(f"count (warm cache):                 {counted:7.2f} s")
    print(f"changes(result), all of it:         {whole:7.2f} s  ({len(found):,} changed paths)")
    print(f"  git rename detection, every pair: {git_time:7.2f} s  ({LISTING_THREADS} threads)")
    print(f"  per-file changes (pure pandas):   {pure:7.2f} s  (every pair at once, renames given)")
    print(f"renames git found: {sum(len(m) for m in moves):,}; moved rows: {(found['change'] == 'moved').sum():,}")
    report_check("invariant, in memory", reconcile(result.tidy, found))
    if args.output:
        tidy = read_csv(args.output / TIDY_CSV, TEXT_COLUMNS)
        written = read_csv(args.output / CHANGES_CSV, CHANGE_TEXT_COLUMNS)
        report_check(f"invariant, {args.output}", reconcile(tidy, written))


if __name__ == "__main__":
    main()
