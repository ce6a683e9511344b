"""OpenStack release series: which version of each project shipped in each series.

The map comes from the release-management repository (``openstack/releases``), mirrored
like any other repository: ``data/series_status.yaml`` lists series, release ids and dates,
``deliverables/<series>/<deliverable>.yaml`` each version with its commit. The version a
project shipped in a series' coordinated release is, in order:

1. ``stable-branch``: the ``stable/<series>`` branch location in the deliverable; a
   pre-release location (``12.0.0.0rc1``) means the first final version after it;
2. ``intermediary``: for ``cycle-with-intermediary`` projects, the last final version
   tagged on or before the series' release date;
3. ``first-final``: the series' first final version.

Explicit tags in ``repos.yaml`` always win (``explicit-tag``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import git
import yaml

from .errors import ReleaseError
from .releases import Release, Tag, commit_date
from .tree import list_tree, read_blob

SERIES_STATUS = "data/series_status.yaml"
UNRELEASED = frozenset({"future", "development"})
_FINAL = re.compile(r"^\d+(\.\d+)+$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Series:
    """One OpenStack release series."""

    name: str
    release_id: str
    date: date | None
    status: str | None = None

    @property
    def title(self) -> str:
        return self.name.capitalize()

    @property
    def released(self) -> bool:
        return self.status not in UNRELEASED


def _series(name: str, release_id: str, day: str) -> Series:
    return Series(name, release_id, date.fromisoformat(day))


#: Every series up to the time of writing, oldest first. The release-management data adds
#: statuses (and any newer series); release ids before 2023.1 are the year.half numbering
#: the early releases used, continued.
KNOWN_SERIES: tuple[Series, ...] = (
    _series("austin", "2010.1", "2010-10-21"),
    _series("bexar", "2011.1", "2011-02-03"),
    _series("cactus", "2011.2", "2011-04-15"),
    _series("diablo", "2011.3", "2011-09-22"),
    _series("essex", "2012.1", "2012-04-05"),
    _series("folsom", "2012.2", "2012-09-27"),
    _series("grizzly", "2013.1", "2013-04-04"),
    _series("havana", "2013.2", "2013-10-17"),
    _series("icehouse", "2014.1", "2014-04-17"),
    _series("juno", "2014.2", "2014-10-16"),
    _series("kilo", "2015.1", "2015-04-30"),
    _series("liberty", "2015.2", "2015-10-15"),
    _series("mitaka", "2016.1", "2016-04-07"),
    _series("newton", "2016.2", "2016-10-06"),
    _series("ocata", "2017.1", "2017-02-22"),
    _series("pike", "2017.2", "2017-08-30"),
    _series("queens", "2018.1", "2018-02-28"),
    _series("rocky", "2018.2", "2018-08-30"),
    _series("stein", "2019.1", "2019-04-10"),
    _series("train", "2019.2", "2019-10-16"),
    _series("ussuri", "2020.1", "2020-05-13"),
    _series("victoria", "2020.2", "2020-10-14"),
    _series("wallaby", "2021.1", "2021-04-14"),
    _series("xena", "2021.2", "2021-10-06"),
    _series("yoga", "2022.1", "2022-03-30"),
    _series("zed", "2022.2", "2022-10-05"),
    _series("antelope", "2023.1", "2023-03-22"),
    _series("bobcat", "2023.2", "2023-10-04"),
    _series("caracal", "2024.1", "2024-04-03"),
    _series("dalmatian", "2024.2", "2024-10-02"),
    _series("epoxy", "2025.1", "2025-04-02"),
    _series("flamingo", "2025.2", "2025-10-01"),
    _series("gazpacho", "2026.1", "2026-04-01"),
    _series("hibiscus", "2026.2", "2026-09-30"),
    _series("indri", "2027.1", "2027-03-24"),
)
_BY_KEY = {s.name: s.name for s in KNOWN_SERIES} | {s.release_id: s.name for s in KNOWN_SERIES}


def canonical_series(value: str) -> str | None:
    """The series name for a name (any case) or a release id (``2014.2``), else None."""
    return _BY_KEY.get(str(value).strip().lower())


def is_final(version: str) -> bool:
    """``2014.2`` and ``12.0.0`` are final; ``12.0.0.0rc1``, ``2015.1.0b1``, ``ussuri-eol`` are not."""
    return bool(_FINAL.match(version))


class ReleaseData:
    """The parts of a checkout of ``openstack/releases`` that loccount reads, straight from git."""

    def __init__(self, repo: git.Repo, revision: str = "HEAD") -> None:
        self.repo = repo
        try:
            self.commit = repo.git.rev_parse("--verify", "--end-of-options", f"{revision}^{{commit}}")
        except git.GitCommandError:
            raise ReleaseError(f"{repo.git_dir}: release data has no {revision} commit") from None
        self._blobs = {
            entry.path: entry.sha
            for entry in list_tree(repo, self.commit)
            if entry.path == SERIES_STATUS or entry.path.startswith("deliverables/")
        }
        if SERIES_STATUS not in self._blobs:
            raise ReleaseError(f"{repo.git_dir}: not an openstack/releases repository (no {SERIES_STATUS})")

    def _yaml(self, path: str) -> object:
        try:
            return yaml.load(read_blob(self.repo, self._blobs[path]), Loader=_Loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as error:
            raise ReleaseError(f"release data {path}: not valid YAML: {str(error).splitlines()[0]}") from None

    def series(self) -> list[Series]:
        """The data's series, oldest first, with ids and dates from the built-in table where the data has none."""
        known = {s.name: s for s in KNOWN_SERIES}
        data = self._yaml(SERIES_STATUS)
        records = data if isinstance(data, list) else []
        listed: dict[str, Series] = {}
        for record in records:
            if not isinstance(record, dict) or not isinstance(record.get("name"), str):
                continue
            name = record["name"].lower()
            base = known.get(name)
            day = record.get("initial-release")
            day = day if isinstance(day, date) else (base.date if base else None)
            release_id = str(record.get("release-id") or (base.release_id if base else name))
            listed[name] = Series(name, release_id, day, str(record.get("status") or "") or None)
        chosen = listed or known
        return sorted(chosen.values(), key=lambda s: (s.date or date.max, s.name))

    def deliverable(self, series: str, name: str) -> dict | None:
        """``deliverables/<series>/<name>.yaml``, or None when the project is not in that series."""
        path = f"deliverables/{series}/{name}.yaml"
        if path not in self._blobs:
            return None
        data = self._yaml(path)
        return data if isinstance(data, dict) else None


@dataclass(frozen=True, slots=True)
class Shipped:
    version: str
    commit: str
    rule: str


def _versions(deliverable: Mapping, repo_names: Collection[str]) -> list[tuple[str, str]]:
    """(version, commit) for the project's repository, in the deliverable's order."""
    found = []
    for entry in deliverable.get("releases") or []:
        if not isinstance(entry, dict) or "version" not in entry:
            continue
        projects = [p for p in entry.get("projects") or [] if isinstance(p, dict) and p.get("hash")]
        chosen = next((p for p in projects if str(p.get("repo", "")).split("/")[-1] in repo_names), None)
        chosen = chosen or (projects[0] if projects else None)
        if chosen:
            found.append((str(entry["version"]), str(chosen["hash"])))
    return found


DateOf = Callable[[str, str], datetime | None]


def choose_version(
    deliverable: Mapping,
    series: Series,
    repo_names: Collection[str],
    date_of: DateOf,
) -> Shipped | None:
    """The version shipped in ``series`` by the three-step rule, or None if there is none.

    ``date_of(version, commit)`` gives a version's tag date; it is asked only in step 2.
    """
    versions = _versions(deliverable, repo_names)
    finals = [(v, c) for v, c in versions if is_final(v)]
    if not finals:
        return None
    branch = f"stable/{series.name}"
    for entry in deliverable.get("branches") or []:
        if not isinstance(entry, dict) or entry.get("name") != branch:
            continue
        location = entry.get("location")
        if isinstance(location, dict):
            location = next(iter(location.values()), None)
        location = str(location) if location is not None else ""
        names = [v for v, _ in versions]
        hashes = [c for _, c in versions]
        index = names.index(location) if location in names else hashes.index(location) if location in hashes else None
        if index is not None:
            for version, commit in versions[index:]:
                if is_final(version):
                    return Shipped(version, commit, "stable-branch")
    if deliverable.get("release-model") == "cycle-with-intermediary" and series.date:
        dated = [(when, v, c) for v, c in finals if (when := date_of(v, c)) is not None]
        on_time = [(when, v, c) for when, v, c in dated if when.astimezone(UTC).date() <= series.date]
        if on_time:
            _when, version, commit = max(on_time, key=lambda item: item[0])
            return Shipped(version, commit, "intermediary")
    version, commit = finals[0]
    return Shipped(version, commit, "first-final")


def resolve_project(
    data: ReleaseData,
    repo: git.Repo,
    project: str,
    deliverable_name: str,
    series_list: Sequence[Series],
    tags: Mapping[str, Tag],
    explicit: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> list[Release]:
    """The project's release in each series of ``series_list`` that has one.

    A release whose recorded commit is not in the repository falls back to its tag's commit;
    with neither it is left out and said in ``notes``.
    """
    explicit = explicit or {}
    repo_names = {deliverable_name, project}
    releases = []
    for series in series_list:
        if series.name in explicit:
            name = explicit[series.name]
            tag = tags.get(name)
            if tag is None:
                raise ReleaseError(f"{project}: tag {name!r} given for {series.name} does not exist")
            releases.append(_release(project, series, name, tag.commit, "explicit-tag", tags, repo))
            continue
        deliverable = data.deliverable(series.name, deliverable_name)
        if deliverable is None:
            continue
        shipped = choose_version(deliverable, series, repo_names, lambda v, c: _tag_or_commit_date(repo, v, c, tags))
        if shipped is None:
            continue
        commit = shipped.commit
        if not has_commit(repo, commit):
            tag = tags.get(shipped.version)
            if tag is None:
                if notes is not None:
                    notes.append(
                        f"{project} {series.name}: commit {commit} of {shipped.version} is not in the repository"
                    )
                continue
            commit = tag.commit
        releases.append(_release(project, series, shipped.version, commit, shipped.rule, tags, repo))
    return releases


def has_commit(repo: git.Repo, sha: str) -> bool:
    """Whether ``sha`` names a commit in ``repo`` (one persistent ``cat-file --batch-check``)."""
    try:
        _sha, kind, _size = repo.git.get_object_header(sha)
    except ValueError:
        return False
    return kind in ("commit", b"commit")


def _tag_or_commit_date(repo: git.Repo, version: str, commit: str, tags: Mapping[str, Tag]) -> datetime | None:
    tag = tags.get(version)
    if tag is not None:
        return tag.date
    try:
        return commit_date(repo, commit)
    except git.GitCommandError:
        return None


def _release(
    project: str, series: Series, version: str, commit: str, rule: str, tags: Mapping[str, Tag], repo: git.Repo
) -> Release:
    tag = tags.get(version)
    when = tag.date if tag is not None else _tag_or_commit_date(repo, version, commit, tags)
    return Release(
        project=project,
        version=version,
        tag=version if tag is not None else None,
        commit=commit,
        date=when,
        series=series.name,
        release_id=series.release_id,
        series_date=series.date,
        rule=rule,
    )


def select_series(all_series: Sequence[Series], selection: object) -> list[Series]:
    """Series chosen by a config selection: a list of names, or a from/to range of released series."""
    by_name = {s.name: s for s in all_series}
    if isinstance(selection, list):
        return [by_name[name] for name in selection if name in by_name]
    start = getattr(selection, "from_", "austin")
    end = getattr(selection, "to", "latest")
    names = [s.name for s in all_series]
    released = [s for s in all_series if s.released]
    if end == "latest":
        end = released[-1].name if released else names[-1]
    lo, hi = names.index(start), names.index(end)
    return [s for s in all_series[lo : hi + 1] if s.released or s.name in (start, end)]
