"""Training a learned coder, and measuring it by cross-validation grouped by source.

One logistic regression per label (scikit-learn, ``class_weight="balanced"``)
over the features of :mod:`gtcode.coding.learned.features`. Everything a
researcher is told about the model comes from cross-validation in which no
interview (or, for the built-in model, no author) is in both the training and
the test part (:func:`group_folds`):

1. every turn gets an out-of-fold score from a model that never saw its group;
2. a Platt calibration per label maps scores to probabilities
   (fitted on the out-of-fold scores);
3. the threshold per label is the probability in [0.05, 0.95] at which the
   out-of-fold decisions agree best with the labels (Cohen's kappa); the
   reported precision, recall and kappa of a fold's turns use the threshold
   chosen on the *other* folds, so the choice does not flatter the figures;
4. the final model is fitted on all turns.

Beside the shipped turns (anchored), a study model can weigh its own turns
more (``own_weights``: each weight cross-validated, the best kept) and choose
its thresholds on its own turns (``shrink``); ``gtcode learn`` uses neither by
default: measured on authors E-G they did not help (docs/benchmarks.md).

Training is deterministic: the same turns, labels and settings give the same
model, byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gtcode.coding.learned.features import combine, fit_idf, ngram_counts, tfidf
from gtcode.coding.learned.model import FeatureSpec, LabelScore, LearnedModel
from gtcode.errors import GtcodeError

#: Inverse regularisation strength of every logistic regression.
C = 10.0
#: Where thresholds are looked for (a calibrated probability).
THRESHOLD_GRID = tuple(round(0.05 + 0.025 * i, 3) for i in range(37))
#: Fewest positive turns (and sources holding one) for a label to be learned.
MIN_POSITIVES = 8
MIN_SOURCES = 2
#: The threshold of a label that is never suggested (refused by ``min_kappa``).
REFUSED = 2.0


@dataclass
class TrainingSet:
    """Labelled turns: text, groups for cross-validation, labels, and other feature columns.

    ``targets`` is turns × labels (0/1). ``rules`` and ``embeddings``
    are the extra columns the spec asks for (turns × k). ``rule_mask``
    marks turns whose rule hits are left out while training (0 = left out):
    rules tuned on a turn's author would teach the model to trust them more
    than a new author's text deserves. A target of -1 means not known (the
    turn is left out of that label).
    """

    texts: list[str]
    groups: list[str]
    labels: list[str]
    levels: list[str]
    targets: np.ndarray
    rules: np.ndarray | None = None
    embeddings: np.ndarray | None = None
    rule_mask: np.ndarray | None = None
    #: n-gram counts given directly (turns whose text is not at hand: the shipped turns)
    counts: sp.csr_matrix | None = None
    #: turns left out of the reported reliability (the shipped turns beside a study's own)
    anchored: np.ndarray | None = None

    def data_hash(self) -> str:
        """sha256 of everything the model is trained on (texts, groups, labels, columns)."""
        digest = hashlib.sha256()
        for text, group in zip(self.texts, self.groups):
            digest.update(group.encode("utf-8") + b"\x1f" + text.encode("utf-8") + b"\x1e")
        digest.update(json.dumps([self.labels, self.levels]).encode("utf-8"))
        for array in (self.targets, self.rules, self.rule_mask, self.anchored):
            if array is not None:
                digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        if self.counts is not None:
            for array in (self.counts.indptr, self.counts.indices, self.counts.data):
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


def group_folds(groups: Sequence[str], folds: int = 5) -> list[np.ndarray]:
    """Test indices of each fold; every group lies in exactly one fold.

    Groups are dealt to folds largest first (ties by name), each to the fold
    with the fewest turns so far: deterministic, balanced, and never one
    source (or author) on both sides.
    """
    names = sorted(set(groups))
    if len(names) < 2:
        raise GtcodeError("E803", "cross-validation needs turns from at least 2 sources.",
                          hint="code turns in more interviews before training")
    sizes = {name: 0 for name in names}
    for group in groups:
        sizes[group] += 1
    count = min(folds, len(names))
    load = [0] * count
    home: dict[str, int] = {}
    for name in sorted(names, key=lambda n: (-sizes[n], n)):
        fold = min(range(count), key=lambda f: (load[f], f))
        home[name] = fold
        load[fold] += sizes[name]
    assignment = np.array([home[g] for g in groups])
    return [np.flatnonzero(assignment == fold) for fold in range(count)]


def _design(counts: sp.csr_matrix, idf: np.ndarray, data: TrainingSet, rows: np.ndarray,
            spec: FeatureSpec, *, training: bool) -> sp.csr_matrix:
    columns = np.flatnonzero(idf)
    parts: list = [tfidf(counts[rows], idf)[:, columns]]
    if spec.rules:
        rules = data.rules[rows]
        if training and data.rule_mask is not None:
            rules = rules * data.rule_mask[rows, None]
        parts.append(rules * spec.rule_weight)
    if spec.embeddings:
        parts.append(data.embeddings[rows] * spec.embedding_weight)
    return combine(parts)


def _fit(design: sp.csr_matrix, target: np.ndarray, weight: np.ndarray | None = None
         ) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if target.min() == target.max():  # one class only: a constant score
        return np.zeros(design.shape[1]), (8.0 if target[0] else -8.0)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, tol=1e-6)
    model.fit(design, target, sample_weight=weight)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def _platt(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if target.min() == target.max():
        return 1.0, 0.0
    model = LogisticRegression(C=1e6, max_iter=5000).fit(scores[:, None], target)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def kappa(truth: np.ndarray, decided: np.ndarray) -> float | None:
    """Cohen's kappa of two 0/1 vectors (None when chance agreement is 1)."""
    n = len(truth)
    if n == 0:
        return None
    tp = int(np.sum(truth & decided))
    tn = int(np.sum(~truth & ~decided))
    fp = int(np.sum(~truth & decided))
    fn = int(np.sum(truth & ~decided))
    observed = (tp + tn) / n
    chance = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
    return None if chance >= 1 else (observed - chance) / (1 - chance)


def _best_threshold(probabilities: np.ndarray, truth: np.ndarray,
                    beside: tuple[np.ndarray, np.ndarray, float] | None = None) -> float:
    best, best_value = 0.5, -math.inf
    for threshold in THRESHOLD_GRID:
        value = kappa(truth, probabilities >= threshold)
        value = -1.0 if value is None else value
        if beside is not None and beside[2]:
            other = kappa(beside[1], beside[0] >= threshold)
            value += beside[2] * (-1.0 if other is None else other)
        if value > best_value + 1e-12 or (abs(value - best_value) <= 1e-12
                                          and abs(threshold - 0.5) < abs(best - 0.5)):
            best, best_value = threshold, value
    return best


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def train(data: TrainingSet, spec: FeatureSpec, *, folds: int = 5,
          min_kappa: float | None = None, meta: dict | None = None,
          own_weights: Sequence[float] = (1.0,), shrink: float | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> LearnedModel:
    """Cross-validate, calibrate, choose thresholds, and fit the final model (module doc).

    ``min_kappa``: a label whose cross-validated kappa is below it (or
    undefined) is kept in the model but never suggested (threshold above 1).
    Anchored turns (``data.anchored``: the shipped turns beside a study's own)
    take part in cross-validation and in choosing thresholds, but the reliability
    reported is on the other turns only; a target of -1 (unknown) leaves that
    turn out of that label.

    With anchored turns, ``own_weights`` are the weights tried for the study's
    own turns (the anchored ones weigh 1): each is cross-validated, and the one
    whose cross-validated macro kappa on the own turns is highest (the smallest
    on a tie) is kept, in ``meta["own_weight"]``. ``shrink`` (with anchored
    turns) chooses each threshold on the own turns, with the anchored turns'
    kappa counted ``shrink`` times beside it (:func:`choose_threshold`);
    ``None`` chooses it on all turns pooled.
    """
    counts = data.counts if data.counts is not None else \
        ngram_counts(data.texts, ngrams=spec.ngrams, bits=spec.bits)
    n, labels = counts.shape[0], len(data.labels)
    known = data.targets >= 0
    truth = data.targets == 1
    anchored = data.anchored if data.anchored is not None and data.anchored.any() else None
    scored = np.flatnonzero(~data.anchored) if data.anchored is not None else np.arange(n)
    parts = group_folds(data.groups, folds)
    weights = sorted(set(own_weights)) if anchored is not None else [1.0]
    tick = _ticker(progress, (len(parts) * len(weights) + 1) * labels)
    chooser = functools.partial(choose_threshold, anchored=anchored if shrink is not None
                                else None, shrink=shrink or 0.0)
    tried: dict[float, tuple[float, np.ndarray, CrossValidation]] = {}
    for weight in weights:
        sample = _weights(anchored, weight)
        oof = _out_of_fold(counts, data, spec, parts, sample, tick)
        calibration = np.array([_platt(oof[known[:, j], j], data.targets[known[:, j], j])
                                for j in range(labels)])
        cv = _cross_fitted(oof, calibration, truth, known, parts, chooser)
        tried[weight] = (_macro_kappa(truth[scored], cv.decisions[scored], known[scored]),
                         calibration, cv)
    weight = max(weights, key=lambda w: (round(tried[w][0], 9), -w))
    _value, calibration, cv = tried[weight]
    sample = _weights(anchored, weight)
    idf = fit_idf(counts)
    columns = np.flatnonzero(idf)
    design = _design(counts, idf, data, np.arange(n), spec, training=True)
    coef = np.zeros((design.shape[1], labels), dtype=np.float32)
    intercept = np.zeros(labels, dtype=np.float32)
    for j in range(labels):
        rows = known[:, j]
        coef[:, j], intercept[j] = _fit(design[rows], data.targets[rows, j],
                                        None if sample is None else sample[rows])
        tick("Training")
    thresholds = np.array([chooser(cv.probabilities[:, j], truth[:, j], known[:, j])
                           for j in range(labels)])
    scores = [_label_score(label, data.levels[j], truth[scored, j][known[scored, j]],
                           cv.decisions[scored, j][known[scored, j]], float(thresholds[j]))
              for j, label in enumerate(data.labels)]
    for j, score in enumerate(scores):
        if min_kappa is not None and (score.kappa is None or score.kappa < min_kappa):
            thresholds[j] = REFUSED
            scores[j] = LabelScore(**{**score.__dict__, "threshold": REFUSED})
    extra = {} if anchored is None else {
        "own_weight": weight, "threshold_shrink": shrink,
        "own_weights_tried": {f"{w:g}": round(tried[w][0], 4) for w in weights}}
    model = LearnedModel(list(data.labels), list(data.levels), spec, columns.astype(np.int64),
                         idf[columns], coef, intercept, calibration, thresholds, scores,
                         {**(meta or {}), "data_hash": data.data_hash(),
                          "units": int(len(scored)), "groups": len({data.groups[i]
                                                                     for i in scored}),
                          "anchored": int(n - len(scored)), "folds": len(parts), **extra})
    model.cross_validation = cv
    return model


def _weights(anchored: np.ndarray | None, weight: float) -> np.ndarray | None:
    """Turn weights for fitting: the own turns ``weight``, the anchored ones 1 (None: all 1)."""
    return None if anchored is None or weight == 1.0 else np.where(anchored, 1.0, weight)


def _ticker(progress: Callable[[str, int, int], None] | None, steps: int
            ) -> Callable[[str], None]:
    done = [0]

    def tick(what: str) -> None:
        done[0] += 1
        if progress:
            progress(what, done[0], steps)
    return tick


def _out_of_fold(counts: sp.csr_matrix, data: TrainingSet, spec: FeatureSpec,
                 parts: list[np.ndarray], sample: np.ndarray | None,
                 tick: Callable[[str], None]) -> np.ndarray:
    """Every turn's score from the model fitted on the other folds (``sample``: turn weights)."""
    known = data.targets >= 0
    everything = np.arange(counts.shape[0])
    oof = np.zeros(data.targets.shape)
    for test in parts:
        train_rows = np.setdiff1d(everything, test)
        idf = fit_idf(counts[train_rows])
        fit_design = _design(counts, idf, data, train_rows, spec, training=True)
        test_design = _design(counts, idf, data, test, spec, training=False)
        for j in range(data.targets.shape[1]):
            rows = train_rows[known[train_rows, j]]
            coef, intercept = _fit(fit_design[known[train_rows, j]], data.targets[rows, j],
                                   None if sample is None else sample[rows])
            oof[test, j] = test_design @ coef + intercept
            tick("Cross-validating")
    return oof


def _macro_kappa(truth: np.ndarray, decided: np.ndarray, known: np.ndarray) -> float:
    values = [kappa(truth[known[:, j], j], decided[known[:, j], j])
              for j in range(truth.shape[1])]
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else -1.0


def choose_threshold(probabilities: np.ndarray, truth: np.ndarray, known: np.ndarray, *,
                     anchored: np.ndarray | None = None, shrink: float = 0.0) -> float:
    """The threshold of one label from cross-validated probabilities of the turns ``known``.

    Without ``anchored`` it is the one that agrees best with all of them. With
    it, the one that maximises kappa on the own (not anchored) turns plus
    ``shrink`` times kappa on the anchored ones: a study's thresholds follow
    her own coding, and the shipped turns steady them when her turns are few.
    """
    if anchored is None:
        return _best_threshold(probabilities[known], truth[known])
    own, shipped = known & ~anchored, known & anchored
    return _best_threshold(probabilities[own], truth[own],
                           (probabilities[shipped], truth[shipped], shrink))


def _cross_fitted(oof: np.ndarray, calibration: np.ndarray, truth: np.ndarray,
                  known: np.ndarray, parts: list[np.ndarray],
                  chooser: Callable[..., float]) -> CrossValidation:
    """Calibrated out-of-fold probabilities; each fold decided at the other folds' threshold."""
    probability = 1 / (1 + np.exp(-(oof * calibration[:, 0] + calibration[:, 1])))
    decided = np.zeros(truth.shape, dtype=bool)
    tested = np.concatenate(parts)
    for test in parts:
        others = np.zeros(len(truth), dtype=bool)
        others[np.setdiff1d(tested, test)] = True
        for j in range(truth.shape[1]):
            threshold = chooser(probability[:, j], truth[:, j], known[:, j] & others)
            decided[test, j] = probability[test, j] >= threshold
    return CrossValidation(probability, decided, parts)


def _label_score(label: str, level: str, truth: np.ndarray, decided: np.ndarray,
                 threshold: float) -> LabelScore:
    tp = int(np.sum(truth & decided))
    fp = int(np.sum(~truth & decided))
    fn = int(np.sum(truth & ~decided))
    return LabelScore(label, level, int(truth.sum()), len(truth), threshold,
                      _ratio(tp, tp + fp), _ratio(tp, tp + fn), kappa(truth, decided))


@dataclass
class CrossValidation:
    """Out-of-fold probabilities and decisions of every training turn (not stored)."""

    probabilities: np.ndarray
    decisions: np.ndarray
    folds: list[np.ndarray]
