"""The counting over all references runs as numpy group-bys (matrices, co-occurrence, quote
candidates): checked here against the plain Python rules they replace, on random coded
studies with overlapping and touching passages, several coders, humans and evidence."""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import combinations

import pytest

from gtcode.codebook.model import Code, Codebook
from gtcode.coding import quotes
from gtcode.coding.axial import (
    CodedStudy,
    Hierarchy,
    Reference,
    cooccurrence,
    matrix_coding,
    relations,
    study_matrix,
)
from gtcode.coding.cooccurrence import count_cooccurrence
from gtcode.store.analysis import CountedSegment

CODES = ["a.a1", "a.a2", "a.s.a3", "b.b1", "b.s.b2", "c.c1", "c"]


def book() -> Codebook:
    return Codebook(name="random", version="1", codes=[
        Code(id="core", name="核心", level="core"),
        Code(id="a", name="甲", level="category", parent="core"),
        Code(id="a.a1", name="甲一", level="concept", parent="a"),
        Code(id="a.a2", name="甲二", level="concept", parent="a"),
        Code(id="a.s", name="甲副", level="subcategory", parent="a"),
        Code(id="a.s.a3", name="甲三", level="concept", parent="a.s"),
        Code(id="b", name="乙", level="category", parent="core"),
        Code(id="b.b1", name="乙一", level="concept", parent="b"),
        Code(id="b.s", name="乙副", level="subcategory", parent="b"),
        Code(id="b.s.b2", name="乙二", level="concept", parent="b.s"),
        Code(id="c", name="丙", level="category", parent="core"),
        Code(id="c.c1", name="丙一", level="concept", parent="c"),
    ])


def random_study(seed: int) -> CodedStudy:
    rng = random.Random(seed)
    cases = [f"K{i}" for i in range(rng.randint(1, 6))]
    segments, refs, texts, evidence = [], [], {}, {}
    for seg_id in range(1, rng.randint(2, 40)):
        case = rng.choice(cases)
        start = 100 * seg_id
        segments.append(CountedSegment(seg_id, f"{case}.txt", case, seg_id, start, start + 60,
                                       cases.index(case), rng.choice(["zh", "en", None])))
        texts[seg_id] = "".join(rng.choice("跑资金欠债 words。") for _ in range(60))
        for _ in range(rng.randint(0, 5)):
            a = start + rng.randint(0, 50)
            b = a + rng.randint(0, 12)  # empty, overlapping and touching passages
            code = rng.choice(CODES)
            coders = frozenset(rng.sample(["rule", "li", "wang", "model"], rng.randint(0, 2)))
            refs.append(Reference(case, f"{case}.txt", seg_id, seg_id, code,
                                  rng.random() < 0.3, a, b, start, coders))
            if rng.random() < 0.6:
                evidence[(seg_id, code)] = rng.sample(["资金", "欠债", "words", "跑"],
                                                      rng.randint(1, 3))
    refs.sort(key=lambda r: (r.segment_id, r.code, r.start))
    attrs = {c: {"level": rng.choice(["村", "乡"])} for c in cases}
    return CodedStudy(Hierarchy.from_codebook(book()), refs, cases, segments, attrs,
                      {"level": "text"}, evidence, texts)


# -- the rules as they were written in Python ----------------------------------------

def plain_matrix(refs, columns, column_of, rows, row_of, cell, words=None):
    seen: dict = {}
    for ref in refs:
        column = column_of(ref.code)
        if column is None or column not in columns:
            continue
        bucket = seen.setdefault((row_of(ref.case), column), {})
        if cell == "presence":
            bucket[ref.case] = []
        else:
            bucket.setdefault(ref.segment_id, []).append(ref)

    def value(refs):
        if cell == "presence":
            return 1
        runs = []
        for ref in sorted(refs, key=lambda r: (r.start, r.end)):
            if runs and ref.start <= runs[-1].end:
                runs[-1] = replace(runs[-1], end=max(runs[-1].end, ref.end))
            else:
                runs.append(ref)
        if cell == "references":
            return len(runs)
        if cell == "characters":
            return sum(r.end - r.start for r in runs)
        return sum(words(r) for r in runs)

    return [[sum(value(v) for v in seen.get((r, c), {}).values()) for c in columns]
            for r in rows]


def plain_candidates(data: CodedStudy, subtrees):
    coders, human, terms = {}, {}, {}
    for ref in data.references:
        for i, subtree in enumerate(subtrees):
            if ref.code in subtree:
                coders.setdefault(ref.segment_id, [set() for _ in subtrees])[i].update(
                    ref.coders or {"?"})
                human[ref.segment_id] = human.get(ref.segment_id, False) or ref.human
                terms.setdefault(ref.segment_id, set()).update(
                    data.evidence.get((ref.segment_id, ref.code), ()))
    return {s: (min(len(c) for c in sets), human[s], frozenset(terms[s]))
            for s, sets in coders.items() if all(sets)}


@pytest.mark.parametrize("seed", range(25))
def test_matrices_match_the_plain_rule(seed: int) -> None:
    data = random_study(seed)
    words = lambda ref: len(ref.passage(data.texts.get(ref.segment_id, "")).split())  # noqa
    for level in ("category", "subcategory", "concept"):
        columns = data.rolled(level)
        column_of = lambda code, level=level: data.hierarchy.roll(code, level)  # noqa
        for cell in ("references", "presence", "characters", "words"):
            for rows, row_of in ((data.cases, lambda c: c),
                                 (["乡", "村"], lambda c: data.attributes[c]["level"])):
                got = matrix_coding(data.references, columns=columns, column_of=column_of,
                                    rows=rows, row_of=row_of, cell=cell, words=words)
                want = plain_matrix(data.references, columns, column_of, rows, row_of, cell,
                                    words)
                assert got.to_numpy().tolist() == want, (level, cell)
        assert study_matrix(data, level=level, cell="references").to_numpy().tolist() == \
            plain_matrix(data.references, columns, column_of, data.cases, lambda c: c,
                         "references")


@pytest.mark.parametrize("seed", range(25))
def test_cooccurrence_matches_counting_unit_code_sets(seed: int) -> None:
    data = random_study(seed)
    h = data.hierarchy
    for unit in ("segment", "case"):
        sets: dict = {}
        for ref in data.references:
            here = sets.setdefault(ref.segment_id if unit == "segment" else ref.case, set())
            here.update(c for c in (ref.code, h.subcategory(ref.code), h.category(ref.code))
                        if c)
        for level in ("category", "subcategory", "concept"):
            got = cooccurrence(data, unit=unit, level=level)
            want = count_cooccurrence(sets.values(), data.rolled(level), n=got.n)
            assert (got.codes, got.totals, got.pairs) == (want.codes, want.totals, want.pairs)
    relations(data)  # the paradigm codes and categories together


@pytest.mark.parametrize("seed", range(25))
def test_quote_candidates_and_order_match_the_plain_rule(seed: int) -> None:
    data = random_study(seed)
    for codes in [["a"], ["a.a1"], ["b"], ["a", "b"], ["c", "a.s"], ["zzz"]]:
        subtrees = [set(data.hierarchy.below(c)) if c in data.hierarchy.nodes else {c}
                    for c in codes]
        want = plain_candidates(data, subtrees)
        found = quotes._candidates(data, subtrees)
        got = {s: found.get(data, s) for s in found.segment.tolist()}
        assert {s: (c.agreed, c.human, c.terms) for s, c in got.items()} == want
        assert found.terms.tolist() == [len(want[s][2]) for s in found.segment.tolist()]
        for lang in ("zh", "en", None):
            avoid = set(list(want)[::3])
            language = {s.id: "en" if (s.language or "").startswith("en") else "zh"
                        for s in data.segments}
            plain = sorted(want, key=lambda s: (
                language[s] != lang if lang else False, want[s][0] < 2, s in avoid,
                -want[s][0], not want[s][1], -len(want[s][2]), len(data.texts.get(s, "")), s))
            assert found.ranked(data, lang, set(), avoid) == plain


def test_pairs_count_each_unit_once() -> None:
    data = random_study(3)
    co = cooccurrence(data, unit="segment", level="category")
    for a, b in combinations(co.codes, 2):
        assert co.n12(a, b) <= min(co.totals.get(a, 0), co.totals.get(b, 0))
