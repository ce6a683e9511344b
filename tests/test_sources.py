"""Workers that read blobs themselves count exactly what the client would, are sent ids only,
and a worker that cannot read a blob stops the run with one line and caches nothing of it."""

from __future__ import annotations

import pickle
import shutil
from concurrent.futures import Executor, Future
from pathlib import Path

import pytest

from loccount.counting import sources
from loccount.counting.cache import CountCache
from loccount.counting.engine import Blob, EngineOptions, count_blobs
from loccount.counting.sources import BlobSource, IdBatch, count_ids
from loccount.errors import EnvironmentFault
from loccount.gitio.entries import EntryKind
from loccount.gitio.mirror import open_local
from loccount.gitio.tree import list_tree
from loccount.pipeline import python_entries

#: A line in every file of the fixture, to look for in what is sent.
MARK = "payload-marker-7f3a"


class Recording(Executor):
    """Runs each task at once in this process and keeps what each submit would have sent."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.sent.append(pickle.dumps((fn, args, kwargs)))
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def _blobs(builder, commit: str) -> dict[tuple[str, str], Blob]:
    repo = open_local(str(builder.path))
    entries = python_entries(list_tree(repo, commit))
    return {(e.sha, e.name): Blob(repo, e.size) for e in entries if e.kind == EntryKind.FILE}


@pytest.fixture
def project(make_repo):
    builder = make_repo("source")
    files = {f"pkg/m{i}.py": f"# {MARK}\n" + "".join(f"v{j} = {j}\n" for j in range(i + 1)) for i in range(30)}
    files.update({"pkg/__init__.py": "", "pkg/tests/test_a.py": f"# {MARK}\ndef test():\n    pass\n"})
    return builder, builder.release("1.0", files)


def _options(
    source: BlobSource, executor: Executor, mirrors: Path | None = None, batch_bytes: int = 256
) -> EngineOptions:
    worker_mirrors = str(mirrors) if mirrors else None
    return EngineOptions(
        jobs=2, executor=executor, batch_bytes=batch_bytes, blob_source=source, worker_mirrors=worker_mirrors
    )


@pytest.mark.parametrize("source", [BlobSource.SHARED, BlobSource.OWN])
def test_workers_reading_blobs_count_what_the_client_counts(project, cache_dir, tmp_path, source) -> None:
    builder, commit = project
    blobs = _blobs(builder, commit)
    reference = count_blobs(blobs, CountCache(cache_dir / "client"), _options(BlobSource.CLIENT, Recording()))
    executor = Recording()
    counted = count_blobs(blobs, CountCache(cache_dir / source), _options(source, executor, tmp_path / "worker"))
    assert counted == reference
    assert len(counted) == 32
    m29 = counted[next(k for k in blobs if k[1] == "m29.py")]
    assert (m29.code, m29.documentation, m29.empty) == (30, 1, 0)
    assert len(executor.sent) > 1
    if source is BlobSource.OWN:  # the worker cloned a mirror of its own from the path it was sent
        assert len([p for p in (tmp_path / "worker").iterdir() if p.is_dir()]) == 1


def test_the_task_carries_blob_ids_and_no_bytes(project, cache_dir) -> None:
    builder, commit = project
    blobs = _blobs(builder, commit)
    client, shared = Recording(), Recording()
    count_blobs(blobs, CountCache(cache_dir / "client"), _options(BlobSource.CLIENT, client, batch_bytes=1 << 20))
    count_blobs(blobs, CountCache(cache_dir / "shared"), _options(BlobSource.SHARED, shared, batch_bytes=1 << 20))
    assert any(MARK.encode() in sent for sent in client.sent)
    assert not any(MARK.encode() in sent for sent in shared.sent)
    assert (len(client.sent), len(shared.sent)) == (1, 1)
    [task] = shared.sent
    path = str(builder.path / ".git").encode()
    # per blob: its 40-hex sha, its name (at most 13 characters here) and a few bytes of framing
    assert task.count(path) == 1
    assert (len(task) - len(path)) / len(blobs) < 40 + 13 + 16
    assert len(client.sent[0]) > 3 * len(task)


def test_a_worker_that_lacks_the_repository_says_so_and_caches_nothing(project, cache_dir, tmp_path) -> None:
    builder, commit = project
    blobs = _blobs(builder, commit)
    shutil.move(builder.path, tmp_path / "moved")  # the client still holds its repository objects
    with pytest.raises(EnvironmentFault) as caught:
        count_blobs(blobs, CountCache(cache_dir), _options(BlobSource.SHARED, Recording()))
    message = str(caught.value)
    assert "\n" not in message
    assert "(--worker-blobs shared) cannot read blob" in message
    assert f"{builder.path}/.git: no such file or directory" in message
    with CountCache(cache_dir) as cache:
        assert sum(cache.stats().values()) == 0


def test_a_blob_the_worker_repository_lacks_is_a_fault_not_a_count(project, make_repo) -> None:
    builder, commit = project
    key = next(iter(_blobs(builder, commit)))
    other = make_repo("other")
    other.release("1.0", {"a.py": "a = 1\n"})
    batch = IdBatch(BlobSource.SHARED, (str(other.path / ".git"),), ((0, *key),))
    with pytest.raises(EnvironmentFault, match=f"cannot read blob {key[0]} of .*other/.git: .*cannot read blob"):
        count_ids(batch)


def test_an_own_mirror_is_fetched_once_when_it_lacks_a_newer_blob(project, tmp_path) -> None:
    builder, _commit = project
    mirrors = str(tmp_path / "worker")
    locator = str(builder.path / ".git")
    old = next(key for key in _blobs(builder, _commit) if key[1] == "m3.py")
    assert count_ids(IdBatch(BlobSource.OWN, (locator,), ((0, *old),), mirrors)).counted[0][2].code == 4
    newer = builder.release("2.0", {"new.py": "one = 1\ntwo = 2\n"})
    key = next(iter(_blobs(builder, newer)))
    [(_sha, name, counted)] = count_ids(IdBatch(BlobSource.OWN, (locator,), ((0, *key),), mirrors)).counted
    assert (name, counted.code) == ("new.py", 2)


@pytest.mark.parametrize(
    ("source", "locator", "reason"),
    [
        (BlobSource.SHARED, "relative/repo", "is not an absolute repository path"),
        (BlobSource.SHARED, "https://example.org/r.git", "is not an absolute repository path"),
        (BlobSource.OWN, "ext::sh -c touch% /tmp/pwned", "uses a git remote helper"),
        (BlobSource.OWN, "-uhoh", "would be read as an option"),
    ],
)
def test_a_worker_checks_the_locator_it_is_sent(source, locator, reason, tmp_path) -> None:
    batch = IdBatch(source, (locator,), ((0, "0" * 40, "a.py"),), str(tmp_path))
    with pytest.raises(EnvironmentFault, match=reason):
        count_ids(batch)
    assert not list(tmp_path.iterdir())


def test_worker_repositories_stay_open_up_to_a_bound(make_repo, monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_OPEN", 2)
    monkeypatch.setattr(sources, "_opened", type(sources._opened)())
    for index in range(3):
        builder = make_repo(f"r{index}")
        commit = builder.release("1.0", {"a.py": f"a = {index}\n"})
        key = next(iter(_blobs(builder, commit)))
        count_ids(IdBatch(BlobSource.SHARED, (str(builder.path / ".git"),), ((0, *key),)))
    assert len(sources._opened) == 2


def test_the_command_line_takes_the_blob_source_and_checks_the_worker_mirrors(project, tmp_path) -> None:
    from tests.cli_helpers import assert_one_line_error, invoke

    builder, _commit = project
    cache = tmp_path / "c"
    shipped = invoke("count", builder.path, "--tag", "1.0", "--cache-dir", cache / "1")
    own = ("--worker-blobs", "own", "--worker-mirrors", tmp_path / "w")
    read = invoke("count", builder.path, "--tag", "1.0", "--cache-dir", cache / "2", *own)
    assert (shipped.exit_code, read.exit_code) == (0, 0), read.output
    assert read.stdout == shipped.stdout
    assert_one_line_error(
        invoke("count", builder.path, "--worker-blobs", "own", "--worker-mirrors", "rel/dir"),
        "--worker-mirrors 'rel/dir': give an absolute path",
    )
    assert_one_line_error(
        invoke("count", builder.path, "--worker-mirrors", tmp_path), "--worker-mirrors goes with --worker-blobs own"
    )
