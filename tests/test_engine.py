"""The engine: each blob counted once, cached, resumable, on any executor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from loccount.counting import engine as engine_module
from loccount.counting.cache import CountCache
from loccount.counting.count import count_batch, fingerprint
from loccount.counting.engine import EngineOptions, count_blobs, make_batches


class Spy:
    """Wraps count_batch to record which blobs were counted, optionally failing after N batches."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.counted: list[tuple[str, str]] = []
        self.batches = 0
        self.fail_after = fail_after

    def __call__(self, items, plain=False):
        if self.fail_after is not None and self.batches >= self.fail_after:
            raise KeyboardInterrupt
        self.batches += 1
        self.counted.extend((sha, name) for sha, name, _ in items)
        return count_batch(items, plain)


def test_miss_then_hit(blobs, cache_dir, monkeypatch) -> None:
    spy = Spy()
    monkeypatch.setattr(engine_module, "count_batch", spy)
    with CountCache(cache_dir) as cache:
        first = count_blobs(blobs, cache, EngineOptions(jobs=1))
        assert sorted(spy.counted) == sorted(blobs)
        spy.counted.clear()
        second = count_blobs(blobs, cache, EngineOptions(jobs=1))
        assert spy.counted == []
        assert first == second
        assert cache.stats() == {fingerprint(): len(blobs)}


def test_fingerprint_change_misses(blobs, cache_dir, monkeypatch) -> None:
    with CountCache(cache_dir) as cache:
        count_blobs(blobs, cache, EngineOptions(jobs=1))
        monkeypatch.setattr(engine_module, "fingerprint", lambda plain=False: "another-pygount")
        spy = Spy()
        monkeypatch.setattr(engine_module, "count_batch", spy)
        count_blobs(blobs, cache, EngineOptions(jobs=1))
        assert len(spy.counted) == len(blobs)


@pytest.mark.parametrize("option", ["plain"])
def test_plain_recounts_and_agrees(blobs, cache_dir, monkeypatch, option: str) -> None:
    """Fast and plain counting keep separate cache entries, and count every blob the same."""
    with CountCache(cache_dir) as cache:
        fast = count_blobs(blobs, cache, EngineOptions(jobs=1))
        spy = Spy()
        monkeypatch.setattr(engine_module, "count_batch", spy)
        plain = count_blobs(blobs, cache, EngineOptions(jobs=1, **{option: True}))
        assert len(spy.counted) == len(blobs)
        assert plain == fast
        assert sorted(cache.stats().values()) == [len(blobs), len(blobs)]


def test_resume_after_interruption_counts_only_the_rest(blobs, cache_dir, monkeypatch) -> None:
    with CountCache(cache_dir) as cache:
        reference = count_blobs(blobs, CountCache(cache_dir / "reference"), EngineOptions(jobs=1))
        interrupted = Spy(fail_after=2)
        monkeypatch.setattr(engine_module, "count_batch", interrupted)
        options = EngineOptions(jobs=1, batch_bytes=1)  # one blob per batch
        with pytest.raises(KeyboardInterrupt):
            count_blobs(blobs, cache, options)
        assert sum(cache.stats().values()) == 2
        resumed = Spy()
        monkeypatch.setattr(engine_module, "count_batch", resumed)
        result = count_blobs(blobs, cache, options)
        assert len(resumed.counted) == len(blobs) - 2
        assert not set(resumed.counted) & set(interrupted.counted)
        assert result == reference


def test_process_pool_and_custom_executor_agree_with_inline(blobs, cache_dir) -> None:
    inline = count_blobs(blobs, CountCache(cache_dir / "a"), EngineOptions(jobs=1, batch_bytes=1))
    pooled = count_blobs(blobs, CountCache(cache_dir / "b"), EngineOptions(jobs=2, batch_bytes=1, pool_min_bytes=0))
    with ThreadPoolExecutor(max_workers=3) as executor:
        custom = count_blobs(blobs, CountCache(cache_dir / "c"), EngineOptions(executor=executor, batch_bytes=1))
    assert inline == pooled == custom


def test_blobs_over_the_cap_are_recorded_as_huge_and_not_cached(blobs, cache_dir) -> None:
    biggest = max(blobs, key=lambda key: blobs[key].size)
    cap = blobs[biggest].size - 1
    with CountCache(cache_dir) as cache:
        result = count_blobs(blobs, cache, EngineOptions(jobs=1, max_blob_bytes=cap))
        assert result[biggest].state == "huge"
        assert str(cap) in result[biggest].state_info
        assert biggest not in cache.get_many(fingerprint(), [biggest])


def test_batches_put_largest_first_and_shrink_towards_the_end(blobs) -> None:
    batches = make_batches(blobs, workers=2, max_bytes=200, min_bytes=20)
    sizes = [blobs[key].size for batch in batches for key in batch]
    assert sizes == sorted(sizes, reverse=True)
    assert sorted(key for batch in batches for key in batch) == sorted(blobs)
    totals = [sum(blobs[key].size for key in batch) for batch in batches]
    assert max(totals) <= 200 + max(sizes)
    assert totals[-1] <= 20 + max(blobs[key].size for key in batches[-1])
    assert len(make_batches(blobs, workers=2, max_bytes=1, min_bytes=1)) == len(blobs)


def test_small_runs_start_no_pool(blobs, cache_dir, monkeypatch) -> None:
    def no_pool(workers):
        raise AssertionError("a pool was started for a small run")

    monkeypatch.setattr(engine_module, "process_pool", no_pool)
    options = EngineOptions(jobs=2, batch_bytes=1, pool_min_bytes=sum(blob.size for blob in blobs.values()) + 1)
    reference = count_blobs(blobs, CountCache(cache_dir / "a"), EngineOptions(jobs=1))
    assert count_blobs(blobs, CountCache(cache_dir / "b"), options) == reference
