"""Which library code a fast path was checked against: digests of function sources.

loccount's fast paths copy or replace a few functions of Pygments and pygount. Each may run
only while those functions are, character for character, the ones it was checked with; with
any other source (an upgrade, a patched install, a missing source file) loccount runs the
library's own code. Sources are read from the installed files and parsed, never imported, so
the main process can name its counting method (part of the cache fingerprint) without paying
for pygount's import.

A digest is the sha256 of the function's source lines, decorators included: the text
``inspect.getsource`` returns for it.
"""

from __future__ import annotations

import ast
import hashlib
import io
import sys
import tokenize
from collections.abc import Mapping
from functools import cache
from importlib.machinery import PathFinder
from importlib.util import find_spec


@cache
def _module_file(module: str) -> str | None:
    """The source file of ``module``, found without importing it (or its package)."""
    loaded = sys.modules.get(module)
    if loaded is not None:
        return getattr(loaded, "__file__", None)
    top, *rest = module.split(".")
    spec = find_spec(top)
    for index in range(len(rest)):
        if spec is None or spec.submodule_search_locations is None:
            return None
        spec = PathFinder.find_spec(".".join([top, *rest[: index + 1]]), list(spec.submodule_search_locations))
    return spec.origin if spec is not None and spec.origin and spec.origin.endswith(".py") else None


Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@cache
def _definitions(path: str) -> tuple[list[str], dict[str, Definition]]:
    """A file's lines and its functions and methods by qualified name."""
    with tokenize.open(path) as stream:
        text = stream.read()
    lines = io.StringIO(text).readlines()
    found: dict[str, Definition] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found[prefix + node.name] = node
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(ast.parse(text, path).body, "")
    return lines, found


@cache
def source_digest(module: str, qualname: str) -> str | None:
    """sha256 of the source of ``qualname`` (``function`` or ``Class.method``) in ``module``.

    None when the module has no readable source or no such definition.
    """
    try:
        path = _module_file(module)
        if path is None:
            return None
        lines, found = _definitions(path)
    except (OSError, SyntaxError, ValueError, ImportError):
        return None
    node = found.get(qualname)
    if node is None:
        return None
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    source = "".join(lines[first - 1 : node.end_lineno])
    return hashlib.sha256(source.encode()).hexdigest()


def unverified(expected: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The functions (``module:qualname``) whose source is not the one with the expected digest.

    ``expected`` maps each module to its functions' digests.
    """
    return [
        f"{module}:{qualname}"
        for module, digests in expected.items()
        for qualname, digest in digests.items()
        if source_digest(module, qualname) != digest
    ]
