"""How a new mirror is cloned: the vocabulary alone, so a config can name it without loading git."""

from __future__ import annotations

from enum import StrEnum


class CloneMode(StrEnum):
    """How a new mirror is cloned; an existing mirror keeps the mode it was cloned with."""

    #: Every object: about twice the disk of a partial clone, but nothing is fetched later.
    FULL = "full"
    #: Commits and trees only (``--filter=blob:none``); the blobs a count reads are fetched in bulk.
    PARTIAL = "partial"
