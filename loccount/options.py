"""What every entry point that opens repositories and counts needs: one record, passed along whole."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loccount.counting.cache import mirrors_dir, resolve_cache_dir
from loccount.gitio.partial import CloneMode

if TYPE_CHECKING:
    from loccount.counting.engine import CountProgress, EngineOptions
    from loccount.gitio.mirror import FetchStatus


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Where the cache and mirrors are, how to clone, whether to fetch first, how to count and whom to tell."""

    cache_dir: str | os.PathLike[str] | None = None
    refresh: bool = False
    #: How a new mirror is cloned (an existing one keeps its mode): every object, or blobless;
    #: None: as the config says (``clone:``), else every object.
    clone: CloneMode | None = None

    @property
    def clone_mode(self) -> CloneMode:
        return self.clone or CloneMode.FULL

    engine: EngineOptions | None = None
    progress: CountProgress | None = None
    status: FetchStatus | None = None

    @property
    def cache(self) -> Path:
        """The cache directory: ``cache_dir``, else ``$LOCCOUNT_CACHE``, else the user cache dir."""
        return resolve_cache_dir(self.cache_dir)

    @property
    def mirrors(self) -> Path:
        return mirrors_dir(self.cache)


#: Options for a library call that sets none: the default cache, no refresh, a local pool, quiet.
DEFAULT_OPTIONS = RunOptions()
