"""Which repository URLs loccount accepts, and how it shows them.

Pure text checks, so validating a config never loads GitPython. A URL is untrusted: it is
refused before git sees it if it could make git run a command (a remote helper such as
``ext::``) or read it as an option (a leading ``-``).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

from loccount.errors import UnsafeURLError

ALLOWED_SCHEMES = frozenset({"https", "http", "ssh", "git", "file"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):")
#: git's remote-helper syntax ``<transport>::<address>`` (gitremote-helpers(7)), and ``ext://``,
#: which git also hands to the command-running ``ext`` helper; the same test as GitPython's.
_REMOTE_HELPER = re.compile(r"([A-Za-z0-9][A-Za-z0-9+.-]*|)::|ext://")


def display_url(url: str) -> str:
    """``url`` without any password or token, for messages and outputs."""
    if not _SCHEME.match(url):
        return url
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:  # a malformed host or port: show the scheme only, never a secret
        return f"{_SCHEME.match(url).group(0)}..."  # type: ignore[union-attr]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_url(url: str) -> None:
    """Refuse URLs that could run a command or be read as an option, before git sees them."""
    shown = display_url(url)
    if not url or url != url.strip():
        raise UnsafeURLError(f"repository URL {shown!r} is empty or has surrounding spaces")
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        raise UnsafeURLError(f"repository URL {shown!r} contains control characters")
    if url.startswith("-"):
        raise UnsafeURLError(f"repository URL {shown!r} starts with '-' and would be read as an option")
    if _REMOTE_HELPER.match(url):
        raise UnsafeURLError(
            f"repository URL {shown!r} uses a git remote helper ('<transport>::'), which can run commands"
        )
    scheme = _SCHEME.match(url)
    if scheme:
        if scheme.group(1).lower() not in ALLOWED_SCHEMES:
            allowed = ", ".join(sorted(ALLOWED_SCHEMES))
            raise UnsafeURLError(f"repository URL {shown!r}: scheme {scheme.group(1)!r} is not one of {allowed}")
        if any(char.isspace() for char in url):
            raise UnsafeURLError(f"repository URL {shown!r} contains white space")
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            _ = parts.port
        except ValueError as error:
            raise UnsafeURLError(f"repository URL {shown!r} is malformed: {error}") from None
        if host.startswith("-"):
            raise UnsafeURLError(f"repository URL {shown!r}: host starts with '-'")
        return
    scp = _SCP_LIKE.match(url)
    if scp and scp.group("host").startswith("-"):
        raise UnsafeURLError(f"repository URL {shown!r}: host starts with '-'")


def is_local(url: str) -> bool:
    """True for a path on this machine, which is read in place instead of mirrored."""
    return not _SCHEME.match(url) and not _SCP_LIKE.match(url)


def mirror_name(url: str) -> str:
    """A directory name for ``url``: readable, confined to ``[A-Za-z0-9._-]``, unique by hash."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    readable = _SCHEME.sub("", display_url(url)).removesuffix(".git")
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", readable)
    readable = re.sub(r"\.{2,}", ".", readable).strip("._-")[:80] or "repo"
    return f"{readable}-{digest}"
