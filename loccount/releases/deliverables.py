"""OpenStack deliverables as the project list: which repositories shipped in which series, and as what.

Each series' ``deliverables/<series>/<name>.yaml`` in ``openstack/releases`` names its
``type`` (service, library, client-library, ...), its ``team`` and its versions, each with
the commit of every repository it released. A repository is counted in a series only when
a deliverable of that series released it and passes the selection, so projects appear and
retire as they really did (a deliverable file with no release yet ships nothing). This module is the pure part:
the records and the selection; reading the files is :mod:`loccount.releases.release_data`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

#: The word that selects every deliverable type.
ALL_TYPES = "all"


@dataclass(frozen=True, slots=True)
class Membership:
    """A repository's place in one series: the deliverable that shipped it, its type and its team."""

    deliverable: str
    type: str | None
    team: str | None


@dataclass(frozen=True, slots=True)
class DeliverableFile:
    """What loccount reads of one series' deliverable file."""

    series: str
    name: str
    type: str | None
    team: str | None
    #: Full repository names (``openstack/nova``), in the file's order.
    repositories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BrokenFile:
    """A deliverable file that cannot be read: its deliverable fails, the others are counted."""

    series: str
    name: str
    #: Its ``type``, when the YAML can still say it (a selection by type passes the others by).
    type: str | None
    reason: str

    def selected(self, types: Collection[str], exclude: Collection[str]) -> bool:
        """Whether a selection would have taken it: a file whose type cannot be read is always taken."""
        return takes(self.name, self.type, types, exclude, untyped=self.type is None)


@dataclass(frozen=True, slots=True)
class RepositoryPlan:
    """One repository to count: its project name, full name and its deliverable in each series it shipped in."""

    name: str
    repository: str
    series: Mapping[str, Membership] = field(default_factory=dict)


def short_name(repository: str) -> str:
    """``openstack/nova`` -> ``nova``: the project name of a repository."""
    return repository.rstrip("/").rsplit("/", 1)[-1]


def repositories_of(releases: Iterable[Mapping[str, object]]) -> tuple[str, ...]:
    """The repositories a deliverable's releases name, in first-named order."""
    found: dict[str, None] = {}
    for entry in releases:
        for project in entry.get("projects") or []:  # type: ignore[attr-defined]
            repo = project.get("repo") if isinstance(project, Mapping) else None
            if isinstance(repo, str) and repo:
                found.setdefault(repo)
    return tuple(found)


def takes(
    name: str, kind: str | None, types: Collection[str], exclude: Collection[str], *, untyped: bool = False
) -> bool:
    """Whether a selection takes a deliverable: not excluded by name, and of a chosen type (or
    ``untyped``: its type is unknown, so it cannot be passed by)."""
    if name in exclude:
        return False
    return untyped or ALL_TYPES in types or (kind or "") in types


def selected(file: DeliverableFile, types: Collection[str], exclude: Collection[str]) -> bool:
    """Whether a deliverable passes a selection: its type is chosen and it is not excluded by name."""
    return takes(file.name, file.type, types, exclude)


def plan_repositories(
    files: Iterable[DeliverableFile], types: Collection[str], exclude: Collection[str]
) -> list[RepositoryPlan]:
    """Every repository the selected deliverables list, with the series it shipped in, in first-seen order.

    ``exclude`` names deliverables or repositories (full or short names). Two repositories
    with one short name (``openstack/x`` and ``x/x``) keep distinct project names: the
    later one is named by its full name with ``/`` as ``-``.
    """
    plans: dict[str, dict[str, Membership]] = {}
    for file in files:
        if not selected(file, types, exclude):
            continue
        for repository in file.repositories:
            if repository in exclude or short_name(repository) in exclude:
                continue
            plans.setdefault(repository, {})[file.series] = Membership(file.name, file.type, file.team)
    names: dict[str, str] = {}
    out = []
    for repository, series in plans.items():
        name = short_name(repository)
        if name in names and names[name] != repository:
            name = repository.replace("/", "-")
        names[name] = repository
        out.append(RepositoryPlan(name, repository, series))
    return out


def unknown_exclusions(files: Iterable[DeliverableFile], exclude: Collection[str]) -> list[str]:
    """Names in ``exclude`` that match no deliverable nor repository of the data (a likely typo)."""
    known: set[str] = set()
    for file in files:
        known.add(file.name)
        known.update(file.repositories)
        known.update(short_name(repository) for repository in file.repositories)
    return [name for name in exclude if name not in known]
