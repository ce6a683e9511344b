"""pygments' RegexLexer tokens, three to four times faster: first-character rule dispatch.

pygments tries a state's rules one after the other, one Python call each, until one matches
(about 36 calls per token in Python's ``root`` state). Most rules cannot match at a position
whose character is, say, ``x`` or ``(``. Here each state's rules are split, per first
character, into the rules that *can* start there (a conservative reading of each regular
expression: when in doubt a rule is kept), and those rules, in their original order, are
joined into one alternation ``(r1)|(r5)|(r9)``. Python's regex engine tries alternatives in
order and each exactly as it would alone, so the first that matches is the rule pygments
would have picked, with the same match; callbacks get a match of the rule's own pattern.
Everything after the match (actions, state changes, the end-of-line and error fallback) is
pygments' loop unchanged.

:func:`get_tokens_unprocessed` is a copy of ``RegexLexer.get_tokens_unprocessed`` from
Pygments 2.21 with the rule search replaced. It runs only while the installed Pygments' loop
has the source it was copied from (:data:`VERIFIED`, checked by :func:`verified`); with any
other Pygments, :func:`dispatching` leaves Pygments' own loop in place and :func:`loop` names
``pygments``, which goes into the counter fingerprint and the provenance.

A state is dispatched only when every rule is a plain compiled pattern without
backreferences, named groups, verbose mode or inline flags past the start; any other state
runs pygments' own rule loop. :func:`dispatching` turns dispatch on for the calling thread
only, for the duration of a block: other threads, and blocks inside ``dispatching(False)``,
run Pygments' own loop even while the patch is installed. loccount's tests and benchmark
compare token streams and pygount's counts with pygments' own loop, and ``--plain`` counts
without it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from pygments.lexer import RegexLexer
from pygments.token import Error, Token, Whitespace

from loccount.counting.fast.verified import unverified

# Python's private regular-expression parser, read to find each rule's first characters. A
# Python that moves it leaves dispatch unverified, and Pygments' own loop runs, like any other
# guarded internal.
sre: Any
sre_parse: Any
try:
    from re import _constants as sre  # type: ignore[attr-defined,no-redef]
    from re import _parser as sre_parse  # type: ignore[attr-defined,no-redef]
except ImportError:
    sre = sre_parse = None

#: pygments' token type class, named as pygount names it (``_TokenType`` is private).
TokenType = type(Token)
#: The Pygments source :func:`get_tokens_unprocessed` was copied from (Pygments 2.21).
VERIFIED = {
    "pygments.lexer": {
        "RegexLexer.get_tokens_unprocessed": "dda6229f98c72106e727537e3b57432b79b38517f8900671f3800d248e3867fe",
    },
}
#: How the rule of each token is found: the names :func:`loop` gives.
DISPATCH = "first-character-dispatch/1"
PYGMENTS = "pygments"

ASCII = tuple(chr(code) for code in range(128))
ANY_ASCII = frozenset(ASCII)
_UNSAFE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_CHAR_FLAGS = re.IGNORECASE | re.DOTALL | re.ASCII | re.UNICODE
if sre is not None:
    _CATEGORIES = {
        sre.CATEGORY_DIGIT: r"\d",
        sre.CATEGORY_NOT_DIGIT: r"\D",
        sre.CATEGORY_SPACE: r"\s",
        sre.CATEGORY_NOT_SPACE: r"\S",
        sre.CATEGORY_WORD: r"\w",
        sre.CATEGORY_NOT_WORD: r"\W",
    }
    _REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
    _ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)

Rule = tuple[Callable[..., Any], Any, Any]
First = tuple[frozenset[str], bool]


def _escape(code: int) -> str:
    return f"\\U{code:08x}"


def _char_source(op: Any, arg: Any) -> str | None:
    """Source of a one-character item, or None when it is not one this module knows."""
    if op is sre.LITERAL:
        return _escape(arg)
    if op is sre.NOT_LITERAL:
        return f"[^{_escape(arg)}]"
    if op is sre.ANY:
        return "."
    if op is not sre.IN:
        return None
    parts: list[str] = []
    for item, value in arg:
        if item is sre.NEGATE:
            parts.insert(0, "^")
        elif item is sre.LITERAL:
            parts.append(_escape(value))
        elif item is sre.RANGE:
            parts.append(f"{_escape(value[0])}-{_escape(value[1])}")
        elif item is sre.CATEGORY and value in _CATEGORIES:
            parts.append(_CATEGORIES[value])
        else:
            return None
    return "[" + "".join(parts) + "]"


def _first_of_sequence(items: Any, flags: int) -> tuple[set[str], bool]:
    """ASCII characters a match of ``items`` can start with, and whether it can be empty."""
    first: set[str] = set()
    for op, arg in items:
        chars, can_be_empty = _first_of_item(op, arg, flags)
        first |= chars
        if not can_be_empty:
            return first, False
    return first, True


def _first_of_item(op: Any, arg: Any, flags: int) -> tuple[set[str] | frozenset[str], bool]:
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        source = _char_source(op, arg)
        if source is None or flags & re.LOCALE:
            return ANY_ASCII, False
        single = re.compile(source, flags & _CHAR_FLAGS)
        return {char for char in ASCII if single.fullmatch(char)}, False
    if op in _REPEATS:
        low, high, sub = arg
        if high == 0:
            return set(), True
        chars, can_be_empty = _first_of_sequence(sub, flags)
        return chars, can_be_empty or low == 0
    if op is sre.SUBPATTERN:
        _group, add, remove, sub = arg
        return _first_of_sequence(sub, (flags | add) & ~remove)
    if op is sre.ATOMIC_GROUP:
        return _first_of_sequence(arg, flags)
    if op is sre.BRANCH:
        first: set[str] = set()
        can_be_empty = False
        for alternative in arg[1]:
            chars, empty = _first_of_sequence(alternative, flags)
            first |= chars
            can_be_empty = can_be_empty or empty
        return first, can_be_empty
    if op in _ZERO_WIDTH:
        return set(), True  # assertions only narrow a match: ignoring them keeps a superset
    return ANY_ASCII, True  # anything else (backreferences, new opcodes): the rule may match anywhere


def first_characters(pattern: re.Pattern[str]) -> First:
    """A superset of the ASCII characters a match can start with, and whether it can be empty."""
    return _first_characters(pattern.pattern, pattern.flags)


@cache
def _first_characters(source: str, flags: int) -> First:
    """first_characters, once per source and flags (lexers share rules across their states)."""
    try:
        parsed = sre_parse.parse(source, flags)
        chars, can_be_empty = _first_of_sequence(parsed.data, parsed.state.flags)
    except Exception:  # any surprise from a private parser: keep the rule everywhere
        return ANY_ASCII, True
    return frozenset(chars), can_be_empty


def _alternative(pattern: re.Pattern[str], flags: int) -> str | None:
    """The rule's source as one alternative of a joined pattern, or None if it cannot be one."""
    source = pattern.pattern
    if not isinstance(source, str) or pattern.groupindex or pattern.flags & re.VERBOSE or _UNSAFE.search(source):
        return None  # (a verbose '#' comment would swallow the closing parenthesis of a join)
    leading = _LEADING_FLAGS.match(source)
    body = source[leading.end() :] if leading else source
    try:
        if re.compile(body, flags).flags != flags:
            return None  # inline flags past the start
        joined = f"(?{leading.group(1)}:{body})" if leading else body
        if re.compile(joined, flags).groups != pattern.groups:
            return None
    except re.error:
        return None
    return joined


class _Joined:
    """Some of a state's rules joined into one pattern, and which group is which rule."""

    __slots__ = ("match", "rule_of_group")

    def __init__(self, match: Callable[..., Any], rule_of_group: dict[int, int]) -> None:
        self.match = match
        self.rule_of_group = rule_of_group


class _Table(dict):
    """First character -> joined rules, built on first use; characters past ASCII get all rules."""

    def __init__(self, state: _State) -> None:
        super().__init__()
        self.state = state

    def __missing__(self, char: str) -> _Joined | None:
        joined = self.state.joined_for(char)
        self[char] = joined
        return joined


class _State:
    """A dispatchable lexer state: its rules' sources and first-character sets."""

    def __init__(self, patterns: list[re.Pattern[str]], sources: list[str], flags: int) -> None:
        self.patterns, self.sources, self.flags = patterns, sources, flags
        self.firsts = [first_characters(pattern) for pattern in patterns]
        self.lock = threading.Lock()
        self.joined: dict[tuple[int, ...], _Joined | None] = {}
        self.table = _Table(self)

    @property
    def all(self) -> _Joined | None:
        """Every rule: for characters past ASCII and for the end of the text."""
        return self._join(tuple(range(len(self.patterns))))

    def joined_for(self, char: str) -> _Joined | None:
        """Rules that can match where the text goes on with ``char`` ("": at its end)."""
        if char not in ANY_ASCII:
            return self.all
        rules = tuple(k for k, (chars, empty) in enumerate(self.firsts) if empty or char in chars)
        return self._join(rules)

    def _join(self, rules: tuple[int, ...]) -> _Joined | None:
        with self.lock:
            if rules not in self.joined:
                self.joined[rules] = self._compile(rules) if rules else None
            return self.joined[rules]

    def _compile(self, rules: tuple[int, ...]) -> _Joined:
        group, rule_of_group, parts = 1, {}, []
        for rule in rules:
            rule_of_group[group] = rule
            group += 1 + self.patterns[rule].groups
            parts.append(f"({self.sources[rule]})")
        return _Joined(re.compile("|".join(parts), self.flags).match, rule_of_group)


def _state_plan(rules: list[Rule], flags: int) -> _State | None:
    patterns, sources = [], []
    for match, _action, _new_state in rules:
        pattern = getattr(match, "__self__", None)
        if not isinstance(pattern, re.Pattern) or getattr(match, "__name__", "") != "match":
            return None
        source = _alternative(pattern, flags)
        if source is None:
            return None
        patterns.append(pattern)
        sources.append(source)
    if not patterns:
        return None
    try:
        return _State(patterns, sources, flags)
    except (re.error, RecursionError, OverflowError):
        return None


_PLANS: dict[int, tuple[Any, dict[str, _State | None]]] = {}
_PLANS_LOCK = threading.Lock()


def plans_for(tokendefs: dict[str, list[Rule]], flags: int) -> dict[str, _State | None]:
    """Each state's dispatch plan (None: pygments' own loop), built once per token table."""
    key = id(tokendefs)
    with _PLANS_LOCK:
        entry = _PLANS.get(key)
        if entry is None or entry[0] is not tokendefs:
            plans = {state: _state_plan(rules, flags) for state, rules in tokendefs.items()}
            entry = _PLANS[key] = (tokendefs, plans)
    return entry[1]


def _find(plan: _State | None, rules: list[Rule], text: str, pos: int, end: int) -> tuple[Rule | None, Any]:
    """The rule pygments would pick at ``pos`` and, when it came from a joined pattern, the match."""
    if plan is not None:
        joined = plan.table[text[pos]] if pos < end else plan.table[""]
        if joined is None:
            return None, None
        match = joined.match(text, pos)
        if match is None:
            return None, None
        rule = joined.rule_of_group.get(match.lastindex)
        if rule is not None:
            return rules[rule], match
    for rule in rules:
        if rule[0](text, pos):
            return rule, None
    return None, None


def get_tokens_unprocessed(self: RegexLexer, text: str, stack: Any = ("root",)) -> Iterator[tuple[int, Any, str]]:
    """``RegexLexer.get_tokens_unprocessed`` with first-character dispatch; same tokens."""
    plans = plans_for(self._tokens, self.flags | re.UNICODE)
    pos = 0
    end = len(text)
    tokendefs = self._tokens
    statestack = list(stack)
    statetokens = tokendefs[statestack[-1]]
    plan = plans[statestack[-1]]
    while 1:
        rule, joined_match = _find(plan, statetokens, text, pos, end)
        if rule is not None:
            rexmatch, action, new_state = rule
            if joined_match is not None and (action is None or type(action) is TokenType):
                if action is not None:
                    yield pos, action, joined_match.group()
                pos = joined_match.end()
            else:
                m = rexmatch(text, pos)
                if action is not None:
                    if type(action) is TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(self, m)
                pos = m.end()
            if new_state is not None:
                if isinstance(new_state, tuple):
                    for state in new_state:
                        if state == "#pop":
                            if len(statestack) > 1:
                                statestack.pop()
                        elif state == "#push":
                            statestack.append(statestack[-1])
                        else:
                            statestack.append(state)
                elif isinstance(new_state, int):
                    if abs(new_state) >= len(statestack):
                        del statestack[1:]
                    else:
                        del statestack[new_state:]
                elif new_state == "#push":
                    statestack.append(statestack[-1])
                else:
                    raise ValueError(f"wrong state def: {new_state!r}")
                statetokens = tokendefs[statestack[-1]]
                plan = plans[statestack[-1]]
        else:
            try:
                if text[pos] == "\n":
                    statestack = ["root"]
                    statetokens = tokendefs["root"]
                    plan = plans["root"]
                    yield pos, Whitespace, "\n"
                    pos += 1
                    continue
                yield pos, Error, text[pos]
                pos += 1
            except IndexError:
                break


_PYGMENTS_LOOP = RegexLexer.get_tokens_unprocessed
_DISPATCH: ContextVar[bool] = ContextVar("loccount_dispatch", default=False)
_INSTALLED = 0
_INSTALL_LOCK = threading.Lock()


@cache
def verified() -> bool:
    """Whether the installed Pygments' loop is the one :func:`get_tokens_unprocessed` copies,
    and Python's regular-expression parser is where dispatch reads it."""
    return sre is not None and sre_parse is not None and not unverified(VERIFIED)


def loop(dispatch: bool = True) -> str:
    """The rule loop a count runs when ``dispatch`` is asked for: recorded with every count."""
    return DISPATCH if dispatch and verified() else PYGMENTS


def is_pygments_loop(method: Any) -> bool:
    """Whether ``method`` is Pygments' own RegexLexer loop, or the switch installed over it."""
    return method is _PYGMENTS_LOOP or method is _switched_loop


def _switched_loop(self: RegexLexer, text: str, stack: Any = ("root",)) -> Iterator[tuple[int, Any, str]]:
    """What ``RegexLexer.get_tokens_unprocessed`` is while installed: dispatch only where switched on."""
    if _DISPATCH.get():
        return get_tokens_unprocessed(self, text, stack)
    return _PYGMENTS_LOOP(self, text, stack)


@contextmanager
def dispatching(enabled: bool = True) -> Iterator[None]:
    """Dispatch for every RegexLexer lexing in this thread inside the block (nesting is fine).

    ``dispatching(False)`` runs Pygments' own loop in this thread, whatever other threads do.
    The method is installed on ``RegexLexer`` while any thread is inside an enabled block.
    """
    global _INSTALLED
    enabled = enabled and verified()
    token = _DISPATCH.set(enabled)
    if enabled:
        with _INSTALL_LOCK:
            _INSTALLED += 1
            RegexLexer.get_tokens_unprocessed = _switched_loop
    try:
        yield
    finally:
        _DISPATCH.reset(token)
        if enabled:
            with _INSTALL_LOCK:
                _INSTALLED -= 1
                if _INSTALLED == 0:
                    RegexLexer.get_tokens_unprocessed = _PYGMENTS_LOOP
