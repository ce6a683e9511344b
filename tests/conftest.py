"""Shared fixtures: small git repositories built on the fly, offline."""

from __future__ import annotations

from collections.abc import Callable
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
