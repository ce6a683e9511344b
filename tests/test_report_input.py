"""`loccount report` on edited or truncated tables: one line naming the file, column and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from loccount.cli import main
from loccount.report.atomic import write_text
from loccount.report.outputs import write_csv
from tests.report_data import PROVENANCE, areas, changes, tidy


@pytest.fixture
def output(tmp_path) -> Path:
    folder = tmp_path / "reports"
    write_csv(tidy(), folder / "tidy.csv")
    write_csv(areas(), folder / "areas.csv")
    write_csv(changes(), folder / "changes.csv")
    write_text(folder / "provenance.json", PROVENANCE.to_json())
    return folder


def report(output: Path):
    return CliRunner().invoke(main, ["report", "--output", str(output), "--no-images"])


def edit_line(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV by header name (``line`` counts the header as 1)."""
    lines = path.read_text().splitlines()
    index = lines[0].split(",").index(column)
    cells = lines[line - 1].split(",")
    cells[index] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def truncate(path: Path, line: int, keep: int) -> None:
    """Cut the file ``keep`` characters into ``line``, as a killed copy would."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: line - 1]) + lines[line - 1][:keep])


def drop_column(path: Path, column: str) -> None:
    lines = [line.split(",") for line in path.read_text().splitlines()]
    index = lines[0].index(column)
    path.write_text("\n".join(",".join(cells[:index] + cells[index + 1 :]) for cells in lines) + "\n")


def test_sound_tables_make_a_report(output) -> None:
    result = report(output)
    assert result.exit_code == 0, result.output
    assert (output / "index.html").exists()


EDITS = [
    (lambda o: (o / "provenance.json").write_text("[]"), "provenance.json: (top level): Input should be"),
    (lambda o: drop_column(o / "tidy.csv", "code"), "tidy.csv: no column 'code'; run `loccount run`"),
    (lambda o: drop_column(o / "areas.csv", "area"), "areas.csv: no column 'area'"),
    (
        lambda o: edit_line(o / "tidy.csv", 3, "code", "abc"),
        "tidy.csv: line 3: column 'code': 'abc' is not a whole number",
    ),
    (
        lambda o: edit_line(o / "tidy.csv", 4, "lines", "1.5"),
        "tidy.csv: line 4: column 'lines': '1.5' is not a whole number",
    ),
    (lambda o: edit_line(o / "tidy.csv", 2, "files", ""), "tidy.csv: line 2: column 'files': '' is not a whole number"),
    (
        lambda o: edit_line(o / "tidy.csv", 2, "code_share", "most"),
        "tidy.csv: line 2: column 'code_share': 'most' is not a number",
    ),
    (
        lambda o: edit_line(o / "tidy.csv", 5, "date", "yesterday"),
        "tidy.csv: line 5: column 'date': 'yesterday' is not a date",
    ),
    (
        lambda o: edit_line(o / "tidy.csv", 2, "series_date", "2014-13-01"),
        "tidy.csv: line 2: column 'series_date': '2014-13-01' is not a date",
    ),
    (
        lambda o: edit_line(o / "tidy.csv", 2, "category", "tests"),
        "tidy.csv: line 2: column 'category': 'tests' is not test, non-test or vendored",
    ),
    (lambda o: edit_line(o / "tidy.csv", 3, "project", ""), "tidy.csv: line 3: column 'project' is empty"),
    (
        lambda o: edit_line(o / "tidy.csv", 3, "category", "non-test"),
        "tidy.csv: line 2: release nova 2014.1.0 needs one test and one non-test row, and has non-test, non-test",
    ),
    (
        lambda o: edit_line(o / "areas.csv", 2, "code", "-3"),
        "areas.csv: line 2: column 'code': '-3' is not a whole number",
    ),
    (lambda o: (o / "tidy.csv").write_text((o / "tidy.csv").read_text().splitlines()[0] + "\n"), "tidy.csv: no rows"),
    (lambda o: (o / "tidy.csv").write_text(""), "cannot read the previous run's tables: No columns to parse from file"),
    (lambda o: truncate(o / "tidy.csv", line=4, keep=40), "tidy.csv: line 4: column 'commit' is empty"),
    # a line count past int64 wrapped around to a negative number on the page
    (
        lambda o: edit_line(o / "tidy.csv", 2, "code", "1e30"),
        "tidy.csv: line 2: column 'code': '1e+30' is not a whole number from 0 to 1,000,000,000,000,000",
    ),
    # changes.csv is checked like tidy.csv
    (
        lambda o: edit_line(o / "changes.csv", 2, "code_delta", "abc"),
        "changes.csv: line 2: column 'code_delta': 'abc' is not a whole number",
    ),
    (
        lambda o: edit_line(o / "changes.csv", 2, "code_before", ""),
        "changes.csv: line 2: column 'code_before': '' is not a whole number",
    ),
    (lambda o: edit_line(o / "changes.csv", 2, "path", ""), "changes.csv: line 2: column 'path' is empty"),
    (lambda o: drop_column(o / "changes.csv", "path"), "changes.csv: not a loccount table of changes (no path column)"),
    (
        lambda o: drop_column(o / "changes.csv", "old_category"),
        "changes.csv: not a loccount table of changes (no old_category column)",
    ),
    (
        lambda o: drop_column(o / "changes.csv", "code_before"),
        "changes.csv: not a loccount table of changes (no code_before column)",
    ),
    (
        lambda o: edit_line(o / "changes.csv", 2, "change", "renamed"),
        "changes.csv: line 2: column 'change': 'renamed' is not one of added, removed",
    ),
    (
        lambda o: edit_line(o / "changes.csv", 2, "new_category", "tests"),
        "changes.csv: line 2: column 'new_category': 'tests' is not test, non-test or vendored",
    ),
    # JSON nested deeper than Python's stack
    (
        lambda o: (o / "provenance.json").write_text("[" * 100_000 + "]" * 100_000),
        "cannot read the previous run's tables: maximum recursion depth exceeded",
    ),
]


@pytest.mark.parametrize(("edit", "message"), EDITS)
def test_an_edited_table_is_one_line(output, edit, message) -> None:
    edit(output)
    result = report(output)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("loccount: error: "), (result.stderr, repr(result.exception))
    assert message in lines[0]
    assert not (output / "index.html").exists()
