"""Tag patterns: a user's regular expression, matched whole against tag names, in bounded time.

Tag names come from repositories and are untrusted, and so, for a shared config, is the
pattern: a pattern such as ``(a|aa)+$`` backtracks for ages on a name like ``aaaa...ab``. The
``regex`` module (Python's ``re`` syntax) checks a time budget as it matches, so a runaway
match becomes one clear error instead of a hang.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from loccount.errors import ConfigError

#: How long a pattern may take on one tag name before it is given up as runaway backtracking.
PATTERN_SECONDS = 0.25


def compile_tag_pattern(pattern: str, source: str = "--tags-matching") -> regex.Pattern[str]:
    """A tag pattern is a Python regular expression that must match the whole tag name."""
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as error:
        raise ConfigError(f"{source}: invalid tag pattern {pattern!r}: {error}") from None


def matching_tags(pattern: str, names: Iterable[str], source: str = "--tags-matching") -> list[str]:
    """The names ``pattern`` matches whole, each match bounded in time (a hostile name cannot hang it)."""
    compiled = compile_tag_pattern(pattern, source)
    found = []
    for name in names:
        try:
            if compiled.fullmatch(name, timeout=PATTERN_SECONDS):
                found.append(name)
        except TimeoutError:
            shown = name if len(name) <= 40 else name[:37] + "..."
            raise ConfigError(
                f"{source}: pattern {pattern!r} took over {PATTERN_SECONDS} s on tag {shown!r} "
                "(runaway backtracking); simplify the pattern"
            ) from None
    return found
