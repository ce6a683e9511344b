"""Keep one bare mirror per repository URL under the cache directory.

A mirror is built in a ``.partial-<pid>`` directory and renamed into place only once its
first fetch has finished, so a killed clone never leaves a half-made mirror where a later
run would trust it. One file lock per mirror serialises clones and fetches of the same URL
across processes. URLs are untrusted: every one is checked before git sees it, and git
itself is told to allow only plain transports and never to prompt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git
from filelock import FileLock

from .errors import RepositoryError, UnsafeURLError

ALLOWED_SCHEMES = frozenset({"https", "http", "ssh", "git", "file"})
FETCH_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
MARKER = "loccount-mirror.json"
#: Environment for every git command loccount runs.
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GCM_INTERACTIVE": "never",
    "GIT_ALLOW_PROTOCOL": ":".join(sorted(ALLOWED_SCHEMES)),
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "http.lowSpeedLimit",
    "GIT_CONFIG_VALUE_0": "1000",
    "GIT_CONFIG_KEY_1": "http.lowSpeedTime",
    "GIT_CONFIG_VALUE_1": "120",
}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):")

Progress = Callable[[str], None]


def display_url(url: str) -> str:
    """``url`` without any password or token, for messages and outputs."""
    if not _SCHEME.match(url):
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_url(url: str) -> None:
    """Refuse URLs that could run a command or be read as an option, before git sees them."""
    shown = display_url(url)
    if not url or url != url.strip():
        raise UnsafeURLError(f"repository URL {shown!r} is empty or has surrounding spaces")
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        raise UnsafeURLError(f"repository URL {shown!r} contains control characters")
    if url.startswith("-"):
        raise UnsafeURLError(f"repository URL {shown!r} starts with '-' and would be read as an option")
    try:
        git.Git.check_unsafe_protocols(url)
    except git.exc.UnsafeProtocolError:
        raise UnsafeURLError(
            f"repository URL {shown!r} uses a git remote helper ('<transport>::'), which can run commands"
        ) from None
    scheme = _SCHEME.match(url)
    if scheme:
        if scheme.group(1).lower() not in ALLOWED_SCHEMES:
            allowed = ", ".join(sorted(ALLOWED_SCHEMES))
            raise UnsafeURLError(f"repository URL {shown!r}: scheme {scheme.group(1)!r} is not one of {allowed}")
        if any(char.isspace() for char in url):
            raise UnsafeURLError(f"repository URL {shown!r} contains white space")
        host = urlsplit(url).hostname or ""
        if host.startswith("-"):
            raise UnsafeURLError(f"repository URL {shown!r}: host starts with '-'")
        return
    scp = _SCP_LIKE.match(url)
    if scp and scp.group("host").startswith("-"):
        raise UnsafeURLError(f"repository URL {shown!r}: host starts with '-'")


def is_local(url: str) -> bool:
    """True for a path on this machine, which is read in place instead of mirrored."""
    return not _SCHEME.match(url) and not _SCP_LIKE.match(url)


def mirror_name(url: str) -> str:
    """A directory name for ``url``: readable, confined to ``[A-Za-z0-9._-]``, unique by hash."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    readable = _SCHEME.sub("", display_url(url)).removesuffix(".git")
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", readable)
    readable = re.sub(r"\.{2,}", ".", readable).strip("._-")[:80] or "repo"
    return f"{readable}-{digest}"


def git_error(error: git.GitCommandError) -> str:
    """The line of git's stderr that says what went wrong."""
    text = error.stderr if isinstance(error.stderr, str) else ""
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    lines = [line.removeprefix("stderr:").strip(" '") for line in lines]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return meaningful[-1] if meaningful else f"git exited with status {error.status}"


class _FetchProgress(git.RemoteProgress):
    def __init__(self, report: Progress, label: str) -> None:
        super().__init__()
        self._report = report
        self._label = label

    def update(self, op_code, cur_count, max_count=None, message=""):
        stage = {self.COUNTING: "counting", self.COMPRESSING: "compressing", self.RECEIVING: "receiving"}
        stage.update({self.RESOLVING: "resolving deltas"})
        name = stage.get(op_code & self.OP_MASK, "fetching")
        share = f" {100 * cur_count / max_count:.0f}%" if max_count else ""
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


def _fetch(repo: git.Repo, url: str, progress: Progress | None) -> None:
    handler = _FetchProgress(progress, display_url(url)) if progress else None
    try:
        repo.remote("origin").fetch(prune=True, progress=handler)
    except git.GitCommandError as error:
        raise RepositoryError(f"cannot fetch {display_url(url)}: {git_error(error)}") from None


def _set_head(repo: git.Repo) -> None:
    """Point the mirror's HEAD at the remote's default branch, so ``HEAD`` means what it means upstream."""
    branch = None
    try:
        for line in repo.git.ls_remote("--symref", "origin", "HEAD").splitlines():
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


def _clone(url: str, destination: Path, progress: Progress | None) -> None:
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
        _fetch(repo, url, progress)
        _set_head(repo)
        (partial / MARKER).write_text(json.dumps({"url": display_url(url)}) + "\n")
        repo.close()
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def is_complete(path: Path) -> bool:
    """A mirror counts only once its first fetch finished and it was renamed into place."""
    return (path / MARKER).is_file() and (path / "HEAD").is_file()


def open_mirror(url: str, mirrors_dir: Path, *, refresh: bool = False, progress: Progress | None = None) -> git.Repo:
    """The bare mirror of ``url`` under ``mirrors_dir``: cloned on first use, fetched on ``refresh``."""
    check_url(url)
    mirrors_dir.mkdir(parents=True, exist_ok=True)
    destination = mirrors_dir / mirror_name(url)
    with FileLock(str(destination) + ".lock"):
        for stale in mirrors_dir.glob(f"{destination.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if destination.exists() and not is_complete(destination):
            shutil.rmtree(destination)
        if not destination.exists():
            _clone(url, destination, progress)
            refresh = False
        repo = git.Repo(destination)
        repo.git.update_environment(**GIT_ENV)
        if refresh:
            _fetch(repo, url, progress)
            _set_head(repo)
    return repo


def open_repository(
    url: str, mirrors_dir: Path, *, refresh: bool = False, progress: Progress | None = None
) -> git.Repo:
    """A readable repository for ``url``: a local path in place, anything else through a mirror."""
    check_url(url)
    if is_local(url):
        return open_local(url)
    return open_mirror(url, mirrors_dir, refresh=refresh, progress=progress)
