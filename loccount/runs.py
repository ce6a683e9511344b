"""Config runs: resolve every configured project's releases, then count them all in one pass."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import git

from loccount.config import Config, Project, fill_url
from loccount.counting.engine import EngineOptions
from loccount.errors import ConfigError, LoccountError, ReleaseError
from loccount.gitio.mirror import open_repository
from loccount.gitio.tree import DEFAULT_SIMILARITY
from loccount.languages.selection import LanguageSelection
from loccount.options import DEFAULT_OPTIONS, RunOptions
from loccount.pipeline import (
    Comparison,
    Group,
    ReleaseSpec,
    Result,
    compare_releases,
    count_releases,
    select_releases,
)
from loccount.provenance import Selection
from loccount.releases.deliverables import ALL_TYPES, Membership, plan_repositories, unknown_exclusions
from loccount.releases.model import Release
from loccount.releases.order import find_release
from loccount.releases.release_data import ReleaseData, resolve_project
from loccount.releases.series import KNOWN_SERIES, Series, canonical_series, select_series
from loccount.releases.tags import list_tags
from loccount.tables.outcomes import Outcomes, deliverable_outcomes, projects_without_files

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedProject:
    """One project a config run will count: its repository, its releases in order, and that order's name."""

    repo: git.Repo
    releases: list[Release]
    #: How the releases are ordered: by series, by version, or by date (see :mod:`loccount.releases.order`).
    order: str
    #: Its entry in the config, or the one a deliverables selection made for it.
    project: Project


@dataclass
class Plan:
    """What a config run will count: each project's repository and releases, or why it failed."""

    config: Config
    series: list[Series]
    projects: dict[str, PlannedProject] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    release_data_commit: str | None = None
    #: Each selected project's deliverable (the one it last shipped in), failed ones included.
    deliverables: dict[str, str] = field(default_factory=dict)
    #: The projects a deliverables selection chose: those with nothing to count are skipped, not counted.
    selected: set[str] = field(default_factory=set)

    def all_releases(self) -> list[Release]:
        return [release for project in self.projects.values() for release in project.releases]

    def selection(self) -> Selection:
        """How the releases were chosen, for the count's provenance."""
        return Selection(
            release_data_commit=self.release_data_commit,
            series=[s.name for s in self.series],
            failures=self.failures,
            release_order={name: project.order for name, project in self.projects.items()},
            notes=self.notes,
            skipped=self.skipped(),
            deliverable_of=self.deliverables,
        )

    def skipped(self) -> dict[str, str]:
        """Projects that shipped nothing countable in the series: no final version in any of them."""
        series = ", ".join(s.name for s in self.series) if len(self.series) <= 3 else "the selected series"
        return {
            name: f"no final version in {series}"
            for name, project in self.projects.items()
            if not project.releases and name in self.selected
        }


@dataclass
class Analysis:
    """A config run's result: the counts, the releases they came from, and what failed."""

    plan: Plan
    result: Result | None

    @property
    def failures(self) -> dict[str, str]:
        """Projects that could not be resolved, and those whose blobs could not be fetched."""
        counted = dict(self.result.provenance.failures) if self.result is not None else {}
        return {**self.plan.failures, **counted}

    def outcomes(self) -> Outcomes:
        """The deliverables counted, skipped and failed (projects, where there are no deliverables)."""
        skipped = self.result.provenance.skipped if self.result is not None else self.plan.skipped()
        counted = [] if self.result is None else list(dict.fromkeys(self.result.tidy["project"]))
        return deliverable_outcomes(counted, skipped, self.failures, self.plan.deliverables)


SERIES_ORDER = "series"


def release_spec(project: Project) -> ReleaseSpec:
    """The tags, pattern and snapshots a non-series project of a config selects."""
    return ReleaseSpec(
        tags=project.tags if isinstance(project.tags, list) else (),
        tags_matching=project.tags_matching,
        every=project.every,
        since=project.since,
        until=project.until,
        branch=project.branch,
    )


def choose_series(all_series: Sequence[Series], config: Config, names: Sequence[str] = ()) -> list[Series]:
    """Series named on the command line (names or release ids), else the config's selection."""
    if not names:
        return select_series(all_series, config.series)
    chosen = []
    listed = {s.name for s in all_series}
    for name in names:
        canonical = canonical_series(name)
        if canonical is None:
            raise ConfigError(f"--series: unknown series {name!r}")
        if canonical not in listed:
            raise ConfigError(f"--series: {canonical} is not in the release data yet")
        chosen.append(canonical)
    return select_series(all_series, list(dict.fromkeys(chosen)))


#: Repositories opened (cloned, fetched) and resolved at once: git does the work, threads wait on it.
OPEN_THREADS = 8


def deliverable_projects(
    config: Config, data: ReleaseData, chosen: Sequence[Series], notes: list[str], failures: dict[str, str]
) -> list[Target]:
    """The repositories the config's deliverables selection names in the chosen series (none without one).

    A deliverable whose file is broken is recorded in ``failures`` under its name; the others go on.
    """
    selection = config.deliverables
    if selection is None:
        return []
    files, broken = data.deliverable_files([s.name for s in chosen])
    types = selection.type_names
    for file in broken:
        if file.selected(types, selection.exclude):
            failures.setdefault(file.name, file.reason)
    if ALL_TYPES not in types:
        present = {file.type for file in files if file.type}
        absent = [name for name in types if name not in present]
        if absent:
            raise ConfigError(
                f"{config.source}: deliverables.types: no deliverable of type {absent[0]!r} in series "
                f"{', '.join(s.name for s in chosen)} (types there: {', '.join(sorted(present)) or 'none'})"
            )
    unreadable = {file.name for file in broken}
    unknown = unknown_exclusions(files, [name for name in selection.exclude if name not in unreadable])
    if unknown:
        notes.append(f"deliverables.exclude: {', '.join(unknown)} names no deliverable or repository of these series")
    explicit = {project.name: project for project in config.projects}
    targets = []
    for planned in plan_repositories(files, types, selection.exclude):
        project = explicit.get(planned.name) or Project(
            name=planned.name, url=fill_url(selection.url, planned.repository)
        )
        targets.append(Target(project, planned.series, planned.repository))
    return targets


@dataclass(frozen=True)
class Target:
    """A project to resolve: its config entry, and with a deliverables selection, the series it shipped in."""

    project: Project
    memberships: Mapping[str, Membership] | None = None
    repository: str | None = None

    @property
    def deliverable(self) -> str:
        """The deliverable the project last shipped in (its config's, without a selection)."""
        if self.memberships:
            return list(self.memberships.values())[-1].deliverable
        return self.project.deliverable_name


def plan_config(
    config: Config,
    *,
    series: Sequence[str] = (),
    projects: Sequence[str] = (),
    options: RunOptions = DEFAULT_OPTIONS,
) -> Plan:
    """Open every selected project's repository and resolve its releases, several at once.

    The projects are the config's list and, with ``deliverables``, every repository the
    selected deliverables shipped in the chosen series. A project that fails, for any reason
    short of an interrupt, is recorded in ``failures`` and the others go on; an error that is
    not a :class:`LoccountError` is recorded as ``unexpected <type>: <message>``, with its
    traceback logged at debug level.
    """
    if options.clone is None and config.clone is not None:
        options = replace(options, clone=config.clone)
    data = None
    all_series = list(KNOWN_SERIES)
    listed = list(config.projects)
    if config.deliverables is not None or any(project.by_series for project in listed):
        data = ReleaseData(_open(config.releases_url, options))
        all_series = data.series()
    chosen = choose_series(all_series, config, series)
    result = Plan(config=config, series=chosen, release_data_commit=data.commit if data else None)
    targets = deliverable_projects(config, data, chosen, result.notes, result.failures) if data is not None else []
    named = {target.project.name for target in targets}
    targets += [Target(project) for project in listed if project.name not in named]
    targets = _selected_targets(targets, projects)
    result.deliverables = {target.project.name: target.deliverable for target in targets}
    result.selected = {target.project.name for target in targets if target.memberships is not None}
    with ThreadPoolExecutor(OPEN_THREADS) as pool:
        outcomes = list(pool.map(lambda target: _resolve(target, data, chosen, options), targets))
    for target, (planned, failure, notes) in zip(targets, outcomes, strict=True):
        result.notes.extend(notes)
        if failure is not None:
            result.failures[target.project.name] = failure
        elif planned is not None:
            result.projects[target.project.name] = planned
    if not result.all_releases() and not result.failures:
        raise ReleaseError(
            f"nothing selected: no release of {', '.join(t.project.name for t in targets) or '(no project)'} "
            f"in series {', '.join(s.name for s in chosen) or '(none)'}"
        )
    return result


def _selected_targets(targets: list[Target], names: Sequence[str]) -> list[Target]:
    """The targets, or only those named (each must exist)."""
    if not names:
        return targets
    known = {target.project.name: target for target in targets}
    missing = [name for name in names if name not in known]
    if missing:
        shown = ", ".join(list(known)[:10]) + (f" and {len(known) - 10:,} more" if len(known) > 10 else "")
        raise ConfigError(f"--project: no project {missing[0]!r} in the config (it has {shown})")
    return [known[name] for name in dict.fromkeys(names)]


def _open(url: str, options: RunOptions) -> git.Repo:
    return open_repository(
        url, options.mirrors, refresh=options.refresh, progress=options.status, clone=options.clone_mode
    )


def _resolve(
    target: Target, data: ReleaseData | None, chosen: Sequence[Series], options: RunOptions
) -> tuple[PlannedProject | None, str | None, list[str]]:
    """One project's repository and releases, or why not; with the notes its resolution made."""
    project = target.project
    notes: list[str] = []
    try:
        repo = _open(project.repo_url, options)
        tags = list_tags(repo, notes)
        if (project.by_series or target.memberships is not None) and data is not None:
            explicit = project.tags if isinstance(project.tags, dict) else {}
            found = resolve_project(
                data,
                repo,
                project.name,
                project.deliverable_name,
                chosen,
                tags,
                explicit,
                notes,
                memberships=target.memberships,
                repository=target.repository,
            )
            order = SERIES_ORDER
        else:
            found, order = select_releases(repo, project.name, release_spec(project), known=tags, notes=notes)
    except LoccountError as error:
        return None, str(error), notes
    except Exception as error:  # one project's odd data or a bug must not stop the others
        _log.debug("unexpected error while resolving %s", project.name, exc_info=True)
        return None, f"unexpected {type(error).__name__}: {error}", notes
    return PlannedProject(repo, found, order, project), None, notes


def count_config(
    config: Config,
    *,
    series: Sequence[str] = (),
    projects: Sequence[str] = (),
    options: RunOptions = DEFAULT_OPTIONS,
    with_changes: bool = False,
    languages: LanguageSelection | None = None,
) -> Analysis:
    """Count every selected project at every selected release of a config, in one pass.

    ``with_changes`` also makes the per-file changes between consecutive releases;
    ``languages`` replaces the config's languages for every project.
    """
    chosen = plan_config(config, series=series, projects=projects, options=options)
    if options.engine is None:
        options = replace(options, engine=EngineOptions(max_blob_bytes=config.max_blob_bytes))
    groups = [
        Group(
            planned.repo,
            planned.releases,
            config.rule_for(planned.project),
            languages or config.languages_for(planned.project),
        )
        for planned in chosen.projects.values()
        if planned.releases
    ]
    result = count_releases(groups, options, chosen.selection(), with_changes=with_changes) if groups else None
    if result is not None:
        result = _without_empty(result, chosen, languages or config.languages)
    return Analysis(plan=chosen, result=result)


def _without_empty(result: Result, plan: Plan, languages: LanguageSelection) -> Result:
    """The result without the deliverables' repositories that hold no file of the languages: skipped, and said."""
    empty = [name for name in projects_without_files(result.tidy) if name in plan.selected]
    skipped = {**result.provenance.skipped, **{name: f"no {languages.describe()} files" for name in empty}}
    provenance = replace(result.provenance, skipped=skipped)
    if not empty or len(empty) == result.tidy["project"].nunique():
        return replace(result, provenance=provenance)
    keep = set(empty)
    return replace(
        result,
        tidy=result.tidy[~result.tidy["project"].isin(keep)].reset_index(drop=True),
        files=result.files[~result.files["project"].isin(keep)].reset_index(drop=True),
        snapshots=[snapshot for snapshot in result.snapshots if snapshot.release.project not in keep],
        changes=None if result.changes is None else result.changes[~result.changes["project"].isin(keep)],
        repos={name: repo for name, repo in result.repos.items() if name not in keep},
        provenance=provenance,
    )


def compare_config(
    config: Config,
    project: str,
    old: str,
    new: str,
    *,
    options: RunOptions = DEFAULT_OPTIONS,
    similarity: int = DEFAULT_SIMILARITY,
    languages: LanguageSelection | None = None,
) -> Comparison:
    """Compare one configured project at two of its releases, each named by series, version or tag."""
    chosen = plan_config(config, projects=[project], options=options)
    if project in chosen.failures:
        raise LoccountError(f"{project}: {chosen.failures[project]}")
    releases = chosen.projects[project].releases
    before, after = find_release(releases, old), find_release(releases, new)
    if before == after:
        raise ReleaseError(f"{project}: {old!r} and {new!r} are both release {before.version}; nothing to compare")
    if options.engine is None:
        options = replace(options, engine=EngineOptions(max_blob_bytes=config.max_blob_bytes))
    configured = chosen.projects[project].project
    chosen_languages = languages or config.languages_for(configured)
    repo = chosen.projects[project].repo
    return compare_releases(repo, before, after, config.rule_for(configured), options, similarity, chosen_languages)
