"""Shared fixtures: small git repositories built on the fly, offline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loccount import runs
from loccount.counting.engine import Blob
from loccount.gitio.entries import EntryKind
from loccount.gitio.mirror import open_local
from loccount.gitio.tree import list_tree
from loccount.pipeline import python_entries
from tests.fixtures_data import RELEASE_1_1
from tests.gitrepo import RepoBuilder

#: The logger a config run records a project's unexpected error on: the module's own, wherever it lives.
RUNS_LOGGER = runs._log.name


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], RepoBuilder]:
    def build(name: str = "project") -> RepoBuilder:
        return RepoBuilder(tmp_path / name)

    return build


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(autouse=True)
def no_hidden_errors(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A run records one project's unexpected error as that project's failure and goes on; in
    tests, such an error fails the test unless it is marked ``unexpected_error``, so a bug can
    never hide behind a "failed:" line."""
    caplog.set_level(logging.DEBUG, logger=RUNS_LOGGER)
    yield
    if request.node.get_closest_marker("unexpected_error"):
        return
    hidden = [r for r in caplog.get_records("call") if r.name == RUNS_LOGGER and r.exc_info]
    assert not hidden, "an unexpected error was recorded as a project's failure:\n" + caplog.text


@pytest.fixture
def blobs(make_repo):
    builder = make_repo("engine")
    extra = {f"pkg/m{i}.py": f"x{i} = {i}\n" * (i + 1) for i in range(12)}
    commit = builder.release("1.0", {**RELEASE_1_1, **extra})
    repo = open_local(str(builder.path))
    entries = python_entries(list_tree(repo, commit))
    return {(e.sha, e.name): Blob(repo, e.size) for e in entries if e.kind == EntryKind.FILE}
