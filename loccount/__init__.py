"""loccount: how a codebase's lines grew, release by release, per language, and how much is tests.

The library's entry points come in pairs, one for a single repository and one for a config
(``repos.yaml``): :func:`count_repository` and :func:`count_config`, :func:`compare_repository`
and :func:`compare_config`; :func:`plan_config` resolves a config's releases without counting.

Type checkers see every name through the imports below; at run time each loads on first use
(pandas and GitPython are heavy, and counting worker processes import this package).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loccount.classify import DEFAULT_RULE, Category, ContentRule, LanguageConventions, TestRule, category
    from loccount.config import Config, load_config
    from loccount.counting.engine import EngineOptions
    from loccount.counting.filecount import FileCount, FileState
    from loccount.errors import LoccountError
    from loccount.gitio.entries import EntryKind
    from loccount.languages.kinds import LanguageKind
    from loccount.languages.selection import DEFAULT_SELECTION, LanguageSelection, parse_selection
    from loccount.options import RunOptions
    from loccount.pipeline import (
        Comparison,
        Group,
        Result,
        changes,
        compare_releases,
        compare_repository,
        count_releases,
        count_repository,
    )
    from loccount.provenance import Provenance, Selection
    from loccount.releases.model import Release, ReleaseRule
    from loccount.runs import Analysis, Plan, PlannedProject, compare_config, count_config, plan_config
    from loccount.tables.changes import Change

__version__ = version("loccount")

#: Each public name and the module it lives in (the imports above, for type checkers).
_EXPORTS = {
    "count_repository": "pipeline",
    "compare_repository": "pipeline",
    "count_releases": "pipeline",
    "compare_releases": "pipeline",
    "changes": "pipeline",
    "Result": "pipeline",
    "Group": "pipeline",
    "LanguageSelection": "languages.selection",
    "DEFAULT_SELECTION": "languages.selection",
    "parse_selection": "languages.selection",
    "LanguageKind": "languages.kinds",
    "ContentRule": "classify",
    "LanguageConventions": "classify",
    "Comparison": "pipeline",
    "count_config": "runs",
    "plan_config": "runs",
    "compare_config": "runs",
    "Plan": "runs",
    "PlannedProject": "runs",
    "Analysis": "runs",
    "Config": "config",
    "load_config": "config",
    "Release": "releases.model",
    "ReleaseRule": "releases.model",
    "FileCount": "counting.filecount",
    "FileState": "counting.filecount",
    "EntryKind": "gitio.entries",
    "Change": "tables.changes",
    "Category": "classify",
    "TestRule": "classify",
    "DEFAULT_RULE": "classify",
    "category": "classify",
    "EngineOptions": "counting.engine",
    "RunOptions": "options",
    "Provenance": "provenance",
    "Selection": "provenance",
    "LoccountError": "errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"loccount.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'loccount' has no attribute {name!r}")


__all__ = [
    "DEFAULT_RULE",
    "DEFAULT_SELECTION",
    "Analysis",
    "Category",
    "Change",
    "Comparison",
    "Config",
    "ContentRule",
    "EngineOptions",
    "EntryKind",
    "FileCount",
    "FileState",
    "Group",
    "LanguageConventions",
    "LanguageKind",
    "LanguageSelection",
    "LoccountError",
    "Plan",
    "PlannedProject",
    "Provenance",
    "Release",
    "ReleaseRule",
    "Result",
    "RunOptions",
    "Selection",
    "TestRule",
    "__version__",
    "category",
    "changes",
    "compare_config",
    "compare_releases",
    "compare_repository",
    "count_config",
    "count_releases",
    "count_repository",
    "load_config",
    "parse_selection",
    "plan_config",
]
