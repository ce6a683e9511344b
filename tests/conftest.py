"""Shared fixtures: small git repositories built on the fly, offline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.gitrepo import RepoBuilder


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
    caplog.set_level(logging.DEBUG, logger="loccount.runs")
    yield
    if request.node.get_closest_marker("unexpected_error"):
        return
    hidden = [r for r in caplog.get_records("call") if r.name == "loccount.runs" and r.exc_info]
    assert not hidden, "an unexpected error was recorded as a project's failure:\n" + caplog.text
