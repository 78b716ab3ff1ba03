"""Find identifying terms in every text of a study and count them as apply would replace them.

:func:`detect` finds identifiers in one text; :func:`scan` runs it over every
source (and every memo and the storyline, which export too), merges the finds
into one :class:`Candidate` per term, counts each term the way
:func:`~gtcode.privacy.apply.replacer` replaces it (every occurrence, longest
term first), and proposes pseudonyms (:mod:`gtcode.privacy.pseudonyms`).
Terms the researcher already reviewed (kept, or pseudonyms gtcode wrote) are
left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from gtcode.privacy.chinese import chinese, given_names, org_stems, place_stems
from gtcode.privacy.found import KINDS, Found, resolve_overlaps
from gtcode.privacy.patterns import (
    birth_dates,
    english,
    name_parts,
    numbers,
    place_parts,
)
from gtcode.progress import Progress

#: Bump when what the detector finds changes: cached checks are then redone.
DETECTOR_VERSION = "2"
#: Characters of context either side of a term in the review file's example.
CONTEXT = 14


@dataclass
class Candidate:
    """One term to review: what it is, how often it occurs, and what would replace it."""

    term: str
    kind: str
    count: int
    example: str
    group: str = ""
    pseudonym: str = ""
    pseudonym_en: str = ""
    action: str = "replace"


def detect(text: str) -> list[Found]:
    """Every identifier found in ``text``, overlaps resolved (the longest wins), in order."""
    return resolve_overlaps([*numbers(text), *birth_dates(text), *chinese(text),
                             *english(text)])


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``terms``, the longest first at each position.

    A term that begins or ends with a Latin letter or digit matches only as a
    whole word there (Li is not in Lily, 1234 not in 12345).
    """
    ordered = sorted(set(t for t in terms if t), key=lambda t: (-len(t), t))
    if not ordered:
        return None
    return re.compile("|".join(_bounded(t) for t in ordered))


def _bounded(term: str) -> str:
    head = r"(?<![A-Za-z0-9])" if term[0].isascii() and term[0].isalnum() else ""
    tail = r"(?![A-Za-z0-9])" if term[-1].isascii() and term[-1].isalnum() else ""
    return head + re.escape(term) + tail


def scan(texts: list[str], *, reviewed: frozenset[str] = frozenset(),
         progress: Progress | None = None) -> list[Candidate]:
    """The candidates of ``texts``, most frequent first within each kind.

    ``reviewed``: terms already decided, which stay in the text (kept terms and the
    pseudonyms gtcode wrote); a find on or across one of them is no candidate
    (青山 of a kept 青山县, 县甲村 across the pseudonym 甲村).
    """
    kinds: dict[str, Counter] = {}
    groups: dict[str, str] = {}
    settled = term_pattern(reviewed)
    for done, text in enumerate(texts, start=1):
        spans = [m.span() for m in settled.finditer(text)] if settled else []
        for item in detect(text):
            if item.term in reviewed or not item.term.strip() or any(
                    item.start < end and start < item.end for start, end in spans):
                continue
            kinds.setdefault(item.term, Counter())[item.kind] += 1
            groups.setdefault(item.term, item.group)
        if progress:
            progress("Finding identifiers", done, len(texts))
    for term, kind in list(kinds.items()):  # Miller after Sarah Miller, 青溪 after 青溪县
        for part in _parts(term, kind.most_common(1)[0][0]):
            if part not in reviewed and part not in kinds:
                kinds[part] = Counter({kind.most_common(1)[0][0]: 1})
                groups[part] = groups.get(term, "")
    counts, examples = count_terms(texts, kinds)
    candidates = [Candidate(term, kind.most_common(1)[0][0], counts.get(term, 0),
                            examples.get(term, ""), groups.get(term, ""))
                  for term, kind in kinds.items() if counts.get(term, 0)]
    order = {kind: n for n, kind in enumerate(KINDS)}
    candidates.sort(key=lambda c: (order[c.kind], -c.count, c.term))
    return candidates


def _parts(term: str, kind: str) -> list[str]:
    """Shorter forms of a found term said alone: a surname, a given name, a place's name, a
    company's name."""
    if kind == "person":
        return [*name_parts(term), *given_names(term)]
    if kind == "place":
        return [*place_parts(term), *place_stems(term)]
    if kind == "org":
        return org_stems(term)
    return []


def count_terms(texts: list[str], terms: Iterable[str]) -> tuple[Counter, dict[str, str]]:
    """How often each term would be replaced in ``texts``, and its first context."""
    pattern = term_pattern(terms)
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    if pattern is None:
        return counts, examples
    for text in texts:
        for m in pattern.finditer(text):
            counts[m.group()] += 1
            if m.group() not in examples:
                examples[m.group()] = context(text, m.start(), m.end())
    return counts, examples


def context(text: str, start: int, end: int) -> str:
    """The term in brackets with a little text either side, on one line."""
    before = text[max(0, start - CONTEXT):start]
    after = text[end:end + CONTEXT]
    line = f"{before}【{text[start:end]}】{after}"
    return " ".join(line.split())


def occurrences(texts: list[str], terms: Iterable[str]) -> list[list[tuple[int, int, str]]]:
    """Where each term would be replaced, text by text: ``[(start, end, term)]``."""
    pattern = term_pattern(terms)
    if pattern is None:
        return [[] for _ in texts]
    return [[(m.start(), m.end(), m.group()) for m in pattern.finditer(t)] for t in texts]
