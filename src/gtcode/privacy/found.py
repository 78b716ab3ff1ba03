"""What the detector finds: one identifying term at one place in a text."""

from __future__ import annotations

from dataclasses import dataclass

#: The kinds of identifier, in the order the review file lists them.
KINDS: tuple[str, ...] = ("person", "place", "org", "phone", "id_card", "plate", "email",
                          "birth_date")
#: Bilingual labels of the kinds (review file, status, docs).
KIND_LABELS: dict[str, str] = {
    "person": "人名 person", "place": "地名 place", "org": "单位 organisation",
    "phone": "电话 phone", "id_card": "身份证号 ID card", "plate": "车牌 plate",
    "email": "邮箱 e-mail", "birth_date": "出生日期 date of birth"}
#: Kinds whose every occurrence is a number or address (recall target 0.99).
NUMBER_KINDS = frozenset({"phone", "id_card", "plate", "email", "birth_date"})


@dataclass(frozen=True, order=True)
class Found:
    """One occurrence: ``text[start:end] == term``; ``group`` links forms of one person
    (the surname for Chinese names, so 王建国, 王书记 and 老王 share a pseudonym surname)."""

    start: int
    end: int
    kind: str
    term: str
    group: str = ""


def resolve_overlaps(found: list[Found]) -> list[Found]:
    """Keep the longest of overlapping finds (leftmost on a tie), in text order."""
    ranked = sorted(found, key=lambda f: (-(f.end - f.start), f.start))
    taken: list[Found] = []
    spans: list[tuple[int, int]] = []
    for item in ranked:
        if any(item.start < end and start < item.end for start, end in spans):
            continue
        taken.append(item)
        spans.append((item.start, item.end))
    return sorted(taken)
