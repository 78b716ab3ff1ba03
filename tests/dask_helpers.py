"""Helpers for tests/test_dask.py: a worker plugin that makes a task kill its worker.

This module is sent to the workers by value (``cloudpickle.register_pickle_by_value``):
they cannot import the tests.
"""

from __future__ import annotations

from distributed import WorkerPlugin


class DieOnSecondCall(WorkerPlugin):
    """On every worker (restarted ones too): the second call of ``module.name`` in that
    worker process ends the process at once, as an out-of-memory kill would."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's Worker
        import importlib
        import os

        module = importlib.import_module(self.module)
        real = getattr(module, self.name)
        calls = [0]

        def dying(*args, **kwargs):
            calls[0] += 1
            if calls[0] >= 2:
                os._exit(1)
            return real(*args, **kwargs)

        setattr(module, self.name, dying)
