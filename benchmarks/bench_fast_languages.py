"""Which languages the fast path may run for: every file of a tree, fast against plain, per language.

``fastcount.FAST_LANGUAGES`` lists the languages whose lexers the fast path (first-character
dispatch and line counting in the lexer loop) was checked on; any other language is counted by
pygount's own ``from_file``. This checks a language: for each ``REPO:TAG``, every file whose
name a selected language claims is counted twice in this process, by the fast path with the
list lifted (every language pygount's lexer choice allows) and by pygount's and Pygments' own
code (``--plain``), and the state, language and four counts must be equal. It prints, per
language, the files, how many differ, and the seconds each way, so a language can join the
list once its files agree on real trees.

    python benchmarks/bench_fast_languages.py /path/to/gson:gson-parent-2.13.2 --languages all
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict

from loccount.counting.count import count_blob
from loccount.counting.fast import fastcount
from loccount.counting.fast.fastlex import dispatching
from loccount.gitio.entries import EntryKind
from loccount.gitio.mirror import open_local
from loccount.gitio.tree import list_tree, read_blob
from loccount.languages.lexers import known, resolve
from loccount.languages.others import may_select
from loccount.languages.selection import parse_selection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", metavar="REPO:TAG")
    parser.add_argument("--languages", default="all", help="which files to check (default: %(default)s)")
    parser.add_argument("--max-bytes", type=int, default=2_000_000, help="skip larger files (default: %(default)s)")
    args = parser.parse_args()
    selection = parse_selection([args.languages], resolve)
    fastcount.FAST_LANGUAGES = frozenset(known())  # lifted: every language the fast path accepts
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])  # files, differ, fast s, plain s
    differences = []
    with tempfile.TemporaryDirectory(prefix="loccount-fast-languages-") as scratch:
        for tree in args.trees:
            path, _, tag = tree.rpartition(":")
            repo = open_local(path)
            seen = set()
            for entry in list_tree(repo, tag):
                if entry.kind != EntryKind.FILE or not may_select(entry.name, selection):
                    continue
                if (entry.sha, entry.name) in seen or not 0 < entry.size <= args.max_bytes:
                    continue
                seen.add((entry.sha, entry.name))
                data = read_blob(repo, entry.sha)
                started = time.perf_counter()
                with dispatching(True):
                    fast = count_blob(entry.name, data, scratch, fast=True)
                middle = time.perf_counter()
                with dispatching(False):
                    plain = count_blob(entry.name, data, scratch, fast=False)
                ended = time.perf_counter()
                row = rows[plain.language]
                row[0] += 1
                row[2] += middle - started
                row[3] += ended - middle
                same = (fast.state, fast.language, fast.values) == (plain.state, plain.language, plain.values)
                if not same:
                    row[1] += 1
                    differences.append(f"{tree} {entry.path}: fast {fast} plain {plain}")
    print("| language | distinct files | differ | fast s | plain s | plain/fast |\n|---|---:|---:|---:|---:|---:|")
    for language, (files, differ, fast_s, plain_s) in sorted(rows.items(), key=lambda item: -item[1][3]):
        ratio = plain_s / fast_s if fast_s else 0
        print(f"| {language} | {int(files):,} | {int(differ)} | {fast_s:.2f} | {plain_s:.2f} | {ratio:.2f} |")
    for line in differences[:20]:
        print(line)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
