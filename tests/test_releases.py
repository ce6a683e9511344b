"""Resolving explicit tags, commits and tag patterns."""

from __future__ import annotations

import re

import pytest

from loccount.errors import ConfigError, ReleaseError
from loccount.gitio.mirror import open_local
from loccount.options import RunOptions
from loccount.pipeline import count_repository, project_name
from loccount.releases.model import Release, Tag
from loccount.releases.order import DATE_ORDER, SCHEME_CHANGE_ORDER, VERSION_ORDER, release_order
from loccount.releases.tags import list_tags, resolve_tags
from tests.gitrepo import git


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


def release(version: str, day: int, rule: str = "tag-pattern") -> Release:
    from datetime import UTC, datetime

    return Release("p", version, version, f"{day:040x}", datetime(2020, 1, day, tzinfo=UTC), rule=rule)


def test_versions_order_by_pep_440_with_a_v_prefix() -> None:
    # 2.10.0 comes after 2.9.0 whatever the dates; v-prefixed names are versions
    tags = [release("2.10.0", 1), release("v2.9.0", 2), release("v3.0.0rc1", 3), release("3.0.0", 4)]
    ordered, order = release_order(tags)
    assert [r.version for r in ordered] == ["v2.9.0", "2.10.0", "v3.0.0rc1", "3.0.0"]
    assert order == VERSION_ORDER == "version (PEP 440)"


def test_a_change_of_scheme_follows_the_dates() -> None:
    # OpenStack's shape: 2015.1.0 (Kilo), then 12.0.0 (Liberty), which PEP 440 puts first
    tags = [release("12.0.0", 4), release("2014.2", 2), release("2015.1.0", 3), release("2014.1", 1)]
    tags += [release("13.0.0", 6), release("12.0.1", 5)]
    ordered, order = release_order(tags)
    assert [r.version for r in ordered] == ["2014.1", "2014.2", "2015.1.0", "12.0.0", "12.0.1", "13.0.0"]
    assert order == f"{SCHEME_CHANGE_ORDER} (12.0.0 after 2015.1.0)"
    # and a calendar scheme that went back to semantic versions
    calendar = [release("2018.10.0", 1), release("2019.4.0", 2), release("2.0.0", 3), release("2.1.0", 4)]
    assert [r.version for r in release_order(calendar)[0]] == ["2018.10.0", "2019.4.0", "2.0.0", "2.1.0"]


def test_a_point_release_made_after_a_later_major_stays_in_its_line() -> None:
    # 2014.2.4 was made after 2015.1.0, and 1.0.1 after 2.0.0: neither becomes the latest
    tags = [release("2014.2", 1), release("2015.1.0", 2), release("2014.2.4", 3), release("12.0.0", 4)]
    tags += [release("2015.1.1", 5)]
    ordered, _order = release_order(tags)
    assert [r.version for r in ordered] == ["2014.2", "2014.2.4", "2015.1.0", "2015.1.1", "12.0.0"]
    semantic = [release("1.0.0", 1), release("2.0.0", 2), release("1.0.1", 3)]
    ordered, order = release_order(semantic)
    assert [r.version for r in ordered] == ["1.0.0", "1.0.1", "2.0.0"]
    assert order == VERSION_ORDER


def test_a_backport_counted_alone_is_placed_by_the_repositorys_tags() -> None:
    # 1.0.1 counted without 1.0.0: the repository's own 1.0.0 says when its line began
    chosen = [release("2.0.0", 2), release("1.0.1", 3)]
    assert [r.version for r in release_order(chosen)[0]] == ["2.0.0", "1.0.1"]  # nothing says otherwise
    known = {"1.0.0": Tag("1.0.0", "0" * 40, release("1.0.0", 1).date), "junk": Tag("junk", "1" * 40, None)}
    ordered, order = release_order(chosen, known)
    assert [r.version for r in ordered] == ["1.0.1", "2.0.0"]
    assert order == VERSION_ORDER


def test_a_history_that_changes_scheme_is_counted_in_the_order_it_was_made(make_repo, cache_dir) -> None:
    """Pairs, the latest release and the provenance all follow one order: the order of the history."""
    builder = make_repo("scheme")
    for number, tag in enumerate(["2014.2", "2015.1.0", "12.0.0", "2015.1.1", "13.0.0"], start=1):
        builder.release(tag, {"a.py": "x = 1\n" * number})
    result = count_repository(
        str(builder.path),
        tags=["13.0.0", "12.0.0", "2015.1.1", "2014.2", "2015.1.0"],
        options=RunOptions(cache_dir=cache_dir),
        with_changes=True,
    )
    assert list(result.summary["version"]) == ["2014.2", "2015.1.0", "2015.1.1", "12.0.0", "13.0.0"]
    assert list(result.summary["total_code"]) == [1, 2, 4, 3, 5]
    pairs = result.changes[["from_release", "to_release"]].drop_duplicates().values.tolist()
    assert pairs == [["2014.2", "2015.1.0"], ["2015.1.0", "2015.1.1"], ["2015.1.1", "12.0.0"], ["12.0.0", "13.0.0"]]
    assert result.provenance.release_order == {"scheme": f"{SCHEME_CHANGE_ORDER} (12.0.0 after 2015.1.1)"}


def test_names_that_are_not_versions_fall_back_to_the_date() -> None:
    tags = [release("2.0", 3), release("ussuri-eol", 1), release("1.0", 2)]
    ordered, order = release_order(tags)
    assert [r.version for r in ordered] == ["ussuri-eol", "1.0", "2.0"]
    assert order == DATE_ORDER
    commits = [release("2.0", 2), release("1234567", 1, rule="explicit-commit")]  # a commit is not a version
    assert release_order(commits) == ([commits[1], commits[0]], DATE_ORDER)


@pytest.fixture
def odd_dates(make_repo):
    builder = make_repo("odd")
    commit = builder.release("1.0", {"a.py": "a = 1\n"})
    for name, stamp in (("zone", "1577836800 +9959"), ("far", "253402300800 +0000")):
        tag = git(
            builder.path,
            "mktag",
            input=f"object {commit}\ntype commit\ntag {name}\ntagger T <t@e> {stamp}\n\n{name}\n".encode(),
        )
        git(builder.path, "update-ref", f"refs/tags/{name}", tag)
    tree = git(builder.path, "rev-parse", "HEAD^{tree}")
    git(builder.path, "tag", "-a", "-m", "a tree", "treetag", tree)
    git(builder.path, "tag", "-a", "-m", "a blob", "blobtag", git(builder.path, "rev-parse", "HEAD:a.py"))
    return open_local(str(builder.path))


def test_dates_python_cannot_represent_are_unknown_and_noted(odd_dates) -> None:
    tags = list_tags(odd_dates)
    assert tags["1.0"].date.isoformat().startswith("2020-01-01")  # the others are unaffected
    assert tags["zone"].date.isoformat().startswith("2020-01-01")  # the tag's own date is unknown: its commit's
    assert tags["far"].date.isoformat().startswith("2020-01-01")
    notes: list[str] = []
    assert [r.version for r in resolve_tags(odd_dates, "p", ["zone", "far", "1.0"], notes=notes)] == [
        "1.0",
        "far",
        "zone",
    ]
    assert notes == [
        "tag zone: date '2020-01-05T03:59:00+99:59' cannot be represented; its commit's date is used",
        "tag far: date '10000-01-01T00:00:00+00:00' cannot be represented; its commit's date is used",
    ]


def test_an_odd_date_is_said_only_when_its_tag_is_counted(odd_dates) -> None:
    notes: list[str] = []
    assert [r.version for r in resolve_tags(odd_dates, "p", ["1.0"], notes=notes)] == ["1.0"]
    assert notes == []
    resolve_tags(odd_dates, "p", pattern="z.*", notes=notes)
    assert notes == ["tag zone: date '2020-01-05T03:59:00+99:59' cannot be represented; its commit's date is used"]


def test_tags_at_a_tree_or_blob_say_what_they_point_at(odd_dates) -> None:
    with pytest.raises(ReleaseError, match=r"tag 'treetag' points at a tree, not a commit"):
        resolve_tags(odd_dates, "p", ["treetag"])
    with pytest.raises(ReleaseError, match=r"tag 'blobtag' points at a blob, not a commit"):
        resolve_tags(odd_dates, "p", ["blobtag"])


def test_a_runaway_pattern_is_stopped_with_one_line(make_repo) -> None:
    builder = make_repo("hostile")
    builder.release("a" * 40 + "b", {"a.py": "a = 1\n"})
    repo = open_local(str(builder.path))
    with pytest.raises(ConfigError, match=r"pattern '\(a\|aa\)\+\$' took over 0.25 s on tag 'aaaa.*\.\.\.'"):
        resolve_tags(repo, "p", pattern=r"(a|aa)+$")


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


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("https://opendev.org/openstack/nova", "nova"),
        ("https://github.com/pytest-dev/pytest.git/", "pytest"),
        ("git@github.com:psf/requests.git", "requests"),
        ("https://example.com/team/repo", "repo"),  # a URL's last part is its name, even "repo"
    ],
)
def test_urls_are_named_by_their_last_part(target: str, name: str) -> None:
    assert project_name(target) == name


def test_local_repositories_are_named_from_the_repository_not_its_storage(tmp_path) -> None:
    kept = tmp_path / "openstack+nova" / "repo"
    git(tmp_path, "init", "-q", "--bare", str(kept))
    assert project_name(str(kept), open_local(str(kept))) == "openstack+nova"
    assert project_name(str(kept) + "/", open_local(str(kept))) == "openstack+nova"
    work = tmp_path / "flask"
    git(tmp_path, "init", "-q", str(work))
    assert project_name(str(work / ".git"), open_local(str(work))) == "flask"
    mirror = tmp_path / "mirror.git"
    git(tmp_path, "init", "-q", "--bare", str(mirror))
    git(mirror, "remote", "add", "origin", "https://github.com/pallets/flask.git")
    assert project_name(str(mirror), open_local(str(mirror))) == "flask"  # its origin says what it is


def test_a_tag_at_a_missing_object_is_left_out_with_a_note(make_repo, tmp_path) -> None:
    """One dangling ref (a half-copied repository, a pruned object) never blocks the other tags."""
    from tests.cli_helpers import invoke

    builder = make_repo("dangling")
    builder.release("v1.0", {"a.py": "x = 1\n"})
    builder.release("v2.0", {"a.py": "x = 1\ny = 2\n"})
    (builder.path / ".git" / "refs" / "tags" / "broken").write_text("12" * 20 + "\n")
    notes: list[str] = []
    tags = list_tags(open_local(str(builder.path)), notes)
    assert sorted(tags) == ["v1.0", "v2.0"]
    assert notes == [f"tag broken is left out: fatal: missing object {'12' * 20} for refs/tags/broken"]
    for args in (["--tag", "v1.0"], ["--tags-matching", r"v\d\.0"]):
        result = invoke("count", builder.path, *args, "--cache-dir", tmp_path / "c")
        assert result.exit_code == 0, result.output
        assert "note: tag broken is left out: fatal: missing object" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?:a{65535}){65535}", "expands to over 100,000 elements"),
        ("(?P<n>a)(?P=n){99999999}", "expands to over 100,000 elements"),
        ("((a{100}){100}){100}", "expands to over 100,000 elements"),
        ("a" * 1001, "tag pattern of 1,001 characters; at most 1,000"),
    ],
)
def test_a_pattern_that_would_take_unbounded_memory_to_compile_is_refused_first(pattern: str, message: str) -> None:
    """Compiling (?:a{65535}){65535} took 23 GB before it was killed: it is sized, not compiled."""
    import resource
    import time

    from loccount.releases.tagpattern import compile_tag_pattern

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(ConfigError, match=re.escape(message)):
        compile_tag_pattern(pattern)
    assert time.monotonic() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: no big allocation
    assert compile_tag_pattern(r"\d+\.\d+\.\d+(\.0rc\d)?").fullmatch("12.0.0")  # ordinary patterns compile


def test_many_hostile_tags_share_one_time_budget(monkeypatch) -> None:
    """Each tag under the per-tag limit, thousands of them together: stopped by the total budget."""
    import time

    from loccount.releases import tagpattern

    monkeypatch.setattr(tagpattern, "TOTAL_SECONDS", 0.5)
    names = [f"{'a' * 18}{n}b" for n in range(5_000)]  # each takes a few ms with (a|aa)+$
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"took over 0.5 s on [\d,]+ tags, the last 'a{18}\d+b'"):
        tagpattern.matching_tags(r"(a|aa)+\d*$", names)
    assert time.monotonic() - started < 1.5
