"""What a release's ``.gitattributes`` say of its files: GitHub Linguist's vendored and generated marks.

git itself answers (``git check-attr``), against the release's own tree: the tree is read
into a scratch index (never the repository's), and ``check-attr --cached`` reads every
``.gitattributes`` in it, with git's own pattern rules. Nothing is checked out, and
attributes only name things: no filter or driver runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence

import git

from loccount.errors import RepositoryError
from loccount.gitio.entries import TreeEntry
from loccount.gitio.gitcommand import git_error
from loccount.gitio.tree import read_blob

#: The attributes that make a file vendored for GitHub Linguist, and loccount.
LINGUIST_ATTRIBUTES = ("linguist-vendored", "linguist-generated")
_SET = frozenset({"set", "true"})
_CLEARED = frozenset({"unset", "false"})
ATTRIBUTES_FILE = ".gitattributes"


def mentions_linguist(repo: git.Repo, entries: Iterable[TreeEntry]) -> bool:
    """Whether any ``.gitattributes`` of a tree names a Linguist attribute (else there is nothing to ask)."""
    wanted = b"linguist-"
    return any(entry.name == ATTRIBUTES_FILE and wanted in read_blob(repo, entry.sha) for entry in entries)


def linguist_marks(repo: git.Repo, commit: str, paths: Sequence[str]) -> dict[str, bool]:
    """Paths of ``commit`` that ``.gitattributes`` mark vendored or generated (True), or not vendored (False).

    A path with neither answer is absent. ``linguist-vendored=false`` takes a path out of a
    vendor directory, as on GitHub; ``linguist-generated=false`` says nothing of vendoring.
    """
    if not paths:
        return {}
    with tempfile.TemporaryDirectory(prefix="loccount-attributes-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        listing = os.path.join(scratch, "paths")
        with open(listing, "wb") as out:
            out.write(b"".join(os.fsencode(path) + b"\0" for path in paths))
        try:
            repo.git.read_tree("--end-of-options", commit, env=env)
            with open(listing, "rb") as paths_in:
                output = repo.git.check_attr(
                    "--cached", "-z", "--stdin", *LINGUIST_ATTRIBUTES, env=env, istream=paths_in, stdout_as_string=False
                )
        except git.GitCommandError as error:
            reason = git_error(error, repo=repo)
            raise RepositoryError(f"{repo.git_dir}: cannot read the attributes of {commit}: {reason}") from None
    return _parse(output)


def _parse(output: bytes) -> dict[str, bool]:
    """``check-attr -z`` output: path, attribute, value, NUL-separated, for each path and attribute."""
    fields = output.split(b"\0")
    values: dict[str, dict[str, str]] = {}
    for index in range(0, len(fields) - 2, 3):
        path, attribute = os.fsdecode(fields[index]), fields[index + 1].decode()
        values.setdefault(path, {})[attribute] = fields[index + 2].decode()
    marks: dict[str, bool] = {}
    for path, found in values.items():
        if any(value in _SET for value in found.values()):
            marks[path] = True
        elif found.get("linguist-vendored") in _CLEARED:
            marks[path] = False
    return marks
