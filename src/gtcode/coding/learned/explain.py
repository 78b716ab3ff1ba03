"""The n-grams that weighed most for a suggestion of the learned coder, named when shown.

``gtcode open`` stores, with each suggestion the model made, only the label it
came from (:func:`label_marker`); the strongest n-grams of the turn for that
label are worked out here when a suggestion is shown (the review sheet), for
the rows shown only. Their inputs are kept: the turn's text is in the study,
and the model that coded is known by its fingerprint (meta
``model_fingerprint``): the built-in model ships with gtcode, a study model is
in the study (and a copy of it is kept as ``coded`` when ``gtcode learn``
replaces it before the next ``gtcode open``). A turn's strongest n-grams
depend on that turn and the model alone, so they are the same whichever turns
are named together, and the same as ``gtcode open`` used to store.

Studies coded before kept the names themselves (a JSON list in the
``features`` column); those are shown as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from gtcode.coding.learned import builtin
from gtcode.coding.learned.features import Grams
from gtcode.coding.learned.model import LearnedModel
from gtcode.errors import GtcodeError
from gtcode.store import learned as db
from gtcode.store.meta import read_meta
from gtcode.store.project import Study

#: How many n-grams a suggestion names as its strongest features.
TOP_FEATURES = 3


def label_marker(label: str) -> str:
    """What the ``features`` column holds for a suggestion that came from ``label``."""
    return json.dumps({"label": label}, ensure_ascii=False)


def coding_model(study: Study) -> LearnedModel | None:
    """The model that made the study's current suggestions, or None when it is gone
    (a study model forgotten, or a built-in model that changed with gtcode)."""
    conn = study.conn
    wanted = read_meta(conn, db.MODEL_FINGERPRINT_KEY)
    if not wanted:
        return None
    if read_meta(conn, "model_name") == "built-in":
        candidates = [lambda e=e: builtin.load(e) for e in (False, True)]
    else:
        candidates = [lambda n=n: _stored(study, n) for n in (db.CODED_MODEL, "study")]
    for load in candidates:
        try:
            model = load()
        except GtcodeError:
            continue
        if model is not None and model.fingerprint() == wanted:
            return model
    return None


def _stored(study: Study, name: str) -> LearnedModel | None:
    stored = db.load_model(study.conn, name)
    return None if stored is None else LearnedModel.from_bytes(stored.model)


class FeatureNamer:
    """Names the strongest n-grams of the study's model suggestions, a batch of turns at a
    time (the model is read at the first suggestion that needs it)."""

    def __init__(self, study: Study) -> None:
        self._study = study
        self._model: LearnedModel | None | bool = False

    @property
    def model(self) -> LearnedModel | None:
        if self._model is False:
            self._model = coding_model(self._study)
        return self._model  # type: ignore[return-value]

    def named(self, suggestions: Mapping[int, list[db.ModelSuggestion]],
              texts: Mapping[int, str]) -> dict[int, list[db.ModelSuggestion]]:
        """``suggestions`` of the segments in ``texts`` (segment id -> its text), with the
        n-grams of each suggestion that holds only its label filled in."""
        wanted = {seg: [s.label for s in suggestions.get(seg, ()) if s.label is not None]
                  for seg in texts}
        wanted = {seg: labels for seg, labels in wanted.items() if labels}
        out = {seg: suggestions[seg] for seg in texts if seg in suggestions}
        model = self.model if wanted else None
        if model is None:
            return out
        segments = sorted(wanted)
        names = strongest_names(model, [texts[seg] for seg in segments],
                                [wanted[seg] for seg in segments])
        for seg, found in zip(segments, names):
            out[seg] = [replace(s, features=tuple(found.get(s.label, ())), label=None)
                        if s.label is not None else s for s in suggestions[seg]]
        return out


def strongest_names(model: LearnedModel, texts: Sequence[str],
                    labels: Sequence[Sequence[str]]) -> list[dict[str, list[str]]]:
    """For each turn, each of its ``labels`` -> the turn's n-grams that add most to that
    label's score: strongest first, at most :data:`TOP_FEATURES`, none inside another."""
    index = {label: j for j, label in enumerate(model.labels)}
    columns = [sorted({index[label] for label in mine if label in index}) for mine in labels]
    grams = Grams(texts, ngrams=model.spec.ngrams, bits=model.spec.bits)
    counts = grams.counts()
    tops = _strongest(model, counts, columns)
    text = grams.text({(i, column) for i, found in enumerate(tops)
                       for strongest in found.values() for column in strongest})
    return [{model.labels[j]: _chosen([text.get((i, c), "") for c in found[j]])
             for j in found} for i, found in enumerate(tops)]


def _strongest(model: LearnedModel, counts: sp.csr_matrix, labels: Sequence[Sequence[int]]
               ) -> list[dict[int, list[int]]]:
    """For each turn, each label column -> the n-gram columns of the turn that add most to
    the label's score, strongest first.

    A contribution is the n-gram's TF-IDF weight (the turn's norm, common to all its
    grams, left out) times its coefficient; only positive ones count.
    """
    place = model.places(counts)
    known = place >= 0
    weight = np.zeros(len(place), dtype=np.float32)
    weight[known] = (1 + np.log(counts.data[known])) * model.idf[place[known]]
    found: list[dict[int, list[int]]] = []
    for i, mine_labels in enumerate(labels):
        if not mine_labels:
            found.append({})
            continue
        start, end = counts.indptr[i], counts.indptr[i + 1]
        mine = known[start:end]
        rows, columns = place[start:end][mine], counts.indices[start:end][mine]
        contribution = weight[start:end][mine][:, None] * model.coef[rows][:, mine_labels]
        order = np.argsort(-contribution, axis=0, kind="stable")[:TOP_FEATURES * 4]
        turn = {}
        for k, label in enumerate(mine_labels):
            strongest = order[:, k]
            turn[label] = columns[strongest[contribution[strongest, k] > 0]].tolist()
        found.append(turn)
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
