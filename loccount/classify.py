"""Decide whether a file is test code, product code or vendored, from its path and language.

A pure function of the path, the file's language, what the release's ``.gitattributes`` say
of it and a rule, so the rule can be recorded next to every figure it produced. The
per-language conventions are data (``conventions.yaml``); patterns are gitignore patterns,
matched with pathspec. Test code found inside a file (Rust's ``#[cfg(test)]`` items) is the
counting stage's work: the rule only names the content rule that finds it.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from functools import cache, cached_property
from importlib.resources import files
from typing import Any, Final

import pathspec
import yaml
from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """Test, non-test or vendored: the ``category`` column of every table."""

    TEST = "test"
    NON_TEST = "non-test"
    #: Code a project carries but did not write: vendor directories and what ``.gitattributes``
    #: marks ``linguist-vendored`` or ``linguist-generated``. Shown apart, never dropped.
    VENDORED = "vendored"


TEST: Final = Category.TEST
NON_TEST: Final = Category.NON_TEST
VENDORED: Final = Category.VENDORED
#: The categories of a project's own code: test share is test over these.
OWN: Final = (NON_TEST, TEST)


class ContentRule(StrEnum):
    """A rule that finds test code inside a file, so one file adds to both categories."""

    #: Rust items under ``#[cfg(test)]`` (usually ``mod tests { ... }``) and ``#[test]`` functions.
    RUST_CFG_TEST = "rust-cfg-test"


class LanguageConventions(BaseModel):
    """One language's own test conventions: path patterns, and a rule for tests inside files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tests: tuple[str, ...] = ()
    content: ContentRule | None = None


@cache
def _defaults() -> dict[str, Any]:
    text = files("loccount").joinpath("conventions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def default_conventions() -> dict[str, LanguageConventions]:
    """The shipped conventions of every language, from ``conventions.yaml``."""
    return {name: LanguageConventions(**facts) for name, facts in _defaults().get("languages", {}).items()}


def default_vendored() -> tuple[str, ...]:
    return tuple(_defaults().get("vendored", ()))


def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


class TestRule(BaseModel):
    """Which paths hold test code, and which vendored code.

    Every language shares the name rules: a path is test code if any directory in it is
    named in ``dirs`` or ends with one of ``dir_suffixes``, or if its file name is in
    ``files``, starts with one of ``file_prefixes`` or ends with one of ``file_suffixes``.
    ``languages`` adds each language's own patterns, and may name a content rule.
    ``test_globs``, ``non_test_globs`` and ``vendored`` are gitignore patterns on the
    repository path; a ``vendored`` match (or a ``linguist-vendored`` / ``linguist-generated``
    attribute, with ``vendored_attributes``) wins over everything, then ``non_test_globs``,
    then ``test_globs``, then the name and language rules. Matching is case-sensitive, like
    git paths.
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
    languages: dict[str, LanguageConventions] = Field(default_factory=default_conventions)
    vendored: tuple[str, ...] = Field(default_factory=default_vendored)
    vendored_attributes: bool = True

    @cached_property
    def _dir_set(self) -> frozenset[str]:
        return frozenset(self.dirs)

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def _specs(self) -> tuple[pathspec.PathSpec | None, pathspec.PathSpec | None, pathspec.PathSpec | None]:
        return _spec(self.vendored), _spec(self.non_test_globs), _spec(self.test_globs)

    @cached_property
    def _language_specs(self) -> dict[str, pathspec.PathSpec | None]:
        return {name: _spec(conventions.tests) for name, conventions in self.languages.items()}

    @cached_property
    def rule_id(self) -> str:
        """``default`` for the documented rule, else ``custom-<hash>`` of its settings."""
        if self == DEFAULT_RULE:
            return "default"
        digest = hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
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
        for name, conventions in sorted(self.languages.items()):
            rules = [*conventions.tests, *([f"content:{conventions.content}"] if conventions.content else [])]
            if rules:
                parts.append(f"{name}={'|'.join(rules)}")
        attributes = "linguist-vendored|linguist-generated" if self.vendored_attributes else "no attributes"
        parts.append(f"vendored={'|'.join(self.vendored)} + {attributes}")
        return f"{self.rule_id}: " + "; ".join(parts)

    def content_rule(self, language: str) -> ContentRule | None:
        """The rule that finds test code inside files of ``language``, if it has one."""
        conventions = self.languages.get(language)
        return conventions.content if conventions else None

    def category(self, path: str, language: str | None = None, *, attributed: bool | None = None) -> Category:
        """``test``, ``non-test`` or ``vendored`` for a repository-relative, ``/``-separated path.

        ``language`` is the language pygount gives the file (its own patterns then apply).
        ``attributed`` is what the release's ``.gitattributes`` say: True for
        ``linguist-vendored`` or ``linguist-generated``, False for ``linguist-vendored=false``
        (which takes a file out of a vendor directory, as on GitHub), None for neither.
        """
        vendored, non_test, test = self._specs
        if self.vendored_attributes and attributed is not None:
            if attributed:
                return VENDORED
        elif vendored is not None and vendored.match_file(path):
            return VENDORED
        if non_test is not None and non_test.match_file(path):
            return NON_TEST
        if test is not None and test.match_file(path):
            return TEST
        *dirs, name = path.split("/")
        if name in self._file_set or name.startswith(self.file_prefixes) or name.endswith(self.file_suffixes):
            return TEST
        for directory in dirs:
            if directory in self._dir_set or directory.endswith(self.dir_suffixes):
                return TEST
        own = self._language_specs.get(language) if language is not None else None
        if own is not None and own.match_file(path):
            return TEST
        return NON_TEST


DEFAULT_RULE = TestRule()


def category(path: str, rule: TestRule = DEFAULT_RULE, language: str | None = None) -> Category:
    """``test``, ``non-test`` or ``vendored`` for ``path`` under ``rule`` (the documented default if omitted)."""
    return rule.category(path, language)
