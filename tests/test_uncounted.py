"""A file pygount cannot read is still a file of the release: said at the end of a run, in the
changes (``unreadable``, not ``removed``) and on the report, with hand-derived figures."""

from __future__ import annotations

import csv

import pytest

from loccount import count_repository
from loccount.options import RunOptions
from loccount.tables.changes import directory_changes, reconcile
from tests.cli_helpers import invoke, table_rows

# Code lines by hand: a.py 2 (x, y); keep.py 1; tests/test_k.py 1.
READABLE_A = "x = 1\ny = 2\n"
# Neither UTF-8 (0xe9 0x81 is no UTF-8 sequence) nor declared, and 0x81 is undefined in cp1252,
# pygount's last resort: the pygount command line says ``error`` too.
UNREADABLE_A = b"x = '\xe9\x81'\ny = 2\n"
# Valid UTF-8 holding 0x9d ("\u274c" is e2 9d 8c): read again, 2 code lines.
UTF8_A = "x = '\u274c'\ny = 2\n"
REASON = "'charmap' codec can't decode byte 0x81 in position 6: character maps to <undefined>"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    from tests.gitrepo import RepoBuilder

    root = tmp_path_factory.mktemp("uncounted")
    builder = RepoBuilder(root / "project")
    rest = {"pkg/keep.py": "k = 1\n", "tests/test_k.py": "assert 1\n"}
    builder.release("1.0", {"pkg/a.py": READABLE_A, **rest})
    builder.release("1.1", {"pkg/a.py": UNREADABLE_A, **rest})
    builder.release("1.2", {"pkg/a.py": UTF8_A, **rest})
    return builder.path, root / "cache"


@pytest.fixture(scope="module")
def counted(repo):
    path, cache = repo
    return count_repository(
        str(path), tags=["1.0", "1.1", "1.2"], options=RunOptions(cache_dir=cache), with_changes=True
    )


def test_an_unreadable_file_stays_a_file_of_its_release(counted) -> None:
    summary = counted.summary.set_index("version")
    assert summary["total_files"].tolist() == [3, 3, 3]
    assert summary["total_code"].tolist() == [4, 2, 4]
    assert summary["total_uncounted"].tolist() == [0, 1, 0]
    uncounted = counted.uncounted
    assert uncounted[["version", "path", "state", "state_info"]].values.tolist() == [
        ["1.1", "pkg/a.py", "error", REASON]
    ]


def test_the_change_is_unreadable_then_readable_not_removed_and_added(counted) -> None:
    rows = counted.changes[["from_release", "to_release", "path", "change", "old_state", "new_state", "code_delta"]]
    assert rows.values.tolist() == [
        ["1.0", "1.1", "pkg/a.py", "unreadable", "analyzed", "error", -2],
        ["1.1", "1.2", "pkg/a.py", "readable", "error", "analyzed", 2],
    ]
    flows = directory_changes(counted.changes, 0).set_index("to_release")
    assert flows.loc["1.1", ["added", "removed", "moved", "unreadable", "net"]].tolist() == [0, 0, 0, -2, -2]
    assert flows.loc["1.2", ["added", "removed", "moved", "unreadable", "net"]].tolist() == [0, 0, 0, 2, 2]
    assert reconcile(counted.tidy, counted.changes)["ok"].all()


def test_count_ends_with_a_note_naming_the_file_and_its_reason(repo) -> None:
    path, cache = repo
    result = invoke("count", path, "--tag", "1.0", "--tag", "1.1", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    last = result.stderr.splitlines()[-1]
    assert last == (
        "note: 1 file could not be counted and have no lines in the totals (1 in 1 release): "
        f"project pkg/a.py (error: {REASON}; 1.1)"
    )


def test_diff_shows_the_unreadable_lines_apart(repo) -> None:
    path, cache = repo
    result = invoke("diff", path, "1.0", "1.1", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "project 1.0 -> 1.1: code lines 4 -> 2 (-2, -50.0%); test share of code 25.0% -> 50.0%"
    assert lines[1].startswith("files: 0 added, 0 removed, 0 modified, 0 moved, 1 unreadable (")
    assert table_rows(result.stdout) == [
        ["pkg", "", "", "", "-2", "-2", "", "", "", "", "0"],
        ["all directories", "", "", "", "-2", "-2", "", "", "", "", "0"],
    ]
    assert "could not be counted" in result.stderr.splitlines()[-1]


def test_the_report_lists_the_files_that_could_not_be_counted(repo, tmp_path) -> None:
    path, cache = repo
    report = tmp_path / "report"
    result = invoke("count", path, "--tag", "1.0", "--tag", "1.1", "--cache-dir", cache, "--report", report)
    assert result.exit_code == 0, result.output
    with (report / "uncounted.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["version"], r["path"], r["state"], r["state_info"]) for r in rows] == [
        ("1.1", "pkg/a.py", "error", REASON)
    ]
    page = (report / "project-project.html").read_text(encoding="utf-8")
    assert "Files that could not be counted" in page
    assert '<code>pkg/a.py</code></td><td class="text">error</td>' in page
    index = (report / "index.html").read_text(encoding="utf-8")
    assert 'id="uncounted">Not counted: 1 file could not be counted' in index
    # `loccount report` rebuilds the same from the tables alone
    config = tmp_path / "repos.yaml"
    config.write_text(f"projects:\n  - name: project\n    url: {path}\noutput: report\n", encoding="utf-8")
    rebuilt = invoke("report", "--config", config, "--no-images")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (report / "project-project.html").read_text(encoding="utf-8") == page
