"""Per-source work on a Dask cluster (``--scheduler``): the executor beside the fork pool.

The coding stages express their work as pure functions of a few sources
(sources in, rows out: :mod:`gtcode.importer` ``parse_source``,
:mod:`gtcode.coding.per_source`). :class:`Cluster` runs such functions on a
``dask.distributed`` cluster and hands their results back **in task order**,
so the caller, the study's single writer, stores exactly what one process
would. A few tasks per worker are in flight at a time: memory stays bounded
whatever the corpus.

``local:N`` starts a ``LocalCluster`` of N worker processes (one thread each)
on this machine; any other address is a running scheduler's
(``tcp://10.0.0.5:8786``), whose workers must run the same gtcode version with
the same optional packages (docs/scale.md). Dask is an extra
(``pip install 'gtcode[dask]'``), imported only here and only when a cluster
is asked for.

Values every task needs (the codebook, a learned model) are sent to each
worker once (:meth:`Cluster.share`); what is slow to build from them (the
rule engine) is built once per worker process and kept (:func:`worker_cached`).

A worker that dies, or a scheduler that goes away, stops the run with E952;
the caller's transaction rolls back, so the study is as it was. A local
cluster does not retry the task of a dead worker (on one machine the reason,
usually memory, would strike again); a remote scheduler retries as it is
configured to (``distributed.scheduler.allowed-failures``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from gtcode._version import __version__
from gtcode.errors import GtcodeError

T = TypeVar("T")

#: ``local:N``: N worker processes on this machine.
LOCAL = "local:"
#: A scheduler's address: ``[protocol://]host:port``.
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$")
#: Tasks in flight per worker: enough to keep each one busy, few enough to bound memory.
IN_FLIGHT = 3
#: Seconds to wait for a remote scheduler to answer.
CONNECT_TIMEOUT = 10
_HINT = ("use local:N (N worker processes on this machine) or a running scheduler's address, "
         "e.g. tcp://10.0.0.5:8786")
_LOGGERS = ("distributed", "tornado", "asyncio")

_CACHE: dict[Any, Any] = {}
_CACHE_LOCK = threading.Lock()
#: How many times each kind of value was built in this process (tests read it on the workers).
BUILDS: dict[str, int] = {}
#: Values kept per worker process (engines of other codebooks are dropped, oldest first).
CACHE_SIZE = 4


def parse_address(address: str) -> tuple[str, int | None]:
    """``(address, None)`` for a scheduler's address, ``("local", N)`` for ``local:N``.

    Raises:
        GtcodeError: E951 for anything else.
    """
    address = address.strip()
    if address.startswith(LOCAL):
        count = address[len(LOCAL):]
        if count.isdigit() and 1 <= int(count) <= 1024:
            return "local", int(count)
        raise GtcodeError("E951", f"--scheduler {address!r}: the number of local workers must "
                          "be a whole number from 1 to 1024.", hint="e.g. local:2")
    if not _ADDRESS.match(address):
        raise GtcodeError("E951", f"--scheduler {address!r} is not a scheduler address.",
                          hint=_HINT)
    return address, None


def _dask():
    """The ``distributed`` package (E953 when gtcode[dask] is not installed)."""
    try:
        import distributed
    except ImportError:
        raise GtcodeError("E953", "--scheduler needs Dask, which is not installed.",
                          hint="pip install 'gtcode[dask]'") from None
    return distributed


class Cluster:
    """A connection to a Dask scheduler, or a local cluster started for one command.

    Use it as a context manager (or call :meth:`close`): a local cluster's
    processes end with it.
    """

    def __init__(self, address: str) -> None:
        self.address, local = parse_address(address)
        distributed = _dask()
        self._levels = {name: logging.getLogger(name).level for name in _LOGGERS}
        for name in _LOGGERS:  # the library never prints: Dask's talk stays out of the output
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self._local = None
        try:
            if local is not None:
                self._local = _local_cluster(distributed, local)
                self.client = distributed.Client(self._local)
            else:
                self.client = distributed.Client(self.address, timeout=CONNECT_TIMEOUT)
                self._wait_for_a_worker()
        except GtcodeError:
            self.close()
            raise
        except Exception as exc:  # OSError, TimeoutError, a refused or unknown address
            self.close()
            raise GtcodeError("E951", f"cannot reach the Dask scheduler at {self.address} "
                              f"({type(exc).__name__}).", hint="start the scheduler first "
                              "(`dask scheduler`), check the address and the firewall; or "
                              + _HINT) from None

    def _wait_for_a_worker(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise GtcodeError("E951", f"no Dask worker is connected to the scheduler at "
                              f"{self.address}.", hint="start workers with `dask worker "
                              f"{self.address} --nthreads 1` (docs/scale.md)") from None

    @property
    def workers(self) -> int:
        """Workers connected now (at least 1, for sizing the tasks in flight)."""
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def share(self, value: Any) -> Any:
        """``value`` sent to every worker once; pass the result to :meth:`map` in its place."""
        if value is None:
            return None
        return self.client.scatter(value, broadcast=True, hash=False)

    def map(self, func: Callable[..., T], tasks: Iterable[Any], *shared: Any) -> Iterator[T]:
        """``func(task, *shared)`` of each task, computed by the workers, in task order.

        Closing the iterator early (or an error, raised here) cancels the
        tasks still in flight.
        """
        limit = IN_FLIGHT * self.workers
        pending: deque = deque()
        try:
            for task in tasks:
                pending.append(self.client.submit(_versioned, func, task, *shared, pure=False))
                if len(pending) >= limit:
                    yield self._result(pending.popleft())
            while pending:
                yield self._result(pending.popleft())
        finally:
            if pending:
                self.client.cancel(list(pending))

    def _result(self, future) -> Any:
        try:
            version, value = future.result()
        except GtcodeError:
            raise
        except Exception as exc:
            if not _cluster_failure(exc):
                raise
            raise GtcodeError("E952", f"a Dask worker died or the cluster failed during the run "
                              f"({type(exc).__name__}); nothing was written, the study is as "
                              "it was.", hint="run again; if a worker ran out of memory, use "
                              "fewer workers per machine or machines with more memory") from None
        if version != __version__:
            raise GtcodeError("E954", f"a Dask worker runs gtcode {version}, this process "
                              f"gtcode {__version__}: its results could differ. Nothing was "
                              "written.", hint="install the same gtcode version, with the same "
                              "extras, on every worker (docs/scale.md)")
        return value

    def close(self) -> None:
        """Disconnect (and stop a local cluster's processes)."""
        client, self.client = getattr(self, "client", None), None
        try:
            if client is not None:
                client.close()
            if self._local is not None:
                self._local.close()
        finally:
            self._local = None
            for name, level in self._levels.items():
                logging.getLogger(name).setLevel(level)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _versioned(func: Callable[..., T], *args: Any) -> tuple[str, T]:
    """``func(*args)`` on a worker, with the worker's gtcode version."""
    return __version__, func(*args)


def _local_cluster(distributed, workers: int):
    import dask

    # no retry on a dead worker here: on one machine the cause would strike again
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                        silence_logs=logging.CRITICAL)


def _cluster_failure(exc: BaseException) -> bool:
    """Is ``exc`` the cluster failing (a dead worker, a lost connection), not the task?"""
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    return isinstance(exc, KilledWorker | CommClosedError | CancelledError | OSError
                      | TimeoutError)


@contextmanager
def session(scheduler: str | Cluster | None) -> Iterator[Cluster | None]:
    """A cluster for one call: None stays None, an address is connected (and closed after),
    a :class:`Cluster` is used as it is."""
    if scheduler is None or isinstance(scheduler, Cluster):
        yield scheduler
        return
    with Cluster(scheduler) as connected:
        yield connected


def worker_cached(key: Sequence[Any], build: Callable[[], T]) -> T:
    """The value of ``build()`` for ``key``, built once in this (worker) process and kept.

    ``key[0]`` names the kind of value (counted in :data:`BUILDS`); the rest
    says what it was built from (a codebook's hash), so another codebook
    builds another value.
    """
    key = tuple(key)
    with _CACHE_LOCK:
        if key not in _CACHE:
            while len(_CACHE) >= CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = build()
            BUILDS[key[0]] = BUILDS.get(key[0], 0) + 1
        return _CACHE[key]


def builds() -> dict[str, int]:
    """:data:`BUILDS` (run on the workers by the tests: was the engine built once?)."""
    return dict(BUILDS)
