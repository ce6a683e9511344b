"""Digests of library functions, read from their files, are those of ``inspect.getsource``."""

from __future__ import annotations

import hashlib
import inspect

import pytest
from pygments.lexer import RegexLexer, bygroups
from pygments.token import _TokenType

from loccount.counting.fast.verified import source_digest, unverified

PYGMENTS_LOOP = RegexLexer.get_tokens_unprocessed


@pytest.mark.parametrize(
    ("module", "qualname", "function"),
    [
        ("pygments.lexer", "RegexLexer.get_tokens_unprocessed", PYGMENTS_LOOP),
        ("pygments.lexer", "bygroups", bygroups),
        ("pygments.lexer", "RegexLexer", RegexLexer),
        ("pygments.token", "_TokenType.__contains__", _TokenType.__contains__),
    ],
)
def test_digest_is_that_of_inspect_getsource(module: str, qualname: str, function: object) -> None:
    assert source_digest(module, qualname) == hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def test_digest_covers_decorators(tmp_path, monkeypatch) -> None:
    (tmp_path / "decorated_example.py").write_text("import functools\n\n\n@functools.cache\ndef f():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = hashlib.sha256(b"@functools.cache\ndef f():\n    return 1\n").hexdigest()
    assert source_digest("decorated_example", "f") == expected


def test_missing_sources_are_never_verified() -> None:
    assert source_digest("pygments.lexer", "NoSuchClass.method") is None
    assert source_digest("no_such_module_anywhere", "f") is None
    assert source_digest("sys", "exit") is None  # a built-in module has no source file
    wanted = {"pygments.lexer": {"bygroups": source_digest("pygments.lexer", "bygroups"), "nothing": "0" * 64}}
    assert unverified(wanted) == ["pygments.lexer:nothing"]
