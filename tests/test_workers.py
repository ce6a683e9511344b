"""The counting pool: workers forked from a warmed-up server where the platform allows it."""

from __future__ import annotations

import multiprocessing

from loccount.counting import workers
from loccount.counting.count import count_batch


def test_forkserver_where_available_never_plain_fork() -> None:
    expected = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    assert workers.start_method() == expected


def test_pool_workers_count_like_this_process() -> None:
    items = [("0" * 40, "a.py", b"x = 1\n\n# c\n"), ("1" * 40, "b.py", b'"""d"""\n')]
    with workers.process_pool(2) as pool:
        assert pool.submit(count_batch, items).result() == count_batch(items)


def test_warm_up_counts_a_sample_and_never_raises(monkeypatch) -> None:
    workers.warm_up()
    monkeypatch.setattr("loccount.counting.count.count_batch", lambda items: 1 / 0)
    workers.warm_up()
