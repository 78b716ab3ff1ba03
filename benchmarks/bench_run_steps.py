"""Where `gtcode run` spends its time: each step of the pipeline timed in one process.

Usage: python benchmarks/bench_run_steps.py FILES_OR_FOLDER OUT_DIR [--embeddings] [--workers N]

Runs ``gtcode.pipeline.run`` (what ``gtcode run --no-embeddings`` runs) with
its import, each stage and each export wrapped in a timer, and prints the
seconds of each: wall clock, and CPU of this process (threads included, the
forked workers of open coding not), which a busy machine disturbs less. Make interviews of about 30 KB with
``resampled_corpus.write_corpus(out, 30, seed=13, turns=(90, 145))`` (about
1,000 at 30 MB), as bench_commands.py does.

The exports are written one after another (``--workers 1``, the default) so
that each is timed alone; with ``--workers 2`` a forked process writes some of
them (as ``gtcode run`` does on Linux) and only the parent's are listed, under
"exports" the whole of that step.
"""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path

from gtcode import pipeline
from gtcode.exports import parallel

LOG: list[tuple[str, float, float]] = []


def timed(name, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            label = name(args) if callable(name) else name
            LOG.append((label, time.perf_counter() - start, time.process_time() - cpu))
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--embeddings", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    pipeline.import_files = timed("import", pipeline.import_files)
    pipeline.STAGES = [(name, timed(name, stage)) for name, stage in pipeline.STAGES]
    pipeline.open_stage = timed("open", pipeline.open_stage)
    parallel.export = timed(lambda a: f"export {a[1]} -> {a[2].name}", parallel.export)
    pipeline.export_all = timed("exports (all)", pipeline.export_all)
    start, cpu = time.perf_counter(), time.process_time()
    pipeline.run([args.files], args.out, embeddings=args.embeddings, workers=args.workers)
    total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
    print("   wall      CPU  step")
    for label, seconds, used in LOG:
        print(f"{seconds:7.1f} s {used:6.1f} s  {label}")
    print(f"{total:7.1f} s {total_cpu:6.1f} s  in all")


if __name__ == "__main__":
    main()
