"""End to end through the library on fixture repositories: exact figures, and pygount agreement."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from loccount import count_repository
from loccount.classify import category
from loccount.counting.engine import EngineOptions
from loccount.counting.filecount import FileCount
from loccount.options import RunOptions
from tests.fixtures_data import EXPECTED, RELEASE_1_0, RELEASE_1_1
from tests.pygount_cli import comparable, pygount_files


@pytest.fixture
def project(make_repo):
    builder = make_repo("demo")
    builder.release("1.0", RELEASE_1_0)
    builder.release("1.1", RELEASE_1_1, annotated=True)
    builder.release("2.0.0rc1", RELEASE_1_1)
    return builder


def measured(tidy: pd.DataFrame, tag: str, cat: str) -> tuple[int, ...]:
    row = tidy[(tidy["tag"] == tag) & (tidy["category"] == cat)].iloc[0]
    names = ["files", "code", "documentation", "empty", "string", "lines", "files_analyzed", "files_empty"]
    return tuple(int(row[name]) for name in names)


def test_exact_figures_per_release_and_category(project, cache_dir) -> None:
    result = count_repository(
        str(project.path), tags=["1.0", "1.1"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    )
    tidy = result.tidy
    assert len(tidy) == 4
    for (tag, cat), expected in EXPECTED.items():
        assert measured(tidy, tag, cat) == expected, (tag, cat)
    row = tidy[(tidy["tag"] == "1.1") & (tidy["category"] == "non-test")].iloc[0]
    assert (row["files_generated"], row["files_binary"], row["files_error"]) == (1, 1, 0)
    assert set(tidy["pygount"]) == {result.provenance.pygount}
    assert set(tidy["test_rule"]) == {"default"}
    assert list(tidy["project"].unique()) == ["demo"]


def test_symlinks_and_submodules_are_recorded_not_counted(project, cache_dir) -> None:
    files = count_repository(
        str(project.path), tags=["1.1"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    ).files
    link = files[files["path"] == "pkg/link.py"].iloc[0]
    sub = files[files["path"] == "vendor/lib"].iloc[0]
    assert (link["kind"], link["state"], link["lines"]) == ("symlink", "symlink", 0)
    assert (sub["kind"], sub["state"], sub["lines"]) == ("submodule", "submodule", 0)
    assert "README.rst" not in set(files["path"])


def test_summary_invariants(project, cache_dir) -> None:
    result = count_repository(str(project.path), tags_matching=r"\d+\.\d+", options=RunOptions(cache_dir=cache_dir))
    summary = result.summary
    assert list(summary["tag"]) == ["1.0", "1.1"]  # the rc tag does not fully match
    for measure in ("files", "code", "documentation", "empty", "string", "lines"):
        assert (summary[f"test_{measure}"] + summary[f"non-test_{measure}"] == summary[f"total_{measure}"]).all()
    assert (
        summary["total_lines"]
        == summary[[f"total_{m}" for m in ("code", "documentation", "empty", "string")]].sum(axis=1)
    ).all()
    assert summary["test_share"].tolist() == [pytest.approx(2 / 6), pytest.approx(4 / 10)]


def pygount_on_archive(repo: Path, tag: str, tmp_path: Path) -> dict[str, FileCount]:
    """The reference: git archive the tag's .py files and run the ``pygount`` command on them."""
    target = tmp_path / f"archive-{tag}"
    target.mkdir()
    data = subprocess.run(["git", "archive", tag, "--", "*.py"], cwd=repo, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="tar")
    return pygount_files(target)


def test_agrees_with_pygount_on_git_archive(project, cache_dir, tmp_path) -> None:
    result = count_repository(
        str(project.path), tags=["1.0", "1.1"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=2))
    )
    for tag in ("1.0", "1.1"):
        reference = pygount_on_archive(project.path, tag, tmp_path)
        files = result.files[(result.files["tag"] == tag) & (result.files["kind"] == "file")]
        assert sorted(files["path"]) == sorted(reference)  # pygount skips symlinks; loccount lists them apart
        for _, row in files.iterrows():
            expected = comparable(reference[row["path"]])
            assert (row["state"], *(int(row[m]) for m in ("code", "documentation", "empty", "string"))) == expected
        totals = {"test": [0, 0, 0, 0], "non-test": [0, 0, 0, 0]}
        for path, counted in reference.items():
            totals[category(path)] = [
                a + b for a, b in zip(totals[category(path)], comparable(counted)[1:], strict=True)
            ]
        for cat, counts in totals.items():
            row = result.tidy[(result.tidy["tag"] == tag) & (result.tidy["category"] == cat)].iloc[0]
            assert [int(row[m]) for m in ("code", "documentation", "empty", "string")] == counts


def test_commits_count_like_tags_and_releases_are_chronological(project, cache_dir) -> None:
    head = subprocess.run(["git", "rev-parse", "1.0"], cwd=project.path, capture_output=True, text=True).stdout.strip()
    result = count_repository(str(project.path), tags=["1.1", head[:10]], options=RunOptions(cache_dir=cache_dir))
    assert list(result.summary["version"]) == [head[:10], "1.1"]
    assert list(result.summary["rule"]) == ["explicit-commit", "explicit-tag"]
    assert result.summary["tag"].isna().tolist() == [True, False]


def test_second_run_reads_tree_listings_from_the_cache(project, cache_dir, monkeypatch) -> None:
    """A commit's tree never changes: once listed, a warm run needs no ``git ls-tree``."""
    from loccount import pipeline

    first = count_repository(
        str(project.path), tags=["1.0", "1.1"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    )

    def no_git(*_args, **_kwargs):
        raise AssertionError("git ls-tree was run although the listing is cached")

    monkeypatch.setattr(pipeline, "list_tree", no_git)
    again = count_repository(
        str(project.path), tags=["1.0", "1.1"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    )
    pd.testing.assert_frame_equal(again.files, first.files)
    pd.testing.assert_frame_equal(again.tidy, first.tidy)


def test_tree_listing_round_trips_through_its_cached_form() -> None:
    from loccount.gitio.entries import TreeEntry
    from loccount.gitio.tree import decode_entries, encode_entries, parse_ls_tree

    raw = (
        b"100644 blob " + b"a" * 40 + b"     12\tpkg/caf\xe9.py\0"
        b"100644 blob " + b"b" * 40 + b"      3\tREADME\0"
        b"120000 blob " + b"c" * 40 + b"      7\tlink.py\0"
        b"160000 commit " + b"d" * 40 + b"       -\tvendor/lib\0"
        b"100644 blob " + b"e" * 40 + b"    BAD\tgone.py\0"
    )
    everything = parse_ls_tree(raw)
    python = parse_ls_tree(raw, (".py",))
    assert [e.path for e in everything] == [
        os.fsdecode(b"pkg/caf\xe9.py"),
        "README",
        "link.py",
        "vendor/lib",
        "gone.py",
    ]
    assert [e.path for e in python] == [os.fsdecode(b"pkg/caf\xe9.py"), "link.py", "vendor/lib", "gone.py"]
    assert [e.kind for e in python] == ["file", "symlink", "submodule", "file"]
    assert [e.size for e in python] == [12, 7, 0, -1]
    assert decode_entries(encode_entries(python)) == python
    assert all(isinstance(e, TreeEntry) for e in decode_entries(encode_entries(python)))
