"""Config runs: resolve every configured project's releases, then count them all in one pass."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import git

from loccount.config import Config, Project
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
from loccount.releases.model import Release
from loccount.releases.order import find_release
from loccount.releases.release_data import ReleaseData, resolve_project
from loccount.releases.series import KNOWN_SERIES, Series, canonical_series, select_series
from loccount.releases.tags import list_tags

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedProject:
    """One project a config run will count: its repository, its releases in order, and that order's name."""

    repo: git.Repo
    releases: list[Release]
    #: How the releases are ordered: by series, by version, or by date (see :mod:`loccount.releases.order`).
    order: str


@dataclass
class Plan:
    """What a config run will count: each project's repository and releases, or why it failed."""

    config: Config
    series: list[Series]
    projects: dict[str, PlannedProject] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    release_data_commit: str | None = None

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
        )


@dataclass
class Analysis:
    """A config run's result: the counts, the releases they came from, and what failed."""

    plan: Plan
    result: Result | None

    @property
    def failures(self) -> dict[str, str]:
        return self.plan.failures


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


def select_projects(config: Config, names: Sequence[str] = ()) -> list[Project]:
    """The config's projects, or only those named (each must exist)."""
    if not names:
        return list(config.projects)
    known = {project.name: project for project in config.projects}
    missing = [name for name in names if name not in known]
    if missing:
        raise ConfigError(f"--project: no project {missing[0]!r} in the config (it has {', '.join(known)})")
    return [known[name] for name in dict.fromkeys(names)]


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


def plan_config(
    config: Config,
    *,
    series: Sequence[str] = (),
    projects: Sequence[str] = (),
    options: RunOptions = DEFAULT_OPTIONS,
) -> Plan:
    """Open every selected project's repository and resolve its releases.

    A project that fails, for any reason short of an interrupt, is recorded in ``failures``
    and the others go on; an error that is not a :class:`LoccountError` is recorded as
    ``unexpected <type>: <message>``, with its traceback logged at debug level.
    """
    selected = select_projects(config, projects)

    def open_url(url: str) -> git.Repo:
        return open_repository(url, options.mirrors, refresh=options.refresh, progress=options.status)

    data = None
    all_series = list(KNOWN_SERIES)
    if any(project.by_series for project in selected):
        data = ReleaseData(open_url(config.releases_url))
        all_series = data.series()
    chosen = choose_series(all_series, config, series)
    result = Plan(config=config, series=chosen, release_data_commit=data.commit if data else None)
    for project in selected:
        try:
            repo = open_url(project.repo_url)
            tags = list_tags(repo, result.notes)
            if project.by_series and data is not None:
                explicit = project.tags if isinstance(project.tags, dict) else {}
                found = resolve_project(
                    data, repo, project.name, project.deliverable_name, chosen, tags, explicit, result.notes
                )
                order = SERIES_ORDER
            else:
                found, order = select_releases(
                    repo, project.name, release_spec(project), known=tags, notes=result.notes
                )
        except LoccountError as error:
            result.failures[project.name] = str(error)
            continue
        except Exception as error:  # one project's odd data or a bug must not stop the others
            _log.debug("unexpected error while resolving %s", project.name, exc_info=True)
            result.failures[project.name] = f"unexpected {type(error).__name__}: {error}"
            continue
        result.projects[project.name] = PlannedProject(repo, found, order)
    if not result.all_releases() and not result.failures:
        raise ReleaseError(
            f"nothing selected: no release of {', '.join(p.name for p in selected)} "
            f"in series {', '.join(s.name for s in chosen) or '(none)'}"
        )
    return result


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
    by_name = {project.name: project for project in config.projects}
    groups = [
        Group(
            planned.repo,
            planned.releases,
            config.rule_for(by_name[name]),
            languages or config.languages_for(by_name[name]),
        )
        for name, planned in chosen.projects.items()
        if planned.releases
    ]
    result = count_releases(groups, options, chosen.selection(), with_changes=with_changes) if groups else None
    return Analysis(plan=chosen, result=result)


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
    configured = next(p for p in config.projects if p.name == project)
    chosen_languages = languages or config.languages_for(configured)
    repo = chosen.projects[project].repo
    return compare_releases(repo, before, after, config.rule_for(configured), options, similarity, chosen_languages)
