"""The languages pygount can give a file, and which of them a file name can get.

pygount picks a file's language from its base name alone: a lexer whose file name patterns
claim it (``has_lexer``), pygount's plain-text names, or pygount's own fallback lexers by
suffix; among several claimants (each lexer's ``filenames`` and ``alias_filenames``)
Pygments' ``guess_lexer_for_filename`` decides by the text. So before a blob is read, its
name says every language pygount could give it (:func:`claims`), and a selection of
languages can skip every other file exactly. A file whose name no lexer claims is pygount's
``unknown`` whatever it holds.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from loccount.languages.kinds import LanguageKind, linguist_kind

_GLOB = re.compile(r"[*?\[]")


class NamePatterns:
    """File name patterns and their owners, matched as pygments' ``_fn_matches`` matches them.

    ``_fn_matches`` is ``fnmatch``, in which ``*`` matches anything and other characters but
    ``?`` and ``[`` match themselves: a pattern ``*`` + literal matches exactly the names that
    end in the literal, and a literal pattern that name alone. Those are looked up by the
    name's suffixes; the few other patterns go to ``_fn_matches`` itself.
    """

    def __init__(self, owned: Iterable[tuple[str, Any]]) -> None:
        self.literal: dict[str, list[Any]] = {}
        self.ending: dict[str, list[Any]] = {}
        self.other: list[tuple[str, Any]] = []
        for pattern, owner in owned:
            if not _GLOB.search(pattern):
                self.literal.setdefault(pattern, []).append(owner)
            elif pattern.startswith("*") and not _GLOB.search(pattern, 1):
                self.ending.setdefault(pattern[1:], []).append(owner)
            else:
                self.other.append((pattern, owner))

    def owners(self, name: str) -> list[Any]:
        """The owners of every pattern ``name`` matches."""
        from pygments.lexers import _fn_matches

        found = list(self.literal.get(name, ()))
        for start in range(len(name) + 1):
            found.extend(self.ending.get(name[start:], ()))
        found.extend(owner for pattern, owner in self.other if _fn_matches(name, pattern))
        return found


@dataclass(frozen=True, slots=True)
class Language:
    """A language pygount can report: its name (the lexer's), aliases, file name patterns and Linguist kind."""

    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    kind: LanguageKind


@cache
def _lexer_classes() -> list[Any]:
    from pygments.lexers import _iter_lexerclasses

    return list(_iter_lexerclasses())


@cache
def _fallbacks() -> dict[str, Any]:
    """pygount's own lexers: by suffix where Pygments has none, and for plain-text names."""
    from pygount.analysis import _SUFFIX_TO_FALLBACK_LEXER_MAP

    return dict(_SUFFIX_TO_FALLBACK_LEXER_MAP)


@cache
def _plain_text() -> Any:
    from pygount.lexers import PlainTextLexer

    return PlainTextLexer()


@cache
def known() -> dict[str, Language]:
    """Every language pygount can report, by name."""
    found: dict[str, Language] = {}
    for cls in _lexer_classes():
        patterns = (*cls.filenames, *cls.alias_filenames)
        found.setdefault(
            cls.name, Language(cls.name, tuple(cls.aliases), patterns, linguist_kind(cls.name, cls.aliases, patterns))
        )
    extras: dict[str, list[str]] = {}
    for suffix, lexer in _fallbacks().items():
        extras.setdefault(lexer.name, []).append(f"*.{suffix}")
    extras.setdefault(_plain_text().name, [])
    for name, suffixes in extras.items():
        if name not in found:
            aliases = tuple(type(_plain_text()).aliases) if name == _plain_text().name else ()
            found[name] = Language(name, aliases, tuple(suffixes), linguist_kind(name, aliases, suffixes))
    return found


@cache
def _by_alias() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in known().values():
        for key in (language.name, *language.aliases):
            names.setdefault(key.lower(), language.name)
    return names


def resolve(name: str) -> str:
    """The language pygount calls ``name`` (a name or alias, any case): ``rust`` -> ``Rust``.

    Raises ValueError naming close matches for a name pygount does not know.
    """
    found = _by_alias().get(name.strip().lower())
    if found is None:
        close = difflib.get_close_matches(name.lower(), list(_by_alias()), n=3, cutoff=0.75)
        names = list(dict.fromkeys(_by_alias()[c] for c in close))
        hint = f"; did you mean {', '.join(map(repr, names))}?" if names else ""
        raise ValueError(f"unknown language {name!r}{hint} (`loccount languages` lists them)")
    return found


def kind(language: str) -> LanguageKind:
    """Linguist's kind of a language pygount reports (``unclassified`` for one it does not know)."""
    found = known().get(language)
    return found.kind if found else LanguageKind.UNCLASSIFIED


@cache
def _primary_patterns() -> NamePatterns:
    """The patterns pygount's ``has_lexer`` tries (``find_lexer_class_for_filename``: filenames only)."""
    from pygments.lexers import LEXERS, find_plugin_lexers

    builtin = [(pattern, name) for _module, name, _aliases, patterns, _types in LEXERS.values() for pattern in patterns]
    return NamePatterns([*builtin, *((pattern, cls.name) for cls in find_plugin_lexers() for pattern in cls.filenames)])


@cache
def _rated_patterns() -> NamePatterns:
    """Each lexer class's own file name patterns, owned by (class, pattern), as
    ``find_lexer_class_for_filename`` rates them (its table's classes, then plugins)."""
    from pygments.lexers import LEXERS, find_lexer_class_by_name, find_plugin_lexers

    owned = []
    for _module, name, aliases, patterns, _types in LEXERS.values():
        cls = find_lexer_class_by_name(aliases[0]) if aliases else None
        cls = cls if cls is not None and cls.name == name else _class_named(name)
        owned += [(pattern, (cls, pattern)) for pattern in patterns]
    owned += [(pattern, (cls, pattern)) for cls in find_plugin_lexers() for pattern in cls.filenames]
    return NamePatterns(owned)


def _class_named(name: str) -> Any:
    return next(cls for cls in _lexer_classes() if cls.name == name)


def _likeliest(name: str) -> Any:
    """The lexer class ``find_lexer_class_for_filename`` returns for a file name (no text given):
    the highest ``priority`` among the classes whose patterns match, an exact name half a point
    ahead of a pattern with ``*``, ties to the larger class name; None for no match."""
    matches = _rated_patterns().owners(name)
    if not matches:
        return None
    rated = [(cls.priority + (0.5 if "*" not in pattern else 0), cls.__name__, cls) for cls, pattern in matches]
    return max(rated, key=lambda item: (item[0], item[1]))[2]


@cache
def _claim_patterns() -> NamePatterns:
    """The patterns ``guess_lexer_for_filename`` tries: each class's filenames and alias filenames."""
    return NamePatterns(
        (pattern, cls.name) for cls in _lexer_classes() for pattern in (*cls.filenames, *cls.alias_filenames)
    )


@cache
def claims(name: str) -> tuple[str, ...]:
    """Every language pygount can give a file called ``name`` (a base name), the likeliest first.

    Empty when pygount calls such a file ``unknown`` whatever it holds. The first is the one
    a file that pygount does not analyse (empty, binary, generated, unreadable) is shown under.
    """
    from pygount.analysis import is_plain_text

    suffix = os.path.splitext(name)[1].lstrip(".")
    fallback = _fallbacks().get(suffix)
    if not _primary_patterns().owners(name) and fallback is None:
        return ()
    if is_plain_text(name):
        return (_plain_text().name,)
    primary = _likeliest(name)
    first = [primary.name] if primary is not None else []
    others = sorted(set(_claim_patterns().owners(name)) - set(first))
    if not first and not others and fallback is not None:
        return (fallback.name,)
    return (*first, *others)
