"""Run loccount in a private mount namespace (``unshare -m``), to give it a tiny or read-only
file system without touching the machine's own mounts. Needs root; tests skip with the reason."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest


@functools.cache
def unavailable() -> str | None:
    """Why private mounts cannot be made here, or None when they can."""
    if not sys.platform.startswith("linux"):
        return "mount namespaces are Linux only"
    if os.geteuid() != 0:
        return "mounting a tiny tmpfs in a private namespace needs root"
    if shutil.which("unshare") is None:
        return "util-linux unshare is not installed"
    probe = "mount -t tmpfs -o size=64k loccount-probe /mnt"
    if subprocess.run(["unshare", "-m", "sh", "-c", probe], capture_output=True).returncode != 0:
        return "this sandbox does not allow mounts in a private namespace"
    return None


def require_private_mounts() -> None:
    reason = unavailable()
    if reason:
        pytest.skip(reason)


def tiny_tmpfs(path: str | Path, size: str = "64k") -> str:
    """Shell command mounting a tmpfs of ``size`` on ``path``."""
    return f"mount -t tmpfs -o size={size} loccount-test {shlex.quote(str(path))}"


def read_only(path: str | Path) -> str:
    """Shell command making ``path`` read-only (a read-only bind mount of itself)."""
    quoted = shlex.quote(str(path))
    return f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}"


def bind(source: str | Path, target: str | Path) -> str:
    """Shell command showing directory ``source`` at ``target`` (a bind mount)."""
    return f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(target))}"


def command_with_mounts(mounts: Sequence[str], *args: object) -> list[str]:
    """The command running ``python -m loccount.cli ARGS`` after ``mounts``, in a private mount namespace."""
    command = [sys.executable, "-m", "loccount.cli", *map(str, args)]
    return ["unshare", "-m", "sh", "-c", " && ".join([*mounts, "exec " + shlex.join(command)])]


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment, with this checkout importable, plus ``env``."""
    return {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]), **(env or {})}


def loccount_with_mounts(
    mounts: Sequence[str], *args: object, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m loccount.cli ARGS`` after ``mounts``, all in a private mount namespace."""
    return subprocess.run(
        command_with_mounts(mounts, *args), capture_output=True, text=True, timeout=timeout, env=environment(env)
    )
