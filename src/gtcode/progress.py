"""The progress callback that every long-running library function accepts.

A function reports ``progress(task, done, total)`` as it goes (``task`` is a
short label such as ``"Coding transcripts"``); the command line turns the calls
into progress bars, and a library user may pass any callable, or None.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(task, done, total)``: ``done`` of ``total`` steps of ``task`` are finished.
Progress = Callable[[str, int, int], None]
