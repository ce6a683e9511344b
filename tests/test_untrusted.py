"""Hostile repository contents: odd blobs and names are counted or recorded, never crash or escape."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from loccount import count_repository
from loccount.cli import main
from loccount.counting import engine as engine_module
from loccount.counting.engine import EngineOptions
from loccount.options import RunOptions
from loccount.report.outputs import neutralize, restore, safe_for_spreadsheets
from tests.gitrepo import git


def add_blob(repo, path: str, data: bytes) -> None:
    sha = git(repo, "hash-object", "-w", "--stdin", input=data)
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{sha},{path}")


@pytest.fixture
def hostile(make_repo):
    builder = make_repo("hostile")
    builder.release(None, {"ok.py": "x = 1\n"})
    repo = builder.path
    add_blob(repo, "nul.py", b"x = 1\n\0\0\0\n")
    add_blob(repo, "invalid_utf8.py", b"# coding: utf-8\nx = '\xff\xfe'\n")
    add_blob(repo, "cp1252.py", b"x = '\xe9'\n")
    add_blob(repo, "huge.py", b"x = '" + b"a" * (50 * 1024 * 1024) + b"'\n")
    add_blob(repo, "x" * 300 + ".py", b"y = 2\n")
    add_blob(repo, "caf\xe9.py".encode("latin-1").decode("utf-8", "surrogateescape"), b"z = 3\n")
    add_blob(repo, "=HYPERLINK(1).py", b"w = 4\n")
    add_blob(repo, "line\nbreak.py", b"v = 5\n")
    git(repo, "commit", "-q", "-m", "hostile", date="2020-02-01T00:00:00+00:00")
    git(repo, "tag", "bad")
    return repo


def test_every_hostile_file_is_counted_or_recorded(hostile, cache_dir, monkeypatch) -> None:
    read = []
    original = engine_module.read_blob
    monkeypatch.setattr(engine_module, "read_blob", lambda repo, sha: read.append(sha) or original(repo, sha))
    result = count_repository(
        str(hostile), ["bad"], options=RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    )
    states = dict(zip(result.files["path"], result.files["state"], strict=True))
    assert states["ok.py"] == "analyzed"
    assert states["nul.py"] == "binary"
    assert states["invalid_utf8.py"] == "error"
    assert states["cp1252.py"] == "analyzed"
    assert states["huge.py"] == "huge"
    assert states["x" * 300 + ".py"] == "error"
    assert states["caf\\xe9.py"] == "analyzed"
    assert states["=HYPERLINK(1).py"] == "analyzed"
    assert states["line\nbreak.py"] == "analyzed"
    info = dict(zip(result.files["path"], result.files["state_info"], strict=True))
    assert "File name too long" in info["x" * 300 + ".py"]
    assert "over the 20971520-byte cap" in info["huge.py"]
    huge_sha = result.files.loc[result.files["path"] == "huge.py", "sha"].item()
    assert huge_sha not in read  # never read into memory
    assert result.tidy["files"].sum() == 9


def test_cap_is_configurable_and_outputs_are_spreadsheet_safe(hostile, tmp_path) -> None:
    files = tmp_path / "files.csv"
    runner = CliRunner()
    args = ["count", str(hostile), "--tag", "bad", "--max-blob-bytes", "8", "--cache-dir", str(tmp_path / "c")]
    result = runner.invoke(main, [*args, "--by-file", str(files)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(files, keep_default_na=False)
    huge = set(table.loc[table["state"] == "huge", "path"])
    assert huge == {"nul.py", "invalid_utf8.py", "huge.py"}  # every blob over 8 bytes
    assert "'=HYPERLINK(1).py" in set(table["path"])
    assert "caf\\xe9.py" in set(table["path"])


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_cells_are_neutralized_and_restored(text: str) -> None:
    assert neutralize(text) == "'" + text
    assert restore(neutralize(text)) == text
    frame = safe_for_spreadsheets(pd.DataFrame({"a": [text], "n": [-1]}))
    assert frame["a"].item() == "'" + text and frame["n"].item() == -1


@pytest.mark.parametrize("text", ["nova", "2014.2", "a=b", "'quoted"])
def test_ordinary_cells_stay_as_they_are(text: str) -> None:
    assert neutralize(text) == text == restore(text)


def test_repository_text_never_reaches_the_terminal_as_control_characters(make_repo, tmp_path) -> None:
    """A directory, file or tag holding ESC sequences (clear the screen, move the cursor) or a
    bidirectional override is printed escaped, in tables, notes and the diff's words alike."""
    from tests.cli_helpers import invoke

    clear, override = "\x1b[2J", "\u202e"
    builder = make_repo("escapes")
    builder.release("v1", {f"evil{clear}dir/a.py": "x = 1\n", "ok/b.py": "y = 1\n"})
    builder.release(f"v2{override}", {f"evil{clear}dir/a.py": "x = 1\ny = 2\n", "ok/b.py": "y = 1\n"})
    for args in (
        ["count", builder.path, "--tag", "v1", "--tag", f"v2{override}"],
        ["diff", builder.path, "v1", f"v2{override}"],
    ):
        result = invoke(*args, "--cache-dir", tmp_path / "c")
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and override not in result.output
    assert "evil\\x1b[2Jdir" in result.stdout
    assert "v2\\u202e" in result.stdout
