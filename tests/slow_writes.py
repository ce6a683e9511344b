"""The loccount command with every atomic write slowed down, so a test can kill it mid-write.

Each file's text goes out in 4 KiB pieces with a pause after each, so a test that sees a
temporary file appear knows the writer is inside that write when it kills it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from loccount.report import atomic

_ATOMIC_WRITE = atomic.atomic_write


class _SlowStream:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        for start in range(0, len(text), 4096):
            self._stream.write(text[start : start + 4096])
            self._stream.flush()
            time.sleep(0.1 if start == 0 else 0.004)  # every file stays half-written long enough to be seen
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _slow_atomic_write(path: Path, write: Callable[[IO[str]], None]) -> Path:
    return _ATOMIC_WRITE(path, lambda stream: write(_SlowStream(stream)))  # type: ignore[arg-type]


if __name__ == "__main__":
    atomic.atomic_write = _slow_atomic_write  # before the CLI imports it by name
    from loccount.cli import main

    main()
