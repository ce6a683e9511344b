"""Test code inside a file: which of pygount's own lines fall in its language's test items.

A content rule (Rust's ``#[cfg(test)]`` items and ``#[test]`` functions) names line ranges
of the text pygount's lexer saw; the file's lines are then marked by pygount's own
``_line_parts`` over the very same tokens, and each line goes to the test part if it is in a
range. The parts add up to pygount's counts for the file by construction, and this is
checked: a split that does not add up is not used (the whole file keeps its path category).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from loccount.classify import ContentRule
from loccount.counting.pygount_options import from_file_options
from loccount.languages import rust_tests

Counts = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Finder:
    """A content rule's implementation: the language it reads, its version and its range finder."""

    language: str
    method: str
    rows: Callable[[str], list[tuple[int, int]]]
    #: Bytes every test item of the language holds: a file without them has no test lines.
    marker: bytes


FINDERS: dict[ContentRule, Finder] = {
    ContentRule.RUST_CFG_TEST: Finder("Rust", rust_tests.METHOD, rust_tests.test_rows, b"test"),
}
#: The content rule of each language that has one, and the method its results are cached under.
BY_LANGUAGE: dict[str, tuple[ContentRule, Finder]] = {
    finder.language: (rule, finder) for rule, finder in FINDERS.items()
}
NO_TESTS: Counts = (0, 0, 0, 0)


class _Replay:
    """A lexer that gives back tokens already made, so pygount's marks are of exactly those tokens."""

    def __init__(self, name: str, tokens: list[tuple[Any, str]]) -> None:
        self.name = name
        self._tokens = tokens

    def get_tokens(self, text: str) -> Iterator[tuple[Any, str]]:
        return iter(self._tokens)


def _in_ranges(rows: list[tuple[int, int]]) -> Callable[[int], bool]:
    marked = {row for first, last in rows for row in range(first, last + 1)}
    return marked.__contains__


def split(path: str, data: bytes, language: str, whole: Counts) -> Counts | None:
    """The test part of an analysed file's counts (pygount's ``whole``), or None if it cannot be exact."""
    found = BY_LANGUAGE.get(language)
    if found is None:
        return None
    _rule, finder = found
    if finder.marker not in data:
        return NO_TESTS
    from pygount.analysis import _line_parts, encoding_for, guess_lexer, is_markup_file

    options = from_file_options()
    try:
        encoding = encoding_for(path, options["encoding"], options["fallback_encoding"])
        with open(path, encoding=encoding) as source:
            text = source.read()
        lexer = guess_lexer(path, text)
        if lexer is None or lexer.name != language:
            return None
        tokens = list(lexer.get_tokens(text))
        seen = "".join(value for _type, value in tokens)
        is_test = _in_ranges(finder.rows(seen))
        parts = {True: [0, 0, 0, 0], False: [0, 0, 0, 0]}
        for row, marks in enumerate(_line_parts(_Replay(lexer.name, tokens), seen, is_markup=is_markup_file(path))):
            chosen = "e"  # pygount: the last of d, s, c a line holds decides, else empty
            for mark in ("d", "s", "c"):
                if mark in marks:
                    chosen = mark
            index = {"c": 0, "d": 1, "e": 2, "s": 3}[chosen]
            parts[is_test(row)][index] += 1
    except (OSError, LookupError, UnicodeError, ValueError, RecursionError) as error:
        logging.getLogger(__name__).info("%s: no in-file test split: %s", path, error)
        return None
    test = tuple(parts[True])
    total = tuple(a + b for a, b in zip(parts[True], parts[False], strict=True))
    if total != whole:
        return None
    return (test[0], test[1], test[2], test[3])
