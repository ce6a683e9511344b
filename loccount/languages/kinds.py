"""Which kind of language a language is, by GitHub Linguist's classification.

Linguist sorts every language it knows into one of four types: programming, markup, data and
prose. ``--languages all`` means the programming languages; the kinds come from Linguist's
``languages.yml`` as the ``programming-languages``, ``markup-languages``, ``data-languages``
and ``prose-languages`` packages carry it, never from a list kept here. A pygount language
(a Pygments lexer's name) is matched to a Linguist language by its name, then by its
aliases, then by the file extensions its lexer claims; one that matches none, or matches
languages of several kinds by extension alone, is ``unclassified``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import Any


class LanguageKind(StrEnum):
    """Linguist's language types, and ``unclassified`` for a language Linguist does not name."""

    PROGRAMMING = "programming"
    MARKUP = "markup"
    DATA = "data"
    PROSE = "prose"
    UNCLASSIFIED = "unclassified"


#: The packages that carry Linguist's languages of each type.
_PACKAGES = {
    LanguageKind.PROGRAMMING: "programming_languages",
    LanguageKind.MARKUP: "markup_languages",
    LanguageKind.DATA: "data_languages",
    LanguageKind.PROSE: "prose_languages",
}


@cache
def _linguist() -> tuple[dict[str, LanguageKind], dict[str, frozenset[LanguageKind]]]:
    """Linguist's languages by lower-case name, and the kinds that claim each extension."""
    import importlib

    names: dict[str, LanguageKind] = {}
    extensions: dict[str, set[LanguageKind]] = {}
    for kind, package in _PACKAGES.items():
        table: Any = importlib.import_module(package)  # each package module is its JSON dict
        for name, facts in dict(table).items():
            names.setdefault(str(name).lower(), kind)
            for extension in facts.get("extensions", ()) if isinstance(facts, dict) else ():
                extensions.setdefault(str(extension).lower(), set()).add(kind)
    return names, {extension: frozenset(kinds) for extension, kinds in extensions.items()}


def extension_of(pattern: str) -> str | None:
    """The extension a file name pattern stands for (``*.rs`` -> ``.rs``), None for other patterns."""
    if not pattern.startswith("*.") or any(char in pattern[1:] for char in "*?[]"):
        return None
    return "." + pattern.rsplit(".", 1)[1].lower()


def linguist_kind(name: str, aliases: Iterable[str] = (), patterns: Iterable[str] = ()) -> LanguageKind:
    """The kind of the language a lexer called ``name``, with ``aliases``, claiming ``patterns``, is."""
    names, extensions = _linguist()
    for candidate in (name, *aliases):
        found = names.get(candidate.lower())
        if found is not None:
            return found
    kinds: set[LanguageKind] = set()
    for pattern in patterns:
        extension = extension_of(pattern)
        if extension is not None:
            kinds |= extensions.get(extension, frozenset())
    return kinds.pop() if len(kinds) == 1 else LanguageKind.UNCLASSIFIED
