"""A project's releases in the order they were made, and finding a release by name.

Pure: records in, records out (PEP 440 versions with ``packaging``; no git, no pandas).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from packaging.version import InvalidVersion, Version

from loccount.errors import ReleaseError
from loccount.releases.model import VERSIONED_RULES, Release, Tag

VERSION_ORDER = "version (PEP 440)"
#: Version order within each major version, majors in the order they were first released.
SCHEME_CHANGE_ORDER = "version within each major version, majors by first release date: the version scheme changed"
DATE_ORDER = "date"


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


def consecutive(releases: Sequence[Release]) -> list[tuple[Release, Release]]:
    """Each project's releases in the order given, paired with the next one."""
    by_project: dict[str, list[Release]] = {}
    for release in releases:
        by_project.setdefault(release.project, []).append(release)
    return [pair for project in by_project.values() for pair in pairwise(project)]


def find_release(releases: Sequence[Release], name: str) -> Release:
    """The release called ``name``: by version, else tag, else series name, else release id (``2014.2``).

    The first of these that any release answers to decides; two releases answering to it
    are ambiguous. Unknown names get the closest known ones as a hint.
    """
    fields = (
        lambda r: r.version == name,
        lambda r: r.tag == name,
        lambda r: (r.series or "") == name.lower(),
        lambda r: r.release_id == name,
    )
    for answers in fields:
        found = list(dict.fromkeys(r for r in releases if answers(r)))
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(f"{r.project} {r.version}" for r in found)
            raise ReleaseError(f"{name!r} names several releases ({names}); give a project or a version")
    known = sorted({value for r in releases for value in (r.version, r.tag, r.series) if value})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    projects = ", ".join(dict.fromkeys(r.project for r in releases)) or "the selection"
    raise ReleaseError(f"{projects}: no release {name!r} (by series, version or tag) among {len(releases)}{hint}")
