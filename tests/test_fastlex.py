"""First-character dispatch gives pygments' own tokens, token for token."""

from __future__ import annotations

import re
import threading
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygments.lexer import RegexLexer, bygroups, using
from pygments.lexers import BashLexer, CLexer, IniLexer, PythonLexer, RstLexer
from pygments.token import Name, Punctuation, String, Text

from loccount.counting.fast import fastlex
from loccount.counting.fast.fastlex import dispatching, first_characters, plans_for
from loccount.counting.fast.verified import unverified
from tests.python_text import SOURCES, TRICKY

PYGMENTS_LOOP = RegexLexer.get_tokens_unprocessed


def pygments_tokens(lexer: RegexLexer, text: str) -> list:
    return list(PYGMENTS_LOOP(lexer, text))


def dispatched_tokens(lexer: RegexLexer, text: str) -> list:
    with dispatching():
        return list(lexer.get_tokens_unprocessed(text))


@pytest.mark.parametrize("text", TRICKY)
def test_python_tokens_equal_pygments(text: str) -> None:
    lexer = PythonLexer()
    assert dispatched_tokens(lexer, text) == pygments_tokens(lexer, text)


def test_every_python_state_is_dispatched() -> None:
    """If pygments changes a rule so that a state can no longer be joined, this says which."""
    lexer = PythonLexer()
    plans = plans_for(lexer._tokens, lexer.flags | re.UNICODE)
    assert [state for state, plan in plans.items() if plan is None] == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCES)
def test_python_tokens_equal_pygments_on_generated_text(text: str) -> None:
    lexer = PythonLexer()
    assert dispatched_tokens(lexer, text) == pygments_tokens(lexer, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([BashLexer, CLexer, IniLexer, RstLexer]), SOURCES)
def test_other_regex_lexers_equal_pygments(lexer_class: type[RegexLexer], text: str) -> None:
    """Dispatch is on for every RegexLexer while a count runs; it must not change any of them."""
    lexer = lexer_class()
    assert dispatched_tokens(lexer, text) == pygments_tokens(lexer, text)


class QuotingLexer(RegexLexer):
    """A backreference, a named group and a callback with ``using``: the awkward cases."""

    tokens: ClassVar[dict] = {
        "root": [
            (r"([\"'])(.*?)\1", String),
            (r"(?P<word>[a-z]+)(:)", bygroups(Name.Label, Punctuation)),
            (r"<(.*?)>", bygroups(using(PythonLexer))),
            (r"[a-z]+", Name),
            (r"\s+", Text),
        ],
    }


class VerboseLexer(RegexLexer):
    flags = re.VERBOSE

    tokens: ClassVar[dict] = {"root": [(r"a b  # the letters a and b", Name), (r"\s+", Text)]}


def test_verbose_states_run_pygments_loop() -> None:
    lexer = VerboseLexer()
    assert plans_for(lexer._tokens, lexer.flags | re.UNICODE)["root"] is None
    assert dispatched_tokens(lexer, "ab ab\n") == pygments_tokens(lexer, "ab ab\n")


def test_states_that_cannot_be_joined_run_pygments_loop() -> None:
    lexer = QuotingLexer()
    plans = plans_for(lexer._tokens, lexer.flags | re.UNICODE)
    assert plans["root"] is None
    text = "say 'it' key: <x = 1> \"q\" ?\n"
    assert dispatched_tokens(lexer, text) == pygments_tokens(lexer, text)


class CallbackLexer(RegexLexer):
    tokens: ClassVar[dict] = {
        "root": [
            (r"(\w+)(\s*)(=)", bygroups(Name.Variable, Text, Punctuation)),
            (r"<(.*?)>", bygroups(using(PythonLexer))),
            (r"\w+", Name),
            (r"\s+", Text),
        ],
    }


def test_callbacks_get_the_rules_own_match() -> None:
    lexer = CallbackLexer()
    plans = plans_for(lexer._tokens, lexer.flags | re.UNICODE)
    assert plans["root"] is not None
    text = "a = b <def f(): 'x'> c\n"
    assert dispatched_tokens(lexer, text) == pygments_tokens(lexer, text)


@pytest.mark.parametrize(
    ("pattern", "chars", "can_be_empty"),
    [
        (r'(?i)(rb|br|r)(""")', set("rRbB"), False),
        (r"\s*x", {" ", "\t", "\n", "\r", "\f", "\v", "\x1c", "\x1d", "\x1e", "\x1f", "x"}, False),
        (r"(?=a)", set(), True),
        (r"a?b", {"a", "b"}, False),
        (r"(?<!\.)(self|cls)\b", {"s", "c"}, False),
        (r"[^\S\n]+", {" ", "\t", "\r", "\f", "\v", "\x1c", "\x1d", "\x1e", "\x1f"}, False),
        (r"", set(), True),
        (r"\d{0}y", {"y"}, False),
    ],
)
def test_first_characters(pattern: str, chars: set[str], can_be_empty: bool) -> None:
    assert first_characters(re.compile(pattern, re.MULTILINE)) == (frozenset(chars), can_be_empty)


def test_first_characters_ignorecase_includes_kelvin_sign_folding() -> None:
    """U+212A KELVIN SIGN matches 'k' and 'K' under IGNORECASE: both are first characters."""
    chars, _ = first_characters(re.compile("(?i)\u212a"))
    assert chars == frozenset("kK")


def test_installed_pygments_loop_is_the_verified_one() -> None:
    """Fails on any Pygments whose loop differs from the copied one: review fastlex, then add its digest."""
    assert unverified(fastlex.VERIFIED) == []
    assert fastlex.verified()
    assert fastlex.loop() == fastlex.DISPATCH
    assert fastlex.loop(dispatch=False) == fastlex.PYGMENTS


@pytest.fixture
def dispatch_calls(monkeypatch) -> list[str]:
    """Records each text the dispatched loop lexes."""
    calls: list[str] = []
    dispatched = fastlex.get_tokens_unprocessed

    def spy(self, text, stack=("root",)):
        calls.append(text)
        return dispatched(self, text, stack)

    monkeypatch.setattr(fastlex, "get_tokens_unprocessed", spy)
    return calls


def test_unknown_pygments_loop_falls_back_to_pygments(monkeypatch, dispatch_calls) -> None:
    monkeypatch.setattr(fastlex, "VERIFIED", {"pygments.lexer": {"RegexLexer.get_tokens_unprocessed": "0" * 64}})
    fastlex.verified.cache_clear()
    try:
        assert fastlex.loop() == fastlex.PYGMENTS
        with dispatching():
            assert RegexLexer.get_tokens_unprocessed is PYGMENTS_LOOP
            list(PythonLexer().get_tokens("x = 1\n"))
        assert dispatch_calls == []
    finally:
        fastlex.verified.cache_clear()


def test_dispatching_installs_while_inside_nests_and_restores(dispatch_calls) -> None:
    assert RegexLexer.get_tokens_unprocessed is PYGMENTS_LOOP
    with dispatching():
        with dispatching():
            list(PythonLexer().get_tokens("a\n"))
        list(PythonLexer().get_tokens("b\n"))
        with dispatching(enabled=False):
            list(PythonLexer().get_tokens("c\n"))
    assert RegexLexer.get_tokens_unprocessed is PYGMENTS_LOOP
    assert dispatch_calls == ["a\n", "b\n"]
    with pytest.raises(RuntimeError), dispatching():
        raise RuntimeError
    assert RegexLexer.get_tokens_unprocessed is PYGMENTS_LOOP


def test_other_threads_keep_pygments_loop_while_one_dispatches(dispatch_calls) -> None:
    """``dispatching(False)`` (and no block at all) is Pygments' loop even while the patch is in."""
    inside, done = threading.Event(), threading.Event()

    def dispatch_in_a_thread() -> None:
        with dispatching():
            list(PythonLexer().get_tokens("thread\n"))
            inside.set()
            done.wait(10)

    worker = threading.Thread(target=dispatch_in_a_thread)
    worker.start()
    try:
        assert inside.wait(10)
        assert RegexLexer.get_tokens_unprocessed is not PYGMENTS_LOOP
        lexer = PythonLexer()
        with dispatching(enabled=False):
            plain = list(lexer.get_tokens(TRICKY[5]))
        unswitched = list(lexer.get_tokens(TRICKY[5]))
    finally:
        done.set()
        worker.join()
    assert dispatch_calls == ["thread\n"]
    assert plain == unswitched == list(lexer.get_tokens(TRICKY[5]))
