"""The tables grounded-theory papers print, as plain data for the workbook and Word.

Each :class:`Table` has headings in Chinese (or English with ``lang="en"``),
typed columns, rows of plain values and notes. ``paper`` says how many
leading columns the Word document shows (the workbook shows all, including
counts, keys and the 备忘录 memo column). The same tables feed
``gtcode.xlsx`` (one sheet each) and ``tables.docx`` (one table each), so
the two always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from gtcode.coding.axial import CodedStudy, paradigm_roles
from gtcode.coding.memos import by_target, memo_cell
from gtcode.coding.proposals import PROPOSED_PREFIX, Proposal
from gtcode.coding.quotes import RULE, RULE_ZH, Quote, choose_quotes
from gtcode.coding.saturation import COUNTED
from gtcode.coding.selective import SelectiveResult
from gtcode.coding.storyline import ROLE_NAMES
from gtcode.numbers import percent
from gtcode.store.memos import MemoRow
from gtcode.transcripts.timestamps import turn_time

#: segment ids -> the source text before each (``gtcode.store.analysis.text_before``)
TextBefore = Callable[[list[int]], dict[int, str]]

#: Column kinds: how a value is shown (Word) and formatted (Excel).
KINDS = ("text", "int", "pct", "float", "dec1")


@dataclass
class Table:
    """One table: a sheet of the workbook and (``docx``) a table of the Word file."""

    key: str
    sheet: str
    caption: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)
    paper: int | None = None
    merge: int = 0
    docx: bool = True
    text: str | None = None
    #: notes for the researcher using gtcode (commands, how to edit): the workbook shows
    #: them after ``notes``; the Word tables and the report, written for a reader of the
    #: paper, leave them out
    howto: list[str] = field(default_factory=list)

    @property
    def paper_headers(self) -> list[str]:
        return self.headers[:self.paper] if self.paper else list(self.headers)


#: What a reader of the paper needs to know about the quotes (the full rule, with the
#: command that overrides it, goes to the workbook: ``RULE_ZH``/``RULE``).
QUOTE_NOTE_ZH = ("代表性语句选自编码于该范畴（关系结构则为两范畴同时编码）的受访者话轮，优先选取两位及以上编码者"
                 "一致编码、编码证据最集中的语句，每名受访者先取一句；过长的话轮有删节（以“……”标示）。"
                 "括号内为受访者编号及该语句在访谈转写稿中的时间码或行号。")
QUOTE_NOTE = ("Representative quotes are respondent turns coded under the category (for a "
              "relation, under both categories), preferring turns two or more coders agreed on "
              "and with the most coding evidence, one per respondent before any repeats; long "
              "turns are abridged (……). Brackets give the respondent and the timestamp or line "
              "of the quote in the transcript.")


def quote_note(lang: str) -> str:
    """The note on quotes for a reader of the paper."""
    return QUOTE_NOTE if lang == "en" else QUOTE_NOTE_ZH


def timed(quotes: Sequence[Quote], before: TextBefore | None) -> list[Quote]:
    """The quotes with the timestamps their transcripts show, where they show one.

    Read for the quoted segments only (a transcript without timestamps is
    cited by line).
    """
    wanted = [q.segment_id for q in quotes if q.time is None and q.segment_id > 0]
    found = before(wanted) if before and wanted else {}
    return [replace(q, time=turn_time(found[q.segment_id])) if q.segment_id in found else q
            for q in quotes]


def t(lang: str, zh: str, en: str) -> str:
    """The Chinese or English wording."""
    return en if lang == "en" else zh


@dataclass
class Context:
    """What every table builder reads."""

    data: CodedStudy
    result: SelectiveResult
    memos: dict[tuple[str, str | None], list[MemoRow]]
    lang: str
    numbers: dict[str, str] = field(default_factory=dict)
    #: segments quoted so far in any table: a quote is reused only when no
    #: equally agreed one is left (see gtcode.coding.quotes)
    used: set[int] = field(default_factory=set)
    #: the study's proposed concepts (not yet in the codebook)
    proposals: list[Proposal] = field(default_factory=list)
    before: TextBefore | None = None

    def cite(self, quote: Quote) -> str:
        """``“…”（S03，00:12:31）``: the quote with its case and timestamp (or line)."""
        return timed([quote], self.before)[0].cite(self.lang)

    def quotes_cell(self, quotes: Sequence[Quote]) -> str:
        return "\n".join(q.cite(self.lang) for q in timed(quotes, self.before)) or "—"

    def name(self, code: str | None) -> str:
        if code and code.startswith(PROPOSED_PREFIX):
            return Proposal(code[len(PROPOSED_PREFIX):], (), ()).label(self.lang)
        return self.data.hierarchy.label(code, self.lang) if code else "—"

    def numbered(self, code: str) -> str:
        number = self.numbers.get(code)
        return f"{number} {self.name(code)}" if number else self.name(code)

    def memo(self, kind: str, target: str | None) -> str:
        """Memos from the study plus the codebook's own memo for a code."""
        parts = []
        if kind == "code" and target in self.data.hierarchy.nodes:
            own = self.data.hierarchy.nodes[target].memo
            if own:
                parts.append(own.strip())
        stored = memo_cell(self.memos.get((kind, target), []))
        return "\n".join(p for p in (*parts, stored) if p)

    def cases_refs(self, code: str) -> tuple[int, int]:
        return self.data.columns.reach(self.data.hierarchy.below(code))


def make_context(data: CodedStudy, result: SelectiveResult, memos: list[MemoRow],
                 lang: str, proposals: list[Proposal] | None = None,
                 before: TextBefore | None = None) -> Context:
    """A context with concepts numbered a1, a2 … and subcategories A1, A2 … in codebook order.

    ``before`` reads the text before quoted segments, for their timestamps.
    """
    ctx = Context(data, result, by_target(memos), lang, proposals=list(proposals or []),
                  before=before)
    ctx.used.update(q.segment_id for s in result.storyline.structures for q in s.quotes)
    for i, code in enumerate(data.rolled("concept"), start=1):
        ctx.numbers[code] = f"a{i}"
    for i, code in enumerate(data.rolled("subcategory"), start=1):
        ctx.numbers.setdefault(code, f"A{i}")
    return ctx


def open_table(ctx: Context, *, quotes_per_concept: int = 1) -> Table:
    """原始语句（受访者编号）→ 初始概念, one row per representative quote."""
    lang, rows, used = ctx.lang, [], ctx.used
    for code in ctx.data.rolled("concept"):
        cases, refs = ctx.cases_refs(code)
        for quote in choose_quotes(ctx.data, [code], limit=quotes_per_concept,
                                   overrides=ctx.data.overrides.get(code, []), lang=lang,
                                   avoid=used):
            used.add(quote.segment_id)
            rows.append([ctx.cite(quote), ctx.numbered(code),
                         ctx.name(ctx.data.hierarchy.subcategory(code)),
                         ctx.name(ctx.data.hierarchy.category(code)), cases, refs,
                         ctx.memo("code", code)])
    rows.extend(_proposal_rows(ctx))
    headers = [t(lang, "原始语句（受访者编号）", "Original statement (respondent)"),
               t(lang, "初始概念", "Initial concept"), t(lang, "副范畴", "Subcategory"),
               t(lang, "主范畴", "Main category"), t(lang, "受访者数", "Respondents"),
               t(lang, "参考点数", "References"), t(lang, "备忘录", "Memo")]
    return Table("open", t(lang, "开放式编码", "Open coding"),
                 t(lang, "开放式编码示例", "Open coding: examples"), headers,
                 ["text", "text", "text", "text", "int", "int", "text"], rows,
                 notes=[quote_note(lang), *_proposal_note(ctx)], paper=2,
                 howto=[t(lang, RULE_ZH, RULE), *_proposal_howto(ctx)])


def _proposal_rows(ctx: Context) -> list[list[object]]:
    """One row per proposed concept, marked 建议概念 / proposed, after the codebook's."""
    rows = []
    for proposal in ctx.proposals:
        quote = "—"
        if proposal.places:
            text, case = " ".join(proposal.example.split()), proposal.places[0].case
            quote = f"{text}（{case}）" if ctx.lang != "en" else f"{text} ({case})"
        parent = ctx.data.hierarchy.nodes.get(proposal.parent or "")
        rows.append([quote, proposal.label(ctx.lang),
                     ctx.name(ctx.data.hierarchy.subcategory(parent.id)) if parent else "—",
                     ctx.name(ctx.data.hierarchy.category(parent.id)) if parent else "—",
                     len(proposal.cases), len(proposal.places), proposal.definition or ""])
    return rows


def _proposal_note(ctx: Context) -> list[str]:
    if not ctx.proposals:
        return []
    return [t(ctx.lang, "标注“建议概念”的行是编码者提出、尚未纳入编码手册的概念。",
              "Rows marked “proposed” are concepts coders proposed that the codebook does not "
              "hold yet.")]


def _proposal_howto(ctx: Context) -> list[str]:
    if not ctx.proposals:
        return []
    return [t(ctx.lang, "gtcode codebook adopt 可将建议概念纳入编码手册。",
              "gtcode codebook adopt adds proposed concepts to the codebook.")]


def counted_note(ctx: Context) -> str:
    """Which concepts the saturation checks counted, in the table's language."""
    en, zh = COUNTED[ctx.result.saturation.counted]
    return t(ctx.lang, f"计数对象：{zh}；按访谈顺序。", f"Counted: {en}; in interview order.")


def axial_table(ctx: Context) -> Table:
    """主范畴 | 副范畴 | 初始概念 | 范畴内涵, one row per subcategory."""
    lang, h, rows = ctx.lang, ctx.data.hierarchy, []
    concepts = ctx.data.rolled("concept")
    for category in ctx.data.rolled("category"):
        groups: dict[str | None, list[str]] = {}
        for code in concepts:
            if h.category(code) == category:
                groups.setdefault(h.subcategory(code), []).append(code)
        for sub, codes in groups.items():
            meaning_of = sub or category
            cases, refs = ctx.cases_refs(meaning_of)
            rows.append([ctx.name(category), ctx.numbered(sub) if sub else "—",
                         "；".join(ctx.numbered(c) for c in codes) if lang == "zh"
                         else "; ".join(ctx.numbered(c) for c in codes),
                         h.nodes[meaning_of].meaning(lang), cases, refs,
                         ctx.memo("code", meaning_of)])
    headers = [t(lang, "主范畴", "Main category"), t(lang, "副范畴", "Subcategory"),
               t(lang, "初始概念", "Initial concepts"), t(lang, "范畴内涵", "Meaning"),
               t(lang, "受访者数", "Respondents"), t(lang, "参考点数", "References"),
               t(lang, "备忘录", "Memo")]
    return Table("axial", t(lang, "主轴编码", "Axial coding"),
                 t(lang, "主轴编码形成的主范畴", "Main categories from axial coding"), headers,
                 ["text", "text", "text", "text", "int", "int", "text"], rows, paper=4, merge=1)


def paradigm_table(ctx: Context) -> Table | None:
    """范式模型: each paradigm role with its categories and representative quotes."""

    lang, rows = ctx.lang, []
    roles = paradigm_roles(ctx.data.hierarchy)
    core = ctx.data.hierarchy.core()
    if core is not None and not dict(roles)["phenomenon"] and any(ids for _, ids in roles):
        # no category plays the phenomenon: the core category is what the model explains
        roles = [(r, [core.id] if r == "phenomenon" else ids) for r, ids in roles]
    used = ctx.used
    for role, codes in roles:
        if not codes:
            continue
        quotes = []
        # the core stands for the phenomenon as a whole: no single turn represents it
        for code in (c for c in codes if ctx.cases_refs(c)[1]
                     and (core is None or c != core.id)):
            quotes += choose_quotes(ctx.data, [code], limit=1, lang=lang, avoid=used,
                                    overrides=ctx.data.overrides.get(code, []))
            used.update(q.segment_id for q in quotes)
        names = [ctx.name(c) + (t(lang, "（核心范畴）", " (core category)")
                                if core is not None and c == core.id else "") for c in codes]
        rows.append([ROLE_NAMES[lang][role], ("、" if lang == "zh" else ", ").join(names),
                     ctx.quotes_cell(quotes)])
    if not rows:
        return None
    headers = [t(lang, "范式要素", "Paradigm element"), t(lang, "对应范畴", "Categories"),
               t(lang, "代表性语句", "Representative quotes")]
    return Table("paradigm", t(lang, "范式模型", "Paradigm model"),
                 t(lang, "主轴编码的范式模型", "The paradigm model of axial coding"), headers,
                 ["text"] * 3, rows, notes=[quote_note(lang)])


def selective_table(ctx: Context) -> Table:
    """典型关系结构 | 关系结构的内涵 | 代表性语句 (plus kind, key and edited flag)."""
    lang = ctx.lang
    kinds = {"core": t(lang, "与核心范畴", "to the core"),
             "paradigm": t(lang, "范式模型", "paradigm model"),
             "cooccurrence": t(lang, "共现", "co-occurrence")}
    rows = [[s.label, s.meaning, ctx.quotes_cell(s.quotes), kinds[s.kind], s.key,
             t(lang, "是", "yes") if s.edited else t(lang, "否", "no")]
            for s in ctx.result.storyline.structures]
    headers = [t(lang, "典型关系结构", "Relation structure"),
               t(lang, "关系结构的内涵", "Meaning of the relation"),
               t(lang, "代表性语句", "Representative quotes"), t(lang, "关系类型", "Kind"),
               t(lang, "键（--edit）", "Key (--edit)"), t(lang, "研究者已修改", "Edited")]
    howto = [t(lang, "修改内涵：gtcode selective STUDY --edit 键 --text \"…\"（修改后的文字在重新运行时保留）。",
               'Edit a meaning: gtcode selective STUDY --edit KEY --text "..." (kept by later '
               "runs)."), t(lang, RULE_ZH, RULE)]
    return Table("selective", t(lang, "选择性编码", "Selective coding"),
                 t(lang, "主范畴的典型关系结构", "Typical relation structures of the main categories"),
                 headers, ["text"] * 6, rows, notes=[quote_note(lang)], paper=3, howto=howto)


def storyline_table(ctx: Context) -> Table:
    line = ctx.result.storyline
    lang = ctx.lang
    note = t(lang, "研究者已修改" if line.edited else "gtcode 生成的骨架，可用 --edit storyline 改写",
             "edited by the researcher" if line.edited else
             "skeleton generated by gtcode; rewrite it with --edit storyline")
    return Table("storyline", t(lang, "故事线", "Storyline"), t(lang, "故事线", "Storyline"),
                 [t(lang, "故事线", "Storyline")], ["text"], [[line.text]], howto=[note],
                 text=line.text)


def reach_table(ctx: Context) -> Table:
    """Each main category's reach, centrality and tie to the core."""
    lang = ctx.lang
    rows = [[ctx.name(r.id), r.cases, r.share * 100, r.segments, r.degree, r.centrality,
             r.strength, r.betweenness, r.core_tie or "—", ctx.memo("code", r.id)]
            for r in ctx.result.reach]
    headers = [t(lang, "主范畴", "Main category"), t(lang, "受访者数", "Respondents"),
               t(lang, "受访者占比", "Share of respondents"), t(lang, "参考点数", "References"),
               t(lang, "共现范畴数", "Co-occurring categories"),
               t(lang, "度中心性", "Degree centrality"), t(lang, "加权度（Jaccard 和）",
                                                        "Strength (sum of Jaccard)"),
               t(lang, "中介中心性", "Betweenness"), t(lang, "与核心范畴的关系", "Tie to the core"),
               t(lang, "备忘录", "Memo")]
    core = ctx.data.hierarchy.core()
    notes = [t(lang, f"核心范畴：{core.label(lang)}" if core else "核心范畴：未设定",
               f"Core category: {core.label(lang)}" if core else "Core category: none"),
             t(lang, "共现网络：同一片段（话轮）内同时编码的主范畴相连，权重为 Jaccard 系数。",
               "Network: main categories coded in the same segment (turn) are linked, weighted "
               "by Jaccard.")]
    return Table("reach", t(lang, "主范畴分析", "Main categories"),
                 t(lang, "主范畴的覆盖面与中心性", "Reach and centrality of the main categories"),
                 headers, ["text", "int", "pct", "int", "int", "float", "float", "float", "text",
                           "text"], rows, notes=notes, paper=9)


# -- saturation ------------------------------------------------------------------------

def holdout_table(ctx: Context) -> Table | None:
    """理论饱和度检验: per held-out interview, new concepts, where they fit, new categories."""
    lang, held = ctx.lang, ctx.result.saturation.holdout
    if held is None:
        return None
    sep = "；" if lang == "zh" else "; "
    rows = []
    for item in held.interviews:
        new = sep.join(ctx.numbered(n.concept) for n in item.new_concepts) or t(lang, "无", "none")
        fits = sep.join(f"{ctx.name(n.concept)} → {ctx.name(n.subcategory)} / "
                        f"{ctx.name(n.category)}" for n in item.new_concepts) or "—"
        rows.append([item.case, new, fits, _novelty(ctx, item)])
    verdict = t(lang, "通过" if held.passed else "未通过", "passed" if held.passed else "failed")
    rows.append([t(lang, "检验结论", "Result"), "", "", verdict])
    headers = [t(lang, "预留样本编号", "Held-out interview"),
               t(lang, "新提取概念", "New concepts"),
               t(lang, "归入的既有范畴", "Existing categories they fit"),
               t(lang, "是否形成新范畴/新关系", "New category / relation?")]
    join = "、" if lang == "zh" else ", "
    notes = [t(lang, f"模型构建样本（{len(held.building)}份）：{join.join(held.building)}；"
                     f"预留样本（{len(held.held)}份）：{join.join(held.held)}。",
               f"Model built on {len(held.building)} interviews: {join.join(held.building)}; "
               f"held out {len(held.held)}: {join.join(held.held)}."),
             t(lang, "预留样本沿用本研究的既有编码（同一编码规则与人工决定），因而无需重新编码。"
                     "未形成新的副范畴、主范畴或主范畴间新关系即为通过；能归入既有范畴的新概念不影响通过。"
                     "新关系：两个主范畴在预留样本的同一片段中同时编码，而在建模样本的任何片段中从未同时编码。",
               "The held-out interviews keep the study's codings (same rules, same human "
               "decisions), so no re-coding is needed. The test passes when no new subcategory, "
               "main category or relation appears; new concepts that fit existing categories are "
               "allowed. " + held.rule + "."), counted_note(ctx)]
    return Table("holdout", t(lang, "饱和度检验", "Hold-out test"),
                 t(lang, "理论饱和度检验", "Theoretical saturation test (hold-out)"), headers,
                 ["text"] * 4, rows, notes=notes)


def _novelty(ctx: Context, item) -> str:
    lang = ctx.lang
    parts = []
    sep = "、" if lang == "zh" else ", "
    if item.new_categories:
        parts.append(t(lang, "新主范畴：", "new main category: ")
                     + sep.join(ctx.name(c) for c in item.new_categories))
    if item.new_subcategories:
        parts.append(t(lang, "新副范畴：", "new subcategory: ")
                     + sep.join(ctx.name(c) for c in item.new_subcategories))
    if item.unplaced:
        parts.append(t(lang, "无法归入既有范畴：", "fits no category: ")
                     + sep.join(ctx.name(c) for c in item.unplaced))
    if item.new_relations:
        parts.append(t(lang, "新关系：", "new relation: ")
                     + sep.join(f"{ctx.name(a)}—{ctx.name(b)}" for a, b in item.new_relations))
    if not parts:
        return t(lang, "否", "no")
    return t(lang, "是（", "yes (") + ("；" if lang == "zh" else "; ").join(parts) + \
        t(lang, "）", ")")


def curve_table(ctx: Context) -> Table:
    """New concepts per interview in collection order, with the permutation band."""
    lang, curve = ctx.lang, ctx.result.saturation.curve
    band = curve.band
    sep = "；" if lang == "zh" else "; "
    order = {code: i for i, code in enumerate(ctx.data.hierarchy.nodes)}
    rows = [[i + 1, case, curve.counts[i], curve.cumulative[i], band.median[i], band.lower[i],
             band.upper[i], sep.join(ctx.numbered(c) for c in sorted(
                 curve.new[i], key=lambda c: (order.get(c, len(order)), c)))]
            for i, case in enumerate(curve.cases)]
    headers = [t(lang, "访谈顺序", "Order"), t(lang, "受访者编号", "Respondent"),
               t(lang, "新概念数", "New concepts"), t(lang, "累计概念数", "Cumulative"),
               t(lang, "随机顺序中位数", "Median over random orders"),
               t(lang, "95%区间下限", "95% band, lower"), t(lang, "95%区间上限", "95% band, upper"),
               t(lang, "新增概念", "Concepts added")]
    notes = [t(lang, f"随机顺序：{band.permutations} 次置换（numpy 种子 {band.seed}），"
                     "给出累计概念数的中位数与 2.5%/97.5% 分位数。",
               f"Random orders: {band.permutations} permutations (numpy seed {band.seed}); median "
               "and 2.5/97.5 percentiles of the cumulative count."), counted_note(ctx)]
    return Table("curve", t(lang, "新概念曲线", "New-concept curve"),
                 t(lang, "各访谈新增概念数（按访谈顺序）", "New concepts per interview (collection order)"),
                 headers, ["int", "text", "int", "int", "dec1", "dec1", "dec1", "text"], rows,
                 notes=notes, paper=7)


def guest_table(ctx: Context) -> Table:
    """Guest, Namey & Chen (2020): parameters, saturation point and confirmation."""
    lang, g = ctx.lang, ctx.result.saturation.curve.guest
    yes, no = t(lang, "是", "yes"), t(lang, "否", "no")
    point = (t(lang, f"第{g.saturation_point}份访谈", f"interview {g.saturation_point}")
             if g.reached else t(lang, "未达到", "not reached"))
    confirmed = (t(lang, f"第{g.saturation_point + 1}–{g.confirmed_through}份访谈",
                   f"interviews {g.saturation_point + 1}–{g.confirmed_through}")
                 if g.reached else "—")
    later = "—" if g.later_runs_pass is None else (yes if g.later_runs_pass else no)
    rows = [[t(lang, "基础样本量（base）", "Base size"), g.base],
            [t(lang, "运行长度（run）", "Run length"), g.run],
            [t(lang, "新信息阈值", "New-information threshold"), f"≤{g.threshold:.0%}"],
            [t(lang, "步长", "Step"), g.step],
            [t(lang, "基础概念数", "Unique concepts in the base"), g.base_total],
            [t(lang, "饱和点", "Saturation point"), point],
            [t(lang, "确认区间", "Confirmed by"), confirmed],
            [t(lang, "确认后新增概念数", "New concepts after the confirming run"),
             "—" if g.new_after is None else g.new_after],
            [t(lang, "其后各运行均不超过阈值", "Every later run within the threshold"), later]]
    for w in g.windows:
        rows.append([t(lang, f"运行 {w.start}–{w.end}", f"Run {w.start}–{w.end}"),
                     f"{w.new}/{g.base_total} = {percent(w.ratio, 1)} " + (yes if w.passed else no)])
    notes = [guest_reason(g, lang)] if g.reason else []
    notes.append(t(lang, "饱和点 = 首个新信息比例不超过阈值的运行之前的那份访谈；比例 = 运行中的新概念数 / 基础概念数。",
                   g.convention))
    return Table("guest", t(lang, "Guest饱和度", "Guest saturation"),
                 t(lang, "饱和度评估（Guest, Namey & Chen, 2020）",
                   "Saturation assessment (Guest, Namey & Chen 2020)"),
                 [t(lang, "项目", "Item"), t(lang, "结果", "Result")], ["text", "text"],
                 [[str(a), b if isinstance(b, str) else b] for a, b in rows], notes=notes)


def guest_reason(g, lang: str) -> str:
    """Why Guest et al. could not be assessed, in ``lang``."""
    if lang == "en":
        return g.reason
    if g.interviews < g.base + g.run:
        return f"访谈数（{g.interviews}）少于基础样本量与运行长度之和（{g.base + g.run}），无法评估。"
    return "基础访谈中没有编码的概念，无法评估。"
