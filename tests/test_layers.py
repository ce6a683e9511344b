"""The package layout is the pipeline: a stage imports only the stages below it, and the
light stages never load the heavy libraries (checked on the installed code, not by reading it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loccount.counting.fast import fastlex

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: the layers, and what releases, git access,
    the tables and the report may never import."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in done.stdout


def loaded(modules: list[str], watched: set[str]) -> list[str]:
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint(sorted({watched!r} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(done.stdout)  # noqa: S307 - a list of module names this test printed itself


@pytest.mark.parametrize(
    ("modules", "never"),
    [
        (
            [
                "loccount.releases.tags",
                "loccount.releases.order",
                "loccount.releases.snapshots",
                "loccount.releases.release_data",
                "loccount.gitio.mirror",
                "loccount.gitio.tree",
            ],
            {"pandas", "pygount", "pygments", "plotly"},
        ),
        (
            [
                "loccount.tables.tidy",
                "loccount.tables.changes",
                "loccount.tables.tablecheck",
                "loccount.report.pages",
                "loccount.report.outputs",
            ],
            {"git", "pygount", "pygments"},
        ),
        (["loccount.config", "loccount.classify"], {"pandas", "pygount", "git"}),
        (["loccount"], {"pandas", "pygount", "git", "plotly"}),
    ],
)
def test_light_stages_load_no_heavy_library(modules: list[str], never: set[str]) -> None:
    assert loaded(modules, never) == []


def test_a_python_without_the_private_regex_parser_runs_pygments_own_loop(monkeypatch) -> None:
    """Dispatch reads ``re._parser``; where a Python moved it, counting falls back, never breaks."""
    assert fastlex.loop() == fastlex.DISPATCH
    monkeypatch.setattr(fastlex, "sre_parse", None)
    fastlex.verified.cache_clear()
    try:
        assert not fastlex.verified()
        assert fastlex.loop() == fastlex.PYGMENTS
    finally:
        fastlex.verified.cache_clear()
