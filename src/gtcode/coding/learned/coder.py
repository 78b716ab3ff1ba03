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

The evidence of a suggestion is the rule hits under it; its features, the
n-grams of the turn that weighed most for it, are named when it is shown
(:mod:`gtcode.coding.learned.explain`): ``gtcode open`` stores the label they
are to be named for.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gtcode.codebook import Codebook
from gtcode.codebook.hierarchy import ancestors, main_category
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned.explain import label_marker, strongest_names
from gtcode.coding.learned.features import ngram_counts, rule_columns
from gtcode.coding.learned.model import LearnedModel
from gtcode.coding.learned.turns import Turn, decision_examples, embeddings_for, fingerprint
from gtcode.progress import Progress
from gtcode.store import learned as db
from gtcode.store.project import Study

STUDY_MODEL = "study"


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
                   vectors: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every label for ``turns`` (turns × labels), and the decisions."""
    model = coder.model
    counts = ngram_counts([t.text for t in turns], ngrams=model.spec.ngrams,
                          bits=model.spec.bits)
    rolls = _rolls(codebook, {code for t in turns for code in t.rules})
    design = model.design(counts, rule_columns([t.rules for t in turns], model.labels, rolls),
                          vectors)
    probabilities = model.probabilities(design)
    return probabilities, model.decide(probabilities)


def probabilities_of(study: Study, coder: MachineCoder, codebook: Codebook,
                     turns: Sequence[Turn], *, progress: Progress | None = None) -> np.ndarray:
    """The coder's probabilities for ``turns`` (embeddings from the study's cache)."""
    vectors = (embeddings_for(study, [t.text for t in turns], progress=progress)
               if coder.needs_embeddings else None)
    return _probabilities(coder, codebook, turns, vectors)[0]


def suggest(coder: MachineCoder, codebook: Codebook, turns: Sequence[Turn],
            hits: Mapping[int, Mapping[str, str]], vectors: np.ndarray | None, *,
            name_now: bool = False) -> list[tuple[int, str, float | None, str, str]]:
    """Combined suggestions of ``turns`` as rows for ``store.learned.insert_model_codings``.

    ``hits``: segment id -> code -> the evidence JSON of the rule hit. A
    suggestion's features hold the model's label it came from; its strongest
    n-grams are named when it is shown (:mod:`gtcode.coding.learned.explain`),
    or now with ``name_now`` (for suggestions of another model than the study's
    last ``gtcode open`` recorded).
    """
    if not turns:
        return []
    probabilities, decided = _probabilities(coder, codebook, turns, vectors)
    model = coder.model
    index = {label: j for j, label in enumerate(model.labels)}
    refused = {label for j, label in enumerate(model.labels) if model.thresholds[j] > 1}
    links = codebook.links
    category = functools.cache(lambda code: main_category(code, links))
    lineage = functools.cache(lambda code: frozenset((code, *ancestors(code, links))))
    combined = [_combined(model, category, turn, probabilities[i], decided[i], index, refused)
                for i, turn in enumerate(turns)]
    markers: list[str | None] = [label_marker(label) for label in model.labels]
    if name_now:
        markers = [None] * len(model.labels)
        named = strongest_names(model, [t.text for t in turns],
                                [[model.labels[j] for _c, _p, j in found if j is not None]
                                 for found in combined])
    rows = []
    for i, turn in enumerate(turns):
        mine = hits.get(turn.segment_id, {})
        for code, probability, label in combined[i]:
            if label is None:
                features = "[]"
            elif name_now:
                features = json.dumps(named[i].get(model.labels[label], []),
                                      ensure_ascii=False)
            else:
                features = markers[label]
            rows.append((turn.segment_id, code, probability,
                         _evidence_under(turn, code, mine, lineage), features))
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


def _evidence_under(turn: Turn, code: str, hits: Mapping[str, str],
                    lineage: Callable[[str], frozenset[str]]) -> str:
    """The evidence JSON of a combined suggestion: the rule hits of the turn on ``code`` or
    on codes beneath it, by start and term.

    ``hits``: the turn's rule codes -> their evidence JSON; ``lineage``: a hit code ->
    itself and its ancestors. One code's single hit is its evidence as the rules wrote
    it (the same JSON as parsing and writing it again), without parsing it.
    """
    under = [hit_code for hit_code in sorted(turn.rules) if code in lineage(hit_code)]
    if len(under) == 1:
        raw = hits.get(under[0])
        if raw is not None and raw.count('{"term": ') == 1:
            return raw
    found = [hit for hit_code in under for hit in json.loads(hits.get(hit_code) or "[]")]
    found.sort(key=lambda h: (h.get("start", 0), h.get("term", "")))
    return json.dumps(found, ensure_ascii=False)


