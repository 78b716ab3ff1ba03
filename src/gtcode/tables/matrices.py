"""The matrices of axial coding as tables, the memo and about sheets, and the whole set.

:func:`build_tables` is the one call the workbook, the Word document and the
CLI use: it reads the study once and returns every table in print order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

from gtcode._version import __version__
from gtcode.codebook import Codebook
from gtcode.coding.axial import (
    CodedStudy,
    cooccurrence,
    load_coded_study,
    percentages,
    relations,
    study_matrix,
)
from gtcode.coding.memos import list_memos, target_label
from gtcode.coding.proposals import Proposal, study_proposals
from gtcode.coding.quotes import DEFAULT_LIMIT
from gtcode.coding.selective import (
    SaturationOptions,
    SelectiveResult,
    selective,
    stored_options,
)
from gtcode.coding.storyline import LINK_NAMES
from gtcode.store.analysis import storyline_rows, text_before
from gtcode.store.project import Study
from gtcode.tables import paper as pt
from gtcode.tables.machine import machine_table
from gtcode.tables.paper import Context, Table, t

CELL_NAMES = {"references": ("参考点", "references"), "presence": ("覆盖", "presence"),
              "characters": ("字符数", "characters"), "words": ("字数", "words")}


def matrix_table(ctx: Context, frame: pd.DataFrame, *, key: str, sheet: str, caption: str,
                 kind: str = "int", rows_label: str | None = None, totals: bool = True,
                 case_memos: bool = False, docx: bool = False) -> Table:
    """A DataFrame (rows × code ids) as a table with names, totals and memos."""
    lang = ctx.lang
    headers = [rows_label or t(lang, "受访者编号", "Respondent"),
               *(ctx.name(c) for c in frame.columns)]
    kinds = ["text", *([kind] * len(frame.columns))]
    rows = [[str(index), *(_value(v, kind) for v in values)]
            for index, values in zip(frame.index, frame.to_numpy().tolist())]
    if totals:
        headers.append(t(lang, "合计", "Total"))
        kinds.append(kind)
        for row in rows:
            row.append(sum(row[1:]))
        rows.append([t(lang, "合计", "Total"), *(_value(v, kind) for v in frame.sum(axis=0)),
                     _value(frame.to_numpy().sum(), kind)])
    if case_memos:
        headers.append(t(lang, "备忘录", "Memo"))
        kinds.append("text")
        for row in rows:
            row.append(ctx.memo("case", row[0]))
    return Table(key, sheet, caption, headers, kinds, rows, docx=docx,
                 paper=len(headers) - (1 if case_memos else 0))


def _value(value: object, kind: str) -> object:
    return float(value) if kind in ("pct", "float") else int(value)


def matrix_tables(ctx: Context) -> list[Table]:
    """Code × case matrices: each cell kind by case, percentages, and by each attribute."""
    lang, data, tables = ctx.lang, ctx.data, []
    for cell, (zh, en) in CELL_NAMES.items():
        frame = study_matrix(data, cell=cell)
        tables.append(matrix_table(
            ctx, frame, key=f"matrix_{cell}", sheet=t(lang, f"矩阵-{zh}", f"Matrix-{en}"),
            caption=t(lang, f"主范畴×受访者矩阵（{zh}）", f"Main categories × respondents ({en})"),
            case_memos=True, docx=cell == "references"))
    refs = study_matrix(data, cell="references")
    for axis, zh, en in (("row", "行百分比", "row %"), ("column", "列百分比", "column %")):
        tables.append(matrix_table(
            ctx, percentages(refs, axis), key=f"matrix_{axis}_pct", kind="pct",
            sheet=t(lang, f"矩阵-{zh}", f"Matrix-{en.replace(' %', ' pct')}"),
            caption=t(lang, f"主范畴×受访者矩阵（参考点{zh}）", f"Main categories × respondents "
                      f"(references, {en})"), totals=False, case_memos=False))
    for attribute in grouping_attributes(data):
        frame = study_matrix(data, cell="references", by=attribute)
        tables.append(matrix_table(
            ctx, frame, key=f"matrix_by_{attribute}", rows_label=attribute,
            sheet=t(lang, f"矩阵-{attribute}", f"Matrix-{attribute}"),
            caption=t(lang, f"主范畴×{attribute}矩阵（参考点）",
                      f"Main categories × {attribute} (references)")))
    return tables


def grouping_attributes(data: CodedStudy) -> list[str]:
    """Case attributes that group cases: at least 2 values, fewer values than cases."""
    found = []
    for name in data.attribute_types:
        values = {data.attributes.get(case, {}).get(name) for case in data.cases}
        if 2 <= len(values) < len(data.cases):
            found.append(name)
    return found


def cooccurrence_tables(ctx: Context) -> list[Table]:
    """Category co-occurrence within segments and within cases: counts and Jaccard."""
    lang, tables = ctx.lang, []
    for unit, zh, en in (("segment", "片段", "segments"), ("case", "个案", "cases")):
        co = cooccurrence(ctx.data, unit=unit)
        for measure, kind in (("count", "int"), ("jaccard", "float")):
            frame = pd.DataFrame(co.matrix(measure), index=list(co.codes), columns=list(co.codes))
            frame.index = [ctx.name(c) for c in frame.index]
            label = t(lang, "频次", "counts") if measure == "count" else "Jaccard"
            tables.append(matrix_table(
                ctx, frame, key=f"cooc_{unit}_{measure}", kind=kind, totals=False,
                rows_label=t(lang, "主范畴", "Main category"),
                sheet=t(lang, f"共现-{zh}{'' if measure == 'count' else 'Jaccard'}",
                        f"Co-occurrence-{en}{'' if measure == 'count' else '-Jaccard'}"),
                caption=t(lang, f"主范畴共现矩阵（同一{zh}内，{label}）",
                          f"Co-occurrence of main categories within {en} ({label})"),
                docx=unit == "segment"))
    tables[0].notes.append(t(lang, "对角线为编码该范畴的片段数（或个案数）；Jaccard 即 ATLAS.ti 的 c 系数 "
                                   "n12/(n1+n2−n12)。", "The diagonal holds the units coded with "
                                   "each category; Jaccard equals ATLAS.ti's c-coefficient "
                                   "n12/(n1+n2−n12)."))
    return tables


def relations_table(ctx: Context) -> Table:
    """Candidate relations: paradigm links and co-occurring pairs with every measure."""
    lang = ctx.lang
    seg = cooccurrence(ctx.data, unit="segment")
    basis = {"paradigm": t(lang, "范式模型", "paradigm model"),
             "cooccurrence": t(lang, "共现", "co-occurrence")}
    labels = {**LINK_NAMES[lang], "co-occurs with": t(lang, "共现", "co-occurs with")}
    rows = []
    for r in relations(ctx.data):
        rows.append([ctx.name(r.source), ctx.name(r.target), basis[r.kind],
                     labels.get(r.label, r.label), r.segments,
                     r.jaccard, r.value("dice"), r.value("ochiai"), r.value("overlap"),
                     r.value("lift"), r.value("phi"), r.cases, r.case_jaccard])
    headers = [t(lang, "范畴A", "Category A"), t(lang, "范畴B", "Category B"),
               t(lang, "依据", "Basis"), t(lang, "关系", "Relation"),
               t(lang, "片段共现数", "Segments together"), "Jaccard", "Dice", "Ochiai",
               t(lang, "重叠系数", "Overlap"), "Lift", "Phi",
               t(lang, "个案共现数", "Cases together"), t(lang, "个案 Jaccard", "Case Jaccard")]
    notes = [t(lang, f"共现只是关系的证据而非结论；N = {seg.n} 个受访者片段（Lift、Phi 以此为总数）。",
               f"Co-occurrence is evidence for a relation, not a finding; N = {seg.n} "
               "respondent segments (the total for lift and phi).")]
    return Table("relations", t(lang, "范畴关系", "Relations"),
                 t(lang, "范畴间的候选关系", "Candidate relations between categories"), headers,
                 ["text"] * 4 + ["int"] + ["float"] * 6 + ["int", "float"], rows, notes=notes,
                 docx=False)


def memo_table(ctx: Context, memos) -> Table:
    lang = ctx.lang
    rows = [[m.id, target_label(m), m.title or "", m.text, m.author, m.origin, m.created_at]
            for m in memos]
    headers = ["ID", t(lang, "对象", "Target"), t(lang, "标题", "Title"), t(lang, "内容", "Text"),
               t(lang, "作者", "Author"), t(lang, "来源", "Origin"), t(lang, "时间（UTC）",
                                                                      "Time (UTC)")]
    return Table("memos", t(lang, "备忘录", "Memos"), t(lang, "备忘录", "Memos"), headers,
                 ["int"] + ["text"] * 6, rows, docx=False)


def about_table(ctx: Context, study: Study, book: Codebook,
                options: SaturationOptions) -> Table:
    lang = ctx.lang
    rows = [[t(lang, "研究", "Study"), study.path.name],
            [t(lang, "编码手册", "Codebook"), f"{book.name} {book.version}"],
            [t(lang, "编码手册哈希", "Codebook hash"), book.hash],
            [t(lang, "受访者（个案）数", "Cases"), len(ctx.data.cases)],
            [t(lang, "受访者片段数", "Respondent segments"), len(ctx.data.segments)],
            [t(lang, "编码参考点数（片段×概念）", "References (segment × concept)"),
             len(ctx.data.references)],
            [t(lang, "计数规则", "What counts"), t(
                lang, "有效编码（人工决定优先于规则建议），仅受访者与未知角色的话轮；一个片段对一个编码计一个参考点。",
                "Effective codings (human decisions outrank rule suggestions), respondent and "
                "unknown-role turns only; a segment counts once per code.")],
            [t(lang, "预留样本", "Hold-out"), str(options.holdout_cases or options.holdout
                                                  or t(lang, "最后三分之一", "last third"))],
            [t(lang, "随机种子", "Seed"), options.seed],
            [t(lang, "置换次数", "Permutations"), options.permutations],
            [t(lang, "生成工具", "Made by"), f"gtcode {__version__}"]]
    return Table("about", t(lang, "说明", "About"), t(lang, "说明", "About"),
                 [t(lang, "项目", "Item"), t(lang, "内容", "Value")], ["text", "text"],
                 [[a, str(b)] for a, b in rows], docx=False)


@dataclass
class TableSet:
    """Every table, in print order, with the inputs they came from."""

    tables: list[Table]
    data: CodedStudy
    result: SelectiveResult
    lang: str
    quoted: frozenset[int] = frozenset()
    #: the study's proposed concepts (open table, report, saturation)
    proposals: tuple[Proposal, ...] = ()


def build_tables(study: Study, book: Codebook, *, lang: str | None = None,
                 options: SaturationOptions | None = None,
                 quote_limit: int = DEFAULT_LIMIT) -> TableSet:
    """Read the study once and build every table (headings in ``lang``: zh or en).

    ``lang`` defaults to the codebook's language; ``options`` to those of the
    last ``gtcode selective`` run. Nothing is written; run selective coding
    first to store the storyline texts.
    """
    lang = "en" if (lang or book.language or "zh").startswith("en") else "zh"
    options = options or stored_options(study)
    return study.remember(("tables", book.hash, lang, options, quote_limit),
                          lambda: _build_tables(study, book, lang, options, quote_limit))


def _build_tables(study: Study, book: Codebook, lang: str, options: SaturationOptions,
                  quote_limit: int) -> TableSet:
    data = load_coded_study(study, book)
    proposals = study_proposals(study)
    result = selective(data, storyline_rows(study.conn), lang=lang, options=options,
                       quote_limit=quote_limit, proposals=proposals)
    memos = list_memos(study)
    ctx = pt.make_context(data, result, memos, lang, proposals,
                          functools.partial(text_before, study.conn))
    tables = [pt.open_table(ctx), pt.axial_table(ctx), pt.paradigm_table(ctx),
              pt.selective_table(ctx), pt.storyline_table(ctx), pt.reach_table(ctx),
              pt.holdout_table(ctx), pt.guest_table(ctx), pt.curve_table(ctx),
              *matrix_tables(ctx), *cooccurrence_tables(ctx), relations_table(ctx),
              machine_table(study, book, lang), memo_table(ctx, memos),
              about_table(ctx, study, book, options)]
    found = [table for table in tables if table is not None]
    _unique_sheets(found)
    return TableSet(found, data, result, lang, frozenset(ctx.used), tuple(proposals))


def _unique_sheets(tables: list[Table]) -> None:
    """Make sheet names valid for Excel (≤31 characters, no []:*?/\\) and unique."""
    seen: set[str] = set()
    for table in tables:
        name = re.sub(r"[\[\]:*?/\\]", "_", table.sheet).strip("'")[:31] or table.key[:31]
        base, n = name, 2
        while name.lower() in seen:
            suffix = f"~{n}"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        seen.add(name.lower())
        table.sheet = name
