"""loccount's per-file numbers against the ``pygount`` command line, run on the same tree as a user would run it.

bench_tools.py compares loccount with pygount's Python API on each distinct blob; this compares it
with the ``pygount`` executable, so a difference in how the command line reads, walks or reports
files (its encoding defaults, its skip patterns, symlinks) shows up too.

For each ``REPO:TAG``:

* ``git archive --format=tar TAG -- '*.py'`` (loccount counts the files whose name ends in
  ``.py``), extracted into a fresh scratch directory with tarfile's ``tar`` filter (no member
  lands outside it). ``core.autocrlf`` is turned off for the archive so that a user's global git
  configuration does not rewrite line ends; in-tree attributes (``export-subst``, ``eol``,
  ``export-ignore``) still apply, so each extracted file's git blob id is checked against
  loccount's ``sha`` and a file git archive altered or left out is marked as such;
* ``pygount --format=json --duplicates --folders-to-skip=[regex](?!) --names-to-skip=[regex](?!)``
  on that directory, every other option at its default (encoding ``automatic``, generated
  patterns, ...). ``--duplicates``: loccount counts every path, so a copy must not become
  ``duplicate`` (pygount checks duplicates after emptiness: without it, every empty
  ``__init__.py`` but the first is a ``duplicate``). ``(?!)`` is a regular expression that never
  matches: pygount by default skips folders ``.?*``, ``_svn``, ``__pycache__`` and names ``.*``,
  ``*~``, and loccount counts those paths too. pygount skips symlinks silently;
* ``loccount count REPO --tag TAG --by-file FILE.csv --cache-dir DIR``; its ``symlink`` and
  ``submodule`` rows are not files and are counted apart, and the CSV's formula neutralisation
  (a leading ``'`` before ``= + - @ TAB CR``) is undone before paths are compared.

Per relative path, the state and the four counts (code, documentation, empty, string; pygount's
JSON has no string count: it is ``sourceCount - codeCount``) must be equal; a file on one side
only is a difference too. It prints each tree's differences (``--show``), then a Markdown table,
and exits with status 1 if any file differs.

    python benchmarks/bench_pygount_cli.py /path/to/pytest:9.0.0 /path/to/requests:v2.34.2 \\
        --cache-dir /tmp/loccount-cache --json /tmp/pygount-cli.json
"""

from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ("code", "documentation", "empty", "string")
#: A pygount ``[regex]`` pattern that matches no name: an empty negative lookahead always fails.
MATCH_NOTHING = "[regex](?!)"
#: What loccount.outputs.neutralize prefixes with a quote (copied, so no loccount code runs here).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOT_FILES = ("symlink", "submodule")


@dataclass
class Side:
    """One tool's verdict on one path: state, the four counts and what it said about the state."""

    state: str
    code: int
    documentation: int
    empty: int
    string: int
    language: str | None = None
    state_info: str | None = None
    sha: str | None = None

    def key(self) -> tuple[str, int, int, int, int]:
        return (self.state, self.code, self.documentation, self.empty, self.string)


@dataclass
class Tree:
    """The comparison of one (repository, tag)."""

    repo: str
    tag: str
    files: int = 0
    differ: int = 0
    code_pygount: int = 0
    code_loccount: int = 0
    #: Per language (loccount's): files, code by the pygount command line, code by loccount.
    languages: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    errors_pygount: int = 0
    errors_loccount: int = 0
    links_in_archive: int = 0
    links_loccount: int = 0
    submodules_loccount: int = 0
    altered_by_archive: list[str] = field(default_factory=list)
    not_py_in_archive: int = 0
    differences: list[dict] = field(default_factory=list)


def restore(cell: str) -> str:
    """Undo loccount's formula neutralisation, exactly as loccount.outputs.restore does."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "".join(FORMULA_STARTS) + "'":
        return cell[1:]
    return cell


def printable(path: str) -> str:
    """A path as loccount's CSV writes it: undecodable bytes (surrogate escapes) as ``\\xNN``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def blob_id(path: Path) -> str:
    """The git blob id of a file's bytes, to tell whether git archive wrote the blob unchanged."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def extract(repo: str, tag: str, target: Path, whole: bool = False) -> tuple[int, int]:
    """The tag's ``*.py`` files (every file with ``whole``) extracted under ``target``: (links in the
    archive, non-.py files removed)."""
    command = ["git", "-c", "core.autocrlf=false", "-C", repo, "archive", "--format=tar", tag]
    if not whole:
        command += ["--", "*.py"]
    done = subprocess.run(command, capture_output=True)
    if done.returncode:
        raise SystemExit(f"git archive {repo} {tag} failed: {done.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        members = archive.getmembers()
        links = sum(member.issym() or member.islnk() for member in members)
        # Links are not files to either side (pygount skips them, loccount lists them apart), and
        # one pointing outside the tree would stop the "tar" filter: they are counted, not written.
        archive.extractall(target, [m for m in members if not (m.issym() or m.islnk())], filter="tar")
    not_py = 0
    for folder, _dirs, names in os.walk(target):
        for name in names:
            path = os.path.join(folder, name)
            if not whole and not name.endswith(".py"):  # a pathspec match loccount would not count
                os.remove(path)
                not_py += 1
    return links, not_py


def run_pygount(pygount: str, tree: Path, out: Path) -> dict[str, Side]:
    """The pygount command's verdict per path relative to ``tree``."""
    if glob.escape(str(tree)) != str(tree):
        raise SystemExit(f"pygount globs its arguments: the scratch path {tree} must not contain * ? [")
    command = [
        pygount,
        "--format=json",
        "--duplicates",
        f"--folders-to-skip={MATCH_NOTHING}",
        f"--names-to-skip={MATCH_NOTHING}",
        f"--out={out}",
        str(tree),
    ]
    done = subprocess.run(command, capture_output=True)
    if done.returncode:
        raise SystemExit(f"pygount failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    prefix = str(tree) + os.sep
    result = {}
    for entry in json.loads(out.read_text(encoding="utf-8"))["files"]:
        path = entry["path"]
        if not path.startswith(prefix):
            raise SystemExit(f"pygount reported {path!r}, outside {tree}")
        code = entry["codeCount"]
        info = entry["stateInfo"]
        result[printable(path[len(prefix) :])] = Side(
            state=entry["state"],
            code=code,
            documentation=entry["documentationCount"],
            empty=entry["emptyCount"],
            string=entry["sourceCount"] - code,
            language=entry["language"],
            state_info=None if info is None else str(info),
        )
    return result


def run_loccount(
    loccount: str, repo: str, tag: str, cache: Path, by_file: Path, languages: str | None = None
) -> tuple[dict[str, Side], int, int]:
    """loccount's verdict per path, and its (symlink, submodule) rows, which are not files.

    A file with in-file tests has two rows (its lines outside them, and theirs): they are
    added up, so the file is compared whole with pygount's verdict.
    """
    command = [loccount, "count", repo, "--tag", tag, "--by-file", str(by_file), "--cache-dir", str(cache)]
    if languages:
        command += ["--languages", languages]
    done = subprocess.run(command, capture_output=True)
    if done.returncode:
        raise SystemExit(f"loccount failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    result = {}
    skipped = dict.fromkeys(NOT_FILES, 0)
    with by_file.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["kind"] in NOT_FILES:
                skipped[row["kind"]] += 1
                continue
            path = restore(row["path"])
            if path in result:
                if row.get("part") not in ("outside-tests", "inline-tests"):
                    raise SystemExit(f"loccount listed {path!r} twice at {tag}")
                first = result[path]
                for kind in KINDS:
                    setattr(first, kind, getattr(first, kind) + int(row[kind]))
                continue
            result[path] = Side(
                state=restore(row["state"]),
                **{kind: int(row[kind]) for kind in KINDS},
                language=restore(row["language"]),
                state_info=restore(row["state_info"]) or None,
                sha=row["sha"],
            )
    return result, skipped["symlink"], skipped["submodule"]


def compare(repo: str, tag: str, args: argparse.Namespace, scratch: Path) -> Tree:
    """One tree: archive, pygount, loccount, then path by path."""
    work = Path(tempfile.mkdtemp(prefix="tree-", dir=scratch))
    tree = work / "tree"  # pygount's JSON and loccount's CSV live beside it, not in it
    result = Tree(repo=repo, tag=tag)
    try:
        result.links_in_archive, result.not_py_in_archive = extract(repo, tag, tree, whole=bool(args.languages))
        pygount = run_pygount(args.pygount, tree, work / "pygount.json")
        loccount, result.links_loccount, result.submodules_loccount = run_loccount(
            args.loccount, repo, tag, args.cache_dir, work / "by-file.csv", args.languages
        )
        if args.languages:  # pygount saw every file: keep those of the languages loccount counted
            counted = {side.language for side in loccount.values()}
            pygount = {path: side for path, side in pygount.items() if path in loccount or side.language in counted}
        extracted = {  # as loccount's CSV spells the path: its blob id, from the file on disk
            printable(os.path.relpath(os.path.join(folder, name), tree)): blob_id(Path(folder, name))
            for folder, _, names in os.walk(tree)
            for name in names
            if not os.path.islink(os.path.join(folder, name))
        }
    finally:
        shutil.rmtree(work)  # one tree on disk at a time
    for path in sorted(pygount.keys() | loccount.keys()):
        ours, theirs = loccount.get(path), pygount.get(path)
        result.files += 1
        language = (ours.language if ours else None) or (theirs.language if theirs else "") or ""
        files, code_pygount, code_loccount = result.languages.get(language, (0, 0, 0))
        result.languages[language] = (
            files + 1,
            code_pygount + (theirs.code if theirs else 0),
            code_loccount + (ours.code if ours else 0),
        )
        result.code_pygount += theirs.code if theirs else 0
        result.code_loccount += ours.code if ours else 0
        result.errors_pygount += bool(theirs and theirs.state == "error")
        result.errors_loccount += bool(ours and ours.state == "error")
        altered = bool(ours and path in extracted and ours.sha != extracted[path])
        if altered:
            result.altered_by_archive.append(path)
        if ours and theirs and ours.key() == theirs.key():
            continue
        result.differ += 1
        note = []
        if altered:
            note.append("git archive altered the blob (gitattributes)")
        if ours and not theirs:
            note.append("extracted, but pygount did not list it" if path in extracted else "not in the archive")
        if theirs and not ours:
            note.append("in the archive, but not in loccount's by-file CSV")
        result.differences.append(
            {
                "path": path,
                "pygount": asdict(theirs) if theirs else None,
                "loccount": asdict(ours) if ours else None,
                "note": "; ".join(note) or None,
            }
        )
    return result


def side_text(side: dict | None) -> str:
    if side is None:
        return "absent"
    counts = "/".join(str(side[kind]) for kind in KINDS)
    return f"{side['state']} {counts} ({side['language']})"


def print_tree(tree: Tree, show: int) -> None:
    print(
        f"\n{tree.repo} {tree.tag}: {tree.files} files, {tree.differ} differ; code: pygount CLI "
        f"{tree.code_pygount:,}, loccount {tree.code_loccount:,}"
    )
    print(
        f"  not files, skipped: {tree.links_in_archive} symlinks in the archive (pygount skips them silently), "
        f"{tree.links_loccount} symlink and {tree.submodules_loccount} submodule rows in loccount's by-file CSV"
    )
    if tree.altered_by_archive or tree.not_py_in_archive:
        altered = ", ".join(tree.altered_by_archive[:show]) + (", ..." if len(tree.altered_by_archive) > show else "")
        print(
            f"  git archive: {len(tree.altered_by_archive)} files differ from their blob ({altered}), "
            f"{tree.not_py_in_archive} non-.py files removed"
        )
    for difference in tree.differences[:show]:
        print(f"  {difference['path']}")
        print(f"    pygount CLI: {side_text(difference['pygount'])}")
        info = difference["loccount"] and difference["loccount"]["state_info"]
        print(f"    loccount:    {side_text(difference['loccount'])}" + (f"; state_info: {info}" if info else ""))
        if difference["pygount"] and difference["pygount"]["state_info"]:
            print(f"    pygount state_info: {difference['pygount']['state_info']}")
        if difference["note"]:
            print(f"    note: {difference['note']}")
    if len(tree.differences) > show:
        print(f"  ... and {len(tree.differences) - show} more")


def markdown(trees: list[Tree]) -> str:
    lines = [
        "| repository | tag | files | differ | code (pygount CLI) | code (loccount) | error files (pygount CLI) "
        "| error files (loccount) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in trees:
        lines.append(
            f"| {t.repo} | {t.tag} | {t.files:,} | {t.differ:,} | {t.code_pygount:,} | {t.code_loccount:,} "
            f"| {t.errors_pygount:,} | {t.errors_loccount:,} |"
        )
    return "\n".join(lines)


def repo_and_tag(text: str) -> tuple[str, str]:
    """``REPO:TAG``, split at the last colon (a git tag cannot contain one; a path can)."""
    repo, colon, tag = text.rpartition(":")
    if not colon or not repo or not tag:
        raise argparse.ArgumentTypeError(f"{text!r} is not REPO:TAG")
    return repo, tag


def main() -> None:
    beside = Path(sys.executable).parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "trees",
        nargs="+",
        type=repo_and_tag,
        metavar="REPO:TAG",
        help="a local clone or bare mirror, and a tag or commit",
    )
    parser.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="loccount's cache (default: a scratch one, removed after)"
    )
    parser.add_argument("--loccount", default=str(beside / "loccount"), metavar="PATH", help="default: %(default)s")
    parser.add_argument("--pygount", default=str(beside / "pygount"), metavar="PATH", help="default: %(default)s")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every tree's figures and differences here")
    parser.add_argument("--show", type=int, default=10, metavar="N", help="differences to print per tree")
    parser.add_argument(
        "--languages",
        metavar="WORDS",
        help="compare every file of these languages (loccount count --languages WORDS, e.g. all): the whole "
        "tree is archived and given to pygount, and its files of the languages loccount counted are compared",
    )
    args = parser.parse_args()
    version = subprocess.run([args.pygount, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    print(f"{version}; loccount {args.loccount}")
    trees = []
    with tempfile.TemporaryDirectory(prefix="loccount-pygount-cli-") as tmp:
        scratch = Path(tmp)
        if args.cache_dir is None:
            args.cache_dir = scratch / "cache"
        for repo, tag in args.trees:
            tree = compare(repo, tag, args, scratch)
            print_tree(tree, args.show)
            trees.append(tree)
    print("\n" + markdown(trees))
    if args.languages:
        print(
            "\n| repository | tag | language | files | code (pygount CLI) | code (loccount) |\n"
            "|---|---|---|---:|---:|---:|"
        )
        for t in trees:
            ranked = sorted(t.languages.items(), key=lambda item: -item[1][1])
            for language, (files, theirs, ours) in ranked:
                print(f"| {t.repo} | {t.tag} | {language} | {files:,} | {theirs:,} | {ours:,} |")
    if args.json:
        args.json.write_text(json.dumps({"pygount": version, "trees": [asdict(t) for t in trees]}, indent=2) + "\n")
    sys.exit(1 if any(t.differ for t in trees) else 0)


if __name__ == "__main__":
    main()
