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

This module is the pure part: the series table and the rule. Reading the data from git is
:mod:`loccount.release_data`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from loccount.releases.model import ReleaseRule

UNRELEASED = frozenset({"future", "development"})
_FINAL = re.compile(r"^\d+(\.\d+)+$")


@dataclass(frozen=True, slots=True)
class Series:
    """One OpenStack release series."""

    name: str
    release_id: str
    date: date | None
    status: str | None = None

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


@dataclass(frozen=True, slots=True)
class Shipped:
    version: str
    commit: str
    rule: ReleaseRule


def _versions(
    deliverable: Mapping[str, Any], repo_names: Collection[str], strict: bool = False
) -> list[tuple[str, str]]:
    """(version, commit) for the project's repository, in the deliverable's order.

    A version that does not name the repository gives its first repository's commit, unless
    ``strict`` (a deliverable of several repositories: each is counted by its own commits).
    """
    found = []
    for entry in deliverable.get("releases") or []:
        if not isinstance(entry, dict) or "version" not in entry:
            continue
        projects = [p for p in entry.get("projects") or [] if isinstance(p, dict) and p.get("hash")]
        chosen = next((p for p in projects if _names(str(p.get("repo", ""))) & set(repo_names)), None)
        if not strict:
            chosen = chosen or (projects[0] if projects else None)
        if chosen:
            found.append((str(entry["version"]), str(chosen["hash"])))
    return found


def _names(repository: str) -> set[str]:
    """A repository's full name (``openstack/nova``) and its short one (``nova``)."""
    return {repository, repository.split("/")[-1]}


DateOf = Callable[[str, str], datetime | None]


def choose_version(
    deliverable: Mapping[str, Any],
    series: Series,
    repo_names: Collection[str],
    date_of: DateOf,
    *,
    strict: bool = False,
) -> Shipped | None:
    """The version shipped in ``series`` by the three-step rule, or None if there is none.

    ``date_of(version, commit)`` gives a version's tag date; it is asked only in step 2.
    """
    versions = _versions(deliverable, repo_names, strict)
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
                    return Shipped(version, commit, ReleaseRule.STABLE_BRANCH)
    if deliverable.get("release-model") == "cycle-with-intermediary" and series.date:
        dated = [(when, v, c) for v, c in finals if (when := date_of(v, c)) is not None]
        on_time = [(when, v, c) for when, v, c in dated if when.astimezone(UTC).date() <= series.date]
        if on_time:
            _when, version, commit = max(on_time, key=lambda item: item[0])
            return Shipped(version, commit, ReleaseRule.INTERMEDIARY)
    version, commit = finals[0]
    return Shipped(version, commit, ReleaseRule.FIRST_FINAL)


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
