"""Import + segmentation throughput on a generated corpus (MB/s).

Measures, in one run on the same files:
  1. gtcode import: read, decode (encoding checks), normalise, segment by speaker
     turn and store sources and segments in a new study (one transaction);
  2. the ceiling: reading the same bytes and decoding them as UTF-8, nothing else.

Usage: python benchmarks/bench_import.py [--mb 50] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from pathlib import Path

from corpus import generate
from gtcode.importer import import_files
from gtcode.store.project import Study


def bench(files: list[Path]) -> dict[str, float]:
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    start = time.perf_counter()
    for path in files:
        path.read_bytes().decode("utf-8")
    ceiling = time.perf_counter() - start
    work = Path(tempfile.mkdtemp(prefix="gtcode-bench-"))
    try:
        study = Study.create(work / "study")
        start = time.perf_counter()
        report = import_files(study, files)
        elapsed = time.perf_counter() - start
        study.close()
    finally:
        shutil.rmtree(work)
    return {"mb": megabytes, "files": len(files), "segments": report.segments,
            "gtcode_s": elapsed, "gtcode_mbps": megabytes / elapsed,
            "ceiling_s": ceiling, "ceiling_mbps": megabytes / ceiling}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parent / "_data" / "corpus")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.txt")) if args.corpus.is_dir() else []
    if sum(p.stat().st_size for p in files) < args.mb * 1e6 * 0.99:
        shutil.rmtree(args.corpus, ignore_errors=True)
        files = generate(args.corpus, args.mb)
    result = bench(files)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"corpus: {result['files']} files, {result['mb']:.1f} MB, "
          f"{result['segments']} segments")
    print(f"gtcode import + segmentation: {result['gtcode_s']:.1f} s = "
          f"{result['gtcode_mbps']:.2f} MB/s")
    print(f"read + UTF-8 decode only (ceiling): {result['ceiling_s']:.2f} s = "
          f"{result['ceiling_mbps']:.1f} MB/s")


if __name__ == "__main__":
    main()
