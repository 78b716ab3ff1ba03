"""Forked worker processes for the stages that read a whole study.

Rule coding and in-vivo counting read every source and write nothing until
the end, so they split across processes well: :func:`forked_map` forks
``workers`` processes that inherit what they need (the rule engine, the
learned coder) from the parent, hands them tasks (lists of source ids) and
yields their results in task order, so the parent writes exactly what one
process would. Each worker reads its sources through a read-only connection
of its own (:func:`worker_reader`); the study is in WAL mode, so a worker sees
the committed sources while the parent holds the write transaction.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from gtcode.store import open_coding as db

T = TypeVar("T")

#: Below this many characters of source text a study is worked in one process:
#: starting workers would cost more than it saves.
PARALLEL_MIN_CHARS = 2_000_000

#: Sources per task handed to a worker.
CHUNK = 8

#: What the forked workers work with, set in the parent just before forking.
STATE: Any = None
_READERS: dict[Path, Any] = {}


def worker_count(jobs: int | None, characters: int) -> int:
    """How many processes work on a study of ``characters``.

    ``jobs`` None: one per CPU for a study of at least :data:`PARALLEL_MIN_CHARS`
    characters where processes can be forked (Linux), else 1.
    """
    if jobs is not None and jobs < 1:
        raise ValueError("jobs must be at least 1")
    if not sys.platform.startswith("linux"):
        return 1  # workers inherit the engine by fork, which only Linux does safely
    if jobs is None:
        return (os.cpu_count() or 1) if characters >= PARALLEL_MIN_CHARS else 1
    return jobs


def worker_reader(path: Path):
    """This worker's read-only connection to the study at ``path`` (opened once)."""
    if path not in _READERS:
        _READERS[path] = db.reader(path)
    return _READERS[path]


def chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    """``ids`` in tasks of ``size``."""
    return [ids[first:first + size] for first in range(0, len(ids), size)]


def _quiet_worker() -> None:
    """Ctrl-C is the parent's to handle: it stops the workers and rolls back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def forked_map(func: Callable[[Any], T], tasks: Iterable[Any], workers: int,
               state: Any) -> Iterator[T]:
    """``func(task)`` of each task, in task order, computed by ``workers`` forked processes.

    ``state`` is what ``func`` reads from :data:`STATE` in the workers. Memory
    stays bounded: a few tasks per worker are in flight. Closing the iterator
    (or an error in a worker, raised here) stops the workers at once.
    """
    global STATE
    STATE = state
    # Objects that exist now are never collected in the workers: without this
    # their garbage collector would walk (and so copy) everything inherited.
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker)
    finally:
        gc.unfreeze()
        STATE = None
    try:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.apply_async(func, (task,)))
            if len(pending) >= 3 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()
