"""Rich rendering for the CLI: the counting progress bar and result tables."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from loccount.classify import NON_TEST, TEST, VENDORED
from loccount.report.labels import flow_text, release_name, share, text
from loccount.tables.changes import Change, shown_flows
from loccount.tables.tidy import release_summary

if TYPE_CHECKING:
    from loccount.counting.cache import CacheInfo


#: What a terminal would act on instead of showing: C0 and C1 control characters (ESC starts
#: sequences that clear the screen or move the cursor), zero-width marks and bidirectional
#: overrides. Repository data (paths, tags, messages) is shown with these escaped.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def visible(value: object) -> str:
    """``value`` as text a terminal shows as it is: every character it would act on as an escape (``\\x1b``)."""
    return _HIDDEN.sub(lambda match: ascii(match.group())[1:-1], str(value))


class SafeTable(Table):
    """A rich table whose cells are shown as they are: text cells pass through :func:`visible`."""

    def add_row(self, *renderables: Any, **options: Any) -> None:
        super().add_row(*(visible(r) if isinstance(r, str) else r for r in renderables), **options)


class FetchLines:
    """Clone and fetch progress: one updating line on a terminal, one line per stage elsewhere."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stage = ""

    def __call__(self, message: str) -> None:
        if self.console.is_terminal:
            self.console.print(visible(message).ljust(70), highlight=False, end="\r")
            return
        stage = message.rsplit(" ", 1)[0] if message.endswith("%") else message
        if stage != self.stage:
            self.stage = stage
            self.console.print(visible(stage), highlight=False)


def cache_lines(info: CacheInfo) -> list[str]:
    """``loccount cache info`` in words."""
    lines = [f"cache directory: {info.directory}"]
    if info.database is None:
        lines.append("count database: none yet")
    else:
        size = info.database_bytes / 1e6
        lines.append(f"count database: {info.database} ({size:.1f} MB), integrity: {info.integrity}")
        for stamp, rows in info.fingerprints.items():
            mark = f" ({info.current[stamp]})" if stamp in info.current else ""
            lines.append(f"  fingerprint {stamp}: {rows} blobs{mark}")
    total = f" ({sum(info.mirror_bytes) / 1e6:,.1f} MB)" if info.mirrors else ""
    lines.append(f"mirrors: {len(info.mirrors)}{total}")
    lines += [f"  {m.name} ({size / 1e6:,.1f} MB)" for m, size in zip(info.mirrors, info.mirror_bytes, strict=True)]
    if info.unfinished:
        lines.append(f"unfinished clones: {len(info.unfinished)} (removed when their repository is next used)")
    return lines


class BlobProgress:
    """Shows blobs done/total, throughput and ETA while the engine counts.

    On a terminal it is a live bar; in a log or pipe, a plain line every ``interval`` seconds.
    """

    def __init__(self, console: Console, interval: float = 30.0) -> None:
        self._console = console
        self._interval = interval
        self._started = self._last = 0.0
        self._bytes_done = self._bytes_total = 0
        self._bar = Progress(
            TextColumn("counting"),
            BarColumn(),
            TextColumn("{task.fields[blobs]}"),
            TaskProgressColumn(),
            TransferSpeedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task: TaskID | None = None
        self._done = 0
        self._total = 0

    def start(self, total_blobs: int, total_bytes: int, cached_blobs: int, skipped_blobs: int = 0) -> None:
        self._total = total_blobs
        self._bytes_total = total_bytes
        self._started = self._last = time.monotonic()
        skipped = f"{skipped_blobs} not counted (over the size cap or missing), " if skipped_blobs else ""
        self._console.print(
            f"{cached_blobs + skipped_blobs + total_blobs} distinct blobs: {cached_blobs} cached, "
            f"{skipped}{total_blobs} to count ({total_bytes / 1e6:.1f} MB)"
        )
        if total_blobs and self._console.is_terminal:
            self._task = self._bar.add_task("count", total=total_bytes, blobs=self._label())
            self._bar.start()

    def advance(self, blobs: int, nbytes: int) -> None:
        self._done += blobs
        self._bytes_done += nbytes
        if self._task is not None:
            self._bar.update(self._task, advance=nbytes, blobs=self._label())
            return
        now = time.monotonic()
        if now - self._last >= self._interval or self._done == self._total:
            self._last = now
            self._console.print(self._line(now - self._started), highlight=False)

    def _line(self, elapsed: float) -> str:
        rate = self._bytes_done / elapsed if elapsed > 0 else 0.0
        share = 100 * self._bytes_done / self._bytes_total if self._bytes_total else 100.0
        return (
            f"counted {self._label()} ({share:.0f}% of the bytes), {rate / 1e6:.2f} MB/s, "
            f"elapsed {elapsed / 60:.1f} min, ETA {self._eta(elapsed) / 60:.1f} min"
        )

    def _eta(self, elapsed: float) -> float:
        """Seconds left: the larger of what the bytes and what the blobs left would take at the
        rates so far. Blobs are counted largest first, so early on the byte rate is high and
        promises too little (small files cost more per byte) while the blob rate is low and
        promises too much; the larger settles as the two meet."""
        if elapsed <= 0 or not self._done:
            return 0.0
        by_bytes = (self._bytes_total - self._bytes_done) * elapsed / self._bytes_done if self._bytes_done else 0.0
        by_blobs = (self._total - self._done) * elapsed / self._done
        return max(by_bytes, by_blobs)

    def _label(self) -> str:
        return f"{self._done:,}/{self._total:,} blobs, {self._bytes_done / 1e6:,.1f}/{self._bytes_total / 1e6:,.1f} MB"

    def __enter__(self) -> BlobProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:  # stopping a bar that never started prints an empty line
            self._bar.stop()


def release_table(summary: pd.DataFrame, title: str = "Python lines per release (pygount)") -> Table:
    """Files and the four line kinds for test, non-test and total, per release, plus test share.

    Vendored code has a row of its own where a release has any; it is not in the total (the
    project's own code), nor in the test share.
    """
    table = SafeTable(title=title, show_lines=False)
    for header in ("project", "release", "category", "files", "code", "doc", "empty", "string", "lines"):
        table.add_column(header, justify="left" if header in ("project", "release", "category") else "right")
    table.add_column("test share of code", justify="right")
    measures = ["files", "code", "documentation", "empty", "string", "lines"]
    for _, row in summary.iterrows():
        label = release_name(row["series"], row["version"])
        test_share = share(row["test_share"])
        vendored = f"{VENDORED}_files" in row and int(row[f"{VENDORED}_files"]) > 0
        blocks = [TEST, NON_TEST, *([VENDORED] if vendored else []), "total"]
        for category in blocks:
            cells = [f"{int(row[f'{category}_{m}']):,}" for m in measures]
            first = category == TEST
            table.add_row(
                row["project"] if first else "",
                label if first else "",
                "total (own code)" if category == "total" and vendored else category,
                *cells,
                test_share if category == "total" else "",
                style="bold" if category == "total" else None,
                end_section=category == "total",
            )
    return table


#: Languages shown in tables of their own: those with at least this share of the code, at most so many.
OWN_TABLE_SHARE = 0.01
OWN_TABLES = 6


def release_tables(tidy: pd.DataFrame) -> list[Table | str]:
    """The release table of each language counted (the larger ones: at least 1 % of the code, six at
    most, the rest named on a line), then of all of them together when there are several."""
    languages = [language for language in dict.fromkeys(tidy["language"]) if language] if len(tidy) else []
    if len(languages) <= 1:
        name = languages[0] if languages else "No"
        return [release_table(release_summary(tidy), f"{name} lines per release (pygount)")]
    code = tidy.groupby("language")["code"].sum()
    total = max(1, int(code.sum()))
    ranked = _by_size(tidy, languages)
    shown = [language for language in ranked if int(code.get(language, 0)) >= OWN_TABLE_SHARE * total][:OWN_TABLES]
    out: list[Table | str] = [
        release_table(release_summary(tidy[tidy["language"] == language]), f"{language} lines per release (pygount)")
        for language in shown
    ]
    rest = [language for language in ranked if language not in shown]
    if rest:
        lines = ", ".join(f"{text(language)} {int(code.get(language, 0)):,}" for language in rest)
        out.append(f"{len(rest)} more languages, code lines over all releases (their rows are in --csv): {lines}")
    out.append(release_table(release_summary(tidy), f"All {len(languages)} languages counted, per release"))
    return out


def _by_size(tidy: pd.DataFrame, languages: list[str]) -> list[str]:
    """Languages with the most code first (over every release counted)."""
    code = tidy.groupby("language")["code"].sum()
    return sorted(languages, key=lambda language: (-int(code.get(language, 0)), language))


def releases_table(frame: pd.DataFrame) -> Table:
    """The resolved release map, one row per project and series."""
    table = SafeTable(title="Releases per series")
    for header in ("project", "series", "release id", "version", "tag", "commit", "tag date", "rule"):
        table.add_column(header, no_wrap=True)
    for _, row in frame.iterrows():
        when = "" if pd.isna(row["date"]) else row["date"].strftime("%Y-%m-%d")
        table.add_row(
            row["project"],
            text(row["series"]),
            text(row["release_id"]),
            row["version"],
            text(row["tag"]),
            row["commit"][:12],
            when,
            row["rule"],
        )
    return table


#: Projects the terminal names one by one; the rest share a row (the CSVs and the report hold all).
SHOWN_PROJECTS = 30


def projects_table(summary: pd.DataFrame, shown: int = SHOWN_PROJECTS) -> Table:
    """Per project: how many releases, and code lines and test share at the first and last one.

    With more than ``shown`` projects, the biggest at their latest release are named and the
    others are summed on one row.
    """
    table = SafeTable(title="Python code lines per project (first and latest release counted)")
    for header in ("project", "releases", "first", "code", "test share", "latest", "code", "test share"):
        table.add_column(header, justify="left" if header in ("project", "first", "latest") else "right")
    groups = list(summary.groupby("project", sort=False))
    if len(groups) > shown:
        groups.sort(key=lambda item: -int(item[1].iloc[-1]["total_code"]))
    for project, rows in groups[:shown]:
        first, last = rows.iloc[0], rows.iloc[-1]
        table.add_row(
            str(project),
            str(len(rows)),
            release_name(first["series"], first["version"]),
            f"{int(first['total_code']):,}",
            share(first["test_share"]),
            release_name(last["series"], last["version"]),
            f"{int(last['total_code']):,}",
            share(last["test_share"]),
        )
    rest = groups[shown:]
    if rest:
        latest = pd.DataFrame([rows.iloc[-1] for _, rows in rest])
        code, test = int(latest["total_code"].sum()), int(latest["test_code"].sum())
        table.add_row(
            f"{len(rest):,} more projects", "", "", "", "", "latest", f"{code:,}", share(test / code if code else None)
        )
    return table


def types_table(summary: pd.DataFrame) -> Table | None:
    """Per OpenStack deliverable type, at each project's latest release: deliverables, repositories, code, tests."""
    if "deliverable_type" not in summary or summary["deliverable_type"].isna().all():
        return None
    latest = summary.groupby("project", sort=False).tail(1).fillna({"deliverable_type": "(none)"})
    table = SafeTable(title="Python code lines per deliverable type (each project's latest release)")
    for header in ("type", "deliverables", "repositories", "code", "test share"):
        table.add_column(header, justify="left" if header == "type" else "right")
    grouped = latest.groupby("deliverable_type")
    rows = sorted(grouped, key=lambda item: -int(item[1]["total_code"].sum()))
    for kind, rows_of in rows:
        code, test = int(rows_of["total_code"].sum()), int(rows_of["test_code"].sum())
        table.add_row(
            str(kind),
            f"{rows_of['deliverable'].nunique():,}",
            f"{len(rows_of):,}",
            f"{code:,}",
            share(test / code if code else None),
        )
    return table


def changes_table(top: pd.DataFrame, totals: pd.DataFrame, depth: int, measure: str = "code") -> Table:
    """The directories behind one release pair's change: added, removed, moved and net, test and non-test apart.

    ``top`` is :func:`loccount.release_diff.top_directories` for the pair; ``totals`` its
    whole-project flows (depth 0), shown as the last row.
    """
    table = SafeTable(title=f"Where the change came from: {measure} lines by directory (depth {depth})")
    table.add_column("directory", justify="left", overflow="fold")
    flows = shown_flows(totals)
    for category in (NON_TEST, TEST):
        for flow in flows:
            table.add_column(f"{category}\n{flow}", justify="right")

    def cells(values: dict[str, int]) -> list[str]:
        return [
            flow_text(flow, int(values.get(f"{category}_{flow}", 0))) for category in (NON_TEST, TEST) for flow in flows
        ]

    for _, row in top.iterrows():
        table.add_row(str(row["directory"]), *cells(row.to_dict()))
    whole = {f"{row['category']}_{flow}": int(row[flow]) for _, row in totals.iterrows() for flow in flows}
    table.add_row("all directories", *cells(whole), style="bold", end_section=True)
    return table


def comparison_lines(
    summary: pd.DataFrame, changes: pd.DataFrame, measure: str = "code", similarity: int = 50
) -> list[str]:
    """What a comparison says in words: totals and test share before and after, and how many files did what.

    ``summary`` holds the two releases' rows (:func:`loccount.table.release_summary`), first
    the one compared from.
    """
    old, new = summary.iloc[0], summary.iloc[1]
    before, after = int(old[f"total_{measure}"]), int(new[f"total_{measure}"])
    growth = f"{after - before:+,}" + (f", {100 * (after - before) / before:+.1f}%" if before else "")
    kinds = changes.drop_duplicates(["path", "old_path", "change"])["change"].value_counts()
    crossing = changes[changes["old_category"].notna() & (changes["category"] == changes["old_category"])]
    crossing = crossing[crossing["new_category"].notna() & (crossing["new_category"] != crossing["old_category"])]
    always = (Change.ADDED, Change.REMOVED, Change.MODIFIED, Change.MOVED)
    shown = [*always, *(kind for kind in (Change.UNREADABLE, Change.READABLE) if kinds.get(kind, 0))]
    files = ", ".join(f"{int(kinds.get(kind, 0)):,} {kind}" for kind in shown)
    return [
        f"{old['project']} {release_name(old['series'], old['version'])} -> "
        f"{release_name(new['series'], new['version'])}: {measure} lines {before:,} -> {after:,} ({growth}); "
        f"test share of code {share(old['test_share'])} -> {share(new['test_share'])}",
        f"files: {files} ({len(crossing):,} of them across test/non-test); "
        f"moved: git's rename detection, at least {similarity}% kept",
    ]
