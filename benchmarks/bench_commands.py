"""The commands a researcher waits for, timed whole, each as a new process.

Usage: python benchmarks/bench_commands.py [--mb 20] [--run-mb 30] [--generated-mb 20]
       [--repeat 1] [--no-pandas]

In one run on one machine:

1. start-up: ``gtcode --version`` and ``gtcode --help`` (best of 5), and a command
   that only reads the built-in codebook (``gtcode codebook show six-pressures``)
   with the codebook cache warm and with it turned off (``GTCODE_CACHE_DIR=off``);
2. on a corpus resampled from the project's labelled interview turns
   (resampled_corpus.py: Chinese and English, real-style speech), at a quarter
   of ``--mb`` and at all of it: ``gtcode import``, ``gtcode open --no-embeddings``
   (rules, the built-in learned model and in-vivo phrases: what ``open`` does
   when the embedding extra is not installed) and ``gtcode open --no-model``
   (rules and in-vivo), with peak memory; beside them, in the same run, a
   pandas ``str.contains`` loop over the codebook's terms and a bare
   pyahocorasick scan of the same respondent text (bench_rule_coding.py's);
3. the generated corpus of bench_rule_coding.py (random everyday words and
   codebook terms) at ``--generated-mb``: the same, as a second data point;
4. ``gtcode run --no-embeddings`` on ``--run-mb`` of 30 KB interviews (about
   1,000 at 30 MB), every output of the run checked.

Ratios: pandas seconds / command seconds (how many times faster than the
pandas loop) and bare-scan seconds / command seconds (the share of the bare
scan's speed the whole command reaches).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench_open import GTCODE, respondent_turns, start, study_of, timed
from bench_rule_coding import bare_scan, pandas_loop, texts_and_terms
from resampled_corpus import write_corpus
from rule_corpus import generate

RUN_OUTPUTS = ("codings.csv", "segments.csv", "project.qdpx", "project-codepoints.qdpx",
               "codebook.qdc", "gtcode.xlsx", "sheet.xlsx", "report.html")


def best_of(args: list[str], repeat: int, env: dict | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def startup() -> None:
    print("\n## Start-up (best of 5)\n\n| command | seconds |\n|---|---:|")
    for args in (["--version"], ["--help"]):
        print(f"| gtcode {' '.join(args)} | {best_of([*GTCODE, *args], 5):.2f} |")
    show = [*GTCODE, "codebook", "show", "six-pressures"]
    best_of(show, 1)  # fills the cache
    warm = best_of(show, 5)
    cold = best_of(show, 5, env={**os.environ, "GTCODE_CACHE_DIR": "off"})
    print(f"| gtcode codebook show six-pressures, codebook from the cache | {warm:.2f} |")
    print(f"| the same, cache off (the YAML parsed and checked) | {cold:.2f} |")
    probe = ("import time; from gtcode.codebook import load_codebook; "
             "t = time.perf_counter(); load_codebook('six-pressures'); "
             "print(time.perf_counter() - t)")
    loads = [float(subprocess.run([sys.executable, "-c", probe], check=True, text=True,
                                  capture_output=True).stdout) for _ in range(5)]
    print(f"| load_codebook('six-pressures') alone, unchanged (best of 5) | {min(loads):.3f} |")


def commands(name: str, files_dir: Path, work: Path, repeat: int, references: bool) -> None:
    files = sorted(files_dir.glob("*.txt"))
    disk = sum(p.stat().st_size for p in files) / 1e6
    study, imported = study_of(files_dir, work / f"study-{name}")
    texts, terms = texts_and_terms(study)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    timed([*GTCODE, "open", str(study), "-q", "--no-model"])  # warms the index cache
    runs = {label: [timed([*GTCODE, "open", str(study), "-q", *flags]) for _ in range(repeat)]
            for label, flags in (("rules + model + in-vivo", ["--no-embeddings"]),
                                 ("rules + in-vivo", ["--no-model"]))}
    print(f"\n### {name}: {len(files)} files, {disk:.1f} MB on disk, "
          f"{respondent_turns(study):,} respondent turns, {mb:.1f} MB of respondent text\n")
    print("| command | seconds | MB/s | peak MB |\n|---|---:|---:|---:|")
    print(f"| gtcode import | {imported:.1f} | {disk / imported:.2f} | |")
    for label, results in runs.items():
        seconds, peak = min(r[0] for r in results), max(r[1] for r in results)
        flag = "--no-embeddings" if "model" in label else "--no-model"
        print(f"| gtcode open {flag} ({label}) | {seconds:.1f} | {mb / seconds:.2f} | "
              f"{peak:.0f} |")
    if not references:
        return
    scan, hits = min(bare_scan(texts, terms) for _ in range(3))
    pandas, coded = pandas_loop(texts, terms)
    print(f"| pandas str.contains loop ({coded:,} codings) | {pandas:.1f} | {mb / pandas:.2f} "
          f"| |")
    print(f"| bare pyahocorasick scan ({hits:,} hits) | {scan:.2f} | {mb / scan:.1f} | |")
    for label, results in runs.items():
        seconds = min(r[0] for r in results)
        print(f"\n{label}: {pandas / seconds:.1f}x the pandas loop (target >= 4x); "
              f"{scan / seconds:.3f} of the bare scan (target >= 0.25)")


def run_command(megabytes: float, work: Path) -> None:
    corpus = work / "corpus-run"
    files = write_corpus(corpus, megabytes, seed=13, turns=(90, 145))
    disk = sum(p.stat().st_size for p in files) / 1e6
    out = work / "run-out"
    seconds, peak = timed([*GTCODE, "run", str(corpus), "--out", str(out), "--no-embeddings",
                           "-q"])
    missing = [name for name in RUN_OUTPUTS if not (out / name).is_file()]
    print(f"\n## gtcode run --no-embeddings: {len(files)} interviews, {disk:.1f} MB\n")
    print(f"{seconds:.1f} s, peak {peak:.0f} MB (target < 60 s); outputs: "
          f"{'all written' if not missing else 'MISSING ' + ', '.join(missing)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--run-mb", type=float, default=30.0)
    parser.add_argument("--generated-mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-pandas", action="store_true",
                        help="leave out the pandas loop and the bare scan (a quick look)")
    args = parser.parse_args()
    work = start("commands")
    try:
        startup()
        print("\n## gtcode import and gtcode open on interview-like text")
        for share in (0.25, 1.0):
            size = args.mb * share
            corpus = work / f"corpus-{size:g}"
            write_corpus(corpus, size)
            commands(f"resampled {size:g} MB", corpus, work, args.repeat,
                     references=share == 1.0 and not args.no_pandas)
        if args.generated_mb:
            corpus = work / "corpus-generated"
            generate(corpus, args.generated_mb)
            commands(f"generated {args.generated_mb:g} MB", corpus, work, args.repeat,
                     references=not args.no_pandas)
        if args.run_mb:
            run_command(args.run_mb, work)
        print(f"\nload at the end: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
