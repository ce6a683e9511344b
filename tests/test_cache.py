"""The SQLite count cache: hits, misses, sharing between processes, and damage detection."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from loccount.counting.cache import DB_NAME, CountCache, clear, resolve_cache_dir
from loccount.counting.filecount import FileCount
from loccount.errors import CacheError

ONE = FileCount("analyzed", "Python", 3, 1, 2, 0)


def test_put_then_get_by_fingerprint_sha_and_name(cache_dir) -> None:
    with CountCache(cache_dir) as cache:
        assert cache.get_many("fp", [("a" * 40, "x.py")]) == {}
        cache.put_many("fp", [("a" * 40, "x.py", ONE)])
        assert cache.get_many("fp", [("a" * 40, "x.py")]) == {("a" * 40, "x.py"): ONE}
        assert cache.get_many("fp", [("a" * 40, "y.py")]) == {}
        assert cache.get_many("other", [("a" * 40, "x.py")]) == {}
        assert cache.stats() == {"fp": 1}
        assert cache.check() == "ok"


def test_many_keys_are_looked_up_in_chunks(cache_dir) -> None:
    keys = [(f"{i:040x}", "m.py") for i in range(1234)]
    with CountCache(cache_dir) as cache:
        cache.put_many("fp", [(sha, name, ONE) for sha, name in keys])
        assert len(cache.get_many("fp", keys)) == 1234


def _writer(directory: str, start: int) -> None:
    from pathlib import Path

    with CountCache(Path(directory)) as cache:
        for batch in range(20):
            rows = [(f"{start + batch * 10 + i:040x}", "w.py", ONE) for i in range(10)]
            cache.put_many("fp", rows)


def test_two_processes_write_at_once(cache_dir) -> None:
    CountCache(cache_dir).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(cache_dir), n * 100_000)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with CountCache(cache_dir) as cache:
        assert cache.stats() == {"fp": 400}


def test_garbage_file_is_reported_with_the_way_out(cache_dir) -> None:
    cache_dir.mkdir()
    (cache_dir / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match=r"damaged.*loccount cache clear"):
        CountCache(cache_dir)


def test_truncated_database_is_detected(cache_dir) -> None:
    keys = [(f"{i:040x}", "t.py") for i in range(3000)]
    with CountCache(cache_dir) as cache:
        cache.put_many("fp", [(sha, name, ONE) for sha, name in keys])
    path = cache_dir / DB_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CacheError, match="loccount cache clear"), CountCache(cache_dir) as cache:
        cache.get_many("fp", keys)
        cache.check()


def test_schema_mismatch_is_an_error(cache_dir) -> None:
    CountCache(cache_dir).close()
    with sqlite3.connect(cache_dir / DB_NAME) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    with pytest.raises(CacheError, match="schema 999"):
        CountCache(cache_dir)


def test_clear_removes_the_database(cache_dir) -> None:
    with CountCache(cache_dir) as cache:
        cache.put_many("fp", [("b" * 40, "x.py", ONE)])
    assert clear(cache_dir)
    assert not (cache_dir / DB_NAME).exists()
    with CountCache(cache_dir) as cache:
        assert cache.stats() == {}


def test_cache_dir_resolution(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LOCCOUNT_CACHE", str(tmp_path / "env"))
    assert resolve_cache_dir(None) == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv("LOCCOUNT_CACHE")
    assert resolve_cache_dir(None).name == "loccount"


def test_a_directory_where_the_database_should_be_is_not_called_damaged(cache_dir) -> None:
    (cache_dir / DB_NAME).mkdir(parents=True)
    with pytest.raises(CacheError, match="not a file, so not loccount's count database") as caught:
        CountCache(cache_dir)
    assert "damaged" not in str(caught.value)
    with pytest.raises(CacheError, match="a directory, not loccount's count database"):
        clear(cache_dir)


def test_a_database_that_cannot_be_written_is_not_called_damaged(cache_dir) -> None:
    """A real SQLITE_READONLY error, from a read-only connection to a sound database."""
    with CountCache(cache_dir) as cache:
        cache._db.close()
        cache._db = sqlite3.connect(f"{(cache_dir / DB_NAME).as_uri()}?mode=ro", uri=True)
        with pytest.raises(CacheError) as caught:
            cache.put_many("fp", [("c" * 40, "x.py", ONE)])
    message = str(caught.value)
    assert "cannot write the count cache (attempt to write a readonly database); it is not damaged" in message
    assert "cache clear" not in message


def test_a_file_that_cannot_be_removed_is_one_line(cache_dir, monkeypatch) -> None:
    CountCache(cache_dir).close()

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(cache_dir), "unlink", refuse)
    with pytest.raises(CacheError, match=f"{cache_dir / DB_NAME}: cannot remove it: Permission denied"):
        clear(cache_dir)


def test_tree_listings_are_kept_only_under_full_commit_ids(cache_dir) -> None:
    """A name such as ``main`` moves with every commit: a listing stored under it would go stale."""
    from loccount.gitio.entries import TreeEntry
    from loccount.gitio.tree import encode_entries

    sha = "a" * 40
    listing = [TreeEntry("a.py", "b" * 40, "100644", 3)]
    data = encode_entries(listing)
    with CountCache(cache_dir) as cache:
        cache.put_trees(".py", {sha: data, "main": data, "HEAD~1": data, "a" * 12: data})
        assert cache.get_trees(".py", [sha, "main", "HEAD~1", "a" * 12]) == {sha: listing}


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE trees SET entries = x'00ff00ff'",  # not zlib at all
        "UPDATE trees SET entries = zeroblob(0)",
        "UPDATE counts SET code = 'abc'",
        "UPDATE counts SET code = -5",
        "UPDATE counts SET state = 'bogus'",
        "UPDATE counts SET string = 1.5",
    ],
)
def test_a_damaged_row_is_counted_again_and_said(make_repo, tmp_path, damage: str) -> None:
    """A row that cannot be what it claims is never trusted: the same figures as a fresh cache, and a note."""
    import zlib

    from tests.cli_helpers import invoke
    from tests.fixtures_data import RELEASE_1_1

    builder = make_repo("damaged")
    builder.release("1.1", RELEASE_1_1)
    cache = tmp_path / "c"
    fresh = invoke("count", builder.path, "--tag", "1.1", "--cache-dir", tmp_path / "fresh")
    assert invoke("count", builder.path, "--tag", "1.1", "--cache-dir", cache).exit_code == 0
    with sqlite3.connect(cache / DB_NAME) as db:
        db.execute(damage)
        db.execute("UPDATE trees SET entries = ? WHERE 0", (zlib.compress(b'{"not": "a list"}'),))
    damaged = invoke("count", builder.path, "--tag", "1.1", "--cache-dir", cache)
    assert damaged.exit_code == 0, damaged.output
    assert damaged.stdout == fresh.stdout
    notes = [line for line in damaged.stderr.splitlines() if "damaged rows" in line]
    assert len(notes) == 1 and notes[0].startswith(f"note: the count cache in {cache} held ")
    again = invoke("count", builder.path, "--tag", "1.1", "--cache-dir", cache)
    assert again.stdout == fresh.stdout and "damaged rows" not in again.stderr  # repaired by the recount


def test_a_listing_of_the_wrong_shape_is_no_listing() -> None:
    import json
    import zlib

    from loccount.gitio.tree import decode_entries, encode_entries

    assert decode_entries(zlib.compress(json.dumps({"not": "a list"}).encode())) is None
    assert decode_entries(zlib.compress(json.dumps([["a.py", "x" * 40, "100644", 3]]).encode())) is None
    assert decode_entries(zlib.compress(json.dumps([["a.py", "a" * 40, "100644", "3"]]).encode())) is None
    assert decode_entries(b"garbage") is None
    good = decode_entries(
        encode_entries(decode_entries(zlib.compress(b'[["a.py","' + b"a" * 40 + b'","100644",3]]')) or [])
    )
    assert good is not None and [(e.path, e.size) for e in good] == [("a.py", 3)]
