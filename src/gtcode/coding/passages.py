"""Passage units: how a coding that no single segment holds still counts.

Analysis counts *references*: a unit coded with a code. The unit is the
segment (a speaker turn, or a paragraph of a text that is not a transcript)
that holds the coding. A coding imported from NVivo, ATLAS.ti or MAXQDA may
span several paragraphs, cross a turn boundary, or sit in text no segment
covers (a title, a speaker label); re-anchoring after ``import --replace`` can
give the same. Such a coding is counted at its own span: the passage it
covers is a unit of its own, its case the source's case, its characters and
words those of the passage. Codings of one exact span share one unit (several
codes on one NVivo selection co-occur there).

Rules that hold for segments hold for passages: a passage lying wholly in
interviewer turns is not counted (it overlaps an interviewer turn and no
respondent or unknown one); a coding whose passage was lost on ``--replace``
(orphaned) or whose span is empty cannot be counted and is listed by
``gtcode status``. Passage units get negative ids, so they never collide
with segment ids; their ``idx`` is the number of the segment they begin in
(or the nearest before), for display only.
"""

from __future__ import annotations

from bisect import bisect_right

from gtcode.store import analysis as db
from gtcode.store.codings import EffectiveCoding

_INTERVIEWER = "interviewer"


class Passages:
    """Builds the passage units of one study as codings ask for them."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.facts = db.source_facts(conn)
        self.units: dict[tuple[str, int, int], db.CountedSegment] = {}

    def unit(self, coding: EffectiveCoding) -> db.CountedSegment | None:
        """The passage unit of a coding with no segment (None: it cannot count)."""
        if coding.orphaned or coding.end <= coding.start:
            return None
        key = (coding.source, coding.start, coding.end)
        found = self.units.get(key)
        if found is not None:
            return found
        facts = self.facts.get(coding.source)
        if facts is None:
            return None
        roles = [role for start, end, _idx, role in facts.segments
                 if start < coding.end and end > coding.start]
        if roles and all(role == _INTERVIEWER for role in roles):
            return None
        starts = [s[0] for s in facts.segments]
        at = bisect_right(starts, coding.start) - 1
        idx = facts.segments[at][2] if at >= 0 else 0
        found = db.CountedSegment(-(len(self.units) + 1), coding.source, facts.case, idx,
                                  coding.start, coding.end, facts.position, facts.language)
        self.units[key] = found
        return found

    def texts(self) -> dict[int, str]:
        """Unit id -> the passage's text."""
        keys = list(self.units)
        return {self.units[k].id: text for k, text in zip(keys, db.passage_texts(self.conn,
                                                                                   keys))}
