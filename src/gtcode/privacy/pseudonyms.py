"""Proposed pseudonyms: readable, consistent, and never a real term of the study.

- People: each surname gets a stand-in surname no candidate of the study bears,
  so every form of one person stays linked: 王建国 → 赵某, 王书记 → 赵书记,
  老王 → 老赵 (a second full name of the same surname: 赵某B). English and pinyin
  names: Person A, Mr. B.
- Places keep their level: 青山县 → 甲县, 红星村 → 乙村 (Qingshan County → County A).
- Organisations keep their kind, and a place inside keeps its pseudonym:
  青山县财政局 → 甲县财政局, 宏达建材有限公司 → A有限公司.
- Numbers and addresses are replaced by a numbered label: 〔电话1〕, [phone 1].

A term already in the key file gets its earlier pseudonym again, so a study
pseudonymised in rounds stays consistent.
"""

from __future__ import annotations

import re
import string

from gtcode.privacy.detect import Candidate
from gtcode.privacy.lexicon import ORG_SUFFIXES, PLACE_SUFFIXES, TITLES

#: Stand-in surnames and their pinyin, in the order they are handed out.
STAND_INS = (("赵", "Zhao"), ("钱", "Qian"), ("孙", "Sun"), ("李", "Li"), ("周", "Zhou"),
             ("吴", "Wu"), ("郑", "Zheng"), ("冯", "Feng"), ("陈", "Chen"), ("褚", "Chu"),
             ("卫", "Wei"), ("蒋", "Jiang"), ("沈", "Shen"), ("韩", "Han"), ("杨", "Yang"),
             ("朱", "Zhu"), ("秦", "Qin"), ("尤", "You"), ("许", "Xu"), ("何", "He"),
             ("吕", "Lü"), ("施", "Shi"), ("张", "Zhang"), ("孔", "Kong"), ("曹", "Cao"),
             ("严", "Yan"), ("华", "Hua"), ("金", "Jin"), ("魏", "Wei"), ("陶", "Tao"),
             ("姜", "Jiang"), ("戚", "Qi"), ("谢", "Xie"), ("邹", "Zou"), ("喻", "Yu"),
             ("柏", "Bai"), ("水", "Shui"), ("窦", "Dou"), ("章", "Zhang"), ("云", "Yun"))
_STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_PLACE_EN = {"省": "Province", "市": "City", "县": "County", "区": "District", "镇": "Town",
             "乡": "Township", "村": "Village", "街道": "Subdistrict", "社区": "Community",
             "自治州": "Prefecture", "自治区": "Region", "自治县": "County"}
_NUMBER_LABELS = {"phone": ("电话", "phone"), "id_card": ("身份证号", "ID number"),
                  "plate": ("车牌", "plate"), "email": ("邮箱", "e-mail"),
                  "birth_date": ("出生日期", "date of birth")}
_LATIN = re.compile(r"[A-Za-z]")


def letter(n: int) -> str:
    """A, B, ..., Z, A2, B2, ..."""
    return string.ascii_uppercase[n % 26] + (str(n // 26 + 1) if n >= 26 else "")


def stem(n: int) -> str:
    """甲, 乙, ... then 甲2 ..."""
    return _STEMS[n % len(_STEMS)] + (str(n // len(_STEMS) + 1) if n >= len(_STEMS) else "")


def propose(candidates: list[Candidate], known: dict[str, tuple[str, str]] | None = None
            ) -> None:
    """Fill in ``pseudonym`` and ``pseudonym_en`` of every candidate (in place).

    ``known``: term -> (pseudonym, pseudonym_en) from the key file, reused as is.
    """
    known = known or {}
    _people([c for c in candidates if c.kind == "person"], known)
    places = _places([c for c in candidates if c.kind == "place"], known)
    _orgs([c for c in candidates if c.kind == "org"], known, places)
    numbered: dict[str, int] = {}
    for c in candidates:
        if c.kind in _NUMBER_LABELS:
            zh, en = _NUMBER_LABELS[c.kind]
            numbered[c.kind] = numbered.get(c.kind, 0) + 1
            _set(c, known, f"〔{zh}{numbered[c.kind]}〕", f"[{en} {numbered[c.kind]}]")


def _set(c: Candidate, known: dict[str, tuple[str, str]], zh: str, en: str) -> None:
    c.pseudonym, c.pseudonym_en = known.get(c.term, (zh, en))


def _people(people: list[Candidate], known: dict[str, tuple[str, str]]) -> None:
    used = {c.group for c in people} | {c.term[0] for c in people}
    free = iter([s for s in STAND_INS if s[0] not in used])
    chinese: dict[str, tuple[str, str]] = {}
    full_names: dict[str, int] = {}
    latin: dict[str, str] = {}
    for c in people:
        if _LATIN.search(c.term):
            tag = latin.setdefault(c.group or c.term, letter(len(latin)))
            title = c.term.split()[0] if c.term.split()[0].rstrip(".") in (
                "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof") else ""
            _set(c, known, f"人物{tag}", f"{title} {tag}" if title else f"Person {tag}")
            continue
        surname = c.group or c.term[0]
        if surname not in chinese:
            chinese[surname] = next(free, ("某", "X"))
        zh, en = chinese[surname]
        rest = c.term[len(surname):] if c.term.startswith(surname) else ""
        if c.term[:1] in "老小" and c.term[1:] == surname:
            _set(c, known, c.term[0] + zh, f"{'Old' if c.term[0] == '老' else 'Young'} {en}")
        elif rest in TITLES:
            _set(c, known, zh + rest, f"{en} ({rest})")
        else:
            n = full_names[surname] = full_names.get(surname, 0) + 1
            mark = "" if n == 1 else letter(n - 1)
            _set(c, known, f"{zh}某{mark}", f"{en} X{mark}")


def _places(places: list[Candidate], known: dict[str, tuple[str, str]]) -> dict[str, str]:
    made: dict[str, str] = {}
    for n, c in enumerate(places):
        suffix = next((s for s in sorted(PLACE_SUFFIXES, key=len, reverse=True)
                       if c.term.endswith(s) and len(c.term) > len(s)), "")
        en_word = _PLACE_EN.get(suffix) or next(
            (w for w in ("County", "Village", "Town", "Township", "City", "Province",
                         "District", "Street", "Road") if c.term.endswith(w)), "Place")
        _set(c, known, stem(n) + (suffix or "地"), f"{en_word} {letter(n)}")
        made[c.term] = c.pseudonym
    return made


def _orgs(orgs: list[Candidate], known: dict[str, tuple[str, str]],
          places: dict[str, str]) -> None:
    own = 0
    for c in orgs:
        inside = next((p for p in sorted(places, key=len, reverse=True)
                       if c.term.startswith(p)), None)
        if inside:
            _set(c, known, places[inside] + c.term[len(inside):], f"Organisation {letter(own)}")
            own += 1
            continue
        suffix = next((s for s in sorted(ORG_SUFFIXES, key=len, reverse=True)
                       if c.term.endswith(s)), "单位")
        if _LATIN.search(c.term):
            suffix = "单位"
        _set(c, known, letter(own) + suffix, f"Organisation {letter(own)}")
        own += 1
