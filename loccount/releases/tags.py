"""Turn release specs (explicit tags, commits, tag patterns) into ``Release`` records, in order.

OpenStack series are resolved in :mod:`loccount.release_data` and dated snapshots of a branch
in :mod:`loccount.snapshots`; both produce the same records. A project's releases are put in
the order they were made: the order of the versions they name (PEP 440, a leading ``v``
allowed) within each major version, majors in the order they began, when every one names a
version, else in date order; which order was used is recorded with the counts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import git

from loccount.errors import ReleaseError
from loccount.gitio.gitcommand import git_error
from loccount.releases.model import Release, ReleaseRule, Tag
from loccount.releases.order import chronological
from loccount.releases.tagpattern import matching_tags

_HEX = re.compile(r"[0-9a-fA-F]{7,40}")


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


def list_tags(repo: git.Repo, notes: list[str] | None = None) -> dict[str, Tag]:
    """Every tag that points (through annotated tags) at a commit, with its release date.

    Tags that point at a tree or a blob are left out (asked for by name, they are said to be one).
    A tag whose own date Python cannot represent carries a ``date_note``, said when it is counted.
    A tag that points at an object the repository lacks is left out, and said in ``notes``: one
    dangling ref never keeps the other tags from being counted.
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
        output = _listing_around_broken_tags(repo, fmt, error, notes)
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


#: Tags listed per ``git for-each-ref`` when some tag is broken (their names are its arguments).
_REFS_PER_LISTING = 200


def _listing_around_broken_tags(repo: git.Repo, fmt: str, error: git.GitCommandError, notes: list[str] | None) -> str:
    """``for-each-ref`` output for every tag but those git cannot read (a ref at a missing object)."""
    try:
        names = repo.git.for_each_ref("--format=%(refname)", "refs/tags").splitlines()
    except git.GitCommandError:
        raise ReleaseError(f"{repo.git_dir}: cannot list tags: {git_error(error, repo=repo)}") from None
    parts, broken = [], []
    for start in range(0, len(names), _REFS_PER_LISTING):
        chunk = names[start : start + _REFS_PER_LISTING]
        try:
            parts.append(repo.git.for_each_ref(f"--format={fmt}", *chunk))
            continue
        except git.GitCommandError:
            pass
        for name in chunk:  # only in this chunk does something fail: find which tags
            try:
                parts.append(repo.git.for_each_ref(f"--format={fmt}", name))
            except git.GitCommandError as failure:
                broken.append((name.removeprefix("refs/tags/"), git_error(failure)))
    if notes is not None:
        for name, reason in broken:
            notes.append(f"tag {name} is left out: {reason}")
    return "\n".join(part for part in parts if part)


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
    known = list_tags(repo, notes) if known is None else known
    chosen: dict[str, Release] = {}
    for name in tags:
        release = _resolve_one(repo, project, name, known, notes)
        chosen.setdefault(release.commit + release.version, release)
    if pattern is not None:
        matching = matching_tags(pattern, known)
        if not matching:
            raise ReleaseError(f"{project}: no tag matches '{pattern}' (of {len(known)} tags)")
        for name in matching:
            tag = known[name]
            release = Release(project, tag.name, tag.name, tag.commit, tag.date, rule=ReleaseRule.TAG_PATTERN)
            chosen.setdefault(tag.commit + tag.name, release)
    if notes is not None:
        notes.extend(date_notes(chosen.values(), known))
    return chronological(chosen.values())


def _resolve_one(repo: git.Repo, project: str, name: str, known: dict[str, Tag], notes: list[str] | None) -> Release:
    tag = known.get(name)
    if tag is not None:
        return Release(project, name, name, tag.commit, tag.date, rule=ReleaseRule.EXPLICIT_TAG)
    if _HEX.fullmatch(name):
        commit = _peel_commit(repo, name)
        if commit:
            return Release(
                project, name, None, commit, commit_date(repo, commit, notes), rule=ReleaseRule.EXPLICIT_COMMIT
            )
        kind = _object_kind(repo, name)
        if kind is not None:
            raise ReleaseError(f"{project}: {name!r} is a {kind}, not a commit or a tag, so it has no release to count")
    kind = tag_target_kind(repo, name)
    if kind is not None:
        raise ReleaseError(f"{project}: tag {name!r} points at a {kind}, not a commit, so it has no files to count")
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ReleaseError(f"{project}: unknown tag {name!r}{hint}")


def _object_kind(repo: git.Repo, name: str) -> str | None:
    """What object a hex name is (``tree``, ``blob``), or None if the repository has none by that name."""
    try:
        return str(repo.git.cat_file("-t", "--end-of-options", name)).strip()
    except git.GitCommandError:
        return None


def tag_target_kind(repo: git.Repo, name: str) -> str | None:
    """What tag ``name`` finally points at (``tree``, ``blob``, ``commit``), or None if there is no such tag."""
    try:
        target = repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"refs/tags/{name}^{{}}")
    except git.GitCommandError:
        return None
    return _object_kind(repo, target)
