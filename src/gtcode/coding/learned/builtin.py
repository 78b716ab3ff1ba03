"""The built-in model of the built-in codebook (six-pressures), shipped with gtcode.

It was trained by ``scripts/train_builtin_model.py`` from the labelled
transcripts in ``data/`` (see ``docs/benchmarks.md``, "Learned coder") and is
shipped as two portable ``.npz`` files (:mod:`gtcode.coding.learned.model`):
one reads sentence embeddings, the other does without them. Shipping the
trained arrays, not a pickle, means no training at first use (embedding the
1,400 labelled turns takes minutes) and the same predictions under any
version of numpy or scikit-learn; the script retrains them reproducibly, and
a test checks they were trained on the data now in ``data/``.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
import scipy.sparse as sp

from gtcode.codebook import Codebook
from gtcode.coding.learned.model import LearnedModel
from gtcode.errors import GtcodeError

#: The main categories the built-in model decides (the built-in codebook's).
LABELS = ("resource", "subculture", "economic", "work_conflict", "political_future",
          "social_favour")
FILES = {True: "six-pressures.npz", False: "six-pressures-plain.npz"}
#: The labelled turns the built-in model learned from, as features (no text).
TURNS_FILE = "six-pressures-turns.npz"

#: Macro kappa of the built-in model with embeddings on the three training authors the rules
#: were never tuned on, each left out in turn (``python benchmarks/bench_learned.py``; see
#: docs/benchmarks.md, "The learned coder"). The cross-validated figures stored with the model
#: include the four authors the rules were tuned on, which flatter them.
UNSEEN_AUTHORS_KAPPA = 0.663


def applies(codebook: Codebook) -> bool:
    """Whether the codebook has the built-in codebook's six main categories."""
    return all((code := codebook.get(label)) is not None and code.level == "category"
               for label in LABELS)


@dataclass(frozen=True)
class ShippedTurns:
    """The built-in model's labelled turns as features: what ``gtcode learn`` adds to a
    study's own decisions when the study uses the built-in codebook.

    ``counts``: hashed n-gram counts; ``rules``: rule hits per label of
    :data:`LABELS`; ``tuned``: turns of authors the rules were tuned on (their
    rule hits are left out while training); ``targets``: the gold labels;
    ``vectors``: their embeddings; ``groups``: their authors.
    """

    counts: sp.csr_matrix
    rules: np.ndarray
    tuned: np.ndarray
    targets: np.ndarray
    vectors: np.ndarray
    groups: tuple[str, ...]
    fingerprint: str


def write_turns(path, turns: ShippedTurns) -> None:
    """Store the shipped turns (used by ``scripts/train_builtin_model.py``)."""
    np.savez_compressed(path, indptr=turns.counts.indptr.astype(np.int32),
                        indices=turns.counts.indices.astype(np.int32),
                        data=turns.counts.data.astype(np.uint16), shape=np.array(
                            turns.counts.shape), rules=turns.rules.astype(np.uint8),
                        tuned=turns.tuned, targets=turns.targets.astype(np.int8),
                        vectors=turns.vectors.astype(np.float16),
                        groups=np.array(turns.groups), fingerprint=np.array(turns.fingerprint))


@functools.lru_cache(maxsize=1)
def shipped_turns() -> ShippedTurns:
    """The labelled turns behind the built-in model (read once per process)."""
    try:
        path = resources.files("gtcode.coding.learned") / "data" / TURNS_FILE
        with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as archive:
            counts = sp.csr_matrix((archive["data"].astype(np.float32), archive["indices"],
                                    archive["indptr"]), shape=tuple(archive["shape"]))
            return ShippedTurns(counts, archive["rules"].astype(np.float32),
                                archive["tuned"].astype(bool), archive["targets"],
                                archive["vectors"].astype(np.float32),
                                tuple(archive["groups"].tolist()), str(archive["fingerprint"]))
    except (OSError, KeyError, ValueError):
        raise GtcodeError("E805", f"the built-in model's turns ({TURNS_FILE}) are missing from "
                          "this installation or damaged.", hint="reinstall gtcode") from None


@functools.lru_cache(maxsize=2)
def load(embeddings: bool) -> LearnedModel:
    """The shipped model (with or without embeddings), read once per process."""
    name = FILES[bool(embeddings)]
    try:
        data = (resources.files("gtcode.coding.learned") / "data" / name).read_bytes()
    except OSError:
        raise GtcodeError("E805", f"the built-in model {name} is missing from this "
                          "installation.", hint="reinstall gtcode") from None
    return LearnedModel.from_bytes(data, where=f"the built-in model {name}")
