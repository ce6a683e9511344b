"""The library entry points: repository + releases in, tidy and per-file tables out.

Everything the CLI does is available here, e.g. from a notebook::

    from loccount import count_repository
    result = count_repository("https://opendev.org/openstack/nova", tags=["2014.2", "2015.1.0"])
    result.tidy
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date
from typing import NamedTuple

import git
import pandas as pd

from loccount.classify import DEFAULT_RULE, TestRule
from loccount.counting.cache import CountCache, Key
from loccount.counting.count import describe
from loccount.counting.engine import Blob, count_blobs
from loccount.counting.filecount import FileCount, FileState
from loccount.counting.sources import BlobSource
from loccount.errors import LoccountError, ReleaseError, RepositoryError
from loccount.gitio.attributes import ATTRIBUTES_FILE, linguist_marks, mentions_linguist
from loccount.gitio.entries import MISSING, EntryKind, Rename, TreeEntry
from loccount.gitio.mirror import FetchStatus, open_repository, origin_url
from loccount.gitio.partial import CloneMode, clone_mode, complete_blobs
from loccount.gitio.tree import DEFAULT_SIMILARITY, encode_entries, find_renames, list_tree
from loccount.gitio.urls import is_local
from loccount.languages.lexers import claims, kind
from loccount.languages.others import LeftOut, left_out, left_out_notes, may_select
from loccount.languages.selection import DEFAULT_SELECTION, LanguageSelection
from loccount.options import DEFAULT_OPTIONS, RunOptions
from loccount.provenance import Provenance, Selection, make_provenance
from loccount.releases.model import Release, Tag
from loccount.releases.order import DATE_ORDER, consecutive, find_release, release_order
from loccount.releases.snapshots import default_branch, resolve_snapshots, resolve_tip
from loccount.releases.tags import list_tags, resolve_tags
from loccount.tables.changes import directory_changes, release_changes, top_directories
from loccount.tables.tidy import Snapshot, file_frame, printable, release_summary, tidy_frame, uncounted_files

PYTHON_SUFFIXES = (".py",)
#: The tree cache's key for a listing of every entry (languages are chosen from it in memory).
WHOLE_TREE = "*"
#: ``git ls-tree`` processes run at once when listing the releases' trees.
LISTING_THREADS = 4


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
    #: Each project's repository, for what needs git after counting (moves between releases).
    repos: dict[str, git.Repo] = field(default_factory=dict, repr=False, compare=False)
    #: Per-file changes between each project's consecutive releases (:func:`changes`), when the
    #: count was asked for them (``with_changes=True``): None otherwise. Made by the count, so
    #: that writing outputs never runs git.
    changes: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def releases(self) -> list[Release]:
        """Every release counted, each project's in its release order."""
        return [snapshot.release for snapshot in self.snapshots]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per release with test, non-test and total side by side."""
        return release_summary(self.tidy)

    @property
    def uncounted(self) -> pd.DataFrame:
        """The files of each release whose lines could not be counted (error, binary, huge), with the reason."""
        return uncounted_files(self.files)

    def with_changes(self) -> Result:
        """This result with :attr:`changes` filled in (git's rename detection once per release pair)."""
        return self if self.changes is not None else replace(self, changes=changes(self))


def python_entries(entries: Sequence[TreeEntry], suffixes: tuple[str, ...] = PYTHON_SUFFIXES) -> list[TreeEntry]:
    """The entries whose name ends in ``suffixes``, and every submodule (what loccount 0.1 reported)."""
    return [e for e in entries if e.kind == EntryKind.SUBMODULE or e.name.endswith(suffixes)]


class Group(NamedTuple):
    """One project's share of a count: its repository, its releases, its rule and its languages."""

    repo: git.Repo
    releases: Sequence[Release]
    rule: TestRule
    languages: LanguageSelection = DEFAULT_SELECTION


#: Path components that name where a repository is kept, not the repository (``.../nova/.git``,
#: ``.../openstack+nova/repo``): a local path's name is the last component that is not one of them.
STORAGE_NAMES = frozenset({"", ".", "..", ".git", "repo", "repo.git"})


def project_name(target: str, repo: git.Repo | None = None) -> str:
    """A default project name for a URL or a local path.

    A URL gives its last component without ``.git`` (``https://opendev.org/openstack/nova.git``:
    ``nova``). A local repository with an ``origin`` remote is named from that remote's URL;
    otherwise from the last component of its path that is not a storage name such as ``.git``
    or ``repo`` (``/data/openstack+nova/repo``: ``openstack+nova``).
    """
    if not is_local(target):
        return _last_component(target) or "project"
    origin = origin_url(repo) if repo is not None else None
    if origin:
        return _last_component(origin) or "project"
    parts = [part.removesuffix(".git") for part in os.path.abspath(os.path.expanduser(target)).split(os.sep)]
    return next((part for part in reversed(parts) if part not in STORAGE_NAMES), "project")


def _last_component(url: str) -> str:
    return os.path.basename(url.rstrip("/").removesuffix(".git").replace(":", "/"))


def count_releases(
    groups: Sequence[Group | tuple[git.Repo, Sequence[Release], TestRule]],
    options: RunOptions = DEFAULT_OPTIONS,
    selection: Selection | None = None,
    *,
    with_changes: bool = False,
) -> Result:
    """Count every release in ``groups`` (repository, its releases, its test rule, its languages) in one pass.

    Blobs shared between releases, or between projects, are counted once. Only files of the
    selected languages are read: a file's name says every language pygount could give it.
    ``selection`` (how the releases were chosen) is recorded in the result's provenance;
    ``with_changes`` also makes the per-file changes between consecutive releases.
    """
    chosen_groups = [Group(*group) for group in groups]
    blobs: dict[tuple[str, str], Blob] = {}
    picked: list[tuple[Group, Release, list[TreeEntry], dict[str, bool]]] = []
    elsewhere: list[LeftOut] = []
    with CountCache(options.cache) as cache:
        listings = _listings(chosen_groups, cache)
        unfetched: dict[git.Repo, str] = {}
        marks = _marks(chosen_groups, listings, cache, options.status, unfetched)
        for group in chosen_groups:
            for release in group.releases:
                entries = listings[release.commit]
                wanted = [e for e in entries if e.kind == EntryKind.SUBMODULE or may_select(e.name, group.languages)]
                said = marks.get(release.commit, {}) if group.rule.vendored_attributes else {}
                picked.append((group, release, wanted, said))
                for entry in wanted:
                    if entry.kind == EntryKind.FILE:
                        blobs.setdefault((entry.sha, entry.name), Blob(group.repo, entry.size))
        sizes: dict[str, int] = {}
        own = options.engine is not None and options.engine.blob_source is BlobSource.OWN
        prepare = _sizer(picked, sizes, options.status, unfetched, fetch_counted=not own)
        counts = count_blobs(blobs, cache, options.engine, options.progress, prepare, sizes.update)
        _keep_sizes(listings, sizes, cache)
        failures = {r.project: unfetched[g.repo] for g in chosen_groups if g.repo in unfetched for r in g.releases}
        if unfetched and all(group.repo in unfetched for group in chosen_groups):
            raise RepositoryError(next(iter(unfetched.values())))
        chosen_groups = [group for group in chosen_groups if group.repo not in unfetched]
        picked = [item for item in picked if item[0].repo not in unfetched]
        for group in chosen_groups:
            latest = group.releases[-1] if group.releases else None
            found = left_out(latest, listings[latest.commit], group.languages) if latest is not None else None
            if found is not None:
                elsewhere.append(found)
        damaged = cache.damaged
    picked = [(group, release, _sized(wanted, sizes), said) for group, release, wanted, said in picked]
    snapshots = [_snapshot(group, release, wanted, marks, counts) for group, release, wanted, marks in picked]
    selection = selection or Selection()
    taken = " / ".join(dict.fromkeys(group.languages.describe() for group in chosen_groups))
    notes = [*selection.notes, *left_out_notes(elsewhere, taken)]
    if damaged:
        notes.append(
            f"the count cache in {options.cache} held {damaged:,} damaged rows; they were counted or listed again"
        )
    selection = replace(selection, notes=notes, failures={**selection.failures, **failures})
    plain = options.engine.plain if options.engine else False
    rules = [f"{group.rule.describe()}; languages={group.languages.describe()}" for group in chosen_groups]
    info = make_provenance(describe(plain), list(dict.fromkeys(rules)), selection)
    files = file_frame(snapshots, counts, info.pygount)
    tidy = tidy_frame(files, snapshots, info.pygount)
    repos = {release.project: group.repo for group in chosen_groups for release in group.releases}
    result = Result(tidy=tidy, files=files, snapshots=snapshots, provenance=info, repos=repos)
    return result.with_changes() if with_changes else result


def _marks(
    groups: Sequence[Group],
    listings: Mapping[str, list[TreeEntry]],
    cache: CountCache,
    status: FetchStatus | None,
    unfetched: dict[git.Repo, str],
) -> dict[str, dict[str, bool]]:
    """What each release's ``.gitattributes`` say of its files: from the cache, or asked of git (and cached).

    git is asked only where a ``.gitattributes`` of the tree names a Linguist attribute; the
    answer covers every file of the tree, so it serves any selection of languages. A partial
    clone first fetches the ``.gitattributes`` of every release it asks about, in bulk; a
    repository whose fetch fails is kept in ``unfetched`` with why (its projects fail).
    """
    wanted = {
        release.commit: group.repo for group in groups if group.rule.vendored_attributes for release in group.releases
    }
    found = cache.get_marks(wanted)
    asked = {commit: repo for commit, repo in wanted.items() if commit not in found}
    for repo in {repo for repo in asked.values() if clone_mode(repo) == CloneMode.PARTIAL}:
        commits = [commit for commit, owner in asked.items() if owner == repo]
        shas = {e.sha for c in commits for e in listings[c] if e.name == ATTRIBUTES_FILE and e.kind == EntryKind.FILE}
        _complete(repo, (), shas, commits, status, unfetched)
    fresh = {commit: _ask(repo, commit, listings[commit]) for commit, repo in asked.items() if repo not in unfetched}
    cache.put_marks(fresh)
    return {**found, **fresh}


def _ask(repo: git.Repo, commit: str, entries: list[TreeEntry]) -> dict[str, bool]:
    if not mentions_linguist(repo, entries):
        return {}
    return linguist_marks(repo, commit, [entry.path for entry in entries if entry.kind == EntryKind.FILE])


def _complete(
    repo: git.Repo,
    unsized: Collection[str],
    fetch: Collection[str],
    commits: Sequence[str],
    status: FetchStatus | None,
    unfetched: dict[git.Repo, str],
) -> dict[str, int]:
    """:func:`complete_blobs`, or nothing when the repository's fetch fails: kept in ``unfetched``
    with why, so its projects fail and the others go on."""
    try:
        return complete_blobs(repo, unsized, fetch, commits, status)
    except RepositoryError as error:
        unfetched[repo] = str(error)
        return {}


def _sizer(
    picked: Sequence[tuple[Group, Release, list[TreeEntry], dict[str, bool]]],
    sizes: dict[str, int],
    status: FetchStatus | None,
    unfetched: dict[git.Repo, str],
    *,
    fetch_counted: bool = True,
) -> Callable[[dict[Key, Blob]], dict[Key, Blob]]:
    """The engine's ``prepare``: the blobs to count, fetched in bulk where a partial clone lacks them, sized.

    Blobs the count cache holds are never fetched. A partial clone's listing has no sizes: every
    file and symlink of the count listed without one is sized once present, so the tables say
    what a full mirror's say; ``sizes`` keeps what was found. Without ``fetch_counted`` (workers
    that read from mirrors of their own) only symlinks are fetched: a blob to count that the
    clone lacks stays unsized, and the worker that reads it gives its size. A repository whose
    fetch fails is kept in ``unfetched`` with why, and its blobs are not counted: its projects
    fail, the others go on.
    """
    commits: dict[git.Repo, list[str]] = {}
    unsized: dict[git.Repo, set[str]] = {}
    links: dict[git.Repo, set[str]] = {}
    for group, release, wanted, _said in picked:
        commits.setdefault(group.repo, []).append(release.commit)
        for entry in wanted:
            if entry.size == MISSING and entry.kind != EntryKind.SUBMODULE:
                unsized.setdefault(group.repo, set()).add(entry.sha)
                if entry.kind == EntryKind.SYMLINK:
                    links.setdefault(group.repo, set()).add(entry.sha)

    def prepare(todo: dict[Key, Blob]) -> dict[Key, Blob]:
        for repo, released in commits.items():
            if repo in unfetched:
                continue
            counted = {sha for (sha, _name), blob in todo.items() if blob.repo == repo} if fetch_counted else set()
            fetch = links.get(repo, set()) | counted
            sizes.update(_complete(repo, unsized.get(repo, set()), fetch, released, status, unfetched))
        return {
            key: replace(blob, size=sizes.get(key[0], blob.size))
            for key, blob in todo.items()
            if blob.repo not in unfetched
        }

    return prepare


def _sized(entries: list[TreeEntry], sizes: Mapping[str, int]) -> list[TreeEntry]:
    """The entries with the sizes found for those listed without one."""
    if not sizes:
        return entries
    return [replace(e, size=sizes[e.sha]) if e.size == MISSING and e.sha in sizes else e for e in entries]


def _keep_sizes(listings: dict[str, list[TreeEntry]], sizes: Mapping[str, int], cache: CountCache) -> None:
    """Store again the listings that gained sizes, so a warm run knows them without git."""
    grown = {}
    for commit, entries in listings.items():
        if any(e.size == MISSING and e.sha in sizes for e in entries):
            listings[commit] = grown[commit] = _sized(entries, sizes)
    cache.put_trees(WHOLE_TREE, {commit: encode_entries(entries) for commit, entries in grown.items()})


def _snapshot(
    group: Group,
    release: Release,
    wanted: list[TreeEntry],
    marks: dict[str, bool],
    counts: Mapping[tuple[str, str], FileCount],
) -> Snapshot:
    """A release's counted entries of the selected languages, each with its language."""
    entries: list[TreeEntry] = []
    languages: list[str] = []
    for entry in wanted:
        claimed = claims(entry.name)
        counted = counts.get((entry.sha, entry.name)) if entry.kind == EntryKind.FILE else None
        if entry.kind == EntryKind.SUBMODULE:
            language = ""
        elif counted is not None and counted.language in claimed:
            language = counted.language
        elif counted is not None and counted.state == FileState.ANALYZED and claimed and counted.language:
            language = claimed[0]  # an XML dialect pygount names after its root element
        else:
            language = claimed[0] if claimed else ""
        if entry.kind != EntryKind.SUBMODULE and not group.languages.selects(language, kind(language)):
            continue
        entries.append(entry)
        languages.append(language)
    return Snapshot(release, entries, group.rule, tuple(languages), marks, group.languages.only)


def _listings(groups: Sequence[Group], cache: CountCache) -> dict[str, list[TreeEntry]]:
    """Every entry of every release's commit: from the cache, or listed by git (and cached)."""
    wanted = {release.commit: group.repo for group in groups for release in group.releases}
    listings = cache.get_trees(WHOLE_TREE, wanted)
    missing = [(repo, commit) for commit, repo in wanted.items() if commit not in listings]
    with ThreadPoolExecutor(LISTING_THREADS) as pool:  # git does the work; threads only wait on it
        listed = dict(zip((c for _, c in missing), pool.map(_whole_listing, missing), strict=True))
    listings.update(listed)
    # A size not known (a partial clone's listing, a blob absent) is found when the blob is counted.
    cache.put_trees(WHOLE_TREE, {commit: encode_entries(entries) for commit, entries in listed.items()})
    return listings


def _whole_listing(item: tuple[git.Repo, str]) -> list[TreeEntry]:
    repo, commit = item
    return list_tree(repo, commit)


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
    listed: dict[str, Tag] = {}
    if spec.tags or spec.tags_matching is not None:
        listed = dict(known) if known is not None else list_tags(repo, notes)
        found += resolve_tags(repo, project, spec.tags, spec.tags_matching, known=listed, notes=notes)
    if spec.every is not None:
        found += resolve_snapshots(
            repo, project, spec.every, since=spec.since, until=spec.until, branch=spec.branch, notes=notes
        )
    if found:
        return release_order(found, listed)
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
    languages: LanguageSelection = DEFAULT_SELECTION,
    options: RunOptions = DEFAULT_OPTIONS,
    with_changes: bool = False,
) -> Result:
    """Count one repository (URL or local path) at tags, commits, matching tags and/or dated snapshots.

    With none of these, the tip of ``branch`` (default: the default branch) is counted.
    ``with_changes`` also makes :attr:`Result.changes`.
    """
    repo = open_repository(
        target, options.mirrors, refresh=options.refresh, progress=options.status, clone=options.clone_mode
    )
    name = project or project_name(target, repo)
    notes: list[str] = []
    spec = ReleaseSpec(
        tags=tuple(tags), tags_matching=tags_matching, every=every, since=since, until=until, branch=branch
    )
    releases, order = select_releases(repo, name, spec, notes=notes)
    selection = Selection(release_order={name: order}, notes=notes)
    return count_releases([Group(repo, releases, rule, languages)], options, selection, with_changes=with_changes)


def changes(
    result: Result,
    pairs: Sequence[tuple[Release | str, Release | str]] | None = None,
    *,
    unchanged: bool = False,
    similarity: int = DEFAULT_SIMILARITY,
) -> pd.DataFrame:
    """Per-file changes between releases of a count: each project's consecutive releases, or ``pairs``.

    One row per path that changed (every path with ``unchanged``): added, removed, modified
    or moved, with its lines before and after in its category (:mod:`loccount.release_diff`).
    Moves are git's own rename detection between the two commits: a file at a new path that
    keeps at least ``similarity`` percent of an old one (git's measure). A pair may be given by
    :class:`Release` or by name (version, tag, series or release id) and may run backwards:
    its growth is then negative.
    """
    releases = [snapshot.release for snapshot in result.snapshots]
    if pairs is None:
        chosen = consecutive(releases)
    else:
        chosen = [(_chosen(releases, old), _chosen(releases, new)) for old, new in pairs]
    paths = result.files.groupby(["project", "commit", "version"], sort=False)["path"].agg(frozenset)
    nothing: frozenset[str] = frozenset()
    work = [
        (
            result.repos.get(old.project),
            similarity,
            old,
            new,
            *(paths.get((r.project, r.commit, r.version), nothing) for r in (old, new)),
        )
        for old, new in chosen
    ]
    with ThreadPoolExecutor(LISTING_THREADS) as pool:  # git does the work; threads only wait on it
        renames = list(pool.map(_renames, work))
    return release_changes(result.files, chosen, renames, unchanged=unchanged)


def name_patterns(paths: frozenset[str]) -> list[str]:
    """git pathspecs that take in every path given (``*.rs`` per extension, ``*Makefile`` per bare name).

    Rename detection then looks only at files of the counted languages; a pair that joins a
    path outside the count is dropped by the changes (it does not fit).
    """
    patterns = set()
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        stem, dot, extension = name.rpartition(".")
        patterns.add(f"*.{extension}" if dot and stem else f"*{name}")
    return sorted(patterns)


def _chosen(releases: Sequence[Release], wanted: Release | str) -> Release:
    return wanted if isinstance(wanted, Release) else find_release(releases, wanted)


def _renames(item: tuple[git.Repo | None, int, Release, Release, frozenset[str], frozenset[str]]) -> list[Rename]:
    """git's rename pairs for a release pair, as the file table spells paths; git runs only if a move is possible."""
    repo, similarity, old, new, old_paths, new_paths = item
    if old.commit == new.commit or not (old_paths - new_paths) or not (new_paths - old_paths):
        return []
    if repo is None:
        raise LoccountError(f"{old.project}: no repository to find moves in; count with count_releases first")
    found = find_renames(repo, old.commit, new.commit, similarity, name_patterns(old_paths | new_paths))
    return [Rename(printable(r.old_path), printable(r.new_path), r.similarity) for r in found]


@dataclass
class Comparison:
    """Two releases of one project, counted, and the per-file changes from the first to the second."""

    result: Result
    before: Release
    after: Release
    changes: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """The two releases' rows of :attr:`Result.summary`, the one compared from first."""
        rows = self.result.summary
        keys = list(zip(rows["commit"], rows["version"], strict=True))
        order = [keys.index((release.commit, release.version)) for release in (self.before, self.after)]
        return rows.iloc[order].reset_index(drop=True)

    def directories(self, depth: int = 2, measure: str = "code", top: int | None = 10) -> pd.DataFrame:
        """The ``top`` directories (``depth`` levels) behind the change, test and non-test side by
        side: lines added, removed, moved, unreadable and net (:func:`~loccount.tables.changes.top_directories`)."""
        return top_directories(directory_changes(self.changes, depth, measure), top)

    def totals(self, measure: str = "code") -> pd.DataFrame:
        """The whole project's flows per category (:func:`~loccount.tables.changes.directory_changes` at depth 0)."""
        return directory_changes(self.changes, 0, measure)


def compare_releases(
    repo: git.Repo,
    before: Release,
    after: Release,
    rule: TestRule = DEFAULT_RULE,
    options: RunOptions = DEFAULT_OPTIONS,
    similarity: int = DEFAULT_SIMILARITY,
    languages: LanguageSelection = DEFAULT_SELECTION,
) -> Comparison:
    """Count two releases (from the cache where it can) and the changes from ``before`` to ``after``.

    ``after`` may be the older one: the changes then run backwards. The same commit twice is
    an error: there is nothing to compare.
    """
    if before.commit == after.commit:
        raise ReleaseError(
            f"{before.project}: {before.version!r} and {after.version!r} are the same commit "
            f"{before.commit[:12]}; nothing to compare"
        )
    result = count_releases([Group(repo, [before, after], rule, languages)], options)
    return Comparison(result, before, after, changes(result, [(before, after)], similarity=similarity))


def compare_repository(
    target: str,
    old: str,
    new: str,
    *,
    project: str | None = None,
    rule: TestRule = DEFAULT_RULE,
    options: RunOptions = DEFAULT_OPTIONS,
    similarity: int = DEFAULT_SIMILARITY,
    languages: LanguageSelection = DEFAULT_SELECTION,
) -> Comparison:
    """Compare one repository (URL or local path) at two tags or commits: ``old`` -> ``new``."""
    if old == new:
        raise ReleaseError(f"FROM and TO are both {old!r}; nothing to compare")
    repo = open_repository(
        target, options.mirrors, refresh=options.refresh, progress=options.status, clone=options.clone_mode
    )
    releases = resolve_tags(repo, project or project_name(target, repo), (old, new))
    before, after = find_release(releases, old), find_release(releases, new)
    return compare_releases(repo, before, after, rule, options, similarity, languages)
