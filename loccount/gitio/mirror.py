"""Keep one bare mirror per repository URL under the cache directory.

A mirror is built in a ``.partial-<pid>`` directory and renamed into place only once its
first fetch has finished, so a killed clone never leaves a half-made mirror where a later
run would trust it: the next run removes the leftover and clones again. A new mirror is full
or partial (blobless, :mod:`loccount.gitio.partial`) as asked; an existing one keeps its mode.
One file lock per mirror serialises clones and fetches of the same URL across processes.
URLs are untrusted: every one is checked (:mod:`loccount.urls`) before git sees it, and git
itself is told to allow only plain transports and never to prompt (:mod:`loccount.gitcommand`).
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import git
from filelock import FileLock

from loccount.errors import CacheError, LoccountError, RepositoryError
from loccount.gitio.gitcommand import GIT_ENV, git_error
from loccount.gitio.partial import CloneMode, FetchStatus, mark_partial
from loccount.gitio.urls import check_url, display_url, is_local, mirror_name

FETCH_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
MARKER = "loccount-mirror.json"
#: Clones run at once by :func:`open_repositories`: git does the work, a thread only waits on it.
DEFAULT_CLONE_JOBS = 4


class _FetchProgress(git.RemoteProgress):
    def __init__(self, report: FetchStatus | None, label: str) -> None:
        super().__init__()
        self._report = report
        self._label = label

    def update(self, op_code, cur_count, max_count=None, message=""):
        stage = {self.COUNTING: "counting", self.COMPRESSING: "compressing", self.RECEIVING: "receiving"}
        stage.update({self.RESOLVING: "resolving deltas"})
        name = stage.get(op_code & self.OP_MASK, "fetching")
        share = f" {100 * cur_count / max_count:.0f}%" if max_count else ""
        if self._report:
            self._report(f"{self._label}: {name}{share}")


def open_local(path: str) -> git.Repo:
    """Open a repository on this machine where it is (bare or with a work tree) for reading."""
    expanded = Path(path).expanduser()
    if not expanded.exists():
        raise RepositoryError(f"{path}: no such file or directory")
    try:
        repo = git.Repo(expanded)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise RepositoryError(f"{path}: not a git repository") from None
    # GIT_DIR makes git find a bare repository even where it lacks a config file.
    repo.git.update_environment(**GIT_ENV, GIT_DIR=repo.git_dir)
    return repo


def _fetch(repo: git.Repo, url: str, progress: FetchStatus | None) -> None:
    handler = _FetchProgress(progress, display_url(url))
    try:
        repo.remote("origin").fetch(prune=True, progress=handler)
    except git.GitCommandError as error:
        raise RepositoryError(f"cannot fetch {display_url(url)}: {git_error(error, handler.other_lines)}") from None


def _set_head(repo: git.Repo) -> None:
    """Point the mirror's HEAD at the remote's default branch, so ``HEAD`` means what it means upstream."""
    branch = None
    try:
        for line in str(repo.git.ls_remote("--symref", "origin", "HEAD")).splitlines():
            if line.startswith("ref: ") and line.endswith("\tHEAD"):
                branch = line[5:].split("\t")[0]
    except git.GitCommandError:
        branch = None
    heads = {ref.path for ref in repo.references if ref.path.startswith("refs/heads/")}
    if branch not in heads:
        branch = next((h for h in ("refs/heads/main", "refs/heads/master") if h in heads), None)
        branch = branch or (sorted(heads)[0] if heads else None)
    if branch:
        repo.git.symbolic_ref("HEAD", branch)


def _clone(url: str, destination: Path, progress: FetchStatus | None, clone: CloneMode) -> None:
    partial = destination.with_name(f"{destination.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        repo = git.Repo.init(partial, bare=True, mkdir=True)
        repo.git.update_environment(**GIT_ENV)
        with repo.config_writer() as config:
            config.set_value('remote "origin"', "url", url)
            config.set_value('remote "origin"', "fetch", FETCH_REFSPECS[0])
            config.add_value('remote "origin"', "fetch", FETCH_REFSPECS[1])
            config.set_value("gc", "auto", "0")
            if clone == CloneMode.PARTIAL:
                mark_partial(config)
        _fetch(repo, url, progress)
        _set_head(repo)
        (partial / MARKER).write_text(json.dumps({"url": display_url(url), "clone": str(clone)}) + "\n")
        repo.close()
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def is_complete(path: Path) -> bool:
    """A mirror counts only once its first fetch finished and it was renamed into place."""
    return (path / MARKER).is_file() and (path / "HEAD").is_file()


def list_mirrors(directory: Path) -> tuple[list[Path], list[Path]]:
    """Complete mirrors under ``directory``, and unfinished clones (removed when their URL is next used)."""
    found = sorted(path for path in directory.glob("*") if path.is_dir()) if directory.is_dir() else []
    return [p for p in found if is_complete(p)], [p for p in found if not is_complete(p)]


def origin_url(repo: git.Repo) -> str | None:
    """The ``origin`` remote's URL from the repository's own config file, if it has one."""
    try:
        url = repo.config_reader("repository").get_value('remote "origin"', "url", default="")
    except (OSError, ValueError, configparser.Error):
        return None
    return str(url) or None


def mirror_url(repo: git.Repo) -> str | None:
    """The URL a loccount mirror was cloned from, so another machine can clone the same; None otherwise."""
    return origin_url(repo) if is_complete(Path(repo.git_dir)) else None


def open_mirror(
    url: str,
    directory: Path,
    *,
    refresh: bool = False,
    progress: FetchStatus | None = None,
    clone: CloneMode = CloneMode.FULL,
) -> git.Repo:
    """The bare mirror of ``url`` under ``directory``: cloned on first use (``clone`` says how),
    fetched on ``refresh`` (a partial mirror's fetch stays partial)."""
    check_url(url)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CacheError(f"{directory}: cannot create the mirrors directory: {error.strerror or error}") from None
    destination = directory / mirror_name(url)
    with FileLock(str(destination) + ".lock"):
        for stale in directory.glob(f"{destination.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if destination.exists() and not is_complete(destination):
            shutil.rmtree(destination)
        if not destination.exists():
            _clone(url, destination, progress, clone)
            refresh = False
        repo = git.Repo(destination)
        repo.git.update_environment(**GIT_ENV)
        if refresh:
            _fetch(repo, url, progress)
            _set_head(repo)
    return repo


def open_repository(
    url: str,
    directory: Path,
    *,
    refresh: bool = False,
    progress: FetchStatus | None = None,
    clone: CloneMode = CloneMode.FULL,
) -> git.Repo:
    """A readable repository for ``url``: a local path in place, anything else through a mirror."""
    check_url(url)
    if is_local(url):
        return open_local(url)
    return open_mirror(url, directory, refresh=refresh, progress=progress, clone=clone)


def open_repositories(
    urls: Iterable[str],
    directory: Path,
    *,
    jobs: int = DEFAULT_CLONE_JOBS,
    refresh: bool = False,
    progress: FetchStatus | None = None,
    clone: CloneMode = CloneMode.FULL,
) -> dict[str, git.Repo | LoccountError]:
    """Each URL's repository (:func:`open_repository`), at most ``jobs`` cloned or fetched at once.

    A URL that fails gets its error, not raised, so one unreachable repository does not stop the
    others. A run killed half way leaves its finished mirrors complete and usable; the unfinished
    ones are cloned again by the next call.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    wanted = list(dict.fromkeys(urls))

    def one(url: str) -> git.Repo | LoccountError:
        try:
            return open_repository(url, directory, refresh=refresh, progress=progress, clone=clone)
        except LoccountError as error:
            return error

    with ThreadPoolExecutor(min(jobs, max(1, len(wanted)))) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))
