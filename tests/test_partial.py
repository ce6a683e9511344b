"""Partial (blobless) mirrors: served by a file:// remote that allows filters, listed without
fetching, the counted blobs fetched in bulk, the same counts as a full mirror, and clones in parallel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import git as gitpython
import pytest

from loccount.config import parse_config
from loccount.counting.cache import CountCache
from loccount.errors import ConfigError, RepositoryError
from loccount.gitio import mirror
from loccount.gitio.entries import MISSING
from loccount.gitio.mirror import MARKER, open_mirror, open_repositories
from loccount.gitio.partial import FETCH_CHUNK, CloneMode, absent_objects, clone_mode, fetch_blobs
from loccount.gitio.tree import list_tree, parse_ls_tree
from loccount.gitio.urls import mirror_name
from loccount.options import RunOptions
from loccount.pipeline import count_repository
from tests.cli_helpers import invoke
from tests.gitrepo import git
from tests.test_faults import SSH_ENV, kill, wait_for

#: Release 1.0: three Python files (one a test), a Shell script, a text file and attributes that
#: mark ``vendor_lib.py`` vendored. Release 2.0 keeps ``app.py`` and the attributes, changes the rest.
RELEASE_1 = {
    "app.py": "import os\n\n\ndef main():\n    return os.name\n",  # 3 code, 2 empty
    "tests/test_app.py": "# a test\nassert True\n",  # 1 code, 1 documentation
    "vendor_lib.py": "x = 1\n",  # 1 code, vendored
    "run.sh": "#!/bin/sh\necho hi\n",
    "notes.txt": "not code\n",
    ".gitattributes": "vendor_lib.py linguist-vendored\n",
}
RELEASE_2 = {
    "app.py": RELEASE_1["app.py"],
    "tests/test_app.py": "# a test\nassert True\nassert 1\n",  # 2 code, 1 documentation
    "vendor_lib.py": "x = 1\ny = 2\n",  # 2 code, vendored
    "run.sh": "#!/bin/sh\necho bye\n",
    "notes.txt": "still not code\n",
    ".gitattributes": RELEASE_1[".gitattributes"],
    "link.py": ("symlink", "app.py"),
}


@pytest.fixture
def served(make_repo):
    """An upstream with two releases that serves partial clones, as opendev does."""
    builder = make_repo("upstream")
    builder.release("1.0", RELEASE_1)
    builder.release("2.0", RELEASE_2)
    git(builder.path, "config", "uploadpack.allowFilter", "true")
    return builder


class Trace:
    """git's own trace of every git process started while it is on: how often the remote was asked."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        monkeypatch.setenv("GIT_TRACE2_EVENT", str(path))

    def commands(self) -> list[list[str]]:
        if not self.path.exists():
            return []
        events = [json.loads(line) for line in self.path.read_text().splitlines()]
        return [event["argv"] for event in events if event["event"] == "start"]

    def requests(self) -> int:
        """Requests served by the remote: each fetch (and ls-remote) runs one upload-pack there."""
        return sum(1 for argv in self.commands() if argv[0].endswith("upload-pack"))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@pytest.fixture
def trace(tmp_path, monkeypatch) -> Trace:
    return Trace(tmp_path / "trace.json", monkeypatch)


def url_of(builder) -> str:
    return f"file://{builder.path}"


def blob_id(builder, tag: str, path: str) -> str:
    return git(builder.path, "rev-parse", f"{tag}:{path}")


def options(tmp_path: Path, name: str, clone: CloneMode) -> RunOptions:
    return RunOptions(cache_dir=tmp_path / name, clone=clone)


def absent_everywhere(repo: gitpython.Repo) -> set[str]:
    """Every object of the repository's history it lacks (rev-list never fetches with --missing=print)."""
    output = repo.git.rev_list("--objects", "--all", "--missing=print")
    return {line[1:] for line in output.splitlines() if line.startswith("?")}


def test_a_partial_mirror_is_blobless_and_a_refresh_stays_so(served, tmp_path) -> None:
    repo = open_mirror(url_of(served), tmp_path / "mirrors", clone=CloneMode.PARTIAL)
    assert clone_mode(repo) == CloneMode.PARTIAL
    assert repo.git.config("remote.origin.promisor") == "true"
    assert repo.git.config("remote.origin.partialclonefilter") == "blob:none"
    first = absent_everywhere(repo)
    assert len(first) == 11  # 6 files at 1.0; 2.0 changes 4 of them and adds a symlink
    served.release("3.0", {"app.py": "print(3)\n"})
    refreshed = open_mirror(url_of(served), tmp_path / "mirrors", refresh=True, clone=CloneMode.FULL)
    assert clone_mode(refreshed) == CloneMode.PARTIAL  # an existing partial mirror stays partial
    assert absent_everywhere(refreshed) == first | {blob_id(served, "3.0", "app.py")}


def test_an_existing_full_mirror_stays_full(served, tmp_path) -> None:
    open_mirror(url_of(served), tmp_path / "mirrors")
    repo = open_mirror(url_of(served), tmp_path / "mirrors", clone=CloneMode.PARTIAL)
    assert clone_mode(repo) == CloneMode.FULL and absent_everywhere(repo) == set()


def test_ls_tree_with_sizes_fetches_blob_by_blob_so_a_partial_listing_has_none(served, tmp_path, trace) -> None:
    repo = open_mirror(url_of(served), tmp_path / "mirrors", clone=CloneMode.PARTIAL)
    commit = repo.commit("1.0").hexsha
    trace.clear()
    entries = list_tree(repo, commit)
    assert trace.requests() == 0
    assert {e.path: e.size for e in entries} == dict.fromkeys(sorted(RELEASE_1), MISSING)
    assert len(absent_objects(repo, [commit])) == 6 and trace.requests() == 0
    # What loccount avoids: git 2.39 sizes each absent blob by fetching it alone.
    repo.git.ls_tree("-r", "-l", commit)
    assert trace.requests() == 6
    assert absent_objects(repo, [commit]) == set()


def test_a_partial_count_equals_a_full_one_and_fetches_only_what_it_counts(served, tmp_path, trace) -> None:
    full = count_repository(url_of(served), ["1.0", "2.0"], options=options(tmp_path, "full", CloneMode.FULL))
    repo = open_mirror(url_of(served), tmp_path / "partial" / "mirrors", clone=CloneMode.PARTIAL)
    trace.clear()
    partial = count_repository(url_of(served), ["1.0", "2.0"], options=options(tmp_path, "partial", CloneMode.PARTIAL))
    assert trace.requests() == 2  # one for the .gitattributes, one for the Python files
    assert partial.tidy.equals(full.tidy) and partial.files.equals(full.files)
    code = full.tidy.groupby(["version", "category"])["code"].sum().to_dict()
    assert code == {
        ("1.0", "non-test"): 3,
        ("1.0", "test"): 1,
        ("1.0", "vendored"): 1,
        ("2.0", "non-test"): 3,
        ("2.0", "test"): 2,
        ("2.0", "vendored"): 2,
    }
    hint = "(the count took Python; count the rest with --languages all or --language NAME)"
    assert full.provenance.notes == (
        "upstream 2.0: the languages counted are only 81.7 % of its programming-language bytes; "
        f"not counted: 1 Bash file (19 bytes) {hint}",
    )  # 85 bytes of Python (app.py 43, the test 30, vendor_lib.py 12) beside 19 of shell
    assert partial.provenance.notes == (
        f"upstream 2.0 also holds 1 Bash file (size not known: not in the clone), not counted {hint}",
    )
    kept_out = {blob_id(served, tag, path) for tag in ("1.0", "2.0") for path in ("run.sh", "notes.txt")}
    assert absent_everywhere(repo) == kept_out  # the symlink's blob came too: its size is in the table
    trace.clear()
    again = count_repository(url_of(served), ["1.0", "2.0"], options=options(tmp_path, "partial", CloneMode.PARTIAL))
    assert again.files.equals(full.files)
    assert trace.requests() == 0
    assert not [argv for argv in trace.commands() if argv[1:2] in (["rev-list"], ["cat-file"], ["ls-tree"])]


def test_the_blobs_the_cache_holds_are_never_fetched(served, tmp_path, trace) -> None:
    """A partial mirror made beside a count cache that a full mirror filled: nothing to count, nothing fetched."""
    shared = tmp_path / "shared"
    count_repository(url_of(served), ["1.0"], options=RunOptions(cache_dir=shared))
    shutil.rmtree(shared / "mirrors")
    trace.clear()
    result = count_repository(url_of(served), ["1.0"], options=RunOptions(cache_dir=shared, clone=CloneMode.PARTIAL))
    assert trace.requests() == 2  # the clone and its ls-remote: the listing and counts came from the cache
    assert result.tidy["code"].sum() == 5


def test_a_failed_bulk_fetch_is_one_line_and_caches_no_count(served, tmp_path) -> None:
    cache = tmp_path / "cache"
    url = url_of(served)
    open_mirror(url, cache / "mirrors", clone=CloneMode.PARTIAL)
    moved = served.path.with_name("away")
    served.path.rename(moved)
    result = invoke("count", url, "--tag", "1.0", "--cache-dir", cache, "--clone", "partial")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("loccount: error: ")]
    assert errors == [
        f"loccount: error: cannot fetch 1 blob from {url}: fatal: '{served.path}' does not appear to be a git repository"
    ]
    with CountCache(cache) as counts:
        assert counts.stats() == {}
    moved.rename(served.path)
    done = invoke("count", url, "--tag", "1.0", "--cache-dir", cache, "--clone", "partial")
    assert done.exit_code == 0, done.output


def test_the_cli_clones_partial_when_asked(served, tmp_path) -> None:
    cache = tmp_path / "cache"
    result = invoke("count", url_of(served), "--tag", "2.0", "--cache-dir", cache, "--clone", "partial")
    assert result.exit_code == 0, result.output
    (found,) = [path for path in (cache / "mirrors").iterdir() if path.is_dir()]
    assert clone_mode(gitpython.Repo(found)) == CloneMode.PARTIAL
    assert invoke("count", url_of(served), "--clone", "sparse").exit_code == 2
    assert "--clone [full|partial]" in invoke("count", "--help").output


def test_bulk_fetches_come_in_chunks(served, tmp_path, trace, monkeypatch) -> None:
    repo = open_mirror(url_of(served), tmp_path / "mirrors", clone=CloneMode.PARTIAL)
    wanted = absent_everywhere(repo)
    monkeypatch.setattr("loccount.gitio.partial.FETCH_CHUNK", 5)
    said: list[str] = []
    trace.clear()
    fetch_blobs(repo, wanted, said.append)
    assert trace.requests() == 3 and absent_everywhere(repo) == set()
    parts = ("5 blobs (1 of 3)", "5 blobs (2 of 3)", "1 blob (3 of 3)")
    assert said == [f"{url_of(served)}: fetching {part}" for part in parts]
    assert FETCH_CHUNK == 10_000


def test_a_complete_repository_is_never_asked_to_fetch(served, tmp_path) -> None:
    repo = open_mirror(url_of(served), tmp_path / "mirrors")
    with pytest.raises(RepositoryError, match="lacks 1 blob and is not a partial clone"):
        fetch_blobs(repo, ["0" * 40])


def test_repositories_open_in_parallel_within_the_bound(served, tmp_path, monkeypatch) -> None:
    both = threading.Barrier(2, timeout=10)
    running: list[int] = []
    lock = threading.Lock()
    real = mirror.open_repository

    def watched(url, directory, **kwargs):
        with lock:
            running.append(threading.get_ident())
        try:
            if url.endswith("/0") or url.endswith("/1"):
                both.wait()  # the first two run at once, or this times out
            return real(url, directory, **kwargs)
        finally:
            with lock:
                running.remove(threading.get_ident())

    monkeypatch.setattr(mirror, "open_repository", watched)
    urls = [f"file://{tmp_path}/missing/{n}" for n in range(2)] + [url_of(served), url_of(served)]
    found = open_repositories(urls, tmp_path / "mirrors", jobs=2, clone=CloneMode.PARTIAL)
    assert list(found) == urls[:3]  # a URL given twice is opened once
    assert all(isinstance(found[url], RepositoryError) for url in urls[:2])
    assert str(found[urls[0]]).startswith(f"cannot fetch {urls[0]}: ")
    repo = found[url_of(served)]
    assert isinstance(repo, gitpython.Repo) and clone_mode(repo) == CloneMode.PARTIAL
    with pytest.raises(ValueError, match="at least 1"):
        open_repositories(urls, tmp_path / "mirrors", jobs=0)


def test_a_listing_of_a_partial_clone_is_cached_with_the_sizes_found(served, tmp_path) -> None:
    result = count_repository(url_of(served), ["1.0"], options=options(tmp_path, "cache", CloneMode.PARTIAL))
    commit = result.releases[0].commit
    with CountCache(tmp_path / "cache") as cache:
        (entries,) = cache.get_trees("*", [commit]).values()
    sizes = {entry.path: entry.size for entry in entries}
    assert sizes == {
        ".gitattributes": MISSING,  # fetched to be read, but not counted: not sized
        "app.py": len(RELEASE_1["app.py"]),
        "tests/test_app.py": len(RELEASE_1["tests/test_app.py"]),
        "vendor_lib.py": len(RELEASE_1["vendor_lib.py"]),
        "run.sh": MISSING,  # never fetched: its size is not known here
        "notes.txt": MISSING,
    }


@pytest.mark.slow
def test_a_killed_parallel_clone_keeps_the_finished_mirrors_and_redoes_the_rest(served, make_repo, tmp_path) -> None:
    big = make_repo("big")
    big.release("1.0", {"a.py": "x = 1\n", "blob.txt": os.urandom(3 * 1024 * 1024).hex()})  # slow over slow ssh
    fast, slow = url_of(served), f"ssh://localhost{big.path}"
    mirrors = tmp_path / "mirrors"
    script = (
        "import sys; from pathlib import Path; from loccount.gitio.mirror import open_repositories; "
        "open_repositories(sys.argv[1:3], Path(sys.argv[3]), jobs=2)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, fast, slow, str(mirrors)],
        cwd=Path(__file__).parents[1],
        env={**os.environ, **SSH_ENV},
        start_new_session=True,
    )
    done = mirrors / mirror_name(fast)
    wait_for(lambda: (done / MARKER).exists() and list(mirrors.glob("*.partial-*")), what="one mirror done")
    kill(process)
    assert not (mirrors / mirror_name(slow)).exists()
    (done / "kept").write_text("this mirror is not cloned again\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GIT_SSH_COMMAND", SSH_ENV["GIT_SSH_COMMAND"])
        env.setenv("GIT_SSH_VARIANT", "ssh")
        env.setenv("SLOW_SSH_DELAY", "0")
        found = open_repositories([fast, slow], mirrors, jobs=2)
    assert all(isinstance(repo, gitpython.Repo) for repo in found.values())
    assert (done / "kept").exists() and (mirrors / mirror_name(slow) / MARKER).exists()
    assert not list(mirrors.glob("*.partial-*"))


def test_a_listing_without_sizes_reads_as_unknown_but_a_submodule_as_empty() -> None:
    sha = "a" * 40
    output = f"100644 blob {sha}\tsrc/a.py\x00160000 commit {sha}\tlib/sub\x00".encode()
    assert [(e.path, e.size) for e in parse_ls_tree(output)] == [("src/a.py", MISSING), ("lib/sub", 0)]


def test_a_config_clones_partial_and_the_command_line_wins(served, tmp_path) -> None:
    config = tmp_path / "repos.yaml"
    config.write_text(
        f"clone: partial\noutput: out\nprojects:\n  - name: app\n    url: '{url_of(served)}'\n    tags: ['2.0']\n"
    )
    for flag, expected in (((), CloneMode.PARTIAL), (("--clone", "full"), CloneMode.FULL)):
        cache = tmp_path / f"cache-{expected}"
        result = invoke("run", "--config", config, "--cache-dir", cache, "--no-report", *flag)
        assert result.exit_code == 0, result.output
        (found,) = [path for path in (cache / "mirrors").iterdir() if path.is_dir()]
        assert clone_mode(gitpython.Repo(found)) == expected
    tidy = [(tmp_path / "out" / "tidy.csv").read_text()]
    assert "app,,,,2.0,2.0" in tidy[0]
    with pytest.raises(ConfigError, match=r"clone: Input should be 'full' or 'partial'"):
        parse_config("clone: sparse\nprojects: [a]\n", "c.yaml")


def test_a_failed_bulk_fetch_fails_its_project_only_and_a_rerun_counts_it(served, make_repo, tmp_path) -> None:
    other = make_repo("other")
    other.release("1.0", {"other.py": "a = 1\nb = 2\n"})
    git(other.path, "config", "uploadpack.allowFilter", "true")
    config = tmp_path / "repos.yaml"
    config.write_text(
        "clone: partial\noutput: out\nprojects:\n"
        f"  - name: app\n    url: '{url_of(served)}'\n    tags: ['1.0']\n"
        f"  - name: other\n    url: '{url_of(other)}'\n    tags: ['1.0']\n"
    )
    cache = tmp_path / "cache"
    for url in (url_of(served), url_of(other)):
        open_mirror(url, cache / "mirrors", clone=CloneMode.PARTIAL)
    moved = served.path.with_name("away")
    served.path.rename(moved)
    result = invoke("run", "--config", config, "--cache-dir", cache, "--no-report")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"failed: app: cannot fetch 1 blob from {url_of(served)}: fatal:" in result.stderr
    assert "1 project(s) failed: app; the others were counted" in result.stderr
    tidy = (tmp_path / "out" / "tidy.csv").read_text()
    assert "\nother," in tidy and "\napp," not in tidy
    moved.rename(served.path)
    again = invoke("run", "--config", config, "--cache-dir", cache, "--no-report")
    assert again.exit_code == 0, again.output
    assert "\napp," in (tmp_path / "out" / "tidy.csv").read_text()
