"""A small tidy table with known numbers, built directly, for report and browser tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from loccount.provenance import Provenance
from loccount.table import TIDY_COLUMNS

SERIES = [
    ("icehouse", "2014.1", date(2014, 4, 17)),
    ("juno", "2014.2", date(2014, 10, 16)),
    ("kilo", "2015.1", date(2015, 4, 30)),
]
# project -> per series (non-test code, test code); None where the project is absent
CODE = {
    "nova": [(100, 50), (120, 80), (150, 150)],
    "heat": [None, (40, 10), (50, 30)],
}


def tidy(names: dict[str, str] | None = None) -> pd.DataFrame:
    names = names or {}
    rows = []
    for project, values in CODE.items():
        for (series, release_id, day), value in zip(SERIES, values, strict=True):
            if value is None:
                continue
            total = sum(value)
            for category, code in zip(("non-test", "test"), value, strict=True):
                rows.append(
                    {
                        "project": names.get(project, project),
                        "series": series,
                        "release_id": release_id,
                        "series_date": pd.Timestamp(day),
                        "version": f"{release_id}.0",
                        "tag": f"{release_id}.0",
                        "commit": f"{abs(hash((project, series))):040x}"[:40],
                        "date": pd.Timestamp(day, tz="UTC"),
                        "rule": "first-final",
                        "category": category,
                        "files": 3,
                        "code": code,
                        "documentation": 5,
                        "empty": 4,
                        "string": 1,
                        "lines": code + 10,
                        "code_share": code / total,
                        **{
                            f"files_{s}": 0
                            for s in ("analyzed", "empty", "generated", "binary", "error", "unknown", "huge")
                        },
                        "test_rule": "default",
                        "pygount": "3.2.0",
                    }
                )
    return pd.DataFrame(rows)[TIDY_COLUMNS]


def areas(names: dict[str, str] | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame(
        [
            {
                "project": names.get("nova", "nova"),
                "version": "2015.1.0",
                "area": "nova/compute",
                "category": "non-test",
                "files": 2,
                "code": 150,
                "lines": 160,
            },
            {
                "project": names.get("nova", "nova"),
                "version": "2015.1.0",
                "area": "nova/tests",
                "category": "test",
                "files": 1,
                "code": 150,
                "lines": 160,
            },
            {
                "project": names.get("heat", "heat"),
                "version": "2015.1.0",
                "area": "heat/engine",
                "category": "non-test",
                "files": 2,
                "code": 50,
                "lines": 55,
            },
            {
                "project": names.get("heat", "heat"),
                "version": "2015.1.0",
                "area": "=cmd|' /C calc'!A0",
                "category": "test",
                "files": 1,
                "code": 30,
                "lines": 35,
            },
        ]
    )


PROVENANCE = Provenance(
    loccount="0.1.0",
    pygount="3.2.0",
    pygments="2.21.0",
    python="3.11",
    lexer_loop="pygments",
    counter_fingerprint="0123456789abcdef",
    test_rules=("default: dirs=test|tests",),
    run_at="2026-11-22T00:00:00+00:00",
    release_data_commit="f" * 40,
)
