"""Counting on a Dask cluster gives exactly the local results, even when a worker dies mid-run."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from loccount.cache import CountCache
from loccount.engine import Blob, EngineOptions, count_blobs
from loccount.errors import LoccountError
from loccount.mirror import open_local
from loccount.pipeline import python_entries
from loccount.tree import list_tree

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local, client


@pytest.fixture
def blobs(make_repo):
    builder = make_repo("dask")
    body = "".join(f"def f{i}(x):\n    '''Doc {i}.'''\n    return x + {i}  # c\n\n" for i in range(150))
    files = {f"pkg/m{i}.py": f"# module {i}\n{body}" for i in range(40)}
    files.update({"pkg/__init__.py": "", "pkg/tests/test_a.py": "def test():\n    pass\n", "bin.py": b"\0\1"})
    commit = builder.release("1.0", files)
    repo = open_local(str(builder.path))
    return {(e.sha, e.name): Blob(repo, e.size) for e in python_entries(list_tree(repo, commit)) if e.kind == "file"}


def test_cluster_results_equal_the_local_pool(cluster, blobs, cache_dir) -> None:
    _local, client = cluster
    reference = count_blobs(blobs, CountCache(cache_dir / "local"), EngineOptions(jobs=2, batch_bytes=4096))
    options = EngineOptions(jobs=2, executor=client.get_executor(pure=False), batch_bytes=4096)
    remote = count_blobs(blobs, CountCache(cache_dir / "dask"), options)
    assert remote == reference
    with CountCache(cache_dir / "dask") as cache:
        assert sum(cache.stats().values()) == len(blobs)


def test_a_worker_killed_mid_run_is_retried_by_dask(cluster, blobs, cache_dir) -> None:
    _local, client = cluster
    reference = count_blobs(blobs, CountCache(cache_dir / "local"), EngineOptions(jobs=1))
    pids = client.run(os.getpid)
    victim = next(iter(pids.values()))
    first_batch = threading.Event()

    class KillAfterFirstBatch:
        def start(self, *_args) -> None:
            pass

        def advance(self, _blobs: int, _nbytes: int) -> None:
            if not first_batch.is_set():
                first_batch.set()
                os.kill(victim, signal.SIGKILL)

    options = EngineOptions(jobs=2, executor=client.get_executor(pure=False), batch_bytes=2048)
    result = count_blobs(blobs, CountCache(cache_dir / "dask"), options, KillAfterFirstBatch())
    assert first_batch.is_set()
    assert victim not in client.run(os.getpid).values()  # the nanny started a fresh worker
    assert result == reference


def test_scheduler_option_errors_are_one_line() -> None:
    from loccount.cluster import dask_executor

    with pytest.raises(LoccountError, match="not a scheduler address"), dask_executor("http://example.org"):
        pass
    with pytest.raises(LoccountError, match="cannot reach the Dask scheduler"), dask_executor("tcp://127.0.0.1:9"):
        pass
