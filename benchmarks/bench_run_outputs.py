"""The part of `gtcode run` after open coding, on a study already coded: axial and
selective coding and every output, timed (wall, and CPU of this process and its
children: the forked export process included).

Usage: python benchmarks/bench_run_outputs.py STUDY OUT_DIR [--workers N]

STUDY is copied to OUT_DIR/study first (the stages write to it), so the same coded
study can be timed again with other code (PYTHONPATH) or another ``--workers``.
Make one with ``bench_run_steps.py`` (its OUT_DIR/study). With ``--workers 1`` each
export is timed alone; with 2 (what ``gtcode run`` does on Linux) the forked share's
exports are not listed one by one, only in the total. Code without
``gtcode.exports.parallel`` (before issue 18's parallel outputs) runs them one by one.
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import time
from pathlib import Path

from gtcode import pipeline
from gtcode.exports import registry
from gtcode.store.project import Study
from gtcode.workspace import study_codebook

LOG: list[tuple[str, float, float]] = []


def cpu() -> float:
    """CPU seconds (user + system) of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start, used = time.perf_counter(), cpu()
        try:
            return func(*args, **kwargs)
        finally:
            name = label(args) if callable(label) else label
            LOG.append((name, time.perf_counter() - start, cpu() - used))
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("study", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(args.study, args.out / "study")
    try:
        from gtcode.exports import parallel
    except ImportError:
        parallel = None
    export = timed(lambda a: f"export {a[1]} -> {a[2].name}", registry.export)
    if parallel is not None:
        parallel.export = export
    start, used = time.perf_counter(), cpu()
    with Study.open(args.out / "study") as study:
        book = study_codebook(study)
        with study.snapshot(), study.remembering():
            for name, stage in pipeline.STAGES:
                if name != "open":
                    timed(name, stage)(study, book, None)
            jobs = [(name, args.out / filename, opts)
                    for name, filename, opts in pipeline._run_exports("both", False)]
            begun, cpu_begun = time.perf_counter(), cpu()
            if hasattr(pipeline, "build_tables"):  # built before the outputs, as run does
                timed("tables", pipeline.build_tables)(study, book)
            if parallel is not None:
                parallel.export_all(study, jobs, book=book, workers=args.workers)
            else:
                for name, path, opts in jobs:
                    export(study, name, path, opts, book=book)
            LOG.append(("every output", time.perf_counter() - begun, cpu() - cpu_begun))
    print("   wall      CPU  step (CPU: this process and its children)")
    for label, seconds, spent in LOG:
        print(f"{seconds:7.1f} s {spent:6.1f} s  {label}")
    print(f"{time.perf_counter() - start:7.1f} s {cpu() - used:6.1f} s  in all after open")


if __name__ == "__main__":
    main()
