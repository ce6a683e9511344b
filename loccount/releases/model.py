"""The records every release spec resolves to: ``Release`` and ``Tag``, and how a release was chosen.

Pure data, no git: the tables and the report read these records without loading GitPython.
"""

from __future__ import annotations

import datetime as datetime_module
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReleaseRule(StrEnum):
    """How a release was chosen; the ``rule`` column of every table."""

    #: A tag named on the command line or in the config.
    EXPLICIT_TAG = "explicit-tag"
    #: A tag whose whole name matches ``--tags-matching``.
    TAG_PATTERN = "tag-pattern"
    TAG = "tag"
    #: A commit named by its id.
    EXPLICIT_COMMIT = "explicit-commit"
    #: A dated snapshot of a branch, and the tip of a branch when nothing is selected.
    SNAPSHOT = "snapshot"
    BRANCH_TIP = "branch-tip"
    #: OpenStack's three-step rule for the version a deliverable shipped in a series.
    STABLE_BRANCH = "stable-branch"
    INTERMEDIARY = "intermediary"
    FIRST_FINAL = "first-final"


#: Rules of releases that name a version (the others name a commit, a branch or a period).
VERSIONED_RULES = frozenset({ReleaseRule.EXPLICIT_TAG, ReleaseRule.TAG_PATTERN, ReleaseRule.TAG})


@dataclass(frozen=True, slots=True)
class Release:
    """One release of one project: what to count (``commit``) and how it was chosen (``rule``)."""

    project: str
    version: str
    tag: str | None
    commit: str
    date: datetime | None
    series: str | None = None
    release_id: str | None = None
    series_date: datetime_module.date | None = None
    rule: ReleaseRule = ReleaseRule.TAG
    #: The OpenStack deliverable the repository shipped in (``sahara`` for ``sahara-extra``), its
    #: ``type`` (service, library, ...) and its ``team``, from the release data; None elsewhere.
    deliverable: str | None = None
    deliverable_type: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag of a repository, peeled to its commit, with its release date."""

    name: str
    commit: str
    date: datetime | None
    #: Why ``date`` is not the tag's own (a date Python cannot represent): said when the tag is counted.
    date_note: str | None = None
