"""In-vivo candidates: salient phrases in the respondents' own words.

Respondent turns (never the interviewer's) are segmented (jieba through
spaCy's ``zh`` tokenizer for Chinese, spaCy's ``en`` tokenizer otherwise);
stop words, fillers, punctuation and numbers break the token stream; the
remaining runs give 1- to 3-grams (a Chinese single-character word or an
English word under three letters is not a phrase on its own).

Each phrase is weighed against general language: its *keyness* is
``log(p_study / p_general)``, where ``p_study`` is its share of the content
tokens of the respondents' turns and ``p_general`` its frequency in jieba's
dictionary of general Chinese (an n-gram that is not a dictionary word gets
the product of its words' frequencies; English words, and every word when no
dictionary is at hand, count as one in 100,000). Everyday words (后来, 没有)
are frequent everywhere and fall away; the respondents' own turns of phrase
stand out. A phrase is a study-level candidate when it occurs at least
``min_count`` times, is more frequent than in general language, is not
already a codebook term, and is not merely part of a longer candidate with
the same occurrences. Candidates are ranked by
``keyness x log(1 + count) x sqrt(cases)``; each segment lists its
``per_segment`` best by ``count in segment x keyness``.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from gtcode.coding.rules.text import CJK, Tokenizer

INVIVO_CODER = "gtcode-invivo"

ZH_STOP = frozenset("""
的 了 是 在 我 你 他 她 它 我们 你们 他们 她们 咱们 这 那 这个 那个 这些 那些 就 也 都 还 又 很
太 挺 吧 吗 呢 啊 呀 嘛 哦 嗯 呃 唉 哎 哈 和 与 跟 对 把 被 给 让 从 到 说 讲 就是 然后 所以
因为 但是 可是 而且 其实 反正 那么 这么 怎么 什么 为什么 一个 一些 一下 一点 一样 时候 现在
当时 以后 以前 之后 自己 大家 人家 东西 事情 觉得 知道 可能 应该 可以 还是 或者 如果 虽然
已经 比较 非常 特别 真的 确实 基本 一直 一般 这样 那样 这种 那种 这边 那边 上 下 里 中 个
们 着 过 得 地 等 吧 啦 咯 嗯嗯 对对 对对对 是的 好的 我们 就是说 那个时候 这个时候 的话 来说
之类 什么的 一种 有些 有的 有点 有时候 那时候 这时候 去 来 会 要 能 想 做 看 用 多 少 再
""".split())

EN_STOP = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves yes yeah okay ok well oh um uh like
know mean really think thing things get got go going said say says also just lot kind sort
""".split())

_JUNK = re.compile(r"^(?:[\W\d_]+|[〇零一二三四五六七八九十百千万两几半]+[年月日号岁个块元]?)$")


@dataclass(frozen=True)
class Candidate:
    """A study-level in-vivo candidate with where it occurs."""

    phrase: str
    count: int
    segments: int
    cases: tuple[str, ...]
    score: float
    where: tuple[str, ...]


@dataclass
class InvivoResult:
    """Study-level candidates (best first) and each segment's best phrases."""

    candidates: list[Candidate] = field(default_factory=list)
    per_segment: dict[int, list[tuple[str, float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class InvivoSegment:
    """What in-vivo extraction needs of a segment."""

    id: int
    key: str
    case: str | None
    text: str


def segment_phrases(text: str, tokenize: Tokenizer, max_n: int = 3,
                    parts: dict[str, tuple[str, ...]] | None = None) -> Counter[str]:
    """Count the candidate phrases (1..max_n-grams of content tokens) in ``text``.

    ``parts``, when given, collects the words each phrase is made of.
    """
    zh = CJK.search(text) is not None
    stop = ZH_STOP if zh else EN_STOP
    junk = _JUNK.match
    counts: Counter[str] = Counter()
    run: list[str] = []
    for token, _start, _end in tokenize(text, "zh" if zh else "en"):
        word = token.strip().lower()
        if word in stop or not word or junk(word):
            _count_run(run, counts, zh, max_n, parts)
            run = []
        else:
            run.append(word)
    _count_run(run, counts, zh, max_n, parts)
    return counts


def _count_run(run: list[str], counts: Counter[str], zh: bool, max_n: int,
               parts: dict[str, tuple[str, ...]] | None) -> None:
    """Count the 1..max_n-grams of one run of content words (a Chinese phrase: at most 8
    characters; a phrase of one word: at least 2 characters, an English one 3 letters)."""
    joiner, shortest, size = ("", 2, len(run)) if zh else (" ", 3, len(run))
    for i, first in enumerate(run):
        if zh and len(first) > 8:
            continue
        if len(first) >= shortest:
            counts[first] += 1
            if parts is not None and first not in parts:
                parts[first] = (first,)
        for n in range(2, min(max_n, size - i) + 1):
            phrase = joiner.join(run[i:i + n])
            if zh and len(phrase) > 8:
                break
            counts[phrase] += 1
            if parts is not None and phrase not in parts:
                parts[phrase] = tuple(run[i:i + n])


class PhraseCounts:
    """The phrases of many segments, counted compactly: each phrase is kept once.

    Filled one segment at a time (:meth:`add`), in study order, by this
    process or from what worker processes counted; the order of :meth:`add`
    calls alone decides the result, so any number of workers gives the same.
    Segments keep their id, key and case, and their phrases as numbers, never
    their text.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.phrases: list[str] = []
        self.parts: list[tuple[str, ...]] = []
        self.total: list[int] = []
        self.segments: list[tuple[int, str, str | None, array, array]] = []

    def add(self, row: PhraseRow) -> None:
        """Add one segment's phrase counts (a :func:`count_phrases` row)."""
        segment_id, key, case, counts, parts = row
        numbers, found = array("l"), array("l")
        for phrase, count in counts.items():
            number = self.index.get(phrase)
            if number is None:
                number = self.index[phrase] = len(self.phrases)
                self.phrases.append(phrase)
                self.parts.append(parts[phrase])
                self.total.append(0)
            self.total[number] += count
            numbers.append(number)
            found.append(count)
        self.segments.append((segment_id, key, case, numbers, found))


#: A segment's phrases: (id, key, case, phrase counts, the words of each phrase).
PhraseRow = tuple[int, str, str | None, Counter[str], dict[str, tuple[str, ...]]]


def count_phrases(segments: Iterable[InvivoSegment], tokenize: Tokenizer,
                  progress: Callable[[int], None] | None = None) -> Iterator[PhraseRow]:
    """Each segment's phrases, one row at a time (what a worker process sends back)."""
    for number, segment in enumerate(segments, start=1):
        parts: dict[str, tuple[str, ...]] = {}
        counts = segment_phrases(segment.text, tokenize, parts=parts)
        yield segment.id, segment.key, segment.case, counts, parts
        if progress:
            progress(number)


def extract_invivo(segments: Iterable[InvivoSegment], *, tokenize: Tokenizer,
                   exclude: set[str] | frozenset[str] = frozenset(), min_count: int = 2,
                   per_segment: int = 3, limit: int = 200,
                   background: Mapping[str, int] | None = None,
                   progress: Callable[[int], None] | None = None) -> InvivoResult:
    """Find in-vivo candidates in respondent segments.

    Args:
        segments: respondent segments (the caller leaves interviewer turns out).
        tokenize: ``tokenize(text, lang) -> [(token, start, end)]``.
        exclude: phrases that are already codebook terms (lower case).
        min_count: occurrences a phrase needs across the study.
        per_segment: how many phrases each segment lists.
        limit: how many study-level candidates to keep.
        background: general-language word frequencies (jieba's dictionary).
        progress: called with the number of segments read so far.
    """
    counted = PhraseCounts()
    for row in count_phrases(segments, tokenize, progress):
        counted.add(row)
    return rank_invivo(counted, exclude=exclude, min_count=min_count, per_segment=per_segment,
                       limit=limit, background=background)


def rank_invivo(counted: PhraseCounts, *, exclude: set[str] | frozenset[str] = frozenset(),
                min_count: int = 2, per_segment: int = 3, limit: int = 200,
                background: Mapping[str, int] | None = None) -> InvivoResult:
    """The candidates of counted phrases (the arguments of :func:`extract_invivo`)."""
    phrases, total, parts = counted.phrases, counted.total, counted.parts
    tokens = sum(c for c, words in zip(total, parts) if len(words) == 1) or 1
    general = _General(background)
    keyness = {n: math.log(total[n] / tokens) - general.logp(phrases[n], parts[n])
               for n in range(len(phrases)) if total[n] >= min_count}
    keep = _keep(phrases, total, {n for n, k in keyness.items() if k > 0}, exclude)
    return _rank(counted, keep, keyness, per_segment, limit)


class _General:
    """Log-probabilities of phrases in general language."""

    RARE = math.log(1e-5)

    def __init__(self, frequencies: Mapping[str, int] | None) -> None:
        self.freq = frequencies
        self.total = sum(frequencies.values()) if frequencies else 0

    def logp(self, phrase: str, words: tuple[str, ...]) -> float:
        if not self.freq or not CJK.search(phrase):
            return self.RARE * len(words)
        frequency = self.freq.get(phrase, 0)
        if frequency > 0:
            return math.log(frequency / self.total)
        return sum(math.log((self.freq.get(w, 0) + 1) / self.total) for w in words)


def _keep(phrases: list[str], total: list[int], salient: set[int], exclude) -> set[int]:
    """The salient phrases not excluded and not merely part of a longer one as frequent."""
    frequent = {phrases[n]: n for n in salient if phrases[n] not in exclude}
    subsumed = set()
    for phrase, number in frequent.items():
        size = len(phrase)
        for i in range(size):
            for j in range(i + 1, size + 1):
                part = frequent.get(phrase[i:j]) if j - i < size else None
                if part is not None and total[number] >= total[part]:
                    subsumed.add(part)
    return set(frequent.values()) - subsumed


def _rank(counted: PhraseCounts, keep: set[int], keyness: dict[int, float], top: int,
          limit: int) -> InvivoResult:
    """Each segment's best phrases, then the ``limit`` best of the study; the segments a
    candidate occurs in are gathered in a second pass, for those candidates only."""
    result = InvivoResult()
    phrases, total = counted.phrases, counted.total
    cases: dict[int, set[str]] = {n: set() for n in keep}
    for segment_id, _key, case, numbers, found in counted.segments:
        weighted = sorted(((phrases[n], c * keyness[n], n) for n, c in zip(numbers, found)
                           if n in keep), key=lambda item: (-item[1], item[0]))
        for _phrase, _weight, n in weighted:
            cases[n].add(case or "")
        if weighted:
            result.per_segment[segment_id] = [(p, round(w, 4)) for p, w, _ in weighted[:top]]
    # every kept phrase occurs in some segment, so its count is its total
    score = {n: keyness[n] * math.log(1 + total[n]) * math.sqrt(len(cases[n])) for n in keep}
    ranked = sorted(score, key=lambda n: (-score[n], phrases[n]))[:limit]
    where: dict[int, list[str]] = {n: [] for n in ranked}
    for _segment_id, key, _case, numbers, _found in counted.segments:
        for n in numbers:
            if n in where:
                where[n].append(key)
    result.candidates = [Candidate(phrases[n], total[n], len(where[n]),
                                   tuple(sorted(c for c in cases[n] if c)), round(score[n], 4),
                                   tuple(where[n])) for n in ranked]
    return result
