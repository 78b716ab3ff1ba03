"""Representative quotes (代表性语句): chosen by a documented rule, overridable.

The rule (:data:`RULE`), for a code or a pair of codes:

1. Candidates are the counted segments coded with the code or any code
   beneath it (for a pair: coded under both).
2. Segments in the table's language come first (a Chinese table quotes
   Chinese interviews while there are any); then segments on which two or
   more coders agree (the rules and people alike: each coder whose counted
   coding carries the code) before those only one coder coded; within that,
   segments not yet quoted (in this table, or in the other tables and the
   report built with it) before ones already quoted, so a quote is reused
   only when no other equally agreed one is left; then more agreeing coders;
   then a human-accepted coding; then the most distinct rule-evidence terms
   of the code's subtree; then the shortest; then collection order.
3. One segment per case before any case repeats; at most ``limit``.
4. Overrides the researcher stored (``gtcode selective STUDY --quote
   resource=S03.txt#12``) come first, in the order given, and count toward
   the limit.
5. A segment longer than ``max_chars`` is cut to the sentence(s) holding the
   most evidence terms, marked with …… where text was left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from gtcode.coding.axial import CodedStudy

RULE = ("Representative quotes: segments coded under the category (for a relation: under both "
        "categories); segments in the table's language first, then ones two or more coders "
        "agree on (rules and people alike) before ones a single coder coded, then ones not yet "
        "quoted in these tables (a quote is reused only when no equally agreed one is left), "
        "then more agreeing coders, then human-accepted codings, then most distinct "
        "rule-evidence terms, then shortest, then collection order; one per case before a case "
        "repeats; overrides set with `gtcode selective --quote` come first; long turns are cut "
        "to the sentences with the most evidence terms (……).")
RULE_ZH = ("代表性语句的选取规则：取编码于该范畴（关系则为两范畴同时编码）的受访者片段；与表格同语言的访谈优先；"
           "两位及以上编码者（规则与人工均计）一致编码的片段优先于仅一位编码者编码的片段；其次为各表尚未引用过的语句"
           "（只有在没有同等一致的其他语句时才重复引用）；再依次为一致编码者更多者、人工确认者、命中规则证据词最多者、"
           "较短者，最后按访谈顺序；每名受访者先取一句，再重复；研究者用 `gtcode selective --quote` 指定的语句优先；"
           "过长的话轮截取证据词最集中的句子（以“……”标示删节）。")
DEFAULT_LIMIT = 2
MAX_CHARS = 80
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# sentence ends: 。！？!?；; (a speaker's …… is a pause, not an end) and ". " in Latin text
_SENTENCE = re.compile(r"[^。！？!?；;\n]+?(?:[。！？!?；;]+[”’\"']?|\.(?=\s)|$)|\n+")


@dataclass(frozen=True)
class Quote:
    """A quote with where it comes from."""

    case: str
    source: str
    segment: int
    segment_id: int
    text: str
    terms: tuple[str, ...]
    human: bool
    override: bool = False
    #: where the transcript shows it: its line, and its timestamp when the transcript has one
    line: int | None = None
    time: str | None = None

    def where(self, lang: str = "zh") -> str:
        """``S03，00:12:31`` or ``S03，第15行`` (``S03, line 15`` in English)."""
        sep = ", " if lang == "en" else "，"
        if self.time:
            return f"{self.case}{sep}{self.time}"
        if self.line:
            return f"{self.case}{sep}" + (f"line {self.line}" if lang == "en" else f"第{self.line}行")
        return self.case

    def cite(self, lang: str = "zh") -> str:
        """``“…”（S03，00:12:31）`` in Chinese, ``"…" (S03, line 15)`` in English."""
        if lang == "en":
            return f"\u201c{self.text}\u201d ({self.where(lang)})"
        return f"\u201c{self.text}\u201d（{self.where(lang)}）"


def choose_quotes(data: CodedStudy, codes: Sequence[str], *, limit: int = DEFAULT_LIMIT,
                  overrides: Sequence[int] = (), max_chars: int = MAX_CHARS,
                  lang: str | None = None, avoid: Iterable[int] = ()) -> list[Quote]:
    """Representative quotes for one code (``[code]``) or a pair (``[a, b]``), by :data:`RULE`.

    ``lang`` is the table's language (its interviews are preferred); ``avoid``
    holds segment ids already quoted (used only when no other segment as
    widely agreed on is left).
    """
    subtrees = [set(data.hierarchy.below(c)) if c in data.hierarchy.nodes else {c}
                for c in codes]
    found = data.derived(("quote candidates", *map(frozenset, subtrees)),
                         lambda: _candidates(data, subtrees))
    chosen = [_quote(data, seg_id, found.get(data, seg_id), subtrees, max_chars, override=True)
              for seg_id in overrides if seg_id in data.texts]
    taken = {q.segment_id for q in chosen}
    ranked = found.ranked(data, lang, taken, avoid)
    for repeat in (False, True):
        cases = {q.case for q in chosen}
        for seg_id in ranked:
            if len(chosen) >= limit:
                return chosen
            case = data.segment(seg_id).case
            if seg_id not in taken and (repeat or case not in cases):
                chosen.append(_quote(data, seg_id, found.get(data, seg_id), subtrees,
                                     max_chars))
                taken.add(seg_id)
                cases.add(case)
    return chosen[:max(limit, len(overrides))]


def _language(code: str | None) -> str:
    return "en" if (code or "").startswith("en") else "zh"


@dataclass(frozen=True)
class _Candidate:
    """A segment coded under every subtree: how many coders agree, a human among them,
    its evidence terms."""

    agreed: int
    human: bool
    terms: frozenset[str]


@dataclass(frozen=True)
class _Candidates:
    """The segments coded under every subtree, as columns (ascending segment id)."""

    segment: np.ndarray
    agreed: np.ndarray
    human: np.ndarray
    terms: np.ndarray
    #: reference rows (of ``data.columns``) coded under any subtree
    rows: np.ndarray

    def get(self, data: CodedStudy, seg_id: int) -> _Candidate | None:
        at = int(np.searchsorted(self.segment, seg_id))
        if at == len(self.segment) or self.segment[at] != seg_id:
            return None
        cols = data.columns
        terms = {term for i in self.rows[cols.segment[self.rows] == seg_id]
                 for term in data.evidence.get((seg_id, cols.codes[cols.code[i]]), ())}
        return _Candidate(int(self.agreed[at]), bool(self.human[at]), frozenset(terms))

    def ranked(self, data: CodedStudy, lang: str | None, taken: set[int],
               avoid: Iterable[int]) -> list[int]:
        """Segment ids not ``taken``, in the order of :data:`RULE` (step 2)."""
        keep = ~np.isin(self.segment, np.fromiter(taken, dtype=np.int64, count=len(taken)))
        seg, agreed = self.segment[keep], self.agreed[keep]
        avoided = np.isin(seg, np.fromiter(set(avoid), dtype=np.int64))
        english, (ids, lengths) = _segment_facts(data)
        if lang in ("zh", "en"):  # the table's language first
            other = np.isin(seg, english) != (lang == "en")
        else:
            other = np.full(len(seg), bool(lang))
        at = np.searchsorted(ids, seg)
        found = at < len(ids)
        found[found] &= ids[at[found]] == seg[found]
        length = np.zeros(len(seg), dtype=np.int64)
        length[found] = lengths[at[found]]
        order = np.lexsort((seg, length, -self.terms[keep], ~self.human[keep], -agreed,
                            avoided, agreed < 2, other))
        return seg[order].tolist()


def _segment_facts(data: CodedStudy) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Ids of English segments, and (ids, text lengths) of the segments with text."""
    def build():
        english = np.array(sorted(s.id for s in data.segments
                                  if _language(s.language) == "en"), dtype=np.int64)
        ids = np.array(sorted(data.texts), dtype=np.int64)
        return english, (ids, np.array([len(data.texts[i]) for i in ids.tolist()],
                                       dtype=np.int64))
    return data.derived("quote segment facts", build)


def _candidates(data: CodedStudy, subtrees: list[set[str]]) -> _Candidates:
    """The segments coded under every subtree.

    ``agreed`` counts the coders whose counted codings put the segment under
    the code (for a pair: the fewer of the two); ``human`` says a human-accepted
    coding is among the references under any subtree; ``terms`` counts the
    distinct rule-evidence terms of those references.
    """
    cols = data.columns
    masks = [cols.code_mask(subtree) for subtree in subtrees]
    rows = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)
    segments = np.unique(cols.segment[rows])
    agreed = np.full(len(segments), np.iinfo(np.int64).max, dtype=np.int64)
    for mask in masks:  # distinct (segment, coder) pairs under the subtree, per segment
        pairs = mask[cols.coder_ref]
        at = np.searchsorted(segments, cols.segment[cols.coder_ref[pairs]])
        distinct = np.unique(at * (int(cols.coder.max(initial=0)) + 1) + cols.coder[pairs])
        agreed = np.minimum(agreed, np.bincount(
            distinct // (int(cols.coder.max(initial=0)) + 1), minlength=len(segments)))
    human = np.zeros(len(segments), dtype=bool)
    human[np.searchsorted(segments, cols.segment[rows[cols.human[rows]]])] = True
    terms = _term_counts(data, rows, segments)
    chosen = agreed > 0
    return _Candidates(segments[chosen], agreed[chosen], human[chosen], terms[chosen], rows)


def _term_counts(data: CodedStudy, rows: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Distinct evidence terms of the references ``rows``, per segment of ``segments``."""
    ref, term = _evidence_columns(data)
    picked = np.isin(ref, rows)
    at = np.searchsorted(segments, data.columns.segment[ref[picked]])
    width = int(term.max(initial=0)) + 1
    distinct = np.unique(at * width + term[picked])
    return np.bincount(distinct // width, minlength=len(segments))


def _evidence_columns(data: CodedStudy) -> tuple[np.ndarray, np.ndarray]:
    """(reference row, term number) of every rule-evidence term of every reference."""
    def build():
        numbers: dict[str, int] = {}
        pairs = [(row, numbers.setdefault(term, len(numbers)))
                 for row, ref in enumerate(data.references)
                 for term in data.evidence.get((ref.segment_id, ref.code), ())]
        if not pairs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ref, term = zip(*pairs, strict=True)
        return np.array(ref, dtype=np.int64), np.array(term, dtype=np.int64)
    return data.derived("evidence columns", build)


def _quote(data: CodedStudy, seg_id: int, found: _Candidate | None,
           subtrees: list[set[str]], max_chars: int, *, override: bool = False) -> Quote:
    seg = data.segment(seg_id)
    human, terms = (found.human, set(found.terms)) if found else (False, set())
    if not terms:
        terms = {t for code, ts in data.evidence_by_segment.get(seg_id, ())
                 if any(code in sub for sub in subtrees) for t in ts}
    text = excerpt(data.texts.get(seg_id, ""), sorted(terms), max_chars)
    return Quote(seg.case, seg.source, seg.idx, seg_id, text, tuple(sorted(terms)), human,
                 override, seg.line)


def excerpt(text: str, terms: Iterable[str], max_chars: int = MAX_CHARS) -> str:
    """``text`` (whitespace tidied), cut to its most term-dense sentences when too long."""
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    if not _CJK_CHAR.search(text):
        max_chars *= 2  # Latin script: a character says less, so allow more of them
    if len(text) <= max_chars:
        return text
    sentences = [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    terms = [t for t in terms if t]
    score = [sum(1 for t in terms if t.lower() in s.lower()) for s in sentences]
    best = max(range(len(sentences)),
               key=lambda i: (score[i], len(sentences[i]) <= max_chars, -i)) if sentences else 0
    lo = hi = best
    length = len(sentences[best]) if sentences else 0
    grew = True
    while grew:  # add context a sentence at a time, after then before, while it fits
        grew = False
        if hi + 1 < len(sentences) and length + len(sentences[hi + 1]) <= max_chars:
            hi, length, grew = hi + 1, length + len(sentences[hi + 1]), True
        if lo > 0 and length + len(sentences[lo - 1]) <= max_chars:
            lo, length, grew = lo - 1, length + len(sentences[lo - 1]), True
    body = "".join(sentences[lo:hi + 1]).strip() if sentences else text
    cut_start, cut_end = lo > 0, hi < len(sentences) - 1
    if len(body) > max_chars:
        window = _window(body, terms, max_chars)
        cut_start = cut_start or not body.startswith(window)
        cut_end = cut_end or not body.endswith(window)
        body = window
    return ("……" if cut_start else "") + body + ("……" if cut_end else "")


def _window(text: str, terms: list[str], max_chars: int) -> str:
    positions = [text.lower().find(t.lower()) for t in terms]
    first = min((p for p in positions if p >= 0), default=0)
    start = max(0, min(first - max_chars // 3, len(text) - max_chars))
    end = start + max_chars
    if start and text[start - 1].isalnum() and text[start].isascii():
        start = _word_edge(text, start, forward=True)
    if end < len(text) and text[end].isalnum() and text[end - 1].isascii():
        end = _word_edge(text, end, forward=False)
    return text[start:end].strip()


def _word_edge(text: str, at: int, *, forward: bool) -> int:
    """Move ``at`` to the nearest space so a Latin word is not cut in half."""
    space = text.find(" ", at) if forward else text.rfind(" ", 0, at)
    return space + (1 if forward else 0) if space != -1 else at
