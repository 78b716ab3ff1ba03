"""How well the learned coder generalises to authors it never saw (coding quality).

Usage: python benchmarks/bench_learned.py [--honest]
       python benchmarks/bench_learned.py --variants E,F,G

1. Leave one author out over the seven training authors of data/ (A sample,
   B dev D01-D09, C dev D10-D15, D holdout, E holdout2, F holdout3, G holdout4):
   macro kappa per left-out author for the rules alone, the model without
   embeddings and the model with them, trained exactly as the built-in model is
   (scripts/train_builtin_model.py). Each author's turns are decided at the
   thresholds chosen on the other authors. The rules were tuned on A-D, so
   their hits (a feature of the model) flatter those four: E, F and G are the
   figures that count.
2. The study model: for each author the rules never saw, a model learned from
   half of the author's interviews beside the labelled turns of every other
   author (as `gtcode learn` adds the shipped turns), scored on the other half,
   both ways round.
3. With --honest, once: the shipped models on data/holdout5 (author I), which
   nothing was trained or tuned on, against the rules; and the study model on
   half of author I's interviews.

With --variants, only part 2 for the authors named, each half trained with
the author's own turns weighing 1 and 3 (the shipped turns 1), and each
training decided at thresholds chosen four ways: pooled over all turns (what
`gtcode learn` does), on her own turns only, and on her own turns with the
shipped turns' kappa counted 0.5 or 1 times beside (train.choose_threshold).

Embeddings are cached in benchmarks/_data/embeddings.npz (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import train_builtin_model as tb  # noqa: E402

from gtcode.coding.learn import training_set  # noqa: E402
from gtcode.coding.learned import builtin  # noqa: E402
from gtcode.coding.learned.features import ngram_counts, rule_columns  # noqa: E402
from gtcode.coding.learned.model import FeatureSpec, LearnedModel  # noqa: E402
from gtcode.coding.learned.train import choose_threshold, kappa, train  # noqa: E402

LABELS = list(builtin.LABELS)
TUNED = {"A", "B", "C", "D"}


def macro(truth: np.ndarray, decided: np.ndarray) -> tuple[float, float, float]:
    """Macro kappa, precision and recall over the six categories (undefined ones left out)."""
    kappas, precision, recall = [], [], []
    for j in range(truth.shape[1]):
        t, d = truth[:, j], decided[:, j]
        k = kappa(t, d)
        if k is not None:
            kappas.append(k)
        if d.sum():
            precision.append((t & d).sum() / d.sum())
        if t.sum():
            recall.append((t & d).sum() / t.sum())
    return float(np.mean(kappas)), float(np.mean(precision)), float(np.mean(recall))


def rule_decisions(data: tb.Labelled, rows: np.ndarray) -> np.ndarray:
    rolls = {c: [c, *(a.id for a in data.codebook.ancestors(c))]
             for e in data.examples for c in e.turn.rules}
    return rule_columns([data.examples[i].turn.rules for i in rows], LABELS, rolls) > 0


def subset(data: tb.Labelled, rows) -> tb.Labelled:
    return tb.Labelled([data.examples[i] for i in rows], [data.authors[i] for i in rows],
                       data.tuned[rows], data.codebook)


def leave_one_author_out(data: tb.Labelled, vectors: np.ndarray) -> None:
    authors = np.array(data.authors)
    truth_all = None
    print("\n## Leave one author out (macro kappa of the left-out author)\n")
    print("| author | turns | rules | model, no embeddings | model with embeddings |")
    print("|---|---:|---:|---:|---:|")
    results = {}
    for embeddings in (False, True):
        spec = FeatureSpec(embeddings=embeddings)
        ts = training_set(None, data.codebook, data.examples, LABELS, ["category"] * 6, spec,
                          vectors=vectors if embeddings else None, groups=data.authors,
                          rule_mask=(~data.tuned).astype(np.float32))
        model = train(ts, spec, folds=len(set(data.authors)))
        truth_all = ts.targets.astype(bool)
        results[embeddings] = model.cross_validation.decisions
    table = {}
    for author in sorted(set(authors)):
        rows = np.flatnonzero(authors == author)
        truth = truth_all[rows]
        rules = macro(truth, rule_decisions(data, rows))[0]
        plain = macro(truth, results[False][rows])[0]
        emb = macro(truth, results[True][rows])[0]
        table[author] = (rules, plain, emb)
        mark = " (rules tuned on it)" if author in TUNED else ""
        print(f"| {author}{mark} | {len(rows)} | {rules:.3f} | {plain:.3f} | {emb:.3f} |")
    for name, keep in (("all seven", table), ("E, F, G (never seen by the rules)",
                                              {a: v for a, v in table.items() if a not in TUNED})):
        means = [np.mean([v[i] for v in keep.values()]) for i in range(3)]
        lows = [min(v[i] for v in keep.values()) for i in range(3)]
        print(f"| mean over {name} | | {means[0]:.3f} | {means[1]:.3f} | {means[2]:.3f} |")
        print(f"| lowest of {name} | | {lows[0]:.3f} | {lows[1]:.3f} | {lows[2]:.3f} |")


def study_half(data: tb.Labelled, vectors: np.ndarray, author: str,
               shipped_rows: np.ndarray, *, weight: float = 1.0,
               shrinks: tuple[float | None, ...] = (None,)) -> dict[float | None, list[float]]:
    """Train on half of the author's interviews beside the shipped turns (``shipped_rows``:
    every other author's, as `gtcode learn` adds them), score the other half.

    ``weight``: the weight of the author's own turns in training (the shipped ones weigh 1);
    ``shrinks``: how thresholds are chosen from the same training (None: on all turns
    pooled, as `gtcode learn` does; a number: on her own turns, the shipped turns' kappa
    counted that many times beside, see ``train.choose_threshold``). Macro kappa of each
    half for each of ``shrinks``."""
    rows = np.flatnonzero(np.array(data.authors) == author)
    files = sorted({data.examples[i].turn.source for i in rows})
    halves = [set(files[0::2]), set(files[1::2])]
    spec = FeatureSpec(embeddings=True)
    scores: dict[float | None, list[float]] = {shrink: [] for shrink in shrinks}
    for train_files, test_files in (halves, halves[::-1]):
        fit = [i for i in rows if data.examples[i].turn.source in train_files]
        test = [i for i in rows if data.examples[i].turn.source in test_files]
        both = np.array([*fit, *shipped_rows])
        mask = np.concatenate([np.ones(len(fit)), (~data.tuned[shipped_rows]).astype(float)])
        ts = training_set(None, data.codebook, [data.examples[i] for i in both], LABELS,
                          ["category"] * 6, spec, vectors=vectors[both],
                          groups=[data.examples[i].turn.source if k < len(fit) else
                                  f"shipped:{data.authors[i]}" for k, i in enumerate(both)],
                          rule_mask=mask.astype(np.float32))
        ts.anchored = np.arange(len(both)) >= len(fit)
        model = train(ts, spec, own_weights=(weight,))
        probabilities = _probabilities(model, data, test, vectors)
        truth = np.array([[lab in data.examples[i].codes for lab in LABELS] for i in test])
        cv, known = model.cross_validation.probabilities, ts.targets >= 0
        for shrink in shrinks:
            thresholds = model.thresholds if shrink is None else np.array([
                choose_threshold(cv[:, j], ts.targets[:, j] == 1, known[:, j],
                                 anchored=ts.anchored, shrink=shrink) for j in range(6)])
            scores[shrink].append(macro(truth, probabilities >= thresholds)[0])
    return scores


def variants(data: tb.Labelled, vectors: np.ndarray, authors: list[str]) -> None:
    """What a study model might do better with her own half (docs/benchmarks.md)."""
    shrinks = (None, 0.0, 0.5, 1.0)
    names = {None: "pooled", 0.0: "own turns", 0.5: "own + 0.5 × shipped",
             1.0: "own + 1 × shipped"}
    print("\n## Study model variants (macro kappa, half 1 → 2 / half 2 → 1)\n")
    print("| author | own weight | " + " | ".join(f"thresholds: {names[s]}" for s in shrinks)
          + " |")
    print("|---|---:|" + "---:|" * len(shrinks))
    for author in authors:
        others = np.flatnonzero(np.array(data.authors) != author)
        for weight in (1.0, 3.0):
            got = study_half(data, vectors, author, others, weight=weight, shrinks=shrinks)
            cells = [f"{np.mean(got[s]):.3f} ({got[s][0]:.3f} / {got[s][1]:.3f})"
                     for s in shrinks]
            print(f"| {author} | {weight:g} | " + " | ".join(cells) + " |", flush=True)


def _probabilities(model: LearnedModel, data: tb.Labelled, rows, vectors: np.ndarray
                   ) -> np.ndarray:
    texts = [data.examples[i].turn.text for i in rows]
    rolls = {c: [c, *(a.id for a in data.codebook.ancestors(c))]
             for i in rows for c in data.examples[i].turn.rules}
    hits = [data.examples[i].turn.rules for i in rows]
    emb = vectors[rows] if model.spec.embeddings else None
    return model.probabilities(model.design(ngram_counts(texts),
                                            rule_columns(hits, model.labels, rolls), emb))


def honest(vectors_of) -> None:
    with tempfile.TemporaryDirectory(prefix="gtcode-bench-") as work:
        data = tb.load_folders(["holdout5"], Path(work))
    vectors = vectors_of(data)
    rows = np.arange(len(data.examples))
    truth = np.array([[lab in e.codes for lab in LABELS] for e in data.examples])
    print("\n## The honest test: data/holdout5 (author I), never trained or tuned on\n")
    print(f"{len(rows)} respondent turns in {len({e.turn.source for e in data.examples})} "
          "interviews.\n")
    print("| coder | macro kappa | precision | recall |")
    print("|---|---:|---:|---:|")
    k, p, r = macro(truth, rule_decisions(data, rows))
    print(f"| rules (six-pressures {data.codebook.version}) | {k:.3f} | {p:.3f} | {r:.3f} |")
    for embeddings in (False, True):
        model = builtin.load(embeddings)
        decided = model.decide(_probabilities(model, data, rows, vectors))
        k, p, r = macro(truth, decided)
        name = "shipped model, embeddings" if embeddings else "shipped model, no embeddings"
        print(f"| {name} | {k:.3f} | {p:.3f} | {r:.3f} |")
    with tempfile.TemporaryDirectory(prefix="gtcode-bench-") as work:
        base = tb.load_folders(list(tb.AUTHORS), Path(work))
    both = tb.Labelled(base.examples + data.examples, base.authors + data.authors,
                       np.concatenate([base.tuned, data.tuned]), data.codebook)
    both_vectors = np.vstack([vectors_of(base), vectors])
    scores = study_half(both, both_vectors, "I", np.arange(len(base.examples)))[None]
    print(f"| study model on half of I's interviews (both halves) | "
          f"{np.mean(scores):.3f} ({scores[0]:.3f}, {scores[1]:.3f}) | | |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--honest", action="store_true",
                        help="also score data/holdout5 (run it once, at the end)")
    parser.add_argument("--variants", metavar="AUTHORS",
                        help="only the study model's variants (own weight, thresholds) for "
                        "these authors, e.g. E,F,G")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gtcode-bench-") as work:
        data = tb.load_folders(list(tb.AUTHORS), Path(work))
    vectors = tb.cached_embeddings([e.turn.text for e in data.examples])
    print(f"{len(data.examples)} labelled respondent turns by {len(set(data.authors))} authors")
    if args.variants:
        variants(data, vectors, args.variants.split(","))
        return 0
    leave_one_author_out(data, vectors)
    print("\n## Study model: trained on half of an author's interviews, scored on the other "
          "half\n")
    print("| author | half 1 → half 2 | half 2 → half 1 | mean |")
    print("|---|---:|---:|---:|")
    for author in ("E", "F", "G"):
        others = np.flatnonzero(np.array(data.authors) != author)
        scores = study_half(data, vectors, author, others)[None]
        print(f"| {author} | {scores[0]:.3f} | {scores[1]:.3f} | {np.mean(scores):.3f} |")
    if args.honest:
        honest(lambda d: tb.cached_embeddings([e.turn.text for e in d.examples]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
