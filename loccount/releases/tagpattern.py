"""Tag patterns: a user's regular expression, matched whole against tag names, in bounded time.

Tag names come from repositories and are untrusted, and so, for a shared config, is the
pattern: a pattern such as ``(a|aa)+$`` backtracks for ages on a name like ``aaaa...ab``. The
``regex`` module (Python's ``re`` syntax) checks a time budget as it matches, so a runaway
match becomes one clear error instead of a hang.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

import regex

from loccount.errors import ConfigError

#: How long a pattern may take on one tag name, and on all of a repository's tags together,
#: before it is given up as runaway backtracking.
PATTERN_SECONDS = 0.25
TOTAL_SECONDS = 2.0
#: The most a pattern may spell out: its length, and the size its counted repeats expand to
#: (``(?:a{65535}){65535}`` would be 4 billion; compiling it took 23 GB).
MAX_PATTERN_CHARS = 1000
MAX_PATTERN_SIZE = 100_000

try:  # Python's own parser of its regular-expression syntax, to size a pattern before compiling
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # a Python that moved them: the length bound alone applies
    _sre = _sre_parse = None


def _size(parsed: Any) -> int:
    """How many elements ``parsed`` (a parsed pattern or subpattern) expands to, counted repeats multiplied out."""
    total = 0
    for op, value in parsed:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, high, sub = value
            total += max(low, high if high != _sre.MAXREPEAT else low, 1) * _size(sub)
        elif op is _sre.SUBPATTERN:
            total += _size(value[-1])
        elif op in (_sre.ATOMIC_GROUP,):
            total += _size(value)
        elif op is _sre.BRANCH:
            total += sum(_size(branch) for branch in value[1])
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            total += _size(value[1])
        elif op is _sre.GROUPREF_EXISTS:
            total += sum(_size(branch) for branch in value[1:] if branch is not None)
        else:
            total += 1
        if total > MAX_PATTERN_SIZE:
            return total
    return total


def compile_tag_pattern(pattern: str, source: str = "--tags-matching") -> regex.Pattern[str]:
    """A tag pattern is a Python regular expression that must match the whole tag name.

    It is sized before it is compiled, so that no pattern can take unbounded time or memory to
    compile: at most :data:`MAX_PATTERN_CHARS` characters, expanding to at most
    :data:`MAX_PATTERN_SIZE` elements.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConfigError(f"{source}: tag pattern of {len(pattern):,} characters; at most {MAX_PATTERN_CHARS:,}")
    try:
        if _sre_parse is not None:
            size = _size(_sre_parse.parse(pattern))
            if size > MAX_PATTERN_SIZE:
                raise ConfigError(
                    f"{source}: tag pattern '{pattern}' expands to over {MAX_PATTERN_SIZE:,} elements "
                    "(its counted repeats multiply); write it with fewer or smaller repeats"
                )
        return regex.compile(pattern)
    except (regex.error, re.error, ValueError, OverflowError, RecursionError, MemoryError) as error:
        raise ConfigError(f"{source}: invalid tag pattern '{pattern}': {error}") from None


def matching_tags(pattern: str, names: Iterable[str], source: str = "--tags-matching") -> list[str]:
    """The names ``pattern`` matches whole, in bounded time: each name, and all of them together."""
    compiled = compile_tag_pattern(pattern, source)
    found = []
    deadline = time.monotonic() + TOTAL_SECONDS
    tried = 0
    for name in names:
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            if compiled.fullmatch(name, timeout=min(PATTERN_SECONDS, left)):
                found.append(name)
            tried += 1
        except TimeoutError:
            shown = name if len(name) <= 40 else name[:37] + "..."
            if left > PATTERN_SECONDS:
                spent = f"over {PATTERN_SECONDS} s on tag {shown!r}"
            else:
                spent = f"over {TOTAL_SECONDS} s on {tried + 1:,} tags, the last {shown!r}"
            raise ConfigError(
                f"{source}: pattern '{pattern}' took {spent} (runaway backtracking); simplify the pattern"
            ) from None
    return found
