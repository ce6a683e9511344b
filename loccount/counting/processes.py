"""Processes that outlive their run: counting workers die with their parent, and scratch
directories left by killed processes are removed by the next run.

A scratch directory's name holds the pid of the process that made it, so a later run can
tell a live process's directory (kept) from a dead one's (removed).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

#: prctl(2) option: the signal the kernel sends a process when its parent dies.
PR_SET_PDEATHSIG = 1


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (one of another user's counts; a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc here: the signal test is all there is
    return state != "Z"


def die_with_parent(run: int) -> None:
    """Worker initializer: end this process when the run ``run`` dies, even by kill -9.

    A worker's parent is the run itself (``spawn``) or the fork server the run started
    (``forkserver``), which exits when the run does. On Linux the kernel sends SIGKILL when
    the parent dies (``PR_SET_PDEATHSIG``); a daemon thread also watches the run's pid, and
    is all there is elsewhere. A run or parent that died before this ran is caught at once.
    """
    parent = os.getppid()
    if not (sys.platform.startswith("linux") and _set_death_signal()) or parent != run:
        threading.Thread(target=_watch, args=(run, parent), name="loccount-run-watch", daemon=True).start()
    if os.getppid() != parent or not alive(run):
        os._exit(1)


def _set_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(run: int, parent: int, interval: float = 1.0) -> None:
    while os.getppid() == parent and alive(run):
        time.sleep(interval)
    os._exit(1)


def scratch_prefix(prefix: str) -> str:
    """The start of this process's scratch directory names: ``<prefix><pid>-``."""
    return f"{prefix}{os.getpid()}-"


def remove_stale_scratch(roots: Iterable[str], prefix: str) -> list[str]:
    """Delete ``<prefix><pid>-*`` directories under ``roots`` whose process is gone; returns them."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    removed = []
    for root in roots:
        with contextlib.suppress(OSError), os.scandir(root) as entries:
            for entry in entries:
                match = pattern.match(entry.name)
                if match and not alive(int(match[1])) and entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(entry.path)
    return removed
