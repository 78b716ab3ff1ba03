"""Interview-like transcripts for benchmarks: the labelled turns of data/, resampled.

Every interviewer and respondent turn of the labelled transcripts in data/ (as
gtcode segments them) is a pool; each generated file is a header and 30-60
alternating turns drawn from the pool of one language (seeded, so the corpus is
the same on every machine). The text is real-style interview speech: turn
lengths, vocabulary, dialect, denials and digressions as the writers wrote
them, so what costs time in coding (hits, word windows, n-grams) occurs as
often as in interviews. The turns are fictional, like the transcripts they
come from.

Usage: python benchmarks/resampled_corpus.py OUT_DIR --mb 20
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from corpus import write_until
from gtcode.importer import import_files
from gtcode.store import open_coding as segments_db
from gtcode.workspace import init_study

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("sample", "dev", "holdout", "holdout2", "holdout3", "holdout4")
LABELS = {"zh": ("问：", "答："), "en": ("Q: ", "A: ")}


def turn_pools() -> dict[str, dict[str, list[str]]]:
    """language -> role -> every turn of that role (one line each)."""
    pools: dict[str, dict[str, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="gtcode-corpus-") as work:
        study = init_study(Path(work) / "s", "six-pressures")
        try:
            for folder in FOLDERS:
                files = sorted(p for p in (REPO / "data" / folder).iterdir()
                               if p.suffix in (".txt", ".docx") and p.stem != "README")
                import_files(study, files)
            for source in segments_db.iter_source_segments(study.conn):
                language = "en" if source.name.startswith("E") or _latin(source.text) else "zh"
                for seg in source.segments:
                    role = "interviewer" if seg.role == "interviewer" else "respondent"
                    text = " ".join(source.text[seg.start:seg.end].split())
                    if text:
                        pools.setdefault(language, {}).setdefault(role, []).append(text)
        finally:
            study.close()
    return pools


def _latin(text: str) -> bool:
    letters = sum(ch.isascii() and ch.isalpha() for ch in text[:2000])
    return letters > 1000


def write_corpus(out: Path, megabytes: float, seed: int = 7,
                 turns: tuple[int, int] = (15, 30)) -> list[Path]:
    """Write files until ``megabytes`` MB of UTF-8; about a fifth of them English.

    Each interview has between ``turns`` question-and-answer pairs (about 260
    bytes a pair: the default makes interviews of about 6 KB, (90, 145) of about 30 KB).
    """
    pools = turn_pools()
    rng = random.Random(seed)

    def interview(number: int) -> str:
        language = "en" if number % 5 == 0 else "zh"
        ask, answer = LABELS[language]
        lines = [f"Interview R{number:05d}" if language == "en" else f"访谈编号：R{number:05d}",
                 ""]
        for _ in range(rng.randint(*turns)):
            lines.append(ask + rng.choice(pools[language]["interviewer"]))
            lines.append(answer + rng.choice(pools[language]["respondent"]))
        return "\n".join(lines) + "\n"

    return write_until(out, megabytes, "R", interview)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=20.0)
    args = parser.parse_args()
    files = write_corpus(args.out, args.mb)
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"wrote {len(files)} files, {size:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
