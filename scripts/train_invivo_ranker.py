"""Fit the in-vivo ranker's coefficients on the tuning set and print them.

Usage: python scripts/train_invivo_ranker.py [--gold data/invivo/tune.csv]
           [--data data/holdout3] [--c 0.1]

Builds a study of --data (respondent turns), takes every phrase of the
candidate pool with its features (``gtcode.coding.invivo.invivo_pool``),
labels it 1 when it matches a gold phrase of its language (the match rule of
``benchmarks/bench_invivo.py``), fits an L2 logistic regression (scikit-learn,
liblinear, features standardised, classes balanced) and prints ``INTERCEPT``
and ``COEFFICIENTS`` in the raw feature scale, to paste into
``src/gtcode/coding/invivo_rank.py``. Deterministic: the same data give the
same numbers. Only the tuning set (holdout3) may be used here; the test set
(holdout4, holdout5) never.

With --check, print nothing and exit 1 unless the shipped coefficients are these
(to the four decimals printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_invivo  # noqa: E402
from gtcode.coding import open_coding  # noqa: E402
from gtcode.coding.invivo import PhraseCounts, count_phrases, invivo_pool  # noqa: E402
from gtcode.coding.invivo_rank import COEFFICIENTS, FEATURES, INTERCEPT  # noqa: E402
from gtcode.coding.open_coding import open_code  # noqa: E402
from gtcode.coding.rules import default_lexicon, default_tokenizer  # noqa: E402
from gtcode.importer import import_files  # noqa: E402
from gtcode.transcripts import nlp  # noqa: E402
from gtcode.workspace import init_study, study_codebook  # noqa: E402

#: The model was fitted on a pool holding every once-said clause of both languages (Chinese
#: too, before Chinese went back to the formula and its threshold of 8; docs/benchmarks.md).
TRAINING_POOL = {"zh": 0.0, "en": 0.0}


def pool(folders: list[Path]) -> tuple[list[str], np.ndarray]:
    """The pool's phrases and their feature rows for a new study of ``folders``."""
    study = init_study(Path(tempfile.mkdtemp(prefix="gtcode-invivo-train-")) / "study")
    for folder in folders:
        cases = folder / "cases.csv"
        import_files(study, sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".docx")),
                     cases=cases if cases.is_file() else None)
    open_code(study, study_codebook(study), invivo=False, model=False)
    tags = nlp.zh_word_tags()
    counted = PhraseCounts()
    for row in count_phrases(open_coding.invivo_segments(study), default_tokenizer(), tags=tags):
        counted.add(row)
    exclude = open_coding.RuleEngine(study_codebook(study), lemmas=None, lexicon=None).terms()
    _keyness, rows, _formula = invivo_pool(counted, exclude=exclude, background=default_lexicon(),
                                 tags=tags, coded=open_coding.db.coded_segment_ids(study.conn),
                                 clause_keyness=TRAINING_POOL)
    order = sorted(rows, key=lambda n: counted.phrases[n])
    study.close()
    return [counted.phrases[n] for n in order], np.array([rows[n] for n in order])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "data/invivo/tune.csv")
    parser.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data/holdout3"])
    parser.add_argument("--c", type=float, default=0.1, help="Inverse L2 strength.")
    parser.add_argument("--check", action="store_true",
                        help="Exit 1 unless the shipped coefficients are these.")
    args = parser.parse_args()
    if any(folder.name in ("holdout4", "holdout5") for folder in args.data) \
            or args.gold.name == "test.csv":
        parser.error("the test set (holdout4, holdout5, test.csv) is never trained on")
    os.environ.setdefault("GTCODE_CACHE_DIR", tempfile.mkdtemp(prefix="gtcode-cache-"))
    gold = bench_invivo.read_gold(args.gold)
    phrases, x = pool(args.data)
    y = np.array([any(bench_invivo.matches(bench_invivo.normalise(p), g, lang)
                      for g in gold[lang])
                  for p in phrases for lang in [bench_invivo.language(p)]], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=args.c, solver="liblinear", class_weight="balanced")
    model.fit((x - mean) / scale, y)
    weights = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - (weights * mean).sum())
    if args.check:
        shipped = [round(INTERCEPT, 4)] + [round(COEFFICIENTS[name], 4) for name in FEATURES]
        fitted = [round(intercept, 4)] + [round(float(w), 4) for w in weights]
        return 0 if shipped == fitted else 1
    print(f"# pool: {len(phrases)} phrases, {int(y.sum())} match a gold phrase")
    print(f"INTERCEPT = {intercept:.4f}")
    print("COEFFICIENTS = {")
    for name, weight in zip(FEATURES, weights):
        print(f'    "{name}": {weight:.4f},')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
