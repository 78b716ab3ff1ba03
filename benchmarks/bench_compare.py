"""Constant comparison and discovery: does `compare` find a paraphrase, and how long do they take.

Usage: python benchmarks/bench_compare.py [--mb 2] [--no-speed]

1. Quality, on the interviews of author I (data/holdout5): benchmarks/paraphrases.csv
   holds 32 passages of those interviews rewritten: 16 *close* (the same facts in other
   words; 10 Chinese, 6 English), 8 *loose* (fewer shared words: synonyms, other details;
   5 Chinese, 3 English) and 8 *translated* (a Chinese passage told in English, or an
   English one in Chinese). They are imported as one more interview (P.txt), and for each
   `compare --segment P.txt#N` ranks every respondent turn of the eight interviews; the
   figure is where the passage it rewrites comes (rank 1 = first). Measured in the same run with the n-grams alone, the centred
   embeddings alone, and both (gtcode's default when the embedding model is installed).
2. Speed: `compare --segment` and `discover` (each a new process, --no-embeddings) on a
   corpus resampled from the labelled turns (resampled_corpus.py) of --mb MB, after
   `gtcode open --no-embeddings` (timed too, for scale); with the embeddings (cached in the
   study) on the holdout5 study of part 1. The resampled corpus repeats turns across
   interviews, so its clusters say nothing of quality: it is there for the time.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench_open import GTCODE, respondent_turns, start, study_of, timed
from resampled_corpus import write_corpus

REPO = Path(__file__).resolve().parents[1]
PARAPHRASES = Path(__file__).with_name("paraphrases.csv")

RANKS = """
import json, sys
from gtcode.coding import similar
from gtcode.coding.compare import compare
from gtcode.workspace import open_study, study_codebook
study = open_study(sys.argv[1])
book = study_codebook(study)
targets = json.loads(sys.argv[2])
found = {}
for name, weight, embeddings in (("n-grams", 1.0, False), ("embeddings", 0.0, True),
                                 ("both", 0.5, True)):
    similar.NGRAM_WEIGHT = weight
    ranks = []
    for number, target in enumerate(targets, start=1):
        result = compare(study, book, segment=f"P.txt#{number}", top=10_000,
                         embeddings=embeddings)
        refs = [m.passage.ref for m in result.matches]
        ranks.append(refs.index(target) + 1)
    found[name] = ranks
print(json.dumps(found))
"""


def paraphrase_study(work: Path) -> tuple[Path, list[tuple[str, str, str]]]:
    """holdout5 and the paraphrases (P.txt, one respondent turn each), imported and opened."""
    with PARAPHRASES.open(encoding="utf-8") as handle:
        rows = [(r["target"], r["kind"], r["paraphrase"]) for r in csv.DictReader(handle)]
    files = work / "files"
    files.mkdir()
    for source in sorted((REPO / "data" / "holdout5").glob("H*.txt")):
        (files / source.name).write_bytes(source.read_bytes())
    (files / "P.txt").write_text("".join(f"答：{text}\n" for _target, _kind, text in rows),
                                 encoding="utf-8")
    study, _seconds = study_of(files, work / "paraphrase")
    subprocess.run([*GTCODE, "open", str(study), "-q"], check=True)
    return study, rows


def quality(work: Path) -> Path:
    study, rows = paraphrase_study(work)
    targets = [target for target, _kind, _text in rows]
    ranks = json.loads(subprocess.run(
        [sys.executable, "-c", RANKS, str(study), json.dumps(targets)], check=True,
        capture_output=True, text=True).stdout)
    groups = [(kind, "en" if text.isascii() else "zh") for _target, kind, text in rows]
    print("\n## Paraphrase found by compare --segment (rank of the paraphrased passage)\n")
    print("| rewriting | written in | paraphrases | features | first | in top 3 | "
          "mean reciprocal rank | worst rank |\n|---|---|---:|---|---:|---:|---:|---:|")
    for group in dict.fromkeys(groups):
        for name, found in ranks.items():
            mine = [r for r, g in zip(found, groups) if g == group]
            print(f"| {group[0]} | {group[1]} | {len(mine)} | {name} | "
                  f"{sum(r == 1 for r in mine)} | {sum(r <= 3 for r in mine)} | "
                  f"{statistics.mean(1 / r for r in mine):.3f} | {max(mine)} |")
    return study


def speed(work: Path, megabytes: float, paraphrased: Path) -> None:
    corpus = work / "corpus"
    write_corpus(corpus, megabytes)
    study, _seconds = study_of(corpus, work / "resampled")
    opened = timed([*GTCODE, "open", str(study), "-q", "--no-embeddings"])
    print(f"\n## Speed ({megabytes} MB resampled: {respondent_turns(study):,} respondent "
          "turns)\n\n| command | seconds | peak MB |\n|---|---:|---:|")
    print(f"| (for scale) open --no-embeddings, same study | {opened[0]:.1f} | {opened[1]:.0f} |")
    first = sorted(corpus.glob("*.txt"))[0].name
    for label, study_path, args in (
            ("compare --segment, n-grams", study, ["compare", "--segment", f"{first}#2",
                                                   "--no-embeddings", "--json"]),
            ("discover, n-grams", study, ["discover", "--no-embeddings", "--json"]),
            ("compare --segment, holdout5, n-grams + embeddings (cached)", paraphrased,
             ["compare", "--segment", "P.txt#1", "--json"]),
            ("discover, holdout5, n-grams + embeddings (cached)", paraphrased,
             ["discover", "--json"])):
        seconds, peak = timed([*GTCODE, args[0], str(study_path), *args[1:]])
        print(f"| {label} | {seconds:.1f} | {peak:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=2.0)
    parser.add_argument("--no-speed", action="store_true")
    options = parser.parse_args()
    work = start("compare")
    paraphrased = quality(work)
    if not options.no_speed:
        speed(work, options.mb, paraphrased)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
