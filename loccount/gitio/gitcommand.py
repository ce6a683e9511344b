"""How loccount runs git: the environment of every command, and the line of an error worth showing."""

from __future__ import annotations

from collections.abc import Sequence

import git

from loccount.gitio.urls import ALLOWED_SCHEMES

#: Environment for every git command loccount runs: no prompts, plain transports only, and
#: a transfer that stalls below 1 kB/s for two minutes is given up.
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GCM_INTERACTIVE": "never",
    "GIT_ALLOW_PROTOCOL": ":".join(sorted(ALLOWED_SCHEMES)),
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "http.lowSpeedLimit",
    "GIT_CONFIG_VALUE_0": "1000",
    "GIT_CONFIG_KEY_1": "http.lowSpeedTime",
    "GIT_CONFIG_VALUE_1": "120",
}


#: Lines of git's stderr that state a problem. The remote's and ssh's come before the local
#: consequences ("remote: fatal: unable to read <sha>", then "fatal: early EOF" and
#: "invalid index-pack output"), so the first of them is the cause.
_CAUSES = ("remote: fatal:", "remote: error:", "ssh:")
_PROBLEMS = ("fatal:", "error:")


def git_error(error: git.GitCommandError, other_lines: Sequence[str] = ()) -> str:
    """The line of git's stderr that says what went wrong first.

    GitPython keeps only ``error:`` and ``fatal:`` lines in a fetch's stderr; the other lines
    it saw (``other_lines`` of its progress handler) may hold the cause.
    """
    text = error.stderr if isinstance(error.stderr, str) else ""
    lines = [*other_lines, *text.replace("\r", "\n").splitlines()]
    lines = [line.replace("\0", "").strip().removeprefix("stderr:").strip(" '") for line in lines]
    lines = [line for line in lines if line]
    causes = [line for line in lines if line.startswith(_CAUSES)]
    problems = [line for line in lines if line.startswith(_PROBLEMS)]
    chosen = causes or problems or lines[-1:]
    return chosen[0] if chosen else f"git exited with status {error.status}"
