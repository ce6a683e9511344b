"""Counting a blob gives exactly what pygount gives for the same file on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loccount.counting import count as count_module
from loccount.counting.count import count_batch, count_blob, fingerprint
from loccount.counting.fast import fastlex
from loccount.counting.filecount import FileCount
from tests.pygount_cli import pygount_file

# (name, content, state, code, documentation, empty, string), derived by hand:
CASES = [
    # comment / import / blank / assignment / three lines of a bare string
    ("mod.py", b'# A comment\nimport os\n\nx = 1\n"""\ntext\n"""\n', "analyzed", 2, 1, 1, 3),
    # a docstring right after a colon counts as documentation; a trailing comment does not
    ("test_mod.py", b'def test_it():\n    """Doc."""\n    assert True  # ok\n', "analyzed", 2, 1, 0, 0),
    # CRLF and CR-only line endings are read with universal newlines, as on disk
    ("crlf.py", b"x = 1\r\n# c\r\n\r\ny = 2\r\n", "analyzed", 2, 1, 1, 0),
    ("cr.py", b"x = 1\r# c\ry = 2\r", "analyzed", 2, 1, 0, 0),
    # an empty file is state 'empty', not "one empty line"
    ("__init__.py", b"", "empty", 0, 0, 0, 0),
    ("gen.py", b"# Code generated automatically, DO NOT EDIT\nx = 1\n", "generated", 0, 0, 0, 0),
    ("bin.py", b"ab\0cd\n", "binary", 0, 0, 0, 0),
    # invalid UTF-8 with no declaration falls back to cp1252 and is counted
    ("latin.py", b'x = "\xff\xfe"\n', "analyzed", 1, 0, 0, 0),
    # invalid UTF-8 where UTF-8 is declared, or an unknown declared encoding, is an error
    ("err.py", b'# coding: utf-8\nx = "\xff"\n', "error", 0, 0, 0, 0),
    ("lookup.py", b"# coding: bogus-enc\nx = 1\n", "error", 0, 0, 0, 0),
    ("bom.py", b"\xef\xbb\xbfx = 1\n", "analyzed", 1, 0, 0, 0),
    # valid UTF-8 holding each byte cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d): read
    # as UTF-8, as pygount's command line reads it (the API's default cp1252 fallback refused them)
    ("u81.py", 'x = "Ё"  # Cyrillic\n'.encode(), "analyzed", 1, 0, 0, 0),
    ("u8d.py", 'x = "퍼"\n'.encode(), "analyzed", 1, 0, 0, 0),
    ("u8f.py", "# 𣏀\nx = 1\n".encode(), "analyzed", 1, 1, 0, 0),
    ("u90.py", 'x = "𐀀"\n'.encode(), "analyzed", 1, 0, 0, 0),
    ("u9d.py", '"""❌ no."""\n'.encode(), "analyzed", 0, 1, 0, 0),
    # cp1252 declared in a coding comment: read as cp1252 (0x80 is the euro sign there)
    ("cp.py", b"# -*- coding: cp1252 -*-\nx = '\x80'\n", "analyzed", 1, 1, 0, 0),
    # neither UTF-8 nor declared: cp1252 is the last resort, and a byte it leaves undefined is an error
    ("latin_only.py", b"x = '\xe9t\xe9'\n", "analyzed", 1, 0, 0, 0),
    ("undeclared.py", b"x = '\xe9\x81'\n", "error", 0, 0, 0, 0),
    # pass alone on a line is white space to pygount
    ("passing.py", b"class A:\n    pass\n", "analyzed", 1, 0, 1, 0),
]


def on_disk(tmp_path: Path, name: str, data: bytes) -> FileCount:
    """The file as the ``pygount`` command line counts it (its own command code, with its defaults)."""
    folder = tmp_path / "disk"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return pygount_file(path)


@pytest.mark.parametrize(("name", "data", "state", "code", "doc", "empty", "string"), CASES)
def test_exact_counts(tmp_path, name, data, state, code, doc, empty, string) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    counted = count_blob(name, data, str(scratch))
    assert (counted.state, counted.code, counted.documentation, counted.empty, counted.string) == (
        state,
        code,
        doc,
        empty,
        string,
    )
    assert counted.lines == code + doc + empty + string
    assert counted == on_disk(tmp_path, name, data)
    assert list(scratch.iterdir()) == []


def test_batch_returns_keys_in_order_and_cleans_up() -> None:
    items = [(f"{i:040x}", name, data) for i, (name, data, *_rest) in enumerate(CASES)]
    results = count_batch(items)
    assert [(sha, name) for sha, name, _ in results] == [(sha, name) for sha, name, _ in items]
    assert [c.state for _, _, c in results] == [case[2] for case in CASES]


@pytest.mark.parametrize("changed", ["pygount", "pygments", "python"])
def test_fingerprint_changes_with_each_version(monkeypatch, changed: str) -> None:
    before = fingerprint()
    real = count_module.versions()
    monkeypatch.setattr(count_module, "versions", lambda: {**real, changed: real[changed] + ".1"})
    assert fingerprint() != before
    assert len(fingerprint()) == 16


def test_fingerprint_changes_with_the_lexer_loop(monkeypatch) -> None:
    """A plain run, or a fast path that fell back, is recorded under a fingerprint of its own."""
    fast, plain = fingerprint(), fingerprint(plain=True)
    assert fast != plain
    monkeypatch.setattr(fastlex, "loop", lambda dispatch=True: "another-loop")
    assert fingerprint() not in (fast, plain)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b.py", "x\0.py"])
def test_names_must_be_plain(tmp_path, bad: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        count_blob(bad, b"x = 1\n", str(tmp_path))


line = st.sampled_from(
    [b"x = 1", b"# c", b"", b'"""doc"""', b"def f():", b"    pass", b"\xff\xfe", b"\0", b"    '''", b"\t"]
)
ending = st.sampled_from([b"\n", b"\r\n", b"\r"])
blob = st.lists(st.tuples(line, ending), max_size=12).map(lambda parts: b"".join(a + b for a, b in parts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(blob, st.binary(max_size=200)))
def test_any_bytes_match_pygount_on_disk(tmp_path, data: bytes) -> None:
    scratch = tmp_path / "fuzz"
    scratch.mkdir(exist_ok=True)
    assert count_blob("fuzz.py", data, str(scratch)) == on_disk(tmp_path, "fuzz.py", data)
