"""The local process pool that counts: workers forked ready to count from a warmed-up server.

Every counting process needs pygount, all of Pygments' lexer classes (pygount's lexer choice
looks at each one) and Python's dispatch tables: about a second of work, which every spawned
worker would do again. Where the ``forkserver`` start method exists, the server process does
it once, when it imports :mod:`loccount.preload`, and every worker forks from it ready to
count. The server is a fresh single-threaded interpreter, so forking it is safe whatever
threads the calling process runs; elsewhere workers are spawned and warm up lazily.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from loccount.counting.processes import die_with_parent

#: The module the fork server imports before it forks any worker.
PRELOAD = "loccount.counting.preload"


def start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``; never plain ``fork``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def process_pool(workers: int, method: str | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` counting processes, started with ``method`` (default: :func:`start_method`).

    Every worker ends when this process does, even by kill -9 (:func:`processes.die_with_parent`).
    """
    method = method or start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([PRELOAD])  # no effect once this process's server runs
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    )


def warm_up(complete: bool = False) -> None:
    """Count a sample of real Python through the fast path, so what it builds is built.

    ``complete`` also builds all of Python's dispatch tables, which a fork server does once
    for all its workers. Best effort: a failure only means the workers build it themselves.
    """
    from loccount.counting.count import count_batch

    try:
        sample = b"".join(Path(__file__).with_name(name).read_bytes() for name in ("fastlex.py", "fastlines.py"))
        count_batch([("0" * 40, "warm_up.py", sample)])
        if complete:
            from pygments.lexers import PythonLexer

            from loccount.counting.fast.fastlines import prepare

            prepare(PythonLexer())
    except Exception:  # warming up must never stop the server that forks the workers
        logging.getLogger(__name__).debug("warm-up failed", exc_info=True)
