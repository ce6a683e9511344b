"""The library entry points: repository + releases in, tidy and per-file tables out.

Everything the CLI does is available here, e.g. from a notebook::

    from loccount import count_repository
    result = count_repository("https://opendev.org/openstack/nova", tags=["2014.2", "2015.1.0"])
    result.tidy
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import git
import pandas as pd

from .cache import CountCache, resolve_cache_dir
from .classify import DEFAULT_RULE, TestRule
from .count import counting_method, fingerprint, versions
from .engine import Blob, EngineOptions, Progress, count_blobs
from .errors import ReleaseError
from .mirror import Progress as StatusCallback
from .mirror import open_repository
from .releases import Release, resolve_tags
from .table import Snapshot, file_frame, release_summary, tidy_frame
from .tree import MISSING, TreeEntry, decode_entries, encode_entries, list_tree

PYTHON_SUFFIXES = (".py",)
#: ``git ls-tree`` processes run at once when listing the releases' trees.
LISTING_THREADS = 4


@dataclass
class Result:
    """What a count produced, with what is needed to say how it was produced."""

    tidy: pd.DataFrame
    files: pd.DataFrame
    snapshots: list[Snapshot]
    provenance: dict[str, str] = field(default_factory=dict)

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


def provenance(rules: Sequence[TestRule], plain: bool = False) -> dict[str, str]:
    """What produced the figures: versions, the counting method that ran, the test rules."""
    info = versions()
    method = counting_method(plain)
    return {
        "pygount": info["pygount"],
        "pygments": info["pygments"],
        "python": info["python"],
        "lexer_loop": method["lexer"],
        "line_counting": method["lines"],
        "counter_fingerprint": fingerprint(plain),
        "test_rules": " | ".join(dict.fromkeys(rule.describe() for rule in rules)),
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def count_releases(
    groups: Sequence[tuple[git.Repo, Sequence[Release], TestRule]],
    cache_dir: str | os.PathLike[str] | None = None,
    engine: EngineOptions | None = None,
    progress: Progress | None = None,
) -> Result:
    """Count every release in ``groups`` (repository, its releases, its test rule) in one pass.

    Blobs shared between releases, or between projects, are counted once.
    """
    snapshots: list[Snapshot] = []
    blobs: dict[tuple[str, str], Blob] = {}
    with CountCache(resolve_cache_dir(cache_dir)) as cache:
        listings = _listings(groups, cache)
        for repo, releases, rule in groups:
            for release in releases:
                entries = listings[release.commit]
                snapshots.append(Snapshot(release, entries, rule))
                for entry in entries:
                    if entry.kind == "file":
                        blobs.setdefault((entry.sha, entry.name), Blob(repo, entry.size))
        counts = count_blobs(blobs, cache, engine, progress)
    plain = engine.is_plain if engine else False
    info = provenance([rule for _repo, _releases, rule in groups], plain)
    files = file_frame(snapshots, counts, info["pygount"])
    tidy = tidy_frame(files, snapshots, info["pygount"])
    return Result(tidy=tidy, files=files, snapshots=snapshots, provenance=info)


def _listings(groups: Sequence[tuple[git.Repo, Sequence[Release], TestRule]], cache: CountCache) -> dict:
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


def count_repository(
    target: str,
    tags: Sequence[str] = (),
    tags_matching: str | None = None,
    *,
    project: str | None = None,
    rule: TestRule = DEFAULT_RULE,
    cache_dir: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    engine: EngineOptions | None = None,
    progress: Progress | None = None,
    status: StatusCallback | None = None,
) -> Result:
    """Count one repository (URL or local path) at explicit tags/commits and/or matching tags."""
    directory = resolve_cache_dir(cache_dir)
    repo = open_repository(target, Path(directory) / "mirrors", refresh=refresh, progress=status)
    name = project or project_name(target)
    if not tags and tags_matching is None:
        raise ReleaseError(f"{name}: no release selected; give at least one tag or a tag pattern")
    releases = resolve_tags(repo, name, tuple(tags), tags_matching)
    return count_releases([(repo, releases, rule)], directory, engine, progress)
