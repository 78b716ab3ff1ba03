"""The core category and the storyline: how the main categories hang together.

- Reach of each main category (cases, segments, share of respondents), its
  centrality in the within-segment co-occurrence network, and its tie to the
  core category (the paradigm role the codebook gives it).
- The storyline skeleton: one *relation structure* (典型关系结构) per main
  category → core, per paradigm link, and per strongest co-occurring pair,
  each with generated meaning text (关系结构的内涵) and representative
  quotes, plus an overall storyline paragraph. The texts live in the study's
  ``storyline`` table: a text the researcher edited (``edited = 1``) is
  kept by every later run; generated ones follow the data.

Storyline keys: ``core:<category>``, ``paradigm:<a>><b>``,
``pair:<a>+<b>``, ``storyline``; quote overrides ``quote:<code or key>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from gtcode.coding.axial import PARADIGM_LINKS, CodedStudy, cooccurrence, paradigm_roles, relations
from gtcode.coding.quotes import DEFAULT_LIMIT, Quote, choose_quotes
from gtcode.numbers import percent
from gtcode.store.analysis import StoryRow

STORYLINE_KEY = "storyline"
#: How many co-occurring pairs become relation structures (strongest first).
TOP_PAIRS = 5
#: A pair must co-occur in at least this many segments to become a structure.
MIN_PAIR_SEGMENTS = 2

ROLE_NAMES = {
    "zh": {"causal": "因果条件", "phenomenon": "现象", "context": "情境条件",
           "intervening": "中介条件", "strategy": "行动/互动策略", "consequence": "结果"},
    "en": {"causal": "causal condition", "phenomenon": "phenomenon", "context": "context",
           "intervening": "intervening condition", "strategy": "action/interaction strategy",
           "consequence": "consequence"},
}
LINK_NAMES = {"zh": {"leads to": "导致", "calls for": "引发", "shapes": "影响",
                     "conditions": "制约", "results in": "产生"},
              "en": {k: k for k in ("leads to", "calls for", "shapes", "conditions",
                                    "results in")}}


@dataclass(frozen=True)
class CategoryReach:
    """A main category's reach, centrality and tie to the core category."""

    id: str
    cases: int
    share: float
    segments: int
    degree: int
    centrality: float
    strength: float
    betweenness: float
    core_tie: str | None


def category_graph(data: CodedStudy) -> nx.Graph:
    """Main categories joined where coded together in a segment (weight = Jaccard)."""
    co = cooccurrence(data, unit="segment")
    graph = nx.Graph()
    for code in co.codes:
        graph.add_node(code, segments=co.totals.get(code, 0))
    for pair in co.all_pairs(min_count=1):
        graph.add_edge(pair.a, pair.b, n12=pair.n12, weight=pair.value("jaccard"))
    return graph


def category_reach(data: CodedStudy, lang: str = "zh") -> list[CategoryReach]:
    """Reach and centrality of each coded main category, in codebook order.

    ``centrality`` is degree centrality (degree / (categories − 1)),
    ``strength`` the sum of Jaccard weights, ``betweenness`` weighted
    betweenness with distance 1/Jaccard.
    """
    graph = category_graph(data)
    case_co = cooccurrence(data, unit="case")
    centrality = nx.degree_centrality(graph) if len(graph) > 1 else {n: 0.0 for n in graph}
    for _, _, attrs in graph.edges(data=True):
        attrs["distance"] = 1 / attrs["weight"] if attrs["weight"] else float("inf")
    between = nx.betweenness_centrality(graph, weight="distance") if len(graph) > 2 \
        else {n: 0.0 for n in graph}
    total = len(data.cases) or 1
    return [CategoryReach(
        code, case_co.totals.get(code, 0), case_co.totals.get(code, 0) / total,
        graph.nodes[code]["segments"], graph.degree(code), centrality[code],
        sum(w for _, _, w in graph.edges(code, data="weight")), between[code],
        _core_tie(data, code, lang)) for code in graph.nodes]


def _core_tie(data: CodedStudy, code: str, lang: str) -> str | None:
    core = data.hierarchy.core()
    if core is None:
        return None
    node = data.hierarchy.nodes[code]
    if node.paradigm:
        return ROLE_NAMES[lang][node.paradigm]
    return "维度（构成）" if lang == "zh" else "dimension (part of)"


# -- relation structures and the storyline -------------------------------------------

@dataclass(frozen=True)
class Structure:
    """A relation structure (典型关系结构) with its meaning and quotes."""

    key: str
    kind: str
    source: str
    target: str
    label: str
    meaning: str
    edited: bool
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Storyline:
    structures: tuple[Structure, ...]
    text: str
    edited: bool


def storyline(data: CodedStudy, stored: dict[str, StoryRow], *, lang: str = "zh",
              quote_limit: int = DEFAULT_LIMIT) -> Storyline:
    """The storyline skeleton, with the researcher's edited texts where she wrote them."""
    reach = {r.id: r for r in category_reach(data, lang)}
    drafts = [*_core_drafts(data, reach, lang), *_paradigm_drafts(data, lang),
              *_pair_drafts(data, lang)]
    structures, used = [], set()
    for key, kind, a, b, label, text, codes in drafts:
        row = stored.get(key)
        edited = bool(row and row.edited)
        overrides = data.overrides.get(key) or (data.overrides.get(a, []) if kind == "core"
                                                else [])
        quotes = choose_quotes(data, codes, limit=quote_limit, overrides=overrides, lang=lang,
                               avoid=used)
        used.update(q.segment_id for q in quotes)
        structures.append(Structure(key, kind, a, b, label, row.text if edited else text,
                                    edited, tuple(quotes)))
    row = stored.get(STORYLINE_KEY)
    if row and row.edited:
        return Storyline(tuple(structures), row.text, True)
    return Storyline(tuple(structures), _story_text(data, reach, lang), False)


def generated_texts(line: Storyline) -> dict[str, str]:
    """Key -> text of every entry the store should hold (edited ones included)."""
    texts = {s.key: s.meaning for s in line.structures}
    texts[STORYLINE_KEY] = line.text
    return texts


def _name(data: CodedStudy, code: str, lang: str) -> str:
    return data.hierarchy.label(code, lang)


def _definition(data: CodedStudy, code: str, lang: str) -> str:
    return data.hierarchy.nodes[code].meaning(lang).rstrip("。.；;")


def _core_drafts(data: CodedStudy, reach: dict[str, CategoryReach], lang: str) -> list[tuple]:
    core = data.hierarchy.core()
    if core is None:
        return []
    drafts = []
    for code, r in reach.items():
        a, c = _name(data, code, lang), core.label(lang)
        role = data.hierarchy.nodes[code].paradigm
        meaning = _core_meaning(a, c, role, _definition(data, code, lang), r, len(data.cases),
                               lang)
        drafts.append((f"core:{code}", "core", code, core.id, f"{a} → {c}", meaning, [code]))
    return drafts


def _core_meaning(a: str, c: str, role: str | None, definition: str, r: CategoryReach,
                  n: int, lang: str) -> str:
    if lang == "en":
        kind = f"a {ROLE_NAMES['en'][role]} of" if role else "a dimension of"
        text = f"{a} is {kind} {c}" + (f": {definition}." if definition else ".")
        return text + (f" Coded for {r.cases} of {n} respondents ({percent(r.share)}) in "
                       f"{r.segments} segments.")
    kind = f"的{ROLE_NAMES['zh'][role]}" if role else "的构成维度之一"
    text = f"{a}是{c}{kind}" + (f"：{definition}。" if definition else "。")
    return text + f"该范畴见于{n}名受访者中的{r.cases}名（{percent(r.share)}），共{r.segments}个片段。"


def _paradigm_drafts(data: CodedStudy, lang: str) -> list[tuple]:
    coded = set(data.rolled("category")) | set(data.rolled("subcategory"))
    roles = {role: [c for c in ids if c in coded]
             for role, ids in paradigm_roles(data.hierarchy)}
    drafts = []
    for src, dst, verb in PARADIGM_LINKS:
        for a in roles[src]:
            for b in roles[dst]:
                if a == b:
                    continue
                na, nb, v = _name(data, a, lang), _name(data, b, lang), LINK_NAMES[lang][verb]
                meaning = (f"{na} ({ROLE_NAMES['en'][src]}) {v} {nb} ({ROLE_NAMES['en'][dst]})."
                           if lang == "en" else
                           f"{na}（{ROLE_NAMES['zh'][src]}）{v}{nb}（{ROLE_NAMES['zh'][dst]}）。")
                drafts.append((f"paradigm:{a}>{b}", "paradigm", a, b, f"{na} → {nb}", meaning,
                               [a, b]))
    return drafts


def _pair_drafts(data: CodedStudy, lang: str) -> list[tuple]:
    links = {frozenset((r.source, r.target)) for r in relations(data) if r.kind == "paradigm"}
    pairs = [r for r in relations(data, min_segments=MIN_PAIR_SEGMENTS)
             if r.kind == "cooccurrence" and frozenset((r.source, r.target)) not in links]
    pairs.sort(key=lambda r: (-r.jaccard, -r.segments))
    drafts = []
    for r in pairs[:TOP_PAIRS]:
        na, nb = _name(data, r.source, lang), _name(data, r.target, lang)
        if lang == "en":
            meaning = (f"{na} and {nb} are often told together ({r.segments} segments, "
                       f"{r.cases} respondents; Jaccard = {r.jaccard:.2f}); they may reinforce "
                       "each other. The direction and nature of the relation must be read "
                       "from the transcripts.")
        else:
            meaning = (f"{na}与{nb}常在同一段陈述中交织出现（{r.segments}个片段、{r.cases}名受访者；"
                       f"Jaccard = {r.jaccard:.2f}），提示二者可能相互强化；关系的方向与性质需研读原文后确定。")
        drafts.append((f"pair:{r.source}+{r.target}", "cooccurrence", r.source, r.target,
                       f"{na} ↔ {nb}", meaning, [r.source, r.target]))
    return drafts


def _story_text(data: CodedStudy, reach: dict[str, CategoryReach], lang: str) -> str:
    """The storyline skeleton: the core, the main categories by paradigm role, reach."""
    if not reach:
        return ""
    core = data.hierarchy.core()
    widest = max(reach.values(), key=lambda r: (r.cases, r.segments))
    central = max(reach.values(), key=lambda r: (r.strength, r.degree))
    roles = _by_role(data, reach, lang)
    n, w, c = len(data.cases), _name(data, widest.id, lang), _name(data, central.id, lang)
    if lang == "en":
        core_name = core.label(lang) if core else "(no core category)"
        parts = [f"{role}: {', '.join(names)}" for role, names in roles]
        tail = (", and is told together with the other categories most often" if widest is central
                else f"; {c} is told together with the other categories most often")
        return (f"The core category is {core_name}. {len(reach)} main categories relate to it: "
                + "; ".join(parts) + f". {w} reaches the most respondents ({widest.cases} of "
                f"{n}){tail}. [Skeleton generated by gtcode: rewrite it as the storyline of "
                "your theory.]")
    core_name = core.label(lang) if core else "（未设核心范畴）"
    parts = [f"{'、'.join(names)}为其{role}" for role, names in roles]
    tail = ("，且与其他主范畴共现最为广泛" if widest is central
            else f"；“{c}”与其他主范畴共现最为广泛")
    return (f"本研究的核心范畴为“{core_name}”。{len(reach)}个主范畴围绕核心范畴展开："
            + "；".join(parts) + f"。从覆盖面看，“{w}”见于{widest.cases}/{n}名受访者{tail}。"
            "［本段为 gtcode 生成的故事线骨架，请研究者据原始资料改写。］")


def _by_role(data: CodedStudy, reach: dict[str, CategoryReach],
             lang: str) -> list[tuple[str, list[str]]]:
    """(role name, category names) in paradigm order; categories without a role last."""
    groups: dict[str | None, list[str]] = {}
    for code in reach:
        groups.setdefault(data.hierarchy.nodes[code].paradigm, []).append(_name(data, code, lang))
    ordered = [(ROLE_NAMES[lang][role], groups[role]) for role in ROLE_NAMES[lang]
               if role in groups]
    if None in groups:
        ordered.append(("构成维度" if lang == "zh" else "further dimensions", groups[None]))
    return ordered
