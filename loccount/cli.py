"""The ``loccount`` command: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from loccount.counting import cache as cache_store
from loccount.counting.count import DEFAULT_MAX_BLOB_BYTES
from loccount.counting.sources import BlobSource
from loccount.errors import LoccountError
from loccount.gitio.partial import CloneMode

#: Wide enough for the release table when output goes to a file or pipe; a terminal sets its own.
PIPE_WIDTH = 160
# A run started with stdout or stderr closed (`loccount count r >&-`) still writes its files;
# what it would have printed goes nowhere instead of ending in a traceback.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w"))  # noqa: SIM115 - for the life of the process
# markup=False: names, tags and paths from repositories are shown as they are, never as markup.
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH, markup=False)
err = Console(stderr=True, width=None if sys.stderr.isatty() else PIPE_WIDTH, markup=False)


def _flag(label: str, style: str, message: str) -> None:
    """A styled label, then the message as text (it may hold repository text: never markup, and
    nothing a terminal would act on)."""
    from loccount.terminal import visible

    err.print(Text.assemble((label, style), visible(message)), highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 1) -> None:
    _flag("loccount: error: ", "bold red", message)
    sys.exit(code)


cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="LOCCOUNT_CACHE",
    help="Where mirrors and the count cache live (default: the user cache dir; env LOCCOUNT_CACHE).",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Counting processes (default: one per core)."
)
refresh_option = click.option("--refresh", is_flag=True, help="Fetch new tags into existing mirrors first.")
clone_option = click.option(
    "--clone",
    type=click.Choice([mode.value for mode in CloneMode]),
    help="How a new mirror is cloned: every object, or partial (commits and trees; only the blobs counted "
    "are fetched, in bulk). Default: the config's clone, else full. An existing mirror keeps its mode.",
)


def languages_option(function: Any) -> Any:
    """``--language NAME`` (repeatable) and ``--languages all|everything|NAME,...``: which languages to count."""
    function = click.option(
        "--languages",
        "language_words",
        metavar="all|everything|NAMES",
        help="Count every programming language (all), every language pygount knows (everything), "
        "or these comma-separated languages. Default: the config's, else Python.",
    )(function)
    return click.option(
        "--language",
        "language_names",
        multiple=True,
        metavar="NAME",
        help="Count this language, by pygount's name or an alias: rust, go, python (repeatable).",
    )(function)


def _selection(names: tuple[str, ...], words: str | None) -> Any:
    """The languages asked for on the command line, or None to keep the config's (or Python)."""
    if not names and not words:
        return None
    from loccount.errors import ConfigError
    from loccount.languages.lexers import resolve
    from loccount.languages.selection import parse_selection

    try:
        return parse_selection([*names, *([words] if words else [])], resolve)
    except ValueError as error:
        raise ConfigError(f"--language: {error}") from None


plain_option = click.option(
    "--plain",
    is_flag=True,
    help="Count with pygount's and Pygments' own code only, no fast path (same counts, slower).",
)
scheduler_option = click.option(
    "--scheduler",
    envvar="LOCCOUNT_SCHEDULER",
    help="Count on this Dask cluster, e.g. tcp://host:8786 (env LOCCOUNT_SCHEDULER; needs loccount[dask]).",
)


def worker_blobs_option(function: Any) -> Any:
    """``--worker-blobs client|shared|own`` and ``--worker-mirrors DIR``: who reads the blobs a pool counts."""
    function = click.option(
        "--worker-mirrors",
        envvar="LOCCOUNT_WORKER_MIRRORS",
        help="With --worker-blobs own: the mirrors directory on each worker, an absolute path "
        "(default: the worker's own cache dir; env LOCCOUNT_WORKER_MIRRORS).",
    )(function)
    return click.option(
        "--worker-blobs",
        type=click.Choice([source.value for source in BlobSource]),
        default=BlobSource.CLIENT.value,
        show_default=True,
        envvar="LOCCOUNT_WORKER_BLOBS",
        help="Who reads blobs from git: this process, shipping their bytes (client); the workers, from the "
        "repository path this process uses, which they must see too (shared); or the workers, from mirrors "
        "of their own cloned from each repository's URL (own). Env LOCCOUNT_WORKER_BLOBS.",
    )(function)


def _blob_source(worker_blobs: str, worker_mirrors: str | None) -> dict[str, Any]:
    """The engine options for ``--worker-blobs`` and ``--worker-mirrors``, checked."""
    from loccount.errors import ConfigError

    source = BlobSource(worker_blobs)
    if worker_mirrors is not None and source is not BlobSource.OWN:
        raise ConfigError("--worker-mirrors goes with --worker-blobs own")
    if worker_mirrors is not None and not os.path.isabs(worker_mirrors):
        raise ConfigError(
            f"--worker-mirrors {worker_mirrors!r}: give an absolute path (it names a directory on each worker)"
        )
    return {"blob_source": source, "worker_mirrors": worker_mirrors}


max_blob_option = click.option(
    "--max-blob-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BLOB_BYTES,
    show_default=True,
    help="Files larger than this are recorded with state 'huge' instead of being counted.",
)


@contextlib.contextmanager
def _executor(scheduler: str | None, jobs: int | None) -> Iterator[tuple[Any, int | None]]:
    """A Dask executor when a scheduler is given, else None (the engine's local process pool)."""
    if not scheduler:
        yield None, jobs
        return
    from loccount.counting.cluster import dask_executor

    with dask_executor(scheduler) as (executor, threads):
        err.print(f"counting on the Dask cluster at {scheduler} ({threads} worker threads)", highlight=False)
        yield executor, threads


def _options(
    cache_dir: Path | None, refresh: bool, engine: Any = None, progress: Any = None, clone: str | None = None
) -> Any:
    """The run options every command shares, with clone and fetch progress shown on stderr."""
    from loccount.options import RunOptions
    from loccount.terminal import FetchLines

    status = FetchLines(err)
    mode = CloneMode(clone) if clone else None
    return RunOptions(cache_dir=cache_dir, refresh=refresh, clone=mode, engine=engine, progress=progress, status=status)


class OneLineErrors(click.Group):
    """The one error layer: loccount's errors, usage errors (an unknown option, a bad value) and
    an interrupt each end as one line and a non-zero exit, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except LoccountError as error:
            _fail(str(error))
        except KeyboardInterrupt:
            _fail("interrupted; counts finished so far are cached, run the same command to resume", 130)
        except click.exceptions.NoArgsIsHelpError as error:  # bare `loccount`: its help, not an error
            click.echo(error.ctx.get_help() if error.ctx is not None else error.format_message())
            sys.exit(0)
        except click.ClickException as error:
            context = getattr(error, "ctx", None)
            where = f" (see {context.command_path} --help)" if context is not None else ""
            _fail(f"{error.format_message()}{where}", error.exit_code)
        except click.Abort:
            _fail("aborted", 130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loccount")
def main() -> None:
    """Count a codebase's lines per release (Python, or any language), test vs non-test vs vendored, with pygount."""


@main.command(short_help="Count one repository at tags, commits, tag patterns or dated snapshots.")
@click.argument("target")
@click.option("--tag", "tags", multiple=True, help="A release tag or commit to count (repeatable).")
@click.option("--tags-matching", help="Count every tag whose whole name matches this regular expression.")
@click.option(
    "--every",
    type=click.Choice(["month", "quarter", "year"]),
    help="Also count a snapshot per period: the branch's last commit on or before each period's end.",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First snapshot period (default: the first commit).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last snapshot period (default: today).")
@click.option("--branch", help="Branch for snapshots and the tip (default: the repository's default branch).")
@click.option("--name", help="Project name in the output (default: from TARGET; see the README).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the tidy table.")
@click.option("--by-file", type=click.Path(dir_okay=False, path_type=Path), help="Write one row per file per release.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the HTML report (overview and project page) and its tables into this directory.",
)
@click.option(
    "--changes", type=click.Path(dir_okay=False, path_type=Path), help="Write the per-file changes between releases."
)
@click.option(
    "--test-rule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file overriding the test/non-test rule (fields of TestRule).",
)
@languages_option
@jobs_option
@scheduler_option
@worker_blobs_option
@max_blob_option
@cache_dir_option
@refresh_option
@clone_option
@plain_option
def count(
    target: str,
    tags: tuple[str, ...],
    tags_matching: str | None,
    every: str | None,
    since: datetime | None,
    until: datetime | None,
    branch: str | None,
    name: str | None,
    csv_path: Path | None,
    by_file: Path | None,
    report_dir: Path | None,
    changes: Path | None,
    test_rule: Path | None,
    language_names: tuple[str, ...],
    language_words: str | None,
    jobs: int | None,
    scheduler: str | None,
    worker_blobs: str,
    worker_mirrors: str | None,
    max_blob_bytes: int,
    cache_dir: Path | None,
    refresh: bool,
    clone: str,
    plain: bool,
) -> None:
    """Count TARGET (a git URL or a local repository) at tags, matching tags or dated snapshots.

    With none of these, the tip of the default branch (or --branch) is counted.

    \b
    Examples:
      loccount count https://github.com/pallets/flask
      loccount count https://opendev.org/openstack/nova --tag 2014.2 --tag 2015.1.0
      loccount count ../swift --tags-matching '2\\.\\d+\\.0' --csv swift.csv
      loccount count ../requests --every year --since 2012-01-01 --report requests-report
    """
    from loccount.classify import DEFAULT_RULE
    from loccount.counting.engine import EngineOptions
    from loccount.languages.selection import DEFAULT_SELECTION
    from loccount.pipeline import count_repository
    from loccount.report.atomic import check_directory, check_writable
    from loccount.report.outputs import write_csv, write_outputs
    from loccount.terminal import BlobProgress, release_tables

    languages = _selection(language_names, language_words) or DEFAULT_SELECTION
    rule = DEFAULT_RULE
    if test_rule:
        from loccount.config import load_rule  # YAML and the config models: only for a rule file

        rule = load_rule(test_rule)
    for path in (csv_path, by_file, changes):
        if path:
            check_writable(path)
    if report_dir:
        check_directory(report_dir)
    sources = _blob_source(worker_blobs, worker_mirrors)
    with _executor(scheduler, jobs) as (executor, workers), BlobProgress(err) as progress:
        engine = EngineOptions(jobs=workers, executor=executor, max_blob_bytes=max_blob_bytes, plain=plain, **sources)
        options = _options(cache_dir, refresh, engine, progress, clone)
        result = count_repository(
            target,
            tags,
            tags_matching,
            every=every,
            since=since.date() if since else None,
            until=until.date() if until else None,
            branch=branch,
            project=name,
            rule=rule,
            languages=languages,
            options=options,
            with_changes=bool(changes or report_dir),
        )
    for note in result.provenance.notes:
        _flag("note: ", "yellow", note)
    # Files first, then the table: a reader that closes stdout early (`| head`) loses no file.
    written: list[Path] = []
    for path, frame in ((csv_path, result.tidy), (by_file, result.files), (changes, result.changes)):
        if path:
            write_csv(frame, path)
            written.append(path)
    if report_dir:
        written += write_outputs(result, report_dir, images=False, say=_note)
    for table in release_tables(result.tidy):
        out.print(table, markup=False, highlight=False)
    out.print(_rules_line(result.provenance))
    for path in written:
        err.print(f"wrote {path}", highlight=False)
    _say_uncounted(result.uncounted)


def _rules_line(provenance: Any) -> str:
    """pygount's version, and each rule by its name with the languages it took (the whole rule is in provenance)."""
    rules = []
    for described in provenance.test_rules:
        name, _, rest = described.partition(":")
        languages = rest.rsplit("; languages=", 1)[1] if "; languages=" in rest else ""
        rules.append(f"{name} (README: Test or non-test)" + (f", languages {languages}" if languages else ""))
    return f"pygount {provenance.pygount}; test rule {'; '.join(dict.fromkeys(rules))}"


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="repos.yaml",
    show_default=True,
    help="The project list and release selection.",
)
series_option = click.option(
    "--series", "series", multiple=True, help="Only this series, by name or release id (repeatable)."
)
project_option = click.option("--project", "projects", multiple=True, help="Only this project (repeatable).")


@main.command(short_help="Print the version, tag and commit each project shipped per series.")
@config_option
@project_option
@series_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@cache_dir_option
@refresh_option
@clone_option
def releases(
    config_path: Path,
    projects: tuple[str, ...],
    series: tuple[str, ...],
    fmt: str,
    cache_dir: Path | None,
    refresh: bool,
    clone: str,
) -> None:
    """Print which version, tag and commit each project shipped in each series, without counting."""
    from loccount.config import load_config
    from loccount.runs import plan_config
    from loccount.tables.tidy import releases_frame
    from loccount.terminal import releases_table

    config = load_config(config_path)
    chosen = plan_config(config, series=series, projects=projects, options=_options(cache_dir, refresh, clone=clone))
    frame = releases_frame(chosen.all_releases())
    if fmt == "table":
        out.print(releases_table(frame))
        count = int(frame["project"].nunique())
        out.print(f"{_plural(len(frame), 'release')} of {_plural(count, 'project')}")
    elif fmt == "csv":
        from loccount.report.outputs import csv_text

        click.echo(csv_text(frame), nl=False)
    else:
        from loccount.report.outputs import json_text

        click.echo(json_text(frame))
    _report_failures(chosen.failures, chosen.notes)


@main.command(short_help="Count every configured project at every selected series; write the report.")
@config_option
@project_option
@series_option
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="Output directory (default: the config's)."
)
@click.option("--by-file", is_flag=True, help="Also write files.csv, one row per file per release.")
@click.option("--no-report", is_flag=True, help="Write the CSVs only, not the HTML report.")
@click.option("--no-images", is_flag=True, help="Skip the PNG/SVG headline images.")
@languages_option
@jobs_option
@scheduler_option
@worker_blobs_option
@cache_dir_option
@refresh_option
@clone_option
@plain_option
def run(
    config_path: Path,
    projects: tuple[str, ...],
    series: tuple[str, ...],
    output: Path | None,
    by_file: bool,
    no_report: bool,
    no_images: bool,
    language_names: tuple[str, ...],
    language_words: str | None,
    jobs: int | None,
    scheduler: str | None,
    worker_blobs: str,
    worker_mirrors: str | None,
    cache_dir: Path | None,
    refresh: bool,
    clone: str,
    plain: bool,
) -> None:
    """Count every configured project at every selected series and write the tables to the output dir."""
    from loccount.config import load_config, output_dir
    from loccount.counting.engine import EngineOptions
    from loccount.report.atomic import check_directory
    from loccount.report.outputs import write_outputs
    from loccount.runs import count_config
    from loccount.terminal import BlobProgress, projects_table, types_table

    config = load_config(config_path)
    target = output or output_dir(config, config_path)
    check_directory(target)
    sources = _blob_source(worker_blobs, worker_mirrors)
    with _executor(scheduler, jobs) as (executor, workers), BlobProgress(err) as progress:
        engine = EngineOptions(
            jobs=workers, executor=executor, max_blob_bytes=config.max_blob_bytes, plain=plain, **sources
        )
        options = _options(cache_dir, refresh, engine, progress, clone)
        analysis = count_config(
            config,
            series=series,
            projects=projects,
            options=options,
            with_changes=True,
            languages=_selection(language_names, language_words),
        )
    if analysis.result is not None:
        written = write_outputs(
            analysis.result,
            target,
            by_file=by_file,
            report=not no_report,
            images=not no_images,
            title=config.title,
            say=_note,
        )
        out.print(projects_table(analysis.result.summary))
        by_type = types_table(analysis.result.summary)
        if by_type is not None and config.deliverables is not None:
            out.print(by_type)
        for path in written:
            err.print(f"wrote {path}", highlight=False)
        _say_uncounted(analysis.result.uncounted)
        for note in analysis.result.provenance.notes[len(analysis.plan.notes) :]:
            _flag("note: ", "yellow", note)
    if config.deliverables is not None:
        out.print(analysis.outcomes().line(), highlight=False)
    _report_failures(analysis.failures, analysis.plan.notes)


@main.command(short_help="Rebuild the HTML report from the tables a run wrote, without counting.")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@config_option
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Report directory.")
@click.option("--no-images", is_flag=True, help="Skip the PNG/SVG headline images.")
@click.option("--language", help="The report of one counted language (default: all the tables hold).")
@click.pass_context
def report(
    context: click.Context,
    directory: Path | None,
    config_path: Path,
    output: Path | None,
    no_images: bool,
    language: str | None,
) -> None:
    """Rebuild the HTML report and wide CSV from the tables the last run wrote, without counting.

    DIRECTORY is a report directory (one `count --report` or `run` wrote); without it, the
    config's output directory. A config is read only when one is given or DIRECTORY is not.
    """
    from loccount.config import load_config, output_dir
    from loccount.errors import ConfigError
    from loccount.report.outputs import load_changes, load_report_input, load_uncounted, write_report

    if directory is not None and output is not None:
        raise ConfigError("report: give DIRECTORY or --output, not both")
    given = context.get_parameter_source("config_path") is not click.core.ParameterSource.DEFAULT
    config = load_config(config_path) if directory is None or given else None
    if directory is not None:
        target = directory
    elif config is not None:
        target = output or output_dir(config, config_path)
    tidy, areas, provenance = load_report_input(target)
    report = write_report(
        tidy,
        areas,
        provenance,
        target,
        images=not no_images,
        title=config.title if config is not None else None,
        say=_note,
        changes=load_changes(target),
        uncounted=load_uncounted(target),
        language=_language_name(language) if language else None,
    )
    for path in report:
        err.print(f"wrote {path}", highlight=False)


def _language_name(name: str) -> str:
    from loccount.errors import ConfigError
    from loccount.languages.lexers import resolve

    try:
        return resolve(name)
    except ValueError as error:
        raise ConfigError(f"--language: {error}") from None


def _say_uncounted(uncounted: Any) -> None:
    """The last word of a count: the files whose lines are missing from the totals, if any."""
    from loccount.tables.tidy import uncounted_note

    note = uncounted_note(uncounted)
    if note:
        _flag("note: ", "yellow", note)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _note(message: str) -> None:
    err.print(message, highlight=False)


def _report_failures(failures: dict[str, str], notes: list[str]) -> None:
    for note in notes:
        _flag("note: ", "yellow", note)
    if failures:
        for project, message in failures.items():
            _flag("failed: ", "bold red", f"{project}: {message}")
        _fail(f"{len(failures)} project(s) failed: {', '.join(failures)}; the others were counted")


@main.command(short_help="Where the change between two releases came from, by directory.")
@click.argument("target", required=False)
@click.argument("old", metavar="FROM", required=False)
@click.argument("new", metavar="TO", required=False)
@config_option
@click.option("--project", help="Compare this configured project (with --from and --to) instead of TARGET.")
@click.option("--from", "from_name", help="With --project: the release to compare from (series, version or tag).")
@click.option("--to", "to_name", help="With --project: the release to compare to (series, version or tag).")
@click.option("--name", help="With TARGET: project name in the output (default: as for count).")
@click.option("--depth", type=click.IntRange(min=1), default=2, show_default=True, help="Directory levels to group by.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Directories to show.")
@click.option(
    "--measure",
    type=click.Choice(["code", "lines"]),
    default="code",
    show_default=True,
    help="Count code lines, or all lines (code, documentation, empty and string).",
)
@click.option(
    "--similarity",
    type=click.IntRange(1, 100),
    default=50,
    show_default=True,
    help="A file at a new path is moved if it keeps this percentage of an old one (git's rename detection).",
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the per-file changes.")
@click.option(
    "--test-rule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With TARGET: YAML file overriding the test/non-test rule (a config has its own).",
)
@languages_option
@jobs_option
@cache_dir_option
@refresh_option
@clone_option
def diff(
    target: str | None,
    old: str | None,
    new: str | None,
    config_path: Path,
    project: str | None,
    from_name: str | None,
    to_name: str | None,
    name: str | None,
    depth: int,
    top: int,
    measure: str,
    similarity: int,
    csv_path: Path | None,
    test_rule: Path | None,
    language_names: tuple[str, ...],
    language_words: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    refresh: bool,
    clone: str,
) -> None:
    """Where the change between two releases came from: directories added to, removed from and moved.

    FROM may be the newer release: the change is then negative. Moves are git's own rename
    detection; a moved file's lines are not growth, only what changed in it.

    \b
    Examples:
      loccount diff ../nova 2014.2 2015.1.0 --depth 3
      loccount diff --config repos.yaml --project nova --from juno --to kilo
    """
    from loccount.classify import DEFAULT_RULE
    from loccount.config import load_config, load_rule
    from loccount.counting.engine import EngineOptions
    from loccount.errors import ConfigError
    from loccount.languages.selection import DEFAULT_SELECTION
    from loccount.pipeline import compare_repository
    from loccount.report.atomic import check_writable
    from loccount.report.outputs import write_csv
    from loccount.runs import compare_config
    from loccount.terminal import BlobProgress, changes_table, comparison_lines, visible

    usage = "diff: give TARGET FROM TO, or --project with --from and --to"
    languages = _selection(language_names, language_words)
    if csv_path:
        check_writable(csv_path)
    with BlobProgress(err) as progress:
        options = _options(cache_dir, refresh, EngineOptions(jobs=jobs), progress, clone)
        if project is not None:
            if target is not None or from_name is None or to_name is None:
                raise ConfigError(f"{usage} (not both)")
            if test_rule is not None or name is not None:
                raise ConfigError("diff: --test-rule and --name go with TARGET; a config names its projects and rules")
            config = load_config(config_path)
            comparison = compare_config(
                config, project, from_name, to_name, options=options, similarity=similarity, languages=languages
            )
        else:
            if target is None or old is None or new is None or from_name or to_name:
                raise ConfigError(usage)
            rule = load_rule(test_rule) if test_rule else DEFAULT_RULE
            comparison = compare_repository(
                target,
                old,
                new,
                project=name,
                rule=rule,
                options=options,
                similarity=similarity,
                languages=languages or DEFAULT_SELECTION,
            )
    if csv_path:  # before the table: a reader that closes stdout early (`| head`) loses no file
        write_csv(comparison.changes, csv_path)
    for line in comparison_lines(comparison.summary, comparison.changes, measure, similarity):
        out.print(visible(line), highlight=False)
    table = changes_table(comparison.directories(depth, measure, top), comparison.totals(measure), depth, measure)
    out.print(table)
    if csv_path:
        err.print(f"wrote {csv_path}", highlight=False)
    for note in comparison.result.provenance.notes:
        _flag("note: ", "yellow", note)
    _say_uncounted(comparison.result.uncounted)


@main.command(short_help="List the languages pygount knows: kind, and loccount's test conventions.")
@click.option("--kind", "kinds", multiple=True, help="Only languages of this Linguist kind (repeatable).")
def languages(kinds: tuple[str, ...]) -> None:
    """Every language pygount can report, with GitHub Linguist's kind (``--languages all`` takes the
    programming ones) and the test conventions loccount applies to it by default."""
    from loccount.classify import DEFAULT_RULE
    from loccount.errors import ConfigError
    from loccount.languages.kinds import LanguageKind
    from loccount.languages.lexers import known
    from loccount.terminal import SafeTable

    wanted = set()
    for value in kinds:
        try:
            wanted.add(LanguageKind(value.lower()))
        except ValueError:
            names = ", ".join(k.value for k in LanguageKind)
            raise ConfigError(f"--kind: unknown kind {value!r}; one of {names}") from None
    table = SafeTable(title="Languages pygount knows")
    for header in ("language", "kind", "aliases", "file names", "test conventions"):
        table.add_column(header)
    shown = 0
    for language in sorted(
        known().values(), key=lambda item: (item.kind != LanguageKind.PROGRAMMING, item.name.lower())
    ):
        if wanted and language.kind not in wanted:
            continue
        conventions = DEFAULT_RULE.languages.get(language.name)
        rules = (
            [*conventions.tests, *([f"content: {conventions.content}"] if conventions.content else [])]
            if conventions
            else []
        )
        table.add_row(
            language.name,
            language.kind,
            ", ".join(language.aliases[:4]),
            " ".join(language.patterns[:5]),
            " ".join(rules),
        )
        shown += 1
    out.print(table)
    out.print(f"{shown} languages; every language also takes the shared test rule (README: Test or non-test)")


@main.group()
def cache() -> None:
    """Show or clear the count cache and mirrors."""


@cache.command("info")
@cache_dir_option
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is, what it holds, and whether SQLite finds it intact."""
    from loccount.terminal import cache_lines

    for line in cache_lines(cache_store.cache_info(cache_dir)):
        out.print(line, highlight=False)


@cache.command("clear")
@click.option("--mirrors", is_flag=True, help="Also delete the repository mirrors.")
@cache_dir_option
def cache_clear(mirrors: bool, cache_dir: Path | None) -> None:
    """Delete the count database (and with --mirrors the mirrors); everything is rebuilt on demand."""
    directory = cache_store.resolve_cache_dir(cache_dir)
    removed = cache_store.clear(directory, mirrors=mirrors)
    out.print(f"removed {len(removed)} item(s) from {directory}")


#: Cyclic-GC thresholds for the ``loccount`` process (Python's defaults: 700, 10, 10).
PROCESS_GC_THRESHOLDS = (50_000, 20, 20)


def entry() -> None:
    """The console script: ``main`` in a short-lived process of its own, with the collector tuned.

    A run builds hundreds of thousands of long-lived objects (tree listings, cached counts,
    table rows) and next to no reference cycles, so at the default thresholds the collector
    re-scans them again and again for nothing, and once more as the process ends: together
    about 0.3 s of a 1.2 s warm run of nova's 33 releases. Reference counting still
    frees everything at once, and cycles are still collected, only rarely. ``main`` itself,
    run in-process by tests or other programs, leaves the collector alone.
    """
    gc.set_threshold(*PROCESS_GC_THRESHOLDS)
    try:
        main()
    finally:
        gc.freeze()  # the process ends now: no last scan of every object (atexit still runs)


if __name__ == "__main__":
    entry()
