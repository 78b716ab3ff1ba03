"""A trained learned coder, in a form that outlives library versions.

A :class:`LearnedModel` holds plain arrays: the hashed n-gram columns it knows
with their idf, one logistic-regression weight vector per label over
[n-gram columns, rule columns, embedding dimensions], the intercepts, a Platt
calibration per label (probability = sigmoid(a·score + b)) and the threshold
chosen by cross-validation. Prediction is numpy arithmetic on those arrays:
scikit-learn is used to *train* (:mod:`gtcode.coding.learned.train`), never
to predict, so a model written by one version of gtcode, numpy or
scikit-learn gives the same probabilities in any other. It is stored as an
``.npz`` archive (no pickle) with its metadata as JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from gtcode.coding.learned.features import BITS, NGRAMS, combine, tfidf
from gtcode.errors import GtcodeError

FORMAT = "gtcode-learned-1"


@dataclass(frozen=True)
class LabelScore:
    """Cross-validated reliability of one label, and the threshold the coder uses."""

    label: str
    level: str
    positives: int
    units: int
    threshold: float
    precision: float | None
    recall: float | None
    kappa: float | None

    @property
    def suggested(self) -> bool:
        """Whether the coder suggests this label (False when refused by --min-kappa)."""
        return self.threshold <= 1.0


@dataclass(frozen=True)
class FeatureSpec:
    """Which features a model reads; prediction must build the same ones."""

    ngrams: tuple[int, ...] = NGRAMS
    bits: int = BITS
    rules: bool = True
    rule_weight: float = 0.3
    embeddings: bool = False
    embedding_model: str | None = None
    embedding_weight: float = 1.0


@dataclass
class LearnedModel:
    """Labels, features and weights of a trained coder (see the module docstring)."""

    labels: list[str]
    levels: list[str]
    spec: FeatureSpec
    columns: np.ndarray          # int64, hashed n-gram columns with idf > 0, sorted
    idf: np.ndarray              # float32, their idf
    coef: np.ndarray             # float32, (len(columns) + rules + embeddings, labels)
    intercept: np.ndarray        # float32, (labels,)
    calibration: np.ndarray      # float64, (labels, 2): a, b
    thresholds: np.ndarray       # float64, (labels,); above 1: never suggested
    scores: list[LabelScore] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: out-of-fold results of the training that made it (kept in memory, never stored)
    cross_validation: Any = None

    # -- prediction --------------------------------------------------------
    def design(self, counts: sp.csr_matrix, rules: np.ndarray | None = None,
               embeddings: np.ndarray | None = None) -> sp.csr_matrix:
        """The feature matrix of turns given their n-gram counts and other columns."""
        place = self.places(counts)
        known = place >= 0
        indptr = np.concatenate([[0], np.cumsum(known)])[counts.indptr]
        mine = sp.csr_matrix((counts.data[known], place[known], indptr),
                             shape=(counts.shape[0], len(self.columns)))
        parts: list[Any] = [tfidf(mine, self.idf)]
        if self.spec.rules:
            parts.append(_need(rules, "rule hits") * self.spec.rule_weight)
        if self.spec.embeddings:
            parts.append(_need(embeddings, "embeddings") * self.spec.embedding_weight)
        return combine(parts)

    def places(self, counts: sp.csr_matrix) -> np.ndarray:
        """For each stored n-gram of ``counts``: its row in the model, or -1 if unknown."""
        table = self.__dict__.get("_table")
        if table is None or len(table) != counts.shape[1]:
            table = np.full(counts.shape[1], -1, dtype=np.int64)
            table[self.columns] = np.arange(len(self.columns))
            self.__dict__["_table"] = table
        return table[counts.indices]

    def probabilities(self, design: sp.csr_matrix) -> np.ndarray:
        """Calibrated probability of every label for every turn (turns × labels)."""
        raw = np.asarray(design @ self.coef, dtype=np.float64) + self.intercept
        a, b = self.calibration[:, 0], self.calibration[:, 1]
        return 1.0 / (1.0 + np.exp(-(raw * a + b)))

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Which labels each turn gets: probability at or above the label's threshold."""
        return probabilities >= self.thresholds

    # -- storage -----------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` archive (arrays plus JSON metadata; no pickle)."""
        header = {"format": FORMAT, "labels": self.labels, "levels": self.levels,
                  "spec": asdict(self.spec), "scores": [asdict(s) for s in self.scores],
                  "meta": self.meta}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, header=np.frombuffer(
            json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"),
            dtype=np.uint8), columns=self.columns, idf=self.idf, coef=self.coef,
            intercept=self.intercept, calibration=self.calibration, thresholds=self.thresholds)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, *, where: str = "the model") -> LearnedModel:
        """Read a model written by :meth:`to_bytes` (E801 when it is not one)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                header = json.loads(bytes(archive["header"]).decode("utf-8"))
                if header.get("format") != FORMAT:
                    raise ValueError(f"format {header.get('format')!r}")
                arrays = {name: archive[name] for name in
                          ("columns", "idf", "coef", "intercept", "calibration", "thresholds")}
        except (OSError, ValueError, KeyError) as exc:
            raise GtcodeError("E801", f"{where} cannot be read ({exc}).",
                              hint="train it again with `gtcode learn`") from None
        spec = header["spec"]
        spec = FeatureSpec(**{**spec, "ngrams": tuple(spec["ngrams"])})
        return cls(header["labels"], header["levels"], spec, scores=[
            LabelScore(**s) for s in header["scores"]], meta=header["meta"], **arrays)

    def fingerprint(self) -> str:
        """A hash of what its predictions and its strongest n-grams depend on (labels,
        features, weights, calibration, thresholds): equal fingerprints, equal results."""
        found = self.__dict__.get("_fingerprint")
        if found is None:
            digest = hashlib.sha256(json.dumps(
                [self.labels, self.levels, asdict(self.spec)], sort_keys=True).encode())
            for array in (self.columns, self.idf, self.coef, self.intercept, self.calibration,
                          self.thresholds):
                digest.update(str(array.dtype).encode() + str(array.shape).encode())
                digest.update(np.ascontiguousarray(array).tobytes())
            found = self.__dict__["_fingerprint"] = digest.hexdigest()
        return found

    def score_of(self, label: str) -> LabelScore | None:
        return next((s for s in self.scores if s.label == label), None)


def _need(value: np.ndarray | None, what: str) -> np.ndarray:
    if value is None:
        raise GtcodeError("E802", f"this model reads {what}, and none were given.",
                          hint="give the same features it was trained with")
    return value
