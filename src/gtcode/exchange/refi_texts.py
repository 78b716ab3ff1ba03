"""Source texts of an imported REFI-QDA project, and the unit its positions count in.

A source is read as UTF-8 (a BOM is dropped; UTF-16 with a BOM is accepted),
normalised as gtcode stores text (:class:`~gtcode.exchange.positions.MappedText`)
and its selections mapped to code points. The unit is the one given with
``--positions``; else the one the project's origin implies (gtcode writes it
in the project description, NVivo counts UTF-16 units, ATLAS.ti counts CRLF
once); else the unit that puts the most selection boundaries on word and line
edges. Which unit is chosen matters only when a text holds characters above
U+FFFF or CRLF line ends.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from gtcode.errors import GtcodeError
from gtcode.exchange.positions import IMPORT_UNITS, UNITS, MappedText, Unit
from gtcode.exchange.refi_read import Container, RNote, RProject, RSource

_GOOD_EDGE = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\u2000-\u206f"
                        r"!-/:-@\[-`{-~]")


@dataclass
class SourceText:
    """A source ready to store: its name, normalised text and mapping."""

    source: RSource
    name: str
    mapped: MappedText
    raw_hash: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, selection


def decode_text(data: bytes, *, file: Path, where: str) -> str:
    """Source bytes as text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise GtcodeError("E501", "the source text is not UTF-8 (REFI-QDA requires UTF-8).",
                          file=file, where=where) from None


def unique_name(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({number}).{ext}" if dot and stem else f"{name} ({number})"
        number += 1
    used.add(candidate)
    return candidate


def load_texts(project: RProject, box: Container, file: Path,
                warnings: list[str]) -> list[SourceText]:
    texts: list[SourceText] = []
    used: set[str] = set()
    for source in project.sources:
        data = source.content.encode("utf-8") if source.content is not None else (
            box.read_ref(source.path) if source.path else None)
        label = source.name or source.path or source.guid
        if data is None:
            lost = len(source.selections) + len(source.codings)
            why = "its text file is missing" if source.path else "it has no plain text"
            warnings.append(f"source {label!r}: {why}; skipped with {lost} coding(s) and "
                            "selection(s).")
            continue
        raw = decode_text(data, file=file, where=f"source {label!r}")
        base = source.name or (PurePosixPath(source.path.split("://")[-1]).name
                               if source.path else source.guid)
        texts.append(SourceText(source, unique_name(base.strip() or source.guid, used),
                           MappedText(raw), hashlib.sha256(data).hexdigest()))
    return texts


def note_text(note: RNote, box: Container, file: Path) -> str:
    if note.content is not None:
        return note.content
    data = box.read_ref(note.path) if note.path else None
    if data is None:
        return ""
    return MappedText(decode_text(data, file=file, where=f"note {note.guid}")).text


# -- choosing the position unit ------------------------------------------------------------

def _origin_unit(project: RProject) -> str | None:
    origin = project.origin.lower()
    if origin.startswith("gtcode"):
        found = re.search(r"\(positions=([\w-]+)\)", project.description or "")
        return found.group(1) if found and found.group(1) in UNITS else "codepoints"
    if "nvivo" in origin:
        return "nvivo"
    if "atlas" in origin:
        return "atlas"
    return None


def _score(texts: list[SourceText], which: Unit) -> float | None:
    """How well ``which`` puts selections on word and line edges (None: out of range)."""
    score = 0.0
    for item in texts:
        text = item.mapped.text
        for sel in item.source.selections:
            for position, is_end in ((sel.start, False), (sel.end, True)):
                found = item.mapped.to_index(position, which, is_end=is_end)
                if found is None:
                    return None
                index, aligned = found
                if not aligned:
                    score -= 10
                elif index in (0, len(text)) or _GOOD_EDGE.match(text[index - 1]) or (
                        _GOOD_EDGE.match(text[index]) if index < len(text) else True):
                    score += 1
    return score


def choose_unit(texts: list[SourceText], project: RProject, forced: str) -> tuple[Unit, str]:
    """The unit to read positions in, and how it was chosen."""
    if forced not in IMPORT_UNITS:
        raise GtcodeError("E112", f"unknown position unit {forced!r}.",
                          hint="use --positions " + ", ".join(IMPORT_UNITS))
    if forced != "auto":
        return UNITS[forced], "given with --positions"
    preferred = _origin_unit(project)
    first = UNITS[preferred or "codepoints"]
    candidates = [first, *[u for u in UNITS.values() if u is not first]]
    if not any(t.mapped.differs(first, u) for t in texts for u in candidates):
        return first, "from the origin" if preferred else "no difference (no emoji, no CRLF)"
    if preferred and _score(texts, first) is not None:
        return first, f"from the origin {project.origin!r}"
    scores = {u.name: _score(texts, u) for u in candidates}
    valid = [u for u in candidates if scores[u.name] is not None]
    if not valid:
        return first, "none fits"
    best = max(valid, key=lambda u: scores[u.name])  # max keeps the first of equals
    return best, "detected from word and line boundaries"


def map_spans(texts: list[SourceText], which: Unit, file: Path, warnings: list[str]) -> None:
    """Convert every selection to code points of the normalised text (E503 if outside)."""
    snapped = 0
    for item in texts:
        for sel in item.source.selections:
            start = item.mapped.to_index(sel.start, which, is_end=False)
            end = item.mapped.to_index(sel.end, which, is_end=True)
            if start is None or end is None or start[0] > end[0]:
                raise GtcodeError("E503", f"the selection's positions ({sel.start}-{sel.end}) "
                                  f"lie outside its source, which is "
                                  f"{item.mapped.length(which)} units long "
                                  f"(unit: {which.name}).",
                                  file=file, where=f"selection {sel.guid}",
                                  hint="try --positions nvivo, codepoints or atlas")
            snapped += (not start[1]) + (not end[1])
            item.spans.append((start[0], end[0], sel.guid))
    if snapped:
        warnings.append(f"{snapped} selection boundaries fell inside a character and were "
                        "widened to whole characters.")
