"""How `gtcode open` grows with the number of codebook terms (issue 23, point 4).

Codebooks made from dictionaries get big: this makes codebooks of N literal Chinese
terms (1,000 concepts under 6 categories, terms spread evenly), a small study of the
sample transcripts, and times each step of ``gtcode open`` in a fresh process, with
its peak memory (ru_maxrss):

    python benchmarks/bench_big_codebook.py --terms 1000 10000 100000

Terms are random 2-4 character strings of common hanzi (seeded, so every run makes
the same codebooks). Each size runs twice, with an empty cache folder (cold: the
edge-word index of the terms against jieba's dictionary is built and cached) and
again (warm: it is loaded), as a user's first and later `gtcode open` would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "data" / "sample"
CATEGORIES = 6
CONCEPTS = 1000


def hanzi(rng: random.Random) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x6FFF)) for _ in range(rng.randint(2, 4)))


def codebook_yaml(terms: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    seen: set[str] = set()
    lines = [f"name: big-{terms}", 'version: "1"', "language: zh", "codes:",
             "  - id: core", "    name: 核心", "    level: core"]
    per = max(1, terms // CONCEPTS)
    for c in range(CATEGORIES):
        lines += [f"  - id: cat{c}", f"    name: 范畴{c}", "    level: category",
                  "    parent: core"]
    for n in range(CONCEPTS):
        words = []
        while len(words) < per:
            word = hanzi(rng)
            if word not in seen:
                seen.add(word)
                words.append(word)
        lines += [f"  - id: cat{n % CATEGORIES}.c{n}", f"    name: 概念{n}",
                  "    level: concept", f"    parent: cat{n % CATEGORIES}", "    rules:",
                  "      terms:", "        zh: [" + ", ".join(words) + "]"]
    return "\n".join(lines) + "\n"


STEP = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from gtcode.codebook import load_codebook
from gtcode.coding.open_coding import open_code
from gtcode.coding.rules import RuleEngine
from gtcode.workspace import open_study, study_codebook
study = open_study(Path(sys.argv[1]))
t1 = time.perf_counter()
book = study_codebook(study, register=False)
t2 = time.perf_counter()
engine = RuleEngine(book)
t3 = time.perf_counter()
open_code(study, book, engine=engine, invivo=False)
t4 = time.perf_counter()
study.close()
print(json.dumps({"load_codebook": t2 - t1, "build_engine": t3 - t2, "code": t4 - t3,
                  "total": t4 - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(terms: int, work: Path) -> dict:
    folder = work / f"t{terms}"
    folder.mkdir()
    book = folder / "codebook.yaml"
    book.write_text(codebook_yaml(terms), encoding="utf-8")
    study = folder / "study"
    gtcode = [sys.executable, "-m", "gtcode"]
    subprocess.run([*gtcode, "init", str(study), "--codebook", str(book), "-q"], check=True)
    subprocess.run([*gtcode, "import", str(study), str(SAMPLE), "-q"], check=True)
    env = {**os.environ, "GTCODE_CACHE_DIR": str(folder / "cache")}  # empty: a cold run
    cold = subprocess.run([sys.executable, "-c", STEP, str(study)], check=True,
                          capture_output=True, text=True, env=env)
    warm = subprocess.run([sys.executable, "-c", STEP, str(study)], check=True,
                          capture_output=True, text=True, env=env)
    return {"terms": terms, "yaml_mb": book.stat().st_size / 2**20,
            "cold": json.loads(cold.stdout), "warm": json.loads(warm.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gtcode-bigbook-"))
    try:
        print(f"{'terms':>8} {'YAML MB':>8} {'cache':>6} {'load s':>7} {'engine s':>8} "
              f"{'code s':>7} {'total s':>8} {'peak MB':>8}")
        for terms in args.terms:
            r = run(terms, work)
            for kind in ("cold", "warm"):
                m = r[kind]
                print(f"{r['terms']:>8} {r['yaml_mb']:>8.1f} {kind:>6} {m['load_codebook']:>7.2f} "
                      f"{m['build_engine']:>8.2f} {m['code']:>7.2f} {m['total']:>8.2f} "
                      f"{m['peak_mb']:>8.0f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
