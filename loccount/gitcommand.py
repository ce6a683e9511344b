"""How loccount runs git: the environment of every command, and the line of an error worth showing."""

from __future__ import annotations

import git

from .urls import ALLOWED_SCHEMES

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


def git_error(error: git.GitCommandError) -> str:
    """The line of git's stderr that says what went wrong."""
    text = error.stderr if isinstance(error.stderr, str) else ""
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    lines = [line.removeprefix("stderr:").strip(" '") for line in lines]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return meaningful[-1] if meaningful else f"git exited with status {error.status}"
