"""Which processes count as alive, and which scratch directories are stale."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loccount.counting.processes import alive, remove_stale_scratch, scratch_prefix


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombies are told apart through /proc")
def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{child.pid}/stat")
    deadline = time.monotonic() + 30
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":  # exited, not yet reaped
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not alive(child.pid)
    child.wait()
    assert alive(os.getpid())


def test_only_the_scratch_of_dead_processes_is_removed(tmp_path) -> None:
    dead = tmp_path / f"loccount-{dead_pid()}-abc"
    mine = tmp_path / f"{scratch_prefix('loccount-')}def"
    unnamed = tmp_path / "loccount-xyz"  # no pid: an older loccount's, or not ours to judge
    other = tmp_path / "other-1-x"
    for folder in (dead, mine, unnamed, other):
        (folder / "sub").mkdir(parents=True)
    assert remove_stale_scratch([str(tmp_path), str(tmp_path / "missing")], "loccount-") == [str(dead)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (mine, unnamed, other))
