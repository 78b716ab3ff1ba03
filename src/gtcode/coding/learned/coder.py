"""The machine coder: which model codes a study, and its combined suggestions.

:func:`machine_coder` picks the best coder available: the study's own model
once ``gtcode learn`` has run, else the built-in model when the study uses the
built-in codebook, else none (the rules alone suggest). :func:`suggest` turns
the model's decisions and the rule hits into one combined suggestion per
(segment, code):

1. a label (category or concept) whose probability reaches its threshold is a
   decision of the model;
2. a decided concept is suggested with its own probability;
3. a decided category is suggested through the concepts beneath it that the
   rules hit (or the model decided); with none, the category itself;
4. a rule hit whose category the model did not decide is dropped: the model
   saw the hit among its evidence and said no. A hit under a category the
   model has no label for is kept as the rules' own suggestion (no
   probability); a label refused by ``--min-kappa`` gets no suggestion at all.

The evidence of a suggestion is the rule hits under it; its features are the
n-grams of the turn that weighed most for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gtcode.codebook import Codebook
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned.features import ngram_counts, ngram_strings, rule_columns
from gtcode.coding.learned.model import LearnedModel
from gtcode.coding.learned.turns import Turn, embeddings_for
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import learned as db
from gtcode.store.project import Study

STUDY_MODEL = "study"
#: How many n-grams a suggestion names as its strongest features.
TOP_FEATURES = 3


@dataclass
class MachineCoder:
    """A model ready to code a study, and what a researcher should know about it."""

    model: LearnedModel
    name: str
    prior: LearnedModel | None = None
    stale: str | None = None

    _rows: dict[int, int] | None = None

    @property
    def needs_embeddings(self) -> bool:
        return self.model.spec.embeddings

    def column_rows(self) -> dict[int, int]:
        """Hashed n-gram column -> row of the model's weights (built once)."""
        if self._rows is None:
            self._rows = {int(c): i for i, c in enumerate(self.model.columns)}
        return self._rows


def machine_coder(study: Study, codebook: Codebook, *,
                  embeddings: bool | None = None) -> tuple[MachineCoder | None, list[str]]:
    """The best machine coder for the study, and warnings about the choice.

    ``embeddings``: None uses them when installed; False never. A study model
    that needs embeddings cannot run without them: then the built-in model's
    plain variant (or the rules) codes, and a warning says so.
    """
    warnings: list[str] = []
    use_embeddings = embed.available() if embeddings is None else embeddings
    if embeddings and not embed.available():
        raise GtcodeError("E804", "sentence embeddings were asked for, but the embedding "
                          "model is not installed.", hint="pip install 'gtcode[embed]'")
    stored = db.load_model(study.conn, STUDY_MODEL)
    if stored is not None:
        model = LearnedModel.from_bytes(stored.model, where="the study's model")
        if model.spec.embeddings and not use_embeddings:
            warnings.append("the study's model reads sentence embeddings, which are off or not "
                            "installed; it was not used (run `gtcode learn --no-embeddings`, "
                            "or install gtcode[embed])")
        else:
            prior = builtin.load(model.spec.embeddings) if model.spec.prior_labels else None
            coder = MachineCoder(model, "study", prior, _staleness(stored, codebook))
            if coder.stale:
                warnings.append(f"the study's model is stale: {coder.stale}; run `gtcode learn` "
                                "again")
            return coder, warnings
    if builtin.applies(codebook):
        return MachineCoder(builtin.load(use_embeddings), "built-in"), warnings
    return None, warnings


def _staleness(stored: db.StoredModel, codebook: Codebook) -> str | None:
    if stored.codebook_hash and stored.codebook_hash != codebook.hash:
        return "the codebook changed since it was trained"
    return None


def _probabilities(coder: MachineCoder, codebook: Codebook, turns: Sequence[Turn],
                   vectors: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every label for ``turns`` (turns × labels), and the decisions."""
    model = coder.model
    counts = ngram_counts([t.text for t in turns], ngrams=model.spec.ngrams, bits=model.spec.bits)
    rolls = _rolls(codebook, {code for t in turns for code in t.rules})
    priors = None
    if coder.prior is not None:
        prior = coder.prior
        priors = prior.probabilities(prior.design(
            counts, rule_columns([t.rules for t in turns], prior.labels, rolls), vectors))
    design = model.design(counts, rule_columns([t.rules for t in turns], model.labels, rolls),
                          vectors, priors)
    probabilities = model.probabilities(design)
    return probabilities, model.decide(probabilities)


def probabilities_of(study: Study, coder: MachineCoder, codebook: Codebook,
                     turns: Sequence[Turn], *, progress: Progress | None = None) -> np.ndarray:
    """The coder's probabilities for ``turns`` (embeddings from the study's cache)."""
    vectors = (embeddings_for(study, [t.text for t in turns], progress=progress)
               if coder.needs_embeddings else None)
    return _probabilities(coder, codebook, turns, vectors)[0]


def suggest(coder: MachineCoder, codebook: Codebook, turns: Sequence[Turn],
            evidence: dict[tuple[int, str], list], vectors: np.ndarray | None
            ) -> list[tuple[int, str, float | None, str, str]]:
    """Combined suggestions of ``turns`` as rows for ``store.learned.insert_model_codings``."""
    if not turns:
        return []
    probabilities, decided = _probabilities(coder, codebook, turns, vectors)
    rows = []
    for i, turn in enumerate(turns):
        for code, probability, label in _combined(coder.model, codebook, turn, probabilities[i],
                                                  decided[i]):
            hits = _hits_under(codebook, turn, code, evidence)
            features = _strongest(coder, turn.text, label) if label is not None else []
            rows.append((turn.segment_id, code, probability,
                         json.dumps(hits, ensure_ascii=False),
                         json.dumps(features, ensure_ascii=False)))
    return rows


def _rolls(codebook: Codebook, codes: set[str]) -> dict[str, list[str]]:
    return {code: [code, *(a.id for a in codebook.ancestors(code))] for code in codes}


def _combined(model: LearnedModel, codebook: Codebook, turn: Turn, probabilities: np.ndarray,
              decided: np.ndarray) -> list[tuple[str, float | None, int | None]]:
    """(code, probability, model label index) of each combined suggestion of one turn."""
    index = {label: j for j, label in enumerate(model.labels)}
    refused = {label for j, label in enumerate(model.labels) if model.thresholds[j] > 1}
    chosen: dict[str, tuple[float | None, int | None]] = {}
    for j, label in enumerate(model.labels):
        if decided[j] and model.levels[j] != "category":
            chosen[label] = (float(probabilities[j]), j)
    for j, label in enumerate(model.labels):
        if not decided[j] or model.levels[j] != "category":
            continue
        under = [code for code in chosen if codebook.main_category(code) == label]
        for code in sorted(turn.rules):
            if codebook.main_category(code) == label and code not in chosen and not (
                    code in index and not decided[index[code]]):
                chosen[code] = (float(probabilities[j]), j)
                under.append(code)
        if not under:
            chosen[label] = (float(probabilities[j]), j)
    for code in sorted(turn.rules):
        category = codebook.main_category(code)
        if code not in chosen and category not in index and code not in index \
                and category not in refused:
            chosen[code] = (None, None)
    return [(code, p, j) for code, (p, j) in sorted(chosen.items())]


def _hits_under(codebook: Codebook, turn: Turn, code: str,
                evidence: dict[tuple[int, str], list]) -> list:
    """The rule hits of the turn on ``code`` or on codes beneath it."""
    hits = []
    for hit_code in sorted(turn.rules):
        if hit_code == code or code in (a.id for a in codebook.ancestors(hit_code)):
            hits.extend(evidence.get((turn.segment_id, hit_code), []))
    return sorted(hits, key=lambda h: (h.get("start", 0), h.get("term", "")))


def _strongest(coder: MachineCoder, text: str, label: int) -> list[str]:
    """The n-grams of ``text`` that add most to the label's score (longest first on ties)."""
    model, position = coder.model, coder.column_rows()
    weights = model.coef[:, label]
    scored = []
    for gram, column, count in ngram_strings(text, ngrams=model.spec.ngrams,
                                             bits=model.spec.bits):
        row = position.get(column)
        if row is None or not gram.strip():
            continue
        value = (1 + np.log(count)) * float(model.idf[row]) * float(weights[row])
        if value > 0:
            scored.append((-value, -len(gram), gram))
    chosen: list[str] = []
    for _value, _length, gram in sorted(scored):
        if any(gram in kept for kept in chosen):
            continue
        chosen = [kept for kept in chosen if kept not in gram] + [gram]
        if len(chosen) == TOP_FEATURES:
            break
    return chosen
