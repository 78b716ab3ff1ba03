"""A tiny hand-built study for the axial/selective/saturation/table tests.

Codebook (core → categories → subcategories → concepts)::

    core 压力驱动型腐败 (Pressure-driven corruption)
      res  资源压力 (Resource pressure)     paradigm causal
        res.funds     争取资金  → res.funds.project 跑项目, res.funds.gift 送礼
        res.approval  审批受阻  → res.approval.blocked 卡着不批
      fav  人情压力 (Favour pressure)       paradigm causal
        fav.kin       亲属请托  → fav.kin.ask 亲戚找上门
      eco  经济压力 (Economic pressure)     (no role) → eco.debt 欠债 (directly)
      act  腐败行为 (Corrupt acts)          paradigm phenomenon → act.take 收钱 (directly)

Four interviews S1–S4 (cases, in that order; attribute level 村级/乡镇级),
each with an interviewer turn (coded with res.funds.project: must never
count) and respondent turns coded as below (R = rule suggestion with
evidence, H = human accepted, X = rule suggestion a human rejected)::

    S1 #2  res.funds.project R[跑项目] + fav.kin.ask R[亲戚]
       #4  res.funds.gift R[送礼, 红包] + res.funds.project H
       #5  eco.debt R[欠债]
    S2 #2  res.approval.blocked R[卡着]  + act.take R[收钱]
       #3  fav.kin.ask R[亲戚] + eco.debt X (rejected: does not count)
    S3 #2  res.funds.project H + res.funds.project R[跑项目]   (one reference)
       #3  fav.kin.ask R[亲戚]
    S4 #2  eco.debt R[欠债] + act.take R[收钱]
       #3  (no code)

Hand counts (respondent segments only; 9 respondent segments, 4 cases):
references per main category: res 4 (S1#2, S1#4, S2#2, S3#2), fav 3, eco 2, act 2.
"""

from __future__ import annotations

import json
from pathlib import Path

from gtcode.codebook import Code, Codebook, dump_codebook
from gtcode.store import open_coding as oc
from gtcode.store import sources as src
from gtcode.store.codes import CodeRow, sync_codebook_codes
from gtcode.store.project import Study
from gtcode.transcripts.model import Document, Segment

CODES = [
    Code(id="core", name="压力驱动型腐败", name_en="Pressure-driven corruption", level="core"),
    Code(id="res", name="资源压力", name_en="Resource pressure", level="category",
         parent="core", paradigm="causal", definition="为办成事而向上争取资源的压力。",
         memo="资源压力多见于村干部。"),
    Code(id="res.funds", name="争取资金", name_en="Chasing funds", level="subcategory",
         parent="res", definition="向上级争取项目和资金。"),
    Code(id="res.funds.project", name="跑项目", name_en="Chasing projects", level="concept",
         parent="res.funds"),
    Code(id="res.funds.gift", name="送礼", name_en="Gifts", level="concept", parent="res.funds"),
    Code(id="res.approval", name="审批受阻", name_en="Blocked approval", level="subcategory",
         parent="res", definition="审批被上级卡住。"),
    Code(id="res.approval.blocked", name="卡着不批", name_en="Held up", level="concept",
         parent="res.approval"),
    Code(id="fav", name="人情压力", name_en="Favour pressure", level="category", parent="core",
         paradigm="causal", definition="来自关系网络的请托。"),
    Code(id="fav.kin", name="亲属请托", name_en="Requests from kin", level="subcategory",
         parent="fav", definition="亲戚上门求办事。"),
    Code(id="fav.kin.ask", name="亲戚找上门", name_en="Relatives ask", level="concept",
         parent="fav.kin"),
    Code(id="eco", name="经济压力", name_en="Economic pressure", level="category",
         parent="core", definition="收入低、开销大。"),
    Code(id="eco.debt", name="欠债", name_en="Debt", level="concept", parent="eco"),
    Code(id="act", name="腐败行为", name_en="Corrupt acts", level="category", parent="core",
         paradigm="phenomenon", definition="收受财物。"),
    Code(id="act.take", name="收钱", name_en="Taking money", level="concept", parent="act"),
]

# (case, level, [(role, text, [(code, kind, terms)])]); kind R rule, H human, X rejected rule
INTERVIEWS = [
    ("S1", "村级", [
        ("interviewer", "问：跑项目难吗？", [("res.funds.project", "R", ["跑项目"])]),
        ("respondent", "要去县里跑项目，亲戚也来找。", [("res.funds.project", "R", ["跑项目"]),
                                              ("fav.kin.ask", "R", ["亲戚"])]),
        ("interviewer", "问：后来呢？", []),
        ("respondent", "过年要送礼，包红包。", [("res.funds.gift", "R", ["送礼", "红包"]),
                                         ("res.funds.project", "H", [])]),
        ("respondent", "家里还欠债。", [("eco.debt", "R", ["欠债"])]),
    ]),
    ("S2", "乡镇级", [
        ("interviewer", "问：审批顺利吗？", []),
        ("respondent", "上面卡着不批，我就收钱了。", [("res.approval.blocked", "R", ["卡着"]),
                                             ("act.take", "R", ["收钱"])]),
        ("respondent", "亲戚来求我，我也欠债。", [("fav.kin.ask", "R", ["亲戚"]),
                                          ("eco.debt", "X", ["欠债"])]),
    ]),
    ("S3", "村级", [
        ("interviewer", "问：项目呢？", []),
        ("respondent", "年年都要跑项目。", [("res.funds.project", "H", []),
                                     ("res.funds.project", "R", ["跑项目"])]),
        ("respondent", "亲戚的事推不掉。", [("fav.kin.ask", "R", ["亲戚"])]),
    ]),
    ("S4", "乡镇级", [
        ("interviewer", "问：钱的问题呢？", []),
        ("respondent", "欠债太多，只好收钱。", [("eco.debt", "R", ["欠债"]),
                                         ("act.take", "R", ["收钱"])]),
        ("respondent", "别的没什么。", []),
    ]),
]


def codebook() -> Codebook:
    return Codebook(name="tiny", version="1", language="zh", codes=CODES)


def build_study(path: Path, interviews=INTERVIEWS,
                languages: dict[str, str] | None = None) -> tuple[Study, Codebook]:
    """Create the study in ``path`` with sources, segments, cases, codings.

    ``languages`` gives a source language per case (default zh).
    """
    book = codebook()
    study = Study.create(Path(path))
    dump_codebook(book, study.codebook_path)
    with study.write():
        rows = [CodeRow(c.id, c.parent, c.level, c.name, c.name_en, c.color, c.definition,
                        c.paradigm, i, "codebook") for i, c in enumerate(book.codes, start=1)]
        sync_codebook_codes(study.conn, rows, codebook_hash=book.hash, name=book.name,
                            version=book.version, path=None)
        study.set_meta("codebook_hash", book.hash)
        ids = src.set_attribute_types(study.conn, {"level": "text"})
        oc.ensure_coder(study.conn, "gtcode-rules", "rule")
        oc.ensure_coder(study.conn, "ana", "human")
        for case, level, turns in interviews:
            _add_interview(study, book, case, level, turns, ids["level"],
                           (languages or {}).get(case, "zh"))
    return study, book


def _add_interview(study: Study, book: Codebook, case: str, level: str, turns,
                   level_id: int, language: str) -> None:
    conn = study.conn
    text, segments, offset = "", [], 0
    for idx, (role, utterance, _) in enumerate(turns, start=1):
        segments.append(Segment(idx, offset, offset + len(utterance), role[0].upper(), role, idx))
        text += utterance + "\n"
        offset = len(text)
    doc = Document(name=f"{case}.txt", path=Path(f"{case}.txt"), kind="txt", text=text,
                   encoding="utf-8", raw_hash=case)
    source_id = src.insert_source(conn, doc, case, metadata={}, language=language,
                                   case_id=None)
    case_id = src.ensure_case(conn, case)
    src.assign_case(conn, source_id, case_id)
    src.set_case_attribute(conn, case_id, level_id, level)
    src.replace_segments(conn, source_id, segments)
    seg_ids = {idx: sid for sid, idx in conn.execute(
        "SELECT id, idx FROM segments WHERE source_id = ?", (source_id,))}
    for (idx, (_, _, codings)), seg in zip(enumerate(turns, start=1), segments):
        for code, kind, terms in codings:
            _code(conn, book, source_id, seg_ids[idx], seg, code, kind, terms)


def _code(conn, book, source_id, segment_id, seg, code, kind, terms) -> None:
    evidence = json.dumps([{"term": t, "start": 0, "end": len(t)} for t in terms],
                          ensure_ascii=False)
    if kind in "RX":
        oc.start_rule_run(conn, book.hash)
        oc.insert_rule_codings(conn, [(segment_id, code, evidence)])
    if kind in "HX":
        oc.insert_human_coding(conn, source_id=source_id, segment_id=segment_id,
                               start=seg.start, end=seg.end, code_id=code, coder="ana",
                               status="accepted" if kind == "H" else "rejected",
                               codebook_hash=book.hash)
