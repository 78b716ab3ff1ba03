"""A small on-disk cache for indexes that are slow to build and never change.

The rule engine's edge-word index (which dictionary words can cross the
edges of each codebook term) takes about a second to build from jieba's
dictionary; it depends only on the codebook's terms and the dictionary, so it
is kept here between runs. Only derived indexes are cached, never transcript
text or codings; deleting the folder at any time is safe.

Where: ``GTCODE_CACHE_DIR`` when set (an empty value or ``off`` turns the
cache off), else the platform's cache folder (``%LOCALAPPDATA%\\gtcode\\Cache``
on Windows, ``~/Library/Caches/gtcode`` on macOS, ``$XDG_CACHE_HOME/gtcode``
or ``~/.cache/gtcode`` elsewhere). A cache that cannot be read or written is
ignored: the index is then built as if there were none.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: Bump when the layout of any cached object changes.
CACHE_FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    configured = os.environ.get("GTCODE_CACHE_DIR")
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0", "none"):
            return None
        return Path(configured)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "gtcode" / "Cache" if base else None
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "gtcode"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else home / ".cache") / "gtcode"


def cache_key(*parts: str) -> str:
    """A file-name-safe digest of ``parts`` (and the cache format)."""
    digest = hashlib.sha256(f"gtcode-cache {CACHE_FORMAT}".encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def cached(kind: str, key: str, build: Callable[[], T], *, slot: str | None = None) -> T:
    """``build()``, or its result from an earlier run stored under ``kind`` and ``key``.

    With ``slot``, the entry is kept in one file per ``kind`` and ``slot`` (say, one
    per codebook file) and replaced when ``key`` changes, so the cache does not
    grow with every edit; ``key`` alone then decides whether it is still valid.

    The stored object is written atomically (a temporary file renamed into
    place), so a crash leaves either the old entry or none. Anything wrong
    with the cache (no folder, no permission, a damaged or foreign file)
    falls back to ``build()``.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{slot or key}.pickle"
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            return stored[1]
    except Exception:
        pass
    value = build()
    _store(folder, path, (key, value))
    return value


def _store(folder: Path, path: Path, value: object) -> None:
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=path.stem, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass  # a cache that cannot be written is no error
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
