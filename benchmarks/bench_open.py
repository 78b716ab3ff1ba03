"""What the learned coder adds to `gtcode open`, timed as the command a user runs.

Usage: python benchmarks/bench_open.py [--mb 20] [--embed-mb 0.2] [--repeat 2] [--stage-only]
                                       [--before SRC]

On a corpus resampled from the labelled interview turns of data/
(resampled_corpus.py), in one run on one machine:

1. `gtcode import` of the corpus into a new study;
2. `gtcode open STUDY --no-model` (the rules alone) and `gtcode open STUDY
   --no-embeddings` (rules plus the built-in model without embeddings), each a
   new process, best of --repeat; the model's part is the difference (in-vivo
   extraction and the rule stage are in both); peak memory of each, at the
   whole corpus and at a quarter of it (memory should not grow with the corpus);
   beside it, in a new process, the rule stage itself (`open_code` without
   in-vivo and without the model, as bench_rule_coding.py times it) and the
   same stage with the model, so the model's part can be set against the
   rule stage's time (with --before SRC, also with another gtcode source tree,
   the two taking turns on the same study: before and after a change);
3. on a small corpus (--embed-mb): `gtcode open --embeddings` twice: the first
   run embeds every respondent turn (turns per second), the second finds them
   all in the study's cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from resampled_corpus import write_corpus

GTCODE = [sys.executable, "-m", "gtcode"]


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process (GNU time)."""
    with tempfile.NamedTemporaryFile(suffix=".time") as report:
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        return seconds, int(Path(report.name).read_text().split()[-1]) / 1024


def best(args: list[str], repeat: int) -> tuple[float, float]:
    runs = [timed(args) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def study_of(corpus: Path, folder: Path) -> tuple[Path, float]:
    study = folder / "study"
    subprocess.run([*GTCODE, "init", str(study), "-q"], check=True)
    seconds, _mb = timed([*GTCODE, "import", str(study), str(corpus), "-q"])
    return study, seconds


STAGE = """
import resource, sys, time
from gtcode.codebook import load_codebook
from gtcode.coding.open_coding import open_code
from gtcode.workspace import open_study
study = open_study(sys.argv[1])
book = load_codebook(study.codebook_path)
def cpu():
    own, kids = (resource.getrusage(who) for who in
                 (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
start, used = time.perf_counter(), cpu()
open_code(study, book, invivo=False, model=sys.argv[2] == "model", embeddings=False)
print(time.perf_counter() - start, cpu() - used)
"""


def stage_once(study: Path, model: bool, source: str | None = None) -> tuple[float, float]:
    """In-process seconds of the coding stage, without in-vivo, in a new process: wall-clock
    and CPU (this process and its workers; steadier on a busy machine). ``source``: the
    gtcode source tree to run (its ``src`` folder), else the one this process imports."""
    env = {**os.environ, "PYTHONPATH": source} if source else None
    wall, used = subprocess.run([sys.executable, "-c", STAGE, str(study),
                                 "model" if model else "rules"], env=env,
                                check=True, capture_output=True, text=True).stdout.split()
    return float(wall), float(used)


def stages(study: Path, repeat: int, sources: dict[str, str | None]
           ) -> dict[tuple[str, bool], tuple[float, float]]:
    """Best wall and CPU seconds of the stage, rules alone and with the model, for each
    gtcode source tree; the runs of the trees take turns, so a busy spell hits all alike."""
    runs: dict[tuple[str, bool], list[tuple[float, float]]] = {
        (name, model): [] for name in sources for model in (False, True)}
    for _ in range(repeat):
        for name, model in runs:
            runs[(name, model)].append(stage_once(study, model, sources[name]))
    return {key: (min(r[0] for r in found), min(r[1] for r in found))
            for key, found in runs.items()}


def print_stages(timed_stages: dict[tuple[str, bool], tuple[float, float]]) -> None:
    print("| code | rule stage, s (CPU s) | stage with the model, s (CPU s) | "
          "model's part, s (CPU s) | model's part / rule stage, CPU |\n|---|---:|---:|---:|---:|")
    for name in dict.fromkeys(name for name, _model in timed_stages):
        (rule_wall, rule_cpu), (model_wall, model_cpu) = (timed_stages[(name, False)],
                                                          timed_stages[(name, True)])
        print(f"| {name} | {rule_wall:.1f} ({rule_cpu:.1f}) | {model_wall:.1f} "
              f"({model_cpu:.1f}) | {model_wall - rule_wall:.1f} ({model_cpu - rule_cpu:.1f}) "
              f"| {(model_cpu - rule_cpu) / rule_cpu:.2f} |")


def respondent_turns(study: Path) -> int:
    with sqlite3.connect(study / "gtcode.db") as conn:
        return conn.execute("SELECT COUNT(*) FROM segments WHERE role = 'respondent'"
                            ).fetchone()[0]


def start(name: str) -> Path:
    """A private index cache, the machine line, and a work folder for a benchmark run."""
    os.environ.setdefault("GTCODE_CACHE_DIR", tempfile.mkdtemp(prefix="gtcode-cache-"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    return Path(tempfile.mkdtemp(prefix=f"gtcode-bench-{name}-"))


def commands(study: Path, repeat: int) -> None:
    """The two `gtcode open` commands, each a new process, and their difference."""
    timed([*GTCODE, "open", str(study), "-q", "--no-model"])  # warm the index cache
    rules, rules_mb = best([*GTCODE, "open", str(study), "-q", "--no-model"], repeat)
    model, model_mb = best([*GTCODE, "open", str(study), "-q", "--no-embeddings"], repeat)
    print("| command | seconds | peak MB |\n|---|---:|---:|")
    print(f"| gtcode open --no-model (rules) | {rules:.1f} | {rules_mb:.0f} |")
    print(f"| gtcode open --no-embeddings (rules + model) | {model:.1f} | {model_mb:.0f} |")
    print(f"| the model's part (difference) | {model - rules:.1f} | |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--embed-mb", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--stage-only", action="store_true",
                        help="time only the coding stage (wall and CPU), not the commands "
                             "or embeddings")
    parser.add_argument("--before", metavar="SRC",
                        help="also time the stage with the gtcode source tree SRC (its src "
                             "folder, e.g. of another git worktree), taking turns with this "
                             "one on the same study")
    args = parser.parse_args()
    work = start("open")
    try:
        for share in (0.25, 1.0):
            size = args.mb * share
            corpus = work / f"corpus-{size:g}"
            files = write_corpus(corpus, size)
            megabytes = sum(p.stat().st_size for p in files) / 1e6
            study, imported = study_of(corpus, work / f"study-{size:g}")
            print(f"\n{megabytes:.1f} MB, {len(files)} files, {respondent_turns(study):,} "
                  f"respondent turns; import {imported:.1f} s")
            if not args.stage_only:
                commands(study, args.repeat)
            print_stages(stages(study, args.repeat, {
                "this": None, **({"before": args.before} if args.before else {})}))
        if args.stage_only:
            return 0
        corpus = work / "corpus-embed"
        write_corpus(corpus, args.embed_mb, seed=11)
        study, _imported = study_of(corpus, work / "study-embed")
        turns = respondent_turns(study)
        first, _mb = timed([*GTCODE, "open", str(study), "-q", "--embeddings"])
        second, _mb = timed([*GTCODE, "open", str(study), "-q", "--embeddings"])
        plain, _mb = timed([*GTCODE, "open", str(study), "-q", "--no-embeddings"])
        print(f"\nEmbeddings, {turns} respondent turns: first `gtcode open --embeddings` "
              f"{first:.1f} s, second {second:.1f} s (cache), `--no-embeddings` {plain:.1f} s; "
              f"embedding {turns / max(first - second, 1e-9):.1f} turns/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
