"""Small git repositories built on the fly, offline: the tests' only way to make one."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str | None = None, input: bytes | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    result = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, input=input)
    return result.stdout.decode().strip()


Content = bytes | str | tuple[str, str]  # bytes/str: a file; ("symlink", target) or ("submodule", sha)


class RepoBuilder:
    """Build a repository release by release: each release replaces the whole tree and is tagged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")
        self.day = 0

    def release(
        self, tag: str | None, files: Mapping[str, Content], annotated: bool = False, date: str | None = None
    ) -> str:
        git(self.path, "rm", "-rq", "--cached", "--ignore-unmatch", ".")
        for child in self.path.iterdir():
            if child.name != ".git":
                subprocess.run(["rm", "-rf", str(child)], check=True)
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, tuple):
                kind, value = content
                if kind == "symlink":
                    target.symlink_to(value)
                    git(self.path, "add", name)
                else:
                    git(self.path, "update-index", "--add", "--cacheinfo", f"160000,{value},{name}")
                continue
            target.write_bytes(content.encode() if isinstance(content, str) else content)
            git(self.path, "add", "-f", name)
        self.day += 1
        date = date or f"2020-01-{self.day:02d}T12:00:00+00:00"
        git(self.path, "commit", "-q", "--allow-empty", "-m", f"release {tag}", date=date)
        commit = git(self.path, "rev-parse", "HEAD")
        if tag:
            if annotated:
                git(self.path, "tag", "-a", "-m", tag, tag, date=date)
            else:
                git(self.path, "tag", tag)
        return commit
