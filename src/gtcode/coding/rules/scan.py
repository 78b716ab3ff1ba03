"""One pass of the rule engine over one source text (see :mod:`gtcode.coding.rules.engine`).

:class:`Run` collects the hits of every segment (span) of a text: the
Chinese-term hits of the character automaton through :meth:`Run.chars`, the
hot loop, then English word hits and regex hits through :meth:`Run.take` and
:meth:`Run.regex`. Vetoes and near rules are applied once per span, in
:meth:`Run.codings`: only the spans that hold a near term or a
sentence-scoped veto compare positions (:func:`close`), and context words are
looked for only in a segment that holds a near hit (:class:`ContextWords`).
Near terms used by one code are decided in the hot loop like not terms.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import ahocorasick

from gtcode.errors import GtcodeError

if TYPE_CHECKING:
    from gtcode.coding.rules.engine import RuleEngine

#: Seconds a ``rules.regex`` pattern may take on one segment before coding stops (E204).
REGEX_SECONDS = 1.0
#: Characters per second granted on top of that for a pass over a whole source text.
REGEX_CHARS_PER_SECOND = 2_000_000


class RegexTimeout(GtcodeError):
    """A codebook regex ran past its time budget on one segment (E204).

    Raised by :meth:`Run.regex` with the span's index; open coding adds the
    segment's name (``S01.txt#12``) with :meth:`located`.
    """

    def __init__(self, code_id: str, number: int, pattern: str, span: int, seconds: float,
                 segment: str | None = None) -> None:
        self.code_id, self.number, self.pattern, self.span = code_id, number, pattern, span
        self.seconds, self.segment_id = seconds, None
        super().__init__(
            "E204", f"the regex {pattern!r} of code {code_id!r} (rules.regex[{number}]) took "
            f"more than {seconds:g} s on one segment and was stopped; it backtracks "
            "catastrophically on that text. Nothing was coded.",
            where=f"segment {segment}" if segment else f"segment {span + 1} of the text",
            hint="rewrite the pattern without nested or overlapping repetition (e.g. (a|aa)+, "
                 "(\\w+\\s?)+), use an atomic group (?>...), or use literal terms")

    def located(self, segment: str) -> RegexTimeout:
        """The same error naming the segment (``S01.txt#12``)."""
        return RegexTimeout(self.code_id, self.number, self.pattern, self.span, self.seconds,
                            segment)

#: A hit as the engine carries it: (term, start, end, lang).
RawHit = tuple[str, int, int, str]

#: Where a sentence ends: Chinese and Western end marks, semicolons, a line
#: break, or a full stop followed by a space, a closing quote or the end.
#: Commas, colons and the ellipsis (……) do not end a sentence.
SENTENCE_END = re.compile(r"[\u3002\uff01\uff1f\uff1b!?;\n]|\.(?=[\s\"'\u201d\u2019)]|$)")


def close(text: str, a: tuple[int, int], b: tuple[int, int], within: int | None) -> bool:
    """Whether two stretches of ``text`` are close: in one sentence, or ``within`` chars.

    Only the text between them is read: they share a sentence when no
    :data:`SENTENCE_END` lies in that gap. Overlapping stretches are close.
    """
    if a[0] > b[0]:
        a, b = b, a
    gap_start, gap_end = a[1], b[0]
    if gap_end <= gap_start:
        return True
    if within is not None:
        return gap_end - gap_start <= within
    return SENTENCE_END.search(text, gap_start, gap_end) is None


class ContextWords:
    """The context words of near rules, looked for only in a segment holding a near hit.

    Chinese (and other) words match wherever they occur; Latin words match
    whole words on word forms, as terms do. Built once per list of words by
    the engine, which passes in its own matching helpers (rules.py imports
    this module, so it cannot import them here).
    """

    def __init__(self, words: list[str], *, normalise: Callable[[str], str],
                 forms: Callable[[str], str], is_latin: Callable[[str], bool],
                 latin_word: re.Pattern[str]) -> None:
        self.normalise, self.forms, self.latin_word = normalise, forms, latin_word
        self.chars: ahocorasick.Automaton | None = None
        self.words: ahocorasick.Automaton | None = None
        for word in words:
            norm = normalise(word)
            if is_latin(norm):
                parts = latin_word.findall(norm)
                key = " " + " ".join(forms(part) for part in parts) + " "
                self.words = self.words or ahocorasick.Automaton()
                self.words.add_word(key, (len(key), len(parts)))
            else:
                self.chars = self.chars or ahocorasick.Automaton()
                self.chars.add_word(norm, len(norm))
        for automaton in (self.chars, self.words):
            if automaton is not None:
                automaton.make_automaton()

    def find(self, text: str, lo: int, hi: int,
             words: tuple[list[tuple[int, int]], list[str]] | None = None
             ) -> list[tuple[int, int]]:
        """Where the words occur in ``text[lo:hi]``, as (start, end) in ``text``.

        ``words`` are the Latin words of the whole text and their forms, when
        the engine has them already (else the stretch is split here).
        """
        found = [(lo + last + 1 - length, lo + last + 1) for last, length in
                 self.chars.iter(self.normalise(text[lo:hi]))] if self.chars else []
        if self.words is None:
            return found
        if words is None:
            norm = self.normalise(text[lo:hi])
            spans = [(lo + a, lo + b) for a, b in
                     (m.span() for m in self.latin_word.finditer(norm))]
            forms = [self.forms(norm[a - lo:b - lo]) for a, b in spans]
        else:
            every, all_forms = words
            first = bisect.bisect_left(every, (lo, lo))
            last = bisect.bisect_left(every, (hi, hi), first)
            spans, forms = every[first:last], all_forms[first:last]
        offsets, position = [], 1
        for form in forms:
            offsets.append(position)
            position += len(form) + 1
        for last, (length, count) in self.words.iter(" " + " ".join(forms) + " "):
            first = bisect.bisect_left(offsets, last + 2 - length)
            found.append((spans[first][0], spans[first + count - 1][1]))
        return found


class Run:
    """The state of one :meth:`RuleEngine.scan_spans` call.

    Args:
        engine: the engine (its patterns, boundary checks and statistics).
        text: the source text as given (boundaries are judged on it).
        spans: the segments as (start, end), sorted and disjoint.
    """

    def __init__(self, engine: RuleEngine, text: str, spans: list[tuple[int, int]]) -> None:
        self.engine, self.text, self.spans = engine, text, spans
        self.starts = [start for start, _end in spans]
        self.found: dict[int, dict[int, list[RawHit]]] = {}
        self.vetoed: dict[int, set[int]] = {}
        #: span -> code -> where its sentence-scoped not terms hit.
        self.vetoes_at: dict[int, dict[int, list[tuple[int, int]]]] = {}
        #: span -> (near rule, hit) of near terms waiting for a context word.
        self.pending: dict[int, list[tuple[int, RawHit]]] = {}
        #: The Latin words of the text and their forms, once the engine has read them.
        self.words: tuple[list[tuple[int, int]], list[str]] | None = None
        #: Regexes (numbers) one of whose required literals occurs inside a span.
        self.triggered: set[int] = set()
        self.last = -1

    def chars(self, codes, norm: str | None) -> None:
        """Every hit of the character automaton, walked span by span.

        ``codes`` are the code points of the text the automaton reads: the
        normalised text ``norm``, or the text as given when the automaton's
        fold normalises (``norm`` is None). Hits come in order of their end,
        so one pointer moves through the sorted spans. A term used by one
        code under one policy (nearly all) is decided here from its
        precomputed entry (see ``RuleEngine._entries``): an aligned Chinese
        hit needs a closer look only when a neighbouring character could
        belong to a dictionary word crossing its edge. Other terms go through
        :meth:`take_at`; a regex trigger only marks its regex.
        """
        engine, text, spans = self.engine, self.text, self.spans
        entries, found, vetoed, aligned = engine._entries, self.found, self.vetoed, \
            engine._aligned_near
        count, k, hits, rejected, current = len(spans), 0, 0, 0, None
        lo, hi = spans[0]
        shift = engine._matcher.shift
        matcher = engine._matcher
        matches = matcher.iter_codes(codes) if matcher.shift else matcher.iter(norm)
        for end, pid in matches:
            end = (end >> shift) + 1
            if end > hi:
                k += 1
                while k < count and spans[k][1] < end:
                    k += 1
                if k >= count:
                    break
                (lo, hi), current = spans[k], None
            length, code, veto, term, lang, key, left, right, general, triggers = entries[pid]
            start = end - length
            if start < lo:
                continue
            if triggers is not None:
                self.triggered.update(triggers)
                if code == -2:
                    continue
            hits += 1
            if general is not None:
                self.take_at(k, general, key, start, end)
            elif left is not None and ((start > lo and text[start - 1] in left)
                                       or (end < hi and text[end] in right)) \
                    and not aligned(key, text, start, end, lo, hi, left, right):
                rejected += 1
            elif veto:
                if veto is True:
                    vetoed.setdefault(k, set()).add(code)
                else:  # a near term: (near rule,)
                    self.pending.setdefault(k, []).append((veto[0], (term, start, end, lang)))
            else:
                if current is None:
                    current = found.setdefault(k, {})
                listed = current.get(code)
                if listed is None:
                    current[code] = [(term, start, end, lang)]
                else:
                    listed.append((term, start, end, lang))
        engine.stats.hits += hits
        engine.stats.boundary_rejected += rejected

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

    def take(self, uses: list, cjk: str | None, start: int, end: int) -> None:
        """Apply one hit to the codes using it (``cjk``: the CJK term, else None)."""
        i = self.locate(start, end)
        if i >= 0:
            self.engine.stats.hits += 1
            self.take_at(i, uses, cjk, start, end)

    def take_at(self, i: int, uses: list, cjk: str | None, start: int, end: int) -> None:
        """Apply one hit inside span ``i`` to every use of its term."""
        engine = self.engine
        lo, hi = self.spans[i]
        verdict: dict[str, bool] = {}
        for use in uses:
            ok = verdict.get(use.policy)
            if ok is None:
                ok = verdict[use.policy] = engine._allowed(use.policy, cjk, self.text, start,
                                                           end, lo, hi)
            if not ok:
                engine.stats.boundary_rejected += 1
            elif use.group >= 0:
                self.pending.setdefault(i, []).append(
                    (use.group, (use.term, start, end, use.lang)))
            elif use.veto:
                if use.code in engine.sentence_vetoes:
                    self.vetoes_at.setdefault(i, {}).setdefault(use.code, []).append(
                        (start, end))
                else:
                    self.vetoed.setdefault(i, set()).add(use.code)
            else:
                self._add(i, use.code, (use.term, start, end, use.lang))

    def regex(self, index: int, regex, source: str, number: int = 0) -> None:
        """Regex hits of one code; a match across spans is retried span by span.

        ``regex`` is compiled with the ``regex`` module, whose matching can be
        stopped: the pass over the whole text gets :data:`REGEX_SECONDS` plus
        time for its length; when it runs out, each span is matched alone with
        :data:`REGEX_SECONDS`, and a span that runs out too stops coding
        (:class:`RegexTimeout`, naming the pattern and the span).
        """
        seconds = self.engine.regex_seconds
        budget = seconds + len(self.text) / REGEX_CHARS_PER_SECOND
        hits: list[tuple[int, tuple]] = []
        retry: set[int] = set()
        try:
            for m in regex.finditer(self.text, timeout=budget):
                if m.end() <= m.start():
                    continue
                i = self.locate(m.start(), m.end())
                if i >= 0:
                    hits.append((i, (source, m.start(), m.end(), "re")))
                else:
                    j = max(0, bisect.bisect_right(self.starts, m.start()) - 1)
                    while j < len(self.spans) and self.spans[j][0] < m.end():
                        if m.start() < self.spans[j][1]:
                            retry.add(j)
                        j += 1
        except TimeoutError:  # slow somewhere: match span by span to find where, or finish
            hits, retry = [], set(range(len(self.spans)))
        for i, hit in hits:
            self._add(i, index, hit)
        for i in sorted(retry):
            lo, hi = self.spans[i]
            try:
                for m in regex.finditer(self.text, lo, hi, timeout=seconds):
                    hit = (source, m.start(), m.end(), "re")
                    if m.end() > m.start() and hit not in self.found.get(i, {}).get(index, ()):
                        self._add(i, index, hit)
            except TimeoutError:
                raise RegexTimeout(self.engine.code_ids[index], number, source, i,
                                   seconds) from None

    def _add(self, i: int, index: int, hit: RawHit) -> None:
        self.found.setdefault(i, {}).setdefault(index, []).append(hit)

    def _resolve_near(self) -> None:
        """Turn each waiting near hit into a hit of its code when a context word is close.

        The context words of a near rule are looked for once per segment that
        holds a hit of its terms (segments are short: a turn), then compared
        with each hit by :func:`close`.
        """
        near, text = self.engine.near, self.text
        for i, waiting in self.pending.items():
            lo, hi = self.spans[i]
            seen: dict[int, list[tuple[int, int]]] = {}
            for group, hit in waiting:
                code, within, words = near[group]
                where = seen.get(id(words))
                if where is None:
                    where = seen[id(words)] = words.find(text, lo, hi, self.words)
                here = (hit[1], hit[2])
                if any(close(text, here, spot, within) for spot in where):
                    self._add(i, code, hit)
        self.pending.clear()

    def _outside_vetoed_sentences(self, hits: list[RawHit], vetoes: list[tuple[int, int]]
                                  ) -> list[RawHit]:
        """The hits that share no sentence with a sentence-scoped veto of their code."""
        text = self.text
        return [hit for hit in hits
                if not any(close(text, (hit[1], hit[2]), veto, None) for veto in vetoes)]

    def results(self) -> list[list[tuple[int, list[RawHit]]]]:
        """Per span, the (code index, hits) of the codes that apply and are not vetoed."""
        out: list[list[tuple[int, list[RawHit]]]] = [[] for _ in self.spans]
        for i, index, hits in self.codings():
            out[i].append((index, hits))
        return out

    def codings(self) -> list[tuple[int, int, list[RawHit]]]:
        """(span index, code index, hits) of every coding, by span then code; vetoes applied."""
        out: list[tuple[int, int, list[RawHit]]] = []
        self._resolve_near()
        found, vetoes, vetoed_total = self.found, self.vetoed, 0
        for i in sorted(found):
            codes, vetoed, scoped = found[i], vetoes.get(i), self.vetoes_at.get(i)
            for index, hits in (codes.items() if len(codes) == 1 else sorted(codes.items())):
                if vetoed and index in vetoed:
                    vetoed_total += 1
                    continue
                if scoped and index in scoped:
                    hits = self._outside_vetoed_sentences(hits, scoped[index])
                    if not hits:
                        vetoed_total += 1
                        continue
                if len(hits) > 1:
                    hits.sort(key=_hit_order)
                out.append((i, index, hits))
        self.engine.stats.vetoed += vetoed_total
        return out


def _hit_order(hit: RawHit) -> tuple[int, int, str]:
    return hit[1], hit[2], hit[0]
