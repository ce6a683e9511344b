"""Turn release specs (explicit tags, commits, tag patterns) into ``Release`` records, in order.

OpenStack series are resolved in :mod:`loccount.release_data` and dated snapshots of a branch
in :mod:`loccount.snapshots`; both produce the same records. A project's releases are put in
the order they were made: the order of the versions they name (PEP 440, a leading ``v``
allowed) within each major version, majors in the order they began, when every one names a
version, else in date order; which order was used is recorded with the counts.
"""

from __future__ import annotations

import datetime as datetime_module
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

import git
from packaging.version import InvalidVersion, Version

from loccount.errors import ReleaseError
from loccount.gitio.gitcommand import git_error
from loccount.releases.tagpattern import matching_tags

_HEX = re.compile(r"[0-9a-fA-F]{7,40}")
#: Rules of releases that name a version (the others name a commit, a branch or a period).
VERSIONED_RULES = frozenset({"explicit-tag", "tag-pattern", "tag"})
VERSION_ORDER = "version (PEP 440)"
#: Version order within each major version, majors in the order they were first released.
SCHEME_CHANGE_ORDER = "version within each major version, majors by first release date: the version scheme changed"
DATE_ORDER = "date"


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
    #: Why ``date`` is not the tag's own (a date Python cannot represent): said when the tag is counted.
    date_note: str | None = None


#: A tag made this long after its commit was made retroactively (OpenStack tagged its
#: 2010-2011 releases in February 2018); its commit's date then says when the release was.
RETROACTIVE = timedelta(days=365)


def parse_git_date(text: str, what: str, notes: list[str] | None = None) -> datetime | None:
    """A git ISO 8601 date, or None when Python cannot represent it (year 10000, zone +9959).

    git accepts such dates; they are kept as unknown, and said in ``notes``, so one odd tag or
    commit never stops a count.
    """
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        if notes is not None:
            notes.append(f"{what}: date {text!r} cannot be represented; it is left unknown")
        return None


def list_tags(repo: git.Repo) -> dict[str, Tag]:
    """Every tag that points (through annotated tags) at a commit, with its release date.

    Tags that point at a tree or a blob are left out (asked for by name, they are said to be one).
    A tag whose own date Python cannot represent carries a ``date_note``, said when it is counted.
    """
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
        stamp, note = _release_date(name, created, committed)
        if kind == "commit":
            tags[name] = Tag(name, sha, stamp, note)
        elif peeled_kind == "commit":
            tags[name] = Tag(name, peeled_sha, stamp, note)
        elif peeled_kind == "tag":
            nested.append((name, stamp, note))
    for name, stamp, note in nested:
        commit = _peel_commit(repo, f"refs/tags/{name}")
        if commit:
            tags[name] = Tag(name, commit, stamp, note)
    return tags


def _release_date(name: str, created: str, committed: str) -> tuple[datetime | None, str | None]:
    """A tag's release date, and a note when its own date cannot be represented."""
    tagged = parse_git_date(created, f"tag {name}")
    made = parse_git_date(committed, f"tag {name}'s commit")
    note = None
    if created and tagged is None:
        fallback = "its commit's date is used" if made else "the release date is left unknown"
        note = f"tag {name}: date {created!r} cannot be represented; {fallback}"
    if tagged and made and tagged - made > RETROACTIVE:
        return made, note
    return tagged or made, note


def date_notes(releases: Iterable[Release], tags: Mapping[str, Tag]) -> list[str]:
    """The date notes of the tags these releases were counted at (a tag not counted is not mentioned)."""
    found = (tags.get(release.tag) for release in releases if release.tag)
    return list(dict.fromkeys(tag.date_note for tag in found if tag is not None and tag.date_note))


def _peel_commit(repo: git.Repo, revision: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except git.GitCommandError:
        return None


def commit_date(repo: git.Repo, commit: str, notes: list[str] | None = None) -> datetime | None:
    """The committer date of ``commit`` (None where Python cannot represent it)."""
    return parse_git_date(repo.git.show("-s", "--format=%cI", "--end-of-options", commit), f"commit {commit}", notes)


def parsed_version(name: str) -> Version | None:
    """The PEP 440 version a tag names (``v2.16.0`` and ``2014.2`` do; ``ussuri-eol`` does not)."""
    try:
        return Version(name)
    except InvalidVersion:
        return None


def chronological(releases: Iterable[Release]) -> list[Release]:
    """Releases by date, then name; undated ones last."""
    return sorted(releases, key=lambda r: (r.date is None, r.date.timestamp() if r.date else 0.0, r.version))


def release_order(releases: Sequence[Release], known: Mapping[str, Tag] | None = None) -> tuple[list[Release], str]:
    """The releases in the order they were made, and the name of that order, for the provenance.

    When every release names a PEP 440 version, they go in version order, by *release line*:
    the releases that share a major version (``2014.2``, ``2014.2.4``; ``12.0.0``, ``12.0.1``)
    are one line, in version order, so a point release made after a later major release
    (``2014.2.4`` after ``2015.1.0``) stays in its own line and never becomes the latest. The
    lines go in the order they began: the date of the first release of that major version among
    the releases and every tag of the repository (``known``), so a backport ``1.0.1`` counted
    without ``1.0.0`` still sits before ``2.0.0``. Where that is version order too, it is plain
    version order; where it is not, the version scheme changed (``2015.1.0`` then ``12.0.0``:
    PEP 440 would put ``12.0.0`` first) and the order says so. Releases that do not all name
    versions (commits, snapshots) go by date; lines of unknown start go in version order.
    """
    versions = [parsed_version(r.version) if r.rule in VERSIONED_RULES else None for r in releases]
    parsed = [(version, release) for version, release in zip(versions, releases, strict=True) if version is not None]
    if not releases or len(parsed) < len(releases):
        return chronological(releases), DATE_ORDER
    lines: dict[int, list[tuple[Version, Release]]] = {}
    for version, release in parsed:
        lines.setdefault(version.major, []).append((version, release))
    for members in lines.values():
        members.sort(key=lambda pair: (pair[0], pair[1].version))
    by_version = sorted(lines)
    started = _line_starts(lines, known or {})
    if len(started) < len(lines):
        by_date = by_version
    else:
        by_date = sorted(lines, key=lambda major: (started[major], lines[major][0][0]))
    ordered = [release for major in by_date for _version, release in lines[major]]
    if by_date == by_version:
        return ordered, VERSION_ORDER
    changes = [
        f"{lines[new][0][1].version} after {lines[old][-1][1].version}" for old, new in pairwise(by_date) if new < old
    ]
    return ordered, f"{SCHEME_CHANGE_ORDER} ({'; '.join(changes)})"


def _line_starts(lines: Mapping[int, Sequence[tuple[Version, Release]]], known: Mapping[str, Tag]) -> dict[int, float]:
    """When each major version began: its earliest dated release or tag (lines of no known date are left out)."""
    dates = [(version.major, release.date) for members in lines.values() for version, release in members]
    for tag in known.values():
        version = parsed_version(tag.name)
        if version is not None and version.major in lines:
            dates.append((version.major, tag.date))
    starts: dict[int, float] = {}
    for major, when in dates:
        if when is not None:
            starts[major] = min(starts.get(major, when.timestamp()), when.timestamp())
    return starts


def resolve_tags(
    repo: git.Repo,
    project: str,
    tags: Sequence[str] = (),
    pattern: str | None = None,
    *,
    known: dict[str, Tag] | None = None,
    notes: list[str] | None = None,
) -> list[Release]:
    """Releases for explicit tag names or commits, plus every tag fully matching ``pattern``."""
    known = list_tags(repo) if known is None else known
    chosen: dict[str, Release] = {}
    for name in tags:
        release = _resolve_one(repo, project, name, known, notes)
        chosen.setdefault(release.commit + release.version, release)
    if pattern is not None:
        matching = matching_tags(pattern, known)
        if not matching:
            raise ReleaseError(f"{project}: no tag matches {pattern!r} (of {len(known)} tags)")
        for name in matching:
            tag = known[name]
            release = Release(project, tag.name, tag.name, tag.commit, tag.date, rule="tag-pattern")
            chosen.setdefault(tag.commit + tag.name, release)
    if notes is not None:
        notes.extend(date_notes(chosen.values(), known))
    return chronological(chosen.values())


def _resolve_one(repo: git.Repo, project: str, name: str, known: dict[str, Tag], notes: list[str] | None) -> Release:
    tag = known.get(name)
    if tag is not None:
        return Release(project, name, name, tag.commit, tag.date, rule="explicit-tag")
    if _HEX.fullmatch(name):
        commit = _peel_commit(repo, name)
        if commit:
            return Release(project, name, None, commit, commit_date(repo, commit, notes), rule="explicit-commit")
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
