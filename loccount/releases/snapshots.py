"""Dated snapshots of a branch: one release per month, quarter or year.

Each period is counted at the last commit of the branch's first-parent history (the commits
that landed on the branch itself) on or before the period's end, by committer date, in UTC.
Periods that end before the branch's first commit are skipped, and periods in which nothing
landed share the previous period's commit, so they are counted once, under the first
period's label.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import git

from loccount.errors import ConfigError, ReleaseError
from loccount.gitio.gitcommand import git_error
from loccount.releases.model import Release, ReleaseRule
from loccount.releases.tags import commit_date, parse_git_date

EVERY = ("month", "quarter", "year")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: its label and the first instant after it (UTC)."""

    label: str
    start: datetime
    after: datetime


def _start(day: date, every: str) -> date:
    if every == "year":
        return date(day.year, 1, 1)
    if every == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def _next(start: date, every: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(start: date, every: str) -> str:
    if every == "year":
        return f"{start.year}"
    if every == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def periods(every: str, since: date, until: date) -> list[Period]:
    """Every period from the one holding ``since`` to the one holding ``until``."""
    if every not in EVERY:
        raise ConfigError(f"--every: {every!r} is not one of {', '.join(EVERY)}")
    if since > until:
        raise ConfigError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    found = []
    start: date | None = _start(since, every)
    while start is not None and start <= until:
        try:
            after: date | None = _next(start, every)
        except ValueError:  # the period after December 9999: Python's dates end there
            after = None
        end = datetime(after.year, after.month, 1, tzinfo=UTC) if after else datetime.max.replace(tzinfo=UTC)
        found.append(Period(_label(start, every), datetime(start.year, start.month, 1, tzinfo=UTC), end))
        start = after
    return found


def default_branch(repo: git.Repo) -> str:
    """The branch ``HEAD`` names (a mirror's HEAD follows the remote's default branch)."""
    try:
        return repo.git.symbolic_ref("--quiet", "--short", "HEAD")
    except git.GitCommandError:
        raise ReleaseError(f"{repo.git_dir}: HEAD is not on a branch; name one with --branch") from None


def branch_commit(repo: git.Repo, branch: str) -> str:
    """The commit at the tip of ``branch`` (a local branch, or the origin's in a clone)."""
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        try:
            return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        except git.GitCommandError:
            continue
    names = [
        ref.name.removeprefix("origin/")
        for ref in repo.references
        if ref.path.startswith(("refs/heads/", "refs/remotes/origin/"))
    ]
    close = difflib.get_close_matches(branch, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""
    raise ReleaseError(f"{repo.git_dir}: no branch {branch!r}{hint}")


def first_parent_history(repo: git.Repo, commit: str, notes: list[str] | None = None) -> list[tuple[str, datetime]]:
    """The commits of ``commit``'s first-parent history, newest first, with committer dates."""
    try:
        output = repo.git.log("--first-parent", "--format=%H %cI", commit, "--")
    except git.GitCommandError as error:
        reason = git_error(error, repo=repo)
        raise ReleaseError(f"{repo.git_dir}: cannot read the history of {commit}: {reason}") from None
    history = []
    for line in output.splitlines():
        sha, _, stamp = line.partition(" ")
        when = parse_git_date(stamp, f"commit {sha}", notes)
        if when is not None:
            history.append((sha, when))
    return history


def resolve_snapshots(
    repo: git.Repo,
    project: str,
    every: str,
    *,
    since: date | None = None,
    until: date | None = None,
    branch: str | None = None,
    notes: list[str] | None = None,
) -> list[Release]:
    """One release per period of ``branch`` (default: the repository's default branch), oldest first."""
    branch = branch or default_branch(repo)
    history = first_parent_history(repo, branch_commit(repo, branch), notes)
    if not history:
        raise ReleaseError(f"{project}: branch {branch!r} has no dated commits")
    first = min(when for _sha, when in history)
    chosen = periods(every, since or first.astimezone(UTC).date(), until or datetime.now(UTC).date())
    releases: list[Release] = []
    skipped: list[str] = []
    shared: list[str] = []
    for period in chosen:
        found = next(((sha, when) for sha, when in history if when < period.after), None)
        if found is None:
            skipped.append(period.label)
        elif releases and releases[-1].commit == found[0]:
            shared.append(period.label)
        else:
            releases.append(Release(project, period.label, None, found[0], found[1], rule=ReleaseRule.SNAPSHOT))
    if not releases:
        raise ReleaseError(
            f"{project}: no commit on {branch!r} on or before the end of any period from "
            f"{chosen[0].label} to {chosen[-1].label} (its first commit is from {first.date().isoformat()})"
        )
    if notes is not None and skipped:
        notes.append(f"{project}: {_span(skipped)} skipped: no commit on {branch!r} yet by the end of the period")
    if notes is not None and shared:
        notes.append(f"{project}: nothing landed on {branch!r} in {_span(shared)}; counted once with the period before")
    return releases


def _span(labels: list[str]) -> str:
    """``2013-02``, ``2013-02, 2013-05``, or ``13 periods (2013-06, 2014-02, ..., 2026-11)``."""
    if len(labels) <= 3:
        return ", ".join(labels)
    return f"{len(labels)} periods ({', '.join(labels[:2])}, ..., {labels[-1]})"


def resolve_tip(repo: git.Repo, project: str, branch: str | None = None, notes: list[str] | None = None) -> Release:
    """The tip of ``branch`` (default: the default branch), labelled with the branch and its date."""
    branch = branch or default_branch(repo)
    commit = branch_commit(repo, branch)
    when = commit_date(repo, commit, notes)
    label = f"{branch}@{when.astimezone(UTC).date().isoformat()}" if when else branch
    return Release(project, label, None, commit, when, rule=ReleaseRule.BRANCH_TIP)
