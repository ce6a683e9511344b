"""How releases, shares and missing values are written for people: one spelling everywhere.

Pages, charts and terminal tables all take their words from here, so a release is called the
same in a hover text, a table cell and a terminal row.
"""

from __future__ import annotations

import pandas as pd

#: Stands for "no value" in every table (an en dash).
NONE = "\u2013"


def text(value: object) -> str:
    """A cell as text; None and NaN (pandas' missing values) are the empty string."""
    return "" if _is_missing(value) else str(value)


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or NA: pandas' missing scalars."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def share(value: object) -> str:
    """A share of 1 as a percentage with one decimal (``53.4%``), or :data:`NONE`."""
    if _is_missing(value):
        return NONE
    return f"{100 * float(value):.1f}%"  # type: ignore[arg-type]


def series_label(series: object, release_id: object, separator: str = " ") -> str:
    """An OpenStack series with its release id: ``Juno 2014.2``."""
    return f"{text(series).capitalize()}{separator}{text(release_id)}"


def release_name(series: object, version: object) -> str:
    """One project's release: ``Juno (2.2.0)`` for a series release, else the version itself."""
    name = text(series)
    return f"{name.capitalize()} ({text(version)})" if name else text(version)


def flow_text(flow: str, value: int) -> str:
    """A cell of a change table: ``+1,234`` added or net, ``-1,234`` removed, ``1,234`` moved.

    Zero is blank, except a net change of ``0``.
    """
    if not value:
        return "0" if flow == "net" else ""
    return f"{value:,}" if flow == "moved" else f"{value:+,}"
