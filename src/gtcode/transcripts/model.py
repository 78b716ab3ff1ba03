"""Plain data the transcript layer hands to the rest of gtcode."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Turn:
    """A speaker turn known before segmentation (table transcripts).

    ``start``/``end`` cover the utterance in :attr:`Document.text`; ``line`` is
    the 1-based line it is rendered on; ``time`` is the row's time cell, if any.
    """

    speaker: str
    start: int
    end: int
    line: int
    time: str | None = None


@dataclass(frozen=True)
class Document:
    """A transcript read from disk and normalised.

    ``text`` is NFC, LF line ends, control characters removed (and, with
    ``t2s``, simplified); every offset in gtcode is a code-point index into it.
    """

    name: str
    path: Path
    kind: str
    text: str
    encoding: str | None
    raw_hash: str
    turns: tuple[Turn, ...] | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """One unit of coding: a speaker turn, a paragraph or a sentence.

    ``start``/``end`` are code-point offsets into the normalised text (end
    exclusive) covering the utterance only, not the label or timestamp.
    ``idx`` is 1-based within its source; ``line`` is the 1-based line on
    which the segment (its label, for turns) begins.
    """

    idx: int
    start: int
    end: int
    speaker: str | None
    role: str
    line: int
    kind: str = "turn"


@dataclass(frozen=True)
class Segmentation:
    """Segments of one document plus the header block kept as metadata."""

    segments: tuple[Segment, ...]
    metadata: dict[str, str] = field(default_factory=dict)
