"""A SQLite store of per-blob counts: blob sha + file name + counter fingerprint -> counts.

It also keeps each counted commit's tree listing, so a warm run needs no ``git ls-tree``.

A blob id names its content, so its counts never change for a given fingerprint (pygount,
Pygments and Python versions plus counting options): each blob is counted once, ever.
Writes are committed batch by batch in WAL mode, so a killed run keeps what it finished and
several runs can share one cache. Any SQLite corruption surfaces as a one-line
:class:`CacheError` that says how to recover; a cache that cannot be written (read-only,
full, no permission) is told apart from a damaged one, since clearing it would not help.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from loccount.counting.filecount import FileCount, FileState
from loccount.counting.inline import BY_LANGUAGE
from loccount.errors import CacheError, EnvironmentFault
from loccount.gitio.entries import TreeEntry
from loccount.gitio.tree import decode_entries

#: What a row of the trees table decodes to (a listing, or a commit's Linguist marks).
T = TypeVar("T")

SCHEMA_VERSION = 1
DB_NAME = "counts.sqlite3"
#: A full commit id (SHA-1 or SHA-256): the only key a tree listing is cached under.
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
MIRRORS = "mirrors"
_CHUNK = 500
_SELECT = "SELECT sha, name, state, language, code, documentation, empty, string, state_info FROM counts"
_SELECT_TREES = "SELECT commit_sha, entries FROM trees"
#: The key the trees table keeps each commit's Linguist attributes under (beside its listings).
MARKS = "linguist-attributes"
_SELECT_INLINE = "SELECT sha, name, method, code, documentation, empty, string FROM inline_tests"

Key = tuple[str, str]  # (blob sha, file name)
#: SQLite result codes (and their extended forms) that say the file cannot be opened or
#: written here, which is not damage: READONLY, CANTOPEN, PERM, IOERR, FULL, BUSY, LOCKED.
_CANNOT_WRITE = tuple(
    f"SQLITE_{name}" for name in ("READONLY", "CANTOPEN", "PERM", "IOERR", "FULL", "BUSY", "LOCKED", "AUTH")
)


def _stored_name(name: str) -> str:
    """File names are stored as text; one with undecodable bytes as a NUL-marked hex form (NUL
    cannot occur in a git path, so the mapping stays one-to-one)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "\0" + name.encode("utf-8", "surrogateescape").hex()
    return name


def _decode_marks(data: object) -> dict[str, bool] | None:
    try:
        marks = json.loads(zlib.decompress(data)) if isinstance(data, bytes) else None
    except (zlib.error, ValueError):
        return None
    if not isinstance(marks, dict) or not all(isinstance(k, str) and type(v) is bool for k, v in marks.items()):
        return None
    return marks


def _values(count: FileCount) -> tuple[int, int, int, int]:
    return count.code, count.documentation, count.empty, count.string


def resolve_cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else ``$LOCCOUNT_CACHE``, else the platform's user cache directory."""
    chosen = explicit or os.environ.get("LOCCOUNT_CACHE") or platformdirs.user_cache_dir("loccount")
    return Path(chosen).expanduser().resolve()


def mirrors_dir(cache_dir: Path) -> Path:
    """Where the repository mirrors live in a cache directory, beside the count database."""
    return cache_dir / MIRRORS


def ensure_cache_dir(directory: Path) -> Path:
    """Create the cache directory, or fail with one line that says why it cannot be used."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CacheError(f"{directory}: the cache directory is a file; choose another --cache-dir") from None
    except OSError as error:
        raise CacheError(f"{directory}: cannot create the cache directory: {error.strerror or error}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CacheError(f"{directory}: cannot write the cache directory (read-only?); choose another --cache-dir")
    return directory


def cannot_write(error: sqlite3.Error) -> bool:
    """Whether SQLite failed because the file cannot be opened or written here, not because it is damaged."""
    return getattr(error, "sqlite_errorname", "").startswith(_CANNOT_WRITE)


class CountCache:
    """Counts by ``(fingerprint, sha, name)``; usable from several processes at once."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / DB_NAME
        #: Rows read that could not be what they claim (an edited or damaged database): each is
        #: left out, so its blob or tree is counted or listed again, and the run says so.
        self.damaged = 0
        ensure_cache_dir(directory)
        if self.path.exists() and not self.path.is_file():
            raise CacheError(
                f"{self.path}: not a file, so not loccount's count database; remove it or choose another --cache-dir"
            )
        with self._guard("open"):
            self._db = sqlite3.connect(self.path, timeout=120)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS counts (
                    fingerprint TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    name TEXT NOT NULL,
                    state TEXT NOT NULL,
                    language TEXT NOT NULL,
                    code INTEGER NOT NULL,
                    documentation INTEGER NOT NULL,
                    empty INTEGER NOT NULL,
                    string INTEGER NOT NULL,
                    state_info TEXT,
                    PRIMARY KEY (fingerprint, sha, name)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS inline_tests (
                    fingerprint TEXT NOT NULL,
                    method TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    name TEXT NOT NULL,
                    code INTEGER NOT NULL,
                    documentation INTEGER NOT NULL,
                    empty INTEGER NOT NULL,
                    string INTEGER NOT NULL,
                    PRIMARY KEY (fingerprint, method, sha, name)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS trees (
                    commit_sha TEXT NOT NULL,
                    selection TEXT NOT NULL,
                    entries BLOB NOT NULL,
                    PRIMARY KEY (commit_sha, selection)
                ) WITHOUT ROWID;
                """
            )
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            self._db.commit()
            (schema,) = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if schema != str(SCHEMA_VERSION):
            raise CacheError(
                f"{self.path}: cache schema {schema} is not {SCHEMA_VERSION}; "
                "run `loccount cache clear` to start a fresh cache"
            )

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as error:
            if cannot_write(error):
                raise CacheError(
                    f"{self.path}: cannot {action} the count cache ({error}); it is not damaged: "
                    f"check that {self.path.parent} is writable and has free space, or choose another --cache-dir"
                ) from None
            raise CacheError(
                f"{self.path}: the count cache is damaged ({action}: {error}); "
                "run `loccount cache clear` (or delete the file) and count again"
            ) from None

    def _select_in(self, query: str, first: str, shas: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``query ... IN (shas)`` with ``first`` as its first parameter, in chunks."""
        ordered = sorted(set(shas))
        with self._guard("read"):
            for start in range(0, len(ordered), _CHUNK):
                chunk = ordered[start : start + _CHUNK]
                yield from self._db.execute(f"{query} ({','.join('?' * len(chunk))})", (first, *chunk))

    def get_many(self, fingerprint: str, keys: Iterable[Key]) -> dict[Key, FileCount]:
        """The cached counts among ``keys``; missing keys are simply absent.

        An accident of the environment that an older loccount stored as a count (a full
        scratch disk, say) is not a count: it is left out, so the blob is counted again.
        """
        wanted = {(sha, _stored_name(name)): (sha, name) for sha, name in keys}
        found: dict[Key, FileCount] = {}
        query = f"{_SELECT} WHERE fingerprint = ? AND sha IN"
        for sha, name, *values in self._select_in(query, fingerprint, (sha for sha, _name in wanted)):
            key = wanted.get((sha, name))
            counted = FileCount.from_row(*values)
            if counted is None:
                self.damaged += 1  # not a count: counted again, and said
            elif key is not None and not counted.accidental:
                found[key] = counted
        return self._with_inline(fingerprint, found)

    def _with_inline(self, fingerprint: str, found: dict[Key, FileCount]) -> dict[Key, FileCount]:
        """The counts with their in-file test parts, for languages that have a content rule."""
        methods = {language: finder.method for language, (_rule, finder) in BY_LANGUAGE.items()}
        wanted = {
            (sha, _stored_name(name), methods[c.language]): (sha, name)
            for (sha, name), c in found.items()
            if c.language in methods and c.state == FileState.ANALYZED
        }
        if not wanted:
            return found
        query = f"{_SELECT_INLINE} WHERE fingerprint = ? AND sha IN"
        for sha, name, method, *values in self._select_in(query, fingerprint, (sha for sha, _n, _m in wanted)):
            key = wanted.get((sha, name, method))
            if key is None:
                continue
            if len(values) == 4 and all(type(n) is int and n >= 0 for n in values):
                found[key] = replace(found[key], inline=(values[0], values[1], values[2], values[3]))
            else:
                self.damaged += 1
        return found

    def put_many(self, fingerprint: str, items: Iterable[tuple[str, str, FileCount]]) -> None:
        """Store and commit counts at once, so they survive a killed run; never an accident of the environment."""
        items = list(items)
        for sha, name, counted in items:
            if counted.accidental:
                raise EnvironmentFault(
                    f"not caching {name} ({sha[:12]}): {counted.state_info} is an accident of the machine, not a count"
                )
        rows = [
            (fingerprint, sha, _stored_name(name), c.state, c.language, *_values(c), c.state_info)
            for sha, name, c in items
        ]
        methods = {language: finder.method for language, (_rule, finder) in BY_LANGUAGE.items()}
        inline = [
            (fingerprint, methods[c.language], sha, _stored_name(name), *c.inline)
            for sha, name, c in items
            if c.inline is not None and c.language in methods
        ]
        with self._guard("write"):
            self._db.executemany("INSERT OR REPLACE INTO counts VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            self._db.executemany("INSERT OR REPLACE INTO inline_tests VALUES (?,?,?,?,?,?,?,?)", inline)
            self._db.commit()

    def get_trees(self, selection: str, commits: Iterable[str]) -> dict[str, list[TreeEntry]]:
        """Stored tree listings of ``commits`` for ``selection`` (a damaged one is left out, to be listed again)."""
        return self._decoded(selection, commits, decode_entries)

    def put_trees(self, selection: str, listings: dict[str, bytes]) -> None:
        """Store tree listings: a commit id names its tree, so a listing never changes. Only
        full commit ids are keys: a name (``main``, ``HEAD~1``) moves, and is never stored."""
        with self._guard("write"):
            rows = [(commit, selection, data) for commit, data in listings.items() if COMMIT_ID.fullmatch(commit)]
            self._db.executemany("INSERT OR REPLACE INTO trees VALUES (?,?,?)", rows)
            self._db.commit()

    def get_marks(self, commits: Iterable[str]) -> dict[str, dict[str, bool]]:
        """Stored ``.gitattributes`` answers of ``commits`` (path -> vendored), as :meth:`put_marks` stored them."""
        return self._decoded(MARKS, commits, _decode_marks)

    def _decoded(self, selection: str, commits: Iterable[str], decode: Callable[[Any], T | None]) -> dict[str, T]:
        """The rows of the trees table for ``selection`` and ``commits``, decoded; a row that does not
        decode is damaged: counted in :attr:`damaged` and left out, to be made again."""
        ids = [commit for commit in commits if COMMIT_ID.fullmatch(commit)]
        found = {}
        for commit, data in self._select_in(f"{_SELECT_TREES} WHERE selection = ? AND commit_sha IN", selection, ids):
            value = decode(data)
            if value is None:
                self.damaged += 1
            else:
                found[commit] = value
        return found

    def put_marks(self, marks: dict[str, dict[str, bool]]) -> None:
        """Store what each commit's ``.gitattributes`` say of its files: a commit names its tree."""
        encoded = {
            commit: zlib.compress(json.dumps(values, sort_keys=True).encode()) for commit, values in marks.items()
        }
        self.put_trees(MARKS, encoded)

    def stats(self) -> dict[str, int]:
        """Rows per fingerprint."""
        with self._guard("read"):
            rows = self._db.execute("SELECT fingerprint, COUNT(*) FROM counts GROUP BY fingerprint")
            return dict(rows.fetchall())

    def check(self) -> str:
        """SQLite's own integrity check: ``ok`` or the problems it found."""
        with self._guard("check"):
            return "; ".join(row[0] for row in self._db.execute("PRAGMA integrity_check"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CountCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class CacheInfo:
    """What ``loccount cache info`` reports: the database, its rows per counter, and the mirrors."""

    directory: Path
    #: The count database, or None before the first count.
    database: Path | None
    database_bytes: int = 0
    #: SQLite's integrity check: ``ok`` or the problems it found.
    integrity: str | None = None
    #: Cached counts per counter fingerprint, and which fingerprints this installation counts with.
    fingerprints: dict[str, int] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)
    mirrors: list[Path] = field(default_factory=list)
    #: Each mirror's size on disk, in bytes (in the order of ``mirrors``).
    mirror_bytes: list[int] = field(default_factory=list)
    #: Clones a killed run left half done (removed when their repository is next used).
    unfinished: list[Path] = field(default_factory=list)


def _read_only_stats(database: Path) -> tuple[dict[str, int], str]:
    """Rows per fingerprint and SQLite's integrity check, read without writing: a cache on a
    read-only disk (where SQLite cannot even make its shared-memory file) can be looked at."""
    uri = database.resolve().as_uri()
    problem: sqlite3.DatabaseError | None = None
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            with contextlib.closing(sqlite3.connect(uri + mode, uri=True)) as db:
                rows = db.execute("SELECT fingerprint, COUNT(*) FROM counts GROUP BY fingerprint").fetchall()
                check = "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
                return dict(rows), check
        except sqlite3.OperationalError as error:  # cannot open it so: try the next way
            problem = error
        except sqlite3.DatabaseError as error:
            problem = error
            break
    raise CacheError(f"{database}: cannot read the count database ({problem}); `loccount cache clear` starts afresh")


def _size_on_disk(directory: Path) -> int:
    """The bytes of the files under ``directory`` (links not followed; files that vanish skipped)."""
    total = 0
    for folder, _dirs, names in os.walk(directory):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def cache_info(cache_dir: str | os.PathLike[str] | None = None) -> CacheInfo:
    """Where the cache is, what it holds, and whether SQLite finds it intact (it is only read)."""
    from loccount.counting.count import fingerprint
    from loccount.gitio.mirror import list_mirrors

    directory = resolve_cache_dir(cache_dir)
    mirrors, unfinished = list_mirrors(mirrors_dir(directory))
    sizes = [_size_on_disk(mirror) for mirror in mirrors]
    database = directory / DB_NAME
    if not database.exists():
        return CacheInfo(directory, None, mirrors=mirrors, mirror_bytes=sizes, unfinished=unfinished)
    stats, check = _read_only_stats(database)
    current = {fingerprint(): "current pygount setup", fingerprint(plain=True): "current, --plain"}
    return CacheInfo(
        directory,
        database,
        database.stat().st_size,
        check,
        stats,
        current,
        mirrors=mirrors,
        mirror_bytes=sizes,
        unfinished=unfinished,
    )


def clear(directory: Path, mirrors: bool = False) -> list[Path]:
    """Delete the count database (and its WAL files), and with ``mirrors`` the mirrors; returns what was removed.

    Anything that cannot be removed, or that is not a file where the database should be, is
    one :class:`CacheError` line.
    """
    removed = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = directory / f"{DB_NAME}{suffix}"
        if path.is_dir() and not path.is_symlink():
            raise CacheError(
                f"{path}: a directory, not loccount's count database; remove it yourself if it is not needed"
            )
        if path.exists() or path.is_symlink():
            _remove(path, path.unlink)
            removed.append(path)
    store = mirrors_dir(directory)
    if mirrors and store.exists():
        _remove(store, lambda: shutil.rmtree(store))
        removed.append(store)
    return removed


def _remove(path: Path, remove: Callable[[], object]) -> None:
    try:
        remove()
    except OSError as error:
        raise CacheError(f"{path}: cannot remove it: {error.strerror or error}") from None
