"""pygount's ``SourceAnalysis.from_file`` for loccount's options, with less work per file.

For the options loccount passes (those of pygount's command line: automatic encoding with no
fallback, so UTF-8 is tried before cp1252; the default generated-code and generated-name
patterns; no duplicate pool, no file handle, no merging of embedded languages), :func:`analyze`
takes ``from_file``'s steps in ``from_file``'s order with pygount's own functions (generated
name, size, binary check, encoding, reading, generated-code check), except where a step can be
done once instead of per file, with the same result:

* ``has_lexer`` and ``guess_lexer``'s search for lexers that claim the file name look at the
  file's base name only, and try every lexer's file name patterns in turn: here each base
  name is looked up once, in an index of those patterns (:class:`NamePatterns`);
* ``guess_lexer`` reads the text only when several lexer classes claim the base name: a name
  with exactly one claimant gets a new instance of that class, as pygments returns; a name
  with several claimants goes to pygount's ``guess_lexer`` each time;
* the lines are counted by :func:`fastlines.line_counts`.

It runs only for the languages it was checked on (:data:`FAST_LANGUAGES`). pygount's info
logging for each file is left out. Anything else (another language, several claimants, XML
dialects, a lexer :mod:`fastlines` does not apply to) and any library whose source is not
the one checked (:data:`VERIFIED`, pygount 3.2.0 and Pygments 2.21) runs pygount's own
``from_file``.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from loccount.counting.fast import fastlex, fastlines
from loccount.counting.fast.verified import unverified
from loccount.counting.pygount_options import from_file, from_file_options
from loccount.languages.lexers import NamePatterns

if TYPE_CHECKING:
    from pygount import SourceAnalysis

#: The library functions whose behaviour :func:`analyze` reproduces or relies on.
VERIFIED = {
    "pygount.analysis": {
        "SourceAnalysis.from_file": "4b5c3d6110cb4b02ff907d3a8894121fb6153dd84cc97c67eac4021c6fb24cb9",
        "has_lexer": "032e74f17f5770e486ef4301ea76eceb9a21530039a3bee6ba949423e01978fd",
        "guess_lexer": "2659ea8014a8ef24b0e78ccd100b6eef43d6f66c833c7782e2917d25bf01c5d2",
    },
    "pygments.lexers": {
        "find_lexer_class_for_filename": "517febb96b7ec6089f5e7c94259cf1d3347f0f8e24ef78a6350cea451e6d2928",
        "guess_lexer_for_filename": "4a779fdaf18c97029361e58f126a80d252832eac9995ea3c15f961efcf06d9c5",
        "_fn_matches": "b62eabd71590bbdfa29cce50146bec59db1cd586384a6ac5ab51303eda654f0a",
    },
}
#: The name :func:`method` gives this fast path, and the one for pygount's own code.
FAST = "fastcount/2"
#: The languages whose lexers the fast path was checked on, file by file against the ``pygount``
#: command line, on real trees (``benchmarks/bench_pygount_cli.py --languages``; the README
#: lists the trees and files) and on the samples of ``tests/language_samples.py``. A file of
#: any other language is counted by pygount's own ``from_file``: exact, and slower.
FAST_LANGUAGES = frozenset({"Python", "Rust", "Go", "Bash", "C", "Makefile", "Docker", "TypeScript", "Java"})
PYGOUNT = "pygount"


@cache
def verified() -> bool:
    """Whether this module and everything it builds on were checked against the installed code."""
    return not unverified(VERIFIED) and fastlines.verified() and fastlex.verified()


def method(fast: bool = True) -> str:
    """How a file's lines are counted when ``fast`` is asked for: recorded with every count."""
    return FAST if fast and verified() else PYGOUNT


@cache
def _filename_patterns() -> NamePatterns:
    """The patterns ``find_lexer_class_for_filename`` tries: pygments' table, then plugins."""
    from pygments.lexers import LEXERS, find_plugin_lexers

    builtin = [(pattern, name) for _module, name, _aliases, patterns, _types in LEXERS.values() for pattern in patterns]
    return NamePatterns([*builtin, *((pattern, cls) for cls in find_plugin_lexers() for pattern in cls.filenames)])


@cache
def _claim_patterns() -> NamePatterns:
    """The patterns ``guess_lexer_for_filename`` tries: each class's filenames and alias filenames."""
    from pygments.lexers import _iter_lexerclasses

    return NamePatterns(
        (pattern, cls) for cls in _iter_lexerclasses() for pattern in (*cls.filenames, *cls.alias_filenames)
    )


@cache
def _has_lexer(name: str) -> bool:
    """pygount's ``has_lexer``: a lexer's file name pattern matches, or a fallback lexer's suffix."""
    from pygount.analysis import _SUFFIX_TO_FALLBACK_LEXER_MAP

    return bool(_filename_patterns().owners(name)) or os.path.splitext(name)[1].lstrip(".") in (
        _SUFFIX_TO_FALLBACK_LEXER_MAP
    )


@cache
def _only_claimant(name: str) -> type | None:
    """The one lexer class whose patterns claim ``name`` (guess_lexer_for_filename then
    returns an instance whatever the text); None for pygount's plain text, none or several."""
    from pygount.analysis import is_plain_text

    if is_plain_text(name):
        return None
    claimants = set(_claim_patterns().owners(name))
    return claimants.pop() if len(claimants) == 1 else None


def analyze(path: str, group: str) -> SourceAnalysis:
    """:func:`loccount.count.from_file` (pygount's command-line options), the same result with less work per file."""
    from pygount import SourceAnalysis

    if not verified():
        return from_file(path, group)
    from pygount.analysis import (
        DEFAULT_GENERATED_LINE_PATTERNS_TEXT,
        SourceState,
        encoding_for,
        is_binary_file,
        is_markup_file,
        matching_number_line_and_regex,
        matching_regex,
    )
    from pygount.common import lines, regexes_from

    from_state = SourceAnalysis.from_state
    options = from_file_options()
    name = os.path.basename(path)
    generated_name = matching_regex(name, options["generated_name_regexes"])
    if generated_name is not None:
        return from_state(path, group, SourceState.generated, state_info=generated_name.pattern)
    if os.path.getsize(path) == 0:
        return from_state(path, group, SourceState.empty)
    if is_binary_file(path):
        return from_state(path, group, SourceState.binary)
    if not _has_lexer(name):
        return from_state(path, group, SourceState.unknown)
    lexer_class = _only_claimant(name)
    if lexer_class is None or getattr(lexer_class, "name", None) not in FAST_LANGUAGES:
        return from_file(path, group)
    try:
        encoding = encoding_for(path, options["encoding"], options["fallback_encoding"])
        with open(path, encoding=encoding) as source_file:
            source_code = source_file.read()
    except (LookupError, OSError, UnicodeError) as error:
        return from_state(path, group, SourceState.error, str(error))
    lexer = lexer_class()
    generated = matching_number_line_and_regex(lines(source_code), regexes_from(DEFAULT_GENERATED_LINE_PATTERNS_TEXT))
    if generated is not None:
        number, _, regex = generated
        return from_state(path, group, SourceState.generated, f"line {number} matches {regex}")
    language = lexer.name
    if "xml" in language.lower() or language == "Genshi":
        return from_file(path, group)
    counts = fastlines.line_counts(lexer, source_code, is_markup=is_markup_file(path))
    if counts is None:
        return from_file(path, group)
    code, documentation, empty, string = counts
    return SourceAnalysis(
        path=path,
        language=language,
        group=group,
        code=code,
        documentation=documentation,
        empty=empty,
        string=string,
        state=SourceState.analyzed,
        state_info=None,
    )
