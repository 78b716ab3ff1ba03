"""The rule coding engine: every codebook term in one Aho-Corasick automaton.

How a segment is coded
----------------------
1. The text is normalised for matching without moving any offset: lower
   case, and full-width ASCII letters and digits folded to half width.
2. One automaton holding every term of every code (``rules.terms`` and the
   ``not`` terms) scans it; each pattern maps to the codes that use it.
3. Each hit is checked against its code's boundary policy (below).
4. A code with a ``not`` term anywhere in the segment is vetoed there.
5. ``rules.regex`` patterns run only for the codes that have them.

Boundary policies (``rules.boundary``)
--------------------------------------
``aligned`` (the default)
    Chinese and other CJK terms: the hit must not straddle a word boundary.
    It may be one word or a run of whole words, or lie inside one word:
    人情 counts inside 人情世故, but not across 老人|情绪. A hit with a
    non-CJK character (punctuation, space, Latin) or the segment's edge on
    each side is aligned at once. Otherwise jieba's dictionary is asked
    whether any word crosses an edge of the hit (老人 crosses the left edge
    of 人情 in 老人情绪); only then is a small window (the CJK run around the
    hit, at most :data:`WINDOW` characters each side) segmented with jieba
    (:func:`gtcode.transcripts.nlp.tokenize`, the words of spaCy's ``zh``
    jieba segmenter) to see whether the segmenter chooses that word.
    Decisions are cached by window.
    Other terms (English): whole words only, matched case-insensitively on
    word forms, so ``bribe`` also matches ``bribes``, ``bribed``,
    ``bribing``. Word forms are lemmas from ``spacy-lookups-data`` when it
    is installed (``pip install gtcode[lemmas]``), else :func:`suffix_stem`.
``inside-word-ok``
    CJK terms: any occurrence counts (no segmentation). Other terms: the
    hit must start at a word boundary but may end inside a word (``bribe``
    in ``bribery``).
``any``
    Plain case-insensitive substring match, in every script.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import ahocorasick

from gtcode.coding.boundaries import EdgeWords, edge_words

#: Characters of CJK context taken on each side of a hit for segmentation.
WINDOW = 6
#: Bound on the boundary-decision cache (cleared when full: memory stays flat).
CACHE_SIZE = 200_000
POLICIES = ("aligned", "inside-word-ok", "any")

Tokenizer = Callable[[str, str], list[tuple[str, int, int]]]

_CJK = re.compile(r"[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f"
                  r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FOLD = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                 *range(0xFF41, 0xFF5B))}
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)*")
_HAS_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: which term matched where (offsets in the segment)."""

    term: str
    start: int
    end: int
    lang: str


@dataclass
class EngineStats:
    """Counters for reports and benchmarks."""

    hits: int = 0
    boundary_rejected: int = 0
    vetoed: int = 0
    window_checks: int = 0
    tokenizer_calls: int = 0


@dataclass(frozen=True)
class _Use:
    code: int
    veto: bool
    policy: str
    term: str
    lang: str


@dataclass
class _Pattern:
    length: int
    cjk: bool
    uses: list[_Use] = field(default_factory=list)


def is_cjk(char: str) -> bool:
    """True for a CJK ideograph (or kana/bopomofo): a character jieba segments."""
    return bool(_CJK.match(char))


def normalise_for_matching(text: str) -> str:
    """Lower-case and fold full-width ASCII, keeping every offset in place."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower()[0] if len(c.lower()) == 1 else c for c in text)
    if _FULLWIDTH_ALNUM.search(low):
        low = low.translate(_FOLD).lower()
    return low


def suffix_stem(word: str) -> str:
    """The fallback word form when no lemma table is installed.

    Applied alike to codebook terms and to transcript words, so that both
    meet in the middle. One suffix is stripped: ``-ies``/``-ied`` (to
    ``-y``), ``-ing``, ``-ed``, ``-er``, ``-es`` after s/x/z/ch/sh, or a plain
    ``-s`` (not ``-ss``/``-us``/``-is``); a doubled final consonant left
    behind is undoubled (``stopped`` -> ``stop``) and a final ``-e`` is
    dropped (``bribe``, ``bribes``, ``bribed``, ``bribing``, ``briber`` all
    give ``brib``). Words of three letters or fewer are left alone. It errs
    toward matching: ``leader`` and ``leading`` share ``lead``.
    """
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith("er") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith("es") and len(w) > 4 and (w[-3] in "sxz" or w[-4:-2] in ("ch", "sh")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        return stem[:-1]
    return stem


def load_lemma_table() -> dict[str, str] | None:
    """English word -> lemma from ``spacy-lookups-data``, or None when not installed."""
    try:
        import spacy_lookups_data  # optional extra: gtcode[lemmas]
    except ImportError:
        return None
    import gzip
    from pathlib import Path

    path = Path(str(spacy_lookups_data.en["lemma_lookup"]))
    if not path.is_file():  # 1.0.x ships the tables gzipped
        path = path.with_name(path.name + ".gz")
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    table = json.loads(data.decode("utf-8"))
    return {k.lower(): v.lower() for k, v in table.items()}


class WordForms:
    """Maps English words to the form terms and text are compared on (cached)."""

    def __init__(self, lemmas: dict[str, str] | None) -> None:
        self.lemmas = lemmas
        self.mode = "lemmas" if lemmas is not None else "suffix-stripping"
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        form = self._cache.get(word)
        if form is None:
            low = word.lower().replace("\u2019", "'")
            form = self.lemmas.get(low, low) if self.lemmas is not None else suffix_stem(low)
            if len(self._cache) < CACHE_SIZE:
                self._cache[word] = form
        return form


def _default_tokenizer() -> Tokenizer:
    from gtcode.transcripts.nlp import tokenize

    return tokenize


def _default_lexicon() -> Mapping[str, int] | None:
    """jieba's prefix dictionary (word -> frequency, 0 for mere prefixes), via nlp.py."""
    from gtcode.transcripts import nlp

    public = getattr(nlp, "zh_lexicon", None)
    if public is not None:
        return public()
    private = getattr(nlp, "_jieba", None)  # until nlp.py offers zh_lexicon()
    return private().dt.FREQ if private is not None else None


def _iter_rules(code) -> tuple[dict, dict, str, list[str]]:
    rules = getattr(code, "rules", None)
    if rules is None:
        return {}, {}, "aligned", []
    return (dict(rules.terms or {}), dict(getattr(rules, "not_", None) or {}),
            rules.boundary or "aligned", list(rules.regex or []))


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or (char >= "\u2e80" and _CJK.match(char) is not None)


_WORD_CHAR = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")


@dataclass(frozen=True)
class CodeMatch:
    """The hits of one code in one segment (what a rule coding stores as evidence)."""

    code_id: str
    hits: tuple[Hit, ...]


#: A hit as the fast path carries it: (term, start, end, lang).
RawHit = tuple[str, int, int, str]


class RuleEngine:
    """All rules of a codebook compiled once; :meth:`match` codes one segment.

    Args:
        codebook: a loaded :class:`gtcode.codebook.Codebook`.
        tokenizer: ``tokenize(text, lang) -> [(token, start, end)]`` used for
            the Chinese boundary windows (default: :mod:`gtcode.transcripts.nlp`).
        lemmas: an English word -> lemma table, ``None`` for the suffix
            fallback, or ``"auto"`` to use ``spacy-lookups-data`` when installed.

    Raises:
        GtcodeError: E202 when a ``rules.regex`` pattern does not compile.
    """

    def __init__(self, codebook, *, tokenizer: Tokenizer | None = None,
                 lemmas: dict[str, str] | None | str = "auto",
                 lexicon: Mapping[str, int] | None | str = "auto") -> None:
        self.codebook_hash: str = codebook.hash
        self.code_ids: list[str] = [code.id for code in codebook.codes]
        self.forms = WordForms(load_lemma_table() if lemmas == "auto" else lemmas)
        self.stats = EngineStats()
        self._tokenize = tokenizer
        self._edges: EdgeWords | None = None
        self._cache: dict[tuple[str, int, int], bool] = {}
        self._chars = ahocorasick.Automaton()
        self._words = ahocorasick.Automaton()
        self._char_keys: dict[str, int] = {}
        self._word_keys: dict[str, int] = {}
        self._char_patterns: list[tuple[int, bool, list[_Use], str]] = []
        self._word_patterns: list[tuple[int, int, list[_Use]]] = []
        self._regex: list[tuple[int, re.Pattern[str], str]] = []
        for index, code in enumerate(codebook.codes):
            self._add_code(index, code)
        for automaton, keys in ((self._chars, self._char_keys), (self._words, self._word_keys)):
            if keys:
                automaton.make_automaton()
        self._build_edges(lexicon)

    # -- building ----------------------------------------------------------
    def _add_code(self, index: int, code) -> None:
        from gtcode.errors import GtcodeError

        terms, nots, policy, regexes = _iter_rules(code)
        for veto, table in ((False, terms), (True, nots)):
            for lang, words in table.items():
                for term in words or ():
                    self._add_term(_Use(index, veto, policy, str(term).strip(), lang))
        for number, pattern in enumerate(regexes):
            try:
                self._regex.append((index, re.compile(pattern, re.IGNORECASE), pattern))
            except re.error as exc:
                raise GtcodeError("E202", f"code {code.id!r} has a regex that does not compile "
                                  f"({exc}).", where=f"{code.id}.rules.regex[{number}]",
                                  hint="fix the pattern, or use literal terms") from None

    def _add_term(self, use: _Use) -> None:
        if not use.term:
            return
        norm = normalise_for_matching(use.term)
        cjk = _CJK.search(norm) is not None
        words = _LATIN_WORD.findall(use.term)
        if not cjk and use.policy == "aligned" and words:
            key = " " + " ".join(self.forms(w) for w in words) + " "
            pid = self._pattern(self._words, self._word_keys, self._word_patterns, key,
                                lambda: (len(key), len(words), []))
            uses = self._word_patterns[pid][2]
        else:
            pid = self._pattern(self._chars, self._char_keys, self._char_patterns, norm,
                                lambda: (len(norm), cjk, [], norm))
            uses = self._char_patterns[pid][2]
        if not any(u.code == use.code and u.veto == use.veto for u in uses):
            uses.append(use)

    def _build_edges(self, lexicon: Mapping[str, int] | None | str) -> None:
        aligned = [key for _l, cjk, uses, key in self._char_patterns
                   if cjk and any(u.policy == "aligned" for u in uses)]
        if aligned and lexicon == "auto":
            lexicon = _default_lexicon()
        if aligned and isinstance(lexicon, Mapping):
            self._edges = edge_words(aligned, lexicon)

    @staticmethod
    def _pattern(automaton, keys: dict[str, int], patterns: list, key: str, make) -> int:
        pid = keys.get(key)
        if pid is None:
            pid = keys[key] = len(patterns)
            patterns.append(make())
            automaton.add_word(key, pid)
        return pid

    # -- matching ----------------------------------------------------------
    def match(self, text: str) -> list[CodeMatch]:
        """Code one segment: the codes that apply, in codebook order, with their hits.

        Offsets in the hits are relative to ``text``.
        """
        return [CodeMatch(self.code_ids[index], tuple(Hit(*raw) for raw in hits))
                for index, hits in self.scan(text)]

    def scan(self, text: str) -> list[tuple[int, list[RawHit]]]:
        """The fast form of :meth:`match`: (code index, raw hits) pairs."""
        return self.scan_spans(text, [(0, len(text))])[0]

    def scan_spans(self, text: str, spans: list[tuple[int, int]]
                   ) -> list[list[tuple[int, list[RawHit]]]]:
        """Code several segments of one text in one pass over it.

        Args:
            text: a whole source text.
            spans: the segments to code as (start, end), sorted and disjoint.

        Returns:
            For each span, its (code index, raw hits) pairs; offsets are into
            ``text``. A hit counts only when it lies inside one span, and each
            span is coded exactly as :meth:`scan` codes it on its own.
        """
        run = _Run(self, text, spans)
        norm = normalise_for_matching(text)
        if self._char_keys:
            patterns, take = self._char_patterns, run.take
            for end, pid in self._chars.iter(norm):
                length, cjk, uses, key = patterns[pid]
                take(uses, key if cjk else None, end + 1 - length, end + 1)
        if self._word_keys and _HAS_LATIN.search(norm):
            self._scan_words(norm, run)
        for index, regex, source in self._regex:
            run.regex(index, regex, source)
        return run.results()

    def _allowed(self, policy: str, cjk: str | None, text: str, start: int, end: int,
                 lo: int, hi: int) -> bool:
        if policy == "any":
            return True
        if cjk is not None:
            return policy != "aligned" or self._aligned_cjk(cjk, text, start, end, lo, hi)
        # a Latin term under inside-word-ok: it must begin a word
        return start == lo or _WORD_CHAR.match(text[start - 1]) is None

    def _aligned_cjk(self, term: str, text: str, start: int, end: int, lo: int,
                     hi: int) -> bool:
        before, after = text[start - 1] if start > lo else "", text[end] if end < hi else ""
        left = not before or not (_is_cjk(before) and _is_cjk(text[start]))
        right = not after or not (_is_cjk(text[end - 1]) and _is_cjk(after))
        if left and right:
            return True
        if self._edges is not None and not self._edges.crosses(
                term, text, start, end, left=not left, right=not right, lo=lo, hi=hi):
            return True
        self.stats.window_checks += 1
        first, floor = start, max(lo, start - WINDOW)
        while first > floor and _is_cjk(text[first - 1]):
            first -= 1
        last, ceiling = end, min(hi, end + WINDOW)
        while last < ceiling and _is_cjk(text[last]):
            last += 1
        key = (text[first:last], start - first, end - first)
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = self._decide(*key)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = verdict
        return verdict

    def _decide(self, window: str, start: int, end: int) -> bool:
        """False when a word of ``window`` straddles an edge of the hit."""
        if self._tokenize is None:
            self._tokenize = _default_tokenizer()
        self.stats.tokenizer_calls += 1
        for _token, a, b in self._tokenize(window, "zh"):
            if a < start < b < end or start < a < end < b:
                return False
        return True

    def _scan_words(self, norm: str, run: _Run) -> None:
        spans = [m.span() for m in _LATIN_WORD.finditer(norm)]
        forms = [self.forms(norm[a:b]) for a, b in spans]
        offsets, position = [], 1
        for form in forms:
            offsets.append(position)
            position += len(form) + 1
        joined = " " + " ".join(forms) + " "
        for end, pid in self._words.iter(joined):
            length, n_words, uses = self._word_patterns[pid]
            first = bisect.bisect_left(offsets, end + 2 - length)
            run.take(uses, None, spans[first][0], spans[first + n_words - 1][1])

    def terms(self) -> set[str]:
        """Every positive term of the codebook, normalised (for in-vivo filtering)."""
        keys = {key for _l, _c, uses, key in self._char_patterns
                if any(not u.veto for u in uses)}
        keys |= {u.term.lower() for _l, _n, uses in self._word_patterns for u in uses
                 if not u.veto}
        return keys


class _Run:
    """The state of one :meth:`RuleEngine.scan_spans` call."""

    def __init__(self, engine: RuleEngine, text: str, spans: list[tuple[int, int]]) -> None:
        self.engine, self.text, self.spans = engine, text, spans
        self.starts = [start for start, _end in spans]
        self.found: dict[int, dict[int, list[RawHit]]] = {}
        self.vetoed: dict[int, set[int]] = {}
        self.last = -1

    def locate(self, start: int, end: int) -> int:
        """Index of the span holding [start, end), or -1."""
        last = self.last
        if last >= 0 and self.starts[last] <= start and end <= self.spans[last][1]:
            return last
        i = bisect.bisect_right(self.starts, start) - 1
        if i >= 0 and end <= self.spans[i][1]:
            self.last = i
            return i
        return -1

    def take(self, uses: list[_Use], cjk: str | None, start: int, end: int) -> None:
        """Apply one hit to the codes using it (``cjk``: the CJK term, else None)."""
        i = self.locate(start, end)
        if i < 0:
            return
        engine = self.engine
        engine.stats.hits += 1
        lo, hi = self.spans[i]
        if len(uses) == 1:  # the common case: one code uses this term
            use = uses[0]
            if not engine._allowed(use.policy, cjk, self.text, start, end, lo, hi):
                engine.stats.boundary_rejected += 1
            elif use.veto:
                self.vetoed.setdefault(i, set()).add(use.code)
            else:
                self.found.setdefault(i, {}).setdefault(use.code, []).append(
                    (use.term, start, end, use.lang))
            return
        verdict: dict[str, bool] = {}
        found = None
        for use in uses:
            ok = verdict.get(use.policy)
            if ok is None:
                ok = verdict[use.policy] = engine._allowed(use.policy, cjk, self.text, start,
                                                           end, lo, hi)
            if not ok:
                engine.stats.boundary_rejected += 1
            elif use.veto:
                self.vetoed.setdefault(i, set()).add(use.code)
            else:
                if found is None:
                    found = self.found.setdefault(i, {})
                found.setdefault(use.code, []).append((use.term, start, end, use.lang))

    def regex(self, index: int, regex: re.Pattern[str], source: str) -> None:
        """Regex hits of one code; a match across spans is retried span by span."""
        retry: set[int] = set()
        for m in regex.finditer(self.text):
            if m.end() <= m.start():
                continue
            i = self.locate(m.start(), m.end())
            if i >= 0:
                self._add(i, index, (source, m.start(), m.end(), "re"))
            else:
                j = max(0, bisect.bisect_right(self.starts, m.start()) - 1)
                while j < len(self.spans) and self.spans[j][0] < m.end():
                    if m.start() < self.spans[j][1]:
                        retry.add(j)
                    j += 1
        for i in sorted(retry):
            lo, hi = self.spans[i]
            for m in regex.finditer(self.text, lo, hi):
                hit = (source, m.start(), m.end(), "re")
                if m.end() > m.start() and hit not in self.found.get(i, {}).get(index, ()):
                    self._add(i, index, hit)

    def _add(self, i: int, index: int, hit: RawHit) -> None:
        self.found.setdefault(i, {}).setdefault(index, []).append(hit)

    def results(self) -> list[list[tuple[int, list[RawHit]]]]:
        out: list[list[tuple[int, list[RawHit]]]] = [[] for _ in self.spans]
        for i, codes in self.found.items():
            vetoed = self.vetoed.get(i, ())
            for index, hits in sorted(codes.items()):
                if index in vetoed:
                    self.engine.stats.vetoed += 1
                    continue
                if len(hits) > 1:
                    hits.sort(key=lambda hit: (hit[1], hit[2], hit[0]))
                out[i].append((index, hits))
        return out


_ENCODED: dict[str, str] = {}


def _encoded(text: str) -> str:
    value = _ENCODED.get(text)
    if value is None:
        value = json.dumps(text, ensure_ascii=False)
        if len(_ENCODED) < CACHE_SIZE:
            _ENCODED[text] = value
    return value


def evidence_json(hits: Iterable[RawHit], offset: int = 0) -> str:
    """The ``evidence`` column: a JSON list of ``{term, start, end, lang}``.

    ``offset`` shifts segment-relative offsets to source offsets.
    """
    return "[" + ", ".join(
        f'{{"term": {_encoded(term)}, "start": {start + offset}, '
        f'"end": {end + offset}, "lang": {_encoded(lang)}}}'
        for term, start, end, lang in hits) + "]"
