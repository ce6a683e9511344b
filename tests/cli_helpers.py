"""Running the ``loccount`` command in-process and reading what it printed: shared by the CLI tests."""

from __future__ import annotations

from click.testing import CliRunner, Result

from loccount.cli import main


def invoke(*args: object, catch_exceptions: bool = False) -> Result:
    """``loccount ARGS...`` through click's runner; stdout and stderr apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch_exceptions)


def table_rows(output: str) -> list[list[str]]:
    """The body rows of the rich tables in ``output``, cell by cell."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """Exit status 1 and one line on stderr, ``loccount: error: ...`` holding every fragment; no traceback."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # and no empty line before it
    assert lines[0].startswith("loccount: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
