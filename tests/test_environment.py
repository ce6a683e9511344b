"""Accidents of the environment (a full scratch disk, memory) are never cached as a file's count,
and a run never reports totals that silently drop the files they hit."""

from __future__ import annotations

import os
import sqlite3

import pytest
from click.testing import CliRunner

from loccount.cli import main
from loccount.counting import count as count_module
from loccount.counting.cache import DB_NAME, CountCache
from loccount.counting.count import count_batch, count_blob, fingerprint
from loccount.counting.engine import EngineOptions, count_blobs
from loccount.counting.filecount import FileCount
from loccount.errors import EnvironmentFault
from tests.fixtures_data import RELEASE_1_0
from tests.namespaces import loccount_with_mounts, read_only, require_private_mounts, tiny_tmpfs

BIG_TEST = "x = 1\n" * 20_000  # 120 kB: more than the 64 kB tmpfs below holds; code 20,000
ITEMS = [("a" * 40, "mod.py", b"x = 1\n# c\n"), ("b" * 40, "t.py", b"y = 2\n")]


def test_a_full_scratch_disk_raises_instead_of_becoming_the_files_state(tmp_path) -> None:
    (tmp_path / "mod.py").symlink_to("/dev/full")  # every write there fails with ENOSPC, as on a full disk
    with pytest.raises(EnvironmentFault, match="No space left on device"):
        count_blob("mod.py", b"x = 1\n", str(tmp_path))
    assert not (tmp_path / "mod.py").exists()


def test_a_name_too_long_for_any_disk_is_a_fact_about_the_file(tmp_path) -> None:
    counted = count_blob("x" * 300 + ".py", b"x = 1\n", str(tmp_path))
    assert counted.state == "error" and "File name too long" in counted.state_info
    assert not counted.accidental


@pytest.mark.parametrize(
    ("info", "accidental"),
    [
        ("[Errno 5] Input/output error: '/dev/shm/loccount-1-x/a.py'", True),  # pygount's OSError, as text
        ("cannot write a scratch copy: No space left on device", True),  # as loccount 0.1 cached it
        ("pygount raised MemoryError: ", True),
        ("pygount raised PermissionError: [Errno 13] Permission denied", True),
        ("'utf-8' codec can't decode byte 0xff in position 27: invalid start byte", False),
        ("unknown encoding: bogus-enc", False),
        ("pygount raised AssertionError: ", False),
        ("the file name cannot be used on disk: File name too long", False),
    ],
)
def test_which_errors_are_accidents(info: str, accidental: bool) -> None:
    assert FileCount.error(info).accidental is accidental
    assert not FileCount("analyzed", "Python", 1, state_info=info).accidental


def test_a_batch_moves_to_disk_when_tmpfs_fails_and_fails_whole_when_both_do(tmp_path, monkeypatch) -> None:
    full, disk = tmp_path / "shm", tmp_path / "disk"
    full.mkdir()
    disk.mkdir()
    real = count_blob

    def filling(name: str, data: bytes, directory: str, fast: bool = True) -> FileCount:
        if directory.startswith(str(full)) and name == "t.py":
            raise EnvironmentFault(f"cannot write a scratch copy in {directory}: No space left on device")
        return real(name, data, directory, fast)

    monkeypatch.setattr(count_module, "count_blob", filling)
    monkeypatch.setattr(count_module, "scratch_roots", lambda: [str(full), str(disk)])
    assert count_batch(ITEMS) == [(sha, name, real(name, data, str(tmp_path))) for sha, name, data in ITEMS]
    monkeypatch.setattr(count_module, "scratch_roots", lambda: [str(full)])
    with pytest.raises(EnvironmentFault, match=r"No space left on device; free some space .*cached"):
        count_batch(ITEMS)
    assert sorted(os.listdir(full)) == sorted(os.listdir(disk)) == []  # scratch directories removed


def test_a_failed_batch_is_not_cached_and_the_run_stops(blobs, cache_dir, monkeypatch) -> None:
    def full(_items, plain=False):
        raise EnvironmentFault("cannot write a scratch copy in /dev/shm: No space left on device")

    monkeypatch.setattr("loccount.counting.engine.count_batch", full)
    with CountCache(cache_dir) as cache:
        with pytest.raises(EnvironmentFault):
            count_blobs(blobs, cache, EngineOptions(jobs=1))
        assert cache.stats() == {}


def test_the_cache_refuses_accidents_and_recounts_those_an_old_version_stored(blobs, cache_dir) -> None:
    accident = FileCount.error("cannot write a scratch copy: No space left on device")
    key = next(iter(blobs))
    with CountCache(cache_dir) as cache:
        with pytest.raises(EnvironmentFault, match="not caching"):
            cache.put_many(fingerprint(), [(*key, accident)])
        assert cache.stats() == {}
    with sqlite3.connect(cache_dir / DB_NAME) as db:  # as loccount 0.1 stored it
        db.execute(
            "INSERT INTO counts VALUES (?,?,?,?,?,?,?,?,?,?)",
            (fingerprint(), *key, "error", "__error__", 0, 0, 0, 0, accident.state_info),
        )
    with CountCache(cache_dir) as cache:
        assert cache.get_many(fingerprint(), [key]) == {}
        counted = count_blobs(blobs, cache, EngineOptions(jobs=1))
        assert counted[key].state != "error"
        assert cache.get_many(fingerprint(), [key]) == {key: counted[key]}


def test_the_cli_fails_with_one_line_and_caches_nothing(make_repo, tmp_path, monkeypatch) -> None:
    builder = make_repo("demo")
    builder.release("1.0", RELEASE_1_0)
    monkeypatch.setattr(count_module, "scratch_roots", lambda: [str(tmp_path / "no-such-dir")])
    result = CliRunner().invoke(
        main, ["count", str(builder.path), "--tag", "1.0", "--jobs", "1", "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("loccount:")]
    assert lines == [
        f"loccount: error: cannot use a scratch directory in {tmp_path / 'no-such-dir'}: No such file or directory; "
        "mend the scratch directory (or set TMPDIR to another) and run the same command again: counts finished so far "
        "are cached"
    ]
    assert "Traceback" not in result.output
    with CountCache(tmp_path / "c") as cache:
        assert cache.stats() == {}


@pytest.fixture
def big_repo(make_repo):
    builder = make_repo("big")
    builder.release("1.0", {**RELEASE_1_0, "pkg/tests/test_big.py": BIG_TEST})
    return builder.path


def test_the_big_test_file_counts_in_full_with_room_to_spare(tmp_path, big_repo) -> None:
    """The reference for the tiny-tmpfs test below."""
    args = [
        "count",
        str(big_repo),
        "--tag",
        "1.0",
        "--jobs",
        "1",
        "--cache-dir",
        str(tmp_path / "c"),
        "--csv",
        str(tmp_path / "t.csv"),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "test,3,20002," in (tmp_path / "t.csv").read_text()


@pytest.mark.slow
def test_a_really_full_tmpfs_moves_scratch_to_disk_and_a_full_disk_fails(tmp_path, big_repo) -> None:
    """The attack's reproduction: /dev/shm a 64 kB tmpfs in a private mount namespace."""
    require_private_mounts()
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    common = ["count", big_repo, "--tag", "1.0", "--jobs", "1", "--cache-dir", cache]
    both_full = loccount_with_mounts([tiny_tmpfs("/dev/shm"), tiny_tmpfs(tmp)], *common, env={"TMPDIR": str(tmp)})
    assert both_full.returncode == 1, both_full.stderr
    errors = [line for line in both_full.stderr.splitlines() if line.strip()]
    assert errors[-1].startswith("loccount: error: cannot write a scratch copy in /dev/shm/loccount-")
    assert errors[-1].count("No space left on device") == 2 and "Traceback" not in both_full.stderr
    with sqlite3.connect(cache / DB_NAME) as db:
        assert db.execute("SELECT COUNT(*) FROM counts WHERE state = 'error'").fetchone() == (0,)
    shm_full = loccount_with_mounts(
        [tiny_tmpfs("/dev/shm")], *common, "--csv", tmp_path / "t.csv", env={"TMPDIR": str(tmp)}
    )
    assert shm_full.returncode == 0, shm_full.stderr
    assert "test,3,20002," in (tmp_path / "t.csv").read_text()  # the big test file is counted, on disk
    with sqlite3.connect(cache / DB_NAME) as db:
        assert db.execute("SELECT COUNT(*) FROM counts WHERE state = 'error'").fetchone() == (0,)


@pytest.mark.slow
def test_a_read_only_cache_is_not_called_damaged_and_clear_is_one_line(tmp_path, big_repo) -> None:
    require_private_mounts()
    cache = tmp_path / "cache"
    args = ["count", big_repo, "--tag", "1.0", "--jobs", "1", "--cache-dir", cache]
    assert CliRunner().invoke(main, [str(a) for a in args]).exit_code == 0
    for command in (args, ["cache", "clear", "--cache-dir", cache]):
        done = loccount_with_mounts([read_only(cache)], *command)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        errors = [line for line in done.stderr.splitlines() if line.startswith("loccount: error:")]
        assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "damaged" not in errors[0] and ("read-only" in errors[0] or "Read-only" in errors[0]), errors[0]
    assert (cache / DB_NAME).is_file()
    # cache info only reads: it reads a read-only cache
    info = loccount_with_mounts([read_only(cache)], "cache", "info", "--cache-dir", cache)
    assert info.returncode == 0, info.stderr
    assert "integrity: ok" in info.stdout.splitlines()[1]


def test_a_scratch_directory_that_refuses_everything_is_one_fault_not_a_recursion(tmp_path, monkeypatch) -> None:
    """EACCES on every open, unlink and rmdir under the scratch directory: TemporaryDirectory's
    cleanup used to retry itself into a 7,000-line RecursionError."""
    import builtins
    import os

    root = tmp_path / "scratch"
    root.mkdir()
    monkeypatch.setattr(count_module, "scratch_roots", lambda: [str(root)])
    real_open, real_unlink, real_rmdir = builtins.open, os.unlink, os.rmdir

    def refuse(real):
        def call(path, *args, **kwargs):
            if str(path).startswith(str(root)):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(builtins, "open", refuse(real_open))
    monkeypatch.setattr(os, "unlink", refuse(real_unlink))
    monkeypatch.setattr(os, "rmdir", refuse(real_rmdir))
    with pytest.raises(EnvironmentFault, match=r"cannot write a scratch copy in .*: Permission denied; mend the"):
        count_batch([("a" * 40, "a.py", b"x = 1\n")])
