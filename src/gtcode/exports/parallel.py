"""Several exports of one study at once: a forked process writes some while this one writes
the rest (``gtcode run`` on two cores).

The outputs of a run are independent of each other and each reads the same
coded study, so after the study is read (and remembered, see
:meth:`~gtcode.store.project.Study.remembering`) a forked child inherits it and
writes its share of the files while the parent writes the others. Each file is
written atomically by its exporter, as in one process, so a failure leaves no
half-written output. A failure in the parent's share stops the child at once and
is raised; a failure in the child's share ends the child's share and is raised
when the parent's share is done (the files each process wrote before stay, as
those written before a failure in one process do).

The child reads through the parent's connection, inside the parent's read
transaction (:meth:`~gtcode.store.project.Study.snapshot`): the parent keeps that
transaction open until the child has finished, so the child sees exactly the
parent's view, and the child never writes to the study, never closes the
connection and leaves by ``os._exit`` (SQLite must not tidy up a connection
inherited across ``fork``). Where processes cannot be forked (not Linux), or
with ``workers`` 1, everything is written here, one file after another.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gtcode.codebook import Codebook
from gtcode.exports.registry import ExportOptions, Written, export
from gtcode.progress import Progress
from gtcode.store.project import Study

#: One output of a run: (format, target file, options).
Job = tuple[str, Path, ExportOptions]

#: The formats a forked child writes when two processes share a run's outputs: the review
#: sheet, the two csv files and tables.docx, about as much work as the report, the two
#: projects and the other tables together (docs/benchmarks.md, "The whole command"). Both
#: projects stay in one process: the second reuses the first's tree.
CHILD_FORMATS = ("csv", "segments", "sheet", "docx")


def can_fork() -> bool:
    """True where the exports can be shared with a forked process (Linux, two CPUs or more)."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1


def export_all(study: Study, jobs: Sequence[Job], *, book: Codebook | None = None,
               progress: Progress | None = None, workers: int | None = None) -> list[Written]:
    """:func:`~gtcode.exports.registry.export` each job; what each wrote, in job order.

    ``workers`` None: two processes where :func:`can_fork`, else one. The files
    are the same either way (byte for byte). Call it inside the study's
    :meth:`~gtcode.store.project.Study.snapshot` (the child reads the parent's view).
    Progress is reported for the parent's share only.

    Raises:
        GtcodeError: what a failing export raised (see the module's description).
    """
    if workers is None:
        workers = 2 if can_fork() else 1
    forked = [i for i, (name, _p, _o) in enumerate(jobs) if name in CHILD_FORMATS]
    here = [i for i in range(len(jobs)) if i not in forked]
    if workers < 2 or not forked or not here or not study.in_snapshot:
        return [export(study, name, path, opts, book=book, progress=progress)
                for name, path, opts in jobs]

    def write(indices: list[int], shown: Progress | None) -> dict[int, Any]:
        results: dict[int, Any] = {}
        for index in indices:
            name, path, opts = jobs[index]
            try:
                results[index] = export(study, name, path, opts, book=book, progress=shown)
            except Exception as exc:  # the first failure ends the child's share
                results[index] = _Failed(exc)
                break
        return results

    study.hold_view()
    child = _fork(lambda: write(forked, None))
    try:  # a failure here stops the child at once (its temporary files go) and is raised
        results = {index: export(study, *jobs[index], book=book, progress=progress)
                   for index in here}
    except BaseException:
        child.stop()
        raise
    for index, result in sorted(child.wait().items()):
        if isinstance(result, _Failed):
            raise result.error
        results[index] = result
    return [results[index] for index in range(len(jobs))]


class _Failed:
    """An export's error, carried back from the child by pickle."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __reduce__(self):
        try:
            pickle.dumps(self.error)
            error = self.error
        except Exception:  # an error that does not pickle is named, not lost
            error = RuntimeError(f"{type(self.error).__name__} in a forked export: "
                                 f"{self.error}")
        return (_Failed, (error,))


class _Child:
    """A forked process writing some exports; its results come back through a pipe."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    def wait(self) -> dict[int, Any]:
        with os.fdopen(self.pipe, "rb") as handle:
            data = handle.read()
        _pid, status = os.waitpid(self.pid, 0)
        if not data or os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"the forked export process ended without its results "
                               f"(status {os.waitstatus_to_exitcode(status)})")
        return pickle.loads(data)

    def stop(self) -> None:
        """End the child (its exporters remove their temporary files) and wait for it."""
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        finally:
            os.close(self.pipe)


def _fork(work: Callable[[], dict[int, Any]]) -> _Child:
    read, write = os.pipe()
    # Objects that exist now are never collected in the child: without this its garbage
    # collector would walk (and so copy) the whole inherited coded study.
    gc.freeze()
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid != 0:
            gc.unfreeze()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        _child(work, read, write)
    os.close(write)
    return _Child(pid, read)


def _child(work: Callable[[], dict[int, Any]], read: int, write: int) -> None:
    """Run ``work`` and send its results; never return (``os._exit``)."""
    code = 1
    try:
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, _stopped)
        data = pickle.dumps(work())
        with os.fdopen(write, "wb") as handle:
            handle.write(data)
        code = 0
    except BaseException:  # nothing may escape into the parent's code
        code = 1
    finally:
        os._exit(code)


def _stopped(_signum, _frame) -> None:
    raise SystemExit(1)  # unwinds the exporters, which remove their temporary files
