"""The entries of a commit's tree and the moves between two trees, as plain data (no git)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntryKind(StrEnum):
    """What a tree entry is: the ``kind`` column; symlinks and submodules are listed, never followed."""

    FILE = "file"
    SYMLINK = "symlink"
    SUBMODULE = "submodule"


SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
_GITLINK = GITLINK_MODE.encode()
#: Size git reports as ``BAD`` when a blob is absent (partial or damaged clones).
MISSING = -1


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One non-tree entry of a commit's tree."""

    path: str
    sha: str
    mode: str
    size: int  # MISSING when the object store lacks the blob

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def kind(self) -> EntryKind:
        """A file, symlink or submodule: only files are ever read or counted."""
        if self.mode == SYMLINK_MODE:
            return EntryKind.SYMLINK
        if self.mode == GITLINK_MODE:
            return EntryKind.SUBMODULE
        return EntryKind.FILE


@dataclass(frozen=True, slots=True)
class Rename:
    """A file git pairs across two commits: gone from ``old_path``, found again at ``new_path``."""

    old_path: str
    new_path: str
    similarity: int  # git's score: the share of the old content kept, in percent
