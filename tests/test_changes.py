"""Per-file changes between releases on a fixture repository, with hand-derived deltas."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pandas as pd
import pytest

from loccount import changes, count_repository
from loccount.counting.engine import EngineOptions
from loccount.errors import ReleaseError
from loccount.gitio.entries import Rename
from loccount.gitio.tree import parse_renames
from loccount.options import RunOptions
from loccount.releases.model import Release
from loccount.releases.order import find_release
from loccount.tables.changes import directory_changes, file_changes, reconcile, top_directories
from tests.cli_helpers import assert_one_line_error, table_rows
from tests.fixtures_data import MOD, SETUP, SUBMODULE_SHA, TEST_MOD
from tests.gitrepo import RepoBuilder, git
from tests.world import build_world, module, write_config

# module(i, n) has 2n code lines and 4n lines (pygount drops the final empty line); text
# after it brings that empty line back. "x = 1" is one code line; an empty file has none.
EXTRA = "def extra(y):\n    return y\n"  # 2 code lines
BEFORE = {
    "pkg/a.py": MOD,  # code 2, lines 7: unchanged
    "pkg/b.py": SETUP,  # code 2, lines 2: removed
    "pkg/c.py": module(3, 4),  # code 8, lines 16: grows to module(3, 6), code 12, lines 24
    "pkg/d.py": module(4, 5),  # code 10, lines 20: moved as it is into pkg/sub/
    "pkg/e.py": module(5, 10),  # code 20, lines 40: moved to pkg/e2.py and edited: code 22, lines 43
    "pkg/f.py": module(6, 5),  # code 10, lines 20: moved into pkg/tests/, so it becomes test code
    "pkg/g.py": "x = 1\n",  # code 1, lines 1: becomes empty
    "pkg/tests/test_a.py": TEST_MOD,  # code 2, lines 3: unchanged
}
AFTER = {
    "pkg/a.py": MOD,
    "pkg/c.py": module(3, 6),
    "pkg/sub/d.py": module(4, 5),
    "pkg/e2.py": module(5, 10) + EXTRA,
    "pkg/tests/f.py": module(6, 5),
    "pkg/g.py": "",
    "pkg/tests/test_a.py": TEST_MOD,
    "pkg/new.py": module(7, 2),  # code 4, lines 8: added
    "pkg/link.py": ("symlink", "a.py"),  # a symlink appears: no lines
    "vendor/lib": ("submodule", SUBMODULE_SHA),  # a submodule appears: no lines
}
# path, old_path, change, category, old_category, new_category, new_state, code before/after/delta, lines b/a/d
EXPECTED_ROWS = [
    ("pkg/b.py", "pkg/b.py", "removed", "non-test", "non-test", None, None, 2, 0, -2, 2, 0, -2),
    ("pkg/c.py", "pkg/c.py", "modified", "non-test", "non-test", "non-test", "analyzed", 8, 12, 4, 16, 24, 8),
    ("pkg/e2.py", "pkg/e.py", "moved", "non-test", "non-test", "non-test", "analyzed", 20, 22, 2, 40, 43, 3),
    ("pkg/g.py", "pkg/g.py", "modified", "non-test", "non-test", "non-test", "empty", 1, 0, -1, 1, 0, -1),
    ("pkg/link.py", None, "added", "non-test", None, "non-test", "symlink", 0, 0, 0, 0, 0, 0),
    ("pkg/new.py", None, "added", "non-test", None, "non-test", "analyzed", 0, 4, 4, 0, 8, 8),
    ("pkg/sub/d.py", "pkg/d.py", "moved", "non-test", "non-test", "non-test", "analyzed", 10, 10, 0, 20, 20, 0),
    # a category change: the file leaves non-test (nothing after) and joins test (nothing before)
    ("pkg/tests/f.py", "pkg/f.py", "moved", "non-test", "non-test", "test", "analyzed", 10, 0, -10, 20, 0, -20),
    ("pkg/tests/f.py", "pkg/f.py", "moved", "test", "non-test", "test", "analyzed", 0, 10, 10, 0, 20, 20),
    ("vendor/lib", None, "added", "vendored", None, "vendored", "submodule", 0, 0, 0, 0, 0, 0),
]
ROW_COLUMNS = [
    "path", "old_path", "change", "category", "old_category", "new_category", "new_state",
    "code_before", "code_after", "code_delta", "lines_before", "lines_after", "lines_delta",
]  # fmt: skip


def rows(frame: pd.DataFrame) -> list[tuple]:
    table = frame[ROW_COLUMNS].astype(object).where(frame[ROW_COLUMNS].notna(), None)
    return [tuple(row) for row in table.itertuples(index=False)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The fixture repository (1.0 -> 1.1) and a cache dir shared by this module's tests."""
    root = tmp_path_factory.mktemp("changes")
    builder = RepoBuilder(root / "demo")
    builder.release("1.0", BEFORE)
    builder.release("1.1", AFTER)
    return builder.path, root / "cache"


@pytest.fixture(scope="module")
def counted(demo):
    path, cache = demo
    options = RunOptions(cache_dir=cache, engine=EngineOptions(jobs=1))
    return count_repository(str(path), tags=["1.0", "1.1"], options=options, with_changes=True)


def test_each_kind_of_change_with_hand_derived_deltas(counted) -> None:
    found = counted.changes
    assert rows(found) == EXPECTED_ROWS
    assert set(found[["project", "from_release", "to_release"]].itertuples(index=False)) == {("demo", "1.0", "1.1")}
    assert found.loc[found["path"] == "pkg/e2.py", "similarity"].item() >= 90  # git's score, not ours
    assert found.loc[found["path"] == "pkg/sub/d.py", "similarity"].item() == 100
    assert found["similarity"].isna().sum() == 6  # only moves have one


def test_deltas_sum_to_the_tidy_change_per_category(counted) -> None:
    check = reconcile(counted.tidy, counted.changes)
    assert check["ok"].all()
    figures = {(r.category, r.measure): r.tidy_delta for r in check.itertuples()}
    # non-test code: -2 (b) +4 (c) +2 (e) -10 (f leaves) -1 (g) +4 (new) = -3; test: +10 (f joins)
    assert figures == {("non-test", "code"): -3, ("non-test", "lines"): -4, ("test", "code"): 10, ("test", "lines"): 20}


def test_unchanged_paths_on_request(counted) -> None:
    everything = changes(counted, unchanged=True)
    assert sorted(everything.loc[everything["change"] == "unchanged", "path"]) == ["pkg/a.py", "pkg/tests/test_a.py"]
    assert len(everything) == len(EXPECTED_ROWS) + 2


def test_directory_flows_count_each_move_once(counted) -> None:
    flows = directory_changes(counted.changes, depth=2)
    table = {(r.directory, r.category): (r.added, r.removed, r.moved, r.net) for r in flows.itertuples()}
    assert table == {
        # added: c +4, e +2, new +4; removed: b -2, g -1; moved: e within (20), d out (10), f out (10)
        ("pkg", "non-test"): (10, -3, 40, -13),
        ("pkg/sub", "non-test"): (0, 0, 10, 10),  # d moved in
        ("pkg/tests", "test"): (0, 0, 10, 10),  # f joined the tests
        ("vendor", "vendored"): (0, 0, 0, 0),  # a submodule in vendor/: a change, but no lines
    }
    whole = directory_changes(counted.changes, depth=0)
    assert {r.category: (r.added, r.removed, r.moved, r.net) for r in whole.itertuples()} == {
        "non-test": (10, -3, 40, -3),  # d moved within the project: counted once
        "test": (0, 0, 10, 10),
        "vendored": (0, 0, 0, 0),  # the submodule vendor/lib
    }
    top = top_directories(flows, top=2)
    assert list(top["directory"]) == ["pkg", "pkg/sub"]
    assert top.iloc[0][["non-test_added", "non-test_removed", "non-test_moved", "activity"]].tolist() == [
        10,
        -3,
        40,
        53,
    ]


def test_a_pair_may_run_backwards(counted) -> None:
    back = changes(counted, [("1.1", "1.0")])
    sums = back.groupby("category")[["code_delta", "lines_delta"]].sum()
    assert sums.loc["non-test"].tolist() == [3, 4] and sums.loc["test"].tolist() == [-10, -20]
    moved = back[back["change"] == "moved"].set_index("path")
    assert moved.loc["pkg/e.py", "old_path"] == "pkg/e2.py" and moved.loc["pkg/e.py", "code_delta"] == -2
    assert sorted(back.loc[back["change"] == "added", "path"]) == ["pkg/b.py"]


def test_lines_along_the_lines_measure(counted) -> None:
    flows = directory_changes(counted.changes, depth=1, measure="lines")
    pkg = flows[(flows["directory"] == "pkg") & (flows["category"] == "non-test")].iloc[0]
    # added: c +8, e +3, new +8; removed: b -2, g -1; moved: d, e, f at their old size
    assert (pkg["added"], pkg["removed"], pkg["moved"], pkg["net"]) == (19, -3, 80, -4)


def frame(paths: dict[str, tuple[str, int]]) -> pd.DataFrame:
    """Per-file rows of one release: path -> (sha, code); every file non-test and analyzed."""
    return pd.DataFrame(
        [
            {"path": p, "sha": s, "kind": "file", "category": "non-test", "state": "analyzed", "code": c, "lines": c}
            for p, (s, c) in paths.items()
        ]
    )


def test_a_pair_that_does_not_fit_is_ignored() -> None:
    before = frame({"a.py": ("1", 5), "b.py": ("2", 7)})
    after = frame({"a.py": ("1", 5), "c.py": ("3", 8), "d.py": ("4", 9)})
    renames = [Rename("a.py", "c.py", 90), Rename("b.py", "c.py", 80), Rename("b.py", "d.py", 70)]
    found = file_changes(before, after, renames)
    # a.py still exists, so it is no source; c.py took b.py first, so b.py -> d.py is not used again
    assert rows_of(found) == [("b.py", "c.py", "moved", 1), ("d.py", None, "added", 9)]
    assert found["code_delta"].sum() == (5 + 8 + 9) - (5 + 7)


def rows_of(found: pd.DataFrame) -> list[tuple]:
    return [
        (r.old_path if r.change == "moved" else r.path, r.path if r.change == "moved" else None, r.change, r.code_delta)
        for r in found.itertuples()
    ]


def test_paths_that_print_alike_stay_apart() -> None:
    before = frame({"x\\xff.py": ("1", 2)})
    after = pd.concat([frame({"x\\xff.py": ("1", 2)}), frame({"x\\xff.py": ("2", 3)})])  # two raw names, one spelling
    found = file_changes(before, after)
    assert list(found["path"]) == ["x\\xff.py"] and found["code_delta"].tolist() == [3]


def test_parse_renames() -> None:
    weird = os.fsencode("caf\udce9.py")
    output = b"\0".join(
        [
            b"M",
            b"a.py",
            b"R087",
            b"old/x.py",
            b"new/x.py",
            b"C075",
            b"s.py",
            b"t.py",
            b"A",
            b"n.py",
            b"R100",
            weird,
            b"b.py",
            b"",
        ]
    )
    assert parse_renames(output) == [Rename("old/x.py", "new/x.py", 87), Rename("caf\udce9.py", "b.py", 100)]
    assert parse_renames(b"") == []


def release(version: str, series: str | None = None, release_id: str | None = None, tag: str | None = None) -> Release:
    return Release("nova", version, tag or version, version * 4, datetime(2020, 1, 1, tzinfo=UTC), series, release_id)


def test_releases_by_series_version_or_tag() -> None:
    releases = [release("2014.2", "juno", "2014.2"), release("2015.1.0", "kilo", "2015.1", tag="v2015.1.0")]
    assert find_release(releases, "juno").version == "2014.2"
    assert find_release(releases, "Kilo").version == "2015.1.0"
    assert find_release(releases, "2015.1").version == "2015.1.0"  # the series' release id
    assert find_release(releases, "v2015.1.0").version == "2015.1.0"
    with pytest.raises(
        ReleaseError, match=r"nova: no release 'jnuo' \(by series, version or tag\) among 2; did you mean juno"
    ):
        find_release(releases, "jnuo")
    twins = [release("1.0", tag="v1"), Release("nova", "1.1", "v1", "b" * 40, None)]
    with pytest.raises(ReleaseError, match="'v1' names several releases"):
        find_release(twins, "v1")


def diff(*args: object):
    from click.testing import CliRunner

    from loccount.cli import main

    return CliRunner().invoke(main, ["diff", *(str(a) for a in args)], catch_exceptions=False)


def test_diff_prints_the_directories_behind_the_change(demo, tmp_path) -> None:
    path, cache = demo
    out = tmp_path / "changes.csv"
    result = diff(path, "1.0", "1.1", "--cache-dir", cache, "--csv", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "demo 1.0 -> 1.1: code lines 55 -> 62 (+7, +12.7%); test share of code 3.6% -> 19.4%"
    assert lines[1].startswith("files: 3 added, 1 removed, 2 modified, 3 moved (1 of them across test/non-test)")
    assert table_rows(result.stdout) == [
        ["pkg", "+10", "-3", "40", "-13", "", "", "", "0"],
        ["pkg/sub", "", "", "10", "+10", "", "", "", "0"],
        ["pkg/tests", "", "", "", "0", "", "", "10", "+10"],
        ["all directories", "+10", "-3", "40", "-3", "", "", "10", "+10"],
    ]
    written = pd.read_csv(out, dtype={"from_release": str, "to_release": str})
    assert len(written) == len(EXPECTED_ROWS) and written["code_delta"].sum() == 7


def test_a_stricter_similarity_makes_an_edited_move_a_removal_and_an_addition(demo) -> None:
    path, cache = demo
    result = diff(path, "1.0", "1.1", "--cache-dir", cache, "--similarity", "95")  # e.py -> e2.py keeps 94%
    assert result.exit_code == 0, result.output
    assert "files: 4 added, 2 removed, 2 modified, 2 moved" in result.stdout and "at least 95% kept" in result.stdout
    assert table_rows(result.stdout)[0] == ["pkg", "+30", "-23", "20", "-13", "", "", "", "0"]


def test_diff_backwards_shows_negative_growth(demo) -> None:
    path, cache = demo
    result = diff(path, "1.1", "1.0", "--cache-dir", cache, "--depth", "1", "--top", "1")
    assert result.exit_code == 0, result.output
    assert "demo 1.1 -> 1.0: code lines 62 -> 55 (-7, -11.3%)" in result.stdout
    assert table_rows(result.stdout) == [
        ["pkg", "+3", "-10", "42", "+3", "", "", "10", "-10"],  # e2 -> e (22), d (10), f back out of tests (10)
        ["all directories", "+3", "-10", "42", "+3", "", "", "10", "-10"],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1.0", "9.9"], "demo: unknown tag '9.9'"),
        (["1.1", "1.1"], "FROM and TO are both '1.1'; nothing to compare"),
        (["1.1", "HEAD_SHA"], "demo: '1.1' and 'HEAD_SHA' are the same commit"),
        (["1.0"], "diff: give TARGET FROM TO, or --project with --from and --to"),
    ],
)
def test_diff_bad_input_gets_one_line(demo, args, message) -> None:
    path, cache = demo
    head = git(path, "rev-parse", "HEAD")
    args = [head if a == "HEAD_SHA" else a for a in args]
    assert_one_line_error(diff(path, *args, "--cache-dir", cache), message.replace("HEAD_SHA", head))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    built = build_world(root / "world")
    return write_config(root / "repos.yaml", built), root / "cache"


@pytest.mark.parametrize(("old", "new"), [("juno", "kilo"), ("1.0.0", "2015.1")])
def test_diff_a_configured_project_by_series_version_or_release_id(world, old, new) -> None:
    config, cache = world
    result = diff("--config", config, "--project", "alpha", "--from", old, "--to", new, "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("alpha Juno (1.0.0) -> Kilo (2.0.0): code lines 242 -> 282 (+40, +16.5%)")
    assert table_rows(result.stdout) == [
        ["alpha", "+40", "", "", "+40", "", "", "", "0"],  # alpha/new.py: module(99, 20), 40 code lines
        ["all directories", "+40", "", "", "+40", "", "", "", "0"],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--project", "alpha", "--from", "jupiter", "--to", "kilo"],
            "alpha: no release 'jupiter' (by series, version",
        ),
        (["--project", "nope", "--from", "juno", "--to", "kilo"], "--project: no project 'nope' in the config"),
        (["--project", "alpha", "--from", "juno"], "diff: give TARGET FROM TO, or --project with --from and --to"),
        (
            ["--project", "alpha", "--from", "kilo", "--to", "2.0.0"],
            "alpha: 'kilo' and '2.0.0' are both release 2.0.0; nothing to compare",
        ),
    ],
)
def test_diff_a_configured_project_bad_input(world, args, message) -> None:
    config, cache = world
    assert_one_line_error(diff("--config", config, *args, "--cache-dir", cache), message)


def test_run_writes_changes_and_the_report_shows_them(world, tmp_path) -> None:
    from click.testing import CliRunner

    from loccount.cli import main
    from loccount.report.outputs import CHANGES_CSV, TEXT_COLUMNS, load_changes, read_csv
    from loccount.tables.changes import CHANGE_TEXT_COLUMNS

    config, cache = world
    output = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", "--config", str(config), "--cache-dir", str(cache), "--output", str(output), "--no-images"]
    )
    assert result.exit_code == 0, result.output
    tidy = read_csv(output / "tidy.csv", TEXT_COLUMNS)
    written = read_csv(output / CHANGES_CSV, CHANGE_TEXT_COLUMNS)
    assert rows(written[written["project"] == "alpha"]) == [
        ("alpha/new.py", None, "added", "non-test", None, "non-test", "analyzed", 0, 40, 40, 0, 80, 80)
    ]
    # beta's two files were edited without changing their counts
    assert written.loc[written["project"] == "beta", ["change", "code_delta"]].values.tolist() == [["modified", 0]] * 2
    assert reconcile(tidy, written)["ok"].all()
    index, alpha = (output / name for name in ("index.html", "project-alpha.html"))
    assert "Biggest movers" in index.read_text() and 'id="changes"' in alpha.read_text()
    assert "changes.csv" in index.read_text()  # among the downloads
    assert load_changes(output).equals(written)  # what `loccount report` gives the pages
    (output / CHANGES_CSV).unlink()  # a run from before changes were written
    assert load_changes(output) is None
    rebuilt = CliRunner().invoke(main, ["report", "--config", str(config), "--output", str(output), "--no-images"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Biggest movers" not in index.read_text() and 'id="changes"' not in alpha.read_text()


def test_count_writes_changes_too_and_one_release_has_none(demo, tmp_path) -> None:
    from click.testing import CliRunner

    from loccount.cli import main
    from loccount.tables.changes import CHANGE_COLUMNS

    path, cache = demo
    out = tmp_path / "changes.csv"
    args = ["count", str(path), "--tag", "1.0", "--tag", "1.1", "--cache-dir", str(cache), "--changes", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert len(pd.read_csv(out)) == len(EXPECTED_ROWS)
    single = count_repository(str(path), tags=["1.1"], options=RunOptions(cache_dir=cache), with_changes=True)
    assert single.changes.empty and list(single.changes.columns) == CHANGE_COLUMNS
