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

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gtcode.codebook import Codebook
from gtcode.codebook.hierarchy import ancestors, main_category
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned.features import Grams, rule_columns
from gtcode.coding.learned.model import LearnedModel
from gtcode.coding.learned.turns import Turn, decision_examples, embeddings_for, fingerprint
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
    stale: str | None = None

    @property
    def needs_embeddings(self) -> bool:
        return self.model.spec.embeddings


def machine_coder(study: Study, codebook: Codebook, *,
                  embeddings: bool | None = None) -> tuple[MachineCoder | None, list[str]]:
    """The best machine coder for the study, and warnings about the choice.

    ``embeddings``: None uses them when installed; False never. A study model
    that needs embeddings cannot run without them: then the built-in model's
    plain variant (or the rules) codes, and a warning says so.
    """
    warnings: list[str] = []
    use_embeddings = embed.wanted(embeddings)
    stored = db.load_model(study.conn, STUDY_MODEL)
    if stored is not None:
        model = LearnedModel.from_bytes(stored.model, where="the study's model")
        if model.spec.embeddings and not use_embeddings:
            warnings.append("the study's model reads sentence embeddings, which are off or not "
                            "installed; it was not used (run `gtcode learn --no-embeddings`, "
                            "or install gtcode[embed])")
        else:
            coder = MachineCoder(model, "study", _staleness(study, stored, codebook))
            if coder.stale:
                warnings.append(f"the study's model is stale: {coder.stale}; run `gtcode learn` "
                                "again")
            return coder, warnings
    if builtin.applies(codebook):
        return MachineCoder(builtin.load(use_embeddings), "built-in"), warnings
    return None, warnings


def _staleness(study: Study, stored: db.StoredModel, codebook: Codebook) -> str | None:
    """Why the study's model no longer matches the study, or None."""
    if stored.codebook_hash and stored.codebook_hash != codebook.hash:
        return "the codebook changed since it was trained"
    wanted = stored.trained_on.get("fingerprint")
    if wanted and fingerprint(decision_examples(study, stored.trained_on.get("coders"))) \
            != wanted:
        return "decisions or transcripts changed since it was trained"
    return None


def _probabilities(coder: MachineCoder, codebook: Codebook, turns: Sequence[Turn],
                   vectors: np.ndarray | None
                   ) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, Grams]:
    """Probabilities of every label for ``turns`` (turns × labels), the decisions, and the
    turns' n-grams and their counts."""
    model = coder.model
    grams = Grams([t.text for t in turns], ngrams=model.spec.ngrams, bits=model.spec.bits)
    counts = grams.counts()
    rolls = _rolls(codebook, {code for t in turns for code in t.rules})
    design = model.design(counts, rule_columns([t.rules for t in turns], model.labels, rolls),
                          vectors)
    probabilities = model.probabilities(design)
    return probabilities, model.decide(probabilities), counts, grams


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
    probabilities, decided, counts, grams = _probabilities(coder, codebook, turns, vectors)
    model = coder.model
    index = {label: j for j, label in enumerate(model.labels)}
    refused = {label for j, label in enumerate(model.labels) if model.thresholds[j] > 1}
    links = codebook.links
    category = functools.cache(lambda code: main_category(code, links))
    lineage = functools.cache(lambda code: frozenset((code, *ancestors(code, links))))
    combined = [_combined(model, category, turn, probabilities[i], decided[i], index, refused)
                for i, turn in enumerate(turns)]
    tops = _strongest(model, counts, combined)
    texts = grams.text({(i, column) for (i, _label), columns in tops.items()
                        for column in columns})
    rows = []
    for i, turn in enumerate(turns):
        named: dict[int | None, str] = {}
        for code, probability, label in combined[i]:
            hits = _hits_under(turn, code, evidence, lineage)
            if label not in named:
                named[label] = json.dumps(_chosen([texts.get((i, c), "") for c in
                                                   tops.get((i, label), [])]),
                                          ensure_ascii=False)
            rows.append((turn.segment_id, code, probability,
                         json.dumps(hits, ensure_ascii=False), named[label]))
    return rows


def _rolls(codebook: Codebook, codes: set[str]) -> dict[str, list[str]]:
    return {code: [code, *ancestors(code, codebook.links)] for code in codes}


def _combined(model: LearnedModel, category: Callable[[str], str | None], turn: Turn,
              probabilities: np.ndarray, decided: np.ndarray, index: dict[str, int],
              refused: set[str]) -> list[tuple[str, float | None, int | None]]:
    """(code, probability, model label index) of each combined suggestion of one turn.

    ``category``: a code -> its main category; ``index``: the model's label -> its
    column; ``refused``: labels it never suggests.
    """
    chosen: dict[str, tuple[float | None, int | None]] = {}
    for j, label in enumerate(model.labels):
        if decided[j] and model.levels[j] != "category":
            chosen[label] = (float(probabilities[j]), j)
    for j, label in enumerate(model.labels):
        if not decided[j] or model.levels[j] != "category":
            continue
        under = [code for code in chosen if category(code) == label]
        for code in sorted(turn.rules):
            if category(code) == label and code not in chosen and not (
                    code in index and not decided[index[code]]):
                chosen[code] = (float(probabilities[j]), j)
                under.append(code)
        if not under:
            chosen[label] = (float(probabilities[j]), j)
    for code in sorted(turn.rules):
        main = category(code)
        if code not in chosen and main not in index and code not in index \
                and main not in refused:
            chosen[code] = (None, None)
    return [(code, p, j) for code, (p, j) in sorted(chosen.items())]


def _hits_under(turn: Turn, code: str, evidence: dict[tuple[int, str], list],
                lineage: Callable[[str], frozenset[str]]) -> list:
    """The rule hits of the turn on ``code`` or on codes beneath it.

    ``lineage``: a hit code -> itself and its ancestors.
    """
    hits = []
    for hit_code in sorted(turn.rules):
        if code in lineage(hit_code):
            hits.extend(evidence.get((turn.segment_id, hit_code), []))
    return sorted(hits, key=lambda h: (h.get("start", 0), h.get("term", "")))


def _strongest(model: LearnedModel, counts: sp.csr_matrix,
               combined: list[list[tuple[str, float | None, int | None]]]
               ) -> dict[tuple[int, int], list[int]]:
    """(turn, label) -> the n-gram columns of the turn that add most to the label's score,
    strongest first, for every label a combined suggestion of the turn came from.

    A contribution is the n-gram's TF-IDF weight (the turn's norm, common to all its
    grams, left out) times its coefficient; only positive ones count.
    """
    place = model.places(counts)
    known = place >= 0
    weight = np.zeros(len(place), dtype=np.float32)
    weight[known] = (1 + np.log(counts.data[known])) * model.idf[place[known]]
    found: dict[tuple[int, int], list[int]] = {}
    for i, suggestions in enumerate(combined):
        labels = sorted({j for _c, _p, j in suggestions if j is not None})
        if not labels:
            continue
        start, end = counts.indptr[i], counts.indptr[i + 1]
        mine = known[start:end]
        rows, columns = place[start:end][mine], counts.indices[start:end][mine]
        contribution = weight[start:end][mine][:, None] * model.coef[rows][:, labels]
        order = np.argsort(-contribution, axis=0, kind="stable")[:TOP_FEATURES * 4]
        for k, label in enumerate(labels):
            strongest = order[:, k]
            found[(i, label)] = columns[strongest[contribution[strongest, k] > 0]].tolist()
    return found


def _chosen(grams: list[str]) -> list[str]:
    """The strongest n-grams, strongest first, none inside another one chosen."""
    chosen: list[str] = []
    for gram in (g for g in grams if g.strip()):
        if any(gram in kept for kept in chosen):
            continue
        chosen = [kept for kept in chosen if kept not in gram] + [gram]
        if len(chosen) == TOP_FEATURES:
            break
    return chosen
