"""pygount's line counts of a text, worked out in the loop that lexes it: same counts, no token stream.

pygount counts an analysed file through a chain of generators over Pygments' tokens:
``_delined_tokens`` splits tokens after each line end, ``_pythonized_comments`` turns strings
after a colon into comments (Python only), ``_line_parts`` collects each line's marks, and
``SourceAnalysis.from_file`` counts each line by its strongest mark (code, then string, then
documentation, else empty). With first-character dispatch, that chain costs more than lexing.

:func:`line_counts` makes the same decisions for the same pieces inside a copy of the
dispatched lexer loop of :mod:`fastlex`: each token type's kind (comment, documentation
comment, string) is worked out once, with Pygments' own ``in`` tests; ``bygroups`` callbacks
whose actions are all token types are expanded in place, group by group as ``bygroups`` does;
a line is counted when its last piece ends. It runs only for a RegexLexer that uses Pygments'
own ``get_tokens`` and rule loop without filters, and only while every library function it
mirrors has the source it was checked with (:data:`VERIFIED`, pygount 3.2.0 and Pygments
2.21); otherwise it returns None and the caller runs pygount's own code.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import pygments.token
from pygments.lexer import Lexer, RegexLexer, bygroups
from pygments.token import Error, Whitespace

from loccount.counting.fast import fastlex
from loccount.counting.fast.fastlex import ASCII, TokenType, plans_for
from loccount.counting.fast.verified import unverified

#: The library functions whose behaviour :func:`line_counts` reproduces or relies on.
VERIFIED = {
    **fastlex.VERIFIED,
    "pygments.lexer": {
        **fastlex.VERIFIED["pygments.lexer"],
        "Lexer.get_tokens": "d39efef04dc763d879c2b9c0b528add3af2170b7de8f8ab53882906bc80bf63d",
        "bygroups": "22770e1d877691d7f404ee0b1699bc30fa3f92243a5d1b559d601def3b03b500",
    },
    "pygments.token": {"_TokenType.__contains__": "890d66a40c8999ae1068109b19e9a84d164c05921c69b26d9229354b78d9f279"},
    "pygount.analysis": {
        "_delined_tokens": "98bc846fcdfd10afcd91512317ab6138c1c9977c6b8f26edb25bf893c7453439",
        "_pythonized_comments": "5295c4d344fd121d115193440820ccb2912e787fc59af6ca1a8fe9a89c46675f",
        "_line_parts": "ddcea0754d525d2cec7416c66388c1fae007a13bd079ad85367dc806a118ef5d",
        "SourceAnalysis.from_file": "4b5c3d6110cb4b02ff907d3a8894121fb6153dd84cc97c67eac4021c6fb24cb9",
    },
}
#: Marks of a line, as bits: pygount's "d", "s" and "c".
DOC, STRING, CODE = 1, 2, 4
#: A token type's kind, as bits: in Comment; a comment that is not a preprocessor one; in String.
_COMMENT, _ACTUAL, _STRING = 1, 2, 4
#: What a token that is neither comment nor string does (see _effect).
_BLANK, _CODE, _WHITE, _COLON, _COLON_CODE, _LINE_END, _PIECES = range(7)
#: How a rule's action is carried out.
_NOTHING, _TOKEN, _GROUPS, _CALLBACK = 0, 1, 2, 3

_BYGROUPS_CODE = bygroups().__code__
_KINDS: dict[Any, int] = {}


@cache
def verified() -> bool:
    """Whether every function this module mirrors is the one it was checked with."""
    return not unverified(VERIFIED)


def kind(token_type: Any) -> int:
    """The token type's kind bits, by the tests ``_line_parts`` and ``_pythonized_comments`` make."""
    known = _KINDS.get(token_type) if type(token_type) is TokenType else None
    if known is not None:
        return known
    comment = token_type in pygments.token.Comment
    actual = comment and token_type not in (pygments.token.Comment.Preproc, pygments.token.Comment.PreprocFile)
    result = (_COMMENT if comment else 0) | (_ACTUAL if actual else 0)
    result |= _STRING if token_type in pygments.token.String else 0
    if type(token_type) is TokenType:  # its tests depend only on its tuple value: safe to keep
        _KINDS[token_type] = result
    return result


def _rule(rule: tuple[Callable[..., Any], Any, Any]) -> tuple[int, Any, int, Any, Callable[..., Any]]:
    """A rule as the loop runs it: (how, action or expanded groups, kind, new state, own match)."""
    rexmatch, action, new_state = rule
    if action is None:
        return _NOTHING, None, 0, new_state, rexmatch
    if type(action) is TokenType:
        return _TOKEN, action, kind(action), new_state, rexmatch
    if getattr(action, "__code__", None) is _BYGROUPS_CODE and action.__closure__:
        free = dict(zip(action.__code__.co_freevars, (cell.cell_contents for cell in action.__closure__), strict=True))
        actions = free.get("args")
        if isinstance(actions, tuple) and all(a is None or type(a) is TokenType for a in actions):
            groups = tuple((group, kind(a)) for group, a in enumerate(actions, 1) if a is not None)
            return _GROUPS, groups, 0, new_state, rexmatch
    return _CALLBACK, action, 0, new_state, rexmatch


class _Dispatch(dict):
    """First character -> (joined pattern's match, rule by group number), from fastlex's plan."""

    def __init__(self, plan: Any, rules: list[Any]) -> None:
        super().__init__()
        self.plan, self.rules = plan, rules

    def __missing__(self, char: str) -> tuple[Callable[..., Any], list[Any]] | None:
        joined = self.plan.table[char]
        found = None
        if joined is not None:
            by_group: list[Any] = [None] * (max(joined.rule_of_group) + 1)
            for group, index in joined.rule_of_group.items():
                by_group[group] = self.rules[index]
            found = (joined.match, by_group)
        self[char] = found
        return found


class _State:
    """A lexer state as the loop runs it: its rules, and its dispatch table (None: rule by rule)."""

    __slots__ = ("dispatch", "rules")

    def __init__(self, plan: Any, rules: list[Any]) -> None:
        self.rules = rules
        self.dispatch = None if plan is None else _Dispatch(plan, rules)


_TABLES: dict[int, tuple[Any, dict[str, _State]]] = {}
_TABLES_LOCK = threading.Lock()


def _states(lexer: RegexLexer) -> dict[str, _State]:
    """Each state's runnable rules and dispatch, built once per token table."""
    tokendefs = lexer._tokens
    key = id(tokendefs)
    with _TABLES_LOCK:
        entry = _TABLES.get(key)
        if entry is None or entry[0] is not tokendefs:
            plans = plans_for(tokendefs, lexer.flags | re.UNICODE)
            states = {name: _State(plans[name], [_rule(rule) for rule in rules]) for name, rules in tokendefs.items()}
            entry = _TABLES[key] = (tokendefs, states)
    return entry[1]


def prepare(lexer: RegexLexer) -> None:
    """Build every dispatch table of the lexer's states now, instead of as characters turn up.

    A fork server does this once, so that no worker compiles a joined pattern of its own.
    """
    for state in _states(lexer).values():
        if state.dispatch is not None:
            for char in (*ASCII, "", "\x80"):  # "\x80": past ASCII, where every rule is a candidate
                state.dispatch[char]


def applies(lexer: Any) -> bool:
    """Whether ``lexer.get_tokens`` is Pygments' own, over Pygments' own RegexLexer loop."""
    cls = type(lexer)
    return (
        isinstance(lexer, RegexLexer)
        and not lexer.filters
        and getattr(lexer.get_tokens, "__func__", None) is Lexer.get_tokens
        and fastlex.is_pygments_loop(getattr(cls, "get_tokens_unprocessed", None))
        and "get_tokens_unprocessed" not in vars(lexer)
    )


def line_counts(lexer: Any, text: str, is_markup: bool = False) -> tuple[int, int, int, int] | None:
    """pygount's (code, documentation, empty, string) for ``text``; None where this does not apply."""
    if not (verified() and fastlex.verified() and applies(lexer)):
        return None
    from pygount.analysis import WHITE_SPACE_CHARACTERS, white_characters, white_code_words

    language_id = lexer.name.lower()
    per_marks = _count(
        lexer,
        lexer._preprocess_lexer_input(text),
        python=lexer.name == "Python",
        code_mark=DOC if is_markup else CODE,
        white=(WHITE_SPACE_CHARACTERS, " \f\n\r\t" + white_characters(language_id), white_code_words(language_id)),
    )
    code = sum(n for marks, n in enumerate(per_marks) if marks & CODE)
    string = sum(n for marks, n in enumerate(per_marks) if marks & STRING and not marks & CODE)
    return code, per_marks[DOC], per_marks[0], string


def _effect(value: str, white_space: str, white_text: str, white_words: Any) -> int:
    """What a token that is neither comment nor string does, decided from its text alone.

    Made of one piece (no line end) or a line end alone, it does what the piece loop of
    :func:`_count` would do with it; anything else is left to that loop (``_PIECES``).
    ``white_space`` is what ``_pythonized_comments`` strips, ``white_text`` and
    ``white_words`` what ``_line_parts`` takes for white.
    """
    white = value.rstrip(white_text) == "" or value.strip() in white_words
    blank = not value.rstrip(white_space)  # leaves _pythonized_comments' after-colon state alone
    if "\n" in value:
        return _LINE_END if value == "\n" and white and blank else _PIECES
    if value == ":":
        return _COLON if white else _COLON_CODE
    if blank:
        return _BLANK if white else _PIECES
    return _WHITE if white else _CODE


def _count(lexer: RegexLexer, text: str, python: bool, code_mark: int, white: tuple[str, str, Any]) -> list[int]:
    """Lines per combination of marks: Pygments' loop (as in fastlex) with pygount's decisions inlined.

    The rule search and state changes are :func:`fastlex.get_tokens_unprocessed`'s. Each
    token's text is split into pieces after each line end, as ``_delined_tokens`` does; each
    piece is decided as ``_pythonized_comments`` and ``_line_parts`` decide it. The commonest
    token (one piece, no line end) takes a short path with the same decisions, see _effect.
    """
    white_space, white_text, white_words = white
    states = _states(lexer)
    tokendefs = lexer._tokens
    per_marks = [0] * 8
    marks = 0
    after_colon = True
    pending: list[tuple[int, str]] = []
    effects: dict[str, int] = {}
    pos = 0
    end = len(text)
    statestack = ["root"]
    rules = states["root"].rules
    dispatch = states["root"].dispatch
    while 1:
        rule = None
        base = 0
        if dispatch is not None:
            entry = dispatch[text[pos]] if pos < end else dispatch[""]
            if entry is not None:
                m = entry[0](text, pos)
                if m is not None:
                    base = m.lastindex
                    rule = entry[1][base]
                    if rule is None:
                        base = 0
                        for index, own in enumerate(tokendefs[statestack[-1]]):
                            m = own[0](text, pos)
                            if m:
                                rule = rules[index]
                                break
        else:
            for index, own in enumerate(tokendefs[statestack[-1]]):
                m = own[0](text, pos)
                if m:
                    rule = rules[index]
                    break
        if rule is not None:
            how, action, token_kind, new_state, rexmatch = rule
            if how == _TOKEN:
                stop = m.end()
                value = text[pos:stop]
                if token_kind:
                    pending.append((token_kind, value))
                else:  # neither comment nor string: as in the loop below, inline for the commonest tokens
                    effect = effects.get(value)
                    if effect is None:
                        effect = effects[value] = _effect(value, *white)
                    if effect == _CODE:
                        after_colon = False
                        marks |= code_mark
                    elif effect == _WHITE:
                        after_colon = False
                    elif effect == _LINE_END:
                        per_marks[marks] += 1
                        marks = 0
                    elif effect == _COLON:
                        after_colon = True
                    elif effect == _COLON_CODE:
                        after_colon = True
                        marks |= code_mark
                    elif effect == _PIECES:
                        pending.append((token_kind, value))
            elif how == _GROUPS:
                stop = m.end()
                for group, group_kind in action:
                    value = m.group(base + group)
                    if value:
                        pending.append((group_kind, value))
            elif how == _CALLBACK:
                if base:
                    m = rexmatch(text, pos)
                pending.extend((kind(token_type), value) for _, token_type, value in action(lexer, m))
                stop = m.end()
            else:
                stop = m.end()
            pos = stop
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
                state = states[statestack[-1]]
                rules = state.rules
                dispatch = state.dispatch
        else:
            try:
                if text[pos] == "\n":
                    statestack = ["root"]
                    rules = states["root"].rules
                    dispatch = states["root"].dispatch
                    pending.append((kind(Whitespace), "\n"))
                else:
                    pending.append((kind(Error), text[pos]))
                pos += 1
            except IndexError:
                break
        if pending:
            for token_kind, value in pending:
                if not token_kind:  # neither comment nor string: decided once per text, see _effect
                    effect = effects.get(value)
                    if effect is None:
                        effect = effects[value] = _effect(value, *white)
                    if effect == _CODE:
                        after_colon = False
                        marks |= code_mark
                        continue
                    if effect == _WHITE:
                        after_colon = False
                        continue
                    if effect == _LINE_END:
                        per_marks[marks] += 1
                        marks = 0
                        continue
                    if effect == _COLON:
                        after_colon = True
                        continue
                    if effect == _COLON_CODE:
                        after_colon = True
                        marks |= code_mark
                        continue
                    if effect == _BLANK:
                        continue
                start = 0
                size = len(value)
                while start < size:
                    newline = value.find("\n", start)
                    stop = size if newline == -1 else newline + 1
                    piece = value[start:stop]
                    start = stop
                    if python and after_colon and token_kind & _STRING:
                        marks |= DOC  # a string after a colon: pygount makes it a Comment
                    else:
                        if python:
                            if piece == ":":
                                after_colon = True
                            elif not token_kind & _COMMENT and piece.rstrip(white_space):
                                after_colon = False
                        if token_kind & _ACTUAL:
                            marks |= DOC
                        elif token_kind & _STRING:
                            marks |= STRING
                        elif piece.strip() not in white_words and piece.rstrip(white_text) != "":
                            marks |= code_mark
                    if newline != -1:
                        per_marks[marks] += 1
                        marks = 0
            pending.clear()
    if marks:
        per_marks[marks] += 1
    return per_marks
