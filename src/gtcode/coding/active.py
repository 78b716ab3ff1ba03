"""Active learning: the undecided turns the model is least sure of, spread over interviews.

A turn's certainty is how far its least certain label lies from that label's
threshold (|probability - threshold|, over the labels the model suggests):
the nearer a decision boundary, the more a human decision there teaches the
model. Turns are dealt round-robin over interviews in order of uncertainty
(the least certain turn of each interview first, then the second, ...), so the
first fifty decisions do not all come from one interview.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gtcode.codebook import Codebook
from gtcode.coding.learned.coder import machine_coder, probabilities_of
from gtcode.coding.learned.turns import iter_turns
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import learned as db
from gtcode.store.project import Study


@dataclass(frozen=True)
class Uncertain:
    segment_id: int
    source: str
    margin: float


def least_certain(study: Study, codebook: Codebook, n: int, *, coder: str | None = None,
                  embeddings: bool | None = None,
                  progress: Progress | None = None) -> list[Uncertain]:
    """The ``n`` undecided respondent turns to code next (see the module docstring).

    Undecided: no human decision on the turn (by ``coder``, when given).

    Raises:
        GtcodeError: E807 when no model can score the turns.
    """
    machine, _warnings = machine_coder(study, codebook, embeddings=embeddings)
    if machine is None:
        raise GtcodeError("E807", "choosing the next turns needs a learned model, and this "
                          "study has none.", hint="code a few turns and run `gtcode learn`, "
                          "or use the built-in codebook")
    decided = set(db.decided_segments(study.conn, [coder] if coder else None))
    live = machine.model.thresholds <= 1
    candidates: list[Uncertain] = []
    for turns in iter_turns(study):
        turns = [t for t in turns if t.segment_id not in decided and t.text.strip()]
        if not turns:
            continue
        probabilities = probabilities_of(study, machine, codebook, turns, progress=progress)
        gaps = np.abs(probabilities - machine.model.thresholds)[:, live]
        margins = gaps.min(axis=1) if gaps.shape[1] else np.ones(len(turns))
        candidates.extend(Uncertain(t.segment_id, t.source, float(m))
                          for t, m in zip(turns, margins))
    return _spread(candidates, n)


def _spread(candidates: list[Uncertain], n: int) -> list[Uncertain]:
    by_source: dict[str, list[Uncertain]] = {}
    for item in sorted(candidates, key=lambda u: (u.margin, u.source, u.segment_id)):
        by_source.setdefault(item.source, []).append(item)
    chosen: list[Uncertain] = []
    rank = 0
    while len(chosen) < n and any(rank < len(items) for items in by_source.values()):
        layer = [items[rank] for items in by_source.values() if rank < len(items)]
        chosen.extend(sorted(layer, key=lambda u: (u.margin, u.source, u.segment_id)))
        rank += 1
    return chosen[:n]
