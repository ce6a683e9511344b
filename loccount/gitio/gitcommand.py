"""How loccount runs git: the environment of every command, and the line of an error worth showing."""

from __future__ import annotations

import os
from collections.abc import Sequence

import git

from loccount.gitio.urls import ALLOWED_SCHEMES

#: Configuration that could make git run a program, set for every command loccount runs so
#: that a repository's own config (``git config gpg.program ./evil.sh``) can never run one:
#: command-line-level settings (``GIT_CONFIG_KEY_n``) win over the repository's. No command
#: loccount runs needs any of them: it never verifies signatures, pages, checks out or runs
#: hooks, and diffs only names (with ``--no-ext-diff --no-textconv`` besides).
NO_PROGRAM = "/nonexistent/loccount-runs-no-program"
NEUTRAL_CONFIG = {
    # `git log` and `git show` verify a commit's signature with gpg.program when asked to
    "log.showSignature": "false",
    "gpg.program": NO_PROGRAM,
    "gpg.openpgp.program": NO_PROGRAM,
    "gpg.x509.program": NO_PROGRAM,
    "gpg.ssh.program": NO_PROGRAM,
    "gpg.ssh.defaultKeyCommand": NO_PROGRAM,
    # diff drivers and pagers
    "diff.external": NO_PROGRAM,
    "core.pager": "cat",
    "pager.log": "false",
    "pager.show": "false",
    "pager.diff": "false",
    # a work tree's file-system monitor, hooks, and what fetch or gc may run beside a transfer
    # (the user's own credential helpers and ssh command stay: they come from the user's config)
    "core.fsmonitor": "false",
    "core.hooksPath": "/dev/null",
    "core.alternateRefsCommand": NO_PROGRAM,
    "gc.auto": "0",
    "maintenance.auto": "false",
    "protocol.ext.allow": "never",
}
#: Environment for every git command loccount runs: no prompts, plain transports only, the
#: configuration above, and a transfer that stalls below 1 kB/s for two minutes is given up.
_CONFIG = {**NEUTRAL_CONFIG, "http.lowSpeedLimit": "1000", "http.lowSpeedTime": "120"}
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GCM_INTERACTIVE": "never",
    "GIT_ALLOW_PROTOCOL": ":".join(sorted(ALLOWED_SCHEMES)),
    "GIT_PAGER": "cat",
    "GIT_CONFIG_COUNT": str(len(_CONFIG)),
    **{f"GIT_CONFIG_KEY_{n}": key for n, key in enumerate(_CONFIG)},
    **{f"GIT_CONFIG_VALUE_{n}": value for n, value in enumerate(_CONFIG.values())},
}


#: Lines of git's stderr that state a problem. The remote's and ssh's come before the local
#: consequences ("remote: fatal: unable to read <sha>", then "fatal: early EOF" and
#: "invalid index-pack output"), so the first of them is the cause.
_CAUSES = ("remote: fatal:", "remote: error:", "ssh:")
_PROBLEMS = ("fatal:", "error:")


#: What is said when a repository's directory vanished under a run (``loccount cache clear
#: --mirrors`` beside it, say): git then prints its usage text or "not a git repository".
GONE = "the repository is gone (removed while loccount ran? `loccount cache clear --mirrors` removes mirrors)"


def git_error(error: git.GitCommandError, other_lines: Sequence[str] = (), repo: git.Repo | None = None) -> str:
    """The line of git's stderr that says what went wrong first.

    GitPython keeps only ``error:`` and ``fatal:`` lines in a fetch's stderr; the other lines
    it saw (``other_lines`` of its progress handler) may hold the cause. With ``repo``, a
    repository whose directory is gone is said to be gone: outside a repository git falls back
    to other modes (``git diff`` to ``--no-index``) and prints their usage, which names no cause.
    """
    if repo is not None and not os.path.isdir(repo.git_dir):
        return GONE
    text = error.stderr if isinstance(error.stderr, str) else ""
    lines = [*other_lines, *text.replace("\r", "\n").splitlines()]
    lines = [line.replace("\0", "").strip().removeprefix("stderr:").strip(" '") for line in lines]
    lines = [line for line in lines if line]
    if any(line.startswith("usage: ") for line in lines):
        return "git printed its usage text instead of an answer (is the repository still there?)"
    causes = [line for line in lines if line.startswith(_CAUSES)]
    problems = [line for line in lines if line.startswith(_PROBLEMS)]
    chosen = causes or problems or lines[-1:]
    return chosen[0] if chosen else f"git exited with status {error.status}"
