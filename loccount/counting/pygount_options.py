"""How loccount calls pygount: with the options pygount's command line passes by default.

Both ways of counting (:mod:`loccount.counting.count`'s plain call and the fast path in
:mod:`loccount.counting.fast.fastcount`) take them from here.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pygount import SourceAnalysis

#: What pygount's command line passes to ``from_file`` with its default options, written out
#: so the fingerprint records them. Its ``--encoding=automatic`` passes no fallback encoding:
#: a file without a BOM or coding comment is tried as UTF-8 before cp1252. (The API's own
#: default, ``fallback_encoding="cp1252"``, skips the UTF-8 attempt and turns valid UTF-8 with
#: bytes 0x81, 0x8d, 0x8f, 0x90 or 0x9d into ``error``.) Duplicates are counted, as with
#: ``--duplicates``: loccount reports every path.
PYGOUNT_OPTIONS = {
    "encoding": "automatic",
    "fallback_encoding": None,
    "generated_regexes": "pygount default",
    "generated_name_regexes": "pygount command line default",
    "duplicate_pool": None,
    "merge_embedded_language": False,
}


def from_file(path: str, group: str) -> SourceAnalysis:
    """``SourceAnalysis.from_file`` with the options pygount's command line passes by default."""
    from pygount import SourceAnalysis

    return SourceAnalysis.from_file(path, group, **from_file_options())


@functools.cache
def from_file_options() -> dict[str, Any]:
    """The keywords :data:`PYGOUNT_OPTIONS` names, as ``from_file`` takes them."""
    from pygount.analysis import DEFAULT_GENERATED_NAME_PATTERNS_TEXT
    from pygount.common import regexes_from

    return {
        "encoding": "automatic",
        "fallback_encoding": None,
        "generated_name_regexes": regexes_from(DEFAULT_GENERATED_NAME_PATTERNS_TEXT),
    }
