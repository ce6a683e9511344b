"""Turn release specs (explicit tags, commits, tag patterns) into ``Release`` records.

OpenStack series are resolved in :mod:`loccount.series`, which produces the same records.
"""

from __future__ import annotations

import datetime as datetime_module
import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import git

from .errors import ConfigError, ReleaseError
from .gitcommand import git_error

_HEX = re.compile(r"[0-9a-fA-F]{7,40}")
_VERSION_PART = re.compile(r"(\d+)")


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
    rule: str = "tag"


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    commit: str
    date: datetime | None


#: A tag made this long after its commit was made retroactively (OpenStack tagged its
#: 2010-2011 releases in February 2018); its commit's date then says when the release was.
RETROACTIVE = timedelta(days=365)


def list_tags(repo: git.Repo) -> dict[str, Tag]:
    """Every tag that points (through annotated tags) at a commit, with its release date."""
    fields = [
        "refname:strip=2",
        "objecttype",
        "objectname",
        "*objecttype",
        "*objectname",
        "creatordate:iso-strict",
        "*committerdate:iso-strict",
    ]
    fmt = "%00".join(f"%({name})" for name in fields)
    try:
        output = repo.git.for_each_ref(f"--format={fmt}", "refs/tags")
    except git.GitCommandError as error:
        raise ReleaseError(f"{repo.git_dir}: cannot list tags: {git_error(error)}") from None
    tags: dict[str, Tag] = {}
    nested = []
    for line in output.splitlines():
        name, kind, sha, peeled_kind, peeled_sha, created, committed = line.split("\0")
        stamp = _release_date(created, committed)
        if kind == "commit":
            tags[name] = Tag(name, sha, stamp)
        elif peeled_kind == "commit":
            tags[name] = Tag(name, peeled_sha, stamp)
        elif peeled_kind == "tag":
            nested.append((name, stamp))
    for name, stamp in nested:
        commit = _peel_commit(repo, f"refs/tags/{name}")
        if commit:
            tags[name] = Tag(name, commit, stamp)
    return tags


def _release_date(created: str, committed: str) -> datetime | None:
    tagged = datetime.fromisoformat(created) if created else None
    made = datetime.fromisoformat(committed) if committed else None
    if tagged and made and tagged - made > RETROACTIVE:
        return made
    return tagged


def _peel_commit(repo: git.Repo, revision: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except git.GitCommandError:
        return None


def commit_date(repo: git.Repo, commit: str) -> datetime:
    return datetime.fromisoformat(repo.git.show("-s", "--format=%cI", "--end-of-options", commit))


def version_key(version: str) -> tuple:
    """Sort key that orders ``2.10.0`` after ``2.9.0`` and ``2014.2`` before ``2015.1.0``."""
    return tuple(int(part) if part.isdigit() else part for part in _VERSION_PART.split(version) if part)


def chronological(releases: list[Release]) -> list[Release]:
    """Releases by date, then version; undated ones last."""
    return sorted(
        releases,
        key=lambda r: (r.date is None, r.date.timestamp() if r.date else 0.0, version_key(r.version)),
    )


def compile_tag_pattern(pattern: str, source: str = "--tags-matching") -> re.Pattern[str]:
    """A tag pattern is a Python regular expression that must match the whole tag name."""
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ConfigError(f"{source}: invalid tag pattern {pattern!r}: {error}") from None


def resolve_tags(
    repo: git.Repo,
    project: str,
    tags: list[str] | tuple[str, ...] = (),
    pattern: str | None = None,
    *,
    known: dict[str, Tag] | None = None,
) -> list[Release]:
    """Releases for explicit tag names or commits, plus every tag fully matching ``pattern``."""
    known = list_tags(repo) if known is None else known
    chosen: dict[str, Release] = {}
    for name in tags:
        release = _resolve_one(repo, project, name, known)
        chosen.setdefault(release.commit + release.version, release)
    if pattern is not None:
        regex = compile_tag_pattern(pattern)
        matching = [tag for name, tag in known.items() if regex.fullmatch(name)]
        if not matching:
            raise ReleaseError(f"{project}: no tag matches {pattern!r} (of {len(known)} tags)")
        for tag in matching:
            release = Release(project, tag.name, tag.name, tag.commit, tag.date, rule="tag-pattern")
            chosen.setdefault(tag.commit + tag.name, release)
    return chronological(list(chosen.values()))


def _resolve_one(repo: git.Repo, project: str, name: str, known: dict[str, Tag]) -> Release:
    tag = known.get(name)
    if tag is not None:
        return Release(project, name, name, tag.commit, tag.date, rule="explicit-tag")
    if _HEX.fullmatch(name):
        commit = _peel_commit(repo, name)
        if commit:
            return Release(project, name, None, commit, commit_date(repo, commit), rule="explicit-commit")
    kind = tag_target_kind(repo, name)
    if kind is not None:
        raise ReleaseError(f"{project}: tag {name!r} points at a {kind}, not a commit, so it has no files to count")
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ReleaseError(f"{project}: unknown tag {name!r}{hint}")


def tag_target_kind(repo: git.Repo, name: str) -> str | None:
    """What tag ``name`` finally points at (``tree``, ``blob``, ``commit``), or None if there is no such tag."""
    try:
        target = repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"refs/tags/{name}^{{}}")
        return str(repo.git.cat_file("-t", target)).strip()
    except git.GitCommandError:
        return None
