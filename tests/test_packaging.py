"""Every file the package reads at run time is in the wheel: a non-Python file under loccount/
that no package-data pattern names is missing from `pip install .` (tests run from the source
tree, where it is present, so nothing else would notice)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_of_the_package_is_named_by_package_data() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = [f"{package.replace('.', '/')}/{pattern}" for package, globs in settings.items() for pattern in globs]
    package = ROOT / "loccount"
    data = [
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert data, "the package has data files (templates, conventions.yaml)"
    assert [path for path in data if not any(fnmatch(path, pattern) for pattern in patterns)] == []
