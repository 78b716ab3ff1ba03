"""A small coded study for the REFI-QDA and NVivo tests, and a way to compare studies.

The study has Chinese and English sources holding emoji and CJK Extension B
characters (one source arrives with CRLF line ends), a four-level codebook,
human, imported and rule codings (one rule suggestion rejected), typed case
attributes, memos on every kind of target, and sets.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from gtcode.importer import import_files
from gtcode.store import refi as rdb
from gtcode.store import sources as db
from gtcode.store.codes import list_codes
from gtcode.store.memos import insert_memo
from gtcode.store.project import Study
from gtcode.workspace import init_study

REPO = Path(__file__).resolve().parents[1]

CODEBOOK = """\
name: 测试编码手册
version: "1"
language: zh
codes:
  - id: pressure
    name: 压力驱动的基层腐败
    level: core
  - id: resource
    name: 资源压力
    name_en: Resource pressure
    level: category
    parent: pressure
    definition: 资源不足带来的压力
    include: 提到经费、项目
    exclude: 个人收入
    color: "#FF0000"
    paradigm: causal
  - id: resource.funding
    name: 经费短缺
    level: subcategory
    parent: resource
  - id: resource.funding.gap
    name: 缺钱 😀
    level: concept
    parent: resource.funding
    rules:
      terms:
        zh: [缺钱, 没钱]
  - id: social
    name: 人情压力
    level: category
    parent: pressure
    color: "#00AA00"
  - id: social.favour
    name: 人情往来 𠀀
    level: concept
    parent: social
"""

S01 = "问：你最近怎么样😀？\n答：我们村里缺钱，𠀀项目很难批。\n问：还有呢？\n答：人情往来太多了👍，没办法。\n"
S02 = "问：说说看。\r\n答：经费𠀁不够，只能找关系。\r\n问：然后呢？\r\n答：就这样。\r\n"
E01 = "Q: How are things?\nA: We lack money 😀 for projects.\n"


def write_sources(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in (("S01.txt", S01), ("S02.txt", S02), ("E01.txt", E01)):
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def build_study(tmp_path: Path, name: str = "study") -> Study:
    """Create and fill the test study under ``tmp_path/name``."""
    book = tmp_path / "codebook-src.yaml"
    book.write_text(CODEBOOK, encoding="utf-8")
    study = init_study(tmp_path / name, book)
    import_files(study, write_sources(tmp_path / "transcripts"))
    with study.write() as conn:
        _codings(conn)
        _cases(conn)
        _memos(conn)
        rdb.insert_set(conn, "关键概念", "核心的概念", None,
                       [("code", "resource.funding.gap"), ("code", "social.favour")])
        rdb.insert_set(conn, "中文访谈", None, None, [("source", "S01.txt"),
                                                     ("source", "S02.txt")])
    return study


def _segment(conn, source: str, idx: int) -> tuple[int, int, int, int]:
    row = conn.execute("SELECT g.id, g.start, g.end, s.id FROM segments g JOIN sources s "
                       "ON s.id = g.source_id WHERE s.name = ? AND g.idx = ?",
                       (source, idx)).fetchone()
    return tuple(row)


def add_coding(conn, source: str, idx: int, code: str, coder: str, *, origin: str = "human",
               status: str = "accepted", start: int | None = None, end: int | None = None,
               segment: bool = True) -> None:
    seg_id, seg_start, seg_end, source_id = _segment(conn, source, idx)
    start = seg_start if start is None else start
    end = seg_end if end is None else end
    conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, "
                 "status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (source_id, seg_id if segment else None, start, end, code, origin, coder, status,
                  "2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z"))


def _codings(conn) -> None:
    text = conn.execute("SELECT text FROM sources WHERE name = 'S01.txt'").fetchone()[0]
    gap = text.index("缺钱")
    ext_b = text.index("𠀀")
    add_coding(conn, "S01.txt", 2, "resource.funding.gap", "alice")
    add_coding(conn, "S01.txt", 2, "resource.funding.gap", "bob", start=gap, end=gap + 2)
    add_coding(conn, "S01.txt", 2, "resource", "bob", start=ext_b, end=ext_b + 5)
    add_coding(conn, "S01.txt", 4, "social.favour", "alice")
    add_coding(conn, "S01.txt", 4, "social.favour", "gtcode-rules", origin="rule",
               status="suggested")
    add_coding(conn, "S02.txt", 2, "resource.funding.gap", "gtcode-rules", origin="rule",
               status="suggested")  # rejected below: must not be exported
    add_coding(conn, "S02.txt", 2, "resource.funding.gap", "alice", status="rejected")
    add_coding(conn, "S02.txt", 2, "social.favour", "gtcode-rules", origin="rule",
               status="suggested")
    add_coding(conn, "S02.txt", 1, "resource.funding", "carol", start=0, segment=False,
               end=_segment(conn, "S02.txt", 2)[2])  # spans two turns, no segment
    add_coding(conn, "E01.txt", 2, "resource.funding.gap", "alice")
    for name, kind in (("alice", "human"), ("bob", "human"), ("carol", "human"),
                       ("gtcode-rules", "rule")):
        conn.execute("INSERT OR IGNORE INTO coders(name, kind) VALUES (?, ?)", (name, kind))


def _cases(conn) -> None:
    ids = db.set_attribute_types(conn, {"年龄": "integer", "性别": "text", "党员": "boolean",
                                        "入职": "date", "得分": "float"})
    values = {"S01": ("45", "女", "true", "2001-09-01", "3.5"),
              "S02": ("38", "男", "false", None, "-0.25"),
              "E01": (None, "=cmd", None, "2010-01-31", "12")}
    for case, row in values.items():
        case_id = db.ensure_case(conn, case)
        for (_attribute, attr_id), value in zip(ids.items(), row):
            if value is not None:
                db.set_case_attribute(conn, case_id, attr_id, value)
    conn.execute("UPDATE cases SET description = '东部 村干部' WHERE name = 'S01'")


def _memos(conn) -> None:
    at = "2025-02-03T04:05:06Z"
    insert_memo(conn, target_type="study", target=None, author="alice", title="总体印象",
                text="资源压力是核心。\n第二行 😀", at=at)
    insert_memo(conn, target_type="code", target="resource", author="bob", title=None,
                text="定义需要收紧", at=at)
    insert_memo(conn, target_type="case", target="S02", author="alice", title="个案",
                text="受访者谨慎", at=at)
    insert_memo(conn, target_type="source", target="E01.txt", author="carol", title=None,
                text="English source", at=at)
    insert_memo(conn, target_type="segment", target="S01.txt#2", author="alice", title="关键句",
                text="𠀀 这里很关键", at=at)


def snapshot(study: Study) -> dict:
    """What a round trip must keep, in comparable form."""
    conn = study.conn
    return {
        "sources": {s.name: s.text for s in db.list_sources(conn)},
        "codes": sorted((c.id, c.parent, c.level, c.name, c.name_en, c.color, c.description,
                         c.paradigm) for c in list_codes(conn)),
        "codings": sorted((c.source, c.start, c.end, c.code_id, c.coder)
                          for c in rdb.export_codings(conn)),
        "cases": [(c.name, c.description, c.sources) for c in rdb.list_case_rows(conn)],
        "attributes": db.list_cases(conn),
        "attribute_types": db.attribute_types(conn),
        "memos": sorted((m.target_type, m.target or "", m.author, m.title or "", m.text)
                        for m in rdb.list_memos(conn)),
        "sets": [(s.name, s.description, s.members) for s in rdb.list_sets(conn)],
        "codebook": study.codebook_path.read_text(encoding="utf-8"),
    }


def shared_dir() -> Path | None:
    """``shared/`` beside the clone (CI) or ``$GTCODE_SHARED``; None when absent."""
    for candidate in (os.environ.get("GTCODE_SHARED"), REPO.parent / "shared"):
        if candidate and (Path(candidate) / "spec" / "refi-qda").is_dir():
            return Path(candidate)
    return None


def make_zip(path: Path, entries: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> Path:
    """A zip with the given entries (names written as given, even hostile ones)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.create_system = 3
                info.external_attr = (0o120777 << 16)
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path
