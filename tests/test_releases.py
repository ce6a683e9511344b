"""Resolving explicit tags, commits and tag patterns."""

from __future__ import annotations

import pytest

from loccount.errors import ConfigError, ReleaseError
from loccount.mirror import open_local
from loccount.releases import list_tags, resolve_tags, version_key


@pytest.fixture
def repo(make_repo):
    builder = make_repo("tags")
    builder.release("1.0", {"a.py": "a = 1\n"})
    builder.release("1.1", {"a.py": "a = 2\n"}, annotated=True)
    builder.release("1.10", {"a.py": "a = 3\n"})
    builder.release("2.0.0rc1", {"a.py": "a = 4\n"})
    return open_local(str(builder.path))


def test_lists_lightweight_and_annotated_tags_with_dates(repo) -> None:
    tags = list_tags(repo)
    assert set(tags) == {"1.0", "1.1", "1.10", "2.0.0rc1"}
    assert tags["1.1"].commit == repo.commit("1.1").hexsha  # peeled through the annotated tag
    assert tags["1.0"].date.isoformat().startswith("2020-01-01")
    assert tags["1.1"].date.isoformat().startswith("2020-01-02")


def test_unknown_tag_suggests_close_matches(repo) -> None:
    with pytest.raises(ReleaseError, match=r"unknown tag '1\.l'; did you mean 1\.1"):
        resolve_tags(repo, "p", ["1.l"])
    with pytest.raises(ReleaseError, match=r"unknown tag 'zzz'$"):
        resolve_tags(repo, "p", ["zzz"])


def test_pattern_matches_whole_names_in_date_order(repo) -> None:
    assert [r.version for r in resolve_tags(repo, "p", pattern=r"1\.\d+")] == ["1.0", "1.1", "1.10"]
    with pytest.raises(ReleaseError, match="no tag matches"):
        resolve_tags(repo, "p", pattern=r"9\..*")
    with pytest.raises(ConfigError, match="invalid tag pattern"):
        resolve_tags(repo, "p", pattern="1.(")


def test_duplicates_collapse(repo) -> None:
    releases = resolve_tags(repo, "p", ["1.0", "1.0"], pattern=r"1\.0")
    assert [r.version for r in releases] == ["1.0"]


def test_version_key_orders_numerically() -> None:
    versions = ["2.10.0", "2.9.0", "2014.2", "12.0.0", "2.2.0"]
    assert sorted(versions, key=version_key) == ["2.2.0", "2.9.0", "2.10.0", "12.0.0", "2014.2"]


def test_retroactive_tags_take_their_commit_date(make_repo) -> None:
    builder = make_repo("old")
    builder.release(None, {"a.py": "a = 1\n"}, date="2010-10-21T12:00:00+00:00")
    from tests.gitrepo import git

    git(builder.path, "tag", "-a", "-m", "2010.1", "2010.1", date="2018-02-21T00:00:00+00:00")
    git(builder.path, "tag", "-a", "-m", "late", "late", date="2010-12-01T00:00:00+00:00")
    tags = list_tags(open_local(str(builder.path)))
    assert tags["2010.1"].date.isoformat().startswith("2010-10-21")  # tagged years later
    assert tags["late"].date.isoformat().startswith("2010-12-01")  # a normal delay keeps the tag date


def test_tags_at_a_tree_or_a_blob_are_named_for_what_they_are(make_repo) -> None:
    from tests.gitrepo import git

    builder = make_repo("odd")
    builder.release("1.0", {"a.py": "a = 1\n"})
    git(builder.path, "tag", "-a", "-m", "a tree", "at-tree", "HEAD^{tree}")
    git(builder.path, "tag", "at-blob", "HEAD:a.py")
    repo = open_local(str(builder.path))
    with pytest.raises(ReleaseError, match=r"^p: tag 'at-tree' points at a tree, not a commit, so it has no files"):
        resolve_tags(repo, "p", ["at-tree"])
    with pytest.raises(ReleaseError, match=r"^p: tag 'at-blob' points at a blob, not a commit"):
        resolve_tags(repo, "p", ["at-blob"])
    with pytest.raises(ReleaseError, match=r"^p: unknown tag 'at-none'"):
        resolve_tags(repo, "p", ["at-none"])
