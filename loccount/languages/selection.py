"""Which languages a count takes: named languages and whole kinds (``all``: the programming ones).

Pure data: a selection is written in ``repos.yaml`` (``languages:``) or on the command line
(``--language``, ``--languages``) and recorded with every figure it produced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from loccount.languages.kinds import LanguageKind


class Everything(StrEnum):
    """The words that stand for whole kinds of languages."""

    #: Every programming language (Linguist's type ``programming``).
    ALL = "all"
    #: Every language pygount knows: programming, markup, data, prose and unclassified.
    EVERYTHING = "everything"


WORD_KINDS: dict[Everything, frozenset[LanguageKind]] = {
    Everything.ALL: frozenset({LanguageKind.PROGRAMMING}),
    Everything.EVERYTHING: frozenset(LanguageKind),
}
#: What a count takes when nothing is said: loccount's question is about Python.
DEFAULT_LANGUAGE = "Python"


@dataclass(frozen=True, slots=True)
class LanguageSelection:
    """Languages by name (pygount's names, e.g. ``Rust``) and whole kinds of languages."""

    names: frozenset[str] = frozenset({DEFAULT_LANGUAGE})
    kinds: frozenset[LanguageKind] = frozenset()

    def selects(self, language: str, kind: LanguageKind) -> bool:
        """Whether a file pygount gives ``language`` (of Linguist ``kind``) is counted."""
        return language in self.names or kind in self.kinds

    @property
    def only(self) -> tuple[str, ...]:
        """The named languages when the selection is nothing but names, in name order."""
        return () if self.kinds else tuple(sorted(self.names))

    def describe(self) -> str:
        """``Python``, ``all``, ``all + YAML``: how provenance and notes name the selection."""
        words = [word.value for word, kinds in WORD_KINDS.items() if kinds == self.kinds]
        parts = (words or sorted(kind.value for kind in self.kinds)) + sorted(self.names)
        return " + ".join(parts) if parts else "nothing"


DEFAULT_SELECTION = LanguageSelection()


def parse_selection(values: Iterable[str], resolve: Callable[[str], str] | None = None) -> LanguageSelection:
    """A selection from words and names (``all``, ``everything``, ``Rust``, ``go``).

    ``resolve`` turns a user's name into pygount's (``rust`` -> ``Rust``); it raises
    ValueError for a name pygount does not know. Without it, names are kept as given.
    """
    names: set[str] = set()
    kinds: set[LanguageKind] = set()
    for raw in values:
        for value in (part.strip() for part in raw.split(",")):
            if not value:
                continue
            if value.lower() in WORD_KINDS:
                kinds |= WORD_KINDS[Everything(value.lower())]
            else:
                names.add(resolve(value) if resolve is not None else value)
    if not names and not kinds:
        raise ValueError("no language selected")
    return LanguageSelection(frozenset(names), frozenset(kinds))
