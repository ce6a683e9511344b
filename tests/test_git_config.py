"""A repository's own git configuration never makes loccount run a program.

Each setting git documents as running a program is pointed at a script that leaves a marker
file; every command loccount offers on a local repository (count at tags, at a commit, by
dated snapshots, the tip, and diff) must leave none.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.cli_helpers import invoke
from tests.gitrepo import RepoBuilder, git

#: Settings that can run a program, and the value that makes them run the marker script.
PROGRAM_SETTINGS = [
    ("gpg.program", "{evil}"),
    ("gpg.openpgp.program", "{evil}"),
    ("gpg.x509.program", "{evil}"),
    ("gpg.ssh.program", "{evil}"),
    ("diff.external", "{evil}"),
    ("diff.python.textconv", "{evil}"),
    ("core.pager", "{evil}"),
    ("pager.log", "{evil}"),
    ("core.fsmonitor", "{evil}"),
    ("core.hooksPath", "{hooks}"),
    ("core.alternateRefsCommand", "{evil}"),
]


def signed_commit(repo: Path) -> str:
    """A commit at the tip carrying a ``gpgsig`` header (no key needed: git only has to try to verify it)."""
    tree = git(repo, "write-tree")
    parent = git(repo, "rev-parse", "HEAD")
    text = (
        f"tree {tree}\nparent {parent}\nauthor T <t@e.invalid> 1600000000 +0000\n"
        "committer T <t@e.invalid> 1600000000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=text.encode())
    git(repo, "update-ref", "refs/heads/main", sha)
    git(repo, "tag", "v3.0")
    return sha


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path, str]:
    """A work-tree repository whose own config points every program setting at a marker script."""
    root = tmp_path_factory.mktemp("hostile")
    markers = root / "markers"
    markers.mkdir()
    evil = root / "evil.sh"
    evil.write_text(f'#!/bin/sh\ntouch "{markers}/ran-$$"\ncat >/dev/null 2>&1\nexit 0\n')
    evil.chmod(evil.stat().st_mode | stat.S_IXUSR)
    hooks = root / "hooks"
    hooks.mkdir()
    for hook in ("reference-transaction", "post-checkout", "pre-auto-gc", "post-index-change"):
        (hooks / hook).symlink_to(evil)
    builder = RepoBuilder(root / "r")
    builder.release("v1.0", {"pkg/a.py": "x = 1\n", "pkg/b.py": "y = 2\n" * 20})
    builder.release("v2.0", {"pkg/a.py": "x = 1\nz = 3\n", "pkg/moved/b.py": "y = 2\n" * 20})
    (builder.path / ".gitattributes").write_text("*.py diff=python\n")
    git(builder.path, "add", ".gitattributes")
    git(builder.path, "commit", "-qm", "attributes", date="2020-02-01T12:00:00+00:00")
    sha = signed_commit(builder.path)
    git(builder.path, "config", "log.showSignature", "true")
    for key, value in PROGRAM_SETTINGS:
        git(builder.path, "config", key, value.format(evil=evil, hooks=hooks))
    return builder.path, markers, sha


@pytest.mark.parametrize(
    "args",
    [
        [],  # the tip of the default branch
        ["--tag", "v1.0", "--tag", "v3.0"],
        ["--tag", "{sha}"],
        ["--tags-matching", r"v\d\.0"],
        ["--every", "month", "--since", "2020-01-01", "--until", "2020-12-31"],
    ],
    ids=["tip", "tags", "commit", "pattern", "snapshots"],
)
def test_count_runs_no_program_the_repository_names(hostile, tmp_path, args: list[str]) -> None:
    repo, markers, sha = hostile
    result = invoke("count", repo, *(a.format(sha=sha) for a in args), "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert os.listdir(markers) == []


def test_diff_runs_no_program_the_repository_names(hostile, tmp_path) -> None:
    repo, markers, sha = hostile
    for old, new in (("v1.0", "v2.0"), ("v1.0", sha)):
        result = invoke("diff", repo, old, new, "--cache-dir", tmp_path / "c")
        assert result.exit_code == 0, result.output
    assert "1 moved" in result.stdout  # git's rename detection ran, with no diff driver of the repository's
    assert os.listdir(markers) == []


def test_the_marker_script_does_run_when_git_is_left_to_the_repository(hostile) -> None:
    """The trap is real: plain git with the repository's config runs it."""
    repo, markers, _sha = hostile
    git(repo, "log", "-1")
    found = os.listdir(markers)
    for name in found:
        (markers / name).unlink()
    assert found
