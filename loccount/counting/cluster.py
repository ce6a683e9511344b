"""Send blob counting to a Dask cluster instead of local processes.

The client keeps the cache. By default it reads blobs and ships their bytes to the workers
in batches, so workers need no git access, only ``pip install loccount``; with another
:class:`~loccount.counting.sources.BlobSource` the workers read the blobs themselves and the
client sends ids only. Results come back as plain futures and stream into the local cache
like a local run's; a worker that dies has its tasks retried by Dask on another worker.
"""

from __future__ import annotations

import re
import socket
import struct
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any

from loccount.errors import LoccountError

_ADDRESS = re.compile(r"^tcp://[A-Za-z0-9.\-\[\]:]+:\d+$")
#: A Dask scheduler speaks first on a new connection: an 8-byte length, then a handshake of a
#: few dozen bytes that names its pickle protocol (``distributed.comm.core`` and ``.tcp``).
_LENGTH = struct.Struct("Q")
_MAX_HANDSHAKE = 64 * 1024
_HANDSHAKE_MARK = b"pickle-protocol"
PROBE_SECONDS = 5.0


def probe_scheduler(address: str, host: str, port: int, seconds: float | None = None) -> None:
    """Fail with one line unless a Dask scheduler answers at ``tcp://host:port`` within ``seconds``.

    Dask's own handshake has no time limit and trusts the length it reads first: an HTTP
    server leaves it waiting for ever, an SSH banner makes it allocate exabytes. Reading the
    scheduler's greeting here, with a deadline and a size limit, catches both.
    """
    seconds = seconds or PROBE_SECONDS
    deadline = time.monotonic() + seconds
    try:
        with socket.create_connection((host, port), timeout=seconds) as connection:
            head = _receive(connection, _LENGTH.size, deadline)
            (size,) = _LENGTH.unpack(head)
            greeting = _receive(connection, size, deadline) if 0 < size <= _MAX_HANDSHAKE else b""
    except TimeoutError:
        raise LoccountError(
            f"--scheduler: {address} said nothing within {seconds:.0f} s; a Dask scheduler greets at once "
            "(is this another kind of server?)"
        ) from None
    except OSError as error:
        raise LoccountError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    if _HANDSHAKE_MARK not in greeting:
        raise LoccountError(f"--scheduler: {address} is not a Dask scheduler (it answered {head!r})")


def _receive(connection: socket.socket, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        connection.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = connection.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


#: How long a run waits for a cluster that has lost all its workers before it ends with one line.
NO_WORKERS_SECONDS = 60.0


class ClusterExecutor(Executor):
    """Dask's executor for a client, and whether the cluster still has workers (see :class:`Watched`)."""

    def __init__(self, client: Any, address: str, no_workers_seconds: float = NO_WORKERS_SECONDS) -> None:
        self._client = client
        self._executor = client.get_executor(pure=False)
        self.name = f"the Dask cluster at {address}"
        self.no_workers_seconds = no_workers_seconds

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._executor.submit(fn, *args, **kwargs)

    def has_workers(self) -> bool:
        try:
            return bool(self._client.nthreads())
        except Exception:  # the scheduler itself is gone or does not answer: no workers to count on
            return False

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


@contextmanager
def dask_executor(address: str, timeout: str = "15s") -> Iterator[tuple[Executor, int]]:
    """A ``concurrent.futures`` executor on the cluster at ``address`` and its total worker threads.

    Only ``tcp://``: loccount has no place for the certificates a ``tls://`` cluster needs.
    """
    if address.startswith("tls://"):
        raise LoccountError(
            f"--scheduler: {address}: TLS clusters are not supported (loccount takes no certificates); "
            "use tcp:// on a network you trust, or an SSH tunnel"
        )
    if not _ADDRESS.match(address):
        raise LoccountError(f"--scheduler: {address!r} is not a scheduler address like tcp://host:8786")
    try:
        from distributed import Client
    except ImportError:
        raise LoccountError("--scheduler needs Dask distributed: pip install 'loccount[dask]'") from None
    scheme, rest = address.split("://", 1)
    host, _, port = rest.rpartition(":")
    if scheme == "tcp":
        probe_scheduler(address, host.strip("[]"), int(port))
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise LoccountError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    except Exception as error:  # a server that greets like Dask and then speaks nonsense (struct.error, ...)
        raise LoccountError(
            f"--scheduler: {address} did not complete Dask's handshake ({type(error).__name__}: {error}); "
            "is it a Dask scheduler of a matching version?"
        ) from None
    try:
        threads = sum(client.nthreads().values())
        if not threads:
            raise LoccountError(f"the Dask scheduler at {address} has no workers")
        yield ClusterExecutor(client, address), threads
    finally:
        client.close()
