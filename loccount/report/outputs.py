"""Every file loccount writes: the one owner of output names, CSV writes and the report's files.

CSVs are UTF-8, safe to open in a spreadsheet (a text cell that would run as a formula gets
a leading ``'``) and, like every output, replaced atomically. Pages are rendered by
:mod:`loccount.report` from the frames given here, with the names chosen here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from loccount.errors import LoccountError, OutputError
from loccount.provenance import Provenance, parse_provenance
from loccount.report.atomic import (
    atomic_write,
    install,
    make_directory,
    remove_stale_temporaries,
    staging_path,
    write_bytes,
    write_text,
)
from loccount.tables.changes import CHANGE_TEXT_COLUMNS

if TYPE_CHECKING:
    from loccount.releases.model import Release
from loccount.tables.tablecheck import AREAS, CHANGES, TIDY, validated
from loccount.tables.tidy import RELEASE_COLUMNS, UNCOUNTED_COLUMNS, latest_areas, releases_frame, wide_frame

TIDY_CSV = "tidy.csv"
RELEASES_CSV = "releases.csv"
AREAS_CSV = "areas.csv"
WIDE_CSV = "wide.csv"
FILES_CSV = "files.csv"
#: The per-file changes grow with the history (16 MB as CSV for the showcase, 1.9 MB gzipped):
#: a report directory keeps them gzipped, which pandas and zcat read as they are. An older
#: run's plain ``changes.csv`` is still read, and replaced.
CHANGES_CSV = "changes.csv.gz"
LEGACY_CHANGES_CSV = "changes.csv"
UNCOUNTED_CSV = "uncounted.csv"
PROVENANCE_JSON = "provenance.json"
INDEX_HTML = "index.html"
HEADLINE = "headline"
IMAGE_SUFFIXES = ("png", "svg")
#: Downloads the overview links to, in this order, where they exist.
DOWNLOADS = (TIDY_CSV, WIDE_CSV, RELEASES_CSV, AREAS_CSV, CHANGES_CSV, UNCOUNTED_CSV)
TEXT_COLUMNS = [c for c in RELEASE_COLUMNS if c not in ("series_date", "date")] + [
    "category",
    "test_rule",
    "pygount",
    "area",
]
#: Leading characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell that starts with a quote and one of these would lose that quote when read back (it
#: looks like loccount's own): it gets one more (``'=x.py`` is written ``''=x.py``).
_AMBIGUOUS = ("'=", "'+", "'-", "'@", "'\t", "'\r", "''")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def neutralize(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, *_AMBIGUOUS)):
        return "'" + value
    return value


def restore(value: object) -> object:
    """Undo :func:`neutralize` when reading a CSV loccount wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r'":
        return value[1:]
    return value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, and header cells, cannot start a formula (``wide.csv``'s
    headers hold project names, which come from the config or a repository's directory name)."""
    out = frame.copy()
    out.columns = [neutralize(column) for column in out.columns]
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            try:
                risky = values.str.startswith((*FORMULA_STARTS, *_AMBIGUOUS), na=False)
            except AttributeError:  # a column without any text
                continue
            if risky.any():
                out[column] = values.where(~risky, values[risky].map(neutralize))
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as formula-safe CSV text, as every CSV loccount writes or prints."""
    return safe_for_spreadsheets(frame).to_csv(index=False, date_format="%Y-%m-%d")


def json_text(frame: pd.DataFrame) -> str:
    """``frame`` as JSON records, with the same formula-safe cells as the CSVs (the same table,
    often pasted into the same spreadsheets); :func:`restore` undoes it."""
    return safe_for_spreadsheets(frame).to_json(orient="records", date_format="iso", indent=2)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as UTF-8 CSV at ``path``, formula-safe and atomically replaced; gzipped where the
    name ends in ``.gz`` (reproducibly: no time stamp in the header)."""
    text = csv_text(frame)
    if Path(path).name.endswith(".gz"):
        return write_bytes(path, gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return write_text(path, text)


def read_csv(path: Path, text_columns: Sequence[str], date_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV loccount wrote: text stays text (``2014.2`` is a tag, not a number)."""
    frame = pd.read_csv(path, dtype={column: "object" for column in text_columns}, keep_default_na=False)
    for column in frame.columns:
        if column in text_columns:
            frame[column] = frame[column].map(restore).replace({"": None})
    for column in date_columns:
        frame[column] = pd.to_datetime(frame[column].replace({"": None}), utc=True)
    return frame


#: Every project page's file name starts so: the report's own, replaced or removed by each run.
PAGE_PREFIX = "project-"


def page_name(project: str) -> str:
    """A file name for a project's page that cannot leave the output directory."""
    if _SAFE_NAME.match(project) and ".." not in project:
        return f"{PAGE_PREFIX}{project}.html"
    digest = hashlib.sha256(project.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", project).strip("_")[:60]
    return f"{PAGE_PREFIX}{cleaned}-{digest}.html"


def plotly_js_name() -> str:
    import plotly

    return f"plotly-{plotly.__version__}.min.js"


class Counted(Protocol):
    """What a count hands to its outputs (:class:`loccount.pipeline.Result` is one): every frame
    already made, so writing never runs git or pygount."""

    @property
    def tidy(self) -> pd.DataFrame: ...
    @property
    def files(self) -> pd.DataFrame: ...
    @property
    def provenance(self) -> Provenance: ...
    @property
    def releases(self) -> list[Release]: ...
    @property
    def uncounted(self) -> pd.DataFrame: ...
    @property
    def changes(self) -> pd.DataFrame | None: ...


def write_outputs(
    result: Counted,
    output: Path,
    *,
    by_file: bool = False,
    report: bool = True,
    images: bool = True,
    title: str | None = None,
    say: Callable[[str], None] = print,
) -> list[Path]:
    """A count's tables (tidy, releases, changes, uncounted, areas, per-file on request), provenance and report.

    The count must have made its changes (``with_changes=True``).
    """
    if result.changes is None:
        raise ValueError("write_outputs needs the per-file changes: count with with_changes=True")
    remove_stale_temporaries(output)
    areas = latest_areas(result.files)
    written = [
        write_csv(result.tidy, output / TIDY_CSV),
        write_csv(releases_frame(result.releases), output / RELEASES_CSV),
        write_csv(areas, output / AREAS_CSV),
        write_csv(result.changes, output / CHANGES_CSV),
        write_csv(result.uncounted, output / UNCOUNTED_CSV),
    ]
    _drop_legacy_changes(output)
    if by_file:
        written.append(write_csv(result.files, output / FILES_CSV))
    written.append(write_text(output / PROVENANCE_JSON, result.provenance.to_json()))
    if report:
        written += write_report(
            result.tidy,
            areas,
            result.provenance,
            output,
            images=images,
            title=title,
            say=say,
            changes=result.changes,
            uncounted=result.uncounted,
        )
    return written


def _drop_legacy_changes(output: Path) -> None:
    """An older run's plain changes.csv, now written gzipped: removed, so only one is there."""
    legacy = output / LEGACY_CHANGES_CSV
    if legacy.is_file() and not legacy.is_symlink():
        legacy.unlink()


def write_report(
    tidy: pd.DataFrame,
    areas: pd.DataFrame,
    provenance: Provenance,
    output: Path,
    *,
    images: bool = True,
    title: str | None = None,
    say: Callable[[str], None] = print,
    changes: pd.DataFrame | None = None,
    uncounted: pd.DataFrame | None = None,
    language: str | None = None,
) -> list[Path]:
    """Write index.html, one page per project, wide.csv, plotly.js and (with a browser) headline images.

    With ``changes`` (per-file changes between releases), pages also show what changed at each
    release; with ``uncounted``, which files could not be counted; with ``language``, the
    report is of that language only (its headline, tables and test share).
    """
    from loccount.report.pages import Links, ReportInput, headline, render_pages

    if language is not None:
        counted = [str(name) for name in dict.fromkeys(tidy["language"]) if name]
        if language not in counted:
            raise LoccountError(
                f"--language {language!r}: the tables hold {', '.join(counted) or 'no language'}; "
                "count it first (--language or --languages)"
            )

    make_directory(output)
    remove_stale_temporaries(output)
    plotlyjs = _write_plotlyjs(output)
    data = ReportInput(tidy, areas, provenance, changes, title, uncounted, language)
    written = [write_csv(wide_frame(data.chosen), output / WIDE_CSV)]
    figure = headline(data)
    pictures = _write_images(figure, output, say, provenance) if images else []
    links = Links(
        index=INDEX_HTML,
        pages={str(name): page_name(str(name)) for name in dict.fromkeys(tidy["project"])},
        plotlyjs=plotlyjs,
        downloads=[name for name in DOWNLOADS if (output / name).exists()],
        images=[path.name for path in pictures],
    )
    pages = render_pages(data, links, figure)
    for name, html in pages.items():
        written.append(write_text(output / name, html))
    for stale in output.glob(f"{PAGE_PREFIX}*.html"):  # a project of an earlier run, not of this one
        if stale.name not in pages and (stale.is_file() or stale.is_symlink()):
            stale.unlink()
    return [*written, *pictures]


def _write_plotlyjs(output: Path) -> str:
    """plotly.js once, next to the pages, so they work offline; older copies go."""
    from plotly.offline import get_plotlyjs

    name = plotly_js_name()
    target = output / name
    if target.is_dir():
        raise OutputError(f"cannot write {target}: a directory of that name is in the way")
    if not target.exists():
        atomic_write(target, lambda stream: stream.write(get_plotlyjs()))
    for stale in output.glob("plotly-*.min.js"):
        if stale.name != name and (stale.is_file() or stale.is_symlink()):  # a directory is not ours
            stale.unlink()
    return name


#: How often kaleido is asked for the headline images before they are skipped with a note.
IMAGE_ATTEMPTS = 2


def _written(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _write_images(
    figure: object, output: Path, say: Callable[[str], None], provenance: Provenance | None = None
) -> list[Path]:
    """The headline as PNG and SVG; where no Chromium can render them, a note instead."""
    from loccount.report.pages import render_images

    targets = [output / f"{HEADLINE}.{suffix}" for suffix in IMAGE_SUFFIXES]
    temporaries = [staging_path(target) for target in targets]
    reason = ""
    for _attempt in range(IMAGE_ATTEMPTS):
        try:
            render_images(figure, temporaries, provenance)
        except Exception as error:  # kaleido raises its own, choreographer's and OS errors
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            reason = f"no usable Chromium or Chrome for kaleido ({reason[:160]})"
            break
        # Under load kaleido has been seen to return without writing a file: try once more.
        missing = [
            target.name for temporary, target in zip(temporaries, targets, strict=True) if not _written(temporary)
        ]
        if not missing:
            reason = ""
            break
        reason = f"kaleido returned without writing {', '.join(missing)}"
    if reason:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        say(f"static images skipped: {reason}")
        return []
    for temporary, target in zip(temporaries, targets, strict=True):
        install(temporary, target)
    return targets


def load_report_input(output: Path) -> tuple[pd.DataFrame, pd.DataFrame, Provenance]:
    """The tables a previous run wrote, for ``loccount report``."""
    missing = [name for name in (TIDY_CSV, AREAS_CSV, PROVENANCE_JSON) if not (output / name).is_file()]
    if missing:
        raise LoccountError(f"{output}: no {missing[0]}; run `loccount run` first")
    try:
        tidy = read_csv(output / TIDY_CSV, TEXT_COLUMNS)
        areas = read_csv(output / AREAS_CSV, TEXT_COLUMNS)
        info = json.loads((output / PROVENANCE_JSON).read_text(encoding="utf-8"))
    except (ValueError, OSError, RecursionError) as error:  # RecursionError: JSON nested past Python's stack
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise LoccountError(f"{output}: cannot read the previous run's tables: {first}") from None
    tidy = validated(tidy, str(output / TIDY_CSV), TIDY)
    areas = validated(areas, str(output / AREAS_CSV), AREAS)
    return tidy, areas, parse_provenance(info, str(output / PROVENANCE_JSON))


def _load_optional(path: Path, text_columns: Sequence[str], required: Sequence[str], what: str) -> pd.DataFrame | None:
    """A table a previous run may have written (older runs did not): None where it is absent."""
    if not path.is_file():
        return None
    try:
        frame = read_csv(path, text_columns)
    except (ValueError, OSError) as error:
        raise LoccountError(f"{path}: cannot read the previous run's {what}: {error}") from None
    missing = [column for column in required if column not in frame]
    if missing:
        raise LoccountError(f"{path}: not a loccount table of {what} (no {missing[0]} column)")
    return frame


def load_uncounted(output: Path) -> pd.DataFrame | None:
    """The files a previous run could not count, for ``loccount report``; None where it wrote none."""
    return _load_optional(output / UNCOUNTED_CSV, UNCOUNTED_COLUMNS, UNCOUNTED_COLUMNS, "uncounted files")


def load_changes(output: Path) -> pd.DataFrame | None:
    """The per-file changes a previous run wrote, for ``loccount report``; None where there are none."""
    path = output / CHANGES_CSV if (output / CHANGES_CSV).is_file() else output / LEGACY_CHANGES_CSV
    frame = _load_optional(path, CHANGE_TEXT_COLUMNS, CHANGES.required, "changes")
    if frame is not None and not frame.empty:
        validated(frame, str(path), CHANGES)  # checked, then used as read (as it was written)
    return frame
