"""A git helper that dies mid-run (killed, out of memory) ends the run with one line naming the
repository and what git was doing, never a silent exit or a traceback."""

from __future__ import annotations

import os
import signal

import pytest

from loccount.counting import engine as engine_module
from loccount.errors import RepositoryError
from loccount.gitio.entries import EntryKind
from loccount.gitio.mirror import open_local
from loccount.gitio.tree import list_tree, read_blob
from tests.cli_helpers import invoke


@pytest.fixture
def repo_path(make_repo):
    builder = make_repo("helpers")
    builder.release("1.0", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    return builder.path


def kill_cat_file(repo) -> None:
    """Kill the repository's persistent ``git cat-file --batch``, as the OOM killer would."""
    process = repo.git.cat_file_all.proc
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_a_killed_cat_file_is_one_error_naming_the_repository(repo_path) -> None:
    repo = open_local(str(repo_path))
    first, second = (e for e in list_tree(repo, "1.0") if e.kind == EntryKind.FILE)
    assert read_blob(repo, first.sha) == b"x = 1\n"
    kill_cat_file(repo)
    with pytest.raises(RepositoryError, match=r"git cat-file --batch stopped while reading blob [0-9a-f]{40}"):
        read_blob(repo, second.sha)


def test_the_cli_says_so_in_one_line(repo_path, tmp_path, monkeypatch) -> None:
    real = engine_module.read_blob
    killed: list[bool] = []

    def read_after_a_kill(repo, sha):
        if not killed:
            real(repo, sha)  # start the helper, then kill it
            kill_cat_file(repo)
            killed.append(True)
        return real(repo, sha)

    monkeypatch.setattr(engine_module, "read_blob", read_after_a_kill)
    result = invoke("count", repo_path, "--tag", "1.0", "--cache-dir", tmp_path / "c", "--jobs", "1")
    assert result.exit_code == 1, result.output
    *progress, last = result.stderr.splitlines()
    assert progress == ["2 distinct blobs: 0 cached, 2 to count (0.0 MB)"]
    assert last.startswith(f"loccount: error: {repo_path}/.git: git cat-file --batch stopped while reading blob ")
    assert "Traceback" not in result.output


def test_a_mirror_removed_mid_run_is_said_to_be_gone_not_git_usage_text(repo_path, tmp_path) -> None:
    """`loccount cache clear --mirrors` beside a run: git diff, outside any repository, falls back
    to --no-index and printed a line of its usage text ("--output <file> ...") as the cause."""
    import shutil

    from loccount.gitio.mirror import open_repository
    from loccount.gitio.tree import find_renames, list_tree

    mirror = open_repository(f"file://{repo_path}", tmp_path / "mirrors")
    commit = mirror.git.rev_parse("1.0")
    shutil.rmtree(mirror.git_dir)
    for call in (lambda: find_renames(mirror, commit, commit, 50), lambda: list_tree(mirror, commit)):
        with pytest.raises(RepositoryError) as caught:
            call()
        assert str(caught.value).endswith(
            "the repository is gone (removed while loccount ran? `loccount cache clear --mirrors` removes mirrors)"
        ), str(caught.value)


def test_usage_text_is_never_taken_for_the_cause() -> None:
    import git

    from loccount.gitio.gitcommand import git_error

    error = git.GitCommandError(
        ["git", "diff"],
        129,
        stderr="usage: git diff --no-index [<options>] <path> <path>\n\n    --output <file>       output to a specific file\n",
    )
    assert git_error(error) == "git printed its usage text instead of an answer (is the repository still there?)"
