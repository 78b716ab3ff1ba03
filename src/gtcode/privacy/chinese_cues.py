"""Chinese names and places that jieba does not tag, found by the words around them.

jieba often cuts an unknown full name into a surname and an everyday word (黎 / 光明,
沈 / 立新, 高志 / 明) and tags a little-known place as a person or a noun. These
finders look at characters on jieba's word boundaries and ask for a cue on both
sides, the way a transcript introduces someone or somewhere:

- a full name (surname and one or two characters) between a role or a pause and a
  pause or a title: 科长高志明，, 答：何永福，, 俺男人付大军，, 田国华书记;
- a place with an administrative level that jieba cut apart (原岩脚镇, 贾店镇 after
  柳河县), or a named place with a landmark suffix (红旗水库, 渔港码头, 黄河滩);
- a place after a verb of going or being (在/去/到/回) and before 人/那边/参观 ...
  (他是兴义人, 在苍溪开出租, 去寿光参观), also of words jieba cut after a numeral (九 / 龙坡).

Each find is said once with a cue; :func:`~gtcode.privacy.detect.scan` then counts
every other occurrence of the term, as ``--apply`` replaces them.
"""

from __future__ import annotations

import re

from gtcode.privacy.found import Found
from gtcode.privacy.lexicon import (
    COMPOUND_SURNAMES,
    GENERIC_PLACE_STEMS,
    GENERIC_PLACES,
    LANDMARK_SUFFIXES,
    NOT_GIVEN,
    NOT_PLACE_WORDS,
    ROLE_WORDS,
    SURNAMES,
    TITLES,
    WEAK_SURNAMES,
)
from gtcode.transcripts.nlp import zh_lexicon, zh_word_tag

#: Characters that end or begin a phrase (a pause around a name said on its own).
PAUSE = set("：:，,。.、；;“”‘’\"'（）()!！?？…—\n \t") | {""}
#: Tags of words that are no part of a name (pronouns, particles, numbers, punctuation ...).
_FUNCTION_TAGS = ("r", "p", "c", "u", "m", "q", "x", "y", "e", "o", "f", "zg")
#: Characters before a surname that make it a measure word or part of a phrase (一段, 那位).
NOT_BEFORE = set("一二两三几每那这哪某各半整")
#: Characters a given name never holds (pronouns, particles, sentence-final words).
FUNCTION_CHARS = set("您你我他她它们的了吗呢吧啊么嘛呀哦着过得地都也就还又很")
#: Words that may follow a name a role word introduced (儿子杜小兵在县里上班, 老板罗永胜说).
_AFTER_ROLE_NAME = set("在是说讲也就把跟和的去来又还都给让被对从找问")
#: A given part this frequent in jieba's dictionary, with no name tag, is an everyday word.
EVERYDAY = 5000
_ADMIN = "省市县区镇乡村"
#: Words after an administrative suffix that make it part of a title (镇长, 乡里).
_ADMIN_AFTER = set("长委政府里上下内外边干领")
_PLACE_BEFORE = ("在", "去", "到", "回", "从", "来自", "住在", "搬到", "调到", "嫁到")
_PLACE_AFTER = ("人", "那边", "这边", "一带", "附近", "参观", "开",
                "打工", "上班", "做生意", "老家", "县城", "城里")
#: 他是兴义人: 是 before a place only when 人 follows.
_HOME_BEFORE, _HOME_AFTER = ("是",), ("人",)


def _nounish(words: list[tuple[str, str, int]], index: dict[int, int], start: int,
             stop: int) -> bool:
    """Every jieba word touching ``text[start:stop]`` is a noun or a name (原岩 / 脚镇), not a
    verb or a function word (再 / 到 / 镇, 是 / 山区)."""
    k = index.get(start)
    if k is None:
        return False
    while k < len(words) and words[k][2] < stop:
        if not words[k][1].startswith(("n", "j", "b", "ng")) or words[k][1] == "nt":
            return False
        k += 1
    return True


#: A word this frequent in jieba's dictionary is an everyday word even when tagged a name
#: (明白, 玉米, 阿姨, 王道); the names of people one interviews are rare there.
COMMON_WORD = 100
#: A three-character "name" whose first two characters are this common a word is none (辛苦费).
_COMMON_HEAD = 1000


def common_head(word: str) -> bool:
    """辛苦费, 高标准: three characters whose first two are a common word that is no name."""
    head = word[:2]
    return len(word) >= 3 and zh_lexicon().get(head, 0) >= _COMMON_HEAD and \
        not (zh_word_tag(head) or "").startswith(("nr", "nz"))


def _surname_at(text: str, start: int) -> str | None:
    if text[start:start + 2] in COMPOUND_SURNAMES:
        return text[start:start + 2]
    return text[start] if start < len(text) and text[start] in SURNAMES else None


def _titled_after(text: str, end: int) -> bool:
    return any(text.startswith(title, end) for title in TITLES if len(title) >= 2)


def _given_ok(given: str) -> bool:
    if not given or not all("\u4e00" <= ch <= "\u9fff" for ch in given):
        return False
    if given[0] in NOT_GIVEN or any(ch in FUNCTION_CHARS for ch in given) or given in TITLES \
            or given[0] in TITLES:  # 杨姨都: a kin word, not a given name
        return False
    tag = zh_word_tag(given)
    return not (tag and tag.startswith(_FUNCTION_TAGS))


def cued_names(text: str, words: list[tuple[str, str, int]], bounds: set[int]) -> list[Found]:
    """Full names jieba cut apart, between a role or pause and a pause or a title."""
    found = []
    lexicon = zh_lexicon()
    for k, (word, word_tag, start) in enumerate(words):
        surname = _surname_at(text, start)
        if surname is None or text[start - 1:start] in NOT_BEFORE:
            continue
        if len(word) > len(surname) and lexicon.get(word, 0) >= COMMON_WORD and \
                not word_tag.startswith("nr"):
            continue  # the surname begins an everyday word (支书和会计)
        before = words[k - 1][0] if k else ""
        cue_before = text[start - 1:start] in PAUSE or before in ROLE_WORDS
        if text[start - 1:start] == "、" and word_tag.startswith("v"):
            cue_before = False  # 批宅基地、修门面、: a list of things done
        if surname in WEAK_SURNAMES and before not in ROLE_WORDS:
            cue_before = False  # 那时候, 和大家: only after a role word or before a title
        for size in (2, 1):
            end = start + len(surname) + size
            if end not in bounds or end > len(text):
                continue
            term, given = text[start:end], text[start + len(surname):end]
            if not _given_ok(given) or text[end:end + 1] in "某XxＸ×*＊" or (
                    surname in WEAK_SURNAMES and lexicon.get(given, 0) >= COMMON_WORD):
                continue  # 领导来检查
            tag = zh_word_tag(term)
            if (tag and not tag.startswith("nr") and lexicon.get(term, 0) > 0) or \
                    lexicon.get(term, 0) >= COMMON_WORD or common_head(term):
                continue  # a dictionary word (高标准, 田里, 辛苦费)
            everyday = lexicon.get(given, 0) >= EVERYDAY and not (
                zh_word_tag(given) or "").startswith(("nr", "nz"))
            titled = _titled_after(text, end) and not everyday and surname not in WEAK_SURNAMES
            paused = text[end:end + 1] in PAUSE or (  # 他儿子杜小兵在县里: after a role word
                before in ROLE_WORDS and surname not in WEAK_SURNAMES and
                text[end:end + 1] in _AFTER_ROLE_NAME and not everyday)
            if size == 1 and not (titled or before in ROLE_WORDS):
                continue  # a one-character given name only after a role or before a title
            if titled or (cue_before and paused):
                found.append(Found(start, end, "person", term, surname))
                break
    return found


def _place_stem_ok(stem: str) -> bool:
    if len(stem) < 2 or stem in GENERIC_PLACE_STEMS or stem in GENERIC_PLACES or \
            stem in NOT_PLACE_WORDS or any(ch in FUNCTION_CHARS for ch in stem):
        return False
    if not all("\u4e00" <= ch <= "\u9fff" for ch in stem) or stem[-1] in _UNIT_ENDS:
        return False  # 五金店, 砖厂: a kind of unit, not a place's name
    tag = zh_word_tag(stem)
    return not (tag and tag.startswith(_FUNCTION_TAGS + ("v", "d", "t", "a")))


_LANDMARK_ENDS = {suffix[-1] for suffix in LANDMARK_SUFFIXES}
_ADMIN_RUN = re.compile(f"(?<=[原在到去回从是，。：、“（\n])([\u4e00-\u9fff]{{2}})([{_ADMIN}])")


def cued_places(text: str, words: list[tuple[str, str, int]], bounds: set[int],
                places: list[Found]) -> list[Found]:
    """Places jieba cut apart or tagged as something else, found by the words around them."""
    found: list[Found] = []
    ends = {p.end for p in places}
    index = {start: k for k, (_w, _t, start) in enumerate(words)}
    for m in _ADMIN_RUN.finditer(text):  # 原岩脚镇党委书记: a level after a pause or 原/在
        if _nounish(words, index, m.start(1), m.end()):
            _found_admin(text, m.start(1), m.end(), found)
    for end in sorted(ends):  # 柳河县贾店镇: the next level right after a place
        k = index.get(end)
        if k is not None and words[k][1].startswith(("nr", "ns")) and \
                2 <= len(words[k][0]) <= 3 and text.startswith("人", end + len(words[k][0])) \
                and _place_stem_ok(words[k][0]):
            found.append(Found(end, end + len(words[k][0]), "place", words[k][0]))  # 湖南邵阳人
            continue
        for size in (2, 3):
            stop = end + size + 1
            if stop <= len(text) and text[stop - 1] in _ADMIN and end in index and \
                    _nounish(words, index, end, stop):
                _found_admin(text, end, stop, found)
                break
    for k, (word, tag, start) in enumerate(words):
        nxt = words[k + 1][0] if k + 1 < len(words) else ""
        if nxt[-1:] not in _LANDMARK_ENDS and word[-1:] not in _LANDMARK_ENDS:
            suffixes: tuple[str, ...] = ()
        else:
            suffixes = LANDMARK_SUFFIXES
        for suffix in suffixes:  # 红旗 / 水库, 黄河 / 滩, 渔港码头
            stem = ""
            if nxt == suffix:
                stem, stop = word, start + len(word) + len(suffix)
            elif word.endswith(suffix) and len(word) > len(suffix):
                stem, stop = word[:-len(suffix)], start + len(word)
            if stem and (tag.startswith(("nr", "ns", "nz")) or _place_stem_ok(stem)) and \
                    stem not in GENERIC_PLACES and stem not in GENERIC_PLACE_STEMS and \
                    len(stem) >= 2 and stop in bounds:
                found.append(Found(stop - len(stem) - len(suffix), stop, "place",
                                   text[stop - len(stem) - len(suffix):stop]))
                break
        if 2 <= len(word) <= 3 and _place_cue(text, start, start + len(word)) and \
                _named_place_word(word, tag) and _place_stem_ok(word):
            found.append(Found(start, start + len(word), "place", word))
        elif k + 1 < len(words) and text[max(0, start - 2):start].endswith(_PLACE_BEFORE):
            found.extend(_place_of_words(text, words, k))
    return found


def _place_of_words(text: str, words: list[tuple[str, str, int]], k: int) -> list[Found]:
    """去万峰林那边: a place of two or three words jieba cut apart (万 / 峰林), between a
    verb of going and 那边/参观 ..., one of them a name or a word jieba does not know."""
    start, named = words[k][2], False
    for j in range(k, min(k + 3, len(words))):
        word, tag, at = words[j]
        if not tag.startswith(_PLACE_WORD_TAGS) or tag == "nt":
            return []
        named = named or tag.startswith(("nr", "ns", "nz")) or zh_lexicon().get(word, 0) == 0
        end = at + len(word)
        if j > k and 3 <= end - start <= 4 and named and \
                text.startswith(_PLACE_AFTER, end) and _place_stem_ok(text[start:end]) and \
                zh_lexicon().get(text[start:end], 0) < COMMON_WORD:
            return [Found(start, end, "place", text[start:end])]
    return []


def _named_place_word(word: str, tag: str) -> bool:
    """A word that may name a place after 在/去 ...: a name jieba knows, or a noun it
    seldom sees (兴义); not an everyday noun (在县城开, 在支书那里, 在信用社上班)."""
    if tag.startswith(("nr", "ns", "nz")):
        return zh_lexicon().get(word, 0) < EVERYDAY
    return tag.startswith("n") and tag != "nt" and zh_lexicon().get(word, 0) < COMMON_WORD


#: Last characters of a kind of unit (五金店, 砖厂, 茶馆): no place name ends so.
_UNIT_ENDS = set("店厂馆场站所院社局队室部")
#: Tags of the words of a place name jieba cut apart (万/m 峰林/nz).
_PLACE_WORD_TAGS = ("n", "m", "j")


def _place_cue(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2):start]
    return (before.endswith(_PLACE_BEFORE) and text.startswith(_PLACE_AFTER, end)) or \
        (before.endswith(_HOME_BEFORE) and text.startswith(_HOME_AFTER, end))


def _found_admin(text: str, start: int, stop: int, found: list[Found]) -> None:
    stem = text[start:stop - 1]
    if text[stop:stop + 1] in _ADMIN_AFTER or not _place_stem_ok(stem):
        return
    if zh_lexicon().get(stem, 0) >= EVERYDAY:
        return
    found.append(Found(start, stop, "place", text[start:stop]))
