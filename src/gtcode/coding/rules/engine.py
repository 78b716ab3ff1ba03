"""The rule coding engine: every codebook term in one Aho-Corasick automaton.

How a segment is coded
----------------------
1. The text is normalised for matching without moving any offset: lower
   case, and full-width ASCII letters and digits folded to half width.
2. One automaton holding every term of every code (``rules.terms`` and the
   ``not`` terms) scans it; each pattern maps to the codes that use it.
3. Each hit is checked against its code's boundary policy (below).
4. A code with a ``not`` term anywhere in the segment is vetoed there; with
   ``not_scope: sentence`` only its hits in that term's sentence are.
5. A ``near`` term counts only when one of its context words occurs in the
   same sentence (or within so many characters), in the same segment.
6. ``rules.regex`` patterns run only for the codes that have them.

Steps 4 and 5 look at the text only where the hits concerned are. A near
term is a hit like any other, except that it waits (:attr:`Run.pending`);
context words are not in the automaton at all, but are looked for only in a
segment that holds a waiting near term, once per list of context words
(:class:`gtcode.coding.rules.scan.ContextWords`), in :meth:`Run.codings`.
Sentence-scoped ``not`` terms take the general path of :meth:`Run.take_at`
and keep their positions. Rules that use neither feature cost nothing.

Speed (see ``docs/benchmarks.md``): a whole source text is scanned once and
its hits are walked segment by segment (:mod:`gtcode.coding.rules.scan`);
the automaton reads a folded, two-level form of the text
(:mod:`gtcode.coding.rules.matcher`); and a term used by one code is decided from
a precomputed entry, so that most hits cost a tuple look-up and a set test.

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
    A hit followed by an A-not-B question on its own last characters
    (关系好|不好) is judged on its left edge only. Decisions are cached by
    window. With jieba's own segmenter and
    dictionary (the default), nearly every window is decided on jieba's
    route of dictionary words (:mod:`gtcode.coding.rules.windows`), with the
    same verdict as a full segmentation at about half the cost.
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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ahocorasick
import regex

from gtcode.coding.rules.boundaries import EdgeWords, edge_words
from gtcode.coding.rules.lexicon import (
    default_lexicon,
    default_lexicon_fingerprint,
    default_tokenizer,
    default_word_frequency,
)
from gtcode.coding.rules.matcher import Matcher, code_points
from gtcode.coding.rules.regex_gate import required_literals, starts_with_latin_letter
from gtcode.coding.rules.scan import REGEX_SECONDS, ContextWords, RawHit, Run
from gtcode.coding.rules.text import (
    CJK,
    CJK_PAIR,
    CJK_RUN,
    CJK_RUN_TO_END,
    LATIN_WORD,
    WORD_CHAR,
    CodeMatch,
    EngineStats,
    Hit,
    Tokenizer,
    asks_a_not_b,
    fold_variants,
    latin_inside,
    latin_key,
    normalise_for_matching,
)
from gtcode.coding.rules.windows import RouteDecider, default_route_decider
from gtcode.coding.rules.wordforms import CACHE_SIZE, WordForms, load_lemma_table

#: Characters of CJK context taken on each side of a hit for segmentation.
WINDOW = 6
POLICIES = ("aligned", "inside-word-ok", "any")


@dataclass(frozen=True)
class _Use:
    code: int
    veto: bool
    policy: str
    term: str
    lang: str
    #: The near rule (an index into ``RuleEngine.near``) of a near term.
    group: int = -1


def _iter_rules(code) -> tuple[dict, dict, str, list[str], list, str]:
    rules = getattr(code, "rules", None)
    if rules is None:
        return {}, {}, "aligned", [], [], "segment"
    return (dict(rules.terms or {}), dict(getattr(rules, "not_", None) or {}),
            rules.boundary or "aligned", list(rules.regex or []),
            list(getattr(rules, "near", None) or []), getattr(rules, "not_scope", "segment"))


class RuleEngine:
    """All rules of a codebook compiled once; :meth:`match` codes one segment.

    Args:
        codebook: a loaded :class:`gtcode.codebook.Codebook`.
        tokenizer: ``tokenize(text, lang) -> [(token, start, end)]`` used for
            the Chinese boundary windows (default: :mod:`gtcode.transcripts.nlp`).
        lemmas: an English word -> lemma table, ``None`` for the suffix
            fallback, or ``"auto"`` to use ``spacy-lookups-data`` when installed.
        lexicon: word -> frequency for the boundary pre-check (0 marks a mere
            prefix), ``None`` to segment every inner hit, or ``"auto"`` for
            jieba's dictionary (loaded only when an aligned Chinese term exists).
        regex_seconds: how long a ``rules.regex`` pattern may run on one segment
            before coding stops with E204 (it backtracks catastrophically).

    Raises:
        GtcodeError: E202 when a ``rules.regex`` pattern does not compile.
    """

    def __init__(self, codebook, *, tokenizer: Tokenizer | None = None,
                 lemmas: dict[str, str] | None | str = "auto",
                 lexicon: Mapping[str, int] | None | str = "auto",
                 regex_seconds: float = REGEX_SECONDS) -> None:
        self.codebook_hash: str = codebook.hash
        self.code_ids: list[str] = [code.id for code in codebook.codes]
        self.forms = WordForms(load_lemma_table() if lemmas == "auto" else lemmas)
        self.stats = EngineStats()
        self._tokenize = tokenizer
        self._lexicon_wanted = lexicon  # word frequencies for the regex gate
        # jieba's route decides most windows when both segmenter and lexicon are jieba's
        self._route: RouteDecider | None = None
        self._route_pending = tokenizer is None and lexicon == "auto"
        self._edges: EdgeWords | None = None
        self._cache: dict[tuple[str, int, int], bool] = {}
        self._words = ahocorasick.Automaton()
        self._char_keys: dict[str, int] = {}
        self._word_keys: dict[str, int] = {}
        self._char_patterns: list[tuple[int, bool, list[_Use], str]] = []
        self._word_patterns: list[tuple[int, int, list[_Use]]] = []
        # (code index, compiled (the regex module: its matching can be stopped), source,
        #  whether every match begins with a Latin letter, strings one of which every
        #  match contains, its number in the code's rules.regex)
        self._regex: list[tuple[int, regex.Pattern, str, bool, tuple[str, ...] | None,
                                int]] = []
        #: Seconds a regex may take on one segment (see :class:`scan.RegexTimeout`).
        self.regex_seconds = regex_seconds
        #: Per near rule: (code index, characters allowed between term and context word,
        #: None for the same sentence, its context words).
        self.near: list[tuple[int, int | None, ContextWords]] = []
        self._contexts: dict[tuple, ContextWords] = {}  # one matcher per list of words
        #: Codes whose ``not`` terms veto only the hits in their own sentence.
        self.sentence_vetoes: set[int] = set()
        for index, code in enumerate(codebook.codes):
            self._add_code(index, code)
        self._triggers = self._add_triggers()
        for key, pid in self._word_keys.items():
            self._words.add_word(key, pid)
        if self._word_keys:
            self._words.make_automaton()
        self._compile_chars(lexicon)

    # -- building ----------------------------------------------------------
    def _add_code(self, index: int, code) -> None:
        from gtcode.errors import GtcodeError

        terms, nots, policy, regexes, near, not_scope = _iter_rules(code)
        if not_scope == "sentence":
            self.sentence_vetoes.add(index)
        for veto, table in ((False, terms), (True, nots)):
            for lang, words in table.items():
                for term in words or ():
                    self._add_term(_Use(index, veto, policy, str(term).strip(), lang))
        for rule in near:
            group = len(self.near)
            self.near.append((index, None if rule.within == "sentence" else int(rule.within),
                              self._context_words(rule.context)))
            for lang, words in rule.terms.items():
                for term in words or ():
                    self._add_term(_Use(index, False, policy, str(term).strip(), lang, group))
        for number, pattern in enumerate(regexes):
            try:
                self._regex.append((index, regex.compile(pattern, regex.IGNORECASE | regex.V0),
                                    pattern, starts_with_latin_letter(pattern),
                                    required_literals(pattern,
                                                      frequency=self._word_frequency(pattern)),
                                    number))
            except (re.error, regex.error) as exc:
                raise GtcodeError("E202", f"code {code.id!r} has a regex that does not compile "
                                  f"({exc}).", where=f"{code.id}.rules.regex[{number}]",
                                  hint="fix the pattern, or use literal terms") from None

    def _word_frequency(self, pattern: str) -> Callable[[str], float] | None:
        """How common a string is in text, to gate a Chinese regex on its rarest literals
        (jieba's frequencies; None without a lexicon or for a pattern with no CJK)."""
        if not CJK.search(pattern):
            return None
        if self._lexicon_wanted == "auto":
            return default_word_frequency()
        if not isinstance(self._lexicon_wanted, Mapping):
            return None
        words = self._lexicon_wanted
        return lambda string: words.get(string) or 0

    def _context_words(self, table: Mapping[str, list[str]]) -> ContextWords:
        key = tuple(sorted((lang, tuple(words)) for lang, words in table.items()))
        found = self._contexts.get(key)
        if found is None:
            words = [str(term).strip() for terms in table.values() for term in terms or ()]
            found = self._contexts[key] = ContextWords(
                [w for w in words if w], normalise=normalise_for_matching, forms=self.forms,
                is_latin=latin_key, latin_word=LATIN_WORD)
        return found

    def _add_term(self, use: _Use) -> None:
        if not use.term:
            return
        norm = normalise_for_matching(use.term)
        cjk = CJK.search(norm) is not None
        words = LATIN_WORD.findall(use.term)
        if not cjk and use.policy == "aligned" and words:
            key = " " + " ".join(self.forms(w) for w in words) + " "
            pid = self._pattern(self._word_keys, self._word_patterns, key,
                                lambda: (len(key), len(words), []))
            uses = self._word_patterns[pid][2]
        else:
            pid = self._pattern(self._char_keys, self._char_patterns, norm,
                                lambda: (len(norm), cjk, [], norm))
            uses = self._char_patterns[pid][2]
        if not any((u.code, u.veto, u.group) == (use.code, use.veto, use.group)
                   for u in uses):
            uses.append(use)

    @staticmethod
    def _pattern(keys: dict[str, int], patterns: list, key: str, make) -> int:
        pid = keys.get(key)
        if pid is None:
            pid = keys[key] = len(patterns)
            patterns.append(make())
        return pid

    def _add_triggers(self) -> dict[int, tuple[int, ...]]:
        """Pattern id -> the regexes whose required literals it is (see :mod:`regex_gate`).

        A regex with required literals runs on a text only when the automaton
        saw one of them inside a segment; a literal that is no term becomes a
        pattern of its own, used by no code.
        """
        triggers: dict[int, list[int]] = {}
        for number, (*_rest, needs, _place) in enumerate(self._regex):
            for literal in needs or ():
                key = normalise_for_matching(literal)
                pid = self._pattern(self._char_keys, self._char_patterns, key,
                                    lambda key=key: (len(key), CJK.search(key) is not None,
                                                     [], key))
                triggers.setdefault(pid, []).append(number)
        return {pid: tuple(numbers) for pid, numbers in triggers.items()}

    def _compile_chars(self, lexicon: Mapping[str, int] | None | str) -> None:
        """The character automaton, jieba's edge words, and one entry per pattern."""
        aligned = [key for _l, cjk, uses, key in self._char_patterns
                   if cjk and any(u.policy == "aligned" for u in uses)]
        frequency = None
        if aligned and lexicon == "auto":  # jieba's dictionary is loaded only to build the index
            self._edges = edge_words(aligned, default_lexicon,
                                     fingerprint=default_lexicon_fingerprint())
            frequency = default_word_frequency()
        elif aligned and isinstance(lexicon, Mapping):
            self._edges = edge_words(aligned, lexicon)
            frequency = lambda char: lexicon.get(char, 0)  # noqa: E731
        keys = [(key, pid) for pid, (*_rest, key) in enumerate(self._char_patterns)]
        variants = fold_variants({char for key, _pid in keys for char in key})
        self._matcher = Matcher(keys, frequency, variants)
        # the automaton reads the text as it is when its fold does the normalising
        self._reads_raw = self._matcher.folds_variants
        self._entries = [(*self._entry(*pattern), self._triggers.get(pid))
                         for pid, pattern in enumerate(self._char_patterns)]

    def _entry(self, length: int, cjk: bool, uses: list[_Use], key: str) -> tuple:
        """What :meth:`Run.chars` needs to decide a hit of one pattern.

        (length, code, veto, term, lang, CJK key, left, right, general), to
        which the regexes it triggers are added: ``left``/``right`` map the
        characters next to the term that may start a dictionary word crossing
        its edge (None: no boundary check at all); ``general`` is the list of
        uses when the hit needs the general path (several codes or policies
        on one term, or a Latin term that must begin a word, or no lexicon),
        else None. Code -2: a regex trigger that no code uses. ``veto`` is True
        for a not term and a one-tuple (its near rule) for a near term, which
        waits for its context words. Sentence-scoped not terms always take the
        general path.
        """
        cjk_key = key if cjk else None
        if not uses:
            return (length, -2, False, "", "", cjk_key, None, None, None)
        if len(uses) == 1 and not (uses[0].veto and uses[0].code in self.sentence_vetoes):
            use = uses[0]
            # ``veto`` of the entry: True for a not term, (near rule,) for a near term
            flag = (use.group,) if use.group >= 0 else use.veto
            head = (length, use.code, flag, use.term, use.lang, cjk_key)
            if use.policy == "any" or (cjk and use.policy == "inside-word-ok"):
                return (*head, None, None, None)
            if cjk and use.policy == "aligned" and self._edges is not None:
                return (*head, *self._edges.touching(key), None)
        return (length, -1, False, "", "", cjk_key, None, None, uses)

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
        return self._run(text, spans).results()

    def codings(self, text: str, spans: list[tuple[int, int]]
                ) -> list[tuple[int, int, list[RawHit]]]:
        """:meth:`scan_spans` as a flat list: (span index, code index, raw hits) of
        every coding, by span and then code (the form open coding stores)."""
        return self._run(text, spans).codings()

    def _run(self, text: str, spans: list[tuple[int, int]]) -> Run:
        run = Run(self, text, spans)
        if not spans:
            return run
        norm = None if self._reads_raw else normalise_for_matching(text)
        codes = code_points(text if norm is None else norm)
        if self._matcher.size:
            run.chars(codes, norm)
        latin = None  # whether a Latin letter lies in a segment: asked at most once
        if self._word_keys:
            latin = latin_inside(codes, run)
            if latin:
                self._scan_words(normalise_for_matching(text) if norm is None else norm, run)
        for number, (index, compiled, source, latin_only, needs, place) in enumerate(
                self._regex):
            if latin_only:  # an English pattern: skipped when no segment holds a Latin letter
                if latin is None:
                    latin = latin_inside(codes, run)
                if not latin:
                    continue
            if needs is None or number in run.triggered:
                run.regex(index, compiled, source, place)
        return run

    def _allowed(self, policy: str, cjk: str | None, text: str, start: int, end: int,
                 lo: int, hi: int) -> bool:
        if policy == "any":
            return True
        if cjk is not None:
            return policy != "aligned" or self._aligned_cjk(cjk, text, start, end, lo, hi)
        # a Latin term under inside-word-ok: it must begin a word
        return start == lo or WORD_CHAR.match(text[start - 1]) is None

    def _aligned_cjk(self, term: str, text: str, start: int, end: int, lo: int,
                     hi: int) -> bool:
        # an edge needs a look only between two CJK characters inside the segment
        left = start > lo and CJK_PAIR.match(text, start - 1) is not None
        right = end < hi and CJK_PAIR.match(text, end - 1) is not None
        if not (left or right):
            return True
        if self._edges is not None and not self._edges.crosses(
                term, text, start, end, left=left, right=right, lo=lo, hi=hi):
            return True
        return self._window_verdict(text, start, end, lo, hi)

    def _aligned_near(self, term: str, text: str, start: int, end: int, lo: int, hi: int,
                      before: dict[str, tuple[str, ...]],
                      after: dict[str, tuple[str, ...]]) -> bool:
        """:meth:`_aligned_cjk` for the fast path, from the term's :meth:`EdgeWords.touching`.

        Only the heads and tails that have the actual neighbouring character
        next to the term are compared with the text.
        """
        heads = before.get(text[start - 1]) if start > lo else None
        if heads and CJK_PAIR.match(text, start - 1) is not None:
            for head in heads:
                if len(head) > start - lo:
                    break
                if text.startswith(head, start - len(head)):
                    return self._window_verdict(text, start, end, lo, hi)
        tails = after.get(text[end]) if end < hi else None
        if tails and CJK_PAIR.match(text, end - 1) is not None:
            for tail in tails:
                if len(tail) > hi - end:
                    break
                if text.startswith(tail, end):
                    return self._window_verdict(text, start, end, lo, hi)
        return True

    def _window_verdict(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Segment the CJK run around the hit (at most WINDOW characters each side).

        A hit followed by an A-not-B question on its own last characters
        (关系好|不好, 送得多|不多, 好使|不好使) is judged on its left edge only:
        the segmenter takes 好不好 as one word, but the question is about the
        term.
        """
        self.stats.window_checks += 1
        if asks_a_not_b(text, start, end, hi):
            hi = end
        first = CJK_RUN_TO_END.search(text, max(lo, start - WINDOW), start).start()
        last = CJK_RUN.match(text, end, min(hi, end + WINDOW)).end()
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
        if self._route_pending:
            self._route, self._route_pending = default_route_decider(), False
        if self._route is not None:
            verdict = self._route(window, start, end)
            if verdict is not None:
                self.stats.route_decisions += 1
                return verdict
        if self._tokenize is None:
            self._tokenize = default_tokenizer()
        self.stats.tokenizer_calls += 1
        for _token, a, b in self._tokenize(window, "zh"):
            if a < start < b < end or start < a < end < b:
                return False
        return True

    def _scan_words(self, norm: str, run: Run) -> None:
        spans = [m.span() for m in LATIN_WORD.finditer(norm)]
        forms = [self.forms(norm[a:b]) for a, b in spans]
        run.words = (spans, forms)  # near rules look for context words among them
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


