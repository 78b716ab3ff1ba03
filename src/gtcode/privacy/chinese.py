"""Chinese personal names, places and work units, found on jieba's tagged words.

A name is a surname from :data:`~gtcode.privacy.lexicon.SURNAMES` at the start
of a word jieba tags as a person (``nr``), or a surname with a title (王书记),
or 老/小 with a surname (老王, 小张), each only on jieba's word boundaries (对于书记
is no one). Already-masked forms (张某, 张某某, 李XX) are left alone. Places are
words tagged ``ns``, and proper stems before an administrative suffix (青山县,
红旗村); organisations are proper stems before an organisation suffix (青山县财政局,
宏达建材有限公司), never the generic unit alone (县财政局).
"""

from __future__ import annotations

import re

from gtcode.privacy.chinese_cues import (
    COMMON_WORD,
    EVERYDAY,
    FUNCTION_CHARS,
    NOT_BEFORE,
    PAUSE,
    common_head,
    cued_names,
    cued_places,
)
from gtcode.privacy.found import Found
from gtcode.privacy.lexicon import (
    COMPOUND_SURNAMES,
    FAMILIAR_AFTER,
    GENERIC_ORGS,
    GENERIC_PLACE_STEMS,
    GENERIC_PLACES,
    GENERIC_WAYS,
    NOT_GIVEN,
    NOT_PLACE_WORDS,
    OLD_YOUNG_WORDS,
    ORG_SUFFIXES,
    ORG_VERBS,
    PLACE_SUFFIXES,
    ROLE_WORDS,
    SURNAMES,
    TITLED_WORDS,
    TITLES,
    TRADE_WORDS,
    WEAK_SURNAMES,
)
from gtcode.transcripts.nlp import zh_lexicon, zh_pos_words, zh_word_tag

_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Characters after a name that mean it is already masked (张某, 李XX, 王**).
_MASKS = "某XxＸ×*＊"
_SURNAME_ALT = "|".join(sorted(COMPOUND_SURNAMES, key=len, reverse=True)) + "|[" + "".join(
    sorted(SURNAMES)) + "]"
_TITLED = re.compile(f"(?:{_SURNAME_ALT})(?:" + "|".join(
    sorted(TITLES, key=len, reverse=True)) + ")")
_OLD_YOUNG = re.compile("[老小](?:" + _SURNAME_ALT + ")")
#: 我叫王建国, 名叫李秀英: a surname and one or two characters after a naming word.
_CALLED = re.compile("(?:(?<=叫)|(?<=叫做)|(?<=名字是))(?:" + _SURNAME_ALT + ")[\u4e00-\u9fff]{1,2}")
#: Tags of a word that may be (part of) a proper name.
_PROPER = ("ns", "nr", "nrt", "nrfg", "nz", "j", "nt")
_NOUNISH = (*_PROPER, "n", "a", "ng", "an", "b", "l", "i")
#: Characters of a phrase, not a place name, in a word jieba guesses is a place (山多地少).
_NOT_IN_PLACE = set("多少很最更也就还又的了")
#: Characters jieba glues to a following 小吴 or 老周 (和小吴 is one word to it).
_JOINED = set("和跟与同找给叫让请问对被把")
_ADMIN_ONE = "省市县区镇乡村屯寨庄旗"
_ORG_SHORT = ("局", "办", "厂", "所", "站", "段", "院", "处", "委", "社", "队", "科", "行",
              "馆", "会", "部")


def chinese(text: str) -> list[Found]:
    """Chinese names, places and organisations in ``text`` (overlaps not yet resolved)."""
    if not _CJK.search(text):
        return []
    words = zh_pos_words(text)
    bounds = {start for _w, _t, start in words} | {len(text)}
    places = _places(words)
    cued = cued_places(text, words, bounds, places)
    places += cued
    at_place = {(p.start, p.end) for p in cued}  # 在石河子打工: a place though jieba says nr
    names = [f for f in _names(text, words) if (f.start, f.end) not in at_place]
    return [*names, *_titled(text, bounds), *_called(text, bounds),
            *cued_names(text, words, bounds), *places, *_orgs(words, places)]


def _called(text: str, bounds: set[int]) -> list[Found]:
    """我叫王建国: the name ends on a word boundary, at two or three characters."""
    found = []
    for m in _CALLED.finditer(text):
        start, end = m.span()
        for stop in (end, end - 1):
            term = text[start:stop]
            surname = _surname(term + " ")
            if stop in bounds and surname and len(term) > len(surname) and \
                    term[len(surname)] not in NOT_GIVEN and not _masked(text, stop) and \
                    zh_lexicon().get(term, 0) < COMMON_WORD:  # 叫阿姨
                found.append(Found(start, stop, "person", term, surname))
                break
    return found


def given_names(term: str) -> list[str]:
    """The two-character given name of a full name, said alone (国华 of 田国华), unless it
    is an everyday word (建国, 红旗), and the familiar forms of its last character (斌哥,
    阿斌 of 苟文斌)."""
    surname = _surname(term + " ") if len(term) >= 3 else None
    given = term[len(surname):] if surname else ""
    if len(given) != 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in given) or \
            given in TITLES or given in ROLE_WORDS:
        return []  # 梁股长 has no given name
    tag = zh_word_tag(given)
    rare = zh_lexicon().get(given, 0) < _RARE_GIVEN  # 立新, 小军: in the dictionary, seldom said
    forms = [given] if tag is None or tag.startswith("nr") or tag == "nz" or rare else []
    last = given[-1]
    if last not in NOT_GIVEN and last not in FUNCTION_CHARS and given[0] not in "小阿老":
        forms += [f"{last}{kin}" for kin in FAMILIAR_AFTER] + [f"阿{last}"]
    return [f for f in forms if f not in OLD_YOUNG_WORDS and zh_lexicon().get(f, 0) < COMMON_WORD]


def _masked(text: str, end: int) -> bool:
    return end < len(text) and text[end] in _MASKS


def _surname(word: str) -> str | None:
    if word[:2] in COMPOUND_SURNAMES and len(word) >= 3:
        return word[:2]
    return word[0] if word[0] in SURNAMES else None


def _names(text: str, words: list[tuple[str, str, int]]) -> list[Found]:
    found = []
    for i, (word, tag, start) in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word in SURNAMES or word in COMPOUND_SURNAMES:  # a name jieba split: 欧阳 / 娜娜
            if nxt and nxt[1].startswith("nr") and 1 <= len(nxt[0]) <= 2 and \
                    nxt[0][0] not in NOT_GIVEN and not _masked(text, nxt[2] + len(nxt[0])) \
                    and word not in WEAK_SURNAMES:  # 兰嫂和 / 杨姨: 和 joins, names no one
                found.append(Found(start, nxt[2] + len(nxt[0]), "person", word + nxt[0], word))
            continue
        if not tag.startswith("nr") or not 2 <= len(word) <= 4 or "某" in word:
            continue
        surname = _surname(word)
        if surname is None or _masked(text, start + len(word)) or \
                (len(word) == 3 and word[-1] in _ADMIN_ONE):  # 郝庄镇 is a place
            continue
        given = word[len(surname):]
        if not 1 <= len(given) <= 2 or given[0] in NOT_GIVEN or given in TITLES or \
                _everyday_name(text, word, surname, start):
            continue
        found.append(Found(start, start + len(word), "person", word, surname))
    return found


#: A given name said alone is replaced when jieba's dictionary holds it this seldom.
_RARE_GIVEN = 200


def _everyday_name(text: str, word: str, surname: str, start: int) -> bool:
    """A word jieba tags as a person that is no one: a common dictionary word, a name with
    a pronoun in it (谢谢您), a surname used as a measure word (那段时间), a weak surname
    with no cue (那阵子), or a word that starts with a common word (辛苦费)."""
    lexicon = zh_lexicon()
    if lexicon.get(word, 0) >= COMMON_WORD or any(ch in FUNCTION_CHARS for ch in word):
        return True
    if text[start - 1:start] in NOT_BEFORE or surname in WEAK_SURNAMES:
        return True
    return common_head(word)


def _titled(text: str, bounds: set[int]) -> list[Found]:
    """王书记, 欧阳主任, 老王, 小张: on word boundaries, not everyday words (小时)."""
    found = []
    for pattern in (_TITLED, _OLD_YOUNG):
        for m in pattern.finditer(text):
            start, end = m.span()
            joined = start - 1 in bounds and text[start - 1:start] in _JOINED  # 和小吴
            if (start not in bounds and not joined) or end not in bounds or _masked(text, end):
                continue
            term = m.group()
            if term in OLD_YOUNG_WORDS or term in TITLED_WORDS or (
                    pattern is _TITLED and zh_lexicon().get(term, 0) >= COMMON_WORD) or (
                    term[0] in WEAK_SURNAMES and text[start - 1:start] not in PAUSE):
                continue  # 小时, 全局, 阿姨
            surname = term[1:] if pattern is _OLD_YOUNG else _surname(term + "  ")
            found.append(Found(start, end, "person", term, surname or ""))
    return found


def _proper_stem(stem: str, tag: str) -> bool:
    if len(stem) < 2 or stem in GENERIC_PLACE_STEMS or stem in GENERIC_PLACES:
        return False
    if tag in _PROPER:
        return True
    if zh_lexicon().get(stem, 0) >= EVERYDAY:
        return False  # 那时候镇长, 这个时候村里
    known = zh_word_tag(stem)
    return tag in _NOUNISH and (known is None or known in _NOUNISH)


def _places(words: list[tuple[str, str, int]]) -> list[Found]:
    found = []
    for i, (word, tag, start) in enumerate(words):
        nxt = words[i + 1][0] if i + 1 < len(words) else ""
        if nxt in PLACE_SUFFIXES or (nxt[:1] in _ADMIN_ONE and nxt[:1] and len(nxt) == 2
                                     and zh_word_tag(nxt) is not None):
            suffix = nxt if nxt in PLACE_SUFFIXES else nxt[0]
            if _proper_stem(word, tag) or (tag == "ns" and word not in GENERIC_PLACES):
                found.append(Found(start, start + len(word) + len(suffix), "place",
                                   word + suffix))
                continue
        if tag == "ns" and len(word) >= 2 and word not in GENERIC_PLACES and \
                word not in NOT_PLACE_WORDS and not any(ch in _NOT_IN_PLACE for ch in word):
            found.append(Found(start, start + len(word), "place", word))
            continue
        suffix = next((s for s in PLACE_SUFFIXES if word.endswith(s) and len(word) > len(s)),
                      None) if word[-1] in _PLACE_ENDS and len(word) >= 3 else None
        if suffix and len(word) >= 3 and word not in GENERIC_PLACES and \
                _place_word(word, suffix, tag):
            found.append(Found(start, start + len(word), "place", word))
    return found


def _place_word(word: str, suffix: str, tag: str) -> bool:
    """保定市, 红星村: one word ending with a place suffix, its stem a proper name."""
    stem = word[:-len(suffix)]
    if word.endswith(GENERIC_WAYS):
        return False  # 农村公路, 水泥马路
    stem_tag = zh_word_tag(stem)
    if _proper_stem(stem, stem_tag or tag):
        return True
    # a dictionary word (保定市) whose stem the dictionary tags oddly (保定: v)
    return suffix != "区" and tag in ("n", "ns") and len(stem) >= 2 and \
        stem not in GENERIC_PLACE_STEMS and zh_word_tag(word) is not None


def _org_end(word: str, tag: str) -> bool:
    if tag == "nt":
        return True
    if word[-1] not in _ORG_ENDS:
        return False
    for suffix in ORG_SUFFIXES:
        if word.endswith(suffix) and (len(suffix) > 1 or suffix in _ORG_SHORT):
            return word != suffix or len(suffix) >= 2 or suffix in ("局", "办", "厂")
    return False


#: Last characters of the suffixes: most words end with none, and are passed over at once.
_PLACE_ENDS = {suffix[-1] for suffix in PLACE_SUFFIXES}
_ORG_ENDS = {suffix[-1] for suffix in ORG_SUFFIXES}

#: Suffixes of a registered company's full name: said with its name, never generically.
_REGISTERED = ("有限公司", "有限责任公司", "股份有限公司")


def _unknown(word: str) -> bool:
    """A word of two or more characters jieba's dictionary lacks (聚贤, 金桥): likely a name."""
    return len(word) >= 2 and zh_lexicon().get(word, 0) == 0 and bool(_CJK.match(word))


def _org_inner(word: tuple[str, str, int], left: tuple[str, str, int] | None) -> bool:
    """A word inside an organisation's name: a noun, a trade verb (开发), or, right after a
    name, a single character of a trade name (鑫达: 达)."""
    text, tag, _start = word
    if tag in _NOUNISH or text in ORG_VERBS:
        return True
    return left is not None and len(text) == 1 and tag in ("v", "a", "vg", "ag") and \
        left[1].startswith(("nr", "nz")) and text not in "去来到在是有给让把被叫说做搞进出找跟和读"


def _orgs(words: list[tuple[str, str, int]], places: list[Found]) -> list[Found]:
    """A proper stem (a place, a name, an unknown word) and up to four words before a unit."""
    by_end = {p.end: p.start for p in places}
    index = {start: k for k, (_w, _t, start) in enumerate(words)}
    found = []
    for i, (word, tag, start) in enumerate(words):
        if not _org_end(word, tag):
            continue
        k, proper = i, []
        for _step in range(5):
            here = words[k][2]
            if here in by_end and by_end[here] in index:
                k = index[by_end[here]]
                proper.append(k)
                continue
            if k == 0 or not _org_inner(words[k - 1], words[k - 2] if k >= 2 else None):
                break
            k -= 1
            if ((words[k][1] in _PROPER and words[k][1] != "nt") or _unknown(words[k][0])) and \
                    words[k][0] not in GENERIC_PLACE_STEMS:
                proper.append(k)
        end = start + len(word)
        if not proper:
            name = "".join(w for w, _t, _s in words[k:i + 1])
            if tag == "nt" and len(word) >= 4 and word not in GENERIC_ORGS and \
                    _proper_org_word(word):
                found.append(Found(start, end, "org", word))
            elif name.endswith(_REGISTERED) and len(name) >= 8 and k > 0 and \
                    not words[k - 1][1].startswith(("m", "q", "r")):
                found.append(Found(words[k][2], end, "org", name))  # 远大建筑工程有限责任公司
            continue
        first = words[proper[-1]][2]
        found.append(Found(first, end, "org", "".join(w for w, _t, _s in words[proper[-1]:i + 1])))
    return found


def _proper_org_word(word: str) -> bool:
    """外贸公司, 建筑公司 name a trade, not a unit: the stem must be no everyday word."""
    suffix = next((x for x in sorted(ORG_SUFFIXES, key=len, reverse=True)
                   if word.endswith(x) and len(word) > len(x)), "")
    tag = zh_word_tag(word[:len(word) - len(suffix)]) if suffix else None
    return tag is None or tag.startswith(("nr", "ns", "nz", "nt"))


def org_stems(term: str) -> list[str]:
    """A company's name said without its legal form or trade (恒达 and 恒达路桥 of
    恒达路桥工程有限公司), unless an everyday word."""
    stem = term
    for suffix in _COMPANY:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[:-len(suffix)]
            break
    else:
        return []
    stems = []
    while len(stem) >= 2 and _CJK.match(stem):
        if stem not in GENERIC_PLACE_STEMS and stem not in GENERIC_PLACES and \
                zh_lexicon().get(stem, 0) < COMMON_WORD and not _admin_place(stem):
            stems.append(stem)
        trade = next((t for t in TRADE_WORDS if stem.endswith(t) and len(stem) > len(t)), None)
        if trade is None:
            break
        stem = stem[:-len(trade)]
    return stems


def _admin_place(stem: str) -> bool:
    """青山县 of 青山县供销社: a place, found as one already."""
    return stem[-1] in _ADMIN_ONE


#: Legal forms of a company, longest first.
_COMPANY = ("有限责任公司", "股份有限公司", "有限公司", "集团公司", "公司", "集团")


def place_stems(term: str) -> list[str]:
    """The name of a place without its level, said alone (青溪 of 青溪县), unless it is an
    everyday word."""
    suffix = next((x for x in sorted(PLACE_SUFFIXES, key=len, reverse=True)
                   if term.endswith(x) and len(term) > len(x)), None)
    stem = term[:-len(suffix)] if suffix else ""
    if len(stem) < 2 or stem in GENERIC_PLACE_STEMS or stem in GENERIC_PLACES or \
            not all("\u4e00" <= ch <= "\u9fff" for ch in stem):
        return []
    tag = zh_word_tag(stem)
    return [stem] if tag is None or tag in ("ns", "nr", "nrt", "nz") else []
