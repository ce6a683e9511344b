"""Read ``openstack/releases`` straight from git and resolve each project's release per series.

``data/series_status.yaml`` gives the series, release ids and dates, and
``deliverables/<series>/<deliverable>.yaml`` each version with its commit; the choice among
them is :func:`loccount.series.choose_version`. Both are validated as strictly as
``repos.yaml`` (the fields loccount reads; others are ignored): a wrong shape is one
:class:`ReleaseError` line naming the file and the field.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import git
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from loccount.errors import ReleaseError
from loccount.gitio.tree import list_tree, read_blob
from loccount.releases.deliverables import BrokenFile, DeliverableFile, Membership, repositories_of
from loccount.releases.model import Release, ReleaseRule, Tag
from loccount.releases.series import KNOWN_SERIES, Series, choose_version
from loccount.releases.tags import commit_date, date_notes, tag_target_kind
from loccount.validation import FastTextSafeLoader, iso_day, number_as_text, validation_message

SERIES_STATUS = "data/series_status.yaml"


class _Record(BaseModel):
    """Strict about the fields loccount reads, silent about the many it does not."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class SeriesRecord(_Record):
    name: StrictStr
    release_id: Annotated[StrictStr, BeforeValidator(number_as_text)] | None = Field(None, alias="release-id")
    initial_release: Annotated[date, BeforeValidator(iso_day)] | None = Field(None, alias="initial-release")
    status: StrictStr | None = None


#: A commit id as openstack/releases records it: the full hex id (a name such as ``main`` or
#: ``HEAD~1`` would be a moving target, and trees are cached by commit).
CommitId = Annotated[StrictStr, StringConstraints(pattern=r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")]


#: A repository as the release data names it, ``namespace/name``: the name becomes a project name
#: and, through a config's URL template, part of a URL or path, so nothing else is taken
#: (no ``..``, no leading ``-`` or ``.``, no further ``/``; short enough for ``namespace-name``).
RepositoryName = Annotated[
    StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,49}/[A-Za-z0-9][A-Za-z0-9._-]{0,148}$")
]


class _Project(_Record):
    repo: RepositoryName | None = None
    hash: CommitId | None = None


class _Version(_Record):
    version: StrictStr
    projects: list[_Project] | None = None


class _Branch(_Record):
    name: StrictStr
    location: StrictStr | dict[StrictStr, StrictStr] | None = None


class Deliverable(_Record):
    """The parts of a deliverable file loccount reads: the release rule's (:func:`loccount.series.choose_version`),
    and what the deliverable is (its type, team and repositories)."""

    releases: list[_Version] | None = None
    branches: list[_Branch] | None = None
    release_model: StrictStr | None = Field(None, alias="release-model")
    type: StrictStr | None = None
    team: Annotated[StrictStr, BeforeValidator(number_as_text)] | None = None


_DELIVERABLE: TypeAdapter[Deliverable] = TypeAdapter(Deliverable)


_SERIES_STATUS: TypeAdapter[list[SeriesRecord]] = TypeAdapter(list[SeriesRecord])


def _validated(adapter: TypeAdapter[Any], data: object, path: str) -> Any:
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        raise ReleaseError(f"release data {path}: {validation_message(error, data)}") from None


class ReleaseData:
    """The parts of a checkout of ``openstack/releases`` that loccount reads, straight from git."""

    def __init__(self, repo: git.Repo, revision: str = "HEAD") -> None:
        self.repo = repo
        self._parsed: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
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
            return yaml.load(read_blob(self.repo, self._blobs[path]), Loader=FastTextSafeLoader)  # noqa: S506 - safe loader
        except yaml.YAMLError as error:
            raise ReleaseError(f"release data {path}: not valid YAML: {str(error).splitlines()[0]}") from None

    def series(self) -> list[Series]:
        """The data's series, oldest first, with ids and dates from the built-in table where the data has none."""
        known = {s.name: s for s in KNOWN_SERIES}
        records: list[SeriesRecord] = _validated(_SERIES_STATUS, self._yaml(SERIES_STATUS) or [], SERIES_STATUS)
        listed: dict[str, Series] = {}
        for record in records:
            name = record.name.lower()
            base = known.get(name)
            day = record.initial_release or (base.date if base else None)
            release_id = record.release_id or (base.release_id if base else name)
            listed[name] = Series(name, release_id, day, record.status or None)
        chosen = listed or known
        return sorted(chosen.values(), key=lambda s: (s.date or date.max, s.name))

    def deliverable(self, series: str, name: str) -> dict[str, Any] | None:
        """``deliverables/<series>/<name>.yaml`` (validated), or None when the project is not in that series."""
        path = f"deliverables/{series}/{name}.yaml"
        if path not in self._blobs:
            return None
        with self._lock:  # one persistent cat-file per repository; projects are resolved in threads
            if path not in self._parsed:
                checked: Deliverable = _validated(_DELIVERABLE, self._yaml(path), path)
                self._parsed[path] = checked.model_dump(by_alias=True)
            return self._parsed[path]

    def deliverable_names(self, series: str) -> list[str]:
        """The deliverables of a series' directory, by name, sorted."""
        prefix = f"deliverables/{series}/"
        return sorted(
            path[len(prefix) : -len(".yaml")]
            for path in self._blobs
            if path.startswith(prefix) and path.endswith(".yaml") and "/" not in path[len(prefix) :]
        )

    def deliverable_files(self, series: Iterable[str]) -> tuple[list[DeliverableFile], list[BrokenFile]]:
        """Every deliverable of each series, with its type, team and repositories, series by series;
        and the deliverable files that are broken, each with its fault (the others go on)."""
        files = []
        broken: list[BrokenFile] = []
        for name in series:
            for deliverable in self.deliverable_names(name):
                try:
                    data = self.deliverable(name, deliverable) or {}
                except ReleaseError as error:
                    broken.append(BrokenFile(name, deliverable, self._raw_type(name, deliverable), str(error)))
                    continue
                repositories = repositories_of(data.get("releases") or [])
                files.append(DeliverableFile(name, deliverable, data.get("type"), data.get("team"), repositories))
        return files, broken

    def _raw_type(self, series: str, name: str) -> str | None:
        """A broken deliverable's ``type`` if its YAML can say it, so a selection by type can pass it by."""
        try:
            raw = self._yaml(f"deliverables/{series}/{name}.yaml")
        except ReleaseError:
            return None
        kind = raw.get("type") if isinstance(raw, dict) else None
        return kind if isinstance(kind, str) else None


def resolve_project(
    data: ReleaseData,
    repo: git.Repo,
    project: str,
    deliverable_name: str,
    series_list: Sequence[Series],
    tags: Mapping[str, Tag],
    explicit: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
    memberships: Mapping[str, Membership] | None = None,
    repository: str | None = None,
) -> list[Release]:
    """The project's release in each series of ``series_list`` that has one.

    With ``memberships`` (a repository of the deliverables selection), only the series it
    shipped in are looked at, each in its own deliverable, and only versions that name the
    ``repository`` (its full name) count. A release whose recorded commit is not in the repository falls back
    to its tag's commit; with neither it is left out and said in ``notes``, as is a counted
    tag's odd date.
    """
    explicit = explicit or {}
    repo_names = {repository} if memberships is not None and repository else {deliverable_name, project}
    releases = []
    for series in series_list:
        member = memberships.get(series.name) if memberships is not None else None
        if memberships is not None and member is None:
            continue
        if series.name in explicit:
            name = explicit[series.name]
            tag = tags.get(name)
            if tag is None:
                kind = tag_target_kind(repo, name)
                problem = f"points at a {kind}, not a commit" if kind else "does not exist"
                raise ReleaseError(f"{project}: tag {name!r} given for {series.name} {problem}")
            shipped_as = member or _membership(data, series.name, deliverable_name)
            releases.append(
                _release(project, series, name, tag.commit, ReleaseRule.EXPLICIT_TAG, tags, repo, shipped_as)
            )
            continue
        name = member.deliverable if member else deliverable_name
        deliverable = data.deliverable(series.name, name)
        if deliverable is None:
            continue
        shipped = choose_version(
            deliverable,
            series,
            repo_names,
            lambda v, c: _tag_or_commit_date(repo, v, c, tags),
            strict=member is not None,
        )
        if shipped is None:
            continue
        shipped_as = member or Membership(name, deliverable.get("type"), deliverable.get("team"))
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
        releases.append(_release(project, series, shipped.version, commit, shipped.rule, tags, repo, shipped_as))
    if notes is not None:
        notes.extend(date_notes(releases, tags))
    return releases


def has_commit(repo: git.Repo, sha: str) -> bool:
    """Whether ``sha`` names a commit in ``repo`` (one persistent ``cat-file --batch-check``)."""
    try:
        _sha, kind, _size = repo.git.get_object_header(sha)
    except ValueError:
        return False
    except OSError as error:  # the persistent `git cat-file --batch-check` died (killed, out of memory)
        raise ReleaseError(
            f"{repo.git_dir}: git cat-file --batch-check stopped while looking up {sha}: {error}"
        ) from None
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
    project: str,
    series: Series,
    version: str,
    commit: str,
    rule: ReleaseRule,
    tags: Mapping[str, Tag],
    repo: git.Repo,
    member: Membership | None = None,
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
        deliverable=member.deliverable if member else None,
        deliverable_type=member.type if member else None,
        team=member.team if member else None,
    )


def _membership(data: ReleaseData, series: str, name: str) -> Membership | None:
    """The deliverable ``name`` of a series as a membership, if the series has it."""
    deliverable = data.deliverable(series, name)
    return Membership(name, deliverable.get("type"), deliverable.get("team")) if deliverable else None
