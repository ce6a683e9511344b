"""Write a run's outputs into the output directory: CSVs, provenance and the HTML report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .errors import LoccountError
from .export import atomic_write, read_csv, remove_stale_temporaries, write_csv
from .report import AREAS_CSV, ReportInput, write_report
from .runs import Analysis
from .table import RELEASE_COLUMNS, latest_areas, releases_frame

TIDY_CSV = "tidy.csv"
RELEASES_CSV = "releases.csv"
FILES_CSV = "files.csv"
PROVENANCE = "provenance.json"
TEXT_COLUMNS = [c for c in RELEASE_COLUMNS if c not in ("series_date", "date")] + [
    "category",
    "test_rule",
    "pygount",
    "area",
]


def write_run_outputs(
    analysis: Analysis,
    output: Path,
    *,
    by_file: bool = False,
    report: bool = True,
    images: bool = True,
    say: Callable[[str], None] = print,
) -> list[Path]:
    """Each file is replaced atomically, so an interrupted write leaves the previous one intact."""
    result = analysis.result
    if result is None:
        raise LoccountError("nothing was counted, so there is nothing to write")
    remove_stale_temporaries(output)
    areas = latest_areas(result.files)
    info = {
        **result.provenance,
        "loccount": __version__,
        "series": [s.name for s in analysis.plan.series],
        "failures": analysis.failures,
    }
    written = [
        write_csv(result.tidy, output / TIDY_CSV),
        write_csv(releases_frame(analysis.plan.all_releases()), output / RELEASES_CSV),
        write_csv(areas, output / AREAS_CSV),
    ]
    if by_file:
        written.append(write_csv(result.files, output / FILES_CSV))
    written.append(atomic_write(output / PROVENANCE, lambda stream: json.dump(info, stream, indent=2)))
    if report:
        written += write_report(ReportInput(result.tidy, areas, info), output, images=images, say=say)
    return written


def load_report_input(output: Path) -> ReportInput:
    """The tables a previous run wrote, for ``loccount report``."""
    missing = [name for name in (TIDY_CSV, AREAS_CSV, PROVENANCE) if not (output / name).is_file()]
    if missing:
        raise LoccountError(f"{output}: no {missing[0]}; run `loccount run` first")
    try:
        tidy = read_csv(output / TIDY_CSV, TEXT_COLUMNS, ["series_date", "date"])
        areas = read_csv(output / AREAS_CSV, TEXT_COLUMNS)
        info = json.loads((output / PROVENANCE).read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise LoccountError(f"{output}: cannot read the previous run's tables: {error}") from None
    return ReportInput(tidy=tidy, areas=areas, provenance=info)
