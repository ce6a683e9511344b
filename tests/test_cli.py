"""The command line through click's CliRunner: exit codes, output, one-line errors."""

from __future__ import annotations

import os
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from loccount.cli import main
from loccount.counting.cache import DB_NAME
from tests.cli_helpers import assert_one_line_error, invoke, table_rows
from tests.fixtures_data import RELEASE_1_0, RELEASE_1_1


@pytest.fixture
def repo(make_repo):
    builder = make_repo("demo")
    builder.release("1.0", RELEASE_1_0)
    builder.release("1.1", RELEASE_1_1)
    return builder.path


def test_count_prints_the_table_and_writes_csvs(repo, tmp_path) -> None:
    tidy, files = tmp_path / "out" / "tidy.csv", tmp_path / "files.csv"
    result = invoke(
        "count", repo, "--tag", "1.0", "--tag", "1.1", "--cache-dir", tmp_path / "c", "--csv", tidy, "--by-file", files
    )
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        ["demo", "1.0", "test", "2", "2", "1", "0", "0", "3", ""],
        ["", "", "non-test", "3", "4", "1", "1", "3", "9", ""],
        ["", "", "total", "5", "6", "2", "1", "3", "12", "33.3%"],
        ["demo", "1.1", "test", "3", "4", "2", "0", "0", "6", ""],
        ["", "", "non-test", "6", "6", "2", "2", "3", "13", ""],
        ["", "", "total", "9", "10", "4", "2", "3", "19", "40.0%"],
    ]  # the hand-derived EXPECTED figures of fixtures_data, with totals and the test share of code
    from importlib.metadata import version

    footer = f"pygount {version('pygount')}; test rule default (README: Test or non-test), languages Python"
    assert " ".join(result.stdout.split()).endswith(footer)  # the line under the table, however it wraps
    table = pd.read_csv(tidy)
    assert len(table) == 4 and set(table["category"]) == {"test", "non-test"}
    assert table.loc[(table["tag"] == 1.1) & (table["category"] == "non-test"), "lines"].item() == 13
    per_file = pd.read_csv(files)
    assert set(per_file["state"]) == {"analyzed", "empty", "generated", "binary", "symlink", "submodule"}
    assert "distinct blobs" in result.stderr


def test_second_run_uses_the_cache(repo, tmp_path) -> None:
    invoke("count", repo, "--tag", "1.1", "--cache-dir", tmp_path / "c")
    result = invoke("count", repo, "--tag", "1.1", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0
    assert "0 to count" in result.stderr


def test_a_fresh_cache_does_not_call_files_over_the_cap_cached(repo, tmp_path) -> None:
    result = invoke("count", repo, "--tag", "1.0", "--max-blob-bytes", "45", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "4 distinct blobs: 0 cached, 1 not counted (over the size cap or missing), 3 to count (0.0 MB)"
    )  # test_mod.py (52 bytes) is over the cap; the two empty __init__.py files are one blob


def test_unknown_tag(repo, tmp_path) -> None:
    assert_one_line_error(
        invoke("count", repo, "--tag", "1.2", "--cache-dir", tmp_path), "unknown tag '1.2'", "did you mean"
    )


def test_not_a_repository(tmp_path) -> None:
    assert_one_line_error(
        invoke("count", tmp_path, "--tag", "1.0", "--cache-dir", tmp_path / "c"), "not a git repository"
    )


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/pwned", "fd::3", "--upload-pack=evil"])
def test_unsafe_urls(url, tmp_path) -> None:
    result = CliRunner().invoke(main, ["count", "--cache-dir", str(tmp_path), "--tag", "1", "--", url])
    assert_one_line_error(result, "repository URL")
    assert not (tmp_path / "mirrors").exists()


def test_unreachable_url(tmp_path) -> None:
    result = invoke("count", "file:///nonexistent/nova", "--tag", "1.0", "--cache-dir", tmp_path)
    assert_one_line_error(result, "cannot fetch file:///nonexistent/nova")


def test_no_release_selected_counts_the_tip_of_the_default_branch(repo, tmp_path) -> None:
    result = invoke("count", repo, "--cache-dir", tmp_path)
    assert result.exit_code == 0, result.output
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert f"note: demo: no release selected; counting the tip of main (2020-01-02, {head[:12]})" in result.stderr
    assert table_rows(result.stdout) == [
        ["demo", "main@2020-01-02", "test", "3", "4", "2", "0", "0", "6", ""],
        ["", "", "non-test", "6", "6", "2", "2", "3", "13", ""],
        ["", "", "total", "9", "10", "4", "2", "3", "19", "40.0%"],
    ]  # release 1.1's figures: the tip is its commit


def test_bad_tag_pattern(repo, tmp_path) -> None:
    assert_one_line_error(
        invoke("count", repo, "--tags-matching", "1.(", "--cache-dir", tmp_path), "invalid tag pattern"
    )


def test_damaged_cache(repo, tmp_path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / DB_NAME).write_bytes(b"garbage" * 1000)
    assert_one_line_error(invoke("count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c"), "loccount cache clear")
    cleared = invoke("cache", "clear", "--cache-dir", tmp_path / "c")
    assert cleared.exit_code == 0
    assert invoke("count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c").exit_code == 0


def test_cache_info(repo, tmp_path) -> None:
    invoke("count", repo, "--tag", "1.1", "--cache-dir", tmp_path / "c")
    result = invoke("cache", "info", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0
    from loccount.counting.count import fingerprint

    lines = result.stdout.splitlines()
    assert lines[1].startswith("count database: ") and lines[1].endswith("integrity: ok")
    # 1.1 has 9 files; its two empty __init__.py are one blob under one name: 8 counts
    assert lines[2] == f"  fingerprint {fingerprint()}: 8 blobs (current pygount setup)"
    assert lines[3:] == ["mirrors: 0"]


def test_custom_test_rule_file(repo, tmp_path) -> None:
    rule = tmp_path / "rule.yaml"
    rule.write_text("dirs: [pkg]\n")
    out = tmp_path / "t.csv"
    result = invoke("count", repo, "--tag", "1.0", "--test-rule", rule, "--cache-dir", tmp_path / "c", "--csv", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert table.loc[table["category"] == "non-test", "files"].item() == 1  # only setup.py is left
    assert table["test_rule"].str.startswith("custom-").all()
    bad = tmp_path / "bad.yaml"
    bad.write_text("dirz: [pkg]\n")
    assert_one_line_error(
        invoke("count", repo, "--tag", "1.0", "--test-rule", bad, "--cache-dir", tmp_path), "unknown key 'dirz'"
    )


def test_progress_in_a_log_is_plain_lines() -> None:
    import io

    from rich.console import Console

    from loccount.terminal import BlobProgress

    stream = io.StringIO()
    with BlobProgress(Console(file=stream, width=200), interval=0) as progress:
        progress.start(4, 4000, 6)
        progress.advance(2, 1000)
        progress.advance(2, 3000)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "10 distinct blobs: 6 cached, 4 to count (0.0 MB)"
    # blobs and bytes, each labelled: the share is of the bytes
    assert lines[1].startswith("counted 2/4 blobs, 0.0/0.0 MB (25% of the bytes), ")
    assert lines[2].startswith("counted 4/4 blobs, 0.0/0.0 MB (100% of the bytes), ") and "ETA 0.0 min" in lines[2]


def test_the_eta_is_the_larger_of_the_byte_and_blob_estimates() -> None:
    """Largest blobs first: the byte rate early on promised 2.2 min for a count that took 4.7."""
    import io

    from rich.console import Console

    from loccount.terminal import BlobProgress

    progress = BlobProgress(Console(file=io.StringIO()), interval=3600)
    progress.start(100, 10_000_000, 0)
    progress.advance(10, 5_000_000)  # half the bytes, a tenth of the blobs, in 60 s
    assert progress._eta(60.0) == 540.0  # by blobs: 90 left at 6 s each; by bytes it would say 60 s
    progress.advance(85, 4_900_000)
    assert progress._eta(120.0) == max(100_000 * 120 / 9_900_000, 5 * 120 / 95)


def test_error_text_is_shown_literally_not_as_markup(repo, tmp_path) -> None:
    result = invoke("count", repo, "--tag", "[bold]1.0[/bold]", "--cache-dir", tmp_path)
    assert_one_line_error(result, "unknown tag '[bold]1.0[/bold]'")


def test_cache_info_does_not_list_an_unfinished_clone_as_a_mirror(repo, tmp_path) -> None:
    mirrors = tmp_path / "c" / "mirrors"
    (mirrors / "example.org_nova-0123456789ab.partial-4242").mkdir(parents=True)
    result = invoke("cache", "info", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == [
        "mirrors: 0",
        "unfinished clones: 1 (removed when their repository is next used)",
    ]


def test_a_directory_in_place_of_the_database_is_one_line_for_count_and_clear(repo, tmp_path) -> None:
    (tmp_path / "c" / DB_NAME).mkdir(parents=True)
    assert_one_line_error(invoke("count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c"), "not a file")
    assert_one_line_error(invoke("cache", "clear", "--cache-dir", tmp_path / "c"), "a directory, not loccount's")


def test_the_console_script_tunes_the_collector_for_its_own_process_only(monkeypatch) -> None:
    import gc
    import sys
    from importlib.metadata import entry_points

    from loccount import cli

    (script,) = entry_points(group="console_scripts", name="loccount")
    assert script.value == "loccount.cli:entry"
    calls: list[tuple] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *limits: calls.append(("threshold", limits)))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(("freeze",)))
    monkeypatch.setattr(sys, "argv", ["loccount", "--version"])
    with pytest.raises(SystemExit) as exited:
        cli.entry()
    assert exited.value.code == 0
    assert calls == [("threshold", cli.PROCESS_GC_THRESHOLDS), ("freeze",)]
    calls.clear()
    assert invoke("--version").exit_code == 0
    assert calls == []  # main, run in-process, leaves the collector alone


@pytest.mark.parametrize("command", ["count", "diff"])
def test_a_reader_that_closes_stdout_early_loses_no_file(repo, tmp_path, command: str) -> None:
    """`loccount count ... --csv F | head -1`: the file is written before the table is printed."""
    import sys

    csv = tmp_path / "out.csv"
    args = ["--tag", "1.1"] if command == "count" else ["1.0", "1.1"]
    args += ["--cache-dir", str(tmp_path / "c"), "--csv", str(csv)]
    process = subprocess.Popen(
        [sys.executable, "-m", "loccount.cli", command, str(repo), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before anything is printed
    _, err = process.communicate(timeout=60)
    assert "Traceback" not in err.decode()
    assert pd.read_csv(csv).shape[0] > 0


def test_a_tree_id_is_named_for_what_it_is_not_an_unknown_tag(repo, tmp_path) -> None:
    tree = subprocess.run(["git", "rev-parse", "1.0^{tree}"], cwd=repo, capture_output=True, text=True).stdout.strip()
    result = invoke("diff", repo, "1.0", tree, "--cache-dir", tmp_path / "c")
    assert_one_line_error(result, f"'{tree}' is a tree, not a commit or a tag")


def test_a_closed_stdout_still_writes_the_files(repo, tmp_path) -> None:
    """`loccount count r >&-`: the table goes nowhere, the CSV is written, no traceback."""
    import sys

    tidy = tmp_path / "tidy.csv"
    code = "import sys; sys.argv[0] = 'loccount'; from loccount.cli import entry; entry()"
    args = ["count", str(repo), "--tag", "1.0", "--cache-dir", str(tmp_path / "c"), "--csv", str(tidy)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.DEVNULL,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and tidy.is_file()


def test_bare_loccount_prints_its_help_and_summaries_that_fit() -> None:
    result = invoke()
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: ") and "[OPTIONS] COMMAND [ARGS]..." in result.stdout.splitlines()[0]
    summaries = " ".join(result.stdout.split("Commands:")[1].split())
    assert "..." not in summaries  # no summary is cut off
    for words in (
        "count Count one repository at tags, commits, tag patterns or dated snapshots.",
        "diff Where the change between two releases came from, by directory.",
    ):
        assert words in summaries
    assert "Count code lines, or all lines" in invoke("diff", "--help").stdout


def test_a_pattern_is_shown_as_written(repo, tmp_path) -> None:
    result = invoke("count", repo, "--tags-matching", r"v\d+", "--cache-dir", tmp_path / "c")
    assert_one_line_error(result, r"no tag matches 'v\d+' (of 2 tags)")


def test_report_rebuilds_a_directory_count_wrote_without_a_config(repo, tmp_path, monkeypatch) -> None:
    report = tmp_path / "report"
    assert invoke("count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c", "--report", report).exit_code == 0
    (report / "index.html").unlink()
    monkeypatch.chdir(tmp_path)  # no repos.yaml here
    result = invoke("report", report, "--no-images")
    assert result.exit_code == 0, result.output
    assert (report / "index.html").is_file()
    assert_one_line_error(invoke("report", report, "--output", tmp_path / "x"), "give DIRECTORY or --output, not both")


def test_cache_info_gives_each_mirrors_size(repo, tmp_path) -> None:
    """A mirror of a big repository is a gigabyte: cache info says how much each one takes."""
    assert invoke("count", f"file://{repo}", "--tag", "1.0", "--cache-dir", tmp_path / "c").exit_code == 0
    lines = invoke("cache", "info", "--cache-dir", tmp_path / "c").stdout.splitlines()
    mirrors = tmp_path / "c" / "mirrors"
    (only,) = [path for path in mirrors.iterdir() if path.is_dir()]
    size = sum(p.lstat().st_size for p in only.rglob("*") if p.is_file() and not p.is_symlink())
    assert lines[-2:] == [f"mirrors: 1 ({size / 1e6:,.1f} MB)", f"  {only.name} ({size / 1e6:,.1f} MB)"]
