"""The fast path counts every file exactly as pygount's own code does, and steps aside otherwise."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import ClassVar

import pygount.analysis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygments.filters import KeywordCaseFilter
from pygments.lexer import ExtendedRegexLexer, RegexLexer, bygroups, include, using
from pygments.lexers import BashLexer, CLexer, IniLexer, PythonLexer, RstLexer, _fn_matches, _iter_lexerclasses
from pygments.token import Comment, Keyword, Name, Punctuation, String, Text
from pygount import SourceAnalysis
from pygount.analysis import _line_parts, has_lexer, is_plain_text

from loccount.counting.count import count_blob
from loccount.counting.fast import fastcount, fastlex, fastlines
from loccount.counting.fast.fastlex import dispatching
from loccount.counting.fast.verified import unverified
from loccount.counting.filecount import FileCount
from tests.pygount_cli import pygount_file
from tests.python_text import LINES, SOURCES, TRICKY


def pygount_line_counts(lexer, text: str, is_markup: bool = False) -> tuple[int, int, int, int]:
    """What SourceAnalysis.from_file makes of _line_parts, with Pygments' own loop."""
    counts = {"c": 0, "d": 0, "e": 0, "s": 0}
    with dispatching(False):
        for parts in _line_parts(lexer, text, is_markup=is_markup):
            mark = "e"
            for candidate in ("d", "s", "c"):
                if candidate in parts:
                    mark = candidate
            counts[mark] += 1
    return counts["c"], counts["d"], counts["e"], counts["s"]


def test_installed_libraries_are_the_verified_ones() -> None:
    """Fails on any pygount or Pygments whose mirrored code changed: review, then update the digests."""
    assert unverified(fastlines.VERIFIED) == []
    assert unverified(fastcount.VERIFIED) == []
    assert fastcount.method() == fastcount.FAST
    assert fastcount.method(fast=False) == fastcount.PYGOUNT


@pytest.mark.parametrize("text", TRICKY + LINES)
@pytest.mark.parametrize("is_markup", [False, True])
def test_python_line_counts_equal_pygount(text: str, is_markup: bool) -> None:
    lexer = PythonLexer()
    assert fastlines.line_counts(lexer, text, is_markup) == pygount_line_counts(lexer, text, is_markup)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCES)
def test_python_line_counts_equal_pygount_on_generated_text(text: str) -> None:
    lexer = PythonLexer()
    assert fastlines.line_counts(lexer, text) == pygount_line_counts(lexer, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([BashLexer, IniLexer, RstLexer]), SOURCES, st.booleans())
def test_other_lexers_line_counts_equal_pygount(lexer_class: type[RegexLexer], text: str, is_markup: bool) -> None:
    lexer = lexer_class()
    assert fastlines.line_counts(lexer, text, is_markup) == pygount_line_counts(lexer, text, is_markup)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WHITE_SPACE_CHARACTERS", " \f\n\r"),  # a tab no longer leaves a string after a colon a comment
        ("WHITE_SPACE_CHARACTERS", " \f\n\r\t\v:"),
        ("white_characters", lambda language_id: ""),  # a colon alone is code
        ("white_code_words", lambda language_id: {"x", "pass", ""}),
    ],
)
def test_line_counts_follow_pygounts_white_space_and_words(monkeypatch, name: str, value) -> None:
    """The short cuts take pygount's definitions as they are at the time, not as they were."""
    monkeypatch.setattr(pygount.analysis, name, value)
    lexer = PythonLexer()
    for text in [*LINES, "if x:\t'doc'\n\v\nx\n", "a = {\n  1:\t\v'b',\n}\n"]:
        assert fastlines.line_counts(lexer, text) == pygount_line_counts(lexer, text), text


class GroupsLexer(RegexLexer):
    """bygroups with None and with a nested lexer, a preprocessor comment, an undispatchable state."""

    name = "Groups"
    tokens: ClassVar[dict] = {
        "root": [
            (r"(#)(define)( )(\w+)", bygroups(Comment.Preproc, Keyword, None, Name)),
            (r"(<)(.*?)(>)", bygroups(Punctuation, using(PythonLexer), Punctuation)),
            (r"(\w+)(:)(\n?)", bygroups(Name.Label, Punctuation, Text)),
            (r"'", String, "quoted"),
            (r"\s+", Text),
            (r"[^\s'<#]+", Name),
        ],
        "quoted": [
            (r"([\"'])\1", String.Escape),  # a backreference: this state runs the rule loop
            (r"'", String, "#pop"),
            (r"[^']+", String),
        ],
    }


@pytest.mark.parametrize(
    "text",
    ["#define X\n<x = 1> y:\nz:\n'a\n''\nb' c\n", "'never closed\n\n", "<'''\n'''> q: 'r'\n", "a: 'b'\n:\n'c'"],
)
def test_groups_callbacks_and_rule_loop_states_equal_pygount(text: str) -> None:
    lexer = GroupsLexer()
    assert fastlines.line_counts(lexer, text) == pygount_line_counts(lexer, text)


class Extended(ExtendedRegexLexer):
    tokens: ClassVar[dict] = {"root": [include("words")], "words": [(r"\w+", Name), (r"\s+", Text)]}


def test_lexers_with_their_own_loop_or_filters_are_left_to_pygount() -> None:
    assert fastlines.line_counts(Extended(), "a b\n") is None
    assert fastlines.line_counts(CLexer(), "int x;\n") is None  # it post-processes Pygments' tokens
    filtered = PythonLexer()
    filtered.add_filter(KeywordCaseFilter())
    assert fastlines.line_counts(filtered, "x = 1\n") is None
    assert fastlines.line_counts(PythonLexer(), "x = 1\n") == (1, 0, 0, 0)


def claimants_one_by_one(name: str) -> set[type]:
    """Lexer classes claiming ``name``, found as guess_lexer_for_filename finds them."""
    return {
        lexer
        for lexer in _iter_lexerclasses()
        for pattern in (*lexer.filenames, *lexer.alias_filenames)
        if _fn_matches(name, pattern)
    }


def pattern_names() -> list[str]:
    """A name for every lexer file name pattern (globs filled in), and some awkward ones."""
    names = {"manager.py", "x.PY", ".py", "py", "x.py.bak", "a*b.py", "[x].py", "x?.c", "Makefile", "Makefile.am"}
    for lexer in _iter_lexerclasses():
        for pattern in (*lexer.filenames, *lexer.alias_filenames):
            names.add(re.sub(r"\[!?([^\]])[^\]]*\]", r"\1", pattern).replace("*", "ab").replace("?", "z"))
    return sorted(names)


def expected_claimant(name: str) -> type | None:
    claimants = claimants_one_by_one(name)
    return claimants.pop() if len(claimants) == 1 and not is_plain_text(name) else None


def test_name_index_finds_what_pygments_and_pygount_find() -> None:
    for name in pattern_names():
        assert fastcount._only_claimant(name) == expected_claimant(name), name
        assert fastcount._has_lexer(name) == has_lexer(name), name


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcxyzPYh.-_*?[]!~ 0123456789", min_size=1, max_size=12))
def test_name_index_on_generated_names(name: str) -> None:
    assert fastcount._only_claimant(name) == expected_claimant(name)
    assert fastcount._has_lexer(name) == has_lexer(name)


def test_only_claimant_by_name() -> None:
    assert fastcount._only_claimant("manager.py") is PythonLexer
    assert fastcount._only_claimant("SConstruct") is PythonLexer
    assert fastcount._only_claimant("x.h") is None  # C, C++, Objective-C...: pygount guesses by content
    assert fastcount._only_claimant("README") is None  # pygount's plain text
    assert fastcount._only_claimant("x.no-such-language") is None


def on_disk(directory: Path, name: str, data: bytes) -> FileCount:
    """The file as the ``pygount`` command line counts it (its own command code, with its defaults)."""
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_bytes(data)
    return pygount_file(path)


NAMES = ["x.py", "x.pyw", "SConstruct", "x.c", "x.h", "x.rst", "x.md", "x.txt", "README", "x.xml", "x.ini", "x.zz"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("text", [TRICKY[5], LINES[2], LINES[6], "<?xml version='1.0'?>\n<a>b</a>\n"])
def test_files_of_any_name_count_as_pygount_counts_them(tmp_path, name: str, text: str) -> None:
    data = text.encode()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert count_blob(name, data, str(scratch)) == on_disk(tmp_path / "disk", name, data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(NAMES),
    data=st.one_of(SOURCES.map(str.encode), st.binary(max_size=200), st.sampled_from(LINES).map(str.encode)),
)
def test_any_file_matches_pygount(tmp_path, name: str, data: bytes) -> None:
    scratch = tmp_path / "fuzz"
    scratch.mkdir(exist_ok=True)
    assert count_blob(name, data, str(scratch)) == on_disk(tmp_path / "disk", name, data)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf",  # a BOM alone: decoded to nothing, counted as one empty line
        b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
        b"# coding: hex\nx = 1\n",  # not a text encoding: an error
        b"# vim: set fileencoding=utf-16 :\nx = 1\n",
        b"\xff\xfex\x00=\x001\x00\n\x00",  # UTF-16 with a BOM and zero bytes: text, not binary
        b"x = 1\r\n\r\n# c\r",
        b"# This file was generated automatically; DO NOT EDIT\n",
    ],
)
def test_encodings_and_states_match_pygount(tmp_path, data: bytes) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert count_blob("x.py", data, str(scratch)) == on_disk(tmp_path / "disk", "x.py", data)


def test_unverified_pygount_runs_pygounts_own_code(tmp_path, monkeypatch) -> None:
    calls: list[str] = []
    original = SourceAnalysis.from_file

    def spy(path, group, *args, **kwargs):
        calls.append(path)
        return original(path, group, *args, **kwargs)

    monkeypatch.setattr(SourceAnalysis, "from_file", staticmethod(spy))
    monkeypatch.setattr(fastcount, "VERIFIED", {"pygount.analysis": {"_line_parts": "0" * 64}})
    fastcount.verified.cache_clear()
    try:
        assert fastcount.method() == fastcount.PYGOUNT
        path = tmp_path / "x.py"
        path.write_text("x = 1\n")
        assert fastcount.analyze(str(path), "g").code_count == 1
        assert calls == [str(path)]
    finally:
        fastcount.verified.cache_clear()


def test_real_modules_count_as_pygount_counts_them(tmp_path) -> None:
    """A few real, varied Python modules of the installed libraries."""
    import pygments.lexers.python
    import pygount.common

    logging.getLogger("pygount").setLevel(logging.ERROR)
    for module in (pygount.common, re, fastlex):
        data = Path(module.__file__).read_bytes()
        scratch = tmp_path / "scratch"
        scratch.mkdir(exist_ok=True)
        assert count_blob("module.py", data, str(scratch)) == on_disk(tmp_path / "disk", "module.py", data)
    assert pygments.lexers.python.PythonLexer is PythonLexer


def test_prepared_tables_are_complete_and_count_the_same() -> None:
    lexer = PythonLexer()
    fastlines.prepare(lexer)
    states = fastlines._states(lexer)
    assert all(len(state.dispatch) >= 130 for state in states.values() if state.dispatch is not None)
    for text in LINES:
        assert fastlines.line_counts(lexer, text) == pygount_line_counts(lexer, text)
