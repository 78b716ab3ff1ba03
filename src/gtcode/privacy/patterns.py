"""Identifiers found by their form: phone, ID-card and plate numbers, e-mail, dates of
birth, and English names, places and organisations (capitalised words around a cue).

Each finder takes a text and returns :class:`~gtcode.privacy.found.Found` items
with code-point offsets. No model: regular expressions over the lists of
:mod:`gtcode.privacy.lexicon`.
"""

from __future__ import annotations

import re

from gtcode.privacy.found import Found
from gtcode.privacy.lexicon import (
    BIRTH_WORDS,
    ENGLISH_AMBIGUOUS,
    ENGLISH_GIVEN,
    ENGLISH_ORG_WORDS,
    ENGLISH_PLACE_WORDS,
    ENGLISH_PLACES,
    ENGLISH_TITLES,
    PINYIN_SURNAMES,
)

_D = r"(?<![0-9０-９])"  # not inside a longer number
_E = r"(?![0-9０-９])"
_SEP = r"[-\s－—]?"
PHONE = re.compile(
    _D + r"(?:(?:\+|00)86[-\s]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}" + _E
    + r"|" + _D + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[-\s－—]?[2-9]\d{6,7}" + _E
    + r"|" + _D + r"(?:\+\d{1,3}[-\s]?)?\(?\d{3}\)?[-\s.]\d{3}[-\s.]\d{4}" + _E)
ID_CARD = re.compile(_D + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                     r"\d{3}[\dXx]" + r"(?![0-9A-Za-z])"
                     + r"|" + _D + r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                     r"\d{3}" + _E)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
PLATE = re.compile(r"[" + _PROVINCES + r"][A-HJ-NP-Z][·•\-\s]?(?=[A-HJ-NP-Z0-9]*\d)"
                   r"[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                   r"\.[A-Za-z]{2,}(?![A-Za-z])")
_CN_NUM = "〇零一二三四五六七八九十"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|"
           "Nov\\.?|Dec\\.?")
DATE = re.compile(
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"
    r"|[" + _CN_NUM + r"]{4}年[" + _CN_NUM + r"]{1,3}月(?:[" + _CN_NUM + r"]{1,3}[日号])?"
    r"|" + _D + r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])" + _E
    + r"|" + _D + r"(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|1[0-2])[/.](?:19|20)\d{2}" + _E
    + r"|(?<![A-Za-z0-9])(?:[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r"),?\s+"
    r"(?:19|20)\d{2}|(?:" + _MONTHS + r")\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})"
    r"|(?:19|20)\d{2}\s*年(?=\s*(?:出生|生人|生))"
    r"|[" + _CN_NUM + r"]{4}年(?=\s*(?:出生|生人|生))")
#: How far (characters) a birth cue may stand from the date it introduces.
BIRTH_WINDOW = 16


def numbers(text: str) -> list[Found]:
    """Phone, ID-card and plate numbers and e-mail addresses in ``text``."""
    found = [Found(m.start(), m.end(), "id_card", m.group()) for m in ID_CARD.finditer(text)]
    taken = [(f.start, f.end) for f in found]
    for kind, pattern in (("phone", PHONE), ("email", EMAIL), ("plate", PLATE)):
        for m in pattern.finditer(text):
            if not any(m.start() < end and start < m.end() for start, end in taken):
                found.append(Found(m.start(), m.end(), kind, m.group().strip()))
                taken.append((m.start(), m.end()))
    return [f for f in found if f.term == text[f.start:f.end]]


_BIRTH = re.compile("|".join(re.escape(w) for w in sorted(BIRTH_WORDS, key=len, reverse=True)),
                    re.IGNORECASE)


def birth_dates(text: str) -> list[Found]:
    """Dates within :data:`BIRTH_WINDOW` characters of a birth cue (出生, born, DOB)."""
    cues = [m.span() for m in _BIRTH.finditer(text)]
    if not cues:
        return []
    found = []
    for m in DATE.finditer(text):
        start, end = m.span()
        if any(cue_start - BIRTH_WINDOW <= end and start <= cue_end + BIRTH_WINDOW
               for cue_start, cue_end in cues):
            term = m.group().strip()
            found.append(Found(start, start + len(term), "birth_date", term))
    return found


_CAP = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_TITLED = re.compile(r"\b(?:" + "|".join(ENGLISH_TITLES) + r")\.?\s+(" + _CAP + r"(?:\s+"
                     + _CAP + r")?)")
_TWO = re.compile(r"\b(" + _CAP + r")\s+(" + _CAP + r")\b")
_ONE = re.compile(r"\b(" + _CAP + r")\b")
_PLACE = re.compile(r"\b((?:" + _CAP + r"\s+){1,3}(?:" + "|".join(ENGLISH_PLACE_WORDS) + r"))\b")
_ORG = re.compile(r"\b((?:" + _CAP + r"\s+){1,4}(?:" + "|".join(
    re.escape(w) for w in ENGLISH_ORG_WORDS) + r"))(?![A-Za-z])")
_STOP_CAPS = frozenset("""The A An And But Or If In On At To Of For With From By As It Its This That
These Those We You They He She I My Our Your Their His Her Me Us Them What When Where Why How
Who Which Yes No Not So Then There Here Well Oh OK Okay Interviewer Respondent Interviewee Q A
Chinese English Communist Party Government National State People Central County City Town
Village Province District Street Road Bureau Office Company Committee Monday Tuesday Wednesday
Thursday Friday Saturday Sunday January February March April June July August September October
November December Spring Festival New Year Mid Autumn""".split())


def english(text: str) -> list[Found]:
    """English (and pinyin) personal names, places and organisations."""
    found: list[Found] = []
    for m in _ORG.finditer(text):
        found.append(Found(*_trim(text, m.span(1)), "org", ""))
    for m in _PLACE.finditer(text):
        found.append(Found(*_trim(text, m.span(1)), "place", ""))
    for m in _TITLED.finditer(text):
        found.append(Found(m.start(), m.end(1), "person", "", m.group(1).split()[-1]))
    for m in _TWO.finditer(text):
        first, last = m.group(1), m.group(2)
        if first in _STOP_CAPS or last in _STOP_CAPS:
            continue
        if first in ENGLISH_GIVEN or first in PINYIN_SURNAMES or last in PINYIN_SURNAMES:
            group = first if first in PINYIN_SURNAMES and first not in ENGLISH_GIVEN else last
            found.append(Found(m.start(), m.end(), "person", "", group))
    for m in _ONE.finditer(text):
        word = m.group(1)
        if word in ENGLISH_PLACES:
            found.append(Found(m.start(), m.end(), "place", ""))
        elif word in ENGLISH_GIVEN and word not in ENGLISH_AMBIGUOUS:
            found.append(Found(m.start(), m.end(), "person", "", word))
    return [Found(f.start, f.end, f.kind, text[f.start:f.end], f.group) for f in found]


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Drop leading stop words (``The Qingshan County`` -> ``Qingshan County``)."""
    start, end = span
    while True:
        word = re.match(r"[A-Za-z]+\s+", text[start:end])
        if not word or word.group().strip() not in _STOP_CAPS or start + word.end() >= end:
            return start, end
        start += word.end()
