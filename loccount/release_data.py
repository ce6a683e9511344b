"""Read ``openstack/releases`` straight from git and resolve each project's release per series.

``data/series_status.yaml`` gives the series, release ids and dates, and
``deliverables/<series>/<deliverable>.yaml`` each version with its commit; the choice among
them is :func:`loccount.series.choose_version`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import git
import yaml

from .errors import ReleaseError
from .releases import Release, Tag, commit_date
from .series import KNOWN_SERIES, Series, choose_version
from .tree import list_tree, read_blob

SERIES_STATUS = "data/series_status.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
