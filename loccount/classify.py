"""Decide whether a file is test code from its path alone.

A pure function of the path and a rule, so results never depend on file contents and the
rule can be recorded next to every figure it produced.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from enum import StrEnum
from functools import cached_property
from typing import Final

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """Test or non-test: the ``category`` column of every table."""

    TEST = "test"
    NON_TEST = "non-test"


TEST: Final = Category.TEST
NON_TEST: Final = Category.NON_TEST


class TestRule(BaseModel):
    """Which paths hold test code.

    A path is test code if any directory in it is named in ``dirs`` or ends with one of
    ``dir_suffixes``, or if its file name is in ``files``, starts with one of
    ``file_prefixes`` or ends with one of ``file_suffixes``. ``test_globs`` and
    ``non_test_globs`` are shell patterns matched against the whole path (``*`` also
    matches ``/``); a ``non_test_globs`` match wins over everything, a ``test_globs``
    match over the name rules. Matching is case-sensitive, like git paths.
    """

    __test__ = False  # not a pytest test class, despite its name
    model_config = ConfigDict(extra="forbid", frozen=True)

    dirs: tuple[str, ...] = ("test", "tests", "testing", "fixture", "fixtures")
    dir_suffixes: tuple[str, ...] = ("tests", "_tempest_plugin")
    files: tuple[str, ...] = ("test.py", "tests.py", "conftest.py")
    file_prefixes: tuple[str, ...] = ("test_",)
    file_suffixes: tuple[str, ...] = ("_test.py", "_tests.py", "-test.py", "-tests.py")
    test_globs: tuple[str, ...] = Field(default=())
    non_test_globs: tuple[str, ...] = Field(default=())

    @cached_property
    def _dir_set(self) -> frozenset[str]:
        return frozenset(self.dirs)

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def rule_id(self) -> str:
        """``default`` for the documented rule, else ``custom-<hash>`` of its settings."""
        if self == DEFAULT_RULE:
            return "default"
        digest = hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()
        return f"custom-{digest[:8]}"

    def describe(self) -> str:
        """One line that says exactly what the rule matches, for provenance in outputs."""
        parts = [
            f"dirs={'|'.join(self.dirs)}",
            f"dir suffixes={'|'.join(self.dir_suffixes)}",
            f"files={'|'.join(self.files)}",
            f"file prefixes={'|'.join(self.file_prefixes)}",
            f"file suffixes={'|'.join(self.file_suffixes)}",
        ]
        if self.test_globs:
            parts.append(f"test globs={'|'.join(self.test_globs)}")
        if self.non_test_globs:
            parts.append(f"non-test globs={'|'.join(self.non_test_globs)}")
        return f"{self.rule_id}: " + "; ".join(parts)

    def category(self, path: str) -> Category:
        """``test`` or ``non-test`` for a repository-relative, ``/``-separated path."""
        if any(fnmatch.fnmatchcase(path, glob) for glob in self.non_test_globs):
            return NON_TEST
        if any(fnmatch.fnmatchcase(path, glob) for glob in self.test_globs):
            return TEST
        *dirs, name = path.split("/")
        if name in self._file_set or name.startswith(self.file_prefixes) or name.endswith(self.file_suffixes):
            return TEST
        for directory in dirs:
            if directory in self._dir_set or directory.endswith(self.dir_suffixes):
                return TEST
        return NON_TEST


DEFAULT_RULE = TestRule()


def category(path: str, rule: TestRule = DEFAULT_RULE) -> Category:
    """``test`` or ``non-test`` for ``path`` under ``rule`` (the documented default if omitted)."""
    return rule.category(path)
