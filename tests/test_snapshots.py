"""Dated snapshots: calendar periods, the commit each is counted at, and one-line errors."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from loccount import count_repository
from loccount.cli import main
from loccount.counting.engine import EngineOptions
from loccount.errors import ConfigError, ReleaseError
from loccount.gitio.mirror import open_local
from loccount.options import RunOptions
from loccount.releases.snapshots import periods, resolve_snapshots
from tests.gitrepo import git


def test_periods_cover_since_to_until_with_calendar_labels() -> None:
    months = periods("month", date(2012, 11, 15), date(2013, 2, 1))
    assert [p.label for p in months] == ["2012-11", "2012-12", "2013-01", "2013-02"]
    assert months[1].after.isoformat() == "2013-01-01T00:00:00+00:00"  # December ends at the new year
    assert [p.label for p in periods("quarter", date(2012, 2, 1), date(2012, 12, 31))] == [
        "2012-Q1",
        "2012-Q2",
        "2012-Q3",
        "2012-Q4",
    ]
    assert [p.label for p in periods("year", date(2010, 6, 1), date(2012, 1, 1))] == ["2010", "2011", "2012"]
    with pytest.raises(ConfigError, match=r"--since 2013-01-01 is after --until 2012-01-01"):
        periods("month", date(2013, 1, 1), date(2012, 1, 1))
    with pytest.raises(ConfigError, match=r"--every: 'fortnight' is not one of month, quarter, year"):
        periods("fortnight", date(2013, 1, 1), date(2013, 2, 1))


@pytest.fixture
def history(make_repo):
    """main: Jan 10, Jan 20, (nothing in Feb), Mar 5; a side branch with a Mar 20 commit merged Apr 2."""
    builder = make_repo("snap")
    commits = {
        "jan10": builder.release(None, {"a.py": "a = 1\n"}, date="2020-01-10T12:00:00+00:00"),
        "jan20": builder.release(
            None, {"a.py": "a = 2\n", "tests/test_a.py": "x = 1\n"}, date="2020-01-20T12:00:00+00:00"
        ),
        "mar05": builder.release(None, {"a.py": "a = 3\nb = 3\n"}, date="2020-03-05T12:00:00+00:00"),
    }
    git(builder.path, "checkout", "-q", "-b", "side")
    (builder.path / "side.py").write_text("s = 1\n")
    git(builder.path, "add", "side.py")
    git(builder.path, "commit", "-qm", "side", date="2020-03-20T12:00:00+00:00")
    commits["side"] = git(builder.path, "rev-parse", "HEAD")
    git(builder.path, "checkout", "-q", "main")
    git(builder.path, "merge", "-q", "--no-ff", "-m", "merge side", "side", date="2020-04-02T12:00:00+00:00")
    commits["merge"] = git(builder.path, "rev-parse", "HEAD")
    return builder.path, commits


def test_each_period_is_counted_at_its_last_first_parent_commit(history) -> None:
    path, commits = history
    notes: list[str] = []
    found = resolve_snapshots(
        open_local(str(path)), "p", "month", since=date(2019, 12, 1), until=date(2020, 4, 30), notes=notes
    )
    assert [(r.version, r.commit) for r in found] == [
        ("2020-01", commits["jan20"]),  # the month's last commit, not its first
        ("2020-03", commits["mar05"]),  # the side branch's Mar 20 commit is not on main's first-parent line
        ("2020-04", commits["merge"]),
    ]
    assert {r.rule for r in found} == {"snapshot"}
    assert found[0].date.isoformat() == "2020-01-20T12:00:00+00:00"
    assert "p: 2019-12 skipped: no commit on 'main' yet by the end of the period" in notes
    assert "p: nothing landed on 'main' in 2020-02; counted once with the period before" in notes


def test_errors_name_what_is_wrong(history) -> None:
    repo = open_local(str(history[0]))
    with pytest.raises(ReleaseError, match=r"no branch 'mian'; did you mean main\?"):
        resolve_snapshots(repo, "p", "month", branch="mian")
    with pytest.raises(ReleaseError, match=r"no commit on 'main' on or before the end of any period from 2018 to 2019"):
        resolve_snapshots(repo, "p", "year", since=date(2018, 1, 1), until=date(2019, 6, 1))


def test_a_snapshot_counts_exactly_like_its_commit(history, cache_dir) -> None:
    path, commits = history
    options = RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    snapshots = count_repository(
        str(path), every="quarter", since=date(2020, 1, 1), until=date(2020, 6, 30), options=options
    )
    direct = count_repository(str(path), [commits["mar05"]], options=options)
    q1 = snapshots.tidy[snapshots.tidy["version"] == "2020-Q1"].reset_index(drop=True)
    by_commit = direct.tidy.reset_index(drop=True)
    figures = ["category", "files", "code", "documentation", "empty", "string", "lines", "commit"]
    assert q1[figures].equals(by_commit[figures])
    assert list(snapshots.tidy.drop_duplicates("version")["version"]) == ["2020-Q1", "2020-Q2"]
    assert snapshots.provenance.release_order == {"snap": "date"}


def one_line_error(result, fragment: str) -> None:
    assert result.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("loccount: error: "), result.stderr
    assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--every", "fortnight"], "Invalid value for '--every': 'fortnight' is not one of 'month', 'quarter', 'year'"),
        (
            ["--every", "month", "--since", "2021-01-01", "--until", "2020-01-01"],
            "--since 2021-01-01 is after --until 2020-01-01",
        ),
        (["--every", "month", "--branch", "nope"], "no branch 'nope'"),
        (
            ["--every", "year", "--since", "2015-01-01", "--until", "2016-01-01"],
            "no commit on 'main' on or before the end of any period",
        ),
        (["--every", "month", "--since", "2020-13-01"], "Invalid value for '--since'"),
    ],
)
def test_bad_snapshot_options_get_one_line(history, tmp_path, args, fragment) -> None:
    result = CliRunner().invoke(main, ["count", str(history[0]), "--cache-dir", str(tmp_path), *args])
    one_line_error(result, fragment)


def test_the_last_year_python_can_represent_is_a_period_like_any_other(make_repo, tmp_path) -> None:
    """December 9999 has no next month in Python's dates: its period runs to the end of time."""
    from datetime import UTC, date, datetime

    from loccount.releases.snapshots import periods
    from tests.cli_helpers import invoke

    last = periods("year", date(9998, 6, 1), date(9999, 12, 31))
    assert [(p.label, p.after) for p in last] == [
        ("9998", datetime(9999, 1, 1, tzinfo=UTC)),
        ("9999", datetime.max.replace(tzinfo=UTC)),
    ]
    assert periods("month", date(9999, 12, 1), date(9999, 12, 31))[-1].after == datetime.max.replace(tzinfo=UTC)
    builder = make_repo("far")
    builder.release("1.0", {"a.py": "x = 1\n"})
    result = invoke("count", builder.path, "--every", "year", "--until", "9999-12-31", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
