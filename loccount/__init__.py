"""loccount: how a codebase's Python lines grew, release by release, and how much is tests.

Heavy modules (pandas, GitPython) load only when one of these names is first used, so the
counting worker processes start quickly.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import Any

__version__ = version("loccount")

_EXPORTS = {
    "count_repository": "pipeline",
    "count_releases": "pipeline",
    "changes": "pipeline",
    "compare_repository": "pipeline",
    "Comparison": "pipeline",
    "Result": "pipeline",
    "analyze": "runs",
    "plan": "runs",
    "compare": "runs",
    "load_config": "config",
    "TestRule": "classify",
    "DEFAULT_RULE": "classify",
    "category": "classify",
    "EngineOptions": "counting.engine",
    "RunOptions": "options",
    "LoccountError": "errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'loccount' has no attribute {name!r}")


__all__ = [*_EXPORTS, "__version__"]
