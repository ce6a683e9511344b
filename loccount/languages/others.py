"""Which files a selection of languages takes, and what it leaves: the note that says what else is there.

A count of Python on a repository of Rust and Go must never print a near-empty table and stop:
the tree listing already says, by file name, what languages the rest is in and how big it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from loccount.gitio.entries import MISSING, EntryKind, TreeEntry
from loccount.languages.kinds import LanguageKind
from loccount.languages.lexers import claims, kind
from loccount.languages.selection import LanguageSelection

if TYPE_CHECKING:
    from loccount.releases.model import Release

#: How many of the other languages a note names.
NAMED = 3


@lru_cache(maxsize=65536)
def may_select(name: str, selection: LanguageSelection) -> bool:
    """Whether a file called ``name`` can be of a selected language (then it is read and counted)."""
    return any(selection.selects(language, kind(language)) for language in claims(name))


def _size(nbytes: int) -> str:
    if nbytes == MISSING:
        return "size not known: not in the clone"
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"


def other_languages(entries: Iterable[TreeEntry], selection: LanguageSelection) -> dict[str, tuple[int, int]]:
    """Files and bytes per programming language the selection leaves out, by each file's likeliest language.

    Bytes are :data:`MISSING` for a language with any file of unknown size (a partial clone's).
    """
    found: dict[str, tuple[int, int]] = {}
    for entry in entries:
        if entry.kind != EntryKind.FILE or may_select(entry.name, selection):
            continue
        claimed = claims(entry.name)
        if not claimed or kind(claimed[0]) != LanguageKind.PROGRAMMING:
            continue
        files, nbytes = found.get(claimed[0], (0, 0))
        unknown = MISSING in (nbytes, entry.size)
        found[claimed[0]] = (files + 1, MISSING if unknown else nbytes + entry.size)
    return found


#: Below this share of a project's programming-language bytes, the languages counted get a note of their own.
LOUD_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class LeftOut:
    """What a count left out of one project's latest release: files and bytes per programming language."""

    project: str
    version: str
    languages: dict[str, tuple[int, int]]
    #: Bytes of the programming-language files the selection takes.
    taken: int

    @property
    def left(self) -> int:
        return sum(max(nbytes, 0) for _files, nbytes in self.languages.values())

    @property
    def sized(self) -> bool:
        """Whether every byte count is known (not so in a partial clone, for files not counted)."""
        return self.taken != MISSING and all(nbytes != MISSING for _files, nbytes in self.languages.values())

    @property
    def share(self) -> float:
        """The share of the release's programming-language bytes the count took (1 where not known)."""
        if not self.sized:
            return 1.0
        whole = self.taken + self.left
        return self.taken / whole if whole else 1.0


def left_out(release: Release, entries: list[TreeEntry], selection: LanguageSelection) -> LeftOut | None:
    """The programming languages a count leaves out of a release, None if none."""
    others = other_languages(entries, selection)
    if not others:
        return None
    sizes = [
        e.size for e in entries if e.kind == EntryKind.FILE and may_select(e.name, selection) and _programming(e.name)
    ]
    taken = MISSING if MISSING in sizes else sum(sizes)
    return LeftOut(release.project, release.version, others, taken)


def _ranked(languages: dict[str, tuple[int, int]]) -> str:
    ranked = sorted(languages.items(), key=lambda item: (-item[1][1], item[0]))
    named = [
        f"{files:,} {language} file{'' if files == 1 else 's'} ({_size(nbytes)})"
        for language, (files, nbytes) in ranked[:NAMED]
    ]
    rest = ranked[NAMED:]
    if rest:
        named.append(f"{sum(files for _l, (files, _b) in rest):,} files in {len(rest)} more")
    return ", ".join(named)


#: Projects under :data:`LOUD_SHARE` named on a line of their own (those with most left out); a
#: count of hundreds of projects folds the rest into the line for all the others.
LOUD_LINES = 5


def left_out_notes(found: list[LeftOut], taken: str) -> list[str]:
    """Lines that say what a count left out: one per project whose languages counted are under
    :data:`LOUD_SHARE` of its code bytes (at most :data:`LOUD_LINES`), and one for all the others together."""
    hint = f"the count took {taken}; count the rest with --languages all or --language NAME"
    notes = []
    loud = sorted((item for item in found if item.share < LOUD_SHARE), key=lambda item: -item.left)
    loud, overflow = loud[:LOUD_LINES], loud[LOUD_LINES:]
    quiet = [item for item in found if item.share >= LOUD_SHARE or item in overflow]
    for item in found:
        if item in loud:
            notes.append(
                f"{item.project} {item.version}: the languages counted are only {100 * item.share:.1f} % of its "
                f"programming-language bytes; not counted: {_ranked(item.languages)} ({hint})"
            )
    if len(quiet) == 1:
        item = quiet[0]
        notes.append(f"{item.project} {item.version} also holds {_ranked(item.languages)}, not counted ({hint})")
    elif quiet:
        together: dict[str, tuple[int, int]] = {}
        for item in quiet:
            for language, (files, nbytes) in item.languages.items():
                known_files, known_bytes = together.get(language, (0, 0))
                unknown = MISSING in (known_bytes, nbytes)
                together[language] = (known_files + files, MISSING if unknown else known_bytes + nbytes)
        share = 100 * sum(i.left for i in quiet) / max(1, sum(i.left + i.taken for i in quiet))
        part = f"{share:.1f} % of their programming-language bytes" if all(i.sized for i in quiet) else "in all"
        notes.append(
            f"{len(quiet)} projects also hold other programming languages at their latest release, "
            f"{part}: {_ranked(together)}, not counted ({hint})"
        )
    return notes


def _programming(name: str) -> bool:
    claimed = claims(name)
    return bool(claimed) and kind(claimed[0]) == LanguageKind.PROGRAMMING
