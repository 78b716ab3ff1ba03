"""Recall and precision of ``gtcode anonymize``'s candidate finder on data/pii.

Usage: python benchmarks/bench_anonymize.py [--data data/pii]

data/pii holds fictional transcripts with planted identifiers and a gold file
of every occurrence (source, kind, text, start, end), written by someone who
did not write the detector (see its README). The benchmark does what the
command does on a study holding those files: finds the candidates of all
sources together (:func:`gtcode.privacy.detect.scan`, the review file's
terms), proposes pseudonyms, and takes as "predicted" every occurrence
``--apply`` would replace with the review file left as written (every term,
longest first). It reads each file as ``open(path, encoding="utf-8").read()``,
the text the gold offsets count in (UTF-8, LF: the same text import stores).

Match rule (occurrence level):

- recall of a kind: a gold occurrence counts as found when some predicted
  occurrence overlaps it by at least one character, whatever kind the
  detector gave it (what matters for privacy is that the text is replaced);
  beside it, ``exact``: a predicted occurrence with the same start and end;
- precision of a kind: predicted occurrences of that kind that overlap some
  gold occurrence, over all predicted occurrences of that kind;
- characters: the share of gold characters that the replacements cover.

Also printed: the review file's length (terms and lines) and the time taken,
wall and CPU seconds and characters a second, best of ``--repeat`` runs after
one warm-up (jieba's dictionary loads once, outside the timing).

The folder is any with transcripts (``*.txt`` named in ``gold.csv``, and
``P*.txt``) and a ``gold.csv`` of the same columns: ``--data data/pii2`` measures
a blind set. Only figures are printed, never transcript text.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gtcode.privacy.detect import occurrences, scan  # noqa: E402
from gtcode.privacy.found import KINDS, NUMBER_KINDS  # noqa: E402
from gtcode.privacy.pseudonyms import propose  # noqa: E402
from gtcode.privacy.review import review_text  # noqa: E402


def read_gold(folder: Path) -> dict[str, list[tuple[int, int, str]]]:
    gold: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    with open(folder / "gold.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            gold[Path(row["source"]).stem].append((int(row["start"]), int(row["end"]), row["kind"]))
    return gold


def predicted(texts: list[str]) -> tuple[list, list[list[tuple[int, int, str]]]]:
    candidates = scan(texts)
    propose(candidates)
    kind_of = {c.term: c.kind for c in candidates}
    found = occurrences(texts, kind_of)
    return candidates, [[(s, e, kind_of[t]) for s, e, t in per] for per in found]


def overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(gold: dict, names: list[str], found: list) -> dict[str, Counter]:
    stats: dict[str, Counter] = defaultdict(Counter)
    for name, pred in zip(names, found, strict=True):
        truth = gold.get(name, [])
        for g in truth:
            hit = [p for p in pred if overlaps(p, g)]
            stats[g[2]]["gold"] += 1
            stats[g[2]]["found"] += bool(hit)
            stats[g[2]]["exact"] += any(p[:2] == g[:2] for p in hit)
            stats[g[2]]["chars"] += g[1] - g[0]
            stats[g[2]]["covered"] += sum(
                1 for i in range(g[0], g[1]) if any(p[0] <= i < p[1] for p in hit))
        for p in pred:
            stats[p[2]]["predicted"] += 1
            stats[p[2]]["correct"] += any(overlaps(p, g) for g in truth)
    return stats


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "—"


def table(stats: dict[str, Counter]) -> list[str]:
    lines = ["| kind | gold | found | recall | exact span | chars covered | predicted | "
             "precision |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    groups = (("names and places", ("person", "place", "org")),
              ("numbers (phone, ID, plate, e-mail, birth date)", tuple(NUMBER_KINDS)))
    for kind in KINDS:
        lines.append(_row(kind, stats[kind]))
    for label, kinds in (*groups, ("all", KINDS)):
        lines.append(_row(f"**{label}**", sum((stats[k] for k in kinds), Counter())))
    return lines


def _row(label: str, s: Counter) -> str:
    return (f"| {label} | {s['gold']} | {s['found']} | {ratio(s['found'], s['gold'])} | "
            f"{ratio(s['exact'], s['gold'])} | {ratio(s['covered'], s['chars'])} | "
            f"{s['predicted']} | {ratio(s['correct'], s['predicted'])} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "pii",
                        help="folder with the transcripts and gold.csv (default data/pii)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs after one warm-up; the best is reported (default 3)")
    parser.add_argument("--unlabelled", type=Path, nargs="*", default=[],
                        help="folders of transcripts without planted identifiers (already "
                        "masked): how many candidates the review file would list for them")
    args = parser.parse_args()
    os.environ.setdefault("GTCODE_CACHE_DIR", tempfile.mkdtemp(prefix="gtcode-cache-"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    gold = read_gold(args.data)
    # every transcript (gold names them P01.txt or Q01: matched by stem), no README
    files = sorted(p for p in args.data.glob("*.txt") if not p.stem.upper().startswith("README"))
    texts = [open(path, encoding="utf-8").read() for path in files]  # noqa: SIM115
    scan(["热身 warm-up 王先生"])  # loads jieba's dictionary and tags outside the timing
    wall = cpu = float("inf")
    for _run in range(max(1, args.repeat)):
        began, began_cpu = time.perf_counter(), time.process_time()
        candidates, found = predicted(texts)
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    stats = evaluate(gold, [p.stem for p in files], found)
    chars = sum(map(len, texts))
    print(f"\n{args.data.name}: {len(files)} transcripts, {chars:,} characters; finding and "
          f"counting took {wall:.2f} s wall, {cpu:.2f} s CPU (best of {max(1, args.repeat)}): "
          f"{chars / cpu:,.0f} characters per CPU second\n")
    print("\n".join(table(stats)))
    by_kind = Counter(c.kind for c in candidates)
    review = review_text("pii", candidates)
    print(f"\nReview file: {len(candidates)} terms ("
          + ", ".join(f"{by_kind[k]} {k}" for k in KINDS if by_kind[k])
          + f"), {len(review.splitlines())} lines.")
    if args.unlabelled:
        print(unlabelled(args.unlabelled))
    return 0


def unlabelled(folders: list[Path]) -> str:
    """The review file's size for transcripts with no planted identifiers (UTF-8 ones)."""
    texts = []
    for path in sorted(p for folder in folders for p in folder.glob("*.txt")):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # the importer's encoding tests: not UTF-8 on purpose
    began, began_cpu = time.perf_counter(), time.process_time()
    by_kind = Counter(c.kind for c in scan(texts))
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    chars = sum(map(len, texts))
    return (f"\nUnlabelled: {len(texts)} transcripts, {chars:,} characters: "
            f"{sum(by_kind.values())} review terms ("
            + ", ".join(f"{by_kind[k]} {k}" for k in KINDS if by_kind[k])
            + f"); {wall:.2f} s wall, {cpu:.2f} s CPU: {chars / cpu:,.0f} characters per CPU "
            "second.")


if __name__ == "__main__":
    sys.exit(main())
