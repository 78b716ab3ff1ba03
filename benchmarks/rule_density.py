"""How dense the rule-coding work is: real sample transcripts against the generated corpus.

For each set of Chinese transcripts this imports the files into a scratch
study, codes the respondent turns (``gtcode open``'s roles) with the built-in
codebook's rule engine and reports, per MB of UTF-8 respondent text:

* hits: term occurrences inside a respondent turn (what the engine decides on);
* windows: hits next to a dictionary word that could cross their edge, whose
  window the engine segments (the costly case);
* codings: (segment, code) suggestions written.

Sets: the ten Chinese sample transcripts (``data/sample``, S01-S10), split into
the development files the codebook was tuned on (S01-S06) and the held-out
files (S07-S10), and the first ``--generated-mb`` MB of the benchmark corpus
(:mod:`rule_corpus`, same seed, so the same files the benchmark begins with).

Usage: python benchmarks/rule_density.py [--generated-mb 2] [--codebook six-pressures]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from gtcode.codebook import load_codebook
from gtcode.coding.open_coding import DEFAULT_ROLES
from gtcode.coding.rules.engine import RuleEngine
from gtcode.importer import import_files
from gtcode.store import open_coding as db
from gtcode.workspace import init_study
from rule_corpus import generate

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
DEVELOPMENT = ["S01.txt", "S02.txt", "S03.txt", "S04.txt", "S05.txt", "S06.txt"]
HELD_OUT = ["S07.txt", "S08.docx", "S09.txt", "S10.txt"]


def measure(files: list[Path], codebook: str, scratch: Path) -> dict:
    """Counts for one set of transcripts (imported into a study under ``scratch``)."""
    study = init_study(scratch / "study", codebook)
    try:
        import_files(study, files)
        engine = RuleEngine(load_codebook(study.codebook_path))
        size = segments = codings = 0
        for source in db.iter_source_spans(study.conn, roles=DEFAULT_ROLES):
            size += sum(len(source.text[a:b].encode("utf-8")) for a, b in source.spans)
            segments += len(source.spans)
            codings += sum(len(found) for found in engine.scan_spans(source.text, source.spans))
    finally:
        study.close()
    stats = engine.stats
    return {"files": len(files), "segments": segments, "mb": size / 1e6, "hits": stats.hits,
            "windows": stats.window_checks, "codings": codings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generated-mb", type=float, default=2.0)
    parser.add_argument("--codebook", default="six-pressures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        generated = generate(scratch / "corpus", args.generated_mb, codebook=args.codebook)
        sets = {"sample S01-S10": [SAMPLE / n for n in DEVELOPMENT + HELD_OUT],
                "  development S01-S06": [SAMPLE / n for n in DEVELOPMENT],
                "  held-out S07-S10": [SAMPLE / n for n in HELD_OUT],
                f"generated ({len(generated)} files)": generated}
        print(f"{'set':28} {'segments':>8} {'MB':>7} {'hits/MB':>8} {'windows/MB':>10} "
              f"{'codings/MB':>10}")
        for number, (name, files) in enumerate(sets.items()):
            row = measure(files, args.codebook, scratch / f"s{number}")
            mb = row["mb"]
            print(f"{name:28} {row['segments']:>8} {mb:>7.3f} {row['hits'] / mb:>8.0f} "
                  f"{row['windows'] / mb:>10.0f} {row['codings'] / mb:>10.0f}")


if __name__ == "__main__":
    main()
