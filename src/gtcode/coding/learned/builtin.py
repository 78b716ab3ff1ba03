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
from importlib import resources

from gtcode.codebook import Codebook
from gtcode.coding.learned.model import LearnedModel
from gtcode.errors import GtcodeError

#: The main categories the built-in model decides (the built-in codebook's).
LABELS = ("resource", "subculture", "economic", "work_conflict", "political_future",
          "social_favour")
FILES = {True: "six-pressures.npz", False: "six-pressures-plain.npz"}


def applies(codebook: Codebook) -> bool:
    """Whether the codebook has the built-in codebook's six main categories."""
    return all((code := codebook.get(label)) is not None and code.level == "category"
               for label in LABELS)


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
