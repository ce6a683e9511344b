"""The library entry points: repository + releases in, tidy and per-file tables out.

Everything the CLI does is available here, e.g. from a notebook::

    from loccount import count_repository
    result = count_repository("https://opendev.org/openstack/nova", tags=["2014.2", "2015.1.0"])
    result.tidy
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date

import git
import pandas as pd

from .cache import CountCache
from .classify import DEFAULT_RULE, TestRule
from .count import describe
from .engine import Blob, count_blobs
from .mirror import open_repository
from .options import DEFAULT_OPTIONS, RunOptions
from .provenance import Provenance, make_provenance
from .releases import DATE_ORDER, Release, Tag, release_order, resolve_tags
from .snapshots import default_branch, resolve_snapshots, resolve_tip
from .table import Snapshot, file_frame, release_summary, tidy_frame
from .tree import MISSING, TreeEntry, decode_entries, encode_entries, list_tree

PYTHON_SUFFIXES = (".py",)
#: ``git ls-tree`` processes run at once when listing the releases' trees.
LISTING_THREADS = 4

Group = tuple[git.Repo, Sequence[Release], TestRule]


@dataclass(frozen=True, kw_only=True)
class ReleaseSpec:
    """Which releases of one repository to count: tags, a tag pattern and/or dated snapshots."""

    tags: Sequence[str] = ()
    tags_matching: str | None = None
    every: str | None = None
    since: date | None = None
    until: date | None = None
    branch: str | None = None


@dataclass
class Result:
    """What a count produced, with what is needed to say how it was produced."""

    tidy: pd.DataFrame
    files: pd.DataFrame
    snapshots: list[Snapshot]
    provenance: Provenance

    @property
    def summary(self) -> pd.DataFrame:
        """One row per release with test, non-test and total side by side."""
        return release_summary(self.tidy)


def python_entries(entries: Sequence[TreeEntry], suffixes: tuple[str, ...] = PYTHON_SUFFIXES) -> list[TreeEntry]:
    """The entries loccount reports: Python files and symlinks by name, and every submodule."""
    return [e for e in entries if e.kind == "submodule" or e.name.endswith(suffixes)]


def project_name(target: str) -> str:
    """A default project name from a URL or path: its last component without ``.git``."""
    stripped = target.rstrip("/").removesuffix(".git")
    return os.path.basename(stripped.replace(":", "/")) or "project"


def count_releases(
    groups: Sequence[Group],
    options: RunOptions = DEFAULT_OPTIONS,
    *,
    release_data_commit: str | None = None,
    series: Sequence[str] = (),
    failures: Mapping[str, str] | None = None,
    release_order: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> Result:
    """Count every release in ``groups`` (repository, its releases, its test rule) in one pass.

    Blobs shared between releases, or between projects, are counted once. The keywords are
    recorded in the result's provenance.
    """
    snapshots: list[Snapshot] = []
    blobs: dict[tuple[str, str], Blob] = {}
    with CountCache(options.cache) as cache:
        listings = _listings(groups, cache)
        for repo, releases, rule in groups:
            for release in releases:
                entries = listings[release.commit]
                snapshots.append(Snapshot(release, entries, rule))
                for entry in entries:
                    if entry.kind == "file":
                        blobs.setdefault((entry.sha, entry.name), Blob(repo, entry.size))
        counts = count_blobs(blobs, cache, options.engine, options.progress)
    plain = options.engine.plain_pygments if options.engine else False
    info = make_provenance(
        describe(plain),
        [rule.describe() for _repo, _releases, rule in groups],
        release_data_commit=release_data_commit,
        series=series,
        failures=failures,
        release_order=release_order,
        notes=notes,
    )
    files = file_frame(snapshots, counts, info.pygount)
    tidy = tidy_frame(files, snapshots, info.pygount)
    return Result(tidy=tidy, files=files, snapshots=snapshots, provenance=info)


def _listings(groups: Sequence[Group], cache: CountCache) -> dict[str, list[TreeEntry]]:
    """Python entries of every release's commit: from the cache, or listed by git (and cached)."""
    wanted = {release.commit: repo for repo, releases, _ in groups for release in releases}
    selection = "|".join(PYTHON_SUFFIXES)
    listings = {commit: decode_entries(data) for commit, data in cache.get_trees(selection, wanted).items()}
    missing = [(repo, commit) for commit, repo in wanted.items() if commit not in listings]
    with ThreadPoolExecutor(LISTING_THREADS) as pool:  # git does the work; threads only wait on it
        listed = dict(zip((c for _, c in missing), pool.map(_python_listing, missing), strict=True))
    listings.update(listed)
    # A listing with absent blobs (a partial clone) is not kept: a later fetch may complete it.
    whole = {c: encode_entries(entries) for c, entries in listed.items() if all(e.size != MISSING for e in entries)}
    cache.put_trees(selection, whole)
    return listings


def _python_listing(item: tuple[git.Repo, str]) -> list[TreeEntry]:
    repo, commit = item
    return python_entries(list_tree(repo, commit, PYTHON_SUFFIXES))


def select_releases(
    repo: git.Repo,
    project: str,
    spec: ReleaseSpec,
    *,
    known: Mapping[str, Tag] | None = None,
    notes: list[str] | None = None,
) -> tuple[list[Release], str]:
    """The releases a tag, pattern and snapshot spec selects, in release order, and that order's name.

    With nothing selected, the tip of the branch (default: the default branch) is counted.
    """
    found: list[Release] = []
    if spec.tags or spec.tags_matching is not None:
        listed = dict(known) if known is not None else None
        found += resolve_tags(repo, project, spec.tags, spec.tags_matching, known=listed, notes=notes)
    if spec.every is not None:
        found += resolve_snapshots(
            repo, project, spec.every, since=spec.since, until=spec.until, branch=spec.branch, notes=notes
        )
    if found:
        return release_order(found)
    branch = spec.branch or default_branch(repo)
    tip = resolve_tip(repo, project, branch, notes)
    if notes is not None:
        when = tip.date.astimezone(UTC).date().isoformat() if tip.date else "undated"
        notes.append(f"{project}: no release selected; counting the tip of {branch} ({when}, {tip.commit[:12]})")
    return [tip], DATE_ORDER


def count_repository(
    target: str,
    tags: Sequence[str] = (),
    tags_matching: str | None = None,
    *,
    every: str | None = None,
    since: date | None = None,
    until: date | None = None,
    branch: str | None = None,
    project: str | None = None,
    rule: TestRule = DEFAULT_RULE,
    options: RunOptions = DEFAULT_OPTIONS,
) -> Result:
    """Count one repository (URL or local path) at tags, commits, matching tags and/or dated snapshots.

    With none of these, the tip of ``branch`` (default: the default branch) is counted.
    """
    repo = open_repository(target, options.mirrors, refresh=options.refresh, progress=options.status)
    name = project or project_name(target)
    notes: list[str] = []
    spec = ReleaseSpec(
        tags=tuple(tags), tags_matching=tags_matching, every=every, since=since, until=until, branch=branch
    )
    releases, order = select_releases(repo, name, spec, notes=notes)
    return count_releases([(repo, releases, rule)], options, release_order={name: order}, notes=notes)
