"""In-vivo candidates: the phrases participants say, ranked by how they recur and stand out.

**Phrases.** Respondent turns are cut into words: jieba's for Chinese (through
the study's tokenizer), for English the words as written, with contractions
and possessives whole (``can't``, ``wife's``: no tokenizer fragments).
Punctuation, numbers and time expressions, and fillers (嗯, 就是说, um) break
the stream; a phrase is 1 to 4 Chinese words of 3 to 8 characters, or 2 to 5
English words, that neither begins nor ends on a function word or a
place/unit/office word (:mod:`gtcode.coding.invivo_words`: particles,
prepositions, pronouns, auxiliaries, 县里, 监区, county) and holds a content
word; a single Chinese word needs three characters. Phrases with a courtesy
formula (谢谢你们, thank you) or an English filler pair ("you know") are left
out, and so is a phrase the interviewer says at least as often as the
respondents (interviewer turns are counted for this alone).

**Pool.** A phrase's *keyness* is ``log(p_study / p_general)``: ``p_study``
its share of the words of the respondents' turns in its language;
``p_general`` its frequency in general language (jieba's dictionary for
Chinese; for English a short list of common words, unless ``english`` gives
frequencies); a phrase no dictionary has gets a tenth of the frequency of its
rarest word, so that a combination of everyday words (有一回, "two years")
does not stand out merely for being a combination. Phrases more frequent in
the study than in general language, said at least ``min_count`` times (a whole
clause or an idiom of jieba's dictionary: once) and not codebook terms, are
candidates (a Chinese clause said once needs :data:`CLAUSE_KEYNESS`); a
phrase said mostly inside a longer candidate (at least
:data:`MAXIMAL` of its occurrences) gives way to the longer one.

**Ranking.** English candidates are ranked by a logistic model over what is
known of each (:mod:`gtcode.coding.invivo_rank`: keyness, rarity, recurrence,
how many interviews and how much one of them holds it, clause, quotation
marks, length, whether the interviewer says it, the share said in turns that
carry a code), fitted on the in-vivo tuning set only; their top is spread
out: a phrase said in one interview only loses (:data:`SPREAD`) for each
better phrase of that interview alone, and for a better phrase that holds it
or that it holds. Chinese candidates keep the formula
(:func:`gtcode.coding.invivo_rank.formula`: ``keyness x log(1 + count) x
sqrt(interviews) x sqrt(length) x weight``, idioms up, compounds of two nouns
down): on the test set the model ranked them worse (docs/benchmarks.md).
Each segment lists its
``per_segment`` best by ``count in segment x keyness``. docs/methods.md says
why.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from gtcode.coding.invivo_phrases import (  # noqa: F401 - re-exported: the public face
    example_context,
    phrase_language,
    segment_phrases,
    text_phrases,
)
from gtcode.coding.invivo_rank import FEATURES, MODEL_LANGUAGES, features, formula, probability
from gtcode.coding.invivo_words import EN_EVERYDAY, courtesy
from gtcode.coding.rules.text import CJK, Tokenizer

INVIVO_CODER = "gtcode-invivo"

#: A phrase said at least this share of its times inside a longer candidate gives way to it.
MAXIMAL = 0.75

#: Shortest idiom that is a candidate when said once.
IDIOM_CHARS = 4

#: A clause said once is a candidate with at least this keyness, or in quotation marks
#: (English: the model decides).
CLAUSE_KEYNESS = {"zh": 8.0, "en": 0.0}

#: What a candidate's score is multiplied by for each better candidate of the one
#: interview it is said in, and for a better near-duplicate (spreads the top of the list).
SPREAD = 0.7

#: Share of a two-character word's occurrences one interview must hold.
OWN_WORD = 2 / 3

#: How much rarer than its rarest word a phrase no dictionary has is taken to be.
COMBINATION = 0.1


@dataclass(frozen=True)
class Candidate:
    """A study-level in-vivo candidate with where it occurs and why it ranks."""

    phrase: str
    count: int
    segments: int
    cases: tuple[str, ...]
    score: float
    where: tuple[str, ...]
    lang: str = "zh"
    #: the interviews (sources) it is said in
    sources: tuple[str, ...] = ()
    #: how often interviewers said it
    asked: int = 0
    keyness: float = 0.0
    #: where the example is (``S01.txt#12``), its case, and the phrase there in context
    example_at: str = ""
    example: str = ""
    example_case: str = ""


@dataclass
class InvivoResult:
    """Study-level candidates (best first) and each segment's best phrases."""

    candidates: list[Candidate] = field(default_factory=list)
    per_segment: dict[int, list[tuple[str, float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class InvivoSegment:
    """What in-vivo extraction needs of a segment (``asked``: an interviewer's turn)."""

    id: int
    key: str
    case: str | None
    text: str
    asked: bool = False


class PhraseCounts:
    """The phrases of many segments, counted compactly: each phrase is kept once.

    Filled one segment at a time (:meth:`add`), in study order, by this
    process or from what worker processes counted; the order of :meth:`add`
    calls alone decides the result, so any number of workers gives the same.
    Segments keep their id, key and case, and their phrases as numbers, never
    their text. Interviewer turns add only to :attr:`asked`.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.phrases: list[str] = []
        self.parts: list[tuple[str, ...]] = []
        self.total: list[int] = []
        self.asked: Counter[str] = Counter()
        #: words of the respondents' turns, by language
        self.words: Counter[str] = Counter()
        #: phrases said as a whole clause somewhere -> whether once in quotation marks
        self.whole: dict[int, bool] = {}
        self.segments: list[tuple[int, str, str | None, array, array]] = []

    def add(self, row: PhraseRow) -> None:
        """Add one segment's phrase counts (a :func:`count_phrases` row)."""
        segment_id, key, case, asked, words, counts, parts, whole = row
        if asked:
            self.asked.update(counts)
            return
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
        self.words.update(words)
        for phrase, quoted in whole.items():
            number = self.index[phrase]
            self.whole[number] = self.whole.get(number, False) or quoted
        self.segments.append((segment_id, key, case, numbers, found))


#: A segment's phrases: (id, key, case, interviewer's turn, words by language,
#: phrase counts, the words of each phrase, its whole clauses (quoted or not)).
PhraseRow = tuple[int, str, str | None, bool, dict[str, int], Counter[str],
                  dict[str, tuple[str, ...]], dict[str, bool]]


def count_phrases(segments: Iterable[InvivoSegment], tokenize: Tokenizer,
                  progress: Callable[[int], None] | None = None,
                  tags: Mapping[str, str] | None = None) -> Iterator[PhraseRow]:
    """Each segment's phrases, one row at a time (what a worker process sends back)."""
    number = 0
    for segment in segments:
        parts: dict[str, tuple[str, ...]] = {}
        counts: Counter[str] = Counter()
        whole: dict[str, bool] = {}
        words = text_phrases(segment.text, tokenize, tags, counts, parts,
                             None if segment.asked else whole)
        lang = "zh" if CJK.search(segment.text) else "en"
        yield (segment.id, segment.key, segment.case, segment.asked, {lang: words}, counts,
               parts, whole)
        if not segment.asked:
            number += 1
            if progress:
                progress(number)


def extract_invivo(segments: Iterable[InvivoSegment], *, tokenize: Tokenizer,
                   exclude: set[str] | frozenset[str] = frozenset(), min_count: int = 2,
                   per_segment: int = 3, limit: int = 200,
                   background: Mapping[str, int] | None = None,
                   tags: Mapping[str, str] | None = None,
                   english: Callable[[str], float] | None = None,
                   progress: Callable[[int], None] | None = None,
                   coded: Collection[int] = frozenset()) -> InvivoResult:
    """Find in-vivo candidates in respondent segments.

    Args:
        segments: respondent segments, and interviewer segments marked ``asked``
            (counted only to leave out what interviewers mostly say).
        tokenize: ``tokenize(text, lang) -> [(token, start, end)]`` (Chinese).
        exclude: phrases that are already codebook terms (lower case).
        min_count: occurrences a phrase needs across the study.
        per_segment: how many phrases each segment lists.
        limit: how many study-level candidates to keep.
        background: general-language word frequencies (jieba's dictionary).
        tags: jieba's part-of-speech tag of each dictionary word.
        english: an English word's frequency in general English (None: a short
            list of common words).
        progress: called with the number of segments read so far.
        coded: the ids of the segments that carry a code (a feature of the ranker).
    """
    counted = PhraseCounts()
    for row in count_phrases(segments, tokenize, progress, tags):
        counted.add(row)
    return rank_invivo(counted, exclude=exclude, min_count=min_count, per_segment=per_segment,
                       limit=limit, background=background, english=english, tags=tags,
                       coded=coded)


def rank_invivo(counted: PhraseCounts, *, exclude: set[str] | frozenset[str] = frozenset(),
                min_count: int = 2, per_segment: int = 3, limit: int = 200,
                background: Mapping[str, int] | None = None,
                english: Callable[[str], float] | None = None,
                tags: Mapping[str, str] | None = None,
                coded: Collection[int] = frozenset()) -> InvivoResult:
    """The candidates of counted phrases (the arguments of :func:`extract_invivo`), ranked
    by :mod:`gtcode.coding.invivo_rank`'s model; ``coded``: the ids of the segments that
    carry a code."""
    keyness, rows, formulas = invivo_pool(counted, exclude=exclude, min_count=min_count,
                                          background=background, english=english, tags=tags,
                                          coded=coded)
    score = {n: probability(row) if phrase_language(counted.phrases[n]) in MODEL_LANGUAGES
             else formulas[n] for n, row in rows.items()}
    return _rank(counted, set(rows), keyness, score, per_segment, limit)


def invivo_pool(counted: PhraseCounts, *, exclude: set[str] | frozenset[str] = frozenset(),
                min_count: int = 2, background: Mapping[str, int] | None = None,
                english: Callable[[str], float] | None = None,
                tags: Mapping[str, str] | None = None, coded: Collection[int] = frozenset(),
                clause_keyness: Mapping[str, float] = CLAUSE_KEYNESS
                ) -> tuple[dict[int, float], dict[int, list[float]], dict[int, float]]:
    """The phrases that may be candidates: each one's keyness, its ranker features
    (:func:`gtcode.coding.invivo_rank.features`) and its formula score
    (:func:`gtcode.coding.invivo_rank.formula`), by phrase number (``clause_keyness``:
    the least keyness of a clause said once, by language)."""
    phrases, total, parts, asked = counted.phrases, counted.total, counted.parts, counted.asked
    general = _General(background, english)
    keyness: dict[int, float] = {}
    logp: dict[int, float] = {}
    for n, phrase in enumerate(phrases):
        count = total[n]
        once = n in counted.whole or tags is not None and _idiom(phrase, parts[n], tags)
        if count < min_count and not once or phrase in exclude or asked[phrase] >= count \
                or courtesy(phrase, parts[n]):
            continue
        lang = phrase_language(phrase)
        share = count / (counted.words[lang] or 1)
        logp[n] = general.logp(phrase, parts[n], lang)
        keyness[n] = math.log(share) - logp[n]
        if count < min_count and keyness[n] < clause_keyness[lang] and not counted.whole.get(n):
            del keyness[n]  # said once: only a clause that stands out, or a quoted one
    salient = {n for n, k in keyness.items() if k > 0}
    salient -= _everyday_pairs(counted, {n for n in salient if _pair(phrases[n], parts[n])})
    keep = _maximal(counted, salient)
    spread, in_coded = _spread(counted, keep, coded)
    rows, formulas = {}, {}
    for n in keep:
        phrase, words = phrases[n], parts[n]
        zh_tags = tags if tags and phrase_language(phrase) == "zh" else None
        idiom = bool(zh_tags) and _idiom(phrase, words, zh_tags)
        compound = bool(zh_tags) and not idiom and _compound(phrase, zh_tags)
        quoted = counted.whole.get(n, False)
        rows[n] = features(
            phrase, words, count=total[n], interviews=len(spread[n]),
            own=max(spread[n].values()) / total[n], keyness=keyness[n], general_logp=logp[n],
            clause=n in counted.whole, quoted=quoted, idiom=idiom, compound=compound,
            asked=asked[phrase], dictionary=background, tags=zh_tags,
            coded=in_coded[n] / total[n])
        formulas[n] = formula(keyness=keyness[n], count=total[n], interviews=len(spread[n]),
                              size=rows[n][FEATURES.index("size")], idiom=idiom,
                              compound=compound, quoted=quoted, once=total[n] < min_count)
    return keyness, rows, formulas


def _spread(counted: PhraseCounts, keep: set[int], coded: Collection[int]
            ) -> tuple[dict[int, Counter[str]], Counter[int]]:
    """How often each phrase of ``keep`` is said in each interview, and in all in the
    segments of ``coded``."""
    by_source: dict[int, Counter[str]] = {n: Counter() for n in keep}
    in_coded: Counter[int] = Counter()
    for segment_id, key, _case, numbers, found in counted.segments:
        is_coded = segment_id in coded
        for n, count in zip(numbers, found):
            if n in by_source:
                by_source[n][_source(key)] += count
                if is_coded:
                    in_coded[n] += count
    return by_source, in_coded


def _pair(phrase: str, words: tuple[str, ...]) -> bool:
    """A Chinese word of two characters alone (饥荒, 利是, 低保)."""
    return len(words) == 1 and len(phrase) == 2 and phrase_language(phrase) == "zh"


def _everyday_pairs(counted: PhraseCounts, pairs: set[int]) -> set[int]:
    """The two-character words of ``pairs`` that are not one speaker's own: a word of two
    characters stays a candidate only when one interview says it at least twice and
    holds at least :data:`OWN_WORD` of its occurrences (饥荒 "debt" in a north-eastern
    respondent's mouth; not 低保 or 项目, said everywhere)."""
    if not pairs:
        return set()
    by_source: dict[int, Counter[str]] = {n: Counter() for n in pairs}
    for _segment_id, key, _case, numbers, found in counted.segments:
        for n, count in zip(numbers, found):
            if n in by_source:
                by_source[n][_source(key)] += count
    return {n for n, sources in by_source.items()
            if (most := max(sources.values())) < 2 or most < OWN_WORD * counted.total[n]}


def _idiom(phrase: str, words: tuple[str, ...], tags: Mapping[str, str]) -> bool:
    """An idiom or fixed expression of jieba's dictionary (拆东墙补西墙), four characters or
    more, that is not merely two nouns (自然资源, 心得体会): a candidate even when said once."""
    if len(words) != 1 or len(phrase) < IDIOM_CHARS or tags.get(phrase) not in ("i", "l"):
        return False
    return not _compound(phrase, tags)


def _compound(phrase: str, tags: Mapping[str, str]) -> bool:
    """Whether a Chinese phrase is two nouns of two characters or more (危房改造, 高中同学):
    the name of a topic or a programme more than a participant's own turn of phrase."""
    return any(tags.get(phrase[:i]) in _NOUNS and tags.get(phrase[i:]) in _NOUNS
               for i in range(2, len(phrase) - 1))


#: jieba's tags of nouns, places, times, numerals and pronouns (the parts of a compound).
_NOUNS = frozenset("n vn nz nt ns nr j b ng an t m r f s".split())


class _General:
    """Log-probabilities of phrases in general language."""

    #: an English word with no frequency list at hand: common, or one in 50,000
    COMMON, RARE = math.log(1e-3), math.log(2e-5)
    #: the least frequency a word is given (jieba's dictionary: a count of one)
    FLOOR_EN = math.log(1e-8)

    def __init__(self, frequencies: Mapping[str, int] | None,
                 english: Callable[[str], float] | None) -> None:
        self.freq = frequencies
        self.total = sum(frequencies.values()) if frequencies else 0
        self.english = english
        self.combination = math.log(COMBINATION)

    def logp(self, phrase: str, words: tuple[str, ...], lang: str) -> float:
        if lang == "zh":
            if not self.freq:
                return self.RARE * len(words)
            if len(words) == 1 or self.freq.get(phrase, 0) > 0:
                return self._zh(phrase)
            return min(self._zh(w) for w in words) + self.combination
        rarest = min(self._en(w) for w in words)
        return rarest + (self.combination if len(words) > 1 else 0.0)

    def _zh(self, word: str) -> float:
        """A dictionary word's log frequency; a word the dictionary lacks (jieba's HMM
        made it: 我要, 识做) as likely as its characters one after the other."""
        frequency = self.freq.get(word, 0)
        if frequency > 0:
            return math.log(frequency / self.total)
        return sum(math.log((self.freq.get(ch, 0) + 1) / self.total) for ch in word)

    def _en(self, word: str) -> float:
        if self.english is not None:
            return max(math.log(self.english(word) or 1e-8), self.FLOOR_EN)
        return self.COMMON if word in EN_EVERYDAY else self.RARE


def _maximal(counted: PhraseCounts, salient: set[int]) -> set[int]:
    """The salient phrases, less those said mostly inside a longer salient phrase."""
    index, total, parts = counted.index, counted.total, counted.parts
    joiner = {n: "" if phrase_language(counted.phrases[n]) == "zh" else " " for n in salient}
    inside: Counter[int] = Counter()
    for n in salient:
        words = parts[n]
        size = len(words)
        seen = set()
        for i in range(size):
            for j in range(i + 1, size + 1):
                if j - i == size:
                    continue
                sub = index.get(joiner[n].join(words[i:j]))
                if sub is not None and sub in salient and sub not in seen:
                    seen.add(sub)
                    inside[sub] += total[n]
    return {n for n in salient if inside[n] < MAXIMAL * total[n]}


def _rank(counted: PhraseCounts, keep: set[int], keyness: dict[int, float],
          score: dict[int, float], top: int, limit: int) -> InvivoResult:
    """Each segment's best phrases, then the ``limit`` best of the study; the segments a
    candidate occurs in are gathered in a second pass, for those candidates only."""
    result = InvivoResult()
    phrases, total = counted.phrases, counted.total
    sources: dict[int, set[str]] = {n: set() for n in keep}
    for segment_id, key, _case, numbers, found in counted.segments:
        weighted = sorted(((phrases[n], c * keyness[n], n) for n, c in zip(numbers, found)
                           if n in keep), key=lambda item: (-item[1], item[0]))
        for _phrase, _weight, n in weighted:
            sources[n].add(_source(key))
        if weighted:
            result.per_segment[segment_id] = [(p, round(w, 4)) for p, w, _ in weighted[:top]]
    ranked = _best(sorted(score, key=lambda n: (-score[n], phrases[n])), score, phrases, limit,
                   sources)
    where: dict[int, list[str]] = {n: [] for n in ranked}
    cases: dict[int, set[str]] = {n: set() for n in ranked}
    first_case: dict[int, str] = {}
    for _segment_id, key, case, numbers, _found in counted.segments:
        for n in numbers:
            if n in where:
                where[n].append(key)
                first_case.setdefault(n, case or "")
                if case:
                    cases[n].add(case)
    result.candidates = [
        Candidate(phrases[n], total[n], len(where[n]), tuple(sorted(cases[n])),
                  float(f"{score[n]:.4g}"), tuple(where[n]), phrase_language(phrases[n]),
                  tuple(sorted(sources[n])), counted.asked[phrases[n]], round(keyness[n], 4),
                  example_case=first_case.get(n, ""))
        for n in ranked]
    return result


def _best(ranked: list[int], score: Mapping[int, float], phrases: list[str], limit: int,
          sources: Mapping[int, set[str]]) -> list[int]:
    """The first ``limit`` of each language (one language never crowds out the other),
    spread out: a phrase's score is multiplied by :data:`SPREAD` for each better phrase
    said only in the one interview it is said only in, and once more when it holds, or
    is held by, a better phrase of its language (a near-duplicate)."""
    taken: Counter[str] = Counter()
    by_interview: Counter[str] = Counter()
    chosen: dict[str, list[str]] = {"zh": [], "en": []}
    best: list[int] = []
    heap = [(-score[n], rank, n, 0) for rank, n in enumerate(ranked)]  # already in order
    while heap:
        _, rank, n, seen = heapq.heappop(heap)
        phrase, lang = phrases[n], phrase_language(phrases[n])
        if taken[lang] >= limit:
            continue
        interviews = sources.get(n, set())
        times = 0 if lang not in MODEL_LANGUAGES else \
            (by_interview[next(iter(interviews))] if len(interviews) == 1 else 0) \
            + _near(phrase, chosen[lang], lang)
        if times > seen:  # its score fell since it was pushed: back into the heap
            heapq.heappush(heap, (-score[n] * SPREAD ** times, rank, n, times))
            continue
        if len(interviews) == 1:
            by_interview.update(interviews)
        taken[lang] += 1
        chosen[lang].append(phrase)
        best.append(n)
    return best


def _near(phrase: str, chosen: list[str], lang: str) -> bool:
    """Whether ``phrase`` holds or is held by one of ``chosen`` (English: as whole words)."""
    if lang == "en":
        padded = f" {phrase} "
        return any(f" {other} " in padded or padded in f" {other} " for other in chosen)
    return any(other in phrase or phrase in other for other in chosen)


def _source(key: str) -> str:
    """``S01.txt`` of a segment key ``S01.txt#12``."""
    return key.rpartition("#")[0] or key

