"""Mirrors: URL safety, clone once, fetch on refresh, recovery from a killed clone."""

from __future__ import annotations

import pytest

from loccount.errors import RepositoryError, UnsafeURLError
from loccount.gitio.mirror import MARKER, open_mirror, open_repository
from loccount.gitio.urls import check_url, display_url, is_local, mirror_name
from tests.gitrepo import git

SAFE = [
    "https://opendev.org/openstack/nova",
    "http://example.org/repo.git",
    "git://example.org/repo",
    "ssh://git@example.org/repo.git",
    "git@github.com:openstack/nova.git",
    "file:///srv/git/nova",
    "/srv/git/nova",
    "./nova",
    "relative/path:with-colon",
]
UNSAFE = [
    ("ext::sh -c touch% /tmp/pwned", "remote helper"),
    ("fd::17", "remote helper"),
    ("ext://sh", "remote helper"),
    ("-uhttps://example.org/x", "option"),
    ("--upload-pack=touch /tmp/x", "option"),
    ("https://example.org/x --upload-pack=evil", "white space"),
    ("ftp://example.org/repo", "scheme"),
    ("https://-oProxyCommand=evil/x", "host starts with '-'"),
    ("-oProxyCommand=evil:repo", "option"),
    ("https://example.org/x\nfoo", "control"),
    ("", "empty"),
    (" https://example.org/x", "spaces"),
]


@pytest.mark.parametrize("url", SAFE)
def test_safe_urls_pass(url: str) -> None:
    check_url(url)


@pytest.mark.parametrize(("url", "reason"), UNSAFE)
def test_unsafe_urls_are_refused_before_git_runs(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        check_url(url)


def test_local_detection() -> None:
    assert is_local("/srv/git/nova") and is_local("./x") and is_local("relative/path:with-colon")
    assert not is_local("git@github.com:openstack/nova.git")
    assert not is_local("https://opendev.org/openstack/nova")


def test_mirror_names_are_confined_and_distinct() -> None:
    names = {
        mirror_name(url)
        for url in [
            "https://opendev.org/openstack/nova",
            "https://opendev.org/openstack/nova.git",
            "https://example.org/../../etc/passwd",
            "https://example.org/" + "a" * 500,
        ]
    }
    assert len(names) == 4
    for name in names:
        assert "/" not in name and not name.startswith(".") and ".." not in name.replace("...", "")
        assert len(name) <= 100
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_credentials_never_shown() -> None:
    assert display_url("https://user:s3cret@example.org/repo") == "https://example.org/repo"
    assert "s3cret" not in mirror_name("https://user:s3cret@example.org/repo")


@pytest.fixture
def upstream(make_repo):
    builder = make_repo("upstream")
    builder.release("1.0", {"a.py": "x = 1\n"})
    return builder


def test_clone_once_then_fetch_on_refresh(upstream, tmp_path) -> None:
    url = f"file://{upstream.path}"
    mirrors = tmp_path / "mirrors"
    repo = open_mirror(url, mirrors)
    assert repo.bare and (mirrors / mirror_name(url) / MARKER).exists()
    assert [t.name for t in repo.tags] == ["1.0"]
    upstream.release("1.1", {"a.py": "x = 2\n"})
    assert [t.name for t in open_mirror(url, mirrors).tags] == ["1.0"]
    assert sorted(t.name for t in open_mirror(url, mirrors, refresh=True).tags) == ["1.0", "1.1"]
    assert sorted(p.name for p in mirrors.iterdir()) == sorted([mirror_name(url), mirror_name(url) + ".lock"])


def test_killed_clone_leftovers_are_cleaned_and_recloned(upstream, tmp_path) -> None:
    url = f"file://{upstream.path}"
    mirrors = tmp_path / "mirrors"
    partial = mirrors / f"{mirror_name(url)}.partial-4242"
    (partial / "objects").mkdir(parents=True)
    unfinished = mirrors / mirror_name(url)
    unfinished.mkdir()
    (unfinished / "HEAD").write_text("ref: refs/heads/main\n")
    repo = open_mirror(url, mirrors)
    assert [t.name for t in repo.tags] == ["1.0"]
    assert not partial.exists()


def test_unreachable_remote_leaves_nothing_behind(tmp_path) -> None:
    mirrors = tmp_path / "mirrors"
    with pytest.raises(RepositoryError, match="cannot fetch file:///nonexistent/repo"):
        open_mirror("file:///nonexistent/repo", mirrors)
    assert [p for p in mirrors.iterdir() if not p.name.endswith(".lock")] == []


def test_local_paths_are_read_in_place(upstream, tmp_path) -> None:
    repo = open_repository(str(upstream.path), tmp_path / "mirrors")
    assert [t.name for t in repo.tags] == ["1.0"]
    assert not (tmp_path / "mirrors").exists()
    with pytest.raises(RepositoryError, match="not a git repository"):
        open_repository(str(tmp_path), tmp_path / "mirrors")
    with pytest.raises(RepositoryError, match="no such file"):
        open_repository(str(tmp_path / "missing"), tmp_path / "mirrors")


def test_bare_repository_without_config_is_readable(upstream, tmp_path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(upstream.path), str(bare))
    (bare / "config").unlink()
    repo = open_repository(str(bare), tmp_path / "mirrors")
    assert [t.name for t in repo.tags] == ["1.0"]


def test_mirror_head_follows_the_remote_default_branch(upstream, tmp_path) -> None:
    repo = open_mirror(f"file://{upstream.path}", tmp_path / "mirrors")
    assert repo.git.symbolic_ref("HEAD") == "refs/heads/main"
    assert repo.commit("HEAD").hexsha == repo.commit("1.0").hexsha


def test_a_corrupt_remote_is_reported_by_its_cause(make_repo, tmp_path) -> None:
    builder = make_repo("corrupt")
    builder.release("1.0", {"a.py": "a = 1\n", "b.py": "b = 2\n"})
    sha = git(builder.path, "rev-parse", "HEAD:b.py")
    (builder.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    with pytest.raises(RepositoryError) as caught:
        open_mirror(f"file://{builder.path}", tmp_path / "mirrors")
    assert str(caught.value) == f"cannot fetch file://{builder.path}: remote: fatal: unable to read {sha}"


@pytest.mark.parametrize(
    ("stderr", "cause"),
    [
        (
            "ssh: connect to host example.org port 22: Connection refused\nfatal: Could not read from remote repository.",
            "ssh: connect to host example.org port 22: Connection refused",
        ),
        (
            "fatal: '/x' does not appear to be a git repository\nfatal: Could not read from remote repository.",
            "fatal: '/x' does not appear to be a git repository",
        ),
        ("warning: something\nplain last line", "plain last line"),
        ("", "git exited with status 128"),
    ],
)
def test_git_error_picks_the_cause(stderr: str, cause: str) -> None:
    import git as gitpython

    from loccount.gitio.gitcommand import git_error

    assert git_error(gitpython.GitCommandError(["git", "fetch"], 128, stderr=stderr)) == cause
