"""Is a text a speaker-turn transcript? Segmenting text that came from elsewhere.

Text imported from a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA) is often not
an interview: survey answers, comment threads, field notes, articles. Lines
such as ``PSZ: Januártól …``, ``Koronavírus: …`` or ``Title: …`` look like
speaker labels, and reading them as turns would file everything before the
first of them as a header that is never segmented. A text is read as a
transcript only when the turn labels behave like speakers:

- a label recurs (two or more lines), as turn mode requires anyway;
- the labels come from a small set of speakers (at most :data:`MAX_SPEAKERS`);
- they do not look like titles: a label whose lines are mostly short
  headings (no sentence end) followed by unlabelled text is a title;
- the turns carry the text: at most a quarter of it comes before the first
  turn, and at least :data:`MIN_LABELLED_SHARE` of the content lines after it
  start with a speaker label.

Anything else is segmented by paragraph, every segment with role
``unknown`` (so every one counts in the analysis).
"""

from __future__ import annotations

import re
from collections import Counter

from gtcode.transcripts.model import Document, Segment, Segmentation
from gtcode.transcripts.segment import _Lines, _Speakers, segment_document

#: Most distinct speakers a transcript has (a focus group rarely has more).
MAX_SPEAKERS = 12
#: Share of content lines after the first turn that must start with a speaker label.
MIN_LABELLED_SHARE = 0.25
#: Largest share of the text allowed before the first turn (a header, a title page).
MAX_HEADER_SHARE = 0.25
_SENTENCE_END = re.compile(r"[.!?。！？…;；:：]['\"”’)）\]]*\s*$")
_TITLE_WORDS = re.compile(r"^(title|subject|headline|heading|topic|tags?|re|fw|fwd|cím|tárgy|"
                          r"téma|标题|標題|题目|題目|主题|主題)$", re.IGNORECASE)


def looks_like_transcript(doc: Document) -> bool:
    """True when ``doc`` reads as speaker turns (rules in the module docstring)."""
    lines = _Lines(doc.text)
    speakers = _Speakers(lines.labels, {})
    if speakers.first is None:
        return False
    turn_lines = [i for i in range(speakers.first, len(lines.lines))
                  if speakers.starts_turn(lines.labels[i])]
    keys = Counter(lines.labels[i].key for i in turn_lines)
    titles = {key for key in keys if _title_like(lines, speakers, key, turn_lines)}
    real = {key: n for key, n in keys.items() if key not in titles}
    if not real or max(real.values()) < 2 or len(real) > MAX_SPEAKERS:
        return False
    first = next(i for i in turn_lines if lines.labels[i].key in real)
    if lines.starts[first] > MAX_HEADER_SHARE * max(len(doc.text), 1):
        return False
    content = [i for i in range(first, len(lines.lines)) if lines.has_content(i)]
    labelled = sum(1 for i in content if lines.labels[i] and lines.labels[i].key in real)
    return labelled >= MIN_LABELLED_SHARE * max(len(content), 1)


def _title_like(lines: _Lines, speakers: _Speakers, key: str, turn_lines: list[int]) -> bool:
    """Mostly short headings followed by unlabelled text, or a title word (``Title:``)."""
    mine = [i for i in turn_lines if lines.labels[i].key == key]
    if _TITLE_WORDS.match(lines.labels[mine[0]].label.strip()):
        return True
    headings = 0
    for i in mine:
        body = lines.lines[i][lines.labels[i].body:].strip()
        after = next((j for j in range(i + 1, len(lines.lines)) if lines.has_content(j)), None)
        followed = after is not None and not speakers.starts_turn(lines.labels[after])
        if len(body) <= 80 and not _SENTENCE_END.search(body) and followed:
            headings += 1
    return headings * 2 > len(mine)


def segment_auto(doc: Document) -> Segmentation:
    """Speaker turns for a transcript, else paragraphs with role ``unknown``."""
    if doc.turns is not None or looks_like_transcript(doc):
        return segment_document(doc, mode="turn")
    return paragraphs(doc.text)


def paragraphs(text: str) -> Segmentation:
    """Blank-line separated paragraphs (single lines when there is no blank line).

    Unlike turn and paragraph modes this never cuts a ``label:`` off a line:
    in a text that is not a transcript ``PSZ:`` is part of what was written.
    Every paragraph has role ``unknown`` and no speaker; spans are trimmed of
    surrounding whitespace.
    """
    lines = text.split("\n")
    blank_separated = any(not line.strip() for line in lines[:-1])
    segments: list[Segment] = []
    block: list[int] = []
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    for i in range(len(lines) + 1):
        if i < len(lines) and lines[i].strip():
            block.append(i)
            if blank_separated:
                continue
        if block:
            start = starts[block[0]]
            end = starts[block[-1]] + len(lines[block[-1]])
            while text[start].isspace():
                start += 1
            while text[end - 1].isspace():
                end -= 1
            segments.append(Segment(len(segments) + 1, start, end, None, "unknown",
                                    block[0] + 1, "paragraph"))
            block = []
    return Segmentation(tuple(segments))
