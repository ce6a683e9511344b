"""Faults, each shown with real processes: kill -9 mid-count, mid-clone, mid-fetch and mid-write,
and two runs at once on one cache. Nothing is lost, nothing half-written, a second run resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from loccount.counting.cache import DB_NAME
from loccount.gitio.mirror import MARKER
from loccount.gitio.urls import mirror_name
from tests import namespaces
from tests.gitrepo import RepoBuilder, git
from tests.world import build_world, write_config

pytestmark = pytest.mark.slow
SLOW_SSH = Path(__file__).with_name("slow_ssh.py")
SLOW_WRITES = Path(__file__).with_name("slow_writes.py")


def loccount(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "loccount.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def slow_loccount(*args) -> subprocess.Popen:
    """loccount with every output written slowly (tests/slow_writes.py)."""
    return subprocess.Popen(
        [sys.executable, str(SLOW_WRITES), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out.decode(), err.decode()


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def wait_for(condition, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def cached_rows(cache: Path) -> int:
    try:
        with sqlite3.connect(f"file:{cache / DB_NAME}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM counts").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture
def big_world(tmp_path):
    return build_world(tmp_path / "world", files_per_project=40, lines=200)


def test_killed_mid_count_resumes_to_the_identical_result(big_world, tmp_path) -> None:
    config = write_config(tmp_path / "repos.yaml", big_world)
    cache, interrupted_out, clean_out = tmp_path / "cache", tmp_path / "out1", tmp_path / "out2"
    process = loccount(
        "run", "--config", config, "--cache-dir", cache, "--output", interrupted_out, "--no-report", "--jobs", "2"
    )
    wait_for(lambda: cached_rows(cache) > 0, what="the first cached batch")
    kill(process)
    partial = cached_rows(cache)
    assert 0 < partial < 82  # 41 + 41 distinct modules, tests and beta files
    code, _out, err = finish(
        loccount(
            "run", "--config", config, "--cache-dir", cache, "--output", interrupted_out, "--no-report", "--jobs", "1"
        )
    )
    assert code == 0, err
    assert f"{partial} cached" in err
    code, _out, err = finish(
        loccount(
            "run",
            "--config",
            config,
            "--cache-dir",
            tmp_path / "clean",
            "--output",
            clean_out,
            "--no-report",
            "--jobs",
            "1",
        )
    )
    assert code == 0, err
    resumed, clean = pd.read_csv(interrupted_out / "tidy.csv"), pd.read_csv(clean_out / "tidy.csv")
    pd.testing.assert_frame_equal(resumed, clean)
    with sqlite3.connect(cache / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = db.execute("SELECT COUNT(*), COUNT(DISTINCT sha || name) FROM counts").fetchone()
    assert keys[0] == keys[1] == cached_rows(tmp_path / "clean")


@pytest.fixture
def upstream(tmp_path):
    builder = RepoBuilder(tmp_path / "upstream")
    payload = os.urandom(3 * 1024 * 1024).hex()  # incompressible, so the transfer takes a while
    builder.release("1.0", {"a.py": "x = 1\n", "blob.txt": payload})
    return builder


SSH_ENV = {"GIT_SSH_COMMAND": f"{sys.executable} {SLOW_SSH}", "GIT_SSH_VARIANT": "ssh", "SLOW_SSH_DELAY": "0.01"}


def test_killed_mid_clone_is_detected_and_recloned(upstream, tmp_path) -> None:
    url = f"ssh://localhost{upstream.path}"
    cache = tmp_path / "cache"
    mirror = cache / "mirrors" / mirror_name(url)
    process = loccount("count", url, "--tag", "1.0", "--cache-dir", cache, env=SSH_ENV)
    wait_for(lambda: list((cache / "mirrors").glob("*.partial-*")), what="the partial clone")
    time.sleep(0.3)
    kill(process)
    assert list((cache / "mirrors").glob("*.partial-*")) and not mirror.exists()
    code, out, err = finish(
        loccount("count", url, "--tag", "1.0", "--cache-dir", cache, env={**SSH_ENV, "SLOW_SSH_DELAY": "0"})
    )
    assert code == 0, err
    assert (mirror / MARKER).exists() and not list((cache / "mirrors").glob("*.partial-*"))
    assert "1.0" in out


def test_killed_mid_fetch_keeps_the_mirror_usable(upstream, tmp_path) -> None:
    url = f"ssh://localhost{upstream.path}"
    cache = tmp_path / "cache"
    assert (
        finish(loccount("count", url, "--tag", "1.0", "--cache-dir", cache, env={**SSH_ENV, "SLOW_SSH_DELAY": "0"}))[0]
        == 0
    )
    upstream.release("1.1", {"a.py": "x = 2\n", "blob.txt": os.urandom(3 * 1024 * 1024).hex()})
    mirror = cache / "mirrors" / mirror_name(url)
    git(mirror, "config", "fetch.unpackLimit", "1")  # receive into a pack, so a fetch in progress shows
    process = loccount("count", url, "--tag", "1.1", "--refresh", "--cache-dir", cache, env=SSH_ENV)
    wait_for(lambda: list((mirror / "objects" / "pack").glob("tmp_pack_*")), what="the incoming pack")
    kill(process)
    assert list((mirror / "objects" / "pack").glob("tmp_pack_*"))  # the kill landed mid-fetch
    code, _out, err = finish(loccount("count", url, "--tag", "1.0", "--cache-dir", cache))
    assert code == 0, err  # the interrupted fetch left the mirror consistent
    code, out, err = finish(
        loccount(
            "count", url, "--tag", "1.1", "--refresh", "--cache-dir", cache, env={**SSH_ENV, "SLOW_SSH_DELAY": "0"}
        )
    )
    assert code == 0, err
    assert "1.1" in out


def in_progress(directory: Path, seen: set[str]) -> list[str]:
    """Temporary files being written in ``directory`` now (non-empty); their names are added to ``seen``."""
    found = []
    for path in directory.iterdir():
        try:
            if path.name.startswith(".") and path.stat().st_size > 0:
                found.append(path.name)
        except FileNotFoundError:  # renamed into place meanwhile
            continue
    seen.update(found)
    return found


def test_killed_mid_write_leaves_every_report_file_whole(tmp_path) -> None:
    world = build_world(tmp_path / "world")
    config = write_config(tmp_path / "repos.yaml", world)
    code, _out, err = finish(loccount("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-images"))
    assert code == 0, err
    output = tmp_path / "reports"
    before = {p.name: p.read_bytes() for p in output.iterdir()}
    for writes in (1, 2, 3):  # kill inside the first, second and third file this process writes
        seen: set[str] = set()
        process = slow_loccount("report", "--config", config, "--no-images")
        own = f".{process.pid}."  # temporaries name their writer; those of earlier kills do not count

        def inside_write() -> bool:
            return bool(in_progress(output, seen)) and len([n for n in seen if own in n]) >= writes  # noqa: B023

        wait_for(inside_write, what=f"write {writes}")
        kill(process)
        assert in_progress(output, set()), writes  # a half-written temporary is left: the kill landed mid-write
        for name, old in before.items():
            data = (output / name).read_bytes()
            if name.endswith(".html"):
                assert data.rstrip().endswith(b"</html>"), (writes, name)
            elif name.endswith(".csv"):
                assert len(data) > 0 and data.endswith(b"\n"), (writes, name)
            elif name.endswith(".js"):
                assert data == old
    code, _out, err = finish(loccount("report", "--config", config, "--no-images"))
    assert code == 0, err
    assert not [p.name for p in output.iterdir() if p.name.startswith(".")]


def test_two_runs_at_once_on_one_cache(tmp_path) -> None:
    world = build_world(tmp_path / "world", files_per_project=30, lines=100)
    config = write_config(tmp_path / "repos.yaml", world, scheme="file://")
    cache = tmp_path / "cache"
    first = loccount(
        "run", "--config", config, "--cache-dir", cache, "--output", tmp_path / "a", "--no-report", "--jobs", "1"
    )
    second = loccount(
        "run", "--config", config, "--cache-dir", cache, "--output", tmp_path / "b", "--no-report", "--jobs", "1"
    )
    for process in (first, second):
        code, _out, err = finish(process)
        assert code == 0, err
    a, b = pd.read_csv(tmp_path / "a" / "tidy.csv"), pd.read_csv(tmp_path / "b" / "tidy.csv")
    pd.testing.assert_frame_equal(a, b)
    code, _out, err = finish(
        loccount(
            "run",
            "--config",
            config,
            "--cache-dir",
            tmp_path / "solo",
            "--output",
            tmp_path / "c",
            "--no-report",
            "--jobs",
            "1",
        )
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(a, pd.read_csv(tmp_path / "c" / "tidy.csv"))
    mirrors = [p for p in (cache / "mirrors").iterdir() if p.is_dir()]
    assert len(mirrors) == 3  # releases, alpha, beta: one mirror each, cloned once


def descendants(pid: int) -> set[int]:
    """The live processes below ``pid`` (from /proc): children, and theirs (fork-server workers)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def loccount_with_scratch(shm: Path | None, *args) -> subprocess.Popen:
    """loccount with its tmpfs scratch root (``/dev/shm``) bound to ``shm`` in a private mount
    namespace, so no other test's run, cleaning stale scratch, can touch it; as is without."""
    if shm is None:
        return loccount(*args)
    return subprocess.Popen(
        namespaces.command_with_mounts([namespaces.bind(shm, "/dev/shm")], *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=namespaces.environment(),
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find child processes")
def test_workers_die_with_a_killed_parent_and_their_scratch_is_reclaimed(make_repo, tmp_path) -> None:
    from loccount.counting.count import SCRATCH_PREFIX, scratch_roots

    # Where the machine allows, the runs' scratch is private: a run elsewhere in the suite
    # would otherwise (rightly) remove the dead workers' directories before this test looks.
    shm: Path | None = None
    if Path("/dev/shm").is_dir() and namespaces.unavailable() is None:
        shm = tmp_path / "shm"
        shm.mkdir()
    roots = [str(shm)] if shm else scratch_roots()
    slow = "def f(x):\n    return x + 1  # c\n\n" * 50_000  # 1.7 MB: seconds per blob with plain pygount
    builder = make_repo("slow")  # 5 MB in all: enough to start a pool of workers
    builder.release("1.0", {"a.py": slow, "b.py": "# b\n" + slow, "c.py": "# c\n" + slow})
    # --plain: the fast path counts such a blob in half a second, which a worker can finish
    # (and tidy up after) before the kill reaches it; the test needs it killed mid-blob.
    process = loccount_with_scratch(
        shm, "count", builder.path, "--tag", "1.0", "--cache-dir", tmp_path / "c", "--jobs", "2", "--plain"
    )

    def scratch_of(pids: set[int]) -> list[Path]:
        return [p for root in roots for pid in pids for p in Path(root).glob(f"{SCRATCH_PREFIX}{pid}-*")]

    workers: set[int] = set()

    def counting() -> bool:
        workers.update(descendants(process.pid))
        return len(scratch_of(workers)) == 2

    wait_for(counting, what="both workers' scratch directories")
    os.kill(process.pid, signal.SIGKILL)  # the parent only, as `kill -9 <pid>` does
    process.communicate()
    wait_for(lambda: not any(running(pid) for pid in workers), timeout=3, what="the orphaned workers to exit")
    left = scratch_of(workers)
    assert len(left) == 2  # killed mid-blob, the workers left their scratch directories
    tiny = make_repo("tiny")
    tiny.release("1.0", {"a.py": "x = 1\n"})
    code, _out, err = finish(
        loccount_with_scratch(shm, "count", tiny.path, "--tag", "1.0", "--cache-dir", tmp_path / "c2", "--jobs", "1")
    )
    assert code == 0, err
    assert not any(path.exists() for path in left)  # the next run removed them
