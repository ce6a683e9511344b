"""Counting on a Dask cluster gives exactly the local results, even when a worker dies mid-run;
something that is not a Dask scheduler is told apart in seconds."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from loccount.cli import main
from loccount.counting import cluster as cluster_module
from loccount.counting.cache import CountCache
from loccount.counting.engine import Blob, EngineOptions, count_blobs
from loccount.counting.sources import BlobSource
from loccount.errors import EnvironmentFault, LoccountError
from loccount.gitio.mirror import open_local
from loccount.gitio.tree import list_tree
from loccount.pipeline import python_entries

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


@pytest.mark.parametrize("source", [BlobSource.SHARED, BlobSource.OWN])
def test_workers_that_read_blobs_themselves_count_what_the_client_ships(
    cluster, blobs, cache_dir, tmp_path, source
) -> None:
    _local, client = cluster
    executor = client.get_executor(pure=False)
    shipped = count_blobs(blobs, CountCache(cache_dir / "client"), EngineOptions(jobs=2, executor=executor))
    options = EngineOptions(
        jobs=2, executor=executor, batch_bytes=4096, blob_source=source, worker_mirrors=str(tmp_path / "workers")
    )
    assert count_blobs(blobs, CountCache(cache_dir / source), options) == shipped
    with CountCache(cache_dir / source) as cache:
        assert sum(cache.stats().values()) == len(blobs) == 43


def test_a_worker_without_the_repository_stops_the_run_with_one_line(cluster, blobs, cache_dir, tmp_path) -> None:
    _local, client = cluster
    repo = next(iter(blobs.values())).repo
    gone = repo.git_dir
    os.rename(os.path.dirname(gone), tmp_path / "elsewhere")
    options = EngineOptions(jobs=2, executor=client.get_executor(pure=False), blob_source=BlobSource.SHARED)
    with pytest.raises(EnvironmentFault) as caught:
        count_blobs(blobs, CountCache(cache_dir), options)
    assert "\n" not in str(caught.value)
    assert "(--worker-blobs shared) cannot read blob" in str(caught.value)
    assert f"{gone}: no such file or directory" in str(caught.value)
    with CountCache(cache_dir) as cache:
        assert sum(cache.stats().values()) == 0


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
    from loccount.counting.cluster import dask_executor

    with pytest.raises(LoccountError, match="not a scheduler address"), dask_executor("http://example.org"):
        pass
    with pytest.raises(LoccountError, match="cannot reach the Dask scheduler"), dask_executor("tcp://127.0.0.1:9"):
        pass


def test_a_real_scheduler_passes_the_probe(cluster) -> None:
    local, _client = cluster
    host, port = local.scheduler_address.removeprefix("tcp://").rsplit(":", 1)
    cluster_module.probe_scheduler(local.scheduler_address, host, int(port))


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ssh_server():
    """A server that greets with an SSH banner and then waits, as sshd does."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.sendall(b"SSH-2.0-OpenSSH_9.0\r\n")
            held.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection in held:
        connection.close()


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("ssh_server", "is not a Dask scheduler (it answered b'SSH-2.0-')"),
        ("http_server", "said nothing within 1 s; a Dask scheduler greets at once (is this another kind of server?)"),
    ],
)
def test_something_else_at_the_scheduler_address_fails_in_seconds(
    request, server, message, tmp_path, monkeypatch
) -> None:
    address = request.getfixturevalue(server)
    monkeypatch.setattr(cluster_module, "PROBE_SECONDS", 1.0)
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["count", str(tmp_path), "--tag", "1", "--scheduler", address, "--cache-dir", str(tmp_path / "c")]
    )
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"loccount: error: --scheduler: {address} {message}"]


def test_a_cluster_that_loses_every_worker_ends_the_run_with_one_line(blobs, cache_dir, monkeypatch) -> None:
    """Dask waits for new workers for ever; loccount waits a bounded, documented time, then stops
    with one line, and what was counted stays cached."""
    from concurrent.futures import Future

    from loccount.counting import engine as engine_module
    from loccount.errors import EnvironmentFault

    class Deserted:
        name = "the Dask cluster at tcp://127.0.0.1:1"
        no_workers_seconds = 0.3

        def submit(self, fn, *args, **kwargs):
            return Future()  # never runs: its worker was killed

        def has_workers(self) -> bool:
            return False

    monkeypatch.setattr(engine_module, "POLL_SECONDS", 0.05)
    started = time.monotonic()
    with CountCache(cache_dir) as cache, pytest.raises(EnvironmentFault) as caught:
        count_blobs(blobs, cache, EngineOptions(executor=Deserted(), pool_min_bytes=0))  # type: ignore[arg-type]
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "the Dask cluster at tcp://127.0.0.1:1 has had no workers for 0 s; counts finished so far are cached, "
        "run the same command again when it has workers"
    )


def test_tls_addresses_are_refused_with_one_line(tmp_path) -> None:
    result = CliRunner().invoke(
        main, ["count", str(tmp_path), "--scheduler", "tls://127.0.0.1:8786", "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "loccount: error: --scheduler: tls://127.0.0.1:8786: TLS clusters are not supported (loccount takes no "
        "certificates); use tcp:// on a network you trust, or an SSH tunnel"
    ]


def test_a_server_that_greets_like_dask_and_then_speaks_nonsense_is_one_line() -> None:
    """The probe's greeting check passes (a length, then 'pickle-protocol'); Dask's own handshake
    then fails on what follows: one line, not a struct.error traceback."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    greeting = b"pickle-protocol" + b"\xff" * 9

    def serve() -> None:
        server.settimeout(20)
        for _ in range(3):
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(len(greeting).to_bytes(8, "little") + greeting + b"\x07" * 3)
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(LoccountError) as caught, cluster_module.dask_executor(f"tcp://127.0.0.1:{port}", "3s"):
            pass
    finally:
        server.close()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"--scheduler: tcp://127.0.0.1:{port} did not complete Dask's handshake"), message
