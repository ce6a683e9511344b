"""The yardstick: what the ``pygount`` command line prints for files, with its default options.

Not loccount's own call of pygount's API (whose default ``fallback_encoding="cp1252"`` once
turned valid UTF-8 into errors on both sides of a comparison): pygount's command, run on a
directory. It counts duplicates (``--duplicates``: loccount counts every path) and skips
nothing (its default skips hidden files and folders, which loccount counts too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pygount.command import pygount_command

from loccount.counting.filecount import FileCount

#: Options that differ from the command's defaults: JSON out, duplicates counted, nothing skipped.
OPTIONS = ["--format=json", "--duplicates", "--folders-to-skip=[regex]^$", "--names-to-skip=[regex]^$"]


def _parse(output: str, root: Path) -> dict[str, FileCount]:
    files = {}
    for entry in json.loads(output)["files"]:
        path = Path(entry["path"])
        relative = (path if path.is_absolute() else Path.cwd() / path).relative_to(root).as_posix()
        state = entry["state"]
        files[relative] = FileCount(
            state=state,
            language=entry["language"],
            code=entry["codeCount"],
            documentation=entry["documentationCount"],
            empty=entry["emptyCount"],
            string=entry["sourceCount"] - entry["codeCount"],  # its JSON gives code + string, not string
            state_info=entry["stateInfo"],
        )
    return files


def pygount_files(root: Path) -> dict[str, FileCount]:
    """Every file under ``root`` as the ``pygount`` executable counts it, by path relative to ``root``."""
    command = [str(Path(sys.executable).with_name("pygount")), *OPTIONS, str(root)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, encoding="utf-8")
    return _parse(done.stdout, root.resolve())


def pygount_file(path: Path) -> FileCount:
    """One file as pygount's command line counts it: its own command code, run in this process (faster
    than a process per example, for property tests), on a directory holding only that file."""
    output = path.parent / f"{path.name}.pygount.json"
    previous = os.getcwd()
    try:
        os.chdir(path.parent)  # pygount_command logs, never raises; the JSON file is its answer
        if pygount_command([*OPTIONS, f"--out={output}", path.name]) != 0:
            raise RuntimeError(f"pygount failed on {path}")
        files = _parse(output.read_text(encoding="utf-8"), path.parent.resolve())
    finally:
        os.chdir(previous)
        output.unlink(missing_ok=True)
    return files[path.name]


def comparable(counted: FileCount) -> tuple[str, int, int, int, int]:
    """What the command line prints of a file: its state and four counts (its language and reason
    are spelled by pygount's writer, not by the analysis)."""
    return (counted.state, counted.code, counted.documentation, counted.empty, counted.string)
