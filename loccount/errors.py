"""Errors a user can act on: the CLI prints each as one line and exits non-zero."""


class LoccountError(Exception):
    """Base of every error loccount reports without a traceback."""


class ConfigError(LoccountError):
    """The config file, or a command-line value, is invalid; the message names file and field."""


class UnsafeURLError(LoccountError):
    """A repository URL that could make git run a command or read an option."""


class RepositoryError(LoccountError):
    """A repository cannot be opened, cloned or fetched."""


class ReleaseError(LoccountError):
    """A release (tag, commit, series) cannot be resolved."""


class CacheError(LoccountError):
    """The count cache cannot be used; the message says how to recover."""


class EnvironmentFault(LoccountError):
    """The machine, not the input, made a step fail (disk full, no permission, out of memory).

    Never recorded as a fact about a file: the step's results are dropped, not cached, and
    the run stops with one line; running the same command again resumes.
    """


class OutputError(LoccountError):
    """An output file or directory cannot be written; counts already made stay cached."""
