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

from . import fastlex
from .fastlex import TokenType, plans_for
from .verified import unverified

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
#: pygount's WHITE_SPACE_CHARACTERS (pygount.common), which _pythonized_comments strips.
_WHITE_SPACE = " \f\n\r\t"
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


_TABLES: dict[int, tuple[Any, dict[str, Any], dict[str, list[Any]]]] = {}
_TABLES_LOCK = threading.Lock()


def _tables(lexer: RegexLexer) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Dispatch plans and runnable rules per state, built once per token table."""
    tokendefs = lexer._tokens
    key = id(tokendefs)
    with _TABLES_LOCK:
        entry = _TABLES.get(key)
        if entry is None or entry[0] is not tokendefs:
            plans = plans_for(tokendefs, lexer.flags | re.UNICODE)
            rules = {state: [_rule(rule) for rule in state_rules] for state, state_rules in tokendefs.items()}
            entry = _TABLES[key] = (tokendefs, plans, rules)
    return entry[1], entry[2]


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
    from pygount.analysis import white_characters, white_code_words

    language_id = lexer.name.lower()
    per_marks = _count(
        lexer,
        lexer._preprocess_lexer_input(text),
        python=lexer.name == "Python",
        code_mark=DOC if is_markup else CODE,
        white_words=white_code_words(language_id),
        white_text=" \f\n\r\t" + white_characters(language_id),
    )
    code = sum(n for marks, n in enumerate(per_marks) if marks & CODE)
    string = sum(n for marks, n in enumerate(per_marks) if marks & STRING and not marks & CODE)
    return code, per_marks[DOC], per_marks[0], string


def _count(lexer: RegexLexer, text: str, python: bool, code_mark: int, white_words: Any, white_text: str) -> list[int]:
    """Lines per combination of marks: Pygments' loop (as in fastlex) with pygount's decisions inlined.

    The rule search and state changes are :func:`fastlex.get_tokens_unprocessed`'s. Each
    token's text is split into pieces after each line end, as ``_delined_tokens`` does; each
    piece is decided as ``_pythonized_comments`` and ``_line_parts`` decide it. The commonest
    token (one piece, no line end) takes a short path with the same decisions.
    """
    plans, runnable = _tables(lexer)
    tokendefs = lexer._tokens
    per_marks = [0] * 8
    marks = 0
    after_colon = True
    pending: list[tuple[int, str]] = []
    pos = 0
    end = len(text)
    statestack = ["root"]
    rules = runnable["root"]
    plan = plans["root"]
    table = plan.table if plan is not None else None
    while 1:
        rule = None
        base = 0
        if table is not None:
            joined = table[text[pos]] if pos < end else table[""]
            if joined is not None:
                m = joined.match(text, pos)
                if m is not None:
                    base = m.lastindex
                    index = joined.rule_of_group.get(base)
                    if index is not None:
                        rule = rules[index]
                    else:
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
                if token_kind or "\n" in value:
                    pending.append((token_kind, value))
                elif value == ":":  # the short cut of the loop below, inline for the commonest tokens
                    after_colon = True
                    if value.rstrip(white_text) and value.strip() not in white_words:
                        marks |= code_mark
                elif value.rstrip(_WHITE_SPACE):
                    after_colon = False
                    if value.rstrip(white_text) and value.strip() not in white_words:
                        marks |= code_mark
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
                rules = runnable[statestack[-1]]
                plan = plans[statestack[-1]]
                table = plan.table if plan is not None else None
        else:
            try:
                if text[pos] == "\n":
                    statestack = ["root"]
                    rules = runnable["root"]
                    plan = plans["root"]
                    table = plan.table if plan is not None else None
                    pending.append((kind(Whitespace), "\n"))
                else:
                    pending.append((kind(Error), text[pos]))
                pos += 1
            except IndexError:
                break
        if pending:
            for token_kind, value in pending:
                if not token_kind:  # neither comment nor string: the commonest tokens take a short cut
                    if "\n" not in value:  # one piece
                        if value == ":":
                            after_colon = True
                        elif value.rstrip(_WHITE_SPACE):
                            after_colon = False
                        else:
                            continue  # white space only: no mark, and white to _pythonized_comments
                        if value.rstrip(white_text) and value.strip() not in white_words:
                            marks |= code_mark
                        continue
                    if value == "\n":  # a line end alone: white, so the line is counted as it is
                        per_marks[marks] += 1
                        marks = 0
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
                            elif not token_kind & _COMMENT and piece.rstrip(_WHITE_SPACE):
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
