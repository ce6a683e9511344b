"""Output paths: regular files are replaced atomically, anything else is written through, and a
path that cannot be written is one line, before counting where that can be known."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from loccount.cli import main
from loccount.counting.cache import DB_NAME
from loccount.errors import OutputError
from loccount.report.atomic import write_text
from tests.fixtures_data import RELEASE_1_0
from tests.namespaces import loccount_with_mounts, read_only, require_private_mounts

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="making device nodes (mknod) needs root")


def test_a_regular_file_is_replaced_and_a_symlink_stays_a_link(tmp_path) -> None:
    target, link = tmp_path / "target.csv", tmp_path / "link.csv"
    target.write_text("old\n")
    link.symlink_to(target)
    write_text(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    write_text(target, "newer\n")
    assert target.read_text() == "newer\n" and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_link_to_this_process_descriptor_writes_through_it_in_order(tmp_path) -> None:
    """``--csv /dev/stdout`` with stdout redirected to a file: what came before stays, what comes after follows."""
    log = tmp_path / "stdout.txt"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{fd}")
        os.write(fd, b"table\n")
        write_text(link, "a,b\n")
        os.write(fd, b"after\n")
    finally:
        os.close(fd)
    assert log.read_text() == "table\na,b\nafter\n"
    assert link.is_symlink()


def test_a_fifo_is_written_through_not_replaced(tmp_path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_text(fifo, "a,b\n")
    reader.join(10)
    assert received == ["a,b\n"] and stat.S_ISFIFO(fifo.lstat().st_mode)


@as_root
def test_device_nodes_are_written_through_not_replaced(tmp_path) -> None:
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    write_text(null, "a,b\n")
    with pytest.raises(OutputError, match=f"cannot write {full}: No space left on device"):
        write_text(full, "a,b\n")
    assert stat.S_ISCHR(null.lstat().st_mode) and stat.S_ISCHR(full.lstat().st_mode)


def test_a_directory_is_not_an_output_file(tmp_path) -> None:
    with pytest.raises(OutputError, match="it is a directory"):
        write_text(tmp_path, "x\n")


@pytest.fixture
def repo(make_repo):
    builder = make_repo("demo")
    builder.release("1.0", RELEASE_1_0)
    return builder.path


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("command", "option", "name"),
    [
        ("count", "--csv", "x.csv"),
        ("count", "--by-file", "x.csv"),
        ("count", "--changes", "x.csv"),
        ("count", "--report", "sub"),
        ("diff", "--csv", "x.csv"),
    ],
)
def test_an_output_under_a_regular_file_fails_before_counting(repo, tmp_path, command, option, name) -> None:
    (tmp_path / "f").write_text("")
    releases = ["--tag", "1.0"] if command == "count" else ["1.0", "1.1"]
    result = invoke(command, repo, *releases, option, tmp_path / "f" / name, "--cache-dir", tmp_path / "c")
    assert (
        one_line(result)
        == f"loccount: error: cannot write {tmp_path / 'f' / name}: {tmp_path / 'f'} is not a directory"
    )
    assert not (tmp_path / "c").exists()  # nothing was counted


def test_a_directory_where_plotly_js_goes_is_one_line_and_an_old_ones_name_is_left_alone(repo, tmp_path) -> None:
    from loccount.report.outputs import plotly_js_name

    report = tmp_path / "report"
    (report / "plotly-1.0.min.js").mkdir(parents=True)  # not a file loccount wrote: kept
    result = invoke("count", repo, "--tag", "1.0", "--report", report, "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert (report / "plotly-1.0.min.js").is_dir() and (report / plotly_js_name()).is_file()
    (report / plotly_js_name()).unlink()
    (report / plotly_js_name()).mkdir()
    result = invoke("count", repo, "--tag", "1.0", "--report", report, "--cache-dir", tmp_path / "c")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == (
        f"loccount: error: cannot write {report / plotly_js_name()}: a directory of that name is in the way"
    )


def test_a_run_output_under_a_regular_file_fails_before_counting(tmp_path) -> None:
    from tests.world import build_world, write_config

    config = write_config(tmp_path / "repos.yaml", build_world(tmp_path / "world"))
    (tmp_path / "f").write_text("")
    result = invoke("run", "--config", config, "--output", tmp_path / "f" / "out", "--cache-dir", tmp_path / "c")
    assert (
        one_line(result)
        == f"loccount: error: cannot write {tmp_path / 'f' / 'out'}: {tmp_path / 'f'} is not a directory"
    )
    assert not (tmp_path / "c").exists()


def test_a_missing_output_directory_is_made(repo, tmp_path) -> None:
    result = invoke(
        "count", repo, "--tag", "1.0", "--csv", tmp_path / "a" / "b" / "x.csv", "--cache-dir", tmp_path / "c"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "b" / "x.csv").read_text().startswith("project,")


def test_a_cache_dir_under_a_regular_file_is_one_line(repo, tmp_path) -> None:
    (tmp_path / "f").write_text("")
    line = one_line(invoke("count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "f" / "c"))
    assert line == f"loccount: error: {tmp_path / 'f' / 'c'}: cannot create the cache directory: Not a directory"


@pytest.mark.parametrize("url", ["ssh://[::1", "ssh://[::1]:99999/x", "ssh://u@[::1"])
def test_odd_urls_are_one_line(tmp_path, url) -> None:
    assert one_line(invoke("count", url, "--tag", "1", "--cache-dir", tmp_path)).startswith(
        "loccount: error: repository URL 'ssh://"
    )


@as_root
def test_a_write_that_fails_after_counting_is_one_line_and_the_counts_stay_cached(repo, tmp_path) -> None:
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    args = ["count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c"]
    result = invoke(*args, "--by-file", full)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"loccount: error: cannot write {full}: No space left on device"
    assert "Traceback" not in result.output
    assert "0 cached, 0 to count" not in result.stderr and " 0 to count" in invoke(*args).stderr


@pytest.mark.slow
def test_a_read_only_directory_fails_before_counting(repo, tmp_path) -> None:
    require_private_mounts()
    locked = tmp_path / "locked"
    locked.mkdir()
    for option in ("--csv", "--by-file"):
        done = loccount_with_mounts(
            [read_only(locked)], "count", repo, "--tag", "1.0", option, locked / "x.csv", "--cache-dir", tmp_path / "c"
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines() == [
            f"loccount: error: cannot write {locked / 'x.csv'}: {locked} is not writable"
        ]
    assert not (tmp_path / "c" / DB_NAME).exists()
    assert Path(locked).is_dir() and not list(locked.iterdir())


def test_headline_images_follow_a_symlink_too(tmp_path, monkeypatch) -> None:
    from loccount.report import pages as report_module
    from loccount.report.outputs import write_report
    from tests.report_data import PROVENANCE, areas, tidy

    def fake_render(_figure, targets, _provenance=None) -> None:
        for target in targets:
            Path(target).write_bytes(b"image " + Path(target).suffix.encode())

    monkeypatch.setattr(report_module, "render_images", fake_render)
    output = tmp_path / "reports"
    output.mkdir()
    kept = tmp_path / "slides" / "headline.png"
    kept.parent.mkdir()
    kept.write_bytes(b"old")
    (output / "headline.png").symlink_to(kept)
    write_report(tidy(), areas(), PROVENANCE, output, images=True, say=lambda _m: None)
    assert (output / "headline.png").is_symlink() and kept.read_bytes() == b"image .png"
    assert (output / "headline.svg").read_bytes() == b"image .svg"
    assert not [p for p in [*output.iterdir(), *kept.parent.iterdir()] if p.name.startswith(".")]


def test_images_kaleido_returned_without_writing_are_skipped_with_a_note(tmp_path, monkeypatch) -> None:
    """kaleido has been seen to return under load without writing a file: asked twice, then a note."""
    from loccount.report import pages
    from loccount.report.outputs import write_report
    from tests.report_data import PROVENANCE, areas, tidy

    calls: list[int] = []
    monkeypatch.setattr(pages, "render_images", lambda figure, targets, provenance=None: calls.append(len(targets)))
    messages: list[str] = []
    written = write_report(tidy(), areas(), PROVENANCE, tmp_path, images=True, say=messages.append)
    assert calls == [2, 2]
    assert messages == ["static images skipped: kaleido returned without writing headline.png, headline.svg"]
    assert not [path for path in written if path.suffix in (".png", ".svg")]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporaries left


def test_header_cells_are_neutralised_like_every_other_cell(tmp_path) -> None:
    """wide.csv has a column per project: a project named like a formula must not become one."""
    import pandas as pd

    from loccount.report.outputs import csv_text

    frame = pd.DataFrame({"series": ["juno"], "=SUM(1+1) non-test": [3], "+cmd test": [1], "nova test": [2]})
    header = csv_text(frame).splitlines()[0]
    assert header == "series,'=SUM(1+1) non-test,'+cmd test,nova test"


def test_a_cell_that_starts_with_a_quote_reads_back_as_it_was(tmp_path) -> None:
    import pandas as pd

    from loccount.report.outputs import read_csv, write_csv

    paths = ["'=x.py", "'plain.py", "=y.py", "pkg/ok.py"]
    write_csv(pd.DataFrame({"path": paths}), tmp_path / "t.csv")
    assert read_csv(tmp_path / "t.csv", ["path"])["path"].tolist() == paths


def test_a_chain_of_too_many_symlinks_is_one_line_and_no_link_is_replaced(tmp_path) -> None:
    from loccount.report.atomic import _MAX_LINKS

    target = tmp_path / "target.csv"
    links = [tmp_path / f"link{n}" for n in range(_MAX_LINKS + 5)]
    for here, there in zip(links, [*links[1:], target], strict=True):
        here.symlink_to(there.name)
    with pytest.raises(OutputError, match=f"more than {_MAX_LINKS} symbolic links to follow"):
        write_text(links[0], "x\n")
    assert all(link.is_symlink() for link in links) and not target.exists()


def test_a_report_directory_keeps_the_changes_gzipped_reproducibly(repo, tmp_path) -> None:
    """changes.csv alone was 16 MB of the showcase's 23: gzipped it is 1.9 MB, and the same
    bytes on every run (no time stamp), so a committed report does not churn."""
    import gzip

    from loccount.report.outputs import CHANGES_CSV, LEGACY_CHANGES_CSV, load_changes

    report = tmp_path / "report"
    report.mkdir()
    (report / LEGACY_CHANGES_CSV).write_text("an older run's\n")
    args = ["count", repo, "--tag", "1.0", "--cache-dir", tmp_path / "c", "--report", report]
    assert invoke(*args).exit_code == 0
    first = (report / CHANGES_CSV).read_bytes()
    assert gzip.decompress(first).decode().startswith("project,from_series,from_release,to_series,to_release,path")
    assert not (report / LEGACY_CHANGES_CSV).exists()  # one changes table, not two
    assert invoke(*args).exit_code == 0
    assert (report / CHANGES_CSV).read_bytes() == first
    assert load_changes(report) is not None and 'href="changes.csv.gz"' in (report / "index.html").read_text()
