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
    ENGLISH_NICKNAMES,
    ENGLISH_ORG_OF,
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
    + r"|" + _D + r"[48]00[-\s]?\d{3}[-\s]?\d{4}" + _E
    + r"|(?<![\w+])\+\d{1,3}[\s-]?(?:\(0\)\s?)?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}" + _E
    + r"|" + _D + r"0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}" + _E
    + r"|" + _D + r"(?:\(0\d{2,3}\)|（0\d{2,3}）)\s?[2-9]\d{2,3}[\s-]\d{4}" + _E
    + r"|" + _D + r"(?:\+\d{1,3}[-\s]?)?\(?\d{3}\)?[-\s.]\d{3}[-\s.]\d{4}" + _E)
#: A run of digits right after a phone word (电话, mobile): a number however it is written.
PHONE_CUE = re.compile(r"(?:电话|手机|号码|座机|微信|联系方式|热线|phone|mobile|cell|tel\.?|"
                       r"number|ring|call|text)(?:号码|号|是|为|：|:|\s|on|me|him|her|at)*"
                       r"(\+?\d[\d\s-]{5,16}\d)" + _E, re.IGNORECASE)
#: A phone number read out in Chinese numerals after a phone word (幺三八 一二三四 五六七八).
_CN_DIGIT = "零〇一二三四五六七八九幺两洞"
PHONE_SPOKEN = re.compile(r"(?:电话|手机|号码|座机|微信|联系方式)(?:号码|号|是|为|：|:|\s)*("
                          + f"[{_CN_DIGIT}](?:[\\s-]?[{_CN_DIGIT}]){{6,14}})(?![{_CN_DIGIT}])")
ID_CARD = re.compile(_D + r"[1-9]\d{5}\s?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                     r"\s?\d{3}[\dXx]" + r"(?![0-9A-Za-z])"
                     + r"|\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"  # UK NI
                     + r"|" + _D + r"\d{3}-\d{2}-\d{4}" + _E  # US SSN
                     + r"|(?<=身份证号码)[:：是为\s]*\d[\dXx\s]{13,20}[\dXx]"
                     + r"|" + _D + r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                     r"\d{3}" + _E)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
#: The province characters of plates in pinyin, as a translation writes them (Lu G 52088).
_PROVINCES_PINYIN = ("Jing|Jin|Hu|Yu|Ji|Lu|Su|Zhe|Wan|Min|Gan|E|Xiang|Yue|Gui|Qiong|Chuan|"
                     "Yun|Shan|Qing|Ning|Xin|Meng|Liao|Hei|Zang")
PLATE = re.compile(r"[" + _PROVINCES + r"][A-HJ-NP-Z][·•\-\s]?(?=[A-HJ-NP-Z0-9]*\d)"
                   r"[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])"
                   r"|\b(?:" + _PROVINCES_PINYIN + r")[\s·-][A-HJ-NP-Z][\s·-]?"
                   r"(?=[A-HJ-NP-Z0-9]*\d)[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])"
                   r"|\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b")  # UK
#: An address as a transcriber types what was said: lubin1104 艾特 qq 点 com.
_TLD = r"(?:com|cn|net|org|edu|gov|co|uk|io|info|me|hk|tw|de|fr|jp)"
EMAIL_SPOKEN = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._-]+\s*(?:艾特|圈[Aa]|@)\s*[A-Za-z0-9-]+"
    r"(?:\s*(?:点|\.)\s*[A-Za-z0-9-]+)*\s*(?:点|\.)\s*" + _TLD + r"(?![A-Za-z])"
    r"|(?i:(?<=e-mail )|(?<=email )|(?<=address )|(?<=email is )|(?<=address is ))"
    r"[A-Za-z0-9._-]+(?:\s+dot\s+[A-Za-z0-9_-]+)*\s+at\s+[A-Za-z0-9-]+"
    r"(?:\s+dot\s+[A-Za-z0-9-]+)*\s+dot\s+" + _TLD + r"(?![A-Za-z])")
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                   r"\.[A-Za-z]{2,}(?![A-Za-z])")
_CN_NUM = "〇零一二三四五六七八九十"
_CN_DAY = "初十廿卅一二三四五六七八九"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|"
           "Nov\\.?|Dec\\.?")
DATE = re.compile(
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"
    r"|[" + _CN_NUM + r"]{4}年[" + _CN_NUM + r"]{1,3}月(?:[" + _CN_NUM + r"]{1,3}[日号])?"
    r"|" + _D + r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])" + _E
    + r"|" + _D + r"(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d{2}" + _E
    + r"|(?<![A-Za-z0-9])(?:[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r"),?\s+"
    r"(?:19|20)\d{2}|(?:" + _MONTHS + r")\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})"
    r"|(?:农历|阴历)?(?:(?:19|20)?\d{2}年)?[正一二三四五六七八九十冬腊]{1,2}月[" + _CN_DAY
    + r"]{1,3}(?:日|号)?"
    r"|" + _D + r"(?:\d{2}年)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    r"|(?<![A-Za-z0-9])(?:[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")|(?:"
    + _MONTHS + r")\s+[0-3]?\d(?:st|nd|rd|th)?)(?![A-Za-z0-9])"
    r"|(?:19|20)\d{2}\s*年(?=\s*(?:出生|生人|生))"
    r"|[" + _CN_NUM + r"]{4}年(?=\s*(?:出生|生人|生))")
#: How far (characters) a birth cue may stand from the date it introduces.
BIRTH_WINDOW = 16


def numbers(text: str) -> list[Found]:
    """Phone, ID-card and plate numbers and e-mail addresses in ``text``."""
    found = [Found(*_stripped(text, m.span()), "id_card", "") for m in ID_CARD.finditer(text)]
    taken = [(f.start, f.end) for f in found]
    for m in PHONE_CUE.finditer(text):
        span = _stripped(text, m.span(1))
        if not any(span[0] < end and start < span[1] for start, end in taken):
            found.append(Found(*span, "phone", ""))
            taken.append(span)
    for kind, pattern in (("phone", PHONE_SPOKEN), ("email", EMAIL_SPOKEN)):
        for m in pattern.finditer(text):
            span = _stripped(text, m.span(m.lastindex or 0))
            if not any(span[0] < end and start < span[1] for start, end in taken):
                found.append(Found(*span, kind, ""))
                taken.append(span)
    for kind, pattern in (("phone", PHONE), ("email", EMAIL), ("plate", PLATE)):
        for m in pattern.finditer(text):
            if not any(m.start() < end and start < m.end() for start, end in taken):
                found.append(Found(*_stripped(text, m.span()), kind, ""))
                taken.append((m.start(), m.end()))
    return [Found(f.start, f.end, f.kind, text[f.start:f.end]) for f in found]


def _stripped(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and (text[start].isspace() or text[start] in ":：是为-"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_BIRTH = re.compile("|".join(re.escape(w) for w in sorted(BIRTH_WORDS, key=len, reverse=True)),
                    re.IGNORECASE)


def birth_dates(text: str) -> list[Found]:
    """Dates within :data:`BIRTH_WINDOW` characters of a birth cue (出生, born, DOB)."""
    cues = [m.span() for m in _BIRTH.finditer(text)]
    found = []
    for m in DATE.finditer(text):
        start, end = m.span()
        if text[end:end + 1] == "生" or any(cue_start - BIRTH_WINDOW <= end and start <= cue_end + BIRTH_WINDOW
               for cue_start, cue_end in cues):
            term = m.group().strip()
            found.append(Found(start, start + len(term), "birth_date", term))
    return found


_CAP = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_TITLED = re.compile(r"\b(?:" + "|".join(ENGLISH_TITLES) + r")\.?\s+(" + _CAP + r"(?:\s+"
                     + _CAP + r")?)")
#: My colleague Tomasz Nowak, her husband, Liu Qiang: a capitalised name after a role word.
_ROLE_NAME = re.compile(r"\b(?:colleague|husband|wife|friend|son|daughter|brother|sister|boss|"
                        r"partner|mother|father|uncle|aunt|cousin|nephew|niece|neighbou?r|"
                        r"driver|accountant|lawyer|named|called|cousin|classmate|deputy|"
                        r"assistant|agent|contact|supplier|client|customer),?\s+(" + _CAP
                        + r"(?:\s+" + _CAP + r")?)\b")
_TWO = re.compile(r"\b(?=(" + _CAP + r")\s+(" + _CAP + r")\b)")  # overlapping pairs
_ONE = re.compile(r"\b(" + _CAP + r")\b")
_PLACE = re.compile(r"\b((?:" + _CAP + r"\s+){1,3}(?:" + "|".join(ENGLISH_PLACE_WORDS) + r"))\b")
_ORG = re.compile(r"\b((?:" + _CAP + r"\s+){1,4}(?:" + "|".join(
    re.escape(w) for w in ENGLISH_ORG_WORDS) + r"))(?![A-Za-z])")
#: in Harwell, from Qingxi: capitalised words after a preposition of place, mid-sentence.
_ORG_OF = re.compile(r"\b((?:" + "|".join(ENGLISH_ORG_OF) + r")\s+of\s+(?:the\s+)?" + _CAP
                     + r"(?:\s+" + _CAP + r")?)\b")
_PLACE_CUE = re.compile(r"(?<=[a-z0-9à-öø-ÿ,] )(?:in|from|to|near|outside|around|at|towards)\s+("
                        + _CAP + r"(?:\s+" + _CAP + r")?)\b")
_STOP_CAPS = frozenset("""The A An And But Or If In On At To Of For With From By As It Its This That
These Those We You They He She I My Our Your Their His Her Me Us Them What When Where Why How
Who Which Yes No Not So Then There Here Well Oh OK Okay Interviewer Respondent Interviewee Q A
Chinese English Communist Party Government National State People Central County City Town
Village Province District Street Road Bureau Office Company Committee Monday Tuesday Wednesday
Thursday Friday Saturday Sunday January February March April June July August September October
November December Spring Festival New Year Mid Autumn Christmas Easter God Heaven Parliament
Congress Beijing's English French German Mandarin Cantonese Europe Asia Africa America China
Japan Britain India Internet Google WeChat Weibo Facebook Twitter Party Covid COVID Lunar
Golden Week Monday's Sir Madam""".split())


def english(text: str) -> list[Found]:
    """English (and pinyin) personal names, places and organisations."""
    found: list[Found] = []
    for m in _ORG.finditer(text):
        found.append(Found(*_trim(text, m.span(1)), "org", ""))
    for m in _ORG_OF.finditer(text):  # University of Sheffield, Bank of Qingxi
        found.append(Found(*m.span(1), "org", ""))
    for m in _PLACE.finditer(text):
        found.append(Found(*_trim(text, m.span(1)), "place", ""))
    for m in _TITLED.finditer(text):
        found.append(Found(m.start(), m.end(1), "person", "", m.group(1).split()[-1]))
    for m in _ROLE_NAME.finditer(text):
        words = m.group(1).split()
        if not any(w in _STOP_CAPS or w in ENGLISH_TITLES or w in ENGLISH_PLACES
                   for w in words):
            found.append(Found(*m.span(1), "person", "", words[-1]))
    for m in _TWO.finditer(text):
        first, last = m.group(1), m.group(2)
        if first in _STOP_CAPS or last in _STOP_CAPS:
            continue
        if first in ENGLISH_GIVEN or first in PINYIN_SURNAMES or last in PINYIN_SURNAMES:
            group = first if first in PINYIN_SURNAMES and first not in ENGLISH_GIVEN else last
            found.append(Found(m.start(1), m.end(2), "person", "", group))
    for m in _PLACE_CUE.finditer(text):
        words = m.group(1).split()
        if not any(w in _STOP_CAPS or w in ENGLISH_GIVEN or w in ENGLISH_TITLES
                   for w in words):
            found.append(Found(m.start(1), m.end(1), "place", ""))
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


def place_parts(term: str) -> list[str]:
    """An English place name without its level, said alone (Qingxi of Qingxi County)."""
    words = term.split()
    if len(words) < 2 or words[-1] not in ENGLISH_PLACE_WORDS:
        return []
    stem = " ".join(words[:-1])
    return [stem] if stem not in _STOP_CAPS and len(stem) >= 3 else []


def name_parts(term: str) -> list[str]:
    """The parts of an English full name said alone later (Sarah Miller -> Miller, Sarah).

    Only capitalised words of three letters or more that are no everyday
    capitalised word and no ambiguous given name (May, Will).
    """
    words = [w.rstrip(".") for w in term.split()]
    if len(words) < 2 or not all(re.fullmatch(_CAP, w) for w in words[-2:]):
        return []
    parts = [words[-1]]
    given = words[1] if words[0] in ENGLISH_TITLES and len(words) >= 3 else words[0]
    if given not in ENGLISH_TITLES and given not in ENGLISH_AMBIGUOUS:
        parts += [given, *ENGLISH_NICKNAMES.get(given, ())]  # Dr Amir Rahman: Amir; Peter: Pete
    return [w for w in parts if len(w) >= 3 and w not in _STOP_CAPS and w not in ENGLISH_TITLES]
