"""In-vivo candidates against a blind labeller's phrases: precision at k and recall.

Usage: python benchmarks/bench_invivo.py [--gold data/invivo/test.csv]
           [--data data/holdout4 data/holdout5] [--k 30] [--show]
           [--speed-mb 5 [--before OTHER/src] [--repeat 2]]

Imports the transcripts of --data (and their cases.csv) into a new study,
codes it with the codebook's rules (as ``gtcode open`` does before the in-vivo
step; the learned model is not run), ranks the in-vivo candidates of the respondents' turns (``find_invivo``, one
process, nothing stored) and scores them, Chinese and English apart, against
the gold phrases of --gold (``source,lang,phrase,why``: phrases worth an
in-vivo code, listed by a labeller who never saw the extractor).

Match rule (fixed before any result was seen): both sides are normalised
(NFKC, lower case, curly apostrophes straightened, whitespace collapsed,
punctuation at either end dropped). A candidate matches a gold phrase of its
language when they are equal, or when one holds the other (Chinese: as a
substring; English: as a run of whole words) and the shorter is at least 2/3 of
the longer (Chinese: in characters; English: in words).

- precision at k: the share of the first k candidates of a language that match
  some gold phrase of that language (any transcript);
- recall at k / recall: the share of the distinct gold phrases of a language
  matched by one of the first k candidates / by any candidate listed (up to
  the extractor's limit of 200).

The same script measures any version of gtcode: run it with
``PYTHONPATH=<other checkout>/src`` for the version before.

With ``--speed-mb``: on a corpus resampled from the labelled interview turns
(resampled_corpus.py, imported once), ``gtcode open STUDY --invivo-only`` and
``gtcode open STUDY --no-model`` are timed as new processes (wall seconds, CPU
seconds of user and system, peak MB: GNU time), for this gtcode and, with ``--before``, for the gtcode of that
source folder, alternating in the same run, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def normalise(phrase: str) -> str:
    text = unicodedata.normalize("NFKC", phrase).lower().replace("\u2019", "'")
    return _EDGE_PUNCT.sub("", " ".join(text.split()))


def language(phrase: str) -> str:
    return "zh" if CJK.search(phrase) else "en"


def matches(candidate: str, gold: str, lang: str) -> bool:
    """The match rule of the module's docstring (both sides normalised)."""
    if candidate == gold:
        return True
    if lang == "zh":
        short, long = sorted((candidate, gold), key=len)
        return short in long and 3 * len(short) >= 2 * len(long)
    a, b = candidate.split(), gold.split()
    short, long = sorted((a, b), key=len)
    size = len(short)
    inside = any(long[i:i + size] == short for i in range(len(long) - size + 1))
    return inside and 3 * size >= 2 * len(long)


def read_gold(path: Path) -> dict[str, set[str]]:
    gold: dict[str, set[str]] = {"zh": set(), "en": set()}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            phrase = normalise(row["phrase"])
            if phrase:
                gold[row.get("lang") or language(phrase)].add(phrase)
    return gold


def candidates(folders: list[Path]) -> list[str]:
    """The ranked candidates of a new study of ``folders`` (best first)."""
    import gtcode
    from gtcode.coding.open_coding import find_invivo, open_code

    work = Path(tempfile.mkdtemp(prefix="gtcode-bench-invivo-"))
    study = gtcode.init_study(work / "study")
    files = sorted(p for folder in folders for p in folder.iterdir()
                   if p.suffix in (".txt", ".docx"))
    for folder in folders:
        cases = folder / "cases.csv"
        gtcode.import_files(study, [p for p in files if p.parent == folder],
                            cases=cases if cases.is_file() else None)
    book = gtcode.study_codebook(study)
    open_code(study, book, invivo=False, model=False, jobs=1)  # the rules' codings, as open has
    result = find_invivo(study, book, store=False, jobs=1)
    study.close()
    return [c.phrase for c in result.candidates]


def score(ranked: list[str], gold: set[str], lang: str, k: int) -> dict:
    ranked = [normalise(p) for p in ranked]
    hit = [any(matches(c, g, lang) for g in gold) for c in ranked]
    found_k = {g for g in gold if any(matches(c, g, lang) for c in ranked[:k])}
    found = {g for g in gold if any(matches(c, g, lang) for c in ranked)}
    top = ranked[:k]
    return {"lang": lang, "gold": len(gold), "candidates": len(ranked),
            f"precision_at_{k}": round(sum(hit[:k]) / len(top), 3) if top else None,
            f"recall_at_{k}": round(len(found_k) / len(gold), 3) if gold else None,
            "recall": round(len(found) / len(gold), 3) if gold else None,
            "top": [(c, h) for c, h in zip(top, hit)]}


def timed(args: list[str], src: Path) -> tuple[float, float, float]:
    """Wall seconds, peak MB and CPU seconds (user + system) of ``python -m gtcode ARGS``
    with gtcode from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.NamedTemporaryFile(suffix=".time") as report:
        subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", report.name, sys.executable,
                        "-m", "gtcode", *args], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds, kb, user, system = Path(report.name).read_text().split()[-4:]
    return float(seconds), int(kb) / 1024, float(user) + float(system)


def speed(megabytes: float, versions: dict[str, Path], repeat: int) -> None:
    """Time ``gtcode open`` of each version on one resampled corpus (see the docstring)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from resampled_corpus import write_corpus

    work = Path(tempfile.mkdtemp(prefix="gtcode-bench-invivo-speed-"))
    files = write_corpus(work / "corpus", megabytes)
    size = sum(p.stat().st_size for p in files) / 1e6
    first = next(iter(versions.values()))
    study = work / "study"
    for args in (["init", str(study), "-q"], ["import", str(study), str(work / "corpus"), "-q"]):
        timed(args, first)
    for src in versions.values():
        timed(["open", str(study), "--invivo-only", "-q"], src)  # warms the caches
    print(f"\n{size:.1f} MB, {len(files)} files, load {os.getloadavg()[0]:.1f}; best of {repeat}")
    print("| gtcode | `open --invivo-only` | `open --no-model` |\n|---|---:|---:|")
    runs: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _round in range(repeat):
        for name, src in versions.items():
            for flag in ("--invivo-only", "--no-model"):
                runs.setdefault((name, flag), []).append(
                    timed(["open", str(study), flag, "-q"], src))
    for name in versions:
        cells = [f"{min(r[0] for r in runs[name, flag]):.1f} s "
                 f"(CPU {min(r[2] for r in runs[name, flag]):.1f} s), "
                 f"{max(r[1] for r in runs[name, flag]):.0f} MB"
                 for flag in ("--invivo-only", "--no-model")]
        print(f"| {name} | {cells[0]} | {cells[1]} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "data/invivo/test.csv")
    parser.add_argument("--data", type=Path, nargs="+",
                        default=[ROOT / "data/holdout4", ROOT / "data/holdout5"])
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--show", action="store_true", help="List the top k with their marks.")
    parser.add_argument("--speed-mb", type=float, default=0.0)
    parser.add_argument("--before", type=Path, help="The src folder of the version before.")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("GTCODE_CACHE_DIR", tempfile.mkdtemp(prefix="gtcode-cache-"))
    gold = read_gold(args.gold)
    ranked = candidates(args.data)
    import gtcode

    print(f"gtcode from {Path(gtcode.__file__).parent}; data: "
          f"{', '.join(p.name for p in args.data)}; gold: {args.gold.name}")
    print(f"| language | gold phrases | candidates | P@{args.k} | R@{args.k} | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for lang in ("zh", "en"):
        result = score([p for p in ranked if language(p) == lang], gold[lang], lang, args.k)
        print(f"| {lang} | {result['gold']} | {result['candidates']} | "
              f"{result[f'precision_at_{args.k}']} | {result[f'recall_at_{args.k}']} | "
              f"{result['recall']} |")
        if args.show:
            print("  " + json.dumps([f"{'+' if h else '-'}{c}" for c, h in result["top"]],
                                    ensure_ascii=False))
    if args.speed_mb:
        versions = {"this": Path(gtcode.__file__).resolve().parents[1]}
        if args.before:
            versions = {"before": args.before.resolve(), **versions}
        speed(args.speed_mb, versions, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
