"""Agreement among the study's human coders, for the report.

The figures are ``gtcode agree STUDY --coders ...``'s
(:func:`gtcode.reliability.agree.agree_study`): segment units, each concept
as present/absent, only the segments each coder looked at. The report runs it
on every human coder (sheet reviewers and coders imported from NVivo/REFI-QDA)
when there are two or more, and otherwise says there is no agreement data.
"""

from __future__ import annotations

import re

from gtcode.errors import GtcodeError
from gtcode.reliability.agree import AgreeResult, agree_study
from gtcode.store import agreement as db
from gtcode.store.project import Study

#: Coder kinds that are people.
HUMAN_KINDS = ("human", "import")


def human_coders(kinds: dict[str, str], origins: dict[str, set[str]]) -> list[str]:
    """Names of the human coders, sorted: registered as such, or with human/imported codings."""
    found = {name for name, kind in kinds.items() if kind in HUMAN_KINDS}
    found |= {name for name, seen in origins.items()
              if name not in kinds and seen & set(HUMAN_KINDS)}
    return sorted(found)


def study_agreement(study: Study) -> AgreeResult | None:
    """Per-code agreement of the study's human coders; None with fewer than two.

    None also when they looked at no common segment (``agree_study``'s E601).
    """
    coders = human_coders(db.coder_kinds(study.conn), db.coding_origins(study.conn))
    if len(coders) < 2:
        return None
    try:
        return agree_study(study, coders, unit="segment", level="concept")
    except GtcodeError as error:
        if error.code == "E601":
            return None
        raise


_SCOPES_ZH = {"respondent turns": "受访者话轮", "all turns": "话轮（含访谈者话轮）",
              "turns": "话轮", "segments": "段落"}
_OVERALL_ZH = {"pooled": "合并", "unweighted mean": "未加权平均", "weighted mean": "加权平均"}
_WHO = r"(?P<who>.+?)"
#: The agreement notes of :mod:`gtcode.reliability` (English) -> their Chinese wording.
NOTES_ZH: list[tuple[re.Pattern[str], str]] = [(re.compile(p + r"$", re.S), zh) for p, zh in (
    (r"units are (?P<scope>.+?): (?P<n>\d+) interviewer turn\(s\) left out .*",
     "比较单位为{scope}：{n} 个访谈者话轮未计入。"),
    (r"human coders count as having seen the segments they decided \((?P<who>.+?) of "
     r"(?P<b>\d+) (?P<scope>[^;]+); .*",
     "人工编码者只计其作过决定的段落（{who}，共 {b} 个{scope}；审阅表中未作决定的行不计）。"),
    (r"(?P<n>\d+) coding\(s\) that lost their passage on --replace were left out\.",
     "{n} 个编码在替换转写稿后失去对应文字，未计入。"),
    (r"(?P<n>\d+) coding\(s\) overlap no segment .*",
     "{n} 个编码不落在任何段落上（页眉或说话人标签），仅在按字符比较时计入。"),
    (r"(?P<n>\d+) coding\(s\) of codes under no main category were left out at --level "
     r"(?P<level>\w+)\.", "{n} 个编码不属于任何主范畴，按{level}层级比较时未计入。"),
    (r"overall figures: (?P<overall>.+?) over (?P<n>\d+) code\(s\) .*",
     "总体指标：{overall}，基于 {n} 个编码（每个编码在每个单位上按出现/未出现计）。"),
    (r"(?P<n>\d+) unit\(s\) looked at by only one coder were ignored\.",
     "{n} 个只有一位编码者查看过的单位未计入。"),
    (r"(?P<n>\d+) code\(s\) with undefined kappa or alpha were left out of the mean\.",
     "{n} 个 kappa 或 α 无定义的编码未计入平均值。"),
    (r"present/absent data are binary: .*", "出现/未出现为二分数据：各测量层级给出相同的 α。"),
    (_WHO + r": blind \(all (?P<n>\d+) units decided on blind sheets\)\.",
     "{who}：盲审（全部 {n} 个单位在盲审表上决定）。"),
    (_WHO + r": saw machine suggestions \((?P<a>\d+) of (?P<b>\d+) units\)\.",
     "{who}：决定时看到了机器建议（{a}/{b} 个单位）。"),
    (_WHO + r": not recorded whether she saw machine suggestions \((?P<a>\d+) of (?P<b>\d+) .*",
     "{who}：未记录决定时是否看到机器建议（{a}/{b} 个单位）。"),
    (_WHO + r": imported coder: not known whether she saw machine suggestions\.",
     "{who}：从其他软件导入的编码者，无从得知是否看到机器建议。"),
    (_WHO + r": machine coder\.", "{who}：机器编码者。"),
    (r"not a reliability test: " + _WHO + r" (?:decided with|saw, or may have seen).*?, so "
     r"agreement with (?P<machines>.+?) measures .*",
     "这不是信度检验：{who}决定时看到了（或可能看到了）机器建议，与{machines}的一致性衡量的是对建议的接受程度，"
     "而非编码者间信度；信度检验需让编码者在盲审表上独立编码。"),
    (_WHO + r" all saw the same machine suggestions when deciding: .*",
     "{who}决定时都看到了相同的机器建议，一致性可能因此偏高（锚定效应）；盲审表可得到相互独立的编码者。"),
    (r"whether " + _WHO + r" saw the machine's suggestions is not known to gtcode .*",
     "{who}是否看到机器建议无从得知（在其他软件中编码）。"),
)]


def note_in(note: str, lang: str) -> str:
    """An agreement note in the report's language (English notes are the library's own)."""
    if lang == "en":
        return note
    for pattern, zh in NOTES_ZH:
        match = pattern.match(note)
        if match:
            values = {k: _SCOPES_ZH.get(v, _OVERALL_ZH.get(v, v)) for k, v in
                      match.groupdict().items()}
            values["who"] = values.get("who", "").replace(" and ", "、").replace(", ", "、")
            return zh.format(**values)
    return note
