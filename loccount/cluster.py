"""Send blob counting to a Dask cluster instead of local processes.

The client keeps the mirrors and the cache; it reads blobs and ships their bytes to the
workers in batches, so workers need no git access, only ``pip install loccount``. Results
come back as plain futures and stream into the local cache like a local run's; a worker
that dies has its tasks retried by Dask on another worker.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from .errors import LoccountError

_ADDRESS = re.compile(r"^(tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d+$")


@contextmanager
def dask_executor(address: str, timeout: str = "15s") -> Iterator[tuple[Executor, int]]:
    """A ``concurrent.futures`` executor on the cluster at ``address`` and its total worker threads."""
    if not _ADDRESS.match(address):
        raise LoccountError(f"--scheduler: {address!r} is not a scheduler address like tcp://host:8786")
    try:
        from distributed import Client
    except ImportError:
        raise LoccountError("--scheduler needs Dask distributed: pip install 'loccount[dask]'") from None
    host, _, port = address.split("://", 1)[1].rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise LoccountError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        threads = sum(client.nthreads().values())
        if not threads:
            raise LoccountError(f"the Dask scheduler at {address} has no workers")
        yield client.get_executor(pure=False), threads
    finally:
        client.close()
