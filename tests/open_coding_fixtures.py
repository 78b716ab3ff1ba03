"""Small codebooks and studies built in tmp_path for the open-coding tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gtcode.codebook import load_codebook
from gtcode.store import sources as db
from gtcode.transcripts.model import Document, Segment
from gtcode.workspace import init_study

BOOK_YAML = """\
name: 测试编码本
version: "1"
language: zh
codes:
  - id: core
    name: 压力驱动的腐败
    level: core
    children:
      - id: social_favour
        name: 人情世故压力
        name_en: Social favour pressure
        level: category
        children:
          - id: favour.exchange
            name: 人情往来
            level: subcategory
            children:
              - id: favour.renqing
                name: 人情
                name_en: Favours
                level: concept
                definition: 人情往来、礼尚往来。
                rules:
                  terms:
                    zh: [人情, 送礼]
                    en: [favour, red envelope]
                  not:
                    zh: [人情味]
              - id: favour.shigu
                name: 人情世故
                level: concept
                rules:
                  terms:
                    zh: [人情世故]
      - id: economic
        name: 经济刺激压力
        name_en: Economic pressure
        level: category
        children:
          - id: economic.low_pay
            name: 工资低
            level: concept
            rules:
              terms:
                zh: [工资低, 工资太低]
                en: [low salary, bribe]
              regex: ["月薪(才|只有)?[一二三四五两]千"]
          - id: economic.debt
            name: 欠债
            level: concept
            rules:
              terms:
                zh: [欠债]
              boundary: any
"""


def write_book(tmp_path: Path, text: str = BOOK_YAML) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def book(tmp_path: Path, text: str = BOOK_YAML):
    return load_codebook(write_book(tmp_path, text))


def make_study(tmp_path: Path, transcripts: dict[str, list[tuple[str, str]]],
               cases: dict[str, str] | None = None, text: str = BOOK_YAML):
    """A study holding ``{name: [(role, utterance), ...]}``; returns (study, codebook).

    Each turn is one line ``问：...`` (interviewer) or ``答：...`` (respondent),
    so a segment's ``line`` is its turn number.
    """
    study = init_study(tmp_path / "study", write_book(tmp_path, text))
    with study.write() as conn:
        for name, turns in transcripts.items():
            _add_source(conn, name, turns, (cases or {}).get(name))
    return study, load_codebook(study.codebook_path)


def _add_source(conn, name: str, turns: list[tuple[str, str]], case: str | None) -> None:
    text, segments, position = "", [], 0
    for number, (role, utterance) in enumerate(turns, start=1):
        label = "问：" if role == "interviewer" else "答："
        start = position + len(label)
        segments.append(Segment(idx=number, start=start, end=start + len(utterance),
                                speaker=label[0], role=role, line=number))
        line = label + utterance + "\n"
        text += line
        position += len(line)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = Document(name=name, path=Path(name), kind="txt", text=text, encoding="utf-8",
                   raw_hash=digest)
    case_id = db.ensure_case(conn, case or Path(name).stem)
    source_id = db.insert_source(conn, doc, digest, metadata={}, language="zh", case_id=case_id)
    db.replace_segments(conn, source_id, segments)
