"""Workers that read from mirrors of their own serve a client that holds only a partial clone:
the client fetches no blob it counts, the workers apply the size cap and size what they read,
and the tables are a full mirror's."""

from __future__ import annotations

from pathlib import Path

import pytest

from loccount.counting.cache import CountCache
from loccount.counting.engine import Blob, EngineOptions, count_blobs
from loccount.counting.filecount import FileState
from loccount.counting.sources import BlobSource, IdBatch, count_ids
from loccount.errors import EnvironmentFault
from loccount.gitio.entries import MISSING
from loccount.gitio.mirror import open_local, open_mirror
from loccount.gitio.partial import CloneMode
from loccount.options import RunOptions
from loccount.pipeline import count_repository
from tests.test_partial import absent_everywhere, blob_id, served, trace, url_of

__all__ = ["served", "trace"]  # the fixtures, for pytest

#: The Python blobs the two releases count: app.py (the same in both), the test and vendor_lib.py of each.
COUNTED = [
    ("1.0", "app.py"),
    *((tag, path) for tag in ("1.0", "2.0") for path in ("tests/test_app.py", "vendor_lib.py")),
]
#: The blobs of languages not counted: never fetched, by either mode.
KEPT_OUT = [(tag, path) for tag in ("1.0", "2.0") for path in ("run.sh", "notes.txt")]


def own(tmp_path: Path, executor=None, max_blob_bytes: int = 20 * 1024 * 1024) -> RunOptions:
    engine = EngineOptions(
        jobs=2,
        executor=executor,
        max_blob_bytes=max_blob_bytes,
        batch_bytes=4096,
        blob_source=BlobSource.OWN,
        worker_mirrors=str(tmp_path / "workers"),
    )
    return RunOptions(cache_dir=tmp_path / "partial", clone=CloneMode.PARTIAL, engine=engine)


def full(tmp_path: Path, executor=None, max_blob_bytes: int = 20 * 1024 * 1024) -> RunOptions:
    engine = EngineOptions(jobs=2, executor=executor, max_blob_bytes=max_blob_bytes, batch_bytes=4096)
    return RunOptions(cache_dir=tmp_path / "full", clone=CloneMode.FULL, engine=engine)


def client_mirror(served, tmp_path: Path):
    return open_mirror(url_of(served), tmp_path / "partial" / "mirrors", clone=CloneMode.PARTIAL)


def ids(served, pairs) -> set[str]:
    return {blob_id(served, tag, path) for tag, path in pairs}


def test_a_worker_applies_the_cap_and_sizes_what_it_reads(make_repo) -> None:
    builder = make_repo("capped")
    builder.release("1.0", {"big.py": "x = 1\n" * 10, "small.py": "y = 2\n"})
    big, small = (blob_id(builder, "1.0", path) for path in ("big.py", "small.py"))
    batch = IdBatch(BlobSource.SHARED, (str(builder.path / ".git"),), ((0, big, "big.py"), (0, small, "small.py")))
    answer = count_ids(IdBatch(batch.source, batch.locators, batch.items, max_bytes=59))
    assert answer.sizes == (60, 6)
    (_, _, over), (_, _, counted) = answer.counted
    assert (over.state, over.language, over.state_info) == ("huge", "__huge__", "60 bytes is over the 59-byte cap")
    assert (counted.state, counted.code) == ("analyzed", 1)
    assert count_ids(batch).counted[0][2].code == 10  # no cap sent: the client applied it


def test_blobs_of_unknown_size_go_to_own_workers_with_a_nominal_size(make_repo, tmp_path) -> None:
    builder = make_repo("unsized")
    builder.release("1.0", {"a.py": "a = 1\n", "b.py": "b = 2\nc = 3\n"})
    repo = open_local(str(builder.path))
    blobs = {(blob_id(builder, "1.0", name), name): Blob(repo, MISSING) for name in ("a.py", "b.py")}
    learned: dict[str, int] = {}
    options = EngineOptions(jobs=1, max_blob_bytes=11, blob_source=BlobSource.OWN, worker_mirrors=str(tmp_path))
    with CountCache(tmp_path / "cache") as cache:
        counts = count_blobs(blobs, cache, options, sized=learned.update)
        assert sum(cache.stats().values()) == 1  # the cap is this run's: a huge verdict is never cached
    assert learned == {sha: size for (sha, _name), size in zip(blobs, (6, 12), strict=True)}
    assert [counts[key].state for key in blobs] == [FileState.ANALYZED, FileState.HUGE]


def test_a_partial_mirror_is_no_worker_mirror(served, tmp_path) -> None:
    """A worker pointed at the client's own partial mirrors would fetch each blob alone as it read it."""
    client_mirror(served, tmp_path)
    options = own(tmp_path)
    engine = EngineOptions(jobs=1, blob_source=BlobSource.OWN, worker_mirrors=str(tmp_path / "partial" / "mirrors"))
    with pytest.raises(EnvironmentFault, match=r"mirror .* is a partial clone; give the workers a directory of full"):
        count_repository(url_of(served), ["1.0"], options=RunOptions(cache_dir=options.cache_dir, engine=engine))


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client.get_executor(pure=False)


@pytest.mark.dask
def test_own_workers_give_a_partial_client_a_full_clients_tables(served, tmp_path, cluster, trace) -> None:
    reference = count_repository(url_of(served), ["1.0", "2.0"], options=full(tmp_path, cluster))
    repo = client_mirror(served, tmp_path)
    result = count_repository(url_of(served), ["1.0", "2.0"], options=own(tmp_path, cluster))
    assert result.tidy.equals(reference.tidy) and result.files.equals(reference.files)
    assert MISSING not in set(result.files.loc[result.files["path"].str.endswith(".py"), "size"])
    # Only the .gitattributes and the symlink came: every counted blob stayed out of the client's clone.
    assert absent_everywhere(repo) == ids(served, COUNTED + KEPT_OUT)
    trace.clear()
    again = count_repository(url_of(served), ["1.0", "2.0"], options=own(tmp_path, cluster))
    assert again.files.equals(reference.files)  # the sizes the workers gave are in the cached listings
    assert trace.requests() == 0
    assert not [argv for argv in trace.commands() if argv[1:2] in (["rev-list"], ["cat-file"], ["ls-tree"])]


@pytest.mark.dask
def test_a_blob_over_the_cap_is_huge_on_the_worker_side(served, tmp_path, cluster) -> None:
    """app.py (43 bytes) is over a 40-byte cap; the client never held it, so only a worker could say so."""
    reference = count_repository(url_of(served), ["1.0"], options=full(tmp_path, cluster, max_blob_bytes=40))
    repo = client_mirror(served, tmp_path)
    result = count_repository(url_of(served), ["1.0"], options=own(tmp_path, cluster, max_blob_bytes=40))
    assert result.files.equals(reference.files) and result.tidy.equals(reference.tidy)
    (row,) = result.files[result.files["path"] == "app.py"].itertuples()
    assert (row.state, row.size, row.state_info) == ("huge", 43, "43 bytes is over the 40-byte cap")
    assert blob_id(served, "1.0", "app.py") in absent_everywhere(repo)
    with CountCache(tmp_path / "partial") as cache:
        assert sum(cache.stats().values()) == 2  # the test and vendor_lib.py; the huge verdict is not kept
