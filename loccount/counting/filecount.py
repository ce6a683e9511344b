"""One file's verdict: pygount's state and its four line counts, as plain data.

No pygount here: the tables read these records without loading it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygount import SourceAnalysis


class FileState(StrEnum):
    """A file's state: pygount's own (``SourceState``, but ``duplicate``, which loccount never
    asks for), and ``huge`` for a file over the size cap, which pygount is never given."""

    ANALYZED = "analyzed"
    EMPTY = "empty"
    GENERATED = "generated"
    BINARY = "binary"
    ERROR = "error"
    UNKNOWN = "unknown"
    HUGE = "huge"


STATE_VALUES = frozenset(state.value for state in FileState)
#: States of a file that is in the release but whose lines could not be counted: pygount
#: cannot read it (``error``), takes it for binary, or it is over the size cap (``huge``).
#: Its lines are missing from the totals, which is said wherever it happens.
UNCOUNTED = frozenset({FileState.ERROR, FileState.BINARY, FileState.HUGE})


#: Exceptions that say something about the machine, never about the content (builtins only, so
#: the set does not depend on what happens to be imported).
ACCIDENT_TYPES = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, OSError | MemoryError)
)
_ACCIDENT_PREFIXES = ("[Errno ", "cannot write a scratch copy: ")


@dataclass(frozen=True, slots=True)
class FileCount:
    """pygount's verdict on one file: its state and its four line counts."""

    state: FileState
    language: str
    code: int = 0
    documentation: int = 0
    empty: int = 0
    string: int = 0
    state_info: str | None = None
    #: The lines of test code inside the file (code, documentation, empty, string), found by
    #: its language's content rule (:mod:`loccount.counting.inline`); part of the counts above,
    #: never added to them. None where the language has no such rule or it could not run.
    inline: tuple[int, int, int, int] | None = None

    @property
    def lines(self) -> int:
        return self.code + self.documentation + self.empty + self.string

    @property
    def values(self) -> tuple[int, int, int, int]:
        return self.code, self.documentation, self.empty, self.string

    @classmethod
    def from_analysis(cls, analysis: SourceAnalysis) -> FileCount:
        """pygount's result as plain data (its state_info may be an exception: kept as text)."""
        info = analysis.state_info
        return cls(
            state=FileState(analysis.state.name),
            language=analysis.language,
            code=analysis.code_count,
            documentation=analysis.documentation_count,
            empty=analysis.empty_count,
            string=analysis.string_count,
            state_info=None if info is None else str(info),
        )

    @classmethod
    def from_row(cls, state: object, language: object, *values: object) -> FileCount | None:
        """A count read back from the cache, or None for a row that cannot be one (edited, damaged):
        a known state, a language name, four whole numbers of lines, none negative, and a reason."""
        *counts, info = values
        if not isinstance(state, str) or state not in STATE_VALUES or not isinstance(language, str):
            return None
        if len(counts) != 4 or not all(type(n) is int and n >= 0 for n in counts):
            return None
        if info is not None and not isinstance(info, str):
            return None
        code, documentation, empty, string = (n for n in counts if isinstance(n, int))
        return cls(FileState(state), language, code, documentation, empty, string, info)

    @classmethod
    def error(cls, info: str) -> FileCount:
        return cls(state=FileState.ERROR, language="__error__", state_info=info)

    @property
    def accidental(self) -> bool:
        """An ``error`` that came from the machine (an OS error, memory), not from the content.

        pygount keeps only the text of the error it caught (``LookupError``, ``OSError`` or
        ``UnicodeError`` while reading); an OS error's text starts with ``[Errno N]``, the
        others' never do. The other prefixes are how loccount 0.1 recorded such accidents.
        """
        info = self.state_info or ""
        if self.state != FileState.ERROR:
            return False
        if info.startswith(_ACCIDENT_PREFIXES):
            return True
        raised = info.removeprefix("pygount raised ")
        return raised != info and raised.split(":", 1)[0] in ACCIDENT_TYPES


def huge(size: int, cap: int) -> FileCount:
    """A file over the size cap: never handed to pygount (made alike by the client and by a worker that reads it)."""
    return FileCount(
        state=FileState.HUGE, language=f"__{FileState.HUGE}__", state_info=f"{size} bytes is over the {cap}-byte cap"
    )
